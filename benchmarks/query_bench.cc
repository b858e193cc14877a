// Copyright annals authors.
//
// Read-path benchmarks, each against its baseline in the same binary:
//
//   BM_AsOf/<events>/<mode>     state as of a random valid time on a stream of 1K, 100K
//                               and 1M events (ANNALS_BENCH_SCALE divides the 1M).
//                               mode 0: checkpoints (warmed up: the first queries take
//                               them; the store's files are read once before timing, so
//                               they are in the page cache); 1: no checkpoints (the index
//                               fold from the start of the stream to V); 2: naive full
//                               replay (every event of the stream read into a Timeline and
//                               folded, as before checkpoints); 3: as 0, but cold: the
//                               store's files are dropped from the page cache
//                               (posix_fadvise DONTNEED) before each query (RocksDB's
//                               block cache keeps what earlier queries read).  Counters
//                               p50_us and p99_us (wall), p50_cpu_us and p99_cpu_us (the
//                               thread's CPU time, which a busy machine's scheduling does
//                               not inflate).
//   BM_Bitemporal/<per_mille>   state as of a random V, known at the latest seq, on a
//                               100K-event stream where 0, 10 or 100 per mille of the
//                               events were corrected (after they were appended), vs
//                               BM_Bitemporal/0 as the plain as-of.  Checkpoints on.
//   BM_Replay / BM_RawIterator  the full audit replay (events/s) vs a raw RocksDB iterator
//                               over the log touching every value.  arg 0: a 100K-event
//                               stream in valid-time order; arg 1: a 10K-event stream
//                               where every tenth event is back-dated (up to a day, about
//                               1440 positions: each re-folds from a snapshot before it).
//   BM_ReplayGrowth             replay and the raw iterator on the same store, for
//                               streams of 1K, 10K and 100K events back-dated every tenth
//                               or all at random valid times (see below).

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <rocksdb/db.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>

#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "log/store_impl.h"

namespace {

using annals::bench::CachedStream;
using annals::bench::EffectiveOf;
using annals::bench::NowSeconds;
using annals::bench::Percentile;
using annals::internal::StoreImpl;

StoreImpl* Impl(annals::Store* s) { return static_cast<StoreImpl*>(s); }

// Reads every file of the store at `path` once (into the page cache), or with `drop`
// asks the kernel to drop them from it.
void TouchFiles(const std::string& path, bool drop) {
  std::vector<char> buf(1 << 20);
  for (const auto& f : std::filesystem::directory_iterator(path)) {
    if (!f.is_regular_file()) continue;
    const int fd = ::open(f.path().c_str(), O_RDONLY);
    if (fd < 0) continue;
    if (drop) {
      ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    } else {
      while (::read(fd, buf.data(), buf.size()) > 0) {
      }
    }
    ::close(fd);
  }
}

double ThreadCpuSeconds() {
  timespec ts;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void RunQueries(benchmark::State& state, annals::Store* store, uint64_t n,
                const std::string& known_at, const std::string& cold_path = "") {
  std::mt19937_64 rng(42);
  std::vector<double> micros;
  std::vector<double> cpu_micros;  // the thread's CPU time: what a busy machine's
                                   // scheduling does not add (waits for I/O are not in it)
  for (auto _ : state) {
    const uint64_t i = rng() % n;
    if (!cold_path.empty()) TouchFiles(cold_path, /*drop=*/true);
    const double c0 = ThreadCpuSeconds();
    const std::string as_of = EffectiveOf(i, /*in_order=*/true);  // a minute
    const double t0 = NowSeconds();
    auto st = store->GetState(annals::TimeQuery{"s", as_of, known_at});
    const double dt = NowSeconds() - t0;
    cpu_micros.push_back((ThreadCpuSeconds() - c0) * 1e6);
    if (!st.ok()) {
      state.SkipWithError(st.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(st->events_applied);
    state.SetIterationTime(dt);
    micros.push_back(dt * 1e6);
  }
  state.counters["p50_us"] = Percentile(micros, 0.50);
  state.counters["p99_us"] = Percentile(micros, 0.99);
  state.counters["p50_cpu_us"] = Percentile(cpu_micros, 0.50);
  state.counters["p99_cpu_us"] = Percentile(cpu_micros, 0.99);
  state.counters["events"] = static_cast<double>(n);
}

// Args: events, mode (0 checkpoints, 1 none, 2 naive).
void BM_AsOf(benchmark::State& state) {
  const uint64_t n = annals::bench::Scaled(static_cast<uint64_t>(state.range(0)));
  const int mode = static_cast<int>(state.range(1));
  auto store = CachedStream(n, 0);
  if (!store) {
    state.SkipWithError("cannot build the stream");
    return;
  }
  StoreImpl* impl = Impl(store.get());
  if (mode == 0 || mode == 3) {
    // Warm-up: one query at the end of valid time takes every checkpoint.
    auto st = store->GetState(annals::TimeQuery{"s", "", ""});
    if (!st.ok()) state.SkipWithError(st.status().ToString().c_str());
    if (mode == 0) TouchFiles(annals::bench::StreamPath(n, 0), /*drop=*/false);
  } else if (mode == 1) {
    impl->set_checkpoint_interval(UINT64_MAX);
    // Queries at an old known_at cannot use checkpoints taken later; but to measure the
    // fold from the start of the stream, use a fresh copy without any instead.
    auto count = impl->CountCheckpoints("s");
    if (count.ok() && *count > 0) {
      store.reset();
      // A store that never had checkpoints: built under another name.
      store = CachedStream(n + 1, 0);
      if (!store) {
        state.SkipWithError("cannot build the stream");
        return;
      }
      impl = Impl(store.get());
      impl->set_checkpoint_interval(UINT64_MAX);
    }
  } else {
    impl->set_use_checkpoints(false);
  }
  RunQueries(state, store.get(), n, "",
             mode == 3 ? annals::bench::StreamPath(n, 0) : std::string());
}

// The fold from the start and the naive replay of 1M events take seconds per query: they
// get few iterations (their p99 is then their maximum).
BENCHMARK(BM_AsOf)->ArgNames({"events", "mode"})->UseManualTime()
    ->Args({1000, 0})->Args({1000, 1})->Args({1000, 2})->Iterations(2000);
BENCHMARK(BM_AsOf)->ArgNames({"events", "mode"})->UseManualTime()
    ->Args({100000, 0})->Iterations(2000);
BENCHMARK(BM_AsOf)->ArgNames({"events", "mode"})->UseManualTime()
    ->Args({100000, 1})->Args({100000, 2})->Iterations(30);
BENCHMARK(BM_AsOf)->ArgNames({"events", "mode"})->UseManualTime()
    ->Args({1000000, 0})->Iterations(2000);
BENCHMARK(BM_AsOf)->ArgNames({"events", "mode"})->UseManualTime()
    ->Args({1000000, 1})->Args({1000000, 2})->Iterations(5);
BENCHMARK(BM_AsOf)->ArgNames({"events", "mode"})->UseManualTime()
    ->Args({1000, 3})->Args({1000000, 3})->Iterations(300);

// Args: corrected per mille.
void BM_Bitemporal(benchmark::State& state) {
  const uint64_t n = 100000;
  auto store = CachedStream(n, static_cast<int>(state.range(0)));
  if (!store) {
    state.SkipWithError("cannot build the stream");
    return;
  }
  const std::string known_at = "@" + std::to_string(Impl(store.get())->LastSeq());
  auto st = store->GetState(annals::TimeQuery{"s", "", known_at});  // warm-up
  if (!st.ok()) {
    state.SkipWithError(st.status().ToString().c_str());
    return;
  }
  RunQueries(state, store.get(), n, state.range(0) == 0 ? "" : known_at);
}
BENCHMARK(BM_Bitemporal)->ArgName("corrected_per_mille")->Arg(0)->Arg(10)->Arg(100)
    ->UseManualTime()->Iterations(2000);

uint64_t ReplayEvents(bool backdated) { return backdated ? 10000 : 100000; }

// Arg: 1 if every tenth event is back-dated.
void ReplayAll(benchmark::State& state, annals::Store* store) {
  uint64_t events = 0;
  for (auto _ : state) {
    annals::Status s = store->Replay(annals::LogRange(), [&](const annals::ReplayEntry& e) {
      benchmark::DoNotOptimize(e.changes.size());
      ++events;
      return true;
    });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
}

void BM_Replay(benchmark::State& state) {
  const bool backdated = state.range(0) != 0;
  auto store = CachedStream(ReplayEvents(backdated), 0, !backdated);
  if (!store) {
    state.SkipWithError("cannot build the stream");
    return;
  }
  ReplayAll(state, store.get());
}
BENCHMARK(BM_Replay)->ArgName("backdated")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Reads every value of the log column family of the store at `path` once per iteration.
void RawIterate(benchmark::State& state, const std::string& path) {
  std::vector<std::string> names;
  rocksdb::DBOptions dbo;
  if (!rocksdb::DB::ListColumnFamilies(dbo, path, &names).ok()) {
    state.SkipWithError("cannot list column families");
    return;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& name : names) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(dbo, path, cfs, &handles, &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  rocksdb::ColumnFamilyHandle* log = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "log") log = handles[i];
  }
  uint64_t events = 0;
  for (auto _ : state) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), log));
    uint64_t sum = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice v = it->value();
      for (size_t i = 0; i < v.size(); i += 64) sum += static_cast<unsigned char>(v[i]);
      ++events;
    }
    benchmark::DoNotOptimize(sum);
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  state.SetItemsProcessed(static_cast<int64_t>(events));
}

void BM_RawIterator(benchmark::State& state) {
  const bool backdated = state.range(0) != 0;
  {
    // Make sure it exists; then close it.
    auto store = CachedStream(ReplayEvents(backdated), 0, !backdated);
    if (!store) {
      state.SkipWithError("cannot build the stream");
      return;
    }
  }
  RawIterate(state, annals::bench::StreamPath(ReplayEvents(backdated), 0, !backdated));
}
BENCHMARK(BM_RawIterator)->ArgName("backdated")->Arg(0)->Arg(1)
    ->Unit(benchmark::kMillisecond)->Iterations(3);

// How replay's cost grows with the length of a stream that is not in valid-time order.
// Args: pattern (1: every tenth event back-dated by up to a day, as BM_Replay/1; 2: every
// event at a random valid time, the order facts are reported in, not the order they
// happened), events (1K, 10K, 100K), and whether to run the raw iterator over the same
// store instead (the baseline of the same bytes).  Linear growth keeps events/s flat.
void BM_ReplayGrowth(benchmark::State& state) {
  const int pattern = static_cast<int>(state.range(0));
  const uint64_t n = static_cast<uint64_t>(state.range(1));
  auto store = pattern == 1 ? CachedStream(n, 0, false) : annals::bench::CachedShuffledStream(n);
  if (!store) {
    state.SkipWithError("cannot build the stream");
    return;
  }
  if (state.range(2) == 0) {
    ReplayAll(state, store.get());
    return;
  }
  store.reset();
  RawIterate(state, pattern == 1 ? annals::bench::StreamPath(n, 0, false)
                                 : annals::bench::ShuffledPath(n));
}
BENCHMARK(BM_ReplayGrowth)->ArgNames({"pattern", "events", "raw"})
    ->ArgsProduct({{1, 2}, {1000, 10000, 100000}, {0, 1}})
    ->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
