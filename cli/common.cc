// Copyright annals authors.

#include "common.h"

#include "annals/server.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

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
  std::fprintf(stderr, "%s %s\n", Paint("annals:", Style::kRed, stderr).c_str(),
               status.message().c_str());
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

Result<std::unique_ptr<Store>> OpenStore(const GlobalOptions& global, bool create) {
  auto served = OpenServedStore(global);
  if (!served.ok() || *served) return served;
  Options options;
  options.create_if_missing = create;
  options.sync = !global.no_sync;
  return Store::Open(global.DbPath(), options);
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
                   uint64_t every, bool prints_while_running)
    : enabled_(!global.quiet && ::isatty(::fileno(stderr)) == 1 &&
               !(prints_while_running && ::isatty(::fileno(stdout)) == 1)),
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

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace cli
}  // namespace annals
