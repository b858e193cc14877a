// Copyright annals authors.
//
// One writer or many readers use a store at a time (SPEC §4 "Edges", §6).  Another command
// waits for it (--wait SECONDS, default 10) instead of failing at once, says on a terminal
// whom it waits for, and after the wait exits 5 naming the holder's pid and command line.
// The holder is unaffected.  Directories that are not annals stores, or hold a newer
// format, get exit 5 and a clear message.

#include <fcntl.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "annals/store.h"
#include "log/store_impl.h"
#include "test_util.h"

namespace annals {
namespace {

using test::RunAnnals;
using test::RunResult;
using test::TempDir;

std::vector<std::string> AppendNote(const std::string& db, const std::string& text,
                                    const std::string& wait) {
  return test::AppendNoteArgs(db, "s", text, wait);
}

class LockingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    db_ = dir_.Sub("db");
    RunResult r = RunAnnals({"--db", db_, "import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
  std::string db_;
};

// The test process holds the store open for writing (as a long-running embedder would).
// The CLI, another process, waits --wait seconds for it, reads and writes alike, and then
// exits 5 naming this process: its pid and its command line.
TEST_F(LockingTest, ASecondProcessWaitsThenNamesTheHolder) {
  auto store = Store::Open(db_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string holder = "in use by pid " + std::to_string(getpid()) + " (annals_tests";
  for (const std::vector<std::string>& args :
       {AppendNote(db_, "x", "1"), std::vector<std::string>{"--db", db_, "--wait", "1", "export"},
        std::vector<std::string>{"--db", db_, "--wait", "1", "verify"},
        std::vector<std::string>{"--db", db_, "--wait", "1", "state", "--stream",
                                 "apple-intelligence-cn"}}) {
    const auto t0 = std::chrono::steady_clock::now();
    RunResult r = RunAnnals(args);
    const double took = test::SecondsSince(t0);
    EXPECT_EQ(r.exit_code, 5) << args[4] << ": " << r.err;
    EXPECT_NE(r.err.find(holder), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("gave up after waiting 1 s"), std::string::npos) << r.err;
    EXPECT_GE(took, 0.9) << args[4] << " did not wait";
    EXPECT_LT(took, 5.0) << args[4] << " waited too long";
    EXPECT_EQ(r.out, "");
  }
  // --wait 0: at once.
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r = RunAnnals(AppendNote(db_, "x", "0"));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find(holder), std::string::npos) << r.err;
  EXPECT_LT(test::SecondsSince(t0), 0.9);

  // The first process is unaffected.
  auto appended = (*store)->Append(
      test::Events({R"({"stream":"s","type":"note","effective":"2025","data":{"text":"holder"}})"}),
      AppendOptions());
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  auto report = (*store)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToJson();
  store->reset();
  RunResult after = RunAnnals({"--db", db_, "verify"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(test::Lines(RunAnnals({"--db", db_, "log", "--stream", "s"}).out).size(), 1u);
}

// A command that waits gets in as soon as the holder lets go, well before --wait ends.
TEST_F(LockingTest, AWaitingCommandGetsInWhenTheHolderLetsGo) {
  auto store = Store::Open(db_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const pid_t append = test::StartAnnals(AppendNote(db_, "waited", "30"));
  const pid_t read = test::StartAnnals({"--db", db_, "--wait", "30", "log"});
  usleep(500000);
  ASSERT_TRUE(test::StillRunning(append)) << "the append did not wait";
  ASSERT_TRUE(test::StillRunning(read)) << "the log did not wait";
  const auto t0 = std::chrono::steady_clock::now();
  store->reset();
  EXPECT_EQ(test::WaitExit(append), 0);
  EXPECT_EQ(test::WaitExit(read), 0);
  EXPECT_LT(test::SecondsSince(t0), 5.0);
  RunResult log = RunAnnals({"--db", db_, "log", "--stream", "s", "--format", "json"});
  EXPECT_NE(log.out.find("waited"), std::string::npos) << log.out;
}

// Readers share the store: a read-only holder lets other reads in at once and keeps
// writers (and queries, which keep checkpoints and so write) waiting.
TEST_F(LockingTest, ReadersShareTheStoreAndKeepWritersOut) {
  Options ro;
  ro.access = Options::Access::kReadOnly;
  auto reader = Store::Open(db_, ro);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto second = Store::Open(db_, ro);
  ASSERT_TRUE(second.ok()) << "a second read-only Store: " << second.status().ToString();
  for (const char* cmd : {"log", "export", "streams", "verify"}) {
    RunResult r = RunAnnals({"--db", db_, "--wait", "0", cmd});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out, "") << cmd;
  }
  RunResult history =
      RunAnnals({"--db", db_, "--wait", "0", "history", "--stream", "apple-intelligence-cn"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  RunResult w = RunAnnals(AppendNote(db_, "x", "0"));
  EXPECT_EQ(w.exit_code, 5) << w.err;
  EXPECT_NE(w.err.find("pid " + std::to_string(getpid())), std::string::npos) << w.err;
  Options rw;
  EXPECT_TRUE(Store::Open(db_, rw).status().IsUnavailable());
  // Both read-only Stores answer; neither can write.
  EXPECT_TRUE((*reader)->GetState(TimeQuery{"apple-intelligence-cn", "", ""}).ok());
  EXPECT_TRUE((*second)->ListStreams().ok());
  auto appended = (*reader)->Append(
      test::Events({R"({"stream":"s","type":"note","effective":"2025","data":{"text":"no"}})"}),
      AppendOptions());
  ASSERT_FALSE(appended.ok());
  EXPECT_TRUE(appended.status().IsUnavailable());
  EXPECT_NE(appended.status().message().find("read-only"), std::string::npos);
  reader->reset();
  second->reset();
  EXPECT_EQ(RunAnnals(AppendNote(db_, "x", "0")).exit_code, 0);
}

// Two annals processes: `restore -` creates the store and then waits for its input,
// holding it.  A concurrent append with a short --wait exits 5 naming the restore; one
// with a long --wait gets in after it.
TEST_F(LockingTest, TwoCliProcessesOnOneStore) {
  RunResult exported = RunAnnals({"--db", db_, "export"});
  ASSERT_EQ(exported.exit_code, 0);
  const std::string target = dir_.Sub("copy");
  int in[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);  // or later children would hold its input open
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    close(in[0]);
    close(in[1]);
    test::ExecAnnals({"--db", target, "restore", "-"});
  }
  close(in[0]);
  // Wait until the restore holds the store.
  bool held = false;
  for (int i = 0; i < 500 && !held; ++i) {
    held = !internal::StoreLock::Holders(target).empty();
    if (!held) usleep(10000);
  }
  ASSERT_TRUE(held) << "restore did not take the store";
  RunResult second = RunAnnals(AppendNote(target, "x", "0.5"));
  EXPECT_EQ(second.exit_code, 5) << second.err;
  EXPECT_NE(second.err.find("in use by pid " + std::to_string(pid) + " (annals --db " + target +
                            " restore -)"),
            std::string::npos)
      << second.err;
  const pid_t patient = test::StartAnnals(AppendNote(target, "after the restore", "60"));
  usleep(200000);
  EXPECT_TRUE(test::StillRunning(patient));
  // The restore finishes normally; then the patient append.
  ASSERT_EQ(write(in[1], exported.out.data(), exported.out.size()),
            static_cast<ssize_t>(exported.out.size()));
  close(in[1]);
  EXPECT_EQ(test::WaitExit(pid), 0);
  EXPECT_EQ(test::WaitExit(patient), 0);
  RunResult verify = RunAnnals({"--db", target, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  RunResult copy = RunAnnals({"--db", target, "export"});
  EXPECT_EQ(copy.out.rfind(exported.out, 0), 0u) << "the restore is not first";
  EXPECT_EQ(test::Lines(copy.out).size(), test::Lines(exported.out).size() + 1);
}

// On a terminal, a waiting command says whom it waits for (on stderr).
TEST_F(LockingTest, WhileWaitingATerminalSaysWhoHoldsTheStore) {
  if (!std::filesystem::exists("/usr/bin/script")) GTEST_SKIP() << "script(1) is missing";
  auto store = Store::Open(db_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string out = dir_.Sub("tty.out");
  const std::string command = "script -qec \"'" + std::string(ANNALS_BIN) + "' --db '" + db_ +
                              "' --wait 0.5 log\" /dev/null > '" + out + "' 2>&1";
  std::system(command.c_str());
  const std::string tty = test::ReadFile(out);
  EXPECT_NE(tty.find("waiting for '" + db_ + "', in use by pid " + std::to_string(getpid())),
            std::string::npos)
      << tty;
  // Not on a pipe.
  RunResult r = RunAnnals({"--db", db_, "--wait", "0.5", "log"});
  EXPECT_EQ(r.err.find("waiting for"), std::string::npos) << r.err;
}

TEST_F(LockingTest, WaitIsANumberOfSeconds) {
  for (const char* bad : {"-1", "nan", "inf", "1e99", "ten", "0x10"}) {
    RunResult r = RunAnnals({"--db", db_, "--wait", bad, "log"});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--wait"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  for (const char* good : {"0", "0.25", "3", "1000000000"}) {
    RunResult r = RunAnnals({"--db", db_, "--wait", good, "log", "--limit", "1"});
    EXPECT_EQ(r.exit_code, 0) << good << ": " << r.err;
  }
}

TEST_F(LockingTest, DirectoryThatIsNotAStoreIsRefused) {
  const std::string other = dir_.Sub("other");
  ASSERT_EQ(mkdir(other.c_str(), 0755), 0);
  test::WriteFile(other + "/notes.txt", "my files");
  for (const char* cmd : {"export", "append"}) {
    std::vector<std::string> args = {"--db", other, cmd};
    if (std::string(cmd) == "append") {
      args.insert(args.end(),
                  {"--stream", "s", "--type", "note", "--effective", "2025", "--set", "text=x"});
    }
    RunResult r = RunAnnals(args);
    EXPECT_EQ(r.exit_code, 5) << cmd << ": " << r.err;
    // A read says there is no store there; a write refuses to create one among other files.
    EXPECT_TRUE(r.err.find("not an annals store") != std::string::npos ||
                r.err.find("no annals store") != std::string::npos)
        << r.err;
  }
  // Untouched: no database, no lock file.
  EXPECT_EQ(test::ReadFile(other + "/notes.txt"), "my files");
  EXPECT_NE(access((other + "/CURRENT").c_str(), F_OK), 0);
  EXPECT_NE(access((other + "/" + internal::kLockFileName).c_str(), F_OK), 0);

  // A RocksDB database of someone else (other column families, data): refused, untouched.
  const std::string foreign = dir_.Sub("foreign");
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, foreign, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v").ok());
  }
  for (const char* cmd : {"append", "log", "state"}) {
    std::vector<std::string> args = {"--db", foreign, cmd, "--stream", "s"};
    if (std::string(cmd) == "append") {
      args.insert(args.end(), {"--type", "note", "--effective", "2025", "--set", "text=x"});
    }
    RunResult r = RunAnnals(args);
    EXPECT_EQ(r.exit_code, 5) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("not an annals store"), std::string::npos) << cmd << ": " << r.err;
  }
  EXPECT_NE(access((foreign + "/" + internal::kLockFileName).c_str(), F_OK), 0)
      << "a lock file was left in a foreign database";
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), foreign, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string v;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "k", &v).ok());
    std::vector<std::string> cfs;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), foreign, &cfs).ok());
    EXPECT_EQ(cfs.size(), 1u) << "annals added column families to a foreign database";
  }

  // A regular file.
  const std::string file = dir_.Sub("file");
  test::WriteFile(file, "x");
  RunResult f = RunAnnals({"--db", file, "log"});
  EXPECT_EQ(f.exit_code, 5);
  EXPECT_NE(f.err.find("not an annals store"), std::string::npos) << f.err;

  // Missing store for a read.
  RunResult m = RunAnnals({"--db", dir_.Sub("missing"), "log"});
  EXPECT_EQ(m.exit_code, 5);
  EXPECT_NE(m.err.find("no annals store"), std::string::npos) << m.err;
}

TEST_F(LockingTest, NewerFormatVersionIsRefused) {
  {
    Options o;
    auto store = internal::StoreImpl::OpenImpl(db_, o, internal::TestHooks());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE((*store)->db()->Put(wo, (*store)->cf_meta(), "format", "annals-99").ok());
  }
  for (const char* cmd : {"export", "verify", "append"}) {
    std::vector<std::string> args = {"--db", db_, cmd};
    if (std::string(cmd) == "append") {
      args.insert(args.end(),
                  {"--stream", "s", "--type", "note", "--effective", "2025", "--set", "text=x"});
    }
    RunResult r = RunAnnals(args);
    EXPECT_EQ(r.exit_code, 5) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("annals-99"), std::string::npos) << r.err;
  }
  auto store = Store::Open(db_, Options());
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsUnavailable());
}

}  // namespace
}  // namespace annals
