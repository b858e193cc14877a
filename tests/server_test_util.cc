// Copyright annals authors.

#include "server_test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <regex>

#include "test_util.h"

namespace annals {
namespace test {

std::unique_ptr<ServedStore> ServedStore::Start(const std::string& path, ServeOptions options) {
  std::unique_ptr<ServedStore> s(new ServedStore());
  s->path_ = path;
  options.store.create_if_missing = true;
  auto server = Server::Open(path, options);
  if (!server.ok()) {
    ADD_FAILURE() << "Server::Open: " << server.status().ToString();
    return nullptr;
  }
  s->server_ = std::move(server).value();
  ServedStore* self = s.get();
  self->thread_ = std::thread([self] {
    self->run_status_ = self->server_->Run([self](const std::vector<std::string>& addresses) {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->addresses_ = addresses;
      self->ready_ = true;
      self->cv_.notify_all();
    });
    std::lock_guard<std::mutex> lock(self->mu_);
    self->ready_ = true;  // Run failed before listening
    self->cv_.notify_all();
  });
  std::unique_lock<std::mutex> lock(self->mu_);
  self->cv_.wait(lock, [self] { return self->ready_; });
  return s;
}

Status ServedStore::Stop() {
  if (!stopped_) {
    stopped_ = true;
    server_->Stop();
    thread_.join();
  }
  return run_status_;
}

ServedStore::~ServedStore() {
  Status s = Stop();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

std::unique_ptr<Store> ServedStore::Connect() {
  auto store = ConnectToStoreServer(path_, ClientOptions());
  if (!store.ok() || *store == nullptr) {
    ADD_FAILURE() << "cannot connect: "
                  << (store.ok() ? std::string("no server recorded") : store.status().ToString());
    return nullptr;
  }
  return std::move(store).value();
}

ServeProcess::ServeProcess(const std::string& db, const std::vector<std::string>& args,
                           const std::vector<std::string>& global) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return;
  err_path_ = db + ".serve-stderr";
  // PR_SET_PDEATHSIG fires when the forking *thread* ends: only from the main thread.
  const bool main_thread = ::syscall(SYS_gettid) == ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    if (main_thread) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(out[1], 1);
    const int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, 2);
    ::close(out[0]);
    ::close(out[1]);
    unsetenv("ANNALS_DB");
    std::vector<std::string> argv = global;
    argv.insert(argv.end(), {"--db", db, "serve", "--format", "json"});
    argv.insert(argv.end(), args.begin(), args.end());
    ExecAnnals(argv);
  }
  ::close(out[1]);
  out_fd_ = out[0];
  // The first line of stdout: {"store":...,"pid":...,"addresses":[...]}.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(out_fd_, buf, sizeof(buf));
    if (n <= 0) break;  // exited
    line.append(buf, static_cast<size_t>(n));
  }
  static const std::regex kAddress("\"([^\"]+)\"");
  const size_t list = line.find("\"addresses\":[");
  if (list == std::string::npos) return;
  const std::string rest = line.substr(list + 13);
  for (auto it = std::sregex_iterator(rest.begin(), rest.end(), kAddress);
       it != std::sregex_iterator(); ++it) {
    addresses_.push_back((*it)[1].str());
  }
}

ServeProcess::~ServeProcess() {
  if (exit_code_ < 0 && pid_ > 0) Signal(SIGKILL);
  if (out_fd_ >= 0) ::close(out_fd_);
  ::unlink(err_path_.c_str());
}

std::string ServeProcess::tcp() const {
  for (const auto& a : addresses_) {
    if (a.rfind("unix:", 0) != 0) return a;
  }
  return "";
}

int ServeProcess::Signal(int signal) {
  if (exit_code_ >= 0) return exit_code_;
  ::kill(pid_, signal);
  return Wait();
}

int ServeProcess::Wait() {
  if (exit_code_ >= 0) return exit_code_;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_code_;
}

std::string ServeProcess::err() { return ReadFile(err_path_); }

bool Eventually(const std::function<bool()>& condition, double seconds) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace test
}  // namespace annals
