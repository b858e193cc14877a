// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7 without the store (vocabulary_spec_fixture.h):
// each effect (set, clear, upsert, merge, remove, append, updateLast) on fields, nested
// structs, lists and maps, and the state the effects of one event see.  Where §7 leaves
// a choice open the test says which one it holds the engine to.

#include <gtest/gtest.h>

#include "vocabulary_spec_fixture.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
