// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7, without the store: vocabularies written from the
// SPEC alone (its merger_review example verbatim, the shipped `acquisition`, and small ones
// made for one rule each) are compiled, events are folded through StateFold, and the state
// JSON is compared whole.  Where §7 leaves a choice open the test says which one it holds
// the engine to.

#include <gtest/gtest.h>

#include <capnp/any.h>
#include <capnp/compat/json.h>
#include <capnp/message.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "annals/fuzzy_date.h"
#include "test_util.h"
#include "vocabulary/fold.h"
#include "vocabulary/parse.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace {

using internal::CompileVocabulary;
using internal::StateFold;
using internal::Vocabulary;
using VocabularyPtr = std::shared_ptr<const Vocabulary>;

// A vocabulary file: the header every test file shares (4 lines), then `body`.
std::string File(const std::string& body, const std::string& name = "t") {
  return "@0xd3b1c2f5a1e0b9d8;\n"
         "using A = import \"/annals/vocabulary.capnp\";\n"
         "using Json = import \"/capnp/compat/json.capnp\";\n"
         "$A.vocabulary(\"" + name + "\");\n" + body;
}

VocabularyPtr Compile(const std::string& source, const std::string& name = "t.capnp") {
  auto v = CompileVocabulary(source, name);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : nullptr;
}

// The registration error of `source` ("" if it compiles).
std::string ErrorOf(const std::string& source, const std::string& name = "t.capnp") {
  auto v = CompileVocabulary(source, name);
  if (v.ok()) return "";
  EXPECT_TRUE(v.status().IsInvalidArgument()) << v.status().ToString();
  return v.status().message();
}

// The state JSON object of a fold: the vocabulary's members only (the store adds stream,
// as_of, known_at, facts, events_applied and tentative around them).
std::string StateJson(const Vocabulary& v, const internal::Node& root) {
  std::string out = "{";
  internal::WriteStateMembers(v.state(), root, &out);
  return out + "}";
}

// Folds events given as (type, effective, data JSON) through one vocabulary.
class Folder {
 public:
  explicit Folder(VocabularyPtr v) : v_(std::move(v)), fold_(v_) {}

  void Apply(const std::string& type, const std::string& effective, const std::string& data) {
    const internal::EventTypeDef* t = v_->FindType(type);
    ASSERT_NE(t, nullptr) << "no event type " << type;
    capnp::MallocMessageBuilder message;
    auto root = message.getRoot<capnp::AnyPointer>();
    try {
      v_->data_codec().decode(kj::ArrayPtr<const char>(data.data(), data.size()),
                              root.initAs<capnp::DynamicStruct>(t->data));
    } catch (const kj::Exception& e) {
      FAIL() << type << " " << data << ": " << e.getDescription().cStr();
    }
    internal::FoldInput in;
    in.type = t;
    in.effective = effective;
    in.data = root.asReader();
    fold_.Apply(in);
  }
  void Note() { fold_.ApplyNote(); }

  std::string Json() const { return StateJson(*v_, fold_.root()); }
  // The same state continued in a new fold (as from a checkpoint): everything the fold
  // keeps incrementally (the `any` counters) is recomputed from scratch there.
  std::string RestartedJson() const {
    StateFold restarted(v_, fold_.root(), fold_.facts());
    return StateJson(*v_, restarted.root());
  }

 private:
  VocabularyPtr v_;
  StateFold fold_;
};

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

// ---- effects ----------------------------------------------------------------------------

const char kEffects[] = R"capnp(
enum Color { red @0; green @1; blue @2; }

struct Put $A.event("put") $A.on([(upsert = (path = "things", key = "data.name",
    fields = ["color = data.color", "size = data.size", "note = data.note"]))]) {
  name @0 :Text; color @1 :Color; size @2 :Int32; note @3 :Text;
}
struct Touch $A.event("touch") $A.on([(merge = (path = "things", key = "data.name",
    fields = ["note = data.note", "touched = effective"]))]) {
  name @0 :Text; note @1 :Text;
}
struct Drop $A.event("drop") $A.on([(remove = (path = "things", key = "data.name"))]) {
  name @0 :Text;
}
struct Title $A.event("title") $A.on([(set = (path = "title", value = "data.text",
                                               history = "titles"))]) {
  text @0 :Text;
}
struct Untitle $A.event("untitle") $A.on([(clear = (path = "title"))]) { why @0 :Text; }
struct Label $A.event("label") $A.on([(set = (path = "box.label", value = "data.text"))]) {
  text @0 :Text;
}
struct Unlabel $A.event("unlabel") $A.on([(clear = (path = "box.label"))]) { why @0 :Text; }
struct Pack $A.event("pack") $A.on([(set = (path = "box",
    fields = ["label = data.label", "count = data.count", "packed = effective"]))]) {
  label @0 :Text; count @1 :Int32;
}
struct Log $A.event("log") $A.on([(append = (path = "log",
    fields = ["what = data.what", "by = data.by", "on = effective"]))]) {
  what @0 :Text; by @1 :Text;
}
struct Fix $A.event("fix") $A.on([(updateLast = (path = "log",
    where = [(ref = "it.what", eq = "data.what")], fields = ["fixed = effective"]))]) {
  what @0 :Text;
}
struct FixOrLog $A.event("fix_or_log") $A.on([(updateLast = (path = "log",
    where = [(ref = "it.what", eq = "data.what"), (ref = "it.by", eq = "data.by"),
             (ref = "it.fixed", unset = void)],
    fields = ["fixed = effective"], orAppend = true))]) {
  what @0 :Text; by @1 :Text;
}
struct FixNested $A.event("fix_nested") $A.on([(updateLast = (path = "box.entries",
    where = [(ref = "it.what", eq = "data.what")], fields = ["fixed = effective"]))]) {
  what @0 :Text;
}
struct DropNested $A.event("drop_nested") $A.on([(remove = (path = "box.index",
    key = "data.name"))]) {
  name @0 :Text;
}

struct State $A.state {
  title @0 :Text;
  titles @1 :List(Text);
  things @2 :List(Thing) $A.map(key = "name");
  log @3 :List(Entry);
  box @4 :Box;
  struct Thing { name @0 :Text; color @1 :Text; size @2 :Int64; note @3 :Text; touched @4 :Text; }
  struct Entry { what @0 :Text; by @1 :Text; on @2 :Text; fixed @3 :Text; }
  struct Box {
    label @0 :Text; count @1 :Int32; packed @2 :Text;
    entries @3 :List(Entry); index @4 :List(Thing) $A.map(key = "name");
  }
}
)capnp";

class VocabularySpecEffectsTest : public ::testing::Test {
 protected:
  VocabularySpecEffectsTest() : f_(Compile(File(kEffects))) {}
  Folder f_;
};

TEST_F(VocabularySpecEffectsTest, EmptyStateShowsUnsetTopLevelFieldsAsNullOrEmpty) {
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, SetWithHistoryKeepsEachReplacedValueThatWasSet) {
  f_.Apply("title", "2020", R"({"text":"A"})");
  EXPECT_EQ(f_.Json(), R"({"title":"A","titles":[],"things":{},"log":[],"box":null})");
  f_.Apply("title", "2021", R"({"text":"B"})");
  EXPECT_EQ(f_.Json(), R"({"title":"B","titles":["A"],"things":{},"log":[],"box":null})");
  f_.Apply("untitle", "2022", "{}");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":["A"],"things":{},"log":[],"box":null})");
  // The value replaced here was unset: nothing goes to the history.
  f_.Apply("title", "2023", R"({"text":"C"})");
  EXPECT_EQ(f_.Json(), R"({"title":"C","titles":["A"],"things":{},"log":[],"box":null})");
  f_.Apply("title", "2024", R"({"text":"D"})");
  EXPECT_EQ(f_.Json(), R"({"title":"D","titles":["A","C"],"things":{},"log":[],"box":null})");
  // `set` to an unset value (the data field not given) makes the field unset.
  f_.Apply("title", "2025", "{}");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":["A","C","D"],"things":{},"log":[],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, SetWithFieldsMakesAStructAndANestedPathWritesIntoIt) {
  f_.Apply("pack", "2025-04~", R"({"label":"books","count":3})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],)"
                       R"("box":{"label":"books","count":3,"packed":"2025-04~"}})");
  f_.Apply("label", "2025-05", R"({"text":"toys"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],)"
                       R"("box":{"label":"toys","count":3,"packed":"2025-04~"}})");
  f_.Apply("unlabel", "2025-06", "{}");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],)"
                       R"("box":{"count":3,"packed":"2025-04~"}})");
  // A new struct from `fields` replaces the old one whole.
  f_.Apply("pack", "2025-07", R"({"label":"bags"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],)"
                       R"("box":{"label":"bags","packed":"2025-07"}})");
}

TEST_F(VocabularySpecEffectsTest, SetOfANestedFieldCreatesTheStructsOnTheWay) {
  f_.Apply("label", "2025", R"({"text":"toys"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],)"
                       R"("box":{"label":"toys"}})");
}

// "clear: the field at path becomes unset".  Under an unset struct it already is, and
// clearing must not conjure the struct up (`box` would turn from null to {} and from unset
// to set for every isSet condition).  The same for the other effects that write nothing on
// a nested path: set to an unset value, remove of an absent key, updateLast with no match
// and no orAppend.
TEST_F(VocabularySpecEffectsTest, EffectsThatChangeNothingLeaveAnUnsetParentUnset) {
  f_.Apply("label", "2025", "{}");  // set to an unset value
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],"box":null})");
  f_.Apply("unlabel", "2025", "{}");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],"box":null})");
  f_.Apply("drop_nested", "2025", R"({"name":"x"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],"box":null})");
  f_.Apply("fix_nested", "2025", R"({"what":"x"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, UpsertReplacesTheElementMergeKeepsOtherFields) {
  // The key field is the key; an enumerant stored in a Text field is its name; Int32 data
  // goes into an Int64 field.
  f_.Apply("put", "2020", R"({"name":"b","color":"blue","size":3,"note":"first"})");
  f_.Apply("touch", "2021", R"({"name":"b","note":"second"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{)"
                       R"("b":{"color":"blue","size":3,"note":"second","touched":"2021"}},)"
                       R"("log":[],"box":null})");
  // upsert: a new element made of `fields`; touched (not among them) goes.
  f_.Apply("put", "2022", R"({"name":"b","color":"red","size":4})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{)"
                       R"("b":{"color":"red","size":4}},"log":[],"box":null})");
  // merge into an absent key creates the element, its key field included; sorted by key.
  f_.Apply("touch", "2023", R"({"name":"a","note":"new"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{)"
                       R"("a":{"note":"new","touched":"2023"},"b":{"color":"red","size":4}},)"
                       R"("log":[],"box":null})");
  EXPECT_EQ(f_.RestartedJson(), f_.Json());
}

// Cap'n Proto has no unset enum: a field not given holds its first enumerant, and SPEC
// §7's own example needs that enumerant to count as set (`verdict = cleared @0` must store
// "cleared").  So a vocabulary whose enum field is optional reads it as the first one.
TEST_F(VocabularySpecEffectsTest, AnEnumFieldNotGivenIsItsFirstEnumerant) {
  f_.Apply("put", "2020", R"({"name":"a"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{"a":{"color":"red"}},)"
                       R"("log":[],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, RemoveDeletesTheKeyAndIgnoresAnAbsentOne) {
  f_.Apply("put", "2020", R"({"name":"a","color":"blue"})");
  f_.Apply("put", "2020", R"({"name":"b","color":"green","size":2})");
  f_.Apply("drop", "2021", R"({"name":"zzz"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{"a":{"color":"blue"},)"
                       R"("b":{"color":"green","size":2}},"log":[],"box":null})");
  f_.Apply("drop", "2021", R"({"name":"a"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{"b":{"color":"green","size":2}},)"
                       R"("log":[],"box":null})");
  f_.Apply("drop", "2021", R"({"name":"b"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, AppendAddsAnElementMadeOfFields) {
  f_.Apply("log", "2020", R"({"what":"x","by":"ann"})");
  f_.Apply("log", "2021", R"({"what":"y"})");
  f_.Apply("log", "2022", R"({"what":"x","by":"bob"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[)"
                       R"({"what":"x","by":"ann","on":"2020"},{"what":"y","on":"2021"},)"
                       R"({"what":"x","by":"bob","on":"2022"}],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, UpdateLastWithoutOrAppendChangesTheLastMatchOrNothing) {
  f_.Apply("log", "2020", R"({"what":"x","by":"ann"})");
  f_.Apply("log", "2021", R"({"what":"x","by":"bob"})");
  f_.Apply("log", "2022", R"({"what":"y","by":"cy"})");
  f_.Apply("fix", "2023", R"({"what":"x"})");  // the last x, not the first
  f_.Apply("fix", "2024", R"({"what":"z"})");  // no match: nothing
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[)"
                       R"({"what":"x","by":"ann","on":"2020"},)"
                       R"({"what":"x","by":"bob","on":"2021","fixed":"2023"},)"
                       R"({"what":"y","by":"cy","on":"2022"}],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, UpdateLastWithOrAppendAppendsWhereEqualitiesAndFields) {
  f_.Apply("log", "2020", R"({"what":"x","by":"ann"})");
  f_.Apply("fix_or_log", "2021", R"({"what":"x","by":"ann"})");  // matches the first
  // The only x by ann is fixed now (`it.fixed unset` fails): a new element made of the
  // `it.F eq ref` equalities (what, by) and the fields; the `unset` condition adds nothing.
  f_.Apply("fix_or_log", "2022", R"({"what":"x","by":"ann"})");
  f_.Apply("fix_or_log", "2023", R"({"what":"w","by":"bob"})");
  EXPECT_EQ(f_.Json(), R"({"title":null,"titles":[],"things":{},"log":[)"
                       R"({"what":"x","by":"ann","on":"2020","fixed":"2021"},)"
                       R"({"what":"x","by":"ann","fixed":"2022"},)"
                       R"({"what":"w","by":"bob","fixed":"2023"}],"box":null})");
}

TEST_F(VocabularySpecEffectsTest, StateRefsSeeTheEarlierEffectsOfTheSameEvent) {
  auto v = Compile(File(R"capnp(
struct Step $A.event("step") $A.on([
    (set = (path = "count", value = "data.n")),
    (set = (path = "seen", value = "state.count")),
    (when = [(ref = "state.seen", eq = "data.n")], set = (path = "agreed", value = "true"))]) {
  n @0 :Int32;
}
struct State $A.state { count @0 :Int32; seen @1 :Int32; agreed @2 :Bool; }
)capnp"));
  Folder f(v);
  f.Apply("step", "2025", R"({"n":7})");
  EXPECT_EQ(f.Json(), R"({"count":7,"seen":7,"agreed":true})");
}

// ---- conditions -------------------------------------------------------------------------

const char kConditions[] = R"capnp(
enum Color { red @0; green @1; blue @2; }
struct Inner { g @0 :Text; n @1 :Int32; }
struct Seed $A.event("seed") $A.on([
    (set = (path = "box", fields = ["label = data.name"])),
    (append = (path = "items", fields = ["tag = data.name"])),
    (upsert = (path = "byKey", key = "data.name", fields = []))]) {
  name @0 :Text;
}
struct Probe $A.event("probe") $A.on([
    (when = [(ref = "data.color", eq = "'green'")], set = (path = "eq", value = "true")),
    (when = [(ref = "data.color", ne = "'green'")], set = (path = "ne", value = "true")),
    (when = [(ref = "data.color", in = ["'red'", "'blue'"])], set = (path = "in", value = "true")),
    (when = [(ref = "data.name", isSet = void)], set = (path = "isSet", value = "true")),
    (when = [(ref = "data.name", unset = void)], set = (path = "unset", value = "true")),
    (when = [(ref = "data.inner.g", eq = "'deep'")], set = (path = "dataNested", value = "true")),
    (when = [(ref = "state.box.label", eq = "data.name")],
     set = (path = "stateNested", value = "true")),
    (when = [(ref = "state.items", any = [(ref = "it.tag", eq = "data.name")])],
     set = (path = "anyList", value = "true")),
    (when = [(ref = "state.byKey", any = [(ref = "it.tag", eq = "data.name")])],
     set = (path = "anyMap", value = "true")),
    (when = [(ref = "data.tags", any = [(ref = "it", eq = "'hot'")])],
     set = (path = "anyScalars", value = "true")),
    (when = [(ref = "data.inner.n", eq = "3"), (ref = "data.flag", eq = "true")],
     set = (path = "all", value = "true"))]) {
  color @0 :Color; name @1 :Text; inner @2 :Inner; tags @3 :List(Text); flag @4 :Bool;
}
struct State $A.state {
  eq @0 :Bool; ne @1 :Bool; in @2 :Bool; isSet @3 :Bool; unset @4 :Bool;
  dataNested @5 :Bool; stateNested @6 :Bool; anyList @7 :Bool; anyMap @8 :Bool;
  anyScalars @9 :Bool; all @10 :Bool;
  box @11 :Box; items @12 :List(Item); byKey @13 :List(Item) $A.map(key = "tag");
  struct Box { label @0 :Text; }
  struct Item { tag @0 :Text; }
}
)capnp";

class VocabularySpecConditionsTest : public ::testing::Test {
 protected:
  // The conditions that held for one probe event, after a seed event naming "s".
  std::string Held(const std::string& probe) {
    Folder f(v_);
    f.Apply("seed", "2025", R"({"name":"s"})");
    f.Apply("probe", "2025", probe);
    std::string json = f.Json();
    std::string held;
    for (const char* name : {"eq", "ne", "in", "isSet", "unset", "dataNested", "stateNested",
                             "anyList", "anyMap", "anyScalars", "all"}) {
      if (json.find("\"" + std::string(name) + "\":true") != std::string::npos) {
        held += (held.empty() ? "" : " ") + std::string(name);
      }
    }
    return held;
  }
  VocabularyPtr v_ = Compile(File(kConditions));
};

TEST_F(VocabularySpecConditionsTest, EqNeAndInCompareEnumerantsByName) {
  EXPECT_EQ(Held(R"({"color":"green"})"), "eq unset");
  EXPECT_EQ(Held(R"({"color":"blue"})"), "ne in unset");
  EXPECT_EQ(Held(R"({"color":"red"})"), "ne in unset");
}

TEST_F(VocabularySpecConditionsTest, IsSetAndUnsetTreatEmptyTextAsUnset) {
  EXPECT_EQ(Held(R"({"color":"green","name":"x"})"), "eq isSet");
  EXPECT_EQ(Held(R"({"color":"green","name":""})"), "eq unset");
}

TEST_F(VocabularySpecConditionsTest, NestedDataAndStateRefs) {
  EXPECT_EQ(Held(R"({"color":"green","inner":{"g":"deep"}})"), "eq unset dataNested");
  EXPECT_EQ(Held(R"({"color":"green","inner":{"g":"shallow"}})"), "eq unset");
  // state.box.label is "s" after the seed; anyList/anyMap: an element tagged "s" exists.
  EXPECT_EQ(Held(R"({"color":"green","name":"s"})"), "eq isSet stateNested anyList anyMap");
}

TEST_F(VocabularySpecConditionsTest, AnyOnAListOfScalarsTestsEachElementAsIt) {
  EXPECT_EQ(Held(R"({"color":"green","tags":["cold","hot"]})"), "eq unset anyScalars");
  EXPECT_EQ(Held(R"({"color":"green","tags":["cold"]})"), "eq unset");
}

TEST_F(VocabularySpecConditionsTest, EveryConditionOfWhenMustHoldIntegersAndBoolsCompare) {
  EXPECT_EQ(Held(R"({"color":"green","inner":{"n":3},"flag":true})"), "eq unset all");
  EXPECT_EQ(Held(R"({"color":"green","inner":{"n":3}})"), "eq unset");
  EXPECT_EQ(Held(R"({"color":"green","inner":{"n":4},"flag":true})"), "eq unset");
}

TEST_F(VocabularySpecConditionsTest, AnyOnAnEmptyListOrMapDoesNotHold) {
  Folder f(v_);
  f.Apply("probe", "2025", R"({"color":"green","name":"s"})");
  EXPECT_EQ(f.Json().find("\"anyList\":true"), std::string::npos);
  EXPECT_EQ(f.Json().find("\"anyMap\":true"), std::string::npos);
  EXPECT_EQ(f.Json().find("\"stateNested\":true"), std::string::npos);
}

// ---- derive rules -----------------------------------------------------------------------

const char kDerive[] = R"capnp(
struct Add $A.event("add") $A.on([(append = (path = "items",
    fields = ["name = data.name", "status = data.status"]))]) { name @0 :Text; status @1 :Text; }
struct Mark $A.event("mark") $A.on([(updateLast = (path = "items",
    where = [(ref = "it.name", eq = "data.name")], fields = ["status = data.status"]))]) {
  name @0 :Text; status @1 :Text;
}
struct Wipe $A.event("wipe") $A.on([(clear = (path = "items"))]) { why @0 :Text; }
struct Put $A.event("put") $A.on([(upsert = (path = "byKey", key = "data.name",
    fields = ["status = data.status"]))]) { name @0 :Text; status @1 :Text; }
struct Touch $A.event("touch") $A.on([(merge = (path = "byKey", key = "data.name",
    fields = ["status = data.status"]))]) { name @0 :Text; status @1 :Text; }
struct Drop $A.event("drop") $A.on([(remove = (path = "byKey", key = "data.name"))]) {
  name @0 :Text;
}
struct Flag $A.event("flag") $A.on([(set = (path = "flag", value = "data.on"))]) { on @0 :Bool; }
struct State $A.state {
  phase @0 :Text $A.derive([
      (value = "'flagged'", when = [(ref = "state.flag", eq = "true")]),
      (value = "'open'", when = [(ref = "state.items",
                                  any = [(ref = "it.status", eq = "'open'")])]),
      (value = "'held'", when = [(ref = "state.byKey",
                                  any = [(ref = "it.status", in = ["'hold'", "'wait'"])])]),
      (value = "'busy'", when = [(ref = "state.items", isSet = void)]),
      (value = "'idle'")]);
  never @1 :Text $A.derive([(value = "'x'", when = [(ref = "state.flag", eq = "true"),
                                                     (ref = "state.flag", eq = "false")])]);
  flag @2 :Bool;
  items @3 :List(Item);
  byKey @4 :List(Item) $A.map(key = "name");
  struct Item { name @0 :Text; status @1 :Text; }
}
)capnp";

class VocabularySpecDeriveTest : public ::testing::Test {
 protected:
  // The derived phase after the event, checked against a fold restarted from the same
  // state (which recomputes every counter from scratch).
  std::string Phase(const std::string& type, const std::string& data) {
    f_.Apply(type, "2025", data);
    EXPECT_EQ(f_.RestartedJson(), f_.Json()) << "after " << type << " " << data;
    const std::string json = f_.Json();
    const size_t at = json.find("\"phase\":");
    return json.substr(at + 8, json.find(',', at) - at - 8);
  }
  Folder f_{Compile(File(kDerive))};
};

TEST_F(VocabularySpecDeriveTest, EmptyStateHasTheValueOfTheRuleWithoutConditions) {
  // A derived field whose rules never hold is unset (null).
  EXPECT_EQ(f_.Json(), R"({"phase":"idle","never":null,"flag":false,"items":[],"byKey":{}})");
}

TEST_F(VocabularySpecDeriveTest, FirstMatchingRuleWins) {
  EXPECT_EQ(Phase("add", R"({"name":"a","status":"open"})"), "\"open\"");
  EXPECT_EQ(Phase("flag", R"({"on":true})"), "\"flagged\"");
  EXPECT_EQ(Phase("flag", R"({"on":false})"), "\"open\"");
}

TEST_F(VocabularySpecDeriveTest, AnyOverAListFollowsElementsAddedChangedAndCleared) {
  EXPECT_EQ(Phase("add", R"({"name":"a","status":"done"})"), "\"busy\"");
  EXPECT_EQ(Phase("add", R"({"name":"b","status":"open"})"), "\"open\"");
  EXPECT_EQ(Phase("add", R"({"name":"c","status":"open"})"), "\"open\"");
  EXPECT_EQ(Phase("mark", R"({"name":"b","status":"done"})"), "\"open\"");  // c still open
  EXPECT_EQ(Phase("mark", R"({"name":"c","status":"done"})"), "\"busy\"");
  EXPECT_EQ(Phase("mark", R"({"name":"a","status":"open"})"), "\"open\"");
  EXPECT_EQ(Phase("wipe", "{}"), "\"idle\"");
  EXPECT_EQ(Phase("add", R"({"name":"d","status":"open"})"), "\"open\"");
}

TEST_F(VocabularySpecDeriveTest, AnyOverAMapFollowsUpsertMergeAndRemove) {
  EXPECT_EQ(Phase("put", R"({"name":"a","status":"hold"})"), "\"held\"");
  EXPECT_EQ(Phase("put", R"({"name":"b","status":"wait"})"), "\"held\"");
  EXPECT_EQ(Phase("put", R"({"name":"a","status":"go"})"), "\"held\"");   // b waits
  EXPECT_EQ(Phase("touch", R"({"name":"b","status":"go"})"), "\"idle\"");
  EXPECT_EQ(Phase("touch", R"({"name":"c","status":"hold"})"), "\"held\"");  // created
  EXPECT_EQ(Phase("drop", R"({"name":"c"})"), "\"idle\"");
  EXPECT_EQ(Phase("touch", R"({"name":"a","status":"wait"})"), "\"held\"");
  EXPECT_EQ(Phase("put", R"({"name":"a"})"), "\"idle\"");  // upsert without status
}

// Random events against the same state recomputed from scratch after each one.
TEST_F(VocabularySpecDeriveTest, RandomEventsKeepDerivedValuesEqualToARecount) {
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  const char* types[] = {"add", "mark", "wipe", "put", "touch", "drop", "flag"};
  const char* statuses[] = {"open", "hold", "wait", "done", ""};
  for (int i = 0; i < 2000 && !HasFailure(); ++i) {
    const std::string type = types[rng() % 7];
    const std::string name(1, static_cast<char>('a' + rng() % 4));
    const std::string data = type == "flag" ? std::string(rng() % 4 ? "{}" : R"({"on":true})")
                                            : R"({"name":")" + name + R"(","status":")" +
                                                  statuses[rng() % 5] + "\"}";
    Phase(type, data);
  }
  if (HasFailure()) ADD_FAILURE() << "seed " << seed;
}

// ---- conversions, maps and JSON ---------------------------------------------------------

TEST(VocabularySpecTest, ValuesConvertOnAssignmentAsAUserWouldExpect) {
  auto v = Compile(File(R"capnp(
enum Color { red @0; green @1; blue @2; }
enum Hue { blue @0; red @1; green @2; }
struct Conv $A.event("conv") $A.on([
    (set = (path = "colorText", value = "data.color")),
    (set = (path = "hue", value = "data.color")),
    (set = (path = "fixedHue", value = "'green'")),
    (set = (path = "wide", value = "data.small")),
    (set = (path = "count", value = "42")),
    (set = (path = "smallText", value = "data.small")),
    (set = (path = "yes", value = "true")),
    (set = (path = "flagText", value = "data.flag")),
    (set = (path = "ratio", value = "data.small")),
    (set = (path = "tags", value = "data.tags"))]) {
  color @0 :Color; small @1 :Int16; flag @2 :Bool; tags @3 :List(Text);
}
struct State $A.state {
  colorText @0 :Text; hue @1 :Hue; fixedHue @2 :Hue; wide @3 :Int64; count @4 :UInt32;
  smallText @5 :Text; yes @6 :Bool; flagText @7 :Text; ratio @8 :Float64;
  tags @9 :List(Text);
}
)capnp"));
  Folder f(v);
  EXPECT_EQ(f.Json(), R"({"colorText":null,"hue":null,"fixedHue":null,"wide":0,"count":0,)"
                      R"("smallText":null,"yes":false,"flagText":null,"ratio":0,"tags":[]})");
  f.Apply("conv", "2025", R"({"color":"blue","small":-7,"flag":true,"tags":["a","b"]})");
  EXPECT_EQ(f.Json(), R"({"colorText":"blue","hue":"blue","fixedHue":"green","wide":-7,)"
                      R"("count":42,"smallText":"-7","yes":true,"flagText":"true","ratio":-7,)"
                      R"("tags":["a","b"]})");
}

TEST(VocabularySpecTest, MapWithValueShowsThatFieldAndWithoutShowsTheElement) {
  auto v = Compile(File(R"capnp(
struct Score $A.event("score") $A.on([
    (upsert = (path = "scores", key = "data.who", fields = ["points = data.points"])),
    (upsert = (path = "players", key = "data.who",
               fields = ["points = data.points", "team = data.team"]))]) {
  who @0 :Text; points @1 :Int32; team @2 :Text;
}
struct State $A.state {
  scores @0 :List(Player) $A.map(key = "who", value = "points");
  players @1 :List(Player) $A.map(key = "who");
  struct Player { who @0 :Text; points @1 :Int32; team @2 :Text; }
}
)capnp"));
  Folder f(v);
  f.Apply("score", "2025", R"({"who":"zoe","points":3,"team":"red"})");
  f.Apply("score", "2025", R"({"who":"al","points":5})");
  EXPECT_EQ(f.Json(), R"({"scores":{"al":5,"zoe":3},)"
                      R"("players":{"al":{"points":5},"zoe":{"points":3,"team":"red"}}})");
}

TEST(VocabularySpecTest, JsonNamesOfStateFieldsComeFromJsonName) {
  auto v = Compile(File(R"capnp(
struct Go $A.event("go") $A.on([(set = (path = "launchTarget", value = "data.targetDate")),
                                (set = (path = "next_step", value = "data.step"))]) {
  targetDate @0 :Text $A.date $Json.name("target_date");
  step @1 :Text;
}
struct State $A.state {
  launchTarget @0 :Text $Json.name("launch_target");
  nextStep @1 :Text $Json.name("next_step");
}
)capnp"));
  Folder f(v);
  f.Apply("go", "2025", R"({"target_date":"2025-04","step":"file"})");
  EXPECT_EQ(f.Json(), R"({"launch_target":"2025-04","next_step":"file"})");
}

TEST(VocabularySpecTest, UnsetFieldsInsideStructsAndElementsAreLeftOut) {
  auto v = Compile(File(R"capnp(
struct Go $A.event("go") $A.on([(set = (path = "inner", fields = ["a = data.a"])),
                                (append = (path = "list", fields = ["a = data.a"]))]) {
  a @0 :Text;
}
struct State $A.state {
  inner @0 :Inner; list @1 :List(Inner); text @2 :Text; n @3 :Int32; f @4 :Float64;
  b @5 :Bool; names @6 :List(Text);
  struct Inner { a @0 :Text; n @1 :Int32; b @2 :Bool; names @3 :List(Text); deep @4 :Inner2; }
  struct Inner2 { x @0 :Text; }
}
)capnp"));
  Folder f(v);
  EXPECT_EQ(f.Json(), R"({"inner":null,"list":[],"text":null,"n":0,"f":0,"b":false,"names":[]})");
  f.Apply("go", "2025", "{}");
  EXPECT_EQ(f.Json(), R"({"inner":{},"list":[{}],"text":null,"n":0,"f":0,"b":false,"names":[]})");
}

// DISABLED: the engine converts between any two number kinds (Conversion::kNumeric) and
// applies it silently: Int32 -3 into a UInt32 field becomes 0 (unset), UInt64
// 18446744073709551615 into an Int64 field becomes -1, Float64 2.75 into an Int32 field
// becomes 2, and the literal -4 into a UInt8 field becomes 0.  SPEC §7: "an assignment that
// cannot convert is refused when the vocabulary is registered".  Which number conversions a
// user expects (widening only, as here, or also narrowing with a range check at fold time)
// is the lead's call; TypeShape does not keep bit widths yet, so this is not a local fix.
TEST(VocabularySpecTest, NumberConversionsThatCanLoseTheValueAreRefused) {
  auto with = [](const std::string& data_type, const std::string& state_type,
                 const std::string& value) {
    return File("struct Go $A.event(\"go\") $A.on([(set = (path = \"n\", value = \"" + value +
                "\"))]) { x @0 :" + data_type + "; }\nstruct State $A.state { n @0 :" +
                state_type + "; }\n");
  };
  EXPECT_NE(ErrorOf(with("Int32", "UInt32", "data.x")), "");
  EXPECT_NE(ErrorOf(with("UInt64", "Int64", "data.x")), "");
  EXPECT_NE(ErrorOf(with("Float64", "Int32", "data.x")), "");
  EXPECT_NE(ErrorOf(with("Int32", "UInt8", "-4")), "");
  EXPECT_NE(ErrorOf(with("Int32", "UInt8", "300")), "");
  // Widening keeps every value, and is accepted.
  EXPECT_EQ(ErrorOf(with("Int32", "Int64", "data.x")), "");
  EXPECT_EQ(ErrorOf(with("UInt32", "Int64", "data.x")), "");
  EXPECT_EQ(ErrorOf(with("Int32", "Float64", "data.x")), "");
  EXPECT_EQ(ErrorOf(with("Int32", "UInt8", "200")), "");
}

// ---- registration errors ----------------------------------------------------------------

// The header of File() is 4 lines: a body's line 1 is the file's line 5.
const char kMinimalState[] = "struct State $A.state { title @0 :Text; }\n";

std::string OneEffect(const std::string& effect, const std::string& fields = "x @0 :Text;",
                      const std::string& state = kMinimalState) {
  return File("enum Color { red @0; green @1; }\n"
              "struct Ev $A.event(\"ev\") $A.on([" + effect + "]) { " + fields + " }\n" + state);
}

void ExpectError(const std::string& source, const std::vector<std::string>& parts) {
  const std::string error = ErrorOf(source);
  ASSERT_FALSE(error.empty()) << "accepted:\n" << source;
  for (const auto& part : parts) {
    EXPECT_NE(error.find(part), std::string::npos) << "'" << part << "' not in: " << error;
  }
}

TEST(VocabularySpecErrorsTest, UnknownDataRefNamesTypeEffectAndRef) {
  ExpectError(OneEffect(R"((set = (path = "title", value = "data.y")))"),
              {"ev", "effect 1 (set)", "data.y"});
  ExpectError(OneEffect(R"((set = (path = "title", value = "data.x")),
                           (set = (path = "title", value = "data.x.y")))"),
              {"ev", "effect 2 (set)", "data.x.y"});
}

TEST(VocabularySpecErrorsTest, UnknownStateRefAndPathNameTypeEffectAndRef) {
  ExpectError(OneEffect(R"((when = [(ref = "state.nope", isSet = void)],
                            set = (path = "title", value = "data.x")))"),
              {"ev", "effect 1 (set)", "state.nope"});
  ExpectError(OneEffect(R"((clear = (path = "nope")))"), {"ev", "effect 1 (clear)", "nope"});
  ExpectError(OneEffect(R"((set = (path = "title.deeper", value = "data.x")))"),
              {"ev", "effect 1 (set)", "title.deeper"});
}

TEST(VocabularySpecErrorsTest, ItOutsideWhereAndAnyIsRefused) {
  ExpectError(OneEffect(R"((set = (path = "title", value = "it.x")))"),
              {"ev", "effect 1 (set)", "it.x"});
  ExpectError(OneEffect(R"((when = [(ref = "it.x", isSet = void)],
                            set = (path = "title", value = "data.x")))"),
              {"ev", "effect 1 (set)", "it.x"});
  ExpectError(File("struct Ev $A.event(\"ev\") { x @0 :Text; }\n"
                   "struct State $A.state { s @0 :Text $A.derive([(value = \"it.x\")]); }\n"),
              {"s", "it.x"});
}

TEST(VocabularySpecErrorsTest, MapEffectsOnAPathThatIsNotAMapAreRefused) {
  for (const char* op : {"upsert", "merge", "remove"}) {
    ExpectError(OneEffect(std::string("(") + op +
                          R"( = (path = "title", key = "data.x", fields = ["title = data.x"])))"),
                {"ev", std::string("effect 1 (") + op + ")", "title", "map"});
  }
  ExpectError(OneEffect(R"((append = (path = "title", fields = ["a = data.x"])))"),
              {"ev", "effect 1 (append)", "title", "list"});
}

TEST(VocabularySpecErrorsTest, ALiteralThatIsNotAnEnumerantIsRefused) {
  const std::string state = "struct State $A.state { color @0 :Color; }\n";
  ExpectError(OneEffect(R"((set = (path = "color", value = "'purple'")))", "x @0 :Text;", state),
              {"ev", "effect 1 (set)", "purple", "red, green"});
  ExpectError(OneEffect(R"((when = [(ref = "data.c", eq = "'purple'")],
                            set = (path = "color", value = "data.c")))",
                        "c @0 :Color;", state),
              {"ev", "effect 1 (set)", "purple"});
}

TEST(VocabularySpecErrorsTest, AssignmentsThatCannotConvertAreRefused) {
  const std::string state = "struct State $A.state { n @0 :Int32; b @1 :Bool; c @2 :Color; }\n";
  ExpectError(OneEffect(R"((set = (path = "n", value = "data.x")))", "x @0 :Text;", state),
              {"ev", "effect 1 (set)", "data.x", "n"});
  ExpectError(OneEffect(R"((set = (path = "b", value = "'yes'")))", "x @0 :Text;", state),
              {"ev", "effect 1 (set)", "b"});
  ExpectError(OneEffect(R"((set = (path = "c", value = "data.x")))", "x @0 :Text;", state),
              {"ev", "effect 1 (set)", "data.x", "c"});
  ExpectError(OneEffect(R"((set = (path = "c", value = "1")))", "x @0 :Text;", state),
              {"ev", "effect 1 (set)", "c"});
}

TEST(VocabularySpecErrorsTest, StateMustBeExactlyOneStruct) {
  ExpectError(File("struct Ev $A.event(\"ev\") { x @0 :Text; }\n"), {"state"});
  ExpectError(File("struct Ev $A.event(\"ev\") { x @0 :Text; }\n"
                   "struct S1 $A.state { a @0 :Text; }\n"
                   "struct S2 $A.state { b @0 :Text; }\n"),
              {"S1", "S2", "state"});
}

TEST(VocabularySpecErrorsTest, CoreTypeNamesAreReserved) {
  for (const char* name : {"note", "fact", "correction", "retraction"}) {
    ExpectError(File(std::string("struct Ev $A.event(\"") + name + "\") { x @0 :Text; }\n" +
                     kMinimalState),
                {std::string("'") + name + "'", "Ev"});
  }
}

TEST(VocabularySpecErrorsTest, StateFieldsMayNotTakeTheNamesEveryStateHas) {
  for (const char* name : {"stream", "facts", "tentative"}) {
    ExpectError(File(std::string("struct Ev $A.event(\"ev\") { x @0 :Text; }\n"
                                 "struct State $A.state { ") + name + " @0 :Text; }\n"),
                {name});
  }
}

TEST(VocabularySpecErrorsTest, VocabularyNameMustBeLowerCaseIdentifier) {
  ExpectError(File(std::string("struct Ev $A.event(\"ev\") { x @0 :Text; }\n") + kMinimalState,
                   "Merger"),
              {"Merger", "[a-z][a-z0-9_]*"});
}

TEST(VocabularySpecErrorsTest, ParseErrorsShowFileLineAndColumn) {
  // Line 6 of the file, column 31 (1-based): the unknown type `Txt`.
  const std::string error =
      ErrorOf(File(std::string("struct Ev $A.event(\"ev\") { x @0 :Text; }\n") +
                   "struct State $A.state { a @0 :Txt; }\n"),
              "merger.capnp");
  EXPECT_NE(error.find("merger.capnp:6:31:"), std::string::npos) << error;
  EXPECT_NE(error.find("Txt"), std::string::npos) << error;
  const std::string syntax = ErrorOf(File("struct Ev $A.event(\"ev\") { x @0 Text; }\n"),
                                     "merger.capnp");
  EXPECT_TRUE(std::regex_search(syntax, std::regex("merger\\.capnp:5:[0-9]+: "))) << syntax;
}

TEST(VocabularySpecErrorsTest, ImportsOfFilesAnnalsDoesNotProvideAreRefused) {
  const std::string error = ErrorOf(
      File(std::string("using B = import \"/other/base.capnp\";\n"
                       "struct Ev $A.event(\"ev\") { x @0 :Text; }\n") + kMinimalState),
      "merger.capnp");
  EXPECT_NE(error.find("/other/base.capnp"), std::string::npos) << error;
  EXPECT_NE(error.find("does not provide"), std::string::npos) << error;
  EXPECT_NE(error.find("merger.capnp"), std::string::npos) << error;
  // What annals does provide.
  EXPECT_NE(Compile(File(std::string("struct Ev $A.event(\"ev\") { x @0 :Text "
                                     "$Json.name(\"y\"); }\n") + kMinimalState)),
            nullptr);
}

TEST(VocabularySpecErrorsTest, DeriveRulesAreCheckedWithTheFieldAndRuleNamed) {
  ExpectError(File("struct Ev $A.event(\"ev\") { x @0 :Text; }\n"
                   "struct State $A.state { s @0 :Text $A.derive([(value = \"'a'\"),\n"
                   "    (value = \"'b'\", when = [(ref = \"state.nope\", isSet = void)])]); }\n"),
              {"'s'", "rule 2", "state.nope"});
  ExpectError(File("struct Ev $A.event(\"ev\") { x @0 :Text; }\n"
                   "struct State $A.state { s @0 :Text $A.derive([(value = \"data.x\")]); }\n"),
              {"'s'", "data.x"});
}

TEST(VocabularySpecErrorsTest, SummaryPlaceholdersMustNameDataFields) {
  ExpectError(File(std::string("struct Ev $A.event(\"ev\") $A.summary(\"{y} happened\") "
                               "{ x @0 :Text; }\n") + kMinimalState),
              {"ev", "summary", "y"});
}

// DISABLED: the engine reads '[' ... ']' in a summary as an optional group (kept only when
// its placeholders are set), which SPEC §7 does not have: there a summary is text in which
// `{field}` is replaced.  A summary with a lone bracket, valid by the SPEC, is refused
// ("'[' without ']'"), and a balanced pair loses its brackets.  Either the SPEC gains the
// groups (with an escape for a literal bracket) or the engine drops them: the lead's call.
TEST(VocabularySpecErrorsTest, SummaryTextMayHoldBrackets) {
  for (const char* summary : {"{x} [sic", "{x} ] noted", "see [1]: {x}"}) {
    EXPECT_EQ(ErrorOf(File(std::string("struct Ev $A.event(\"ev\") $A.summary(\"") + summary +
                           "\") { x @0 :Text; }\n" + kMinimalState)),
              "")
        << summary;
  }
}

// ---- the shipped acquisition vocabulary and its sample ----------------------------------

VocabularyPtr Acquisition() {
  const char* text = internal::EmbeddedFileText("vocabularies/acquisition.capnp");
  EXPECT_NE(text, nullptr) << "acquisition.capnp is not embedded";
  return text == nullptr ? nullptr : Compile(text, "acquisition.capnp");
}

TEST(VocabularySpecAcquisitionTest, ShippedFileIsTheOneInTheSourceTreeAndCompiles) {
  EXPECT_EQ(std::string(internal::EmbeddedFileText("vocabularies/acquisition.capnp")),
            test::ReadFile(std::string(ANNALS_SOURCE_DIR) +
                           "/schema/vocabularies/acquisition.capnp"));
  auto v = Acquisition();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->name(), "acquisition");
  std::vector<std::string> names;
  for (const auto& t : v->types()) {
    names.push_back(t.name);
    EXPECT_FALSE(t.summary.empty()) << t.name << " has no $summary";
    EXPECT_FALSE(t.effects.empty()) << t.name << " has no effect";
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "acquisition_announced", "terms_revised", "outside_date_set",
                       "shareholder_vote", "review_opened", "review_decided", "lawsuit_filed",
                       "court_ruling", "appeal_filed", "appeal_decided", "lawsuit_ended",
                       "acquisition_closed", "acquisition_abandoned"}));
  Folder empty(v);
  EXPECT_EQ(empty.Json(), R"({"status":"none","acquirer":null,"target":null,"terms":null,)"
                          R"("outside_date":null,"reviews":{},"lawsuits":{},"appeals":[],)"
                          R"("votes":{},"closed":null,"abandoned":null})");
}

// One line of the sample, as the fold reads it.
struct SampleEvent {
  std::string id, type, effective;
  std::vector<std::pair<std::string, std::string>> data;  // field -> JSON text, in order
  int64_t earliest = 0;
  size_t seq = 0;
  bool retracted = false;
};

const capnp::JsonValue::Reader* Member(capnp::JsonValue::Reader object, const char* name,
                                       capnp::JsonValue::Reader* out) {
  if (!object.isObject()) return nullptr;
  for (auto field : object.getObject()) {
    if (field.getName() == name) {
      *out = field.getValue();
      return out;
    }
  }
  return nullptr;
}

std::string TextOf(capnp::JsonValue::Reader object, const char* name) {
  capnp::JsonValue::Reader v;
  if (Member(object, name, &v) == nullptr || !v.isString()) return "";
  return v.getString().cStr();
}

// Reads examples/msft-atvi.jsonl, checks each line as an import would (envelope, source,
// dates, data fields of the type, required fields), applies its corrections and
// retractions (all recorded at once: every one applies) and gives the visible domain
// events in valid-time order.
void ReadSample(const Vocabulary& v, std::vector<SampleEvent>* out) {
  const std::string path = std::string(ANNALS_SOURCE_DIR) + "/examples/msft-atvi.jsonl";
  std::vector<SampleEvent> events;
  capnp::JsonCodec json;
  const std::vector<std::string> lines = test::Lines(test::ReadFile(path));
  EXPECT_GE(lines.size(), 15u);
  EXPECT_LE(lines.size(), 40u);
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<capnp::JsonValue>();
    json.decodeRaw(kj::ArrayPtr<const char>(lines[i].data(), lines[i].size()), root);
    auto line = root.asReader();
    SampleEvent e;
    e.id = TextOf(line, "id");
    e.type = TextOf(line, "type");
    e.effective = TextOf(line, "effective");
    e.seq = i + 1;
    char expected_id[32];
    snprintf(expected_id, sizeof expected_id, "msft-atvi-%02zu", i + 1);
    EXPECT_EQ(e.id, expected_id);
    EXPECT_EQ(TextOf(line, "stream"), "msft-atvi");
    const std::string confidence = TextOf(line, "confidence");
    EXPECT_TRUE(confidence == "confirmed" || confidence == "reported" || confidence == "rumored")
        << confidence;
    auto effective = ParseFuzzyDate(e.effective);
    EXPECT_TRUE(effective.ok()) << e.effective;
    e.earliest = effective.ok() ? effective->earliest : 0;
    capnp::JsonValue::Reader source;
    ASSERT_NE(Member(line, "source", &source), nullptr);
    EXPECT_FALSE(TextOf(source, "publisher").empty());
    EXPECT_TRUE(ParseFuzzyDate(TextOf(source, "published")).ok());
    capnp::JsonValue::Reader data;
    EXPECT_NE(Member(line, "data", &data), nullptr);
    if (data.isObject()) {
      for (auto field : data.getObject()) {
        e.data.emplace_back(field.getName().cStr(), json.encodeRaw(field.getValue()).cStr());
      }
    }
    if (e.type == "correction") {
      SampleEvent* target = nullptr;
      for (auto& t : events) target = t.id == TextOf(data, "target") ? &t : target;
      ASSERT_NE(target, nullptr) << "correction of an unknown or later event";
      ASSERT_NE(target->type, "correction");
      EXPECT_FALSE(TextOf(data, "reason").empty());
      if (!TextOf(data, "effective").empty()) {
        target->effective = TextOf(data, "effective");
        target->earliest = ParseFuzzyDate(target->effective)->earliest;
      }
      capnp::JsonValue::Reader fix;
      if (Member(data, "data", &fix) != nullptr && fix.isObject()) {
        for (auto field : fix.getObject()) {
          const std::string name = field.getName().cStr();
          const std::string value = json.encodeRaw(field.getValue()).cStr();
          auto it = std::find_if(target->data.begin(), target->data.end(),
                                 [&](const auto& kv) { return kv.first == name; });
          if (it == target->data.end()) {
            target->data.emplace_back(name, value);
          } else {
            it->second = value;
          }
        }
      }
      continue;
    }
    if (e.type == "retraction") {
      SampleEvent* target = nullptr;
      for (auto& t : events) target = t.id == TextOf(data, "target") ? &t : target;
      ASSERT_NE(target, nullptr) << "retraction of an unknown or later event";
      EXPECT_FALSE(target->retracted) << "retracted twice";
      EXPECT_FALSE(TextOf(data, "reason").empty());
      target->retracted = true;
      continue;
    }
    if (e.type != "note" && e.type != "fact") {
      const internal::EventTypeDef* t = v.FindType(e.type);
      EXPECT_NE(t, nullptr) << e.type;
      if (t != nullptr) {
        for (const auto& [name, value] : e.data) {
          EXPECT_GE(t->data_shape->Find(name), 0) << e.type << " has no field " << name;
        }
        for (int r : t->required) {
          const std::string& name = t->data_shape->fields[r].json_name;
          auto it = std::find_if(e.data.begin(), e.data.end(),
                                 [&](const auto& kv) { return kv.first == name; });
          EXPECT_TRUE(it != e.data.end() && it->second != "\"\"")
              << e.type << " needs " << name;
        }
      }
    }
    events.push_back(std::move(e));
  }
  events.erase(std::remove_if(events.begin(), events.end(),
                              [](const SampleEvent& e) { return e.retracted; }),
               events.end());
  std::stable_sort(events.begin(), events.end(), [](const SampleEvent& a, const SampleEvent& b) {
    return a.earliest != b.earliest ? a.earliest < b.earliest : a.seq < b.seq;
  });
  *out = std::move(events);
}

// The sample's state as of the end of `as_of` ("" = unbounded).
std::string SampleStateAsOf(const VocabularyPtr& v, const std::vector<SampleEvent>& events,
                            const std::string& as_of) {
  const int64_t bound = as_of.empty() ? INT64_MAX : ParseFuzzyDate(as_of)->latest;
  Folder f(v);
  for (const auto& e : events) {
    if (e.earliest > bound) break;
    if (e.type == "note") {
      f.Note();
      continue;
    }
    std::string data = "{";
    for (const auto& [name, value] : e.data) {
      data += (data.size() > 1 ? "," : "") + ("\"" + name + "\":") + value;
    }
    f.Apply(e.type, e.effective, data + "}");
  }
  EXPECT_EQ(f.RestartedJson(), f.Json());
  return f.Json();
}

std::string StatusOf(const std::string& json) {
  const size_t at = json.find("\"status\":\"") + 10;
  return json.substr(at, json.find('"', at) - at);
}

TEST(VocabularySpecAcquisitionTest, SampleFoldsToTheStoryOfTheDeal) {
  auto v = Acquisition();
  ASSERT_NE(v, nullptr);
  std::vector<SampleEvent> events;
  ReadSample(*v, &events);
  ASSERT_FALSE(HasFailure());
  const std::vector<std::pair<std::string, std::string>> story = {
      {"2021-12", "none"},
      {"2022-03", "announced"},
      {"2022-08", "under_review"},         // CMA phase 1
      {"2022-12-31", "litigation"},        // the FTC's administrative complaint
      {"2023-05-01", "blocked"},           // the CMA's final report
      {"2023-06-14", "blocked"},           // ... and a temporary restraining order
      {"2023-07-20", "blocked"},           // the injunction denied; the CMA block stands
      {"2023-09", "litigation"},           // restructured deal under a new CMA review
      {"2023-10-13", "closed"},
      {"", "closed"}};
  for (const auto& [as_of, status] : story) {
    EXPECT_EQ(StatusOf(SampleStateAsOf(v, events, as_of)), status) << "as of " << as_of;
  }
  // The vote as corrected (2022-04-28, not 04-29); the retracted Microsoft vote is gone.
  EXPECT_NE(SampleStateAsOf(v, events, "2022-04-28").find(
                R"j("votes":{"Activision Blizzard":{"outcome":"approved","held":"2022-04-28"}})j"),
            std::string::npos);
  EXPECT_EQ(
      SampleStateAsOf(v, events, ""),
      R"j({"status":"closed","acquirer":"Microsoft","target":"Activision Blizzard",)j"
      R"j("terms":{"price":"$95.00 per share","value":"$68.7 billion","consideration":"cash",)j"
      R"j("set":"2023-08-22","change":"restructured for the CMA: cloud streaming rights to )j"
      R"j(current and new Activision Blizzard PC and console games outside the EEA sold to )j"
      R"j(Ubisoft for 15 years","previous":[{"price":"$95.00 per share","value":"$68.7 billion, )j"
      R"j(inclusive of Activision Blizzard's net cash","consideration":"cash",)j"
      R"j("set":"2022-01-18"}]},)j"
      R"j("outside_date":{"date":"2023-10-18","set":"2023-07-18","reason":"merger agreement )j"
      R"j(amended: end date extended, termination fee raised (up to $4.5 billion)",)j"
      R"j("previous":[{"date":"2023-01-18","set":"2022-01-18","reason":"merger agreement; two )j"
      R"j(automatic three-month extensions while regulatory approvals are pending"},)j"
      R"j({"date":"2023-04-18","set":"2023-01-18","reason":"first automatic extension: )j"
      R"j(regulatory approvals pending"},{"date":"2023-07-18","set":"2023-04-18",)j"
      R"j("reason":"second automatic extension: regulatory approvals pending"}]},)j"
      R"j("reviews":{"CADE":{"status":"cleared","decided":"2022-10~"},)j"
      R"j("CMA":{"phase":"phase1","status":"remedies","opened":"2023-08-22",)j"
      R"j("decided":"2023-10-13","remedies":"the sale of cloud streaming rights outside the )j"
      R"j(EEA to Ubisoft, with undertakings the CMA can enforce"},)j"
      R"j("European Commission":{"phase":"phase2","status":"remedies","opened":"2022-09-30",)j"
      R"j("phase2":"2022-11-08","decided":"2023-05-15","remedies":"ten-year licence for )j"
      R"j(consumers to stream, on any cloud gaming service, the Activision Blizzard PC and )j"
      R"j(console games they own, and a matching licence for cloud gaming providers",)j"
      R"j("reference":"M.10646"},)j"
      R"j("SAMR":{"status":"cleared","decided":"2023-05~"}},)j"
      R"j("lawsuits":{"FTC v. Microsoft (N.D. Cal.)":{"plaintiff":"FTC","court":"U.S. )j"
      R"j(District Court for the Northern District of California","seeks":"a temporary )j"
      R"j(restraining order and a preliminary injunction against closing",)j"
      R"j("filed":"2023-06-12","status":"affirmed","ruling":"allowed","ruled":"2023-07-11"},)j"
      R"j("FTC v. Microsoft (administrative)":{"plaintiff":"FTC","court":"FTC administrative )j"
      R"j(law judge (Docket 9412)","seeks":"to block the acquisition","filed":"2022-12-08",)j"
      R"j("status":"dismissed","ended":"2025-05-22","reason":"the FTC drops its own case after )j"
      R"j(losing the appeal on the preliminary injunction"}},)j"
      R"j("appeals":[{"lawsuit":"FTC v. Microsoft (N.D. Cal.)","court":"U.S. Court of Appeals )j"
      R"j(for the Ninth Circuit","appellant":"FTC","filed":"2023-07-12","status":"affirmed",)j"
      R"j("decided":"2025-05-07"}],)j"
      R"j("votes":{"Activision Blizzard":{"outcome":"approved","held":"2022-04-28"}},)j"
      R"j("closed":{"on":"2023-10-13"},"abandoned":null})j");
}

// The parts of the acquisition file the sample does not reach (a made-up deal).
TEST(VocabularySpecAcquisitionTest, RaisedOfferInterimOrderAppealAndAbandonment) {
  Folder f(Acquisition());
  f.Apply("acquisition_announced", "2020-09-13",
          R"j({"acquirer":"Acme","target":"Widget","price":"$40 per share",)j"
          R"j("consideration":"cash and stock","outside_date":"2022-03-13"})j");
  f.Apply("terms_revised", "2020-10", R"j({"price":"$42 per share","change":"offer raised"})j");
  f.Apply("outside_date_set", "2021-09", R"j({"date":"2022-09-13","reason":"extended"})j");
  f.Apply("lawsuit_filed", "2021-12-02",
          R"j({"lawsuit":"FTC v. Acme","plaintiff":"FTC","seeks":"to block"})j");
  EXPECT_EQ(StatusOf(f.Json()), "litigation");
  f.Apply("court_ruling", "2021-12-10",
          R"j({"lawsuit":"FTC v. Acme","outcome":"blocked","interim":true})j");
  EXPECT_EQ(StatusOf(f.Json()), "blocked");  // a temporary restraining order
  f.Apply("court_ruling", "2022-01-10", R"j({"lawsuit":"FTC v. Acme","outcome":"allowed"})j");
  EXPECT_EQ(StatusOf(f.Json()), "announced");  // decided: nothing pending
  f.Apply("appeal_filed", "2022-01-11", R"j({"lawsuit":"FTC v. Acme","court":"9th Cir.",)j"
                                        R"j("appellant":"FTC"})j");
  EXPECT_EQ(StatusOf(f.Json()), "litigation");
  f.Apply("appeal_decided", "2022-02", R"j({"lawsuit":"FTC v. Acme","court":"9th Cir.",)j"
                                       R"j("outcome":"remanded"})j");
  EXPECT_EQ(StatusOf(f.Json()), "litigation");
  // A decision whose appeal was never recorded: appended (orAppend).
  f.Apply("appeal_decided", "2022-03", R"j({"lawsuit":"FTC v. Acme","court":"Supreme Court",)j"
                                       R"j("outcome":"dismissed"})j");
  EXPECT_EQ(StatusOf(f.Json()), "announced");
  f.Apply("shareholder_vote", "2022-03", R"j({"company":"Widget","outcome":"rejected"})j");
  f.Apply("acquisition_abandoned", "2022-04-08",
          R"j({"reason":"shareholders said no","fee":"$1 billion"})j");
  EXPECT_EQ(
      f.Json(),
      R"j({"status":"abandoned","acquirer":"Acme","target":"Widget",)j"
      R"j("terms":{"price":"$42 per share","set":"2020-10","change":"offer raised",)j"
      R"j("previous":[{"price":"$40 per share","consideration":"cash and stock",)j"
      R"j("set":"2020-09-13"}]},)j"
      R"j("outside_date":{"date":"2022-09-13","set":"2021-09","reason":"extended",)j"
      R"j("previous":[{"date":"2022-03-13","set":"2020-09-13","reason":"merger agreement"}]},)j"
      R"j("reviews":{},"lawsuits":{"FTC v. Acme":{"plaintiff":"FTC","seeks":"to block",)j"
      R"j("filed":"2021-12-02","status":"dismissed","ruling":"allowed","ruled":"2022-01-10"}},)j"
      R"j("appeals":[{"lawsuit":"FTC v. Acme","court":"9th Cir.","appellant":"FTC",)j"
      R"j("filed":"2022-01-11","status":"remanded","decided":"2022-02"},)j"
      R"j({"lawsuit":"FTC v. Acme","court":"Supreme Court","status":"dismissed",)j"
      R"j("decided":"2022-03"}],"votes":{"Widget":{"outcome":"rejected","held":"2022-03"}},)j"
      R"j("closed":null,"abandoned":{"on":"2022-04-08","reason":"shareholders said no",)j"
      R"j("fee":"$1 billion"}})j");
}

}  // namespace
}  // namespace annals
