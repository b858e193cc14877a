// Copyright annals authors.
//
// The projection engine and the bitemporal queries (SPEC §2-3; projection_fixture.h):
// one test per row of the event table, the phase rules, and the adversarial cases (ties
// in valid time, corrected back-dated events, retracting the choice of a partner, a
// slipped launch target corrected).

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "projection_fixture.h"

namespace annals {
namespace test {
namespace {

// The deal's state as a struct (deal_oracle.h).
using State = test::DealState;

// ---- SPEC §2, row by row ---------------------------------------------------------------

TEST_F(ProjectionTest, PartnerTalksSetsStatusSinceAndReason) {
  Append({Talks("t1", "2024-06", "Baidu", "opened"),
          Talks("t2", "2024-11~", "Baidu", "ended", "privacy concerns")});
  State s = Get();
  ASSERT_EQ(s.partners.count("Baidu"), 1u);
  EXPECT_EQ(s.partners["Baidu"].status, "ended");
  EXPECT_EQ(s.partners["Baidu"].since, "2024-11~");
  EXPECT_EQ(s.partners["Baidu"].reason, "privacy concerns");
  EXPECT_EQ(Get("2024-08").partners["Baidu"].status, "opened");
  EXPECT_EQ(Get("2024-08").partners["Baidu"].reason, "");
}

TEST_F(ProjectionTest, EndingTalksWithTheChosenPartnerClearsChosenPartner) {
  Append({Chosen("c1", "2025-01", "Alibaba"), Talks("t1", "2025-02", "Tencent", "ended"),
          Talks("t2", "2025-03", "Alibaba", "ended")});
  EXPECT_EQ(Get("2025-02").chosen_partner, std::optional<std::string>("Alibaba"));
  State s = Get("2025-03");
  EXPECT_FALSE(s.chosen_partner.has_value());
  EXPECT_EQ(s.partners["Alibaba"].status, "ended");
}

TEST_F(ProjectionTest, ChoosingAnotherPartnerDropsThePreviousOne) {
  Append({Talks("t1", "2024", "Baidu", "opened"), Chosen("c1", "2025-01", "Baidu", "model"),
          Chosen("c2", "2025-02", "Alibaba", "models and data")});
  State s = Get();
  EXPECT_EQ(s.chosen_partner, std::optional<std::string>("Alibaba"));
  EXPECT_EQ(s.partners["Alibaba"].status, "chosen");
  EXPECT_EQ(s.partners["Alibaba"].since, "2025-02");
  EXPECT_EQ(s.partners["Alibaba"].role, "models and data");
  EXPECT_EQ(s.partners["Baidu"].status, "dropped");
  EXPECT_EQ(s.partners["Baidu"].since, "2025-02");
  EXPECT_EQ(Get("2025-01").partners["Baidu"].status, "chosen");
}

TEST_F(ProjectionTest, SubmissionFiledAddsAPendingSubmission) {
  Append({Ev("f1", "submission_filed", "2025-02~",
             "{\"regulator\":\"CAC\",\"scope\":\"features\",\"with\":[\"Apple\",\"Alibaba\"]}")});
  State s = Get();
  ASSERT_EQ(s.submissions.size(), 1u);
  EXPECT_EQ(s.submissions[0].regulator, "CAC");
  EXPECT_EQ(s.submissions[0].filed, std::optional<std::string>("2025-02~"));
  EXPECT_EQ(s.submissions[0].scope, "features");
  EXPECT_EQ(s.submissions[0].with, (std::vector<std::string>{"Apple", "Alibaba"}));
  EXPECT_EQ(s.submissions[0].status, "pending");
}

TEST_F(ProjectionTest, DecisionSetsTheRegulatorsLatestFilingBeforeIt) {
  Append({Filed("f1", "2025-01", "CAC", "first"), Filed("f2", "2025-02", "CAC", "second"),
          Filed("m1", "2025-02-15", "MIIT"), Decided("d1", "2025-03", "CAC", "approved"),
          // filed after the decision in valid time: stays pending
          Filed("f3", "2025-04", "CAC", "third")});
  State s = Get();
  ASSERT_EQ(s.submissions.size(), 4u);
  EXPECT_EQ(s.submissions[0].status, "pending");
  EXPECT_EQ(s.submissions[1].status, "approved");
  EXPECT_EQ(s.submissions[1].decided, "2025-03");
  EXPECT_EQ(s.submissions[2].regulator, "MIIT");
  EXPECT_EQ(s.submissions[2].status, "pending");
  EXPECT_EQ(s.submissions[3].scope, "third");
  EXPECT_EQ(s.submissions[3].status, "pending");
}

TEST_F(ProjectionTest, DecisionWithoutAFilingAddsOneWithFiledNull) {
  Append({Decided("d1", "2025-03", "CAC", "conditional")});
  State s = Get();
  ASSERT_EQ(s.submissions.size(), 1u);
  EXPECT_FALSE(s.submissions[0].filed.has_value());
  EXPECT_EQ(s.submissions[0].status, "conditional");
  EXPECT_NE(s.ToJson().find("\"filed\":null"), std::string::npos) << s.ToJson();
}

TEST_F(ProjectionTest, BackDatedFilingTakesTheDecisionsPlace) {
  Append({Decided("d1", "2025-03", "CAC", "approved")});
  ASSERT_FALSE(Get().submissions.at(0).filed.has_value());
  Append({Filed("f1", "2025-01", "CAC", "features")});  // recorded late, happened early
  State s = Get();
  ASSERT_EQ(s.submissions.size(), 1u);
  EXPECT_EQ(s.submissions[0].filed, std::optional<std::string>("2025-01"));
  EXPECT_EQ(s.submissions[0].status, "approved");
  EXPECT_EQ(s.submissions[0].scope, "features");
  // Known before the filing was recorded: the decision stands alone.
  EXPECT_FALSE(Get("", "@1").submissions.at(0).filed.has_value());
}

TEST_F(ProjectionTest, LaunchTargetSetKeepsReplacedTargetsInPrevious) {
  Append({Target("l1", "2024-12", "2025-03"), Target("l2", "2025-02", "2025-04"),
          Target("l3", "2025-04-20", "2025-Q3")});
  State s = Get();
  ASSERT_TRUE(s.launch_target.has_value());
  EXPECT_EQ(s.launch_target->current.target, "2025-Q3");
  EXPECT_EQ(s.launch_target->current.set, "2025-04-20");
  EXPECT_EQ(s.launch_target->current.scope, "zh-Hans");
  ASSERT_EQ(s.launch_target->previous.size(), 2u);
  EXPECT_EQ(s.launch_target->previous[0].target, "2025-03");
  EXPECT_EQ(s.launch_target->previous[1].target, "2025-04");
  EXPECT_TRUE(Get("2025-03").launch_target->previous.size() == 1);
  EXPECT_FALSE(Get("2024-11").launch_target.has_value());
}

TEST_F(ProjectionTest, LaunchedSetsOnScopeAndRelease) {
  Append({Launched("x1", "2025-05-12")});
  State s = Get();
  ASSERT_TRUE(s.launched.has_value());
  EXPECT_EQ(s.launched->on, "2025-05-12");
  EXPECT_EQ(s.launched->scope, "zh-Hans");
  EXPECT_EQ(s.launched->release, "iOS 18.4");
  EXPECT_FALSE(Get("2025-05-11").launched.has_value());
}

TEST_F(ProjectionTest, FactSetsTheKeyAndAnEmptyValueRemovesIt) {
  Append({Fact("k1", "2025-01", "market", "China"), Fact("k2", "2025-02", "market", ""),
          Fact("k3", "2025-01", "blocker", "approval")});
  EXPECT_EQ(Get("2025-01").facts, (std::map<std::string, std::string>{
                                      {"market", "China"}, {"blocker", "approval"}}));
  EXPECT_EQ(Get().facts, (std::map<std::string, std::string>{{"blocker", "approval"}}));
}

TEST_F(ProjectionTest, NoteChangesNothingButIsAppliedAndInHistory) {
  Append({Talks("t1", "2024", "Baidu", "opened"), Note("n1", "2024-06")});
  annals::State with_note = EngineGet();
  annals::State before_note = EngineGet("2024-05");
  EXPECT_EQ(with_note.events_applied, 2u);
  EXPECT_TRUE(DiffStates(before_note, with_note).empty());
  EXPECT_EQ(HistoryIds(), (std::vector<std::string>{"t1", "n1"}));
}

TEST_F(ProjectionTest, CorrectionReplacesEffectiveAndGivenDataFields) {
  Append({Talks("t1", "2024-06", "Baidu", "opened", "models"),
          Correct("c1", "t1", "2024-09", "{\"status\":\"stalled\"}")});
  State s = Get();
  EXPECT_EQ(s.partners["Baidu"].status, "stalled");
  EXPECT_EQ(s.partners["Baidu"].since, "2024-09");
  EXPECT_EQ(s.partners["Baidu"].reason, "models");  // not given: kept
  EXPECT_EQ(Get("2024-08").partners.count("Baidu"), 0u);  // moved later in valid time
  EXPECT_EQ(Get("", "@1").partners["Baidu"].status, "opened");
  EXPECT_EQ(s.events_applied, 1u);  // corrections are not folded themselves
}

TEST_F(ProjectionTest, LatestCorrectionOfAFieldWins) {
  Append({Talks("t1", "2024-06", "Baidu", "opened"),
          Correct("c1", "t1", "", "{\"status\":\"stalled\",\"reason\":\"a\"}"),
          Correct("c2", "t1", "", "{\"status\":\"ended\"}")});
  State s = Get();
  EXPECT_EQ(s.partners["Baidu"].status, "ended");
  EXPECT_EQ(s.partners["Baidu"].reason, "a");  // c2 did not give it
  EXPECT_EQ(Get("", "@2").partners["Baidu"].status, "stalled");
}

TEST_F(ProjectionTest, RetractionHidesItsTargetFromItsRecordingOn) {
  Append({Talks("t1", "2024", "Baidu", "opened"), Talks("t2", "2024", "Tencent", "opened"),
          Retract("r1", "t2")});
  EXPECT_EQ(Get().partners.count("Tencent"), 0u);
  EXPECT_EQ(Get("", "@2").partners.count("Tencent"), 1u);
  EXPECT_EQ(HistoryIds(), (std::vector<std::string>{"t1"}));
}

// ---- phase -----------------------------------------------------------------------------

TEST_F(ProjectionTest, PhaseFollowsTheFirstMatchingRule) {
  // Each step adds one event that moves the phase up; as_of walks through them.
  Append({Note("n0", "2024-01"), Talks("t1", "2024-02", "Baidu", "opened"),
          Chosen("c1", "2024-03", "Alibaba"), Filed("f1", "2024-04", "CAC"),
          Decided("d1", "2024-05", "CAC", "rejected"), Filed("f2", "2024-06", "CAC"),
          Decided("d2", "2024-07", "CAC", "rejected"), Filed("f3", "2024-08", "MIIT"),
          Decided("d3", "2024-09", "MIIT", "conditional"), Launched("x1", "2024-10")});
  EXPECT_EQ(Get("2024-01").phase, "none");
  EXPECT_EQ(Get("2024-02").phase, "exploring");
  EXPECT_EQ(Get("2024-03").phase, "partner_chosen");
  EXPECT_EQ(Get("2024-04").phase, "submitted");
  EXPECT_EQ(Get("2024-05").phase, "rejected");
  EXPECT_EQ(Get("2024-06").phase, "submitted");  // pending beats rejected
  EXPECT_EQ(Get("2024-07").phase, "rejected");
  EXPECT_EQ(Get("2024-08").phase, "submitted");
  EXPECT_EQ(Get("2024-09").phase, "approved");  // conditional counts as approved
  EXPECT_EQ(Get("2024-10").phase, "launched");
}

TEST_F(ProjectionTest, ApprovedBeatsPendingAndRejected) {
  Append({Filed("f1", "2024-01", "CAC"), Decided("d1", "2024-02", "CAC", "approved"),
          Filed("f2", "2024-03", "MIIT"), Filed("f3", "2024-03", "SAMR"),
          Decided("d3", "2024-04", "SAMR", "rejected")});
  EXPECT_EQ(Get().phase, "approved");
}

TEST_F(ProjectionTest, ExploringWhenTheChosenPartnersTalksEnded) {
  Append({Chosen("c1", "2024-01", "Alibaba"), Talks("t1", "2024-02", "Alibaba", "ended")});
  EXPECT_EQ(Get("2024-01").phase, "partner_chosen");
  EXPECT_EQ(Get().phase, "exploring");
}

// ---- adversarial cases ---------------------------------------------------------------

TEST_F(ProjectionTest, TieInValidTimeFoldsInSeqOrder) {
  Append({Talks("t1", "2025-02", "Baidu", "opened"), Talks("t2", "2025-02", "Baidu", "ended"),
          Talks("t3", "2025-02", "Baidu", "stalled")});
  EXPECT_EQ(Get().partners["Baidu"].status, "stalled");
  EXPECT_EQ(HistoryIds(), (std::vector<std::string>{"t1", "t2", "t3"}));
  // Same earliest instant from different precisions: still seq order.
  Append({Chosen("c1", "2025-03-01", "Alibaba"), Chosen("c2", "2025-03", "Tencent")});
  EXPECT_EQ(Get().chosen_partner, std::optional<std::string>("Tencent"));
}

TEST_F(ProjectionTest, CorrectionOfABackDatedEventMovesItInValidTime) {
  Append({Chosen("c1", "2025-02", "Alibaba"),
          Chosen("c0", "2024-10", "Baidu"),  // back-dated: Baidu first, then Alibaba
          Correct("k1", "c0", "2025-03")});  // it was actually after Alibaba
  EXPECT_EQ(Get("", "@2").chosen_partner, std::optional<std::string>("Alibaba"));
  EXPECT_EQ(Get("", "@2").partners["Baidu"].status, "dropped");
  State s = Get();
  EXPECT_EQ(s.chosen_partner, std::optional<std::string>("Baidu"));
  EXPECT_EQ(s.partners["Alibaba"].status, "dropped");
  EXPECT_EQ(s.partners["Baidu"].since, "2025-03");
  EXPECT_EQ(HistoryIds(), (std::vector<std::string>{"c1", "c0"}));
  auto h = History();
  EXPECT_FALSE(h[0].corrected);
  EXPECT_TRUE(h[1].corrected);
  EXPECT_EQ(h[1].event.effective().text, "2025-03");
}

TEST_F(ProjectionTest, RetractingTheChoiceOfAPartnerRestoresThePreviousChoice) {
  Append({Talks("t1", "2024", "Baidu", "opened"), Chosen("c1", "2025-01", "Baidu"),
          Chosen("c2", "2025-02", "Alibaba"), Retract("r1", "c2")});
  EXPECT_EQ(Get("", "@3").chosen_partner, std::optional<std::string>("Alibaba"));
  State s = Get();
  EXPECT_EQ(s.chosen_partner, std::optional<std::string>("Baidu"));
  EXPECT_EQ(s.partners["Baidu"].status, "chosen");
  EXPECT_EQ(s.partners.count("Alibaba"), 0u);
  EXPECT_EQ(s.phase, "partner_chosen");
  Append({Retract("r2", "c1")});
  EXPECT_FALSE(Get().chosen_partner.has_value());
  EXPECT_EQ(Get().partners["Baidu"].status, "opened");
  EXPECT_EQ(Get().phase, "exploring");
}

TEST_F(ProjectionTest, LaunchTargetCorrectedAfterItSlipped) {
  Append({Target("l1", "2024-12", "2025-04"), Target("l2", "2025-03", "2025-06"),
          // the first target was really set for May, not April
          Correct("k1", "l1", "", "{\"target\":\"2025-05\"}")});
  State before = Get("", "@2");
  EXPECT_EQ(before.launch_target->previous.at(0).target, "2025-04");
  State s = Get();
  EXPECT_EQ(s.launch_target->current.target, "2025-06");
  ASSERT_EQ(s.launch_target->previous.size(), 1u);
  EXPECT_EQ(s.launch_target->previous[0].target, "2025-05");
  EXPECT_EQ(Get("2025-01").launch_target->current.target, "2025-05");
  // And a correction that moves the slip before the original target swaps their order.
  Append({Correct("k2", "l2", "2024-11")});
  s = Get();
  EXPECT_EQ(s.launch_target->current.target, "2025-05");
  EXPECT_EQ(s.launch_target->previous.at(0).target, "2025-06");
}

}  // namespace
}  // namespace test
}  // namespace annals
