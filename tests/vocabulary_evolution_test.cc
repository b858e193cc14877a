// Copyright annals authors.
//
// CheckEvolution (SPEC §7 "Evolution"): one case per rule, each a change that only that
// rule refuses, checking the whole line that names the event type, the field or enumerant
// and the rule; then the changes a new version may make.  Both versions are compiled from
// a base vocabulary with a few edits.

#include "vocabulary/evolution.h"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"
#include "vocabulary/parse.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace {

using internal::CheckEvolution;
using internal::CompileVocabulary;
using internal::Vocabulary;

// Every kind of thing the rules reach: a nested struct (Money), a list of text, a
// primitive with a default, an enum (Verdict), a list of nested structs holding an enum
// (Remedy, RemedyKind); and an enum only the state uses (Stage).
constexpr char kBase[] = R"(@0xc2f5a1e0b9d84e17;
using A = import "/annals/vocabulary.capnp";
using Json = import "/capnp/compat/json.capnp";
$A.vocabulary("merger_review");

enum Verdict { cleared @0; blocked @1; remedies @2; }
enum RemedyKind { divestiture @0; behavioural @1; }
enum Stage { quiet @0; busy @1; }

struct Money { amount @0 :Int64; currency @1 :Text; }

struct ReviewOpened $A.event("review_opened")
    $A.on([(set = (path = "last_opened", value = "effective"))]) {
  regulator @0 :Text $A.required;
  fee @1 :Money;
  topics @2 :List(Text);
  phase @3 :UInt8 = 1;
}
struct ReviewDecided $A.event("review_decided") $A.summary("{regulator}: {verdict}")
    $A.on([(merge = (path = "reviews", key = "data.regulator",
                     fields = ["status = data.verdict", "decided = effective"]))]) {
  regulator @0 :Text $A.required;
  verdict @1 :Verdict $A.required;
  remedies @2 :List(Remedy);
  struct Remedy { kind @0 :RemedyKind; deadline @1 :Text; }
}
struct ReviewClosed $A.event("review_closed")
    $A.on([(remove = (path = "reviews", key = "data.regulator"))]) {
  regulator @0 :Text $A.required;
}
struct State $A.state {
  status @0 :Text $A.derive([
      (value = "'blocked'", when = [(ref = "state.reviews",
                                     any = [(ref = "it.status", eq = "'blocked'")])]),
      (value = "'none'")]);
  reviews @1 :List(Review) $A.map(key = "regulator");
  lastOpened @2 :Text $Json.name("last_opened");
  stage @3 :Stage;
  struct Review { regulator @0 :Text; status @1 :Text; decided @2 :Text; }
}
)";

// Replacements: each first text (which must occur in the base) by its second.
using Edits = std::vector<std::pair<std::string, std::string>>;

class VocabularyEvolutionTest : public ::testing::Test {
 protected:
  static std::shared_ptr<const Vocabulary> Compile(const std::string& source) {
    auto v = CompileVocabulary(source, "test.capnp");
    EXPECT_TRUE(v.ok()) << v.status().ToString() << "\n" << source;
    return v.ok() ? *v : nullptr;
  }

  // The base with every occurrence of each edit's first text (which must occur) replaced
  // by its second, in order.
  static std::string Edited(const Edits& edits) {
    std::string text = kBase;
    for (const auto& [from, to] : edits) {
      size_t pos = text.find(from);
      EXPECT_NE(pos, std::string::npos) << "not in the base: " << from;
      for (; pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
      }
    }
    return text;
  }

  // CheckEvolution from the base to the edited base.
  static Status Evolve(const Edits& edits) {
    auto older = Compile(kBase);
    auto newer = Compile(Edited(edits));
    if (older == nullptr || newer == nullptr) return Status::Unavailable("did not compile");
    return CheckEvolution(*older, *newer);
  }

  // Whether `status` refuses with `line` as one of its lines.
  static ::testing::AssertionResult Refuses(const Status& status, const std::string& line) {
    if (!status.IsInvalidArgument()) {
      return ::testing::AssertionFailure() << "not refused: " << status.ToString();
    }
    std::istringstream lines(status.message());
    for (std::string l; std::getline(lines, l);) {
      if (l == line) return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "no line \"" << line << "\" in:\n"
                                         << status.message();
  }
};

// ---- one case per rule, and the changes a new version may make ------------------------

// A change to the base: the lines its refusal must include, none if it is accepted.
struct Change {
  const char* name;
  Edits edits;
  std::vector<std::string> lines;
};

void PrintTo(const Change& c, std::ostream* os) { *os << c.name; }

std::string NameOf(const ::testing::TestParamInfo<Change>& info) { return info.param.name; }

const Change kRefused[] = {
    {"OtherVocabularyName",
     {{"$A.vocabulary(\"merger_review\")", "$A.vocabulary(\"merger\")"}},
     {"the vocabulary's name changed from 'merger_review' to 'merger' (a new version keeps the "
      "vocabulary's name)"}},
    {"RemovedEventType",
     {{"struct ReviewClosed $A.event(\"review_closed\")\n"
       "    $A.on([(remove = (path = \"reviews\", key = \"data.regulator\"))]) {\n"
       "  regulator @0 :Text $A.required;\n}\n",
       ""}},
     {"event type 'review_closed' was removed (event types are never removed)"}},
    {"RenamedEventTypeIsARemoval",
     {{"\"review_closed\"", "\"review_ended\""}},
     {"event type 'review_closed' was removed (event types are never removed)"}},
    // Ordinals have no holes, so the others move up; 'fee', now @0, is not a rename.
    {"RemovedField",
     {{"  regulator @0 :Text $A.required;\n  fee @1 :Money;\n  topics @2 :List(Text);\n"
       "  phase @3",
       "  fee @0 :Money;\n  topics @1 :List(Text);\n  phase @2"}},
     {"review_opened: field 'regulator' was removed (fields are never removed)",
      "review_opened: field 'fee' moved from @1 to @0 (a field keeps its ordinal)"}},
    {"MovedField",
     {{"regulator @0 :Text $A.required;\n  fee @1",
       "agency @0 :Text;\n  regulator @4 :Text $A.required;\n  fee @1"}},
     {"review_opened: field 'regulator' moved from @0 to @4 (a field keeps its ordinal)"}},
    {"RenamedField",
     {{"regulator @0 :Text $A.required;\n  fee", "agency @0 :Text $A.required;\n  fee"}},
     {"review_opened: field @0 was renamed from 'regulator' to 'agency' (a field keeps its "
      "name)"}},
    {"ChangedJsonNameIsARename",
     {{"regulator @0 :Text $A.required;\n  fee",
       "regulator @0 :Text $A.required $Json.name(\"agency\");\n  fee"}},
     {"review_opened: field @0 was renamed from 'regulator' to 'agency' (a field keeps its "
      "name)"}},
    {"ChangedFieldType",
     {{"verdict @1 :Verdict", "verdict @1 :Text"}},
     {"review_decided: field 'verdict' changed type from enum Verdict to Text (a field keeps "
      "its type)"}},
    {"ChangedListElementType",
     {{"topics @2 :List(Text)", "topics @2 :List(Int32)"}},
     {"review_opened: field 'topics' changed type from List(Text) to List(Int32) (a field "
      "keeps its type)"}},
    {"ChangedDefault",
     {{"phase @3 :UInt8 = 1;", "phase @3 :UInt8 = 2;"}},
     {"review_opened: field 'phase' changed its default from 1 to 2 (a field keeps its "
      "default)"}},
    {"ChangedTypeOfNestedStructField",
     {{"currency @1 :Text;", "currency @1 :Int32;"}},
     {"review_opened: field 'fee.currency' changed type from Text to Int32 (a field keeps its "
      "type)"}},
    {"RemovedNestedStructField",
     {{"amount @0 :Int64; currency @1 :Text;", "amount @0 :Int64;"}},
     {"review_opened: field 'fee.currency' was removed (fields are never removed)"}},
    {"NestedStructReplacedByOneWithOtherFields",
     {{"fee @1 :Money;", "fee @1 :Other;\n  struct Other { amount @0 :Int64; code @1 :Text; }"}},
     {"review_opened: field @1 was renamed from 'fee.currency' to 'fee.code' (a field keeps "
      "its name)"}},
    {"RemovedFieldOfListElementStruct",
     {{"kind @0 :RemedyKind; deadline @1 :Text;", "kind @0 :RemedyKind;"}},
     {"review_decided: field 'remedies.deadline' was removed (fields are never removed)"}},
    {"MovedEnumerant",
     {{"cleared @0; blocked @1; remedies @2;", "cleared @0; remedies @1; blocked @2;"}},
     {"review_decided: field 'verdict': enum Verdict: enumerant 'blocked' moved from place 1 "
      "to 2 (enumerants keep their place)"}},
    {"RemovedEnumerant",
     {{"cleared @0; blocked @1; remedies @2;", "cleared @0; blocked @1;"}},
     {"review_decided: field 'verdict': enum Verdict: enumerant 'remedies' was removed "
      "(enumerants are never removed)"}},
    {"RenamedEnumerant",
     {{"remedies @2;", "conditions @2;"}},
     {"review_decided: field 'verdict': enum Verdict: enumerant at place 2 was renamed from "
      "'remedies' to 'conditions' (an enumerant keeps its name)"}},
    {"MovedEnumerantOfEnumInListElementStruct",
     {{"divestiture @0; behavioural @1;", "behavioural @0; divestiture @1;"}},
     {"review_decided: field 'remedies.kind': enum RemedyKind: enumerant 'divestiture' moved "
      "from place 0 to 1 (enumerants keep their place)"}},
    {"EveryProblemIsReported",
     {{"\"review_closed\"", "\"review_ended\""}, {"verdict @1 :Verdict", "verdict @1 :Text"}},
     {"event type 'review_closed' was removed (event types are never removed)",
      "review_decided: field 'verdict' changed type from enum Verdict to Text (a field keeps "
      "its type)"}},
};

const Change kAccepted[] = {
    {"SameFile", {}, {}},
    {"AddedEventType",
     {{"struct State $A.state {",
       "struct ReviewAppealed $A.event(\"review_appealed\") {\n"
       "  regulator @0 :Text $A.required;\n}\nstruct State $A.state {"}},
     {}},
    {"AddedFields",
     {{"phase @3 :UInt8 = 1;", "phase @3 :UInt8 = 1;\n  note @4 :Text;"},
      {"currency @1 :Text;", "currency @1 :Text; cents @2 :Bool;"},
      {"deadline @1 :Text;", "deadline @1 :Text; scope @2 :List(Text);"}},
     {}},
    {"AddedEnumerantAtTheEnd", {{"remedies @2;", "remedies @2; withdrawn @3;"}}, {}},
    {"RenamedStructAndEnumTypesWithTheSameMembers",
     {{"Money", "Price"}, {"Remedy", "Measure"}, {"Verdict", "Ruling"}},
     {}},
    {"RenamedFieldKeepingItsJsonName",
     {{"regulator @0 :Text $A.required;\n  fee",
       "agency @0 :Text $A.required $Json.name(\"regulator\");\n  fee"}},
     {}},
    // The state's fields, their types and an enum only the state uses.
    {"ChangedStateStruct",
     {{"stage @3 :Stage;", "opened @3 :List(Text);"},
      {"decided @2 :Text;", "decided @2 :Int32; note @3 :Text;"},
      {"decided = effective", "note = effective"},
      {"quiet @0; busy @1;", "busy @0; idle @1;"},
      {"(value = \"'none'\")", "(value = \"'quiet'\")"}},
     {}},
    {"ChangedEffects",
     {{"$A.on([(set = (path = \"last_opened\", value = \"effective\"))])",
       "$A.on([(upsert = (path = \"reviews\", key = \"data.regulator\", "
       "fields = [\"status = 'open'\"]))])"},
      {"(remove = (path = \"reviews\", key = \"data.regulator\"))",
       "(clear = (path = \"last_opened\"))"}},
     {}},
    {"ChangedSummaries",
     {{"$A.summary(\"{regulator}: {verdict}\")", "$A.summary(\"{regulator} decides: {verdict}\")"},
      {"$A.event(\"review_closed\")",
       "$A.event(\"review_closed\") $A.summary(\"{regulator} closes\")"}},
     {}},
};

class VocabularyEvolutionRefusedTest : public VocabularyEvolutionTest,
                                       public ::testing::WithParamInterface<Change> {};

TEST_P(VocabularyEvolutionRefusedTest, Change) {
  const Status s = Evolve(GetParam().edits);
  for (const std::string& line : GetParam().lines) EXPECT_TRUE(Refuses(s, line));
}

INSTANTIATE_TEST_SUITE_P(, VocabularyEvolutionRefusedTest, ::testing::ValuesIn(kRefused),
                         NameOf);

class VocabularyEvolutionAcceptedTest : public VocabularyEvolutionTest,
                                        public ::testing::WithParamInterface<Change> {};

TEST_P(VocabularyEvolutionAcceptedTest, Change) { EXPECT_OK(Evolve(GetParam().edits)); }

INSTANTIATE_TEST_SUITE_P(, VocabularyEvolutionAcceptedTest, ::testing::ValuesIn(kAccepted),
                         NameOf);

// ---- special cases -------------------------------------------------------------------

TEST_F(VocabularyEvolutionTest, DealFileAgainstItselfIsAccepted) {
  const std::string deal = internal::EmbeddedFileText("vocabularies/deal.capnp");
  auto older = Compile(deal);
  auto newer = Compile(deal);
  ASSERT_NE(older, nullptr);
  ASSERT_NE(newer, nullptr);
  EXPECT_OK(CheckEvolution(*older, *newer));
}

TEST_F(VocabularyEvolutionTest, RecursiveStructIsComparedOnce) {
  const std::string clause =
      "  topics @2 :List(Text);\n  clauses @4 :List(Clause);\n"
      "  struct Clause { text @0 :Text; sub @1 :List(Clause); }\n";
  auto older = Compile(Edited({{"  topics @2 :List(Text);\n", clause}}));
  auto newer = Compile(Edited({{"  topics @2 :List(Text);\n", clause},
                               {"sub @1 :List(Clause); }",
                                "sub @1 :List(Clause); depth @2 :Int8; }"}}));
  ASSERT_NE(older, nullptr);
  ASSERT_NE(newer, nullptr);
  EXPECT_OK(CheckEvolution(*older, *newer));
}

}  // namespace
}  // namespace annals
