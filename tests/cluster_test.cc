// Copyright annals authors.
//
// The cluster (SPEC §9) with real processes: three nats-server processes clustered with
// JetStream and three `annals serve --cluster` nodes, on free loopback ports in a
// temporary directory.  Skipped when nats-server is not installed.  Each test is bounded
// (its waits end in failures, not hangs) and takes some seconds.

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "annals/cluster.h"
#include "annals/server.h"
#include "cluster/jetstream.h"
#include "cluster_test_util.h"

namespace annals {
namespace test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kToken[] = "cluster-test-token-0123456789abcdef";

Result<std::vector<AppendResult>> AppendNote(Store& store, const std::string& stream,
                                             const std::string& id, const std::string& text,
                                             std::optional<uint64_t> expect = std::nullopt) {
  auto e = NewEvent::FromJson("{\"id\":\"" + id + "\",\"stream\":\"" + stream +
                              "\",\"type\":\"note\",\"effective\":\"2025-03\",\"data\":{\"text\":\"" +
                              text + "\"}}");
  if (!e.ok()) return e.status();
  std::vector<NewEvent> events;
  events.push_back(std::move(e).value());
  AppendOptions options;
  if (expect) options.expected_versions[stream] = *expect;
  return store.Append(std::move(events), options);
}

std::unique_ptr<Store> ConnectTo(const std::string& address) {
  ClientOptions options;
  options.token = kToken;
  auto store = ConnectToServer(address, options);
  return store.ok() ? std::move(store).value() : nullptr;
}

// A writer through one node: appends notes with ids `prefix`-k until told to stop,
// retrying each (same id: idempotent) until acknowledged, reconnecting when the node went
// away.  Records the acknowledged ids and the longest time without an acknowledgement.
struct Writer {
  Writer(std::string address_in, std::string prefix_in, std::atomic<bool>* stop_in)
      : address(std::move(address_in)), prefix(std::move(prefix_in)), stop(stop_in) {}
  std::string address, prefix;
  std::atomic<bool>* stop;
  std::vector<std::string> acked;
  double longest_gap = 0;        // seconds between two acknowledgements
  double failed_window = 0;      // seconds from a first failure to the next success, longest
  int failures = 0;

  void Run() {
    std::unique_ptr<Store> store = ConnectTo(address);
    auto last_ack = Clock::now();
    for (int k = 0; !stop->load(); ++k) {
      const std::string id = prefix + "-" + std::to_string(k);
      std::optional<Clock::time_point> first_failure;
      while (true) {
        if (!store) store = ConnectTo(address);
        Status s = store ? AppendNote(*store, prefix, id, "note " + id).status()
                         : Status::Unavailable("no connection");
        if (s.ok()) break;
        ++failures;
        if (!first_failure) first_failure = Clock::now();
        store.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (stop->load() && SecondsSince(*first_failure) > 30) return;  // give up, unacked
      }
      const auto now = Clock::now();
      if (first_failure) {
        failed_window = std::max(failed_window, std::chrono::duration<double>(now - *first_failure).count());
      }
      longest_gap = std::max(longest_gap, std::chrono::duration<double>(now - last_ack).count());
      last_ack = now;
      acked.push_back(id);
    }
  }
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (NatsServerPath().empty()) GTEST_SKIP() << "nats-server is not installed";
    token_file_ = dir_.Sub("token");
    WriteFile(token_file_, std::string(kToken) + "\n");
    ::chmod(token_file_.c_str(), 0600);
    nats_ = std::make_unique<NatsCluster>(dir_.path());
    ASSERT_TRUE(nats_->WaitReady("ANNALS", 3, 40)) << "the JetStream cluster did not come up";
    for (int i = 0; i < 3; ++i) {
      const std::string name = "n" + std::to_string(i + 1);
      nodes_.push_back(std::make_unique<ClusterNodeProcess>(dir_.Sub(name + ".db"), nats_->urls(),
                                                            name, token_file_));
      if (HasFatalFailure()) return;
    }
  }
  void TearDown() override {
    nodes_.clear();
    nats_.reset();
  }

  std::vector<std::string> Addresses() const {
    std::vector<std::string> out;
    for (const auto& n : nodes_) out.push_back(n->address());
    return out;
  }

  // Until every node's head is the same and at least `min_seq`; that head, or 0.
  uint64_t Converge(uint64_t min_seq, double seconds) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    while (Clock::now() < deadline) {
      std::set<uint64_t> heads;
      for (const auto& a : Addresses()) {
        auto store = ConnectTo(a);
        heads.insert(store ? HeadOf(*store) : 0);
      }
      if (heads.size() == 1 && *heads.begin() >= min_seq) return *heads.begin();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
  }

  // The nodes agree (ComparePeers) and each one's own verify passes.
  void ExpectAgreeAndVerified() {
    std::vector<std::unique_ptr<Store>> stores;
    std::vector<std::pair<std::string, Store*>> peers;
    for (const auto& a : Addresses()) {
      stores.push_back(ConnectTo(a));
      ASSERT_NE(stores.back(), nullptr) << a;
      peers.emplace_back(a, stores.back().get());
    }
    auto cmp = ComparePeers(peers);
    ASSERT_OK(cmp.status());
    EXPECT_TRUE(cmp->ok()) << cmp->problem;
    for (auto& s : stores) {
      auto report = s->Verify();
      ASSERT_OK(report.status());
      EXPECT_TRUE(report->ok()) << report->ToJson();
    }
  }

  // Every id in `acked` is in every node's log exactly once, and no id is there twice.
  void ExpectEachOnce(const std::vector<std::string>& acked) {
    for (const auto& a : Addresses()) {
      auto store = ConnectTo(a);
      ASSERT_NE(store, nullptr);
      std::map<std::string, int> count;
      ASSERT_OK(store->ScanLog(LogRange(), [&](const Event& e) {
        ++count[std::string(e.id())];
        return true;
      }));
      for (const auto& [id, n] : count) EXPECT_EQ(n, 1) << a << ": " << id;
      for (const auto& id : acked) EXPECT_EQ(count[id], 1) << a << ": acknowledged " << id;
    }
  }

  TempDir dir_;
  std::string token_file_;
  std::unique_ptr<NatsCluster> nats_;
  std::vector<std::unique_ptr<ClusterNodeProcess>> nodes_;
};

TEST_F(ClusterTest, ThreeNodesConvergeToEqualHeadsAndVerifyPasses) {
  std::vector<std::unique_ptr<Store>> clients;
  for (const auto& a : Addresses()) clients.push_back(ConnectTo(a));
  for (int i = 0; i < 30; ++i) {
    Store& store = *clients[i % 3];
    const std::string id = "ev-" + std::to_string(i);
    auto r = AppendNote(store, "s" + std::to_string(i % 4), id, "hello " + std::to_string(i));
    ASSERT_OK(r.status());
    EXPECT_EQ(r->front().seq, static_cast<uint64_t>(i + 1));
    // Read-your-writes: the node that answered has it.
    auto e = store.GetById(id);
    ASSERT_OK(e.status());
    EXPECT_EQ(e->seq(), static_cast<uint64_t>(i + 1));
  }
  ASSERT_EQ(Converge(30, 20), 30u);
  ExpectAgreeAndVerified();
  // Same seq, recorded_at and hash everywhere: the exported events are identical.
  std::string first;
  for (auto& c : clients) {
    std::string all;
    ASSERT_OK(c->ScanLog(LogRange(), [&](const Event& e) {
      all += e.ToJson() + "\n";
      return true;
    }));
    if (first.empty()) first = all;
    EXPECT_EQ(all, first);
  }
  // The CLI through any node, and verify --peers.
  auto a = Addresses();
  RunResult r = RunAnnals({"--token-file", token_file_, "--server", a[2], "log", "--stream", "s1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ev-1"), std::string::npos);
  r = RunAnnals({"--token-file", token_file_, "verify", "--peers", a[0] + "," + a[1] + "," + a[2]});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("agree"), std::string::npos) << r.out;
  // An append without an id gets one chosen by its node, the same on every node.
  r = RunAnnals({"--token-file", token_file_, "--server", a[1], "append", "--stream", "cli",
                 "--type", "note", "--effective", "2025", "--set", "text=via n2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Converge(31, 20), 31u);
  ExpectAgreeAndVerified();
}

TEST_F(ClusterTest, ConcurrentExpectVersionThroughTwoNodesExactlyOneWins) {
  auto a = Addresses();
  auto c1 = ConnectTo(a[0]);
  auto c2 = ConnectTo(a[1]);
  constexpr int kRounds = 15;
  int wins = 0;
  for (int round = 0; round < kRounds; ++round) {
    Result<std::vector<AppendResult>> r1 = Status::Unavailable("not run");
    Result<std::vector<AppendResult>> r2 = Status::Unavailable("not run");
    std::thread t1([&] { r1 = AppendNote(*c1, "race", "a-" + std::to_string(round), "a", round); });
    std::thread t2([&] { r2 = AppendNote(*c2, "race", "b-" + std::to_string(round), "b", round); });
    t1.join();
    t2.join();
    ASSERT_TRUE(r1.ok() != r2.ok()) << "round " << round << ": " << r1.status().ToString()
                                    << " / " << r2.status().ToString();
    const Status& lost = r1.ok() ? r2.status() : r1.status();
    EXPECT_TRUE(lost.IsConflict()) << lost.ToString();
    ++wins;
  }
  EXPECT_EQ(wins, kRounds);
  ASSERT_GT(Converge(kRounds, 20), 0u);
  for (const auto& addr : a) {
    auto s = ConnectTo(addr);
    auto info = s->GetStream("race");
    ASSERT_OK(info.status());
    EXPECT_EQ(info->events, static_cast<uint64_t>(kRounds)) << addr;
  }
  ExpectAgreeAndVerified();
}

TEST_F(ClusterTest, KilledNodeRestartsWithEveryAcknowledgedEventOnce) {
  auto a = Addresses();
  std::atomic<bool> stop{false};
  Writer w1(a[0], "w1", &stop), w3(a[2], "w3", &stop);
  std::thread t1([&] { w1.Run(); });
  std::thread t3([&] { w3.Run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  nodes_[2]->Kill9();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  nodes_[2]->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  t1.join();
  t3.join();
  EXPECT_GT(w1.acked.size(), 5u);
  EXPECT_GT(w3.acked.size(), 5u);
  EXPECT_GT(w3.failures, 0) << "the node was killed while its writer was writing";
  ASSERT_GT(Converge(w1.acked.size() + w3.acked.size(), 30), 0u);
  std::vector<std::string> acked = w1.acked;
  acked.insert(acked.end(), w3.acked.begin(), w3.acked.end());
  ExpectEachOnce(acked);
  ExpectAgreeAndVerified();
}

TEST_F(ClusterTest, NatsLeaderKilledWritersOnTwoNodesLoseNothing) {
  auto a = Addresses();
  std::atomic<bool> stop{false};
  Writer w1(a[0], "w1", &stop), w2(a[1], "w2", &stop);
  std::thread t1([&] { w1.Run(); });
  std::thread t2([&] { w2.Run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto js = internal::JetStream::Connect(nats_->urls(), "annals test");
  ASSERT_OK(js.status());
  auto leader = (*js)->Leader("ANNALS");
  js->reset();
  ASSERT_OK(leader.status());
  ASSERT_EQ(leader->rfind("nats", 0), 0u) << *leader;
  const int victim = std::stoi(leader->substr(4)) - 1;
  const auto killed_at = Clock::now();
  nats_->Kill9(victim);
  std::this_thread::sleep_for(std::chrono::seconds(12));
  nats_->Start(victim);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  t1.join();
  t2.join();
  const double window = std::max(w1.failed_window, w2.failed_window);
  const double gap = std::max(w1.longest_gap, w2.longest_gap);
  std::cout << "[ fail-over ] stream leader " << *leader << " killed: longest time without an "
            << "acknowledged append " << gap << " s; first failed to first successful append "
            << window << " s (" << (w1.failures + w2.failures) << " failed tries)"
            << "; test ran " << SecondsSince(killed_at) << " s after the kill\n";
  RecordProperty("failover_longest_gap_seconds", std::to_string(gap));
  EXPECT_GT(w1.acked.size(), 5u);
  EXPECT_GT(w2.acked.size(), 5u);
  ASSERT_GT(Converge(w1.acked.size() + w2.acked.size(), 30), 0u);
  std::vector<std::string> acked = w1.acked;
  acked.insert(acked.end(), w2.acked.begin(), w2.acked.end());
  ExpectEachOnce(acked);
  ExpectAgreeAndVerified();
}

TEST_F(ClusterTest, WipedNodeRejoinsAndConverges) {
  auto a = Addresses();
  auto c = ConnectTo(a[0]);
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(AppendNote(*c, "s", "ev-" + std::to_string(i), "x").status());
  }
  ASSERT_EQ(Converge(40, 20), 40u);
  nodes_[2]->Stop();
  std::filesystem::remove_all(nodes_[2]->db());
  nodes_[2]->Start();
  ASSERT_EQ(Converge(40, 30), 40u);
  ExpectAgreeAndVerified();
  // It takes appends again.
  auto c3 = ConnectTo(a[2]);
  ASSERT_OK(AppendNote(*c3, "s", "after", "y").status());
  ASSERT_EQ(Converge(41, 20), 41u);
}

TEST_F(ClusterTest, VocabularyRegisteredThroughOneNodeWorksOnEveryNode) {
  auto a = Addresses();
  RunResult r = RunAnnals({"--token-file", token_file_, "--server", a[0], "vocab", "add", "acquisition"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("acquisition"), std::string::npos) << r.out;
  // Another node knows it once it has applied it (reads are local).
  ASSERT_EQ(Converge(1, 20), 1u);
  // Again: the same source is a no-op, as on one store.
  r = RunAnnals({"--token-file", token_file_, "--server", a[2], "vocab", "add", "acquisition"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunAnnals({"--token-file", token_file_, "--server", a[1], "append", "--stream", "deal",
                 "--type", "acquisition_announced", "--effective", "2025-01", "--set",
                 "acquirer=Microsoft", "--set", "target=Activision", "--set",
                 "price=$95.00 per share"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Converge(2, 20), 2u);
  for (const auto& addr : a) {
    r = RunAnnals({"--token-file", token_file_, "--server", addr, "state", "--stream", "deal",
                   "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << addr << ": " << r.err;
    EXPECT_NE(r.out.find("Activision"), std::string::npos) << addr << ": " << r.out;
  }
  // A file the vocabulary checks refuse is refused on the node asked, and nothing is added.
  WriteFile(dir_.Sub("bad.capnp"), "this is not capnp");
  r = RunAnnals({"--token-file", token_file_, "--server", a[2], "vocab", "add", dir_.Sub("bad.capnp")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ExpectAgreeAndVerified();
}

TEST_F(ClusterTest, ImportOverOneLogMessageIsStagedAndCommittedWhole) {
  // ~1.4 MB: over the NATS servers' 1 MiB max_payload, so it travels as staged chunks.
  std::string big;
  for (int i = 0; i < 3000; ++i) {
    big += "{\"id\":\"big-" + std::to_string(i) +
           "\",\"stream\":\"big\",\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"" +
           std::string(400, 'x') + "\"}}\n";
  }
  // One that fails at its last line (an id reused with other content): nothing of it
  // appears anywhere.
  WriteFile(dir_.Sub("bad.jsonl"), big + "{\"id\":\"big-0\",\"stream\":\"big\",\"type\":\"note\","
                                         "\"effective\":\"2025\",\"data\":{\"text\":\"other\"}}\n");
  auto a = Addresses();
  RunResult r = RunAnnals({"--token-file", token_file_, "--server", a[0], "import", dir_.Sub("bad.jsonl")});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("line 3001"), std::string::npos) << r.err;
  WriteFile(dir_.Sub("big.jsonl"), big);
  r = RunAnnals({"--token-file", token_file_, "--server", a[1], "import", dir_.Sub("big.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Converge(3000, 30), 3000u);
  for (const auto& addr : a) {
    auto store = ConnectTo(addr);
    std::set<std::string> recorded_at;
    uint64_t n = 0;
    ASSERT_OK(store->ScanLog(LogRange(), [&](const Event& e) {
      recorded_at.insert(std::string(e.recorded_at()));
      ++n;
      return true;
    }));
    EXPECT_EQ(n, 3000u) << addr;
    EXPECT_EQ(recorded_at.size(), 1u) << addr << ": one import, one recorded_at";
  }
  ExpectAgreeAndVerified();
}

TEST_F(ClusterTest, NodesStopApplyingWhenTheLogNoLongerHoldsWhatTheyApplied) {
  auto a = Addresses();
  auto c = ConnectTo(a[0]);
  for (int i = 0; i < 5; ++i) ASSERT_OK(AppendNote(*c, "s", "ev-" + std::to_string(i), "x").status());
  ASSERT_EQ(Converge(5, 20), 5u);
  nodes_[2]->Stop();
  // The log is replaced by another one, as after JetStream lost acknowledged messages.
  auto js = internal::JetStream::Connect(nats_->urls(), "annals test");
  ASSERT_OK(js.status());
  ASSERT_OK((*js)->TEST_DeleteStream("ANNALS"));
  ASSERT_TRUE(nats_->WaitReady("ANNALS", 3, 30));
  for (int i = 0; i < 7; ++i) {
    ASSERT_OK((*js)->Publish("ANNALS.append", "junk-" + std::to_string(i), "not annals", 5000).status());
  }
  nodes_[2]->Start();
  // Every node refuses appends, saying why (exit 4), and still answers reads.
  for (const auto& addr : a) {
    RunResult r;
    ASSERT_TRUE(Eventually([&] {
      r = RunAnnals({"--token-file", token_file_, "--server", addr, "append", "--stream", "s",
                     "--type", "note", "--effective", "2025", "--set", "text=refused"});
      return r.exit_code == 4;
    }, 30)) << addr << ": " << r.exit_code << " " << r.err;
    EXPECT_NE(r.err.find("stopped applying the cluster's log"), std::string::npos) << r.err;
    r = RunAnnals({"--token-file", token_file_, "--server", addr, "log", "--stream", "s"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ev-4"), std::string::npos) << r.out;
  }
  ExpectAgreeAndVerified();
}

}  // namespace
}  // namespace test
}  // namespace annals
