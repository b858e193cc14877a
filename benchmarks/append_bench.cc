// Copyright annals authors.
//
// Append throughput: Store::Append of batches of 1..1000 events, with and without fsync,
// against raw RocksDB WriteBatch puts in the same process:
//
//   BM_RawRocksDbPut       each event's stored value (canonical Cap'n Proto, hashes set)
//                          under a big-endian seq: the log alone.
//   BM_RawRocksDbSameBytes the same keys and values annals writes for the batch: the log
//                          value, the stream, id and valid-time index entries, the stream
//                          record and the head, in the same column families.  This is
//                          "raw RocksDB with the same bytes": the difference to annals is
//                          annals' own CPU (validation, canonical form, SHA-256 chain).
//   BM_AnnalsAppendThreads concurrent appenders of one event each, sync on: group commit
//                          shares fsyncs (compare with batch:1/sync:1).
//
// The ratio annals/raw is what matters; absolute times on a shared machine mean little.

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <memory>
#include <string>
#include <vector>
#include <cstring>

#include "annals/store.h"
#include "bench_util.h"
#include "log/coding.h"
#include "codec/event_rep.h"

namespace {

using annals::internal::PositionKey;
using annals::internal::SeqKey;
using annals::internal::StreamKey;

std::string EventJson(uint64_t i) {
  static const char* kPartners[] = {"Baidu", "Tencent", "ByteDance", "Alibaba"};
  return std::string(R"({"stream":"deal-)") + std::to_string(i % 16) +
         R"(","type":"partner_talks","effective":"2025-02-)" + (i % 28 < 9 ? "0" : "") +
         std::to_string(1 + i % 28) +
         R"(~","source":{"publisher":"The Information","url":"https://example.com/story"},)"
         R"("data":{"partner":")" + kPartners[i % 4] +
         R"(","status":"ongoing","reason":"talks continue on data handling"}})";
}

std::vector<annals::NewEvent> MakeBatch(uint64_t* next, int n) {
  std::vector<annals::NewEvent> batch;
  batch.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto e = annals::NewEvent::FromJson(EventJson((*next)++));
    if (!e.ok()) {
      std::fprintf(stderr, "bad benchmark event: %s\n", e.status().ToString().c_str());
      std::abort();
    }
    batch.push_back(std::move(e).value());
  }
  return batch;
}

// The bytes annals stores for `e` as event `seq`: the store-assigned fields set (hashes of
// the right length), canonical form.
std::string StoredBytes(annals::NewEvent* e, uint64_t seq) {
  auto b = e->rep().builder();
  b.setSeq(seq);
  b.setVersion(seq);
  b.setRecordedAt("2025-03-01T10:00:00.000000Z");
  b.setPrevHash(std::string(64, '0'));
  b.setHash(std::string(64, 'f'));
  auto words = e->rep().Canonical();
  return std::string(reinterpret_cast<const char*>(words.begin()),
                     words.size() * sizeof(capnp::word));
}

// Args: batch size, sync (0/1).
void BM_AnnalsAppend(benchmark::State& state) {
  const int batch_size = static_cast<int>(state.range(0));
  annals::Options options;
  options.create_if_missing = true;
  options.sync = state.range(1) != 0;
  auto store = annals::Store::Open(annals::bench::FreshPath("append"), options);
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return;
  }
  uint64_t next = 0;
  std::vector<std::vector<annals::NewEvent>> pool;
  for (auto _ : state) {
    if (pool.empty()) {
      state.PauseTiming();
      for (int i = 0; i < std::max(1, 4096 / batch_size); ++i) {
        pool.push_back(MakeBatch(&next, batch_size));
      }
      state.ResumeTiming();
    }
    auto r = (*store)->Append(std::move(pool.back()), annals::AppendOptions());
    pool.pop_back();
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
}

// The same event bytes, put raw into RocksDB: one WriteBatch per batch, same sync.
void BM_RawRocksDbPut(benchmark::State& state) {
  const int batch_size = static_cast<int>(state.range(0));
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, annals::bench::FreshPath("raw"), &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  rocksdb::WriteOptions wo;
  wo.sync = state.range(1) != 0;
  // Pre-encode a ring of real event values (as they are stored, hash fields included).
  std::vector<std::string> values;
  uint64_t next = 0;
  for (auto& e : MakeBatch(&next, 4096)) values.push_back(StoredBytes(&e, next));
  uint64_t seq = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < batch_size; ++i) {
      ++seq;
      batch.Put(SeqKey(seq), values[seq % values.size()]);
    }
    s = db->Write(wo, &batch);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
}

// Args: batch size, sync.  Same CF layout and key/value bytes as annals writes.
void BM_RawRocksDbSameBytes(benchmark::State& state) {
  const int batch_size = static_cast<int>(state.range(0));
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : {"default", "log", "stream", "valid", "id"}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, annals::bench::FreshPath("raw-same"), cfs, &h, &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  rocksdb::WriteOptions wo;
  wo.sync = state.range(1) != 0;
  struct Stored {
    std::string value, stream;
    int64_t earliest;
  };
  std::vector<Stored> ring;
  uint64_t next = 0;
  const std::string uuid = "01890a5d-ac96-774b-bcce-b302099a8057";
  for (auto& e : MakeBatch(&next, 4096)) {
    e.rep().builder().setId(uuid);
    ring.push_back(Stored{StoredBytes(&e, next), std::string(e.stream()), e.effective().earliest});
  }
  uint64_t seq = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < batch_size; ++i) {
      ++seq;
      const Stored& e = ring[seq % ring.size()];
      const std::string key = SeqKey(seq), sk = StreamKey(e.stream, seq),
                        vk = PositionKey(e.stream, e.earliest, seq);
      std::string id = uuid;
      std::memcpy(&id[0], key.data(), 8);  // unique ids, as UUIDv7s are
      batch.Put(h[1], key, e.value);
      batch.Put(h[2], sk, key);
      batch.Put(h[3], vk, "");
      batch.Put(h[4], id, key);
    }
    batch.Put(h[0], "s/deal-0", std::string(16, 'x'));
    batch.Put(h[0], "head", std::string(48, 'h'));
    s = db->Write(wo, &batch);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  for (auto* cf : h) db->DestroyColumnFamilyHandle(cf);
  state.SetItemsProcessed(state.iterations() * batch_size);
}

// Args: threads appending one event per call, sync on.
void BM_AnnalsAppendThreads(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  annals::Options options;
  options.create_if_missing = true;
  options.sync = true;
  auto store = annals::Store::Open(annals::bench::FreshPath("append-threads"), options);
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return;
  }
  constexpr int kPerThread = 200;
  std::vector<std::vector<std::vector<annals::NewEvent>>> pools(threads);
  uint64_t next = 0;
  uint64_t total = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& pool : pools) {
      pool.clear();
      for (int i = 0; i < kPerThread; ++i) pool.push_back(MakeBatch(&next, 1));
    }
    state.ResumeTiming();
    std::atomic<bool> failed{false};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (auto& one : pools[t]) {
          if (!(*store)->Append(std::move(one), annals::AppendOptions()).ok()) failed = true;
        }
      });
    }
    for (auto& w : workers) w.join();
    if (failed) {
      state.SkipWithError("append failed");
      return;
    }
    total += static_cast<uint64_t>(threads) * kPerThread;
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
}
BENCHMARK(BM_AnnalsAppendThreads)->ArgName("threads")->Arg(1)->Arg(4)->Arg(16)
    ->UseRealTime()->Unit(benchmark::kMillisecond);

void AppendArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"batch", "sync"});
  for (int sync : {1, 0}) {
    for (int batch : {1, 10, 100, 1000}) b->Args({batch, sync});
  }
  b->UseRealTime();
}

BENCHMARK(BM_AnnalsAppend)->Apply(AppendArgs);
BENCHMARK(BM_RawRocksDbPut)->Apply(AppendArgs);
BENCHMARK(BM_RawRocksDbSameBytes)->Apply(AppendArgs);

}  // namespace

BENCHMARK_MAIN();
