// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7 without the store (vocabulary_spec_fixture.h):
// registration errors name the type, effect, field or rule and the ref at fault; parse
// errors give file, line and column; reserved names and foreign imports are refused.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "vocabulary_spec_fixture.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
