// Copyright annals authors.
//
// Import of a JSON Lines file of 1M events (ANNALS_BENCH_SCALE divides it) into a new
// store, against SQLite doing the same job in the same run:
//
//   BM_AnnalsImport   the real `annals import FILE` command (process start included),
//                     durable (fsync) before it exits, one atomic transaction.
//   BM_SqliteImport   the same file read line by line into SQLite: WAL journal,
//                     synchronous=FULL, one transaction, one row per event (seq, id,
//                     stream, type, effective, the line itself) with the fields taken out
//                     of the JSON by SQLite's json_extract, and an index on
//                     (stream, effective).
//
// Both read the file from the page cache and both parse every line's JSON.  annals also
// validates each event against the schema, hashes it into the chain and writes four
// indexes; the ratio is what the RESULTS table reports.
//
// JSON out, on the store BM_AnnalsImport made (its events, read back):
//
//   BM_AnnalsExport   `annals export` into a file (a backup).
//   BM_AnnalsLogJson  `annals log --format json` into a pipe this process drains (a
//                     `| jq` pipeline).
//
// Both run the real command and include its start; their events/s stand beside the
// import's events/s of the same run.

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench_util.h"

#ifndef ANNALS_CLI
#error "ANNALS_CLI must name the annals binary"
#endif

namespace {

// The events of both imports: Scaled(1M) lines, written once (through a rename, so the file
// is always whole).
uint64_t EventCount() { return annals::bench::Scaled(1000000); }

std::string EventsFile() {
  const uint64_t n = EventCount();
  const std::string path =
      annals::bench::BenchDir() + "/import-" + std::to_string(n) + ".jsonl";
  std::ifstream probe(path);
  if (probe.good()) return path;
  std::ofstream out(path + ".tmp");
  for (uint64_t i = 0; i < n; ++i) {
    out << annals::bench::EventLine("deal-" + std::to_string(i % 64), i) << "\n";
  }
  out.close();
  std::rename((path + ".tmp").c_str(), path.c_str());
  return path;
}

// The store BM_AnnalsImport makes (and the JSON-out benchmarks read).
std::string ImportedStore() { return annals::bench::BenchDir() + "/import-annals"; }

void BM_AnnalsImport(benchmark::State& state) {
  const std::string file = EventsFile();
  const uint64_t n = EventCount();
  for (auto _ : state) {
    state.PauseTiming();
    const std::string db = annals::bench::FreshPath("import-annals");
    std::filesystem::remove(db + ".events");
    state.ResumeTiming();
    const std::string cmd =
        std::string(ANNALS_CLI) + " --db '" + db + "' --quiet import '" + file + "'";
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError(("failed: " + cmd).c_str());
      return;
    }
    state.PauseTiming();
    std::ofstream(db + ".events") << n;  // what the store holds, for the JSON-out runs
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_AnnalsImport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// The store of EventCount() events BM_AnnalsImport left, imported here if it did not run.
bool StoreToRead(std::string* db) {
  *db = ImportedStore();
  uint64_t held = 0;
  std::ifstream(*db + ".events") >> held;
  if (held == EventCount()) return true;
  annals::bench::FreshPath("import-annals");
  const std::string cmd = std::string(ANNALS_CLI) + " --db '" + *db + "' --quiet import '" +
                          EventsFile() + "'";
  if (std::system(cmd.c_str()) != 0) return false;
  std::ofstream(*db + ".events") << EventCount();
  return true;
}

void BM_AnnalsExport(benchmark::State& state) {
  std::string db;
  if (!StoreToRead(&db)) {
    state.SkipWithError("import for export failed");
    return;
  }
  const std::string out = annals::bench::BenchDir() + "/export.jsonl";
  for (auto _ : state) {
    const std::string cmd = std::string(ANNALS_CLI) + " --db '" + db + "' export > '" + out + "'";
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError(("failed: " + cmd).c_str());
      return;
    }
  }
  std::remove(out.c_str());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * EventCount()));
}
BENCHMARK(BM_AnnalsExport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_AnnalsLogJson(benchmark::State& state) {
  std::string db;
  if (!StoreToRead(&db)) {
    state.SkipWithError("import for log failed");
    return;
  }
  uint64_t lines = 0;
  for (auto _ : state) {
    const std::string cmd = std::string(ANNALS_CLI) + " --db '" + db + "' log --format json";
    std::FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
      state.SkipWithError("popen failed");
      return;
    }
    static char buf[1 << 16];
    size_t got;
    while ((got = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
      for (size_t i = 0; i < got; ++i) lines += buf[i] == '\n';
    }
    if (pclose(pipe) != 0) {
      state.SkipWithError(("failed: " + cmd).c_str());
      return;
    }
  }
  if (lines != state.iterations() * EventCount()) {
    state.SkipWithError("log printed a different number of events");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(lines));
}
BENCHMARK(BM_AnnalsLogJson)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    return false;
  }
  return true;
}

void BM_SqliteImport(benchmark::State& state) {
  const std::string file = EventsFile();
  const uint64_t n = EventCount();
  for (auto _ : state) {
    state.PauseTiming();
    const std::string path = annals::bench::FreshPath("import-sqlite.db");
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
    state.ResumeTiming();
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
      state.SkipWithError("sqlite3_open failed");
      return;
    }
    bool ok = Exec(db, "PRAGMA journal_mode=WAL") && Exec(db, "PRAGMA synchronous=FULL") &&
              Exec(db,
                   "CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
                   "stream TEXT NOT NULL, type TEXT NOT NULL, effective TEXT NOT NULL, "
                   "body TEXT NOT NULL)") &&
              Exec(db, "CREATE INDEX events_stream_date ON events (stream, effective)") &&
              Exec(db, "BEGIN");
    sqlite3_stmt* insert = nullptr;
    ok = ok && sqlite3_prepare_v2(db,
                                  "INSERT INTO events (id, stream, type, effective, body) "
                                  "VALUES (json_extract(?1, '$.id'), "
                                  "json_extract(?1, '$.stream'), json_extract(?1, '$.type'), "
                                  "json_extract(?1, '$.effective'), ?1)",
                                  -1, &insert, nullptr) == SQLITE_OK;
    std::ifstream in(file);
    std::string line;
    while (ok && std::getline(in, line)) {
      sqlite3_bind_text(insert, 1, line.data(), static_cast<int>(line.size()), SQLITE_STATIC);
      ok = sqlite3_step(insert) == SQLITE_DONE;
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    ok = ok && Exec(db, "COMMIT");
    sqlite3_close(db);
    if (!ok) {
      state.SkipWithError("sqlite import failed");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_SqliteImport)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
