// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7 without the store (vocabulary_spec_fixture.h):
// how values convert on assignment, maps with and without a value field, JSON names of
// state fields, unset fields left out, and conversions that could lose a value refused.

#include <gtest/gtest.h>

#include <string>

#include "vocabulary_spec_fixture.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
