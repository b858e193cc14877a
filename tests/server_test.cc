// Copyright annals authors.
//
// The server through the library (annals/server.h): a RemoteStore answers every Store call
// as the store itself does, and subscriptions (Store::Follow) deliver every event once, in
// order, while slow or vanished subscribers cost the others nothing.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "annals/server.h"
#include "annals/store.h"
#include "annals/timeline.h"
#include "server_test_util.h"
#include "test_util.h"

namespace annals {
namespace {

using test::ServedStore;

std::string ExamplePath(const std::string& name) {
  return std::string(ANNALS_SOURCE_DIR) + "/examples/" + name;
}

NewEvent Note(const std::string& stream, const std::string& text, const EventTypes& types) {
  auto e = NewEvent::FromJson(R"({"stream":")" + stream +
                                  R"(","type":"note","effective":"2025","data":{"text":")" +
                                  text + R"("}})",
                              types);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return std::move(e).value();
}

Status AppendNote(Store& store, const std::string& stream, const std::string& text) {
  std::vector<NewEvent> events;
  events.push_back(Note(stream, text, store.Types()));
  return store.Append(std::move(events), {}).status();
}

Status ImportFile(Store& store, const std::string& path) {
  std::vector<std::string> lines = test::Lines(test::ReadFile(path));
  size_t i = 0;
  const EventTypes types = store.Types();
  return store
      .Import([&](std::optional<NewEvent>* event, std::string* label) {
        if (i == lines.size()) return Status::OK();
        auto e = NewEvent::FromJson(lines[i], types);
        *label = "line " + std::to_string(++i);
        if (!e.ok()) return e.status().WithPrefix(*label);
        *event = std::move(e).value();
        return Status::OK();
      })
      .status();
}

// Everything a store answers, as text: what the comparison between direct and served use
// compares.
std::string Transcript(Store& store) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  auto status = [&](const Status& s) { line("status " + s.ToString()); };
  auto streams = store.ListStreams();
  status(streams.status());
  for (const auto& s : *streams) {
    line(s.name + " " + std::to_string(s.events) + " " + std::to_string(s.last_seq));
  }
  status(store.GetStream("nope").status());
  auto vocabularies = store.ListVocabularies();
  for (const auto& v : *vocabularies) {
    auto full = store.GetVocabulary(v.name, v.version);
    line(v.name + " v" + std::to_string(v.version) + " @" + std::to_string(v.seq) + " " +
         std::to_string(full->source.size()) + " " + std::to_string(v.types.size()));
  }
  status(store.GetVocabulary("deal", 7).status());
  for (const auto& t : store.Types().List()) line("type " + t.name + " " + t.vocabulary);
  status(store.ScanLog(LogRange{}, [&](const Event& e) {
    line(e.ToJson());
    line(DescribeEvent(e));
    return true;
  }));
  status(store.ScanLog(LogRange{"msft-atvi", 20, 40, 5}, [&](const Event& e) {
    line(std::to_string(e.seq()));
    return true;
  }));
  status(store.GetBySeq(3).status());
  line(store.GetBySeq(3)->ToJson());
  line(store.GetById("msft-atvi-05")->ToJson());
  status(store.GetById("none").status());
  for (const TimeQuery& q : std::vector<TimeQuery>{{"apple-intelligence-cn", "", ""},
                                                  {"apple-intelligence-cn", "2025-02", "@7"},
                                                  {"msft-atvi", "2023-06", ""},
                                                  {"msft-atvi", "", "@30"},
                                                  {"missing", "", ""},
                                                  {"msft-atvi", "20x5", ""}}) {
    auto state = store.GetState(q);
    status(state.status());
    if (state.ok()) {
      line(state->ToJson());
      for (const auto& [name, value] : state->Fields()) line(name + " " + std::to_string(value.members.size()));
    }
    status(store.History(q, [&](const HistoryEntry& h) {
      line(h.ToJson());
      return true;
    }));
    auto svg = RenderTimelineSvg(store, q);
    status(svg.status());
    if (svg.ok()) line(std::to_string(std::hash<std::string>()(*svg)));
  }
  auto diff = store.Diff("msft-atvi", "2022", "2024", "");
  status(diff.status());
  line(diff->ToJson());
  status(store.Diff("msft-atvi", "2022", "x", "").status());
  status(store.Replay(LogRange{}, [&](const ReplayEntry& r) {
    line(r.ToJson());
    return true;
  }));
  status(store.Replay(LogRange{"missing", 0, 0, 0}, [](const ReplayEntry&) { return true; }));
  auto report = store.Verify();
  status(report.status());
  line(report->ToJson());
  return out;
}

class ServerTest : public testing::Test {
 protected:
  std::string db() const { return dir_.Sub("db"); }

  void Fill(Store& store) {
    ASSERT_OK(ImportFile(store, test::SampleTimelinePath()));
    ASSERT_OK(store.RegisterVocabulary(ShippedSource("acquisition"), "acquisition.capnp").status());
    ASSERT_OK(ImportFile(store, ExamplePath("msft-atvi.jsonl")));
    ASSERT_OK(AppendNote(store, "notes", "one"));
  }

  static std::string ShippedSource(const std::string& name) {
    return test::ReadFile(std::string(ANNALS_SOURCE_DIR) + "/schema/vocabularies/" + name +
                          ".capnp");
  }

  test::TempDir dir_;
};

TEST_F(ServerTest, EveryStoreCallAnswersAsTheStoreItself) {
  std::string served;
  {
    auto server = ServedStore::Start(db());
    ASSERT_NE(server, nullptr);
    auto store = server->Connect();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(IsRemoteStore(*store));
    ASSERT_NO_FATAL_FAILURE(Fill(*store));
    // A second client, whose vocabularies are learnt only as events need them.
    auto other = server->Connect();
    served = Transcript(*other);
  }
  Options options;
  auto direct = Store::Open(db(), options);
  ASSERT_OK(direct.status());
  EXPECT_FALSE(IsRemoteStore(**direct));
  const std::string expected = Transcript(**direct);
  EXPECT_GT(expected.size(), 10000u);
  EXPECT_EQ(served, expected);
}

TEST_F(ServerTest, ImportThroughTheServerIsOneAtomicImportInChunks) {
  auto server = ServedStore::Start(db());
  auto store = server->Connect();
  // 5000 events: several chunks.  One bad event near the end: nothing of it stays.
  std::vector<std::string> lines;
  for (int i = 0; i < 5000; ++i) {
    lines.push_back(R"({"stream":"bulk","type":"note","effective":"2025","data":{"text":"n)" +
                    std::to_string(i) + R"("}})");
  }
  auto run = [&](size_t bad) {
    size_t i = 0;
    const EventTypes types = store->Types();
    return store->Import([&](std::optional<NewEvent>* event, std::string* label) {
      if (i == lines.size()) return Status::OK();
      *label = "line " + std::to_string(i + 1);
      auto e = NewEvent::FromJson(i == bad ? "{\"stream\":\"bulk\"}" : lines[i], types);
      ++i;
      if (!e.ok()) return e.status().WithPrefix(*label);
      *event = std::move(e).value();
      return Status::OK();
    });
  };
  auto failed = run(4500);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsInvalidArgument()) << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("line 4501"), std::string::npos)
      << failed.status().ToString();
  EXPECT_TRUE(store->GetStream("bulk").status().IsNotFound());
  auto summary = run(lines.size());
  ASSERT_OK(summary.status());
  EXPECT_EQ(summary->added, 5000u);
  EXPECT_EQ(summary->first_seq, 1u);
  EXPECT_EQ(summary->last_seq, 5000u);
  EXPECT_EQ(store->GetStream("bulk")->events, 5000u);
}

// ---- subscriptions ----

class FollowTest : public ServerTest {
 protected:
  void SetUp() override {
    server_ = ServedStore::Start(db());
    ASSERT_NE(server_, nullptr);
  }
  std::unique_ptr<ServedStore> server_;
};

TEST_F(FollowTest, CatchesUpThenDeliversNewEventsLive) {
  auto writer = server_->Connect();
  for (int i = 0; i < 5; ++i) ASSERT_OK(AppendNote(*writer, i % 2 ? "a" : "b", "old"));
  std::vector<uint64_t> seen;
  std::vector<uint64_t> seen_a;
  std::thread follower([&] {
    auto reader = server_->Connect();
    LogRange all;
    all.limit = 8;
    EXPECT_OK(reader->Follow(all, [&](const Event& e) {
      seen.push_back(e.seq());
      return true;
    }));
  });
  std::thread follower_a([&] {
    auto reader = server_->Connect();
    LogRange range;
    range.stream = "a";
    range.after_seq = 1;
    range.limit = 3;
    EXPECT_OK(reader->Follow(range, [&](const Event& e) {
      seen_a.push_back(e.seq());
      return true;
    }));
  });
  ASSERT_TRUE(test::Eventually([&] { return server_->server().TEST_followers() == 2; }));
  for (int i = 0; i < 3; ++i) ASSERT_OK(AppendNote(*writer, "a", "new"));
  follower.join();
  follower_a.join();
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(seen_a, (std::vector<uint64_t>{2, 4, 6}));  // 2 and 4 caught up, 6 live
}

TEST_F(FollowTest, ManySubscribersSeeEveryEventOnceInOrderWhileClientsAppend) {
  constexpr int kWriters = 4, kEach = 150;
  constexpr uint64_t kTotal = kWriters * kEach;
  std::vector<std::vector<uint64_t>> seen(3);
  std::vector<std::thread> followers;
  for (int f = 0; f < 3; ++f) {
    followers.emplace_back([&, f] {
      auto reader = server_->Connect();
      LogRange range;
      range.stream = f == 2 ? "w1" : "";
      range.limit = f == 2 ? kEach : kTotal;
      EXPECT_OK(reader->Follow(range, [&](const Event& e) {
        seen[f].push_back(e.seq());
        if (f == 1 && seen[f].size() % 50 == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a slower one
        }
        return true;
      }));
    });
  }
  std::vector<std::thread> writers;
  std::mutex mu;
  std::vector<uint64_t> w1;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto store = server_->Connect();
      const std::string stream = "w" + std::to_string(w);
      for (int i = 0; i < kEach; ++i) {
        std::vector<NewEvent> events;
        events.push_back(Note(stream, std::to_string(i), store->Types()));
        auto r = store->Append(std::move(events), {});
        ASSERT_OK(r.status());
        if (w == 1) {
          std::lock_guard<std::mutex> lock(mu);
          w1.push_back(r->front().seq);
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  for (auto& t : followers) t.join();
  std::vector<uint64_t> all;
  for (uint64_t s = 1; s <= kTotal; ++s) all.push_back(s);
  EXPECT_EQ(seen[0], all);
  EXPECT_EQ(seen[1], all);
  EXPECT_EQ(seen[2], w1);
}

TEST_F(FollowTest, ASlowSubscriberHoldsUpNeitherAppendsNorOtherSubscribers) {
  std::atomic<bool> release{false};
  std::vector<uint64_t> slow_seen;
  std::thread slow([&] {
    auto reader = server_->Connect();
    LogRange range;
    range.limit = 200;
    EXPECT_OK(reader->Follow(range, [&](const Event& e) {
      slow_seen.push_back(e.seq());
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return true;
    }));
  });
  ASSERT_TRUE(test::Eventually([&] { return server_->server().TEST_followers() == 1; }));
  auto writer = server_->Connect();
  ASSERT_OK(AppendNote(*writer, "s", "first"));  // the slow one now holds this event
  ASSERT_TRUE(test::Eventually([&] { return !slow_seen.empty(); }));
  std::vector<uint64_t> fast_seen;
  std::thread fast([&] {
    auto reader = server_->Connect();
    LogRange range;
    range.limit = 200;
    EXPECT_OK(reader->Follow(range, [&](const Event& e) {
      fast_seen.push_back(e.seq());
      return true;
    }));
  });
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i < 200; ++i) ASSERT_OK(AppendNote(*writer, "s", std::to_string(i)));
  fast.join();  // all 200, while the slow one still sits on its first event
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(fast_seen.size(), 200u);
  EXPECT_EQ(slow_seen.size(), 1u);
  EXPECT_LT(seconds, 30.0);
  release = true;
  slow.join();
  ASSERT_EQ(slow_seen.size(), 200u);
  for (uint64_t i = 0; i < 200; ++i) EXPECT_EQ(slow_seen[i], i + 1);
}

TEST_F(FollowTest, ASubscriberWhoseConnectionDropsIsCleanedUp) {
  auto writer = server_->Connect();
  ASSERT_OK(AppendNote(*writer, "s", "one"));
  // A subscriber in another process (the CLI), killed while it waits for events.
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    test::ExecAnnals({"--db", db(), "log", "--follow"});
  }
  ASSERT_TRUE(test::Eventually([&] { return server_->server().TEST_followers() == 1; }));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_TRUE(test::Eventually([&] { return server_->server().TEST_followers() == 0; }));
  ASSERT_OK(AppendNote(*writer, "s", "two"));  // and nothing is left to deliver to it
  EXPECT_EQ(server_->server().TEST_followers(), 0u);
}

TEST_F(FollowTest, StoppingTheServerTellsSubscribers) {
  Status result;
  std::thread follower([&] {
    auto reader = server_->Connect();
    result = reader->Follow(LogRange{}, [](const Event&) { return true; });
  });
  ASSERT_TRUE(test::Eventually([&] { return server_->server().TEST_followers() == 1; }));
  ASSERT_OK(server_->Stop());
  follower.join();
  EXPECT_TRUE(result.IsUnavailable()) << result.ToString();
  EXPECT_NE(result.message().find("stopping"), std::string::npos) << result.ToString();
  EXPECT_NE(result.message().find("--after-seq 0"), std::string::npos) << result.ToString();
}

TEST(StoreFollowTest, AStoreOpenedInThisProcessFollowsItsOwnAppends) {
  test::TempDir dir;
  Options options;
  options.create_if_missing = true;
  auto store = Store::Open(dir.Sub("db"), options);
  ASSERT_OK(store.status());
  ASSERT_OK(AppendNote(**store, "s", "before"));
  std::vector<uint64_t> seen;
  std::thread follower([&] {
    LogRange range;
    range.limit = 4;
    EXPECT_OK((*store)->Follow(range, [&](const Event& e) {
      seen.push_back(e.seq());
      return true;
    }));
  });
  for (int i = 0; i < 3; ++i) ASSERT_OK(AppendNote(**store, i ? "s" : "t", "after"));
  follower.join();
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3, 4}));
  // keep_going ends a follow that waits.
  FollowOptions stop;
  stop.poll_micros = 1000;
  stop.keep_going = [] { return false; };
  LogRange after;
  after.after_seq = 4;
  EXPECT_OK((*store)->Follow(after, [](const Event&) { return true; }, stop));
}

TEST(AppendGroupTest, EachAppendOfAGroupStandsAloneAndTheyShareOneWrite) {
  test::TempDir dir;
  int64_t clock = 1700000000000000;
  auto store = test::OpenWithClock(dir.Sub("db"), &clock);
  ASSERT_OK(store.status());
  std::vector<internal::StoreImpl::GroupAppend> group(3);
  const EventTypes types = (*store)->Types();
  group[0].events.push_back(Note("a", "one", types));
  group[1].events.push_back(Note("b", "two", types));
  group[1].options.expected_versions["b"] = 7;  // fails alone
  group[2].events.push_back(Note("a", "three", types));
  group[2].events.push_back(Note("c", "four", types));
  (*store)->AppendGroup(&group);
  ASSERT_OK(group[0].result->status());
  EXPECT_TRUE(group[1].result->status().IsConflict()) << group[1].result->status().ToString();
  ASSERT_OK(group[2].result->status());
  EXPECT_EQ((*group[0].result)->front().seq, 1u);
  EXPECT_EQ((*group[2].result)->at(1).seq, 3u);
  // Each append has its own recorded_at, as separate Append calls do.
  auto first = (*store)->GetBySeq(1), second = (*store)->GetBySeq(2);
  EXPECT_LT(first->recorded_at_micros(), second->recorded_at_micros());
  EXPECT_TRUE((*store)->GetStream("b").status().IsNotFound());
  ASSERT_OK((*store)->Verify().status());
  EXPECT_TRUE((*store)->Verify()->ok());
}

}  // namespace
}  // namespace annals
