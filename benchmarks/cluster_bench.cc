// Copyright annals authors.
//
// The cluster (SPEC §9) against one plain `annals serve`, in the same run: durable appends
// per second at 1/16/64 clients (each client appends one event and waits for its answer),
// the apply lag (from a node's acknowledgement to the event being readable on another
// node: p50/p99), and the catch-up speed of a wiped node in events/s.
//
// It starts three nats-server processes (JetStream, R3) and three `annals serve --cluster`
// nodes on free loopback ports in a temporary directory, with the test suite's helpers
// (tests/cluster_test_util.h).  Skipped with an error when nats-server is missing.
//
//   build/benchmarks/annals_bench_cluster --benchmark_min_time=3

#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "annals/server.h"
#include "annals/store.h"
#include "cluster_test_util.h"

namespace {

using annals::test::ClusterNodeProcess;
using annals::test::NatsCluster;
using Clock = std::chrono::steady_clock;

constexpr char kToken[] = "cluster-bench-token-0123456789abcdef";

std::string EventLine(const std::string& stream) {
  return R"({"stream":")" + stream +
         R"(","type":"partner_talks","effective":"2025-02-11~","confidence":"reported",)"
         R"("source":{"publisher":"The Information","url":"https://example.org/a/1"},)"
         R"("recorded_by":"analyst","data":{"partner":"Alibaba","status":"ongoing",)"
         R"("reason":"model provider for Apple Intelligence in China"}})";
}

// Everything the benchmarks share, started once by the first that needs it.
struct Rig {
  std::unique_ptr<annals::test::TempDir> dir;
  std::string token_file;
  std::unique_ptr<NatsCluster> nats;
  std::vector<std::unique_ptr<ClusterNodeProcess>> nodes;
  std::unique_ptr<annals::test::ServeProcess> plain;
  std::string error;

  static Rig& Get() {
    static Rig rig;
    return rig;
  }

 private:
  Rig() {
    if (annals::test::NatsServerPath().empty()) {
      error = "nats-server is not installed";
      return;
    }
    dir = std::make_unique<annals::test::TempDir>();
    token_file = dir->Sub("token");
    annals::test::WriteFile(token_file, std::string(kToken) + "\n");
    ::chmod(token_file.c_str(), 0600);
    plain = std::make_unique<annals::test::ServeProcess>(
        dir->Sub("plain.db"), std::vector<std::string>{"--listen", "127.0.0.1:0"},
        std::vector<std::string>{"--token-file", token_file});
    nats = std::make_unique<NatsCluster>(dir->path());
    if (!nats->WaitReady("ANNALS", 3, 40)) {
      error = "the JetStream cluster did not come up";
      return;
    }
    for (int i = 0; i < 3; ++i) {
      const std::string name = "n" + std::to_string(i + 1);
      nodes.push_back(std::make_unique<ClusterNodeProcess>(dir->Sub(name + ".db"), nats->urls(),
                                                           name, token_file));
    }
  }
};

std::unique_ptr<annals::Store> ConnectTo(const std::string& address) {
  annals::ClientOptions options;
  options.token = kToken;
  auto store = annals::ConnectToServer(address, options);
  return store.ok() ? std::move(store).value() : nullptr;
}

std::string ThreadStream(const benchmark::State& state, const char* what) {
  static std::atomic<int> run{0};
  return std::string(what) + "-" + std::to_string(state.threads()) + "-" +
         std::to_string(state.thread_index()) + "-" + std::to_string(run++);
}

bool AppendOne(annals::Store& store, const annals::EventTypes& types, const std::string& stream,
               uint64_t version, benchmark::State& state, std::string* id = nullptr) {
  auto event = annals::NewEvent::FromJson(EventLine(stream), types);
  std::vector<annals::NewEvent> events;
  events.push_back(std::move(event).value());
  annals::AppendOptions options;
  options.expected_versions[stream] = version - 1;
  auto r = store.Append(std::move(events), options);
  if (!r.ok()) {
    state.SkipWithError(r.status().ToString().c_str());
    return false;
  }
  if (id) *id = r->front().id;
  return true;
}

void RunAppends(benchmark::State& state, const std::string& address, const char* what) {
  auto store = ConnectTo(address);
  if (!store) {
    state.SkipWithError("cannot connect");
    return;
  }
  const annals::EventTypes types = store->Types();
  const std::string stream = ThreadStream(state, what);
  uint64_t version = 0;
  for (auto _ : state) {
    if (!AppendOne(*store, types, stream, ++version, state)) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(version));
}

void BM_PlainServeAppend(benchmark::State& state) {
  Rig& rig = Rig::Get();
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  RunAppends(state, rig.plain->tcp(), "plain");
}

// Clients spread over the three nodes.
void BM_ClusterAppend(benchmark::State& state) {
  Rig& rig = Rig::Get();
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  RunAppends(state, rig.nodes[state.thread_index() % 3]->address(), "cluster");
}

// One client appends through n1; after each acknowledgement, the time until n2 has it.
void BM_ClusterApplyLag(benchmark::State& state) {
  Rig& rig = Rig::Get();
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  auto writer = ConnectTo(rig.nodes[0]->address());
  auto reader = ConnectTo(rig.nodes[1]->address());
  const annals::EventTypes types = writer->Types();
  const std::string stream = ThreadStream(state, "lag");
  std::vector<double> lags;
  uint64_t version = 0;
  for (auto _ : state) {
    std::string id;
    if (!AppendOne(*writer, types, stream, ++version, state, &id)) break;
    const auto acked = Clock::now();
    while (!reader->GetById(id).ok()) {
      if (Clock::now() - acked > std::chrono::seconds(10)) {
        return state.SkipWithError("the event did not reach n2 in 10 s");
      }
    }
    lags.push_back(std::chrono::duration<double, std::micro>(Clock::now() - acked).count());
  }
  std::sort(lags.begin(), lags.end());
  if (!lags.empty()) {
    state.counters["lag_p50_us"] = lags[lags.size() / 2];
    state.counters["lag_p99_us"] = lags[std::min(lags.size() - 1, lags.size() * 99 / 100)];
  }
}

// n3 is stopped and wiped, then restarted: the time until it holds the whole log again.
void BM_ClusterCatchUp(benchmark::State& state) {
  Rig& rig = Rig::Get();
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  auto source = ConnectTo(rig.nodes[0]->address());
  const uint64_t head = annals::test::HeadOf(*source);
  for (auto _ : state) {
    state.PauseTiming();
    rig.nodes[2]->Stop();
    std::filesystem::remove_all(rig.nodes[2]->db());
    state.ResumeTiming();
    const auto t0 = Clock::now();
    rig.nodes[2]->Start();
    std::unique_ptr<annals::Store> wiped;
    while (true) {
      if (!wiped) wiped = ConnectTo(rig.nodes[2]->address());
      if (wiped && annals::test::HeadOf(*wiped) >= head) break;
      if (Clock::now() - t0 > std::chrono::seconds(300)) {
        return state.SkipWithError("the wiped node did not catch up in 300 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    state.counters["events"] = static_cast<double>(head);
    state.counters["catchup_events_per_s"] = static_cast<double>(head) / seconds;
  }
}

}  // namespace

BENCHMARK(BM_PlainServeAppend)->Threads(1)->Threads(16)->Threads(64)->UseRealTime()->MinTime(3);
BENCHMARK(BM_ClusterAppend)->Threads(1)->Threads(16)->Threads(64)->UseRealTime()->MinTime(3);
BENCHMARK(BM_ClusterApplyLag)->UseRealTime()->MinTime(3);
BENCHMARK(BM_ClusterCatchUp)->UseRealTime()->Iterations(1);

BENCHMARK_MAIN();
