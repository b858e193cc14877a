// Copyright annals authors.
//
// One process owns a store (SPEC §6): a second one gets exit 5 with "store is in use" at
// once (never a hang), and the first is unaffected.  Directories that are not annals stores,
// or hold a newer format, get exit 5 and a clear message.

#include <fcntl.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "annals/store.h"
#include "store_impl.h"
#include "test_util.h"

namespace annals {
namespace {

using test::RunAnnals;
using test::RunResult;
using test::TempDir;

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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

// The test process holds the store open (as a long-running embedder would); the CLI, a
// second process, is refused at once for reads and writes.  The holder keeps working.
TEST_F(LockingTest, SecondProcessGetsStoreInUseAtOnce) {
  auto store = Store::Open(db_, Options());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--db", db_, "append", "--stream", "s", "--type", "note",
                                 "--effective", "2025", "--set", "text=x"},
        std::vector<std::string>{"--db", db_, "export"},
        std::vector<std::string>{"--db", db_, "verify"}}) {
    const auto t0 = std::chrono::steady_clock::now();
    RunResult r = RunAnnals(args);
    const double took = Seconds(t0);
    EXPECT_EQ(r.exit_code, 5) << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find("store is in use"), std::string::npos) << r.err;
    EXPECT_LT(took, 5.0) << args[2] << " took " << took << " s: it waited for the lock";
    std::printf("locking: '%s' refused in %.3f s\n", args[2].c_str(), took);
  }
  // The first process is unaffected.
  auto e = NewEvent::FromJson(
      R"({"stream":"s","type":"note","effective":"2025","data":{"text":"holder"}})");
  ASSERT_TRUE(e.ok());
  std::vector<NewEvent> events;
  events.push_back(std::move(e).value());
  auto r = (*store)->Append(std::move(events), AppendOptions());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto report = (*store)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToJson();
  store->reset();
  RunResult after = RunAnnals({"--db", db_, "verify"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
}

// Two annals processes: `restore -` opens the store and then waits for its input, holding
// it; a concurrent `append` gets exit 5 at once; the restore then completes.
TEST_F(LockingTest, TwoCliProcessesOnOneStore) {
  RunResult exported = RunAnnals({"--db", db_, "export"});
  ASSERT_EQ(exported.exit_code, 0);
  const std::string target = dir_.Sub("copy");
  int in[2], out[2];
  ASSERT_EQ(pipe(in), 0);
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    test::ExecAnnals({"--db", target, "restore", "-"});
  }
  close(in[0]);
  close(out[1]);
  // Wait until the holder has created and locked the store.
  bool locked = false;
  for (int i = 0; i < 500 && !locked; ++i) {
    locked = access((target + "/LOCK").c_str(), F_OK) == 0 &&
             access((target + "/CURRENT").c_str(), F_OK) == 0;
    if (!locked) usleep(10000);
  }
  ASSERT_TRUE(locked) << "restore did not open the store";
  usleep(100000);  // let it finish opening
  const auto t0 = std::chrono::steady_clock::now();
  RunResult second = RunAnnals({"--db", target, "append", "--stream", "s", "--type", "note",
                                "--effective", "2025", "--set", "text=x"});
  const double took = Seconds(t0);
  EXPECT_EQ(second.exit_code, 5) << second.err;
  EXPECT_NE(second.err.find("store is in use"), std::string::npos) << second.err;
  EXPECT_LT(took, 5.0);
  std::printf("locking: second CLI process refused in %.3f s\n", took);
  // The first finishes normally.
  ASSERT_EQ(write(in[1], exported.out.data(), exported.out.size()),
            static_cast<ssize_t>(exported.out.size()));
  close(in[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
  RunResult verify = RunAnnals({"--db", target, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  RunResult copy = RunAnnals({"--db", target, "export"});
  EXPECT_EQ(copy.out, exported.out);
}

TEST_F(LockingTest, DirectoryThatIsNotAStoreIsRefused) {
  const std::string other = dir_.Sub("other");
  ASSERT_EQ(mkdir(other.c_str(), 0755), 0);
  test::WriteFile(other + "/notes.txt", "my files");
  for (const char* cmd : {"export", "append"}) {
    std::vector<std::string> args = {"--db", other, cmd};
    if (std::string(cmd) == "append") {
      args.insert(args.end(), {"--stream", "s", "--type", "note", "--effective", "2025",
                               "--set", "text=x"});
    }
    RunResult r = RunAnnals(args);
    EXPECT_EQ(r.exit_code, 5) << cmd << ": " << r.err;
    // A read says there is no store there; a write refuses to create one among other files.
    EXPECT_TRUE(r.err.find("not an annals store") != std::string::npos ||
                r.err.find("no annals store") != std::string::npos)
        << r.err;
  }
  // Untouched.
  EXPECT_EQ(test::ReadFile(other + "/notes.txt"), "my files");
  EXPECT_NE(access((other + "/CURRENT").c_str(), F_OK), 0);

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
  RunResult r = RunAnnals({"--db", foreign, "append", "--stream", "s", "--type", "note",
                           "--effective", "2025", "--set", "text=x"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("not an annals store"), std::string::npos) << r.err;
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
      args.insert(args.end(), {"--stream", "s", "--type", "note", "--effective", "2025",
                               "--set", "text=x"});
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
