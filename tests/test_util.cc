// Copyright annals authors.

#include "test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

namespace annals {
namespace test {

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp && *tmp ? tmp : "/tmp";
  std::string templ = base + "/annals-test-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  StopTestServers(path_);
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Result<std::unique_ptr<internal::StoreImpl>> OpenWithClock(const std::string& path,
                                                           const int64_t* clock_micros) {
  internal::TestHooks hooks;
  hooks.now_micros = [clock_micros] { return *clock_micros; };
  Options options;
  options.create_if_missing = true;
  return internal::StoreImpl::OpenImpl(path, options, hooks);
}

std::vector<NewEvent> Events(const std::vector<std::string>& json) {
  std::vector<NewEvent> out;
  for (const auto& j : json) {
    auto e = NewEvent::FromJson(j);
    if (!e.ok()) {
      ADD_FAILURE() << j << ": " << e.status().ToString();
      continue;
    }
    out.push_back(std::move(e).value());
  }
  return out;
}

std::vector<std::string> AppendNoteArgs(const std::string& db, const std::string& stream,
                                        const std::string& text, const std::string& wait) {
  return {"--db", db, "--wait", wait, "append", "--stream", stream, "--type", "note",
          "--effective", "2025", "--set", "text=" + text};
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
  ASSERT_TRUE(f.good()) << "cannot write " << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool LongTests() {
  const char* v = std::getenv("ANNALS_LONG_TESTS");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

bool ReferencePathLess(const std::string& a, const std::string& b) {
  auto split = [](const std::string& p) {
    std::vector<std::string> out(1);
    for (char c : p) {
      if (c == '.') {
        out.emplace_back();
      } else {
        out.back() += c;
      }
    }
    return out;
  };
  auto number = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  auto sa = split(a), sb = split(b);
  for (size_t i = 0; i < std::min(sa.size(), sb.size()); ++i) {
    if (sa[i] == sb[i]) continue;
    if (number(sa[i]) && number(sb[i]) && sa[i].size() != sb[i].size()) {
      return sa[i].size() < sb[i].size();
    }
    return sa[i] < sb[i];
  }
  return sa.size() < sb.size();
}

void ExecAnnals(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string bin = ANNALS_BIN;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(bin.c_str(), argv.data());
  _exit(127);
}

pid_t StartAnnals(const std::vector<std::string>& args, int out_fd, const std::string& err_path) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_RDWR);
    const int err =
        err_path.empty() ? null : open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null, 0);
    dup2(out_fd >= 0 ? out_fd : null, 1);
    dup2(err >= 0 ? err : null, 2);
    unsetenv("ANNALS_DB");
    setenv("NO_COLOR", "1", 1);
    ExecAnnals(args);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool StillRunning(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == 0;
}

namespace {

// The servers RunAnnals started (ANNALS_TEST_VIA_SERVER), by store directory.
std::map<std::string, pid_t>& TestServers() {
  static auto* servers = new std::map<std::string, pid_t>();
  return *servers;
}

void StopServer(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

void StopAllTestServers() { StopTestServers("/"); }

// Starts a server for the store at `db` unless one of ours serves it already.
void EnsureTestServer(const std::string& db) {
  std::error_code ec;
  if (!std::filesystem::exists(db + "/CURRENT", ec)) return;  // no store yet
  const std::string path = std::filesystem::absolute(db, ec).lexically_normal().string();
  auto& servers = TestServers();
  auto it = servers.find(path);
  if (it != servers.end()) {
    int status = 0;
    const bool alive = ::waitpid(it->second, &status, WNOHANG) == 0;
    if (alive && std::filesystem::exists(path + "/serve/record", ec)) return;
    if (alive) StopServer(it->second);  // serving a store that was removed meanwhile
    servers.erase(it);
  }
  static bool registered = (std::atexit(StopAllTestServers), true);
  (void)registered;
  // PR_SET_PDEATHSIG fires when the forking *thread* ends: only from the main thread.
  const bool main_thread = ::syscall(SYS_gettid) == ::getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    if (main_thread) ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test leaves no server
    const int null = ::open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    unsetenv("ANNALS_DB");
    ExecAnnals({"--db", path, "--quiet", "serve"});
  }
  servers[path] = pid;
  // Ready once it has recorded its socket.
  for (int i = 0; i < 2000; ++i) {
    if (std::filesystem::exists(path + "/serve/record", ec)) return;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {  // could not take the store
      servers.erase(path);
      return;
    }
    ::usleep(5000);
  }
  ADD_FAILURE() << "the test server for " << path << " did not start";
}

}  // namespace

bool ViaServer() {
  const char* v = std::getenv("ANNALS_TEST_VIA_SERVER");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

void StopTestServers(const std::string& dir) {
  std::error_code ec;
  std::string prefix = std::filesystem::absolute(dir, ec).lexically_normal().string();
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  auto& servers = TestServers();
  for (auto it = servers.begin(); it != servers.end();) {
    if ((it->first + "/").rfind(prefix, 0) == 0) {
      StopServer(it->second);
      it = servers.erase(it);
    } else {
      ++it;
    }
  }
}

RunResult RunAnnals(const std::vector<std::string>& args, const std::string& stdin_data) {
  return RunAnnalsWith(nullptr, args, stdin_data);
}

RunResult RunAnnalsWith(const std::function<void()>& in_child,
                        const std::vector<std::string>& args, const std::string& stdin_data) {
  if (ViaServer()) {
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "--db") EnsureTestServer(args[i + 1]);
    }
  }
  RunResult result;
  // Close-on-exec: a command another thread forks meanwhile must not keep these pipes open
  // (this one would then wait for the end of its output until that command ended: a
  // `log --follow` started beside an append waited for that append forever).
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    return result;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      close(fd);
    }
    unsetenv("ANNALS_DB");
    setenv("NO_COLOR", "1", 1);
    if (in_child) in_child();
    ExecAnnals(args);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  // Feed stdin and drain stdout/stderr together so that neither side blocks.
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (stdin_data.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open || in_fd >= 0) {
    struct pollfd fds[3];
    int n = 0;
    if (out_open) fds[n++] = {out_pipe[0], POLLIN, 0};
    if (err_open) fds[n++] = {err_pipe[0], POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (poll(fds, n, -1) < 0) break;
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_fd) {
        ssize_t w = write(in_fd, stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) written = stdin_data.size();
        if (written == stdin_data.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      ssize_t r = read(fds[i].fd, buf, sizeof(buf));
      if (r <= 0) {
        if (fds[i].fd == out_pipe[0]) out_open = false;
        else err_open = false;
        continue;
      }
      (fds[i].fd == out_pipe[0] ? result.out : result.err).append(buf, static_cast<size_t>(r));
    }
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string SampleTimelinePath() {
  return std::string(ANNALS_SOURCE_DIR) + "/examples/apple-intelligence-cn.jsonl";
}

}  // namespace test
}  // namespace annals
