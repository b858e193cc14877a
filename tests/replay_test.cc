// Copyright annals authors.
//
// The audit replay of streams recorded in report order (random valid times), at the
// store's default snapshot settings: a re-fold that stops where the new fold meets a
// snapshot of the old one must give exactly the changes of the full states before and
// after each event.  (The oracle test covers the same with tiny intervals.)

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "annals/store.h"
#include "test_util.h"

namespace annals {
namespace {

using test::TempDir;

class ReplayTest : public testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.create_if_missing = true;
    options.sync = false;
    auto s = Store::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  void AppendAll(const std::vector<std::string>& lines) {
    std::vector<NewEvent> batch;
    for (const auto& l : lines) {
      auto e = NewEvent::FromJson(l);
      ASSERT_TRUE(e.ok()) << e.status().ToString() << " for " << l;
      batch.push_back(std::move(e).value());
    }
    auto r = store_->Append(std::move(batch), {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // Every replayed event's changes against DiffStates of the latest states known just
  // before and just after it.
  void ExpectReplayMatchesStates() {
    uint64_t replayed = 0;
    uint64_t last = 0;
    ASSERT_OK(store_->Replay(LogRange(), [&](const ReplayEntry& r) {
      const std::string stream(r.event.stream());
      const uint64_t seq = r.event.seq();
      State before;
      auto b = store_->GetState(TimeQuery{stream, "", "@" + std::to_string(seq - 1)});
      if (b.ok()) before = *b;
      auto a = store_->GetState(TimeQuery{stream, "", "@" + std::to_string(seq)});
      EXPECT_TRUE(a.ok());
      EXPECT_EQ(ChangesJson(r.changes), ChangesJson(DiffStates(before, *a))) << "seq " << seq;
      ++replayed;
      last = seq;
      return !HasFailure();
    }));
    EXPECT_EQ(replayed, last);
  }

  // The changes replay reports for the events at `seqs` against DiffStates of the latest
  // states known just before and just after each.
  void ExpectReplayMatchesStatesAt(const std::vector<uint64_t>& seqs) {
    uint64_t checked = 0;
    ASSERT_OK(store_->Replay(LogRange(), [&](const ReplayEntry& r) {
      const uint64_t seq = r.event.seq();
      if (std::find(seqs.begin(), seqs.end(), seq) == seqs.end()) return true;
      const std::string stream(r.event.stream());
      auto b = store_->GetState(TimeQuery{stream, "", "@" + std::to_string(seq - 1)});
      auto a = store_->GetState(TimeQuery{stream, "", "@" + std::to_string(seq)});
      EXPECT_TRUE(b.ok() && a.ok());
      EXPECT_FALSE(r.changes.empty()) << "seq " << seq;
      EXPECT_EQ(ChangesJson(r.changes), ChangesJson(DiffStates(*b, *a))) << "seq " << seq;
      ++checked;
      return !HasFailure();
    }));
    EXPECT_EQ(checked, seqs.size());
  }

  static std::string ChangesJson(const std::vector<Change>& changes) {
    std::string out;
    for (const auto& c : changes) out += c.path + ": " + c.from_json + " -> " + c.to_json + " (" + c.from_text + " -> " +
             c.to_text + ")\n";
    return out;
  }

  // Minute `m` after 2020-01-01, as written in a JSON line.
  static std::string Minute(uint64_t m) {
    const int64_t base = 1577836800LL * 1000000;
    return FormatInstant(base + static_cast<int64_t>(m) * 60 * 1000000).substr(0, 16) + "Z";
  }

  static std::string Line(const std::string& stream, uint64_t i, uint64_t minute) {
    static const char* kPartners[] = {"Baidu", "Tencent", "ByteDance"};
    static const char* kStatus[] = {"opened", "ongoing", "stalled", "ended"};
    const std::string head = R"({"id":")" + stream + "-" + std::to_string(i) +
                             R"(","stream":")" + stream + R"(","effective":")" +
                             Minute(minute) + R"(",)";
    switch (i % 5) {
      case 0:
      case 1:
        return head + R"("type":"partner_talks","data":{"partner":")" + kPartners[i % 3] +
               R"(","status":")" + kStatus[(i / 5) % 4] + R"("}})";
      case 2:
        return head + R"("type":"fact","data":{"key":"k)" + std::to_string(i % 7) +
               R"(","value":"v)" + std::to_string(i) + R"("}})";
      case 3:
        return head + R"("type":"note","data":{"text":"n"}})";
      default:
        // A list that grows: its effect lasts to the end of the stream.
        return head + R"("type":"submission_filed","data":{"regulator":"R)" +
               std::to_string(i % 4) + R"("}})";
    }
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ReplayTest, StreamInReportOrderReplaysTheChangesOfItsStates) {
  const uint64_t n = 1200;
  std::vector<uint64_t> minutes(n);
  for (uint64_t i = 0; i < n; ++i) minutes[i] = i;
  std::mt19937_64 rng(11);
  std::shuffle(minutes.begin(), minutes.end(), rng);
  std::vector<std::string> lines;
  for (uint64_t i = 0; i < n; ++i) lines.push_back(Line("s", i, minutes[i]));
  AppendAll(lines);
  ExpectReplayMatchesStates();
}

TEST_F(ReplayTest, BackDatedCorrectedAndRetractedEventsAmongInOrderOnes) {
  std::vector<std::string> lines;
  std::mt19937_64 rng(5);
  for (uint64_t i = 0; i < 900; ++i) {
    // Mostly in order; every seventh event back-dated by up to 300 minutes.
    const uint64_t minute = 1000 + i - (i % 7 == 3 ? rng() % 300 : 0);
    lines.push_back(Line(i % 2 ? "a" : "b", i, minute));
    if (i % 50 == 49) {
      const uint64_t target = i - 40 - (i % 2 ? 1 : 0) + 1;  // an earlier event of its stream
      const std::string stream = target % 2 ? "a" : "b";
      const std::string id = stream + "-" + std::to_string(target);
      if (i % 100 == 49) {
        lines.push_back(R"({"stream":")" + stream + R"(","type":"retraction","data":{"target":")" +
                        id + R"(","reason":"wrong"}})");
      } else {
        lines.push_back(R"({"stream":")" + stream + R"(","type":"correction","data":{"target":")" +
                        id + R"(","effective":")" + Minute(target / 2) +
                        R"(","reason":"moved"}})");
      }
    }
  }
  AppendAll(lines);
  ExpectReplayMatchesStates();
}

// Replay keeps the most recent events to read back when it re-folds, and reads older ones
// from the store.  Events back-dated to the start of a long stream re-fold every event of
// it, most of them older than that window.
TEST_F(ReplayTest, EventsBackDatedToTheStartOfALongStreamReFoldItAll) {
  const uint64_t n = 9000;
  std::vector<std::string> lines;
  for (uint64_t i = 0; i < n; ++i) lines.push_back(Line("s", i, 100 + i));
  // Two filings (i % 5 == 4) before everything: the submissions list shifts each time.
  lines.push_back(Line("s", n + 4, 1));
  lines.push_back(Line("s", n + 9, 0));
  AppendAll(lines);
  ExpectReplayMatchesStatesAt({n + 1, n + 2});
}

}  // namespace
}  // namespace annals
