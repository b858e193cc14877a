// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7 without the store (vocabulary_spec_fixture.h):
// SPEC §7's own merger_review example, verbatim, registers, folds reviews and derives
// its status.

#include <gtest/gtest.h>

#include "vocabulary/vocabulary.h"
#include "vocabulary_spec_fixture.h"

namespace annals {
namespace test {
namespace {

// ---- SPEC §7's own example --------------------------------------------------------------

// Verbatim from SPEC §7 (the file id and all).
const char kMergerReview[] = R"capnp(@0xc2f5a1e0b9d84e17;
using A = import "/annals/vocabulary.capnp";
$A.vocabulary("merger_review");

enum Verdict { cleared @0; blocked @1; remedies @2; }

struct ReviewOpened $A.event("review_opened") $A.summary("{regulator} opens a review")
    $A.on([(upsert = (path = "reviews", key = "data.regulator",
                      fields = ["status = 'open'", "opened = effective"]))]) {
  regulator @0 :Text $A.required;
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
)capnp";

TEST(VocabularySpecTest, SpecExampleRegistersWithItsTwoEventTypes) {
  auto v = Compile(kMergerReview, "merger_review.capnp");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->name(), "merger_review");
  ASSERT_EQ(v->types().size(), 2u);
  EXPECT_NE(v->FindType("review_opened"), nullptr);
  EXPECT_NE(v->FindType("review_decided"), nullptr);
  EXPECT_EQ(v->FindType("review"), nullptr);
}

TEST(VocabularySpecTest, SpecExampleFoldsReviewsAndDerivesStatus) {
  Folder f(Compile(kMergerReview));
  // The empty state: derived for it too; an unset map is {}.
  EXPECT_EQ(f.Json(), R"({"status":"none","reviews":{}})");
  f.Apply("review_opened", "2022-12-08", R"({"regulator":"FTC"})");
  f.Apply("review_opened", "2022-07-06", R"({"regulator":"CMA"})");
  EXPECT_EQ(f.Json(), R"({"status":"under_review","reviews":{)"
                      R"("CMA":{"status":"open","opened":"2022-07-06"},)"
                      R"("FTC":{"status":"open","opened":"2022-12-08"}}})");
  // merge keeps `opened`; the enumerant is stored in a Text field by name.
  f.Apply("review_decided", "2023-04-26", R"({"regulator":"CMA","verdict":"blocked"})");
  EXPECT_EQ(f.Json(), R"({"status":"blocked","reviews":{)"
                      R"("CMA":{"status":"blocked","opened":"2022-07-06","decided":"2023-04-26"},)"
                      R"("FTC":{"status":"open","opened":"2022-12-08"}}})");
  f.Apply("review_decided", "2023-10-13", R"({"regulator":"CMA","verdict":"remedies"})");
  EXPECT_EQ(f.Json(), R"({"status":"under_review","reviews":{)"
                      R"("CMA":{"status":"remedies","opened":"2022-07-06","decided":"2023-10-13"},)"
                      R"("FTC":{"status":"open","opened":"2022-12-08"}}})");
  f.Apply("review_decided", "2023-10-14", R"({"regulator":"FTC","verdict":"cleared"})");
  EXPECT_EQ(f.Json(), R"({"status":"cleared","reviews":{)"
                      R"("CMA":{"status":"remedies","opened":"2022-07-06","decided":"2023-10-13"},)"
                      R"("FTC":{"status":"cleared","opened":"2022-12-08",)"
                      R"("decided":"2023-10-14"}}})");
  // upsert replaces the whole element: `decided` goes.
  f.Apply("review_opened", "2023-08-22", R"({"regulator":"CMA"})");
  EXPECT_EQ(f.Json(), R"({"status":"under_review","reviews":{)"
                      R"("CMA":{"status":"open","opened":"2023-08-22"},)"
                      R"("FTC":{"status":"cleared","opened":"2022-12-08",)"
                      R"("decided":"2023-10-14"}}})");
  EXPECT_EQ(f.RestartedJson(), f.Json());
}

TEST(VocabularySpecTest, SpecExampleMergeCreatesAReviewDecidedBeforeItWasOpened) {
  Folder f(Compile(kMergerReview));
  f.Apply("review_decided", "2022-10~", R"({"regulator":"CADE","verdict":"cleared"})");
  EXPECT_EQ(f.Json(), R"({"status":"cleared","reviews":{)"
                      R"("CADE":{"status":"cleared","decided":"2022-10~"}}})");
}

}  // namespace
}  // namespace test
}  // namespace annals
