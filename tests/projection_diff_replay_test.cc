// Copyright annals authors.
//
// The projection engine and the bitemporal queries (SPEC §2-3; projection_fixture.h):
// field-level diffs between valid times, the order of their paths, and the replay of each
// event's change, incremental or not.

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "projection_fixture.h"

namespace annals {
namespace test {
namespace {

// ---- diff and replay -----------------------------------------------------------------

TEST_F(ProjectionTest, DiffReportsFieldLevelChangesBetweenValidTimes) {
  Append({Talks("t1", "2024", "Baidu", "opened"), Talks("t2", "2024-11", "Baidu", "ended"),
          Chosen("c1", "2025-02", "Alibaba"), Filed("f1", "2025-02", "CAC"),
          Fact("k1", "2024-06", "gone", "soon"), Fact("k2", "2025-01", "gone", "")});
  auto d = store_->Diff(kStream, "2024-06", "2025-03", "");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto m = ChangeMap(d->changes);
  EXPECT_EQ(m["partners.Baidu.status"], "\"opened\" -> \"ended\"");
  EXPECT_EQ(m["partners.Baidu.since"], "\"2024\" -> \"2024-11\"");
  EXPECT_EQ(m["partners.Alibaba.status"], "null -> \"chosen\"");
  EXPECT_EQ(m["chosen_partner"], "null -> \"Alibaba\"");
  EXPECT_EQ(m["submissions.0.status"], "null -> \"pending\"");
  EXPECT_EQ(m["facts.gone"], "\"soon\" -> null");
  EXPECT_EQ(m["phase"], "\"exploring\" -> \"submitted\"");
  EXPECT_EQ(m.count("events_applied"), 0u);
  // known_at applies to both sides.
  auto early = store_->Diff(kStream, "2024-06", "2025-03", "@2");
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(ChangeMap(early->changes).count("chosen_partner"), 0u);
  EXPECT_NE(d->ToJson().find("\"changes\":[{\"path\":"), std::string::npos);
}

TEST_F(ProjectionTest, PathsOrderNumericSegmentsByValue) {
  internal::PathLess less;
  EXPECT_TRUE(less("submissions.2.status", "submissions.10.status"));
  EXPECT_FALSE(less("submissions.10.status", "submissions.2.status"));
  EXPECT_TRUE(less("launch_target", "launch_target.previous"));
  EXPECT_FALSE(less("phase", "phase"));
  EXPECT_TRUE(less("facts.a.b", "facts.a-b"));  // segment "a" < "a-b", though '.' > '-'
  EXPECT_FALSE(less("facts.a-b", "facts.a.b"));
}

// PathLess against a plain reading of its contract (test::ReferencePathLess).
TEST_F(ProjectionTest, PathOrderMatchesSegmentBySegmentComparison) {
  const auto reference = test::ReferencePathLess;
  std::mt19937 rng(11);
  const std::string alphabet = "ab.-19";
  auto path = [&] {
    std::string p = "x";
    for (size_t n = rng() % 8; n > 0; --n) p += alphabet[rng() % alphabet.size()];
    return p;
  };
  internal::PathLess less;
  for (int i = 0; i < 20000; ++i) {
    const std::string a = path(), b = i % 5 == 0 ? a + path().substr(1) : path();
    ASSERT_EQ(less(a, b), reference(a, b)) << a << " vs " << b;
  }
}

TEST_F(ProjectionTest, ReplayGivesEachEventsChangeToLatestKnowledge) {
  Append({Decided("d1", "2025-03", "CAC", "approved"), Note("n1", "2025-01"),
          Filed("f1", "2025-01", "CAC"),                       // back-dated
          Chosen("c1", "2025-02", "Alibaba"), Retract("r1", "c1"),
          Correct("k1", "f1", "", "{\"scope\":\"features\"}")});
  auto replay = Replay();
  ASSERT_EQ(replay.size(), 6u);
  auto m0 = ChangeMap(replay[0].changes);
  EXPECT_EQ(m0["submissions.0.status"], "null -> \"approved\"");
  EXPECT_EQ(m0["phase"], "\"none\" -> \"approved\"");
  EXPECT_TRUE(replay[1].changes.empty());
  auto m2 = ChangeMap(replay[2].changes);
  EXPECT_EQ(m2["submissions.0.filed"], "null -> \"2025-01\"");
  EXPECT_EQ(m2.count("submissions.0.status"), 0u);  // the decision now applies to it
  EXPECT_EQ(ChangeMap(replay[4].changes)["chosen_partner"], "\"Alibaba\" -> null");
  EXPECT_EQ(ChangeMap(replay[5].changes)["submissions.0.scope"], "null -> \"features\"");
  // Every step equals the diff of the states known before and after it.
  for (const auto& r : replay) {
    const uint64_t seq = r.event.seq();
    annals::State before =
        seq > 1 ? EngineGet("", "@" + std::to_string(seq - 1)) : EmptyDealState();
    annals::State after = EngineGet("", "@" + std::to_string(seq));
    EXPECT_EQ(ChangeMap(r.changes), ChangeMap(DiffStates(before, after))) << "seq " << seq;
  }
  // A range that starts later begins from the state before it.
  auto tail = Replay(LogRange{kStream, 3, 5, {}});
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].event.seq(), 4u);
  EXPECT_EQ(ChangeMap(tail[0].changes), ChangeMap(replay[3].changes));
  EXPECT_NE(replay[4].ToJson().find(",\"changes\":[{\"path\":"), std::string::npos);
}

TEST_F(ProjectionTest, ReplayOfChoosingTheChosenPartnerAgainListsEachChangeOnce) {
  // The second choice puts the partner in the event's scope twice (as the one chosen and
  // as the one it replaces): its changes must still come once each.
  Append({Chosen("c1", "2025-02", "Alibaba"), Chosen("c2", "2025-03", "Alibaba")});
  auto replay = Replay();
  ASSERT_EQ(replay.size(), 2u);
  std::vector<std::string> paths;
  for (const auto& c : replay[1].changes) paths.push_back(c.path);
  EXPECT_EQ(paths, std::vector<std::string>{"partners.Alibaba.since"});
  EXPECT_EQ(ChangeMap(replay[1].changes)["partners.Alibaba.since"],
            "\"2025-02\" -> \"2025-03\"");
}

TEST_F(ProjectionTest, ReplayOfAnInOrderStreamIsIncremental) {
  // 3000 in-order events: the incremental path must give the same changes as full diffs.
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i) {
    lines.push_back(Fact("f" + std::to_string(i), std::to_string(2000 + i / 12 % 999) + "-" +
                                                     (i % 12 < 9 ? "0" : "") +
                                                     std::to_string(i % 12 + 1),
                         "k" + std::to_string(i % 7), "v" + std::to_string(i)));
  }
  std::vector<NewEvent> batch;
  for (const auto& l : lines) batch.push_back(std::move(NewEvent::FromJson(l)).value());
  ASSERT_TRUE(store_->Append(std::move(batch), {}).ok());
  auto replay = Replay();
  ASSERT_EQ(replay.size(), 3000u);
  EXPECT_EQ(ChangeMap(replay[7].changes)["facts.k0"], "\"v0\" -> \"v7\"");
  EXPECT_EQ(ChangeMap(replay[2999].changes)["facts.k3"], "\"v2992\" -> \"v2999\"");
}

}  // namespace
}  // namespace test
}  // namespace annals
