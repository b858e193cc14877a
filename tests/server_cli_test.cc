// Copyright annals authors.
//
// `annals serve` as a process: who may reach it (socket permissions, tokens), what it
// survives (garbage on a connection, a client killed mid-import, kill -9 of the server)
// and how it stops (SIGTERM: writes in flight finish, subscribers are told, the store is
// closed).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "annals/server.h"
#include "server_test_util.h"
#include "test_util.h"

namespace annals {
namespace {

using test::RunAnnals;
using test::RunResult;
using test::ServeProcess;

class ServeCliTest : public testing::Test {
 protected:
  std::string db() const { return dir_.Sub("db"); }

  RunResult Run(std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"--db", db()});
    return RunAnnals(args, in);
  }
  void Append(const std::string& stream, const std::string& text) {
    RunResult r = Run({"append", "--stream", stream, "--type", "note", "--effective", "2025",
                       "--set", "text=" + text, "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string Token(const std::string& name, const std::string& token, mode_t mode) {
    const std::string path = dir_.Sub(name);
    test::WriteFile(path, token + "\n");
    ::chmod(path.c_str(), mode);
    return path;
  }
  size_t Events() {
    RunResult r = Run({"log", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return test::Lines(r.out).size();
  }

  test::TempDir dir_;
};

// ---- access ----

TEST_F(ServeCliTest, TheUnixSocketIsReadableOnlyByItsOwner) {
  ServeProcess server(db());
  ASSERT_TRUE(server.started()) << server.err();
  struct stat dir_st, sock_st;
  ASSERT_EQ(::stat((db() + "/serve").c_str(), &dir_st), 0);
  EXPECT_EQ(dir_st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((db() + "/serve/socket").c_str(), &sock_st), 0);
  EXPECT_TRUE(S_ISSOCK(sock_st.st_mode));
  EXPECT_EQ(sock_st.st_mode & 0777, 0600u);
  ASSERT_EQ(server.addresses().size(), 1u);
  EXPECT_EQ(server.addresses()[0].find("unix:"), 0u);
  EXPECT_NE(test::ReadFile(db() + "/serve/record").find(server.addresses()[0]), std::string::npos);
}

TEST_F(ServeCliTest, ALongStorePathGetsAShortSocketElsewhereAndRecordsIt) {
  std::string deep = dir_.path();
  while (deep.size() < 120) deep += "/a-rather-long-directory-name";
  std::filesystem::create_directories(deep);
  ASSERT_EQ(RunAnnals({"--db", deep + "/db", "append", "--stream", "s", "--type", "note",
                       "--effective", "2025", "--set", "text=x", "-q"})
                .exit_code,
            0);
  ServeProcess server(deep + "/db");
  ASSERT_TRUE(server.started()) << server.err();
  const std::string address = server.addresses()[0];
  EXPECT_EQ(address.find("unix:"), 0u);
  EXPECT_LE(address.size() - 5, 107u);
  EXPECT_EQ(address.find(deep), std::string::npos);
  RunResult r = RunAnnals({"--db", deep + "/db", "log", "--follow", "--limit", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;  // found through the record
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  EXPECT_NE(::access(address.substr(5).c_str(), F_OK), 0);  // removed, with its directory
}

TEST_F(ServeCliTest, TcpNeedsAPrivateTokenFile) {
  Append("s", "x");
  RunResult r = Run({"serve", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--token-file"), std::string::npos) << r.err;
  r = Run({"--token-file", Token("open", "0123456789abcdef0123", 0644), "serve", "--listen",
           "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
  r = Run({"--token-file", Token("short", "abc", 0600), "serve", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("at least 16"), std::string::npos) << r.err;
  r = Run({"serve", "--listen", "localhost:99999"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("port"), std::string::npos) << r.err;
}

TEST_F(ServeCliTest, AWrongOrMissingTokenIsExit5AndNothingIsDone) {
  Append("s", "before");
  const std::string token = Token("token", "the-right-token-0123456789", 0600);
  ServeProcess server(db(), {"--listen", "0"}, {"--token-file", token});
  ASSERT_TRUE(server.started()) << server.err();
  const std::string tcp = server.tcp();
  EXPECT_EQ(tcp.find("127.0.0.1:"), 0u) << tcp;  // loopback unless a host is given
  const std::vector<std::string> append = {"append", "--stream", "s", "--type", "note",
                                           "--effective", "2025", "--set", "text=intruder"};
  auto with = [&](std::vector<std::string> global) {
    global.insert(global.end(), append.begin(), append.end());
    return RunAnnals(global);
  };
  RunResult r = with({"--server", tcp});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("refused the token"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  r = with({"--server", tcp, "--token-file", Token("wrong", "the-wrong-token-0123456789", 0600)});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("refused the token"), std::string::npos) << r.err;
  EXPECT_EQ(Events(), 1u);  // nothing was appended
  r = with({"--server", tcp, "--token-file", token});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunAnnals({"--server", tcp, "--token-file", token, "log", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::Lines(r.out).size(), 2u);
}

TEST_F(ServeCliTest, LogFollowNeedsAServer) {
  Append("s", "x");
  RunResult r = Run({"log", "--follow"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("needs an annals server"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(ServeCliTest, LogFollowPrintsTheLogThenNewEvents) {
  Append("s", "old");
  ServeProcess server(db());
  ASSERT_TRUE(server.started()) << server.err();
  RunResult follow;
  std::thread t([&] { follow = Run({"log", "--follow", "--limit", "3", "--format", "json"}); });
  Append("s", "new1");
  Append("t", "new2");
  t.join();
  EXPECT_EQ(follow.exit_code, 0) << follow.err;
  auto lines = test::Lines(follow.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"seq\":1"), std::string::npos);
  EXPECT_NE(lines[2].find("new2"), std::string::npos);
}

// ---- faults ----

int RawConnect(const std::string& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, socket_path.c_str(), sizeof(sa.sun_path) - 1);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0) << socket_path;
  return fd;
}

TEST_F(ServeCliTest, GarbageOrATruncatedMessageClosesThatConnectionOnly) {
  Append("s", "x");
  ServeProcess server(db());
  ASSERT_TRUE(server.started()) << server.err();
  auto client = ConnectToStoreServer(db(), ClientOptions());
  ASSERT_OK(client.status());
  ASSERT_NE(*client, nullptr);
  const std::string socket = db() + "/serve/socket";
  // Garbage: a segment table claiming a huge message.
  const int garbage = RawConnect(socket);
  const unsigned char junk[] = {0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x7f, 'x', 'y',
                                'z',  0x01, 0x02, 0x03, 0x04, 0x05};
  ASSERT_EQ(::write(garbage, junk, sizeof(junk)), static_cast<ssize_t>(sizeof(junk)));
  // Truncated: a frame of 64 words that ends after 2, then the client goes.
  const int truncated = RawConnect(socket);
  const unsigned char frame[] = {0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
  ASSERT_EQ(::write(truncated, frame, sizeof(frame)), static_cast<ssize_t>(sizeof(frame)));
  ::shutdown(truncated, SHUT_WR);
  // Random bytes, on a connection that stays open.
  const int noise = RawConnect(socket);
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<char>((i * 7919) ^ (i >> 3)));
  ASSERT_GT(::write(noise, bytes.data(), bytes.size()), 0);
  // The server closes the garbage connection...
  char buf[64];
  EXPECT_TRUE(test::Eventually([&] { return ::recv(garbage, buf, sizeof(buf), MSG_DONTWAIT) == 0; }));
  // ...and serves everyone else as before.
  auto streams = (*client)->ListStreams();
  ASSERT_OK(streams.status());
  EXPECT_EQ(streams->size(), 1u);
  Append("s", "y");
  EXPECT_EQ(Events(), 2u);
  EXPECT_EQ(::kill(server.pid(), 0), 0);
  for (int fd : {garbage, truncated, noise}) ::close(fd);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

TEST_F(ServeCliTest, AClientKilledMidImportLeavesNothing) {
  Append("s", "x");
  ServeProcess server(db());
  ASSERT_TRUE(server.started()) << server.err();
  int in[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::close(in[1]);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    test::ExecAnnals({"--db", db(), "import", "-"});
  }
  ::close(in[0]);
  std::string lines;
  for (int i = 0; i < 2500; ++i) {  // two chunks and more: the server holds part of them
    lines += R"({"stream":"bulk","type":"note","effective":"2025","data":{"text":"n)" +
             std::to_string(i) + "\"}}\n";
  }
  ASSERT_EQ(::write(in[1], lines.data(), lines.size()), static_cast<ssize_t>(lines.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ::close(in[1]);
  // Nothing of the import, and the store's writer is free again.
  Append("s", "after");
  RunResult r = Run({"streams", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("bulk"), std::string::npos) << r.out;
  EXPECT_EQ(Events(), 2u);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
  r = Run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(ServeCliTest, KillNineLosesNoAcknowledgedAppendAndTheNextCommandWorks) {
  Append("s", "0");
  {
    ServeProcess server(db());
    ASSERT_TRUE(server.started()) << server.err();
    for (int i = 1; i < 20; ++i) Append("s", std::to_string(i));
    EXPECT_EQ(server.Signal(SIGKILL), 128 + SIGKILL);
  }
  // Its socket is left behind: commands find it refusing and use the store directly.
  RunResult r = Run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Events(), 20u);
  Append("s", "20");
  // A new server removes the dead one's socket once it holds the store, and serves.
  ServeProcess again(db());
  ASSERT_TRUE(again.started()) << again.err();
  r = Run({"log", "--follow", "--limit", "21", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::Lines(r.out).size(), 21u);
  EXPECT_EQ(again.Signal(SIGTERM), 0);
}

TEST_F(ServeCliTest, SigtermFinishesWritesInFlightTellsSubscribersAndClosesTheStore) {
  Append("s", "first");
  ServeProcess server(db());
  ASSERT_TRUE(server.started()) << server.err();
  std::mutex mu;
  std::set<uint64_t> acknowledged;
  std::vector<Status> refusals;
  std::atomic<int> total{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto store = ConnectToStoreServer(db(), ClientOptions());
      ASSERT_OK(store.status());
      ASSERT_NE(*store, nullptr);
      for (int i = 0;; ++i) {
        auto e = NewEvent::FromJson(R"({"stream":"w)" + std::to_string(w) +
                                    R"(","type":"note","effective":"2025","data":{"text":"x"}})");
        std::vector<NewEvent> events;
        events.push_back(std::move(e).value());
        auto r = (*store)->Append(std::move(events), {});
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          refusals.push_back(r.status());
          return;
        }
        acknowledged.insert(r->front().seq);
        ++total;
      }
    });
  }
  Status followed;
  std::thread follower([&] {
    auto store = ConnectToStoreServer(db(), ClientOptions());
    ASSERT_OK(store.status());
    followed = (*store)->Follow(LogRange{}, [](const Event&) { return true; });
  });
  ASSERT_TRUE(test::Eventually([&] { return total.load() >= 100; }));
  EXPECT_EQ(server.Signal(SIGTERM), 0) << server.err();
  for (auto& t : writers) t.join();
  follower.join();
  for (const Status& s : refusals) EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_TRUE(followed.IsUnavailable()) << followed.ToString();
  EXPECT_NE(followed.message().find("stopping"), std::string::npos) << followed.ToString();
  EXPECT_NE(server.err().find("stopped; the store is closed"), std::string::npos) << server.err();
  // Every acknowledged append is there; the store is closed and free; nothing is left.
  EXPECT_NE(::access((db() + "/serve/record").c_str(), F_OK), 0);
  RunResult r = Run({"log", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<uint64_t> logged;
  for (const auto& line : test::Lines(r.out)) {
    logged.insert(std::stoull(line.substr(line.find("\"seq\":") + 6)));
  }
  for (uint64_t seq : acknowledged) EXPECT_TRUE(logged.count(seq)) << seq;
  EXPECT_EQ(logged.size(), acknowledged.size() + 1);
}

}  // namespace
}  // namespace annals
