// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7 without the store (vocabulary_spec_fixture.h):
// derive rules: the first rule that holds wins, and `any` over lists and maps follows
// every effect, as a recount from scratch does.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "vocabulary_spec_fixture.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
