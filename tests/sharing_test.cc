// Copyright annals authors.
//
// Two people can use one store (SPEC §4 "Edges", §6): commands that overlap wait for each
// other instead of failing; readers share the store; a read gives the store up before it
// writes its output, so that a slow reader of that output keeps no writer out; and a
// store whose creation is undone after a failed first write never takes another process's
// store with it.

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "annals/store.h"
#include "log/store_lock.h"
#include "test_util.h"

namespace annals {
namespace {

using test::RunAnnals;
using test::RunResult;
using test::TempDir;

std::string Note(const std::string& stream, const std::string& text) {
  return R"({"stream":")" + stream + R"(","type":"note","effective":"2025-01-)" +
         (text.size() % 2 ? "10" : "20") + R"(","data":{"text":")" + text + R"("}})" + "\n";
}

// An event whose append fails (NotFound): it retracts an event that does not exist.
constexpr char kBadRetraction[] =
    R"({"stream":"s","type":"retraction","data":{"target":"nope","reason":"x"}})";

class SharingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    db_ = dir_.Sub("db");
  }
  void ImportSample() {
    RunResult r = RunAnnals({"--db", db_, "import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Waits until a command whose record contains `what` holds the store.
  bool WaitForHolder(const std::string& what) {
    for (int i = 0; i < 1000; ++i) {
      for (const auto& h : internal::StoreLock::Holders(db_)) {
        if (h.find(what) != std::string::npos) return true;
      }
      usleep(10000);
    }
    return false;
  }
  TempDir dir_;
  std::string db_;
};

// Four readers and an appender start while an import of 300,000 lines holds the store.
// They wait for it (--wait), and all succeed; the readers see the import whole.
TEST_F(SharingTest, FourReadersAndAnAppenderDuringALargeImportAllSucceed) {
  ImportSample();
  constexpr int kLines = 300000, kStreams = 30;
  {
    std::string jsonl;
    jsonl.reserve(static_cast<size_t>(kLines) * 90);
    for (int i = 0; i < kLines; ++i) {
      jsonl += Note("bulk-" + std::to_string(i % kStreams), "n" + std::to_string(i));
    }
    test::WriteFile(dir_.Sub("big.jsonl"), jsonl);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t import =
      test::StartAnnals({"--db", db_, "import", dir_.Sub("big.jsonl")}, -1, dir_.Sub("import.err"));
  ASSERT_TRUE(WaitForHolder(" import ")) << "the import did not take the store";

  struct Command {
    explicit Command(std::vector<std::string> a) : args(std::move(a)) {}
    std::vector<std::string> args;
    pid_t pid = 0;
    std::string out;
  };
  std::vector<Command> commands = {
      Command({"state", "--stream", "apple-intelligence-cn", "--format", "json"}),
      Command({"log", "--stream", "apple-intelligence-cn", "--format", "json"}),
      Command({"streams", "--format", "json"}),
      Command({"verify"}),
      Command({"append", "--stream", "apple-intelligence-cn", "--type", "note", "--effective",
               "2025-06", "--set", "text=during the import"}),
  };
  for (size_t i = 0; i < commands.size(); ++i) {
    std::vector<std::string> args = {"--db", db_, "--wait", "120"};
    args.insert(args.end(), commands[i].args.begin(), commands[i].args.end());
    commands[i].out = dir_.Sub("out" + std::to_string(i));
    const int fd = open(commands[i].out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    commands[i].pid = test::StartAnnals(args, fd, commands[i].out + ".err");
    close(fd);
  }
  ASSERT_TRUE(test::StillRunning(import))
      << "the import ended before the other commands started: this test proves nothing";
  EXPECT_EQ(test::WaitExit(import), 0) << test::ReadFile(dir_.Sub("import.err"));
  for (auto& c : commands) {
    EXPECT_EQ(test::WaitExit(c.pid), 0) << c.args[0] << ": " << test::ReadFile(c.out + ".err");
  }
  std::printf("sharing: import of %d lines with 4 readers and an appender: %.1f s\n", kLines,
              test::SecondsSince(t0));
  // The readers waited for the whole import: none saw part of it.
  const auto streams = test::Lines(test::ReadFile(commands[2].out));
  EXPECT_EQ(streams.size(), static_cast<size_t>(kStreams) + 1);
  const std::string state = test::ReadFile(commands[0].out);
  EXPECT_NE(state.find("\"phase\":\"submitted\""), std::string::npos) << state;
  const size_t logged = test::Lines(test::ReadFile(commands[1].out)).size();
  EXPECT_TRUE(logged == 11 || logged == 12) << logged;
  const std::string verified = test::ReadFile(commands[3].out);  // before or after the append
  EXPECT_TRUE(
      verified.rfind("ok: " + std::to_string(kLines + 11) + " events in 31 streams", 0) == 0 ||
      verified.rfind("ok: " + std::to_string(kLines + 12) + " events in 31 streams", 0) == 0)
      << verified;
  EXPECT_NE(test::ReadFile(commands[4].out).find("seq "), std::string::npos);
  RunResult log = RunAnnals({"--db", db_, "log", "--stream", "apple-intelligence-cn"});
  EXPECT_EQ(test::Lines(log.out).size(), 12u);
  RunResult all = RunAnnals({"--db", db_, "log", "--after-seq", std::to_string(kLines + 11)});
  EXPECT_EQ(test::Lines(all.out).size(), 1u) << "the appended event is not last";
}

// A read command gives the store up before it writes its output: while its output sits in
// a full pipe that nobody reads, an append gets the store at once (--wait 0).
TEST_F(SharingTest, AnAppendGetsInWhileAReadIsPipedIntoASleepingReader) {
  ImportSample();
  {
    std::string jsonl;
    for (int i = 0; i < 3000; ++i) {
      jsonl += Note("big", "a note long enough to fill a pipe quickly: " + std::to_string(i));
    }
    test::WriteFile(dir_.Sub("big.jsonl"), jsonl);
    RunResult r = RunAnnals({"--db", db_, "import", dir_.Sub("big.jsonl")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::vector<std::vector<std::string>> reads = {{"log"},
                                                       {"export"},
                                                       {"replay", "--stream", "big"},
                                                       {"history", "--stream", "big"},
                                                       {"log", "--format", "json"}};
  int n = 0;
  for (const auto& read : reads) {
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    std::vector<std::string> args = {"--db", db_};
    args.insert(args.end(), read.begin(), read.end());
    const pid_t reader = test::StartAnnals(args, pipe_fds[1], dir_.Sub("reader.err"));
    close(pipe_fds[1]);
    // Wait until it writes: then the pipe fills, and it blocks.
    int queued = 0;
    for (int i = 0; i < 1000 && queued == 0; ++i) {
      usleep(10000);
      ioctl(pipe_fds[0], FIONREAD, &queued);
    }
    ASSERT_GT(queued, 0) << read[0] << " wrote nothing";
    usleep(50000);
    const std::string text = "appended while " + read[0] + " waits " + std::to_string(++n);
    const auto t0 = std::chrono::steady_clock::now();
    RunResult append = RunAnnals(test::AppendNoteArgs(db_, "side", text, "0"));
    const double took = test::SecondsSince(t0);
    EXPECT_EQ(append.exit_code, 0) << read[0] << " kept the store: " << append.err;
    EXPECT_LT(took, 2.0);
    EXPECT_TRUE(test::StillRunning(reader)) << read[0] << " is not blocked on its output";
    // Now read its output: all of it, and nothing appended after it began.
    std::string out;
    char buf[65536];
    ssize_t got;
    while ((got = ::read(pipe_fds[0], buf, sizeof(buf))) > 0)
      out.append(buf, static_cast<size_t>(got));
    close(pipe_fds[0]);
    EXPECT_EQ(test::WaitExit(reader), 0)
        << read[0] << ": " << test::ReadFile(dir_.Sub("reader.err"));
    EXPECT_GT(out.size(), 65536u) << read[0] << "'s output fits in a pipe: it never blocked";
    EXPECT_EQ(out.find(text), std::string::npos);
  }
  // The same with a shell pipeline, as a user would: `annals log | (sleep 5; cat)`.
  const std::string pipeline =
      "'" + std::string(ANNALS_BIN) + "' --db '" + db_ + "' log | (sleep 5; cat > /dev/null)";
  const pid_t shell = fork();
  if (shell == 0) {
    execl("/bin/sh", "sh", "-c", pipeline.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  usleep(1000000);
  // Had the log kept the store until the pipeline drained (5 s in), this append would
  // wait beyond its --wait and fail.
  const auto t0 = std::chrono::steady_clock::now();
  RunResult append = RunAnnals(test::AppendNoteArgs(db_, "side", "beside a pager", "3"));
  EXPECT_EQ(append.exit_code, 0) << append.err;
  EXPECT_TRUE(test::StillRunning(shell)) << "the pipeline ended: this proves nothing";
  std::printf("sharing: an append beside `log | (sleep 5; cat)` took %.2f s\n",
              test::SecondsSince(t0));
  EXPECT_EQ(test::WaitExit(shell), 0);
}

// Many commands at once on one store: none sees "in use".
TEST_F(SharingTest, OverlappingCommandsAllSucceed) {
  ImportSample();
  std::vector<pid_t> pids;
  for (int i = 0; i < 6; ++i) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--db", db_, "state", "--stream", "apple-intelligence-cn"},
          std::vector<std::string>{"--db", db_, "log"},
          test::AppendNoteArgs(db_, "many", "note " + std::to_string(i), "10")}) {
      pids.push_back(test::StartAnnals(args, -1, dir_.Sub("err" + std::to_string(pids.size()))));
    }
  }
  for (size_t i = 0; i < pids.size(); ++i) {
    EXPECT_EQ(test::WaitExit(pids[i]), 0) << test::ReadFile(dir_.Sub("err" + std::to_string(i)));
  }
  EXPECT_EQ(test::Lines(RunAnnals({"--db", db_, "log", "--stream", "many"}).out).size(), 6u);
}

// Two processes race to make a store: one imports a file whose last line is bad, which
// fails after the import has created the store and written to it; the other appends.  The
// failed import removes the store only if it made it and nobody wrote to it, decided under
// the store's lock: the append always survives, whichever goes first.
TEST_F(SharingTest, AFailedFirstWriteNeverRemovesAStoreAnotherProcessMade) {
  std::string bad;
  for (int i = 0; i < 6000; ++i) bad += Note("loser", "line " + std::to_string(i));
  bad += "{not json\n";
  test::WriteFile(dir_.Sub("bad.jsonl"), bad);
  for (int round = 0; round < 10; ++round) {
    const std::string db = dir_.Sub("race" + std::to_string(round));
    const std::vector<std::string> import = {"--db", db,       "--wait",
                                             "60",   "import", dir_.Sub("bad.jsonl")};
    const auto append = test::AppendNoteArgs(db, "winner", "round " + std::to_string(round), "60");
    pid_t a, b;
    if (round % 2 == 0) {
      a = test::StartAnnals(import, -1, dir_.Sub("a.err"));
      usleep(static_cast<useconds_t>(round * 3000));
      b = test::StartAnnals(append, -1, dir_.Sub("b.err"));
    } else {
      b = test::StartAnnals(append, -1, dir_.Sub("b.err"));
      usleep(static_cast<useconds_t>(round * 3000));
      a = test::StartAnnals(import, -1, dir_.Sub("a.err"));
    }
    const int a_exit = test::WaitExit(a), b_exit = test::WaitExit(b);
    EXPECT_EQ(a_exit, 2) << "round " << round << ": " << test::ReadFile(dir_.Sub("a.err"));
    EXPECT_EQ(b_exit, 0) << "round " << round << ": " << test::ReadFile(dir_.Sub("b.err"));
    RunResult log = RunAnnals({"--db", db, "log", "--format", "json"});
    EXPECT_EQ(log.exit_code, 0) << "round " << round << ": the append's store is gone: " << log.err;
    const auto lines = test::Lines(log.out);
    ASSERT_EQ(lines.size(), 1u) << "round " << round << ":\n" << log.out;
    EXPECT_NE(lines[0].find("\"round " + std::to_string(round) + "\""), std::string::npos);
    EXPECT_EQ(RunAnnals({"--db", db, "verify"}).exit_code, 0);
  }
}

// The store's creation undone, step by step: this process creates a store and holds it;
// an append waits for it; this process's first write fails and it lets the store go,
// removing it first.  The append, which then holds the lock file of a removed store,
// notices, starts over, creates the store again and succeeds.
TEST_F(SharingTest, AWaiterStartsOverWhenTheStoreItWaitedForIsRemoved) {
  Options create;
  create.create_if_missing = true;
  auto store = Store::Open(db_, create);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const pid_t waiter =
      test::StartAnnals(test::AppendNoteArgs(db_, "s", "second", "30"), -1, dir_.Sub("waiter.err"));
  ASSERT_TRUE(WaitForHolder("annals_tests"));
  usleep(300000);
  ASSERT_TRUE(test::StillRunning(waiter)) << test::ReadFile(dir_.Sub("waiter.err"));
  auto failed = (*store)->Append(test::Events({kBadRetraction}), AppendOptions());
  ASSERT_TRUE(failed.status().IsNotFound()) << failed.status().ToString();
  store->reset();
  EXPECT_EQ(test::WaitExit(waiter), 0) << test::ReadFile(dir_.Sub("waiter.err"));
  RunResult log = RunAnnals({"--db", db_, "log", "--format", "json"});
  ASSERT_EQ(test::Lines(log.out).size(), 1u) << log.out << log.err;
  EXPECT_NE(log.out.find("\"second\""), std::string::npos);
}

// What the library removes on destruction: only a store its own Open created, only if a
// write on it failed, and only while it is still empty.
TEST_F(SharingTest, ACreatedStoreIsRemovedIfStillEmptyWhenItsStoreCloses) {
  Options create;
  create.create_if_missing = true;
  auto bad_event = [] { return test::Events({kBadRetraction}); };
  auto good_event = [] {
    return test::Events(
        {R"({"stream":"s","type":"note","effective":"2025","data":{"text":"kept"}})"});
  };
  namespace fs = std::filesystem;
  // Created, a failed write: removed, directory and all.
  const std::string a = dir_.Sub("a");
  {
    auto s = Store::Open(a, create);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE((*s)->Append(bad_event(), {}).ok());
  }
  EXPECT_FALSE(fs::exists(a));
  // Created in an existing empty directory: the directory stays, empty.
  const std::string b = dir_.Sub("b");
  fs::create_directory(b);
  {
    auto s = Store::Open(b, create);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE((*s)->Import([](std::optional<NewEvent>*, std::string*) {
                       return Status::InvalidArgument("bad input");
                     })
                     .ok());
  }
  EXPECT_TRUE(fs::exists(b));
  EXPECT_TRUE(fs::is_empty(b));
  // Created, nothing written (a command that failed before writing, on bad input):
  // removed too.
  const std::string c = dir_.Sub("c");
  {
    auto s = Store::Open(c, create);
    ASSERT_TRUE(s.ok());
  }
  EXPECT_FALSE(fs::exists(c));
  // Not created by this Open (empty, because the process that created it died before it
  // could close it): kept despite a failure.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = Store::Open(c, create);
    ::_exit(s.ok() ? 0 : 1);  // no destructor runs: the empty store stays
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(fs::exists(c + "/CURRENT"));
  {
    auto s = Store::Open(c, create);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE((*s)->Append(bad_event(), {}).ok());
  }
  EXPECT_TRUE(fs::exists(c + "/CURRENT"));
  EXPECT_EQ(RunAnnals({"--db", c, "verify"}).exit_code, 0);
  // Created, a failed write, then a good one: kept, with its event.
  const std::string d = dir_.Sub("d");
  {
    auto s = Store::Open(d, create);
    ASSERT_TRUE(s.ok());
    EXPECT_FALSE((*s)->Append(bad_event(), {}).ok());
    EXPECT_TRUE((*s)->Append(good_event(), {}).ok());
  }
  EXPECT_EQ(test::Lines(RunAnnals({"--db", d, "log"}).out).size(), 1u);
}

}  // namespace
}  // namespace annals
