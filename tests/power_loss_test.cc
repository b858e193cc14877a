// Copyright annals authors.
//
// Power-loss tests (SPEC §6): a store runs a seeded workload (single appends, multi-stream
// batches, memtable flushes, a compaction, a reopen) on a FaultFs (tests/fault_env.h).  For
// every crash point n, the n-th file-system mutation and everything after it never reach
// the disk; then the unsynced data is dropped (all of it, or a random torn prefix), the
// store is reopened on the real file system and checked:
//   - every acknowledged append is present, byte-for-byte as read back when acknowledged;
//   - the append in flight at the crash is present whole or not at all;
//   - nothing else is present; Verify() finds the chain and every index intact;
//   - the store takes new appends.
// With Options::sync = false acknowledged appends may be lost, but only as a suffix of
// whole appends.
//
// ANNALS_LONG_TESTS=1 runs more seeds.

#include <rocksdb/db.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "annals/store.h"
#include "fault_env.h"
#include "log/store_impl.h"
#include "test_util.h"

namespace annals {
namespace {

using internal::StoreImpl;
using internal::TestHooks;
using test::FaultEnv;
using test::FaultFs;

// A temporary directory on tmpfs when there is one: durability is modelled by the FaultFs,
// so the real fsyncs only cost time (hundreds of crash points each open and sync a store).
class TempDir {
 public:
  TempDir() {
    struct stat st;
    std::string base = (::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                        ::access("/dev/shm", W_OK) == 0)
                           ? "/dev/shm"
                           : "";
    if (base.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp && *tmp ? tmp : "/tmp";
    }
    std::string templ = base + "/annals-powerloss-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// One step of the workload.
struct Step {
  enum Kind { kAppend, kFlush, kCompact, kReopen } kind = kAppend;
  std::vector<std::string> json;  // events of one append (1 = single, more = batch)
};

std::vector<Step> MakeWorkload(uint64_t seed, int appends) {
  std::mt19937_64 rng(seed);
  std::vector<Step> steps;
  int next_id = 0;
  for (int i = 0; i < appends; ++i) {
    Step step;
    const int n = (rng() % 3 == 0) ? 2 + static_cast<int>(rng() % 4) : 1;
    for (int k = 0; k < n; ++k) {
      const std::string id = "e" + std::to_string(seed) + "-" + std::to_string(next_id++);
      const std::string stream = "s" + std::to_string(rng() % 3);
      // Payloads of 10 B .. 12 KiB: some WAL records span RocksDB's 32 KiB log blocks.
      const size_t len = (rng() % 8 == 0) ? 4000 + rng() % 8000 : 10 + rng() % 300;
      std::string text(len, 'a' + static_cast<char>(rng() % 26));
      if (rng() % 2) {
        step.json.push_back("{\"id\":\"" + id + "\",\"stream\":\"" + stream +
                            "\",\"type\":\"note\",\"effective\":\"2025-0" +
                            std::to_string(1 + rng() % 9) + "\",\"data\":{\"text\":\"" + text +
                            "\"}}");
      } else {
        step.json.push_back("{\"id\":\"" + id + "\",\"stream\":\"" + stream +
                            "\",\"type\":\"fact\",\"effective\":\"2024-Q" +
                            std::to_string(1 + rng() % 4) + "\",\"data\":{\"key\":\"k" +
                            std::to_string(rng() % 5) + "\",\"value\":\"" + text + "\"}}");
      }
    }
    steps.push_back(std::move(step));
    if (i % 10 == 9) steps.push_back(Step{Step::kFlush, {}});
    if (i == appends / 2) steps.push_back(Step{Step::kCompact, {}});
    if (i == appends * 3 / 4) steps.push_back(Step{Step::kReopen, {}});
  }
  return steps;
}

// What the workload saw.
struct Outcome {
  std::vector<std::string> acked;          // export lines of acknowledged events, in order
  std::vector<size_t> acked_batch_ends;    // acked.size() after each acknowledged append
  std::vector<std::string> in_flight_ids;  // ids of the append that failed at the crash
  bool crashed = false;
};

Result<std::unique_ptr<StoreImpl>> OpenOn(const std::string& path, rocksdb::Env* env,
                                          bool sync, bool create) {
  Options options;
  options.create_if_missing = create;
  options.sync = sync;
  options.block_cache_bytes = 1 << 20;
  TestHooks hooks;
  hooks.env = env;
  return StoreImpl::OpenImpl(path, options, hooks);
}

// Runs `steps` until the first failure.
Outcome RunWorkload(const std::string& path, FaultEnv* fe, std::unique_ptr<StoreImpl> store,
                    const std::vector<Step>& steps, bool sync) {
  Outcome out;
  for (const Step& step : steps) {
    if (step.kind == Step::kFlush || step.kind == Step::kCompact) {
      rocksdb::Status s;
      if (step.kind == Step::kFlush) {
        rocksdb::FlushOptions fo;
        s = store->db()->Flush(fo, {store->cf_log(), store->cf_stream(), store->cf_valid(),
                                    store->cf_id(), store->cf_acts(), store->cf_meta()});
      } else {
        s = store->db()->CompactRange(rocksdb::CompactRangeOptions(), store->cf_log(),
                                      nullptr, nullptr);
      }
      if (!s.ok()) break;
      continue;
    }
    if (step.kind == Step::kReopen) {
      store.reset();
      if (fe->fs->crashed()) break;
      auto reopened = OpenOn(path, fe->env.get(), sync, false);
      if (!reopened.ok()) break;
      store = std::move(reopened).value();
      continue;
    }
    std::vector<NewEvent> events;
    std::vector<std::string> ids;
    for (const auto& j : step.json) {
      auto e = NewEvent::FromJson(j);
      EXPECT_TRUE(e.ok()) << e.status().ToString();
      if (!e.ok()) return out;
      ids.emplace_back(e->id());
      events.push_back(std::move(e).value());
    }
    auto results = store->Append(std::move(events), AppendOptions());
    if (!results.ok()) {
      out.in_flight_ids = ids;
      break;
    }
    for (const auto& r : *results) {
      auto e = store->GetBySeq(r.seq);
      EXPECT_TRUE(e.ok()) << e.status().ToString();
      if (e.ok()) out.acked.push_back(e->ToJson());
    }
    out.acked_batch_ends.push_back(out.acked.size());
  }
  out.crashed = fe->fs->crashed();
  store.reset();  // "the machine stops": closing writes nothing once crashed
  return out;
}

std::string IdOf(const std::string& export_line) {
  auto p = export_line.find("\"id\":\"");
  if (p == std::string::npos) return "";
  p += 6;
  return export_line.substr(p, export_line.find('"', p) - p);
}

// Reopens after the power loss and checks the store against the outcome.  `may_lose`
// allows a suffix of whole acknowledged appends to be missing (sync = false).  Returns the
// number of acknowledged events lost.
size_t CheckRecovered(const std::string& path, const Outcome& out, bool may_lose,
                      const std::string& where) {
  auto store = OpenOn(path, nullptr, true, false);
  if (!store.ok()) {
    ADD_FAILURE() << where << ": reopen after power loss failed: " << store.status().ToString();
    return 0;
  }
  std::vector<std::string> present;
  Status s = (*store)->ScanLog(LogRange(), [&](const Event& e) {
    present.push_back(e.ToJson());
    return true;
  });
  EXPECT_TRUE(s.ok()) << where << ": " << s.ToString();

  // The acknowledged prefix that survived.
  size_t kept = 0;
  while (kept < present.size() && kept < out.acked.size() && present[kept] == out.acked[kept]) {
    ++kept;
  }
  size_t lost = out.acked.size() - kept;
  if (!may_lose) {
    EXPECT_EQ(kept, out.acked.size())
        << where << ": acknowledged event lost or changed: expected\n  "
        << (kept < out.acked.size() ? out.acked[kept] : "") << "\ngot\n  "
        << (kept < present.size() ? present[kept] : "(nothing)");
  } else if (lost > 0) {
    // Only whole appends may be lost.
    bool at_boundary = kept == 0;
    for (size_t end : out.acked_batch_ends) at_boundary |= (end == kept);
    EXPECT_TRUE(at_boundary) << where << ": half of an acknowledged append survived (kept "
                             << kept << " events)";
    EXPECT_EQ(present.size(), kept) << where << ": events after a lost acknowledged append";
  }
  // Beyond the acknowledged events: the in-flight append, whole or not at all.
  if (present.size() > kept && lost == 0) {
    std::vector<std::string> extra_ids;
    for (size_t i = kept; i < present.size(); ++i) extra_ids.push_back(IdOf(present[i]));
    EXPECT_EQ(extra_ids, out.in_flight_ids)
        << where << ": events present that were not part of the append in flight "
                    "(or only part of it)";
  }
  auto report = (*store)->Verify();
  EXPECT_TRUE(report.ok()) << where << ": " << report.status().ToString();
  if (report.ok()) {
    EXPECT_TRUE(report->ok()) << where << ": verify: " << report->ToJson();
    EXPECT_EQ(report->events, present.size()) << where;
  }
  // The store takes new appends and stays consistent.
  auto e = NewEvent::FromJson(
      R"({"stream":"s0","type":"note","effective":"2025","data":{"text":"after recovery"}})");
  EXPECT_TRUE(e.ok());
  std::vector<NewEvent> events;
  events.push_back(std::move(e).value());
  auto r = (*store)->Append(std::move(events), AppendOptions());
  EXPECT_TRUE(r.ok()) << where << ": append after recovery: " << r.status().ToString();
  if (r.ok()) {
    EXPECT_EQ(r->front().seq, present.size() + 1) << where;
  }
  report = (*store)->Verify();
  if (report.ok()) {
    EXPECT_TRUE(report->ok()) << where << ": " << report->ToJson();
  }
  return lost;
}

class PowerLossTest : public ::testing::Test {
 protected:
  // Creates the store (durably, no crash) and returns the number of file-system mutations
  // the workload makes when nothing fails.
  uint64_t CountOps(const std::vector<Step>& steps, bool sync) {
    TempDir dir;
    FaultEnv fe;
    const std::string path = dir.Sub("db");
    auto store = OpenOn(path, fe.env.get(), sync, true);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return 0;
    const uint64_t before = fe.fs->ops();
    Outcome out = RunWorkload(path, &fe, std::move(store).value(), steps, sync);
    EXPECT_FALSE(out.crashed);
    return fe.fs->ops() - before;
  }

  // One crash point.  Returns the acknowledged events lost.
  size_t RunCrashPoint(const std::vector<Step>& steps, bool sync, uint64_t crash_op,
                       FaultFs::TailMode mode, uint64_t seed, const std::string& where) {
    TempDir dir;
    const std::string path = dir.Sub("db");
    Outcome out;
    {
      FaultEnv fe;
      {
        auto store = OpenOn(path, fe.env.get(), sync, true);
        EXPECT_TRUE(store.ok()) << where << ": " << store.status().ToString();
        if (!store.ok()) return 0;
        fe.fs->CrashAtOp(crash_op);
        out = RunWorkload(path, &fe, std::move(store).value(), steps, sync);
      }
      std::mt19937_64 rng(seed * 7919 + crash_op);
      auto st = fe.fs->PowerLoss(mode, &rng);
      if (std::getenv("ANNALS_TEST_VERBOSE")) {
        std::fprintf(stderr, "%s: %zu acknowledged; lost %llu bytes, %llu files, %llu renames\n",
                     where.c_str(), out.acked.size(),
                     static_cast<unsigned long long>(st.bytes_dropped),
                     static_cast<unsigned long long>(st.files_removed),
                     static_cast<unsigned long long>(st.renames_undone));
      }
    }
    return CheckRecovered(path, out, !sync, where);
  }
};

// Every crash point of a seeded workload, with all unsynced data dropped or with torn
// tails.  The acceptance count is the number of crash points tried.
TEST_F(PowerLossTest, SyncedAppendsSurviveEveryCrashPoint) {
  const std::vector<uint64_t> seeds =
      test::LongTests() ? std::vector<uint64_t>{1, 2, 3, 4, 5} : std::vector<uint64_t>{1};
  uint64_t points = 0;
  for (uint64_t seed : seeds) {
    const auto steps = MakeWorkload(seed, 30);
    const uint64_t total = CountOps(steps, true);
    ASSERT_GT(total, 50u) << "the workload makes too few file-system operations";
    for (uint64_t n = 1; n <= total + 1; ++n) {
      // Each point once, alternating the tail mode; both modes with ANNALS_LONG_TESTS.
      std::vector<FaultFs::TailMode> modes;
      if (test::LongTests() || n % 2 == 0) modes.push_back(FaultFs::TailMode::kDropUnsynced);
      if (test::LongTests() || n % 2 == 1) modes.push_back(FaultFs::TailMode::kTornTail);
      for (auto mode : modes) {
        const std::string where =
            "seed " + std::to_string(seed) + " crash at op " + std::to_string(n) + "/" +
            std::to_string(total) +
            (mode == FaultFs::TailMode::kTornTail ? " (torn tail)" : " (drop unsynced)");
        const auto t0 = std::chrono::steady_clock::now();
        RunCrashPoint(steps, true, n, mode, seed, where);
        ++points;
        if (std::getenv("ANNALS_TEST_VERBOSE")) {
          std::fprintf(stderr, "%s: %lld ms\n", where.c_str(),
                       static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - t0).count()));
        }
        if (HasFailure()) {
          FAIL() << "stopping at " << where;
        }
      }
    }
  }
  std::printf("power loss: %llu crash points tried (sync=true)\n",
              static_cast<unsigned long long>(points));
  EXPECT_GE(points, 200u);
}

// With sync = false an acknowledged append may be lost by a power loss, but only whole and
// only from the end; what survives verifies.  The test also shows that the FaultFs really
// drops acknowledged data (otherwise the synced test above would prove nothing).
TEST_F(PowerLossTest, UnsyncedAppendsMayBeLostButNeverHalfVisible) {
  const std::vector<uint64_t> seeds =
      test::LongTests() ? std::vector<uint64_t>{11, 12, 13, 14} : std::vector<uint64_t>{11};
  uint64_t points = 0, runs_with_loss = 0, events_lost = 0;
  for (uint64_t seed : seeds) {
    const auto steps = MakeWorkload(seed, 30);
    const uint64_t total = CountOps(steps, false);
    ASSERT_GT(total, 20u);
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 60; ++i) {
      const uint64_t n = 1 + rng() % (total + 1);
      const auto mode = i % 2 ? FaultFs::TailMode::kTornTail : FaultFs::TailMode::kDropUnsynced;
      const std::string where = "seed " + std::to_string(seed) + " sync=false crash at op " +
                                std::to_string(n) + "/" + std::to_string(total);
      size_t lost = RunCrashPoint(steps, false, n, mode, seed, where);
      ++points;
      runs_with_loss += lost > 0;
      events_lost += lost;
      if (HasFailure()) FAIL() << "stopping at " << where;
    }
  }
  std::printf("power loss: %llu crash points tried (sync=false), %llu lost acknowledged "
              "appends (%llu events), never half of one\n",
              static_cast<unsigned long long>(points),
              static_cast<unsigned long long>(runs_with_loss),
              static_cast<unsigned long long>(events_lost));
  EXPECT_GT(runs_with_loss, 0u) << "the fault file system never dropped acknowledged data";
}

// A crash while the store is being created (the first `annals append` in a new directory):
// afterwards the directory is either no store at all, or an empty store that opens and
// takes appends -- never a half-created store that is refused forever.
TEST_F(PowerLossTest, CrashWhileCreatingStoreLeavesNoBrokenStore) {
  uint64_t total = 0;
  {
    TempDir dir;
    FaultEnv fe;
    auto store = OpenOn(dir.Sub("db"), fe.env.get(), true, true);
    ASSERT_TRUE(store.ok());
    total = fe.fs->ops();
  }
  ASSERT_GT(total, 5u);
  for (uint64_t n = 1; n <= total + 1; ++n) {
    for (auto mode : {FaultFs::TailMode::kDropUnsynced, FaultFs::TailMode::kTornTail}) {
      TempDir dir;
      const std::string path = dir.Sub("db");
      const std::string where = "crash at op " + std::to_string(n) + "/" +
                                std::to_string(total) + " of store creation";
      {
        FaultEnv fe;
        fe.fs->CrashAtOp(n);
        { auto store = OpenOn(path, fe.env.get(), true, true); }
        std::mt19937_64 rng(n);
        fe.fs->PowerLoss(mode, &rng);
      }
      // What the CLI does for the next write: open with create_if_missing.
      auto store = OpenOn(path, nullptr, true, true);
      EXPECT_TRUE(store.ok()) << where << ": " << store.status().ToString();
      if (!store.ok()) continue;
      EXPECT_EQ((*store)->LastSeq(), 0u) << where;
      auto e = NewEvent::FromJson(
          R"({"stream":"s","type":"note","effective":"2025","data":{"text":"x"}})");
      ASSERT_TRUE(e.ok());
      std::vector<NewEvent> events;
      events.push_back(std::move(e).value());
      auto r = (*store)->Append(std::move(events), AppendOptions());
      ASSERT_TRUE(r.ok()) << where << ": " << r.status().ToString();
      auto report = (*store)->Verify();
      ASSERT_TRUE(report.ok());
      EXPECT_TRUE(report->ok()) << where << ": " << report->ToJson();
    }
  }
}

}  // namespace
}  // namespace annals
