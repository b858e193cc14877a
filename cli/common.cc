// Copyright annals authors.

#include "common.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "annals/server.h"

namespace annals {
namespace cli {

std::string GlobalOptions::DbPath() const {
  if (!db.empty()) return db;
  const char* env = std::getenv("ANNALS_DB");
  if (env != nullptr && *env != '\0') return env;
  return "annals.db";
}

// SPEC §4 exit codes.  Status codes are defined to be the exit codes; this table is the
// one place that says so, should either ever change.
int ExitCode(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return 0;
    case Status::Code::kNotFound: return 1;
    case Status::Code::kInvalidArgument: return 2;
    case Status::Code::kConflict: return 3;
    case Status::Code::kCorruption: return 4;
    case Status::Code::kUnavailable: return 5;
  }
  return 5;
}

int Fail(const Status& status) {
  // Messages quote what the user gave (ids, paths, stream names): shown printable, each
  // line of a message kept.
  std::string message;
  const std::string& raw = status.message();
  for (size_t start = 0; start <= raw.size();) {
    size_t end = raw.find('\n', start);
    if (end == std::string::npos) end = raw.size();
    if (start > 0) message.push_back('\n');
    message += Printable(std::string_view(raw).substr(start, end - start));
    start = end + 1;
  }
  std::fprintf(stderr, "%s %s\n", Paint("annals:", Style::kRed, stderr).c_str(),
               message.c_str());
  return ExitCode(status);
}

namespace {

// The store through a server: the one named by --server or $ANNALS_SERVER, else the one
// that holds the store (nullptr if none does).
Result<std::unique_ptr<Store>> OpenServedStore(const GlobalOptions& global) {
  ClientOptions client;
  if (!global.token_file.empty()) {
    auto token = ReadTokenFile(global.token_file);
    if (!token.ok()) return token.status();
    client.token = std::move(token).value();
  } else if (const char* token = std::getenv("ANNALS_TOKEN")) {
    client.token = token;
  }
  std::string address = global.server;
  if (address.empty()) {
    const char* env = std::getenv("ANNALS_SERVER");
    if (env != nullptr) address = env;
  }
  if (!address.empty()) return ConnectToServer(address, client);
  return ConnectToStoreServer(global.DbPath(), client);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const GlobalOptions& global, Use use) {
  auto served = OpenServedStore(global);
  if (!served.ok() || *served) return served;
  Options options;
  switch (use) {
    case Use::kWrite:
      options.access = Options::Access::kReadWrite;
      options.create_if_missing = true;
      break;
    case Use::kRead: options.access = Options::Access::kReadOnly; break;
    case Use::kQuery: options.access = Options::Access::kReadWriteIfWritable; break;
  }
  options.sync = !global.no_sync;
  options.wait_micros = static_cast<int64_t>(global.wait_seconds * 1e6);
  const std::string path = global.DbPath();
  const bool tell = !global.quiet && ::isatty(::fileno(stderr)) == 1;
  bool told = false;
  if (tell) {
    options.waiting = [&](const std::string& holders) {
      std::fprintf(stderr, "\rannals: waiting for '%s', in use by %s (at most %g s, see "
                   "--wait)\033[K", path.c_str(), holders.c_str(), global.wait_seconds);
      std::fflush(stderr);
      told = true;
    };
  }
  // A server that has just taken the store records its socket a moment later: when the
  // store is held by `annals serve`, use it rather than wait for it.
  // (A server that is stopping refuses clients: the store is then used directly as soon
  // as it lets go.)
  Options at_once = options;
  at_once.wait_micros = 0;
  at_once.waiting = nullptr;
  auto busy = [](const Result<std::unique_ptr<Store>>& s) {
    return !s.ok() && s.status().message().find(" is in use by ") != std::string::npos;
  };
  auto store = Store::Open(path, at_once);
  for (int i = 0; i < 40 && busy(store) &&
                  store.status().message().find(" serve") != std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    served = OpenServedStore(global);
    if (!served.ok() || *served) return served;
    store = Store::Open(path, at_once);
  }
  if (busy(store) && options.wait_micros > 0) store = Store::Open(path, options);
  if (told) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  return store;
}

namespace {

// The output of a read command while it holds the store (RunRead): a FILE* whose writes
// go to memory up to kMemoryBytes, then to an unlinked temporary file.  If no temporary
// file can be made, what is held goes to stdout and the rest follows directly (the store
// is then held while stdout is slow, as without a spool).
class Spool {
 public:
  Spool() {
    struct stat st;
    if (::fstat(::fileno(stdout), &st) == 0 && S_ISREG(st.st_mode)) {
      out_ = stdout;  // a file cannot stall
      return;
    }
    cookie_io_functions_t io;
    std::memset(&io, 0, sizeof(io));
    io.write = [](void* self, const char* data, size_t n) -> ssize_t {
      return static_cast<Spool*>(self)->Write(data, n) ? static_cast<ssize_t>(n) : -1;
    };
    out_ = ::fopencookie(this, "w", io);
    if (out_ == nullptr) out_ = stdout;
  }
  ~Spool() {
    if (out_ != stdout) std::fclose(out_);
    if (file_ != nullptr) std::fclose(file_);
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  std::FILE* out() { return out_; }

  // Writes what is held to stdout.  False if that failed.
  bool Drain() {
    if (out_ == stdout) return true;
    if (std::fflush(out_) != 0) return false;
    if (!Put(memory_.data(), memory_.size())) return false;
    memory_.clear();
    if (file_ == nullptr) return true;
    std::rewind(file_);
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), file_)) > 0) {
      if (!Put(buf, n)) return false;
    }
    return !std::ferror(file_);
  }

 private:
  static constexpr size_t kMemoryBytes = 8 << 20;

  static bool Put(const char* data, size_t n) {
    return n == 0 || std::fwrite(data, 1, n, stdout) == n;
  }

  bool Write(const char* data, size_t n) {
    if (direct_) return Put(data, n);
    if (file_ == nullptr && memory_.size() + n <= kMemoryBytes) {
      memory_.append(data, n);
      return true;
    }
    if (file_ == nullptr) {
      file_ = TempFile();
      if (file_ == nullptr) {
        direct_ = true;
        const bool ok = Put(memory_.data(), memory_.size());
        memory_.clear();
        return ok && Put(data, n);
      }
      if (std::fwrite(memory_.data(), 1, memory_.size(), file_) != memory_.size()) return false;
      memory_.clear();
      memory_.shrink_to_fit();
    }
    return std::fwrite(data, 1, n, file_) == n;
  }

  // A new temporary file in $TMPDIR (else /tmp), already unlinked.
  static std::FILE* TempFile() {
    const char* dir = std::getenv("TMPDIR");
    std::string templ = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                        "/annals-output-XXXXXX";
    const int fd = ::mkstemp(templ.data());
    if (fd < 0) return nullptr;
    ::unlink(templ.c_str());
    std::FILE* f = ::fdopen(fd, "w+");
    if (f == nullptr) ::close(fd);
    return f;
  }

  std::FILE* out_ = nullptr;
  std::string memory_;
  std::FILE* file_ = nullptr;
  bool direct_ = false;
};

}  // namespace

int RunRead(const GlobalOptions& global, Use use,
            const std::function<Status(Store& store, std::FILE* out)>& body) {
  Spool spool;
  Status status;
  {
    auto store = OpenStore(global, use);
    if (!store.ok()) return Fail(store.status());
    status = body(**store, spool.out());
  }  // the store is given up here, before the results are written
  if (!spool.Drain() && status.ok()) {
    status = Status::Unavailable("cannot write to standard output");
  }
  return status.ok() ? 0 : Fail(status);
}

std::string Count(uint64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

void RefuseEmptyValues(CLI::App* app) {
  const CLI::Validator not_empty(
      [](std::string& value) {
        return value.empty() ? std::string("an empty value is not allowed") : std::string();
      },
      "");
  for (CLI::Option* opt : app->get_options()) {
    if (opt->get_expected_max() > 0) opt->check(not_empty);
  }
  for (CLI::App* sub : app->get_subcommands({})) RefuseEmptyValues(sub);
}

CLI::Validator WholeNumber() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        const bool digits = !value.empty() && value.size() <= 16 &&
                            value.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || std::stoull(value) > (1ull << 53)) {
          return "'" + value + "' is not a whole number from 0 to 9007199254740992";
        }
        return std::string();
      },
      "N");
}

CLI::Validator Seconds() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        const bool number = !value.empty() && end == value.c_str() + value.size() &&
                            value.find_first_not_of("0123456789.") == std::string::npos;
        if (!number || !(v >= 0 && v <= 1e9)) {
          return "'" + value + "' is not a number of seconds from 0 to 1000000000";
        }
        return std::string();
      },
      "SECONDS");
}

void AddFormatOption(CLI::App* sub, GlobalOptions* global) {
  sub->add_option("--format", global->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
}

bool ColourEnabled(std::FILE* stream) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && *no_colour != '\0') return false;
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force != nullptr && *force != '\0' && std::strcmp(force, "0") != 0) return true;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(::fileno(stream)) == 1;
}

std::string Paint(std::string_view text, Style style, std::FILE* stream) {
  if (!ColourEnabled(stream)) return std::string(text);
  const char* code = "";
  switch (style) {
    case Style::kBold: code = "1"; break;
    case Style::kDim: code = "2"; break;
    case Style::kRed: code = "1;31"; break;
    case Style::kGreen: code = "1;32"; break;
    case Style::kYellow: code = "33"; break;
    case Style::kCyan: code = "36"; break;
  }
  return std::string("\033[") + code + "m" + std::string(text) + "\033[0m";
}

Progress::Progress(const GlobalOptions& global, std::string what, std::string unit,
                   uint64_t every)
    : enabled_(!global.quiet && ::isatty(::fileno(stderr)) == 1),
      what_(std::move(what)),
      unit_(std::move(unit)),
      every_(every == 0 ? 1 : every) {}

Progress::~Progress() { Done(); }

void Progress::Update(uint64_t count) {
  if (!enabled_ || count == 0 || count % every_ != 0) return;
  std::fprintf(stderr, "\r%s: %llu %s\033[K", what_.c_str(),
               static_cast<unsigned long long>(count), unit_.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Done() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace cli
}  // namespace annals
