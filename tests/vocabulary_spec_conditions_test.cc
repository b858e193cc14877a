// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7 without the store (vocabulary_spec_fixture.h):
// the conditions of `when` and `where` (eq, ne, in, isSet, unset, nested data and state
// refs, any over lists and maps, all of them together).

#include <gtest/gtest.h>

#include <string>

#include "vocabulary_spec_fixture.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
