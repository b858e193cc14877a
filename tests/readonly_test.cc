// Copyright annals authors.
//
// A store that cannot be written can be read (SPEC §4 "Edges"): a snapshot, a read-only
// mount, an immutable directory, another user's archive.  Every read command answers from
// it, every write exits 5 saying the store is read-only, and nothing in its directory
// changes.  A missing permission is reported as such, not as "no annals store".
//
// The tests make a store unwritable in each way that works here: as root, an immutable
// directory (chattr +i) and running the binary as another user (uid 65534); otherwise,
// mode bits (chmod a-w).

#include <fcntl.h>
#include <grp.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "annals/store.h"
#include "log/store_impl.h"
#include "test_util.h"

namespace annals {
namespace {

using test::RunResult;
using test::TempDir;

enum class Way { kImmutable, kOtherUser, kModeBits };

const char* WayName(Way w) {
  switch (w) {
    case Way::kImmutable:
      return "immutable directory";
    case Way::kOtherUser:
      return "another user's store";
    case Way::kModeBits:
      return "directory without write permission";
  }
  return "?";
}

constexpr uid_t kOtherUid = 65534;  // nobody

// Runs the binary as the user for whom the store cannot be written.
RunResult RunAs(Way way, const std::vector<std::string>& args) {
  if (way != Way::kOtherUser) return test::RunAnnals(args);
  return test::RunAnnalsWith(
      [] {
        if (setgroups(0, nullptr) != 0 || setgid(kOtherUid) != 0 || setuid(kOtherUid) != 0) {
          _exit(126);
        }
      },
      args);
}

// Whether the other user can run the binary at all: a checkout in a directory only its
// owner may enter (e.g. made by mktemp -d) keeps it out, and the exit is then 127.
bool OtherUserCanRun() {
  static const bool can = RunAs(Way::kOtherUser, {"--version"}).exit_code == 0;
  return can;
}

// Sets or clears the immutable flag of `path` (chattr +i / -i).  False if not possible.
bool SetImmutable(const std::string& path, bool on) {
  const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  int flags = 0;
  bool ok = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  if (ok) {
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  }
  close(fd);
  return ok;
}

// Every file of `dir` with its size, but the lock file's (holders write their records in
// it, where they can).
std::map<std::string, uintmax_t> Files(const std::string& dir) {
  std::map<std::string, uintmax_t> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    out[name] = name == internal::kLockFileName ? 0 : e.file_size();
  }
  return out;
}

class ReadOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.Sub("db");
    pics_ = dir_.Sub("pics");
    RunResult r = test::RunAnnals({"--db", db_, "import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = test::RunAnnals({"--db", db_, "append", "--stream", "apple-intelligence-cn", "--type",
                         "launch_target_set", "--effective", "2025-03", "--set",
                         "target=2025-05~"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Another user must be able to reach the store and write pictures elsewhere.
    ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
    ASSERT_EQ(mkdir(pics_.c_str(), 0777), 0);
    ASSERT_EQ(chmod(pics_.c_str(), 0777), 0);
  }
  void TearDown() override {
    SetImmutable(db_, false);
    chmod(db_.c_str(), 0755);
  }

  // The ways of making the store unwritable that work here.
  std::vector<Way> Ways() {
    std::vector<Way> ways;
    if (geteuid() == 0) {
      if (SetImmutable(db_, true) && SetImmutable(db_, false)) ways.push_back(Way::kImmutable);
      if (OtherUserCanRun()) ways.push_back(Way::kOtherUser);
    } else {
      ways.push_back(Way::kModeBits);
    }
    return ways;
  }
  void MakeUnwritable(Way way) {
    if (way == Way::kImmutable) {
      ASSERT_TRUE(SetImmutable(db_, true));
    } else if (way == Way::kModeBits) {
      ASSERT_EQ(chmod(db_.c_str(), 0555), 0);
    }
  }
  void MakeWritable(Way way) {
    if (way == Way::kImmutable) {
      ASSERT_TRUE(SetImmutable(db_, false));
    } else if (way == Way::kModeBits) {
      ASSERT_EQ(chmod(db_.c_str(), 0755), 0);
    }
  }

  TempDir dir_;
  std::string db_, pics_;
};

TEST_F(ReadOnlyTest, AStoreThatCannotBeWrittenServesEveryReadAndRefusesWrites) {
  const std::vector<Way> ways = Ways();
  if (ways.empty()) GTEST_SKIP() << "no way to make a directory unwritable works here";
  const std::string exported = test::RunAnnals({"--db", db_, "export"}).out;
  const std::string state =
      test::RunAnnals({"--db", db_, "state", "--stream", "apple-intelligence-cn"}).out;
  ASSERT_NE(exported, "");
  const std::string s = "apple-intelligence-cn";
  const std::vector<std::vector<std::string>> reads = {
      {"state", "--stream", s, "--as-of", "2025-03-01"},
      {"state", "--stream", s, "--format", "json"},
      {"history", "--stream", s},
      {"log"},
      {"log", "--stream", s, "--after-seq", "3", "--limit", "2"},
      {"export"},
      {"export", "--stream", s},
      {"verify"},
      {"streams"},
      {"replay", "--stream", s},
      {"diff", "--stream", s, "--from", "2024-06", "--to", "2025-03-01"},
      {"timeline", "--stream", s, "--out", pics_ + "/t.svg"},
      {"timeline", "--stream", s, "--out", "-"},
  };
  const std::vector<std::vector<std::string>> writes = {
      {"append", "--stream", s, "--type", "note", "--effective", "2025", "--set", "text=x"},
      {"import", test::SampleTimelinePath()},
      {"restore", test::SampleTimelinePath()},
  };
  for (Way way : ways) {
    SCOPED_TRACE(WayName(way));
    MakeUnwritable(way);
    const auto files = Files(db_);
    for (const auto& read : reads) {
      std::vector<std::string> args = {"--db", db_, "--wait", "0"};
      args.insert(args.end(), read.begin(), read.end());
      RunResult r = RunAs(way, args);
      EXPECT_EQ(r.exit_code, 0) << read[0] << ": " << r.err;
      EXPECT_EQ(r.err, "") << read[0];
      if (read[0] != "timeline" || read.back() == "-") {
        EXPECT_NE(r.out, "") << read[0];
      }
    }
    EXPECT_EQ(RunAs(way, {"--db", db_, "export"}).out, exported);
    EXPECT_EQ(RunAs(way, {"--db", db_, "state", "--stream", s}).out, state);
    EXPECT_TRUE(std::filesystem::exists(pics_ + "/t.svg"));
    std::filesystem::remove(pics_ + "/t.svg");
    for (const auto& write : writes) {
      std::vector<std::string> args = {"--db", db_, "--wait", "0"};
      args.insert(args.end(), write.begin(), write.end());
      RunResult r = RunAs(way, args);
      EXPECT_EQ(r.exit_code, 5) << write[0] << ": " << r.err;
      EXPECT_NE(r.err.find("is read-only"), std::string::npos) << write[0] << ": " << r.err;
    }
    EXPECT_EQ(Files(db_), files) << "a command changed the store's directory";
    MakeWritable(way);
    EXPECT_EQ(test::RunAnnals({"--db", db_, "export"}).out, exported);
  }
}

// A directory this user may not enter: "permission denied", not "no annals store".
TEST_F(ReadOnlyTest, AMissingPermissionIsReportedAsSuch) {
  const bool root = geteuid() == 0;
  if (root && !OtherUserCanRun()) {
    GTEST_SKIP() << "user " << kOtherUid << " cannot run the binary from this checkout";
  }
  ASSERT_EQ(chmod(db_.c_str(), root ? 0700 : 0000), 0);
  const Way way = root ? Way::kOtherUser : Way::kModeBits;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--db", db_, "log"},
        std::vector<std::string>{"--db", db_, "state", "--stream", "apple-intelligence-cn"},
        std::vector<std::string>{"--db", db_, "verify"},
        std::vector<std::string>{"--db", db_, "append", "--stream", "s", "--type", "note",
                                 "--effective", "2025", "--set", "text=x"}}) {
    RunResult r = RunAs(way, args);
    EXPECT_EQ(r.exit_code, 5) << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << args[2] << ": " << r.err;
    EXPECT_EQ(r.err.find("no annals store"), std::string::npos) << args[2] << ": " << r.err;
  }
  ASSERT_EQ(chmod(db_.c_str(), 0755), 0);
  EXPECT_EQ(test::RunAnnals({"--db", db_, "verify"}).exit_code, 0);
}

// An import cut short by a crash leaves chunks beyond the store's head.  A reader skips
// them (every read is bounded by the head); where it can write the directory, it first opens
// the store as a writer, which removes them, so that `verify` then finds nothing wrong.
TEST_F(ReadOnlyTest, AReaderFindsTheLeftoversOfACrashedImport) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto store = Store::Open(db_, Options());
    if (!store.ok()) _exit(3);
    uint64_t n = 0;
    (void)(*store)->Import([&](std::optional<NewEvent>* e, std::string* label) {
      if (++n == 9000) _exit(0);  // after two chunks were written, before the commit
      auto parsed = NewEvent::FromJson(
          R"({"stream":"lost","type":"note","effective":"2025","data":{"text":"x"}})");
      if (!parsed.ok()) return parsed.status();
      e->emplace(std::move(parsed).value());
      *label = "event " + std::to_string(n);
      return Status::OK();
    });
    _exit(4);
  }
  ASSERT_EQ(test::WaitExit(pid), 0);
  const std::vector<Way> ways = Ways();
  if (!ways.empty()) {
    const Way way = ways.front();
    SCOPED_TRACE(WayName(way));
    MakeUnwritable(way);
    RunResult log = RunAs(way, {"--db", db_, "log"});
    EXPECT_EQ(log.exit_code, 0) << log.err;
    EXPECT_EQ(test::Lines(log.out).size(), 12u);
    RunResult streams = RunAs(way, {"--db", db_, "streams"});
    EXPECT_EQ(streams.out.find("lost"), std::string::npos) << streams.out;
    MakeWritable(way);
  }
  RunResult verify = test::RunAnnals({"--db", db_, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.out, "ok: 12 events in 1 stream; hash chain and indexes verified\n");
}

// The library's read-only Store: it reads, refuses every write, and takes no checkpoints
// (a read-write Store's same query does).
TEST_F(ReadOnlyTest, AReadOnlyStoreRefusesWritesAndTakesNoCheckpoints) {
  const std::string s = "apple-intelligence-cn";
  // The checkpoints of `s` after a query that would take one at every event.
  auto checkpoints_after_query = [&](internal::StoreImpl* store) -> uint64_t {
    store->set_checkpoint_interval(1);
    EXPECT_TRUE(store->GetState(TimeQuery{s, "", ""}).ok());
    auto count = store->CountCheckpoints(s);
    EXPECT_TRUE(count.ok());
    return count.ok() ? *count : 0;
  };
  Options ro;
  ro.access = Options::Access::kReadOnly;
  {
    auto store = internal::StoreImpl::OpenImpl(db_, ro, internal::TestHooks());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(checkpoints_after_query(store->get()), 0u);
    auto appended = (*store)->Append(
        test::Events({R"({"stream":"s","type":"note","effective":"2025","data":{"text":"x"}})"}),
        AppendOptions());
    EXPECT_TRUE(appended.status().IsUnavailable()) << appended.status().ToString();
    auto imported =
        (*store)->Import([](std::optional<NewEvent>*, std::string*) { return Status::OK(); });
    EXPECT_TRUE(imported.status().IsUnavailable()) << imported.status().ToString();
    Status restored = (*store)->Restore([](std::string*) { return false; });
    EXPECT_TRUE(restored.IsUnavailable()) << restored.ToString();
    EXPECT_NE(restored.message().find("read-only"), std::string::npos);
  }
  ro.create_if_missing = true;
  EXPECT_TRUE(Store::Open(dir_.Sub("new"), ro).status().IsInvalidArgument());
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("new")));
  auto store = internal::StoreImpl::OpenImpl(db_, Options(), internal::TestHooks());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_GT(checkpoints_after_query(store->get()), 0u);
}

}  // namespace
}  // namespace annals
