// Copyright annals authors.

#include "cluster_test_util.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "annals/server.h"
#include "cluster/jetstream.h"

namespace annals {
namespace test {

std::string NatsServerPath() {
  for (const char* p : {"/usr/sbin/nats-server", "/usr/bin/nats-server",
                        "/usr/local/bin/nats-server"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

uint64_t HeadOf(Store& store) {
  auto streams = store.ListStreams();
  if (!streams.ok()) return 0;
  uint64_t head = 0;
  for (const auto& s : *streams) head = std::max(head, s.last_seq);
  return head;
}

NatsCluster::NatsCluster(const std::string& dir, int size) : dir_(dir), pids_(size, -1) {
  for (int i = 0; i < size; ++i) {
    client_ports_.push_back(FreePort());
    route_ports_.push_back(FreePort());
  }
  std::string routes;
  for (int p : route_ports_) {
    routes += (routes.empty() ? "" : ", ") + std::string("nats-route://127.0.0.1:") + std::to_string(p);
  }
  for (int i = 0; i < size; ++i) {
    const std::string name = "nats" + std::to_string(i + 1);
    WriteFile(dir_ + "/" + name + ".conf",
              "server_name: " + name + "\nlisten: 127.0.0.1:" + std::to_string(client_ports_[i]) +
                  "\njetstream { store_dir: \"" + dir_ + "/" + name + "\" }\n"
                  "cluster {\n  name: annals\n  listen: 127.0.0.1:" +
                  std::to_string(route_ports_[i]) + "\n  routes: [ " + routes + " ]\n}\n");
    Start(i);
  }
}

NatsCluster::~NatsCluster() {
  for (size_t i = 0; i < pids_.size(); ++i) Kill9(static_cast<int>(i));
}

std::string NatsCluster::urls() const {
  std::string out;
  for (int p : client_ports_) out += (out.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(p);
  return out;
}

void NatsCluster::Start(int i) {
  const std::string name = "nats" + std::to_string(i + 1);
  const std::string conf = dir_ + "/" + name + ".conf";
  const std::string log = dir_ + "/" + name + ".log";
  const std::string bin = NatsServerPath();
  const bool main_thread = ::gettid() == ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (main_thread) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(bin.c_str(), bin.c_str(), "-c", conf.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pids_[i] = pid;
}

void NatsCluster::Kill9(int i) {
  if (pids_[i] <= 0) return;
  ::kill(pids_[i], SIGKILL);
  int status = 0;
  ::waitpid(pids_[i], &status, 0);
  pids_[i] = -1;
}

bool NatsCluster::WaitReady(const std::string& stream, int replicas, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    auto js = internal::JetStream::Connect(urls(), "annals test");
    if (js.ok() && (*js)->EnsureStream(stream, stream + ".append", replicas).ok() &&
        (*js)->LastSeq(stream).ok()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

ClusterNodeProcess::ClusterNodeProcess(const std::string& db, const std::string& urls,
                                       const std::string& name, const std::string& token_file)
    : db_(db), urls_(urls), name_(name), token_file_(token_file) {
  token_ = ReadFile(token_file);
  while (!token_.empty() && token_.back() == '\n') token_.pop_back();
  Start();
}

void ClusterNodeProcess::Start() {
  process_.reset();
  // A fixed port, so that clients find a restarted node where it was.
  const std::string listen = address_.empty() ? "127.0.0.1:0" : address_;
  process_ = std::make_unique<ServeProcess>(
      db_, std::vector<std::string>{"--cluster", urls_, "--node", name_, "--listen", listen},
      std::vector<std::string>{"--token-file", token_file_});
  ASSERT_TRUE(process_->started()) << name_ << " did not start: " << process_->err();
  address_ = process_->tcp();
}

void ClusterNodeProcess::Kill9() {
  if (process_) process_->Signal(SIGKILL);
}

void ClusterNodeProcess::Stop() {
  if (process_) process_->Signal(SIGTERM);
}

std::unique_ptr<Store> ClusterNodeProcess::Connect() const {
  ClientOptions options;
  options.token = token_;
  auto store = ConnectToServer(address_, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

}  // namespace test
}  // namespace annals
