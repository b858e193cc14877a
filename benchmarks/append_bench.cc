// Copyright annals authors.
//
// Append throughput: Store::Append of batches of 1..1000 events, with and without fsync,
// against raw RocksDB WriteBatch puts of the same bytes (each event's canonical Cap'n
// Proto encoding, keyed by a big-endian seq) in the same process.  The ratio
// annals/raw is what matters; absolute times on a shared machine mean little.

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "annals/store.h"
#include "event_rep.h"

namespace {

std::string TempPath(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = std::string(tmp && *tmp ? tmp : "/tmp") + "/annals-bench";
  std::filesystem::create_directories(base);
  std::string path = base + "/" + name;
  std::filesystem::remove_all(path);
  return path;
}

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

// Args: batch size, sync (0/1).
void BM_AnnalsAppend(benchmark::State& state) {
  const int batch_size = static_cast<int>(state.range(0));
  annals::Options options;
  options.create_if_missing = true;
  options.sync = state.range(1) != 0;
  auto store = annals::Store::Open(TempPath("append"), options);
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
  rocksdb::Status s = rocksdb::DB::Open(options, TempPath("raw"), &raw);
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
  for (auto& e : MakeBatch(&next, 4096)) {
    auto b = e.rep().builder();
    b.setSeq(next);
    b.setVersion(next);
    b.setRecordedAt("2025-03-01T10:00:00.000000Z");
    b.setPrevHash(std::string(64, '0'));
    b.setHash(std::string(64, 'f'));
    auto words = e.rep().Canonical();
    values.emplace_back(reinterpret_cast<const char*>(words.begin()),
                        words.size() * sizeof(capnp::word));
  }
  uint64_t seq = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < batch_size; ++i) {
      char key[8];
      ++seq;
      for (int k = 0; k < 8; ++k) key[k] = static_cast<char>(seq >> (8 * (7 - k)));
      batch.Put(rocksdb::Slice(key, 8), values[seq % values.size()]);
    }
    s = db->Write(wo, &batch);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
}

void AppendArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"batch", "sync"});
  for (int sync : {1, 0}) {
    for (int batch : {1, 10, 100, 1000}) b->Args({batch, sync});
  }
  b->UseRealTime();
}

BENCHMARK(BM_AnnalsAppend)->Apply(AppendArgs);
BENCHMARK(BM_RawRocksDbPut)->Apply(AppendArgs);

}  // namespace

BENCHMARK_MAIN();
