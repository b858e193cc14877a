// Copyright annals authors.
//
// The projection engine and the bitemporal queries (SPEC §2-3): one test per row of the
// event table, the phase rules, and the adversarial cases (ties in valid time, corrected
// back-dated events, retracting the choice of a partner, a slipped launch target
// corrected), known_at as @N and as an instant, tentative events, history, diff, replay,
// and a second projection on the same engine.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "annals/store.h"
#include "bitemporal/projection.h"
#include "log/store_impl.h"
#include "deal_oracle.h"
#include "test_util.h"

namespace annals {
namespace {

using State = test::DealState;

using test::TempDir;

constexpr char kStream[] = "deal";

// One JSON Lines event of stream "deal".
std::string Ev(const std::string& id, const std::string& type, const std::string& effective,
               const std::string& data, const std::string& publisher = "") {
  std::string out = "{\"id\":\"" + id + "\",\"stream\":\"" + kStream + "\",\"type\":\"" + type +
                    "\"";
  if (!effective.empty()) out += ",\"effective\":\"" + effective + "\"";
  if (!publisher.empty()) out += ",\"source\":{\"publisher\":\"" + publisher + "\"}";
  return out + ",\"data\":" + data + "}";
}

std::string Talks(const std::string& id, const std::string& eff, const std::string& partner,
                  const std::string& status, const std::string& reason = "") {
  std::string data = "{\"partner\":\"" + partner + "\",\"status\":\"" + status + "\"";
  if (!reason.empty()) data += ",\"reason\":\"" + reason + "\"";
  return Ev(id, "partner_talks", eff, data + "}");
}
std::string Chosen(const std::string& id, const std::string& eff, const std::string& partner,
                   const std::string& role = "") {
  std::string data = "{\"partner\":\"" + partner + "\"";
  if (!role.empty()) data += ",\"role\":\"" + role + "\"";
  return Ev(id, "partner_chosen", eff, data + "}");
}
std::string Filed(const std::string& id, const std::string& eff, const std::string& regulator,
                  const std::string& scope = "") {
  return Ev(id, "submission_filed", eff,
            "{\"regulator\":\"" + regulator + "\",\"scope\":\"" + scope + "\"}");
}
std::string Decided(const std::string& id, const std::string& eff, const std::string& regulator,
                    const std::string& decision) {
  return Ev(id, "submission_decided", eff,
            "{\"regulator\":\"" + regulator + "\",\"decision\":\"" + decision + "\"}");
}
std::string Target(const std::string& id, const std::string& eff, const std::string& target) {
  return Ev(id, "launch_target_set", eff,
            "{\"target\":\"" + target + "\",\"scope\":\"zh-Hans\"}");
}
std::string Launched(const std::string& id, const std::string& eff) {
  return Ev(id, "launched", eff, "{\"scope\":\"zh-Hans\",\"release\":\"iOS 18.4\"}");
}
std::string Fact(const std::string& id, const std::string& eff, const std::string& key,
                 const std::string& value) {
  return Ev(id, "fact", eff, "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}");
}
std::string Note(const std::string& id, const std::string& eff) {
  return Ev(id, "note", eff, "{\"text\":\"context\"}");
}
std::string Correct(const std::string& id, const std::string& target,
                    const std::string& effective, const std::string& data = "") {
  std::string d = "{\"target\":\"" + target + "\"";
  if (!effective.empty()) d += ",\"effective\":\"" + effective + "\"";
  if (!data.empty()) d += ",\"data\":" + data;
  return Ev(id, "correction", "", d + ",\"reason\":\"fix\"}");
}
std::string Retract(const std::string& id, const std::string& target) {
  return Ev(id, "retraction", "", "{\"target\":\"" + target + "\",\"reason\":\"wrong\"}");
}

class ProjectionTest : public testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto s = test::OpenWithClock(dir_.Sub("db"), &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  // Appends each line as its own transaction (its own recorded_at, one second apart).
  void Append(const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
      clock_ += 1'000'000;
      auto e = NewEvent::FromJson(line);
      ASSERT_TRUE(e.ok()) << e.status().ToString() << " for " << line;
      std::vector<NewEvent> batch;
      batch.push_back(std::move(e).value());
      auto r = store_->Append(std::move(batch), {});
      ASSERT_TRUE(r.ok()) << r.status().ToString() << " for " << line;
    }
  }

  // The state as the engine gives it.
  annals::State EngineGet(const std::string& as_of = "", const std::string& known_at = "") {
    auto s = store_->GetState(TimeQuery{kStream, as_of, known_at});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : annals::State();
  }
  // The same, read into the deal's own struct (deal_oracle.h).
  State Get(const std::string& as_of = "", const std::string& known_at = "") {
    return test::FromState(EngineGet(as_of, known_at));
  }
  // The empty state of the deal vocabulary.
  annals::State EmptyDealState() {
    internal::StateProjection empty(store_->registry()->Latest("deal")->vocabulary);
    annals::State s = empty.ToState();
    s.stream = kStream;
    return s;
  }

  std::vector<HistoryEntry> History(const std::string& as_of = "",
                                    const std::string& known_at = "") {
    std::vector<HistoryEntry> out;
    EXPECT_OK(store_->History(TimeQuery{kStream, as_of, known_at}, [&](const HistoryEntry& e) {
      out.push_back(e);
      return true;
    }));
    return out;
  }

  std::vector<std::string> HistoryIds(const std::string& as_of = "",
                                      const std::string& known_at = "") {
    std::vector<std::string> ids;
    for (const auto& e : History(as_of, known_at)) ids.emplace_back(e.event.id());
    return ids;
  }

  std::vector<ReplayEntry> Replay(const LogRange& range = LogRange()) {
    std::vector<ReplayEntry> out;
    EXPECT_OK(store_->Replay(range, [&](const ReplayEntry& e) {
      out.push_back(e);
      return true;
    }));
    return out;
  }

  TempDir dir_;
  int64_t clock_ = 1'740'000'000'000'000;  // 2025-02-19
  std::unique_ptr<internal::StoreImpl> store_;
};

std::map<std::string, std::string> ChangeMap(const std::vector<Change>& changes) {
  std::map<std::string, std::string> m;
  for (const auto& c : changes) m[c.path] = c.from_json + " -> " + c.to_json;
  return m;
}

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

// ---- the engine and a second projection ------------------------------------------------

class VectorSource : public internal::EventSource {
 public:
  explicit VectorSource(internal::StoreImpl* s) : store_(s) {}
  Result<Event> BySeq(uint64_t seq) override { return store_->GetBySeq(seq); }
  Result<Event> ById(std::string_view id) override { return store_->GetById(id); }

 private:
  internal::StoreImpl* store_;
};

TEST_F(ProjectionTest, SecondProjectionCountsPublishersOnTheSameEngine) {
  Append({Ev("a", "note", "2024", "{\"text\":\"x\"}", "The Information"),
          Ev("b", "partner_talks", "2024", "{\"partner\":\"B\",\"status\":\"opened\"}",
             "The Information"),
          Ev("c", "partner_talks", "2025", "{\"partner\":\"B\",\"status\":\"ended\"}", "Reuters"),
          Ev("d", "fact", "2024", "{\"key\":\"k\",\"value\":\"v\"}"), Retract("r", "c")});
  for (auto mode : {internal::Timeline::Mode::kInMemory, internal::Timeline::Mode::kLowMemory}) {
    VectorSource source(store_.get());
    internal::Timeline timeline(mode, &source);
    ASSERT_OK(store_->ReadStream(kStream, store_->LastSeq(), [&](const Event& e) {
      EXPECT_TRUE(timeline.Add(e).ok());
      return true;
    }));
    internal::SourceCountsProjection counts;
    internal::StateProjection state(store_->registry()->Latest("deal")->vocabulary);
    auto stats = internal::Fold(&timeline, internal::kUnboundedValidTime, {&counts, &state});
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->applied, 3u);
    const auto& c = counts.counts();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c.at("The Information").events, 2u);
    EXPECT_EQ(c.at("The Information").by_type.at("partner_talks"), 1u);
    EXPECT_EQ(c.at("The Information").by_confidence.at("reported"), 2u);
    EXPECT_EQ(c.at("").events, 1u);
    EXPECT_EQ(c.count("Reuters"), 0u);  // its only report was retracted
    EXPECT_EQ(test::FromState(state.ToState()).phase, "exploring");
  }
}

TEST_F(ProjectionTest, LowMemoryTimelineReportsWhenAnEventSortsLast) {
  Append({Note("n1", "2024-02"), Note("n2", "2024-03"), Note("n3", "2024-01"),
          Correct("k", "n1", "2024-04"), Retract("r", "n2")});
  VectorSource source(store_.get());
  internal::Timeline timeline(internal::Timeline::Mode::kLowMemory, &source);
  std::vector<internal::Timeline::Effect> effects;
  ASSERT_OK(store_->ReadStream(kStream, store_->LastSeq(), [&](const Event& e) {
    auto r = timeline.Add(e);
    EXPECT_TRUE(r.ok());
    effects.push_back(*r);
    return true;
  }));
  using E = internal::Timeline::Effect;
  EXPECT_EQ(effects, (std::vector<E>{E::kAppendedLast, E::kAppendedLast, E::kReordered,
                                     E::kReordered, E::kReordered}));
  std::vector<std::string> ids;
  ASSERT_OK(timeline.ForEach([&](const Event& e, bool) {
    ids.emplace_back(e.id());
    return true;
  }));
  EXPECT_EQ(ids, (std::vector<std::string>{"n3", "n1"}));
}

}  // namespace
}  // namespace annals
