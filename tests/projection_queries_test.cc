// Copyright annals authors.
//
// The projection engine and the bitemporal queries (SPEC §2-3; projection_fixture.h):
// the query flags (known_at as @N and as an instant, as_of as the last instant of what it
// names), tentative events, unknown streams and bad times, reopening, and the JSON of
// state and history.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "projection_fixture.h"

namespace annals {
namespace test {
namespace {

// The deal's state as a struct (deal_oracle.h).
using State = test::DealState;

// ---- query flags -------------------------------------------------------------------------

TEST_F(ProjectionTest, KnownAtAcceptsSeqAndInstant) {
  Append({Talks("t1", "2024", "Baidu", "opened"), Talks("t2", "2024-11", "Baidu", "ended")});
  auto first = store_->GetBySeq(1);
  ASSERT_TRUE(first.ok());
  const std::string t1(first->recorded_at());
  EXPECT_EQ(Get("", "@1").partners["Baidu"].status, "opened");
  EXPECT_EQ(Get("", t1).partners["Baidu"].status, "opened");
  EXPECT_EQ(Get("", FormatInstant(first->recorded_at_micros() + 999'999)).partners["Baidu"].status,
            "opened");
  EXPECT_EQ(Get("", FormatInstant(first->recorded_at_micros() + 1'000'000))
                .partners["Baidu"]
                .status,
            "ended");
  EXPECT_EQ(Get("", "@2").partners["Baidu"].status, "ended");
  EXPECT_EQ(Get("", "@999").partners["Baidu"].status, "ended");
  EXPECT_EQ(Get("", "@1").known_at, "@1");
  // Before anything was recorded the stream does not exist.
  auto none = store_->GetState(TimeQuery{kStream, "", "@0"});
  EXPECT_TRUE(none.status().IsNotFound()) << none.status().ToString();
  auto early = store_->GetState(TimeQuery{kStream, "", "2000-01-01T00:00:00Z"});
  EXPECT_TRUE(early.status().IsNotFound()) << early.status().ToString();
}

TEST_F(ProjectionTest, AsOfMeansTheLastInstantOfWhatItNames) {
  Append({Talks("t1", "2025-03-31T23:59Z", "Baidu", "opened")});
  EXPECT_EQ(Get("2025-03").events_applied, 1u);
  EXPECT_EQ(Get("2025-Q1").events_applied, 1u);
  EXPECT_EQ(Get("2025-03-30").events_applied, 0u);
  EXPECT_EQ(Get("2025-03-30").phase, "none");  // the stream exists: not an error
  EXPECT_EQ(Get("2025-03").as_of, "2025-03");
}

TEST_F(ProjectionTest, TentativeListsEventsThatMayNotHaveHappenedByAsOf) {
  Append({Talks("t1", "2025", "Baidu", "opened"), Talks("t2", "2025-02-10", "Tencent", "opened"),
          Chosen("c1", "2024-12/2025-04", "Alibaba")});
  State s = Get("2025-02");
  EXPECT_EQ(s.events_applied, 3u);
  EXPECT_EQ(s.tentative, (std::vector<std::string>{"c1", "t1"}));  // valid-time order
  EXPECT_TRUE(Get("2025-12-31").tentative.empty());
  EXPECT_TRUE(Get().tentative.empty());
  auto h = History("2025-02");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_TRUE(h[0].tentative);
  EXPECT_TRUE(h[1].tentative);
  EXPECT_FALSE(h[2].tentative);
}

TEST_F(ProjectionTest, UnknownStreamIsNotFoundAndBadTimesAreInvalid) {
  Append({Talks("t1", "2025", "Baidu", "opened")});
  auto s = store_->GetState(TimeQuery{"nope", "", ""});
  EXPECT_TRUE(s.status().IsNotFound());
  EXPECT_NE(s.status().message().find("nope"), std::string::npos);
  s = store_->GetState(TimeQuery{kStream, "2025-13", ""});
  EXPECT_TRUE(s.status().IsInvalidArgument());
  EXPECT_NE(s.status().message().find("2025-13"), std::string::npos);
  s = store_->GetState(TimeQuery{kStream, "", "yesterday"});
  EXPECT_TRUE(s.status().IsInvalidArgument());
  EXPECT_NE(s.status().message().find("yesterday"), std::string::npos);
  s = store_->GetState(TimeQuery{kStream, "", "@x"});
  EXPECT_TRUE(s.status().IsInvalidArgument());
  EXPECT_TRUE(store_->History(TimeQuery{"nope", "", ""}, [](const HistoryEntry&) {
                      return true;
                    }).IsNotFound());
  EXPECT_TRUE(store_->Diff(kStream, "2025", "x", "").status().IsInvalidArgument());
  EXPECT_TRUE(store_->Diff("nope", "2024", "2025", "").status().IsNotFound());
  EXPECT_TRUE(store_->Replay(LogRange{"nope", 0, {}, {}}, [](const ReplayEntry&) {
                      return true;
                    }).IsNotFound());
}

TEST_F(ProjectionTest, QueriesSurviveReopen) {
  Append({Talks("t1", "2025", "Baidu", "opened"), Correct("k1", "t1", "", "{\"status\":\"ended\"}")});
  annals::State before = EngineGet();
  Reopen();
  EXPECT_EQ(EngineGet().ToJson(), before.ToJson());
  EXPECT_EQ(Get().partners["Baidu"].status, "ended");
}

// ---- JSON ----------------------------------------------------------------------------

TEST_F(ProjectionTest, StateJsonHasTheShapeOfSpec3) {
  Append({Talks("t1", "2024-11~", "Baidu", "ended", "privacy concerns"),
          Chosen("c1", "2025-02", "Alibaba"), Filed("f1", "2025-02", "CAC", "features"),
          Target("l1", "2025-02", "2025-04")});
  EXPECT_EQ(EngineGet("2025-03-01", "@4").ToJson(),
            "{\"stream\":\"deal\",\"as_of\":\"2025-03-01\",\"known_at\":\"@4\","
            "\"phase\":\"submitted\","
            "\"partners\":{\"Alibaba\":{\"status\":\"chosen\",\"since\":\"2025-02\"},"
            "\"Baidu\":{\"status\":\"ended\",\"since\":\"2024-11~\","
            "\"reason\":\"privacy concerns\"}},"
            "\"chosen_partner\":\"Alibaba\","
            "\"submissions\":[{\"regulator\":\"CAC\",\"filed\":\"2025-02\",\"scope\":"
            "\"features\",\"status\":\"pending\"}],"
            "\"launch_target\":{\"target\":\"2025-04\",\"scope\":\"zh-Hans\",\"set\":"
            "\"2025-02\",\"previous\":[]},"
            "\"launched\":null,\"facts\":{},\"events_applied\":4,\"tentative\":[]}");
  annals::State empty = EngineGet("2000");
  EXPECT_NE(empty.ToJson().find("\"as_of\":\"2000\",\"known_at\":null,\"phase\":\"none\""),
            std::string::npos)
      << empty.ToJson();
}

TEST_F(ProjectionTest, HistoryJsonIsTheExportShapePlusCorrected) {
  Append({Talks("t1", "2024", "Baidu", "opened"), Correct("k1", "t1", "2024-05")});
  auto h = History();
  ASSERT_EQ(h.size(), 1u);
  std::string j = h[0].ToJson();
  EXPECT_NE(j.find("\"effective\":\"2024-05\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"seq\":1"), std::string::npos) << j;
  EXPECT_EQ(j.substr(j.size() - 18), ",\"corrected\":true}") << j;
}

}  // namespace
}  // namespace test
}  // namespace annals
