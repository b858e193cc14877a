// Copyright annals authors.
//
// Vocabularies through the real binary (SPEC §7): `vocab add|list|show`, and a registered
// vocabulary working with every command (append with --set converted by field type,
// import, state, history, diff, replay, log, export/restore, verify) bitemporally, as the
// built-in `deal` does.  The vocabulary is the example of SPEC §7.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace annals {
namespace {

using test::Lines;
using test::RunAnnals;
using test::RunResult;
using test::TempDir;

// SPEC §7's example, with an optional Bool and Int32 to show --set conversions.
const char kMergerReview[] = R"(@0xc2f5a1e0b9d84e17;
using A = import "/annals/vocabulary.capnp";
$A.vocabulary("merger_review");

enum Verdict { cleared @0; blocked @1; remedies @2; }

struct ReviewOpened $A.event("review_opened") $A.summary("{regulator} opens a review")
    $A.on([(upsert = (path = "reviews", key = "data.regulator",
                      fields = ["status = 'open'", "opened = effective"]))]) {
  regulator @0 :Text $A.required;
  urgent @1 :Bool;
  staff @2 :Int32;
}
struct ReviewDecided $A.event("review_decided") $A.summary("{regulator}: {verdict}")
    $A.on([(merge = (path = "reviews", key = "data.regulator",
                     fields = ["status = data.verdict", "decided = effective"]))]) {
  regulator @0 :Text $A.required;
  verdict @1 :Verdict $A.required;
}
struct State $A.state {
  status @0 :Text $A.derive([
      (value = "'blocked'", when = [(ref = "state.reviews", any = [(ref = "it.status", eq = "'blocked'")])]),
      (value = "'under_review'", when = [(ref = "state.reviews", any = [(ref = "it.status", eq = "'open'")])]),
      (value = "'cleared'", when = [(ref = "state.reviews", isSet = void)]),
      (value = "'none'")]);
  reviews @1 :List(Review) $A.map(key = "regulator");
  struct Review { regulator @0 :Text; status @1 :Text; opened @2 :Text; decided @3 :Text; }
}
)";

class VocabularyCliTest : public testing::Test {
 protected:
  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--db", db_});
    return RunAnnals(args, input);
  }
  void Ok(std::vector<std::string> args, const std::string& input = "") {
    RunResult r = Run(args, input);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string File(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    test::WriteFile(path, text);
    return path;
  }
  std::string StateJson(const std::string& as_of = "", const std::string& known_at = "") {
    std::vector<std::string> args = {"state", "--stream", "m", "--format", "json"};
    if (!as_of.empty()) args.insert(args.end(), {"--as-of", as_of});
    if (!known_at.empty()) args.insert(args.end(), {"--known-at", known_at});
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  void Register() {
    RunResult r = Run({"vocab", "add", File("merger.capnp", kMergerReview)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "registered merger_review version 1 (seq 1): review_opened, review_decided\n");
  }

  TempDir dir_;
  std::string db_ = dir_.Sub("store");
};

TEST_F(VocabularyCliTest, RegisteredVocabularyAnswersBitemporalQuestions) {
  ASSERT_NO_FATAL_FAILURE(Register());
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "review_opened", "--effective",
                              "2022-12", "--set", "regulator=FTC", "--id", "ftc"}));
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "review_opened", "--effective",
                              "2022-09~", "--set", "regulator=CMA"}));
  EXPECT_EQ(StateJson("2022-10"),
            R"({"stream":"m","as_of":"2022-10","known_at":null,"status":"under_review",)"
            R"("reviews":{"CMA":{"status":"open","opened":"2022-09~"}},"facts":{},)"
            R"("events_applied":1,"tentative":[]})" "\n");
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "review_decided", "--effective",
                              "2023-04-26", "--set", "regulator=CMA", "--set", "verdict=blocked"}));
  EXPECT_NE(StateJson().find(R"("status":"blocked")"), std::string::npos);
  // Known at @3 (before the decision) the CMA review is still open.
  EXPECT_NE(StateJson("", "@3").find(R"("CMA":{"status":"open","opened":"2022-09~"})"),
            std::string::npos);
  // A back-dated correction, and a retraction, as for any vocabulary.
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "correction", "--set",
                              "target=ftc", "--set", "effective=2022-11"}));
  EXPECT_NE(StateJson("2022-11-30").find(R"("FTC":{"status":"open","opened":"2022-11"})"),
            std::string::npos);
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "retraction", "--set",
                              "target=ftc", "--set", "reason=misreported"}));
  EXPECT_EQ(StateJson().find("FTC"), std::string::npos);

  // history and log text use $summary.
  RunResult h = Run({"history", "--stream", "m"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("CMA opens a review"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("CMA: blocked"), std::string::npos) << h.out;
  RunResult log = Run({"log", "--stream", "m"});
  EXPECT_NE(log.out.find("CMA: blocked"), std::string::npos) << log.out;

  // diff and replay, leaf by leaf.
  RunResult d = Run({"diff", "--stream", "m", "--from", "2022-10", "--to", "2023-05",
                     "--format", "json"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find(R"({"path":"reviews.CMA.status","from":"open","to":"blocked"})"),
            std::string::npos)
      << d.out;
  RunResult replay = Run({"replay", "--stream", "m", "--format", "json"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  std::vector<std::string> steps = Lines(replay.out);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_NE(steps[0].find(R"({"path":"reviews.FTC.opened","from":null,"to":"2022-12"})"),
            std::string::npos)
      << steps[0];
  EXPECT_NE(steps[0].find(R"({"path":"status","from":"none","to":"under_review"})"),
            std::string::npos)
      << steps[0];
  EXPECT_NE(steps[4].find(R"({"path":"reviews.FTC.status","from":"open","to":null})"),
            std::string::npos)
      << steps[4];

  // export / restore keep the registration, and the copy answers the same.
  RunResult exported = Run({"export"});
  ASSERT_EQ(exported.exit_code, 0);
  EXPECT_NE(Lines(exported.out)[0].find(R"("stream":"$vocabulary")"), std::string::npos);
  EXPECT_NE(Lines(exported.out)[0].find(R"("type":"vocabulary")"), std::string::npos);
  const std::string copy = dir_.Sub("copy");
  RunResult restored = RunAnnals({"--db", copy, "restore", "-"}, exported.out);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  RunResult copy_state = RunAnnals({"--db", copy, "state", "--stream", "m", "--format", "json"});
  EXPECT_EQ(copy_state.out, StateJson());
  EXPECT_EQ(RunAnnals({"--db", copy, "export"}).out, exported.out);
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
  EXPECT_EQ(RunAnnals({"--db", copy, "verify"}).exit_code, 0);
}

TEST_F(VocabularyCliTest, SetConvertsByFieldTypeAndDataFieldsAreChecked) {
  ASSERT_NO_FATAL_FAILURE(Register());
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "review_opened", "--effective",
                              "2023", "--set", "regulator=EC", "--set", "urgent=true", "--set",
                              "staff=12"}));
  RunResult log = Run({"log", "--format", "json", "--after-seq", "1"});
  EXPECT_NE(log.out.find(R"("data":{"regulator":"EC","urgent":true,"staff":12})"),
            std::string::npos)
      << log.out;
  struct Case {
    std::vector<std::string> set;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"regulator=EC", "urgent=yes"}, "true or false"},
           {{"regulator=EC", "staff=many"}, "number"},
           {{"regulator=EC", "staff=3000000000"}, "staff"},
           {{"urgent=true"}, "data.regulator"},
           {{"regulator=EC", "color=red"}, "unknown field 'data.color'"}}) {
    std::vector<std::string> args = {"append", "--stream", "m", "--type", "review_opened",
                                     "--effective", "2023"};
    for (const auto& s : c.set) args.insert(args.end(), {"--set", s});
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  RunResult bad = Run({"append", "--stream", "m", "--type", "review_decided", "--effective",
                       "2023", "--set", "regulator=EC", "--set", "verdict=maybe"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("cleared|blocked|remedies"), std::string::npos) << bad.err;
  // Nothing of those was written.
  EXPECT_EQ(Lines(Run({"log", "--format", "json"}).out).size(), 2u);
}

TEST_F(VocabularyCliTest, AStreamBelongsToTheVocabularyOfItsFirstDomainEvent) {
  ASSERT_NO_FATAL_FAILURE(Register());
  // Core types first: no vocabulary yet; the state has only the core fields.
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "note", "--effective", "2022",
                              "--set", "text=watching"}));
  EXPECT_EQ(StateJson(), R"({"stream":"m","as_of":null,"known_at":null,"facts":{},)"
                         R"("events_applied":1,"tentative":[]})" "\n");
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "review_opened", "--effective",
                              "2022-07", "--set", "regulator=CMA"}));
  RunResult r = Run({"append", "--stream", "m", "--type", "partner_talks", "--effective",
                     "2023", "--set", "partner=X", "--set", "status=opened"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("belongs to the vocabulary 'merger_review'"), std::string::npos) << r.err;
  // Known before the first domain event, the stream still had no vocabulary.
  EXPECT_EQ(StateJson("", "@2").find("status"), std::string::npos);
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
}

TEST_F(VocabularyCliTest, ListShowAndIdempotentAdd) {
  RunResult none = Run({"vocab", "list"});
  EXPECT_EQ(none.exit_code, 5);  // no store yet
  ASSERT_NO_FATAL_FAILURE(Register());
  RunResult again = Run({"vocab", "add", dir_.Sub("merger.capnp")});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already registered (nothing written)"), std::string::npos);
  RunResult list = Run({"vocab", "list", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out,
            R"({"name":"deal","version":1,"seq":null,"types":["partner_talks","partner_chosen",)"
            R"("submission_filed","submission_decided","launch_target_set","launched"]})" "\n"
            R"({"name":"merger_review","version":1,"seq":1,"types":["review_opened",)"
            R"("review_decided"]})" "\n");
  RunResult show = Run({"vocab", "show", "merger_review"});
  EXPECT_EQ(show.out, kMergerReview);
  EXPECT_EQ(Run({"vocab", "show", "nope"}).exit_code, 1);
  EXPECT_EQ(Run({"vocab", "show", "merger_review", "--version", "2"}).exit_code, 1);
  RunResult deal = Run({"vocab", "show", "deal"});
  EXPECT_NE(deal.out.find("$A.vocabulary(\"deal\")"), std::string::npos);
  // `help append` lists the store's event types with their fields.
  RunResult help = Run({"help", "append"});
  EXPECT_NE(help.out.find("vocabulary merger_review"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("review_decided        regulator (Text, required), verdict (one of "
                          "cleared|blocked|remedies, required)"),
            std::string::npos)
      << help.out;
  // Only one registration event was written.
  EXPECT_EQ(Lines(Run({"log", "--stream", "$vocabulary"}).out).size(), 1u);
}

TEST_F(VocabularyCliTest, RegistrationErrorsSayWhereAndWriteNothing) {
  struct Case {
    std::string source;
    std::string message;
  };
  std::string header = "@0xc2f5a1e0b9d84e17;\nusing A = import \"/annals/vocabulary.capnp\";\n"
                       "$A.vocabulary(\"v\");\n";
  for (const Case& c : std::vector<Case>{
           {header + "struct E $A.event(\"e\") { x @0 :Txt; }\n", "bad.capnp:4:"},
           {header + "struct E $A.event(\"e\") $A.on([(set = (path = \"n\", value = \"data.y\"))])"
                     " { x @0 :Text; }\nstruct State $A.state { n @0 :Text; }\n",
            "e: effect 1 (set)"},
           {header + "struct E $A.event(\"e\") { x @0 :Text; }\n", "missing state"},
           {header + "struct E $A.event(\"partner_talks\") { x @0 :Text; }\n"
                     "struct State $A.state { n @0 :Text; }\n",
            "belongs to the vocabulary 'deal'"},
           {"@0xc2f5a1e0b9d84e17;\nusing X = import \"/etc/x.capnp\";\n", "/etc/x.capnp"}}) {
    RunResult r = Run({"vocab", "add", File("bad.capnp", c.source)});
    EXPECT_EQ(r.exit_code, 2) << c.source;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  // Unknown shipped name.
  RunResult r = Run({"vocab", "add", "no_such_vocabulary"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("acquisition"), std::string::npos) << r.err;  // names what ships
  EXPECT_NE(Run({"log"}).exit_code, 0);  // no store was made: nothing written
}

TEST_F(VocabularyCliTest, NewVersionsEvolveAndKnownAtFoldsWithTheRulesKnownThen) {
  ASSERT_NO_FATAL_FAILURE(Register());
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "review_opened", "--effective",
                              "2022-07", "--set", "regulator=CMA"}));
  // Version 2 adds a field and a type and changes the derived status's wording.
  std::string v2 = kMergerReview;
  v2.replace(v2.find("'under_review'"), 14, "'in_review'");
  v2.replace(v2.find("  staff @2 :Int32;\n"), 18, "  staff @2 :Int32;\n  phase @3 :Text;\n");
  RunResult r = Run({"vocab", "add", File("merger2.capnp", v2)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("registered merger_review version 2 (seq 3)", 0), 0u) << r.out;
  EXPECT_NE(StateJson().find(R"("status":"in_review")"), std::string::npos);
  EXPECT_NE(StateJson("", "@2").find(R"("status":"under_review")"), std::string::npos);
  ASSERT_NO_FATAL_FAILURE(Ok({"append", "--stream", "m", "--type", "review_opened", "--effective",
                              "2022-09", "--set", "regulator=CMA", "--set", "phase=2"}));
  // An incompatible version 3 is refused, naming the type, field and rule.
  std::string v3 = v2;
  v3.replace(v3.find("regulator @0 :Text $A.required;\n  urgent"), 9, "agency   ");
  r = Run({"vocab", "add", File("merger3.capnp", v3)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("review_opened"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("regulator"), std::string::npos) << r.err;
  // The built-in deal upgrades like any other: version 2.
  std::string deal = Run({"vocab", "show", "deal"}).out;
  deal.replace(deal.find("  release @1 :Text;\n"), 20, "  release @1 :Text;\n  region @2 :Text;\n");
  r = Run({"vocab", "add", File("deal.capnp", deal)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("registered deal version 2", 0), 0u) << r.out;
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
}

TEST_F(VocabularyCliTest, ShippedAcquisitionRegistersByNameAndTakesItsSample) {
  RunResult r = Run({"vocab", "add", "acquisition"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("registered acquisition version 1 (seq 1)", 0), 0u) << r.out;
  r = Run({"import", std::string(ANNALS_SOURCE_DIR) + "/examples/msft-atvi.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // In June 2023 the CMA had blocked it; by September the CMA reviewed a restructured deal
  // and the FTC's cases went on; it closed in October.
  for (const auto& [as_of, status] : std::vector<std::pair<std::string, std::string>>{
           {"2023-06-30", "blocked"}, {"2023-09-01", "litigation"}, {"2023-10-31", "closed"}}) {
    RunResult s = Run({"state", "--stream", "msft-atvi", "--as-of", as_of, "--format", "json"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    EXPECT_NE(s.out.find("\"status\":\"" + status + "\""), std::string::npos) << s.out;
  }
  EXPECT_EQ(Run({"verify"}).exit_code, 0);
}

}  // namespace
}  // namespace annals
