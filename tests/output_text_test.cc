// Copyright annals authors.
//
// Faithful output (annals/text.h): JSON output escapes the characters other readers take
// for line breaks and always parses; text output shows every character that could drive a
// terminal, break a table row or reorder the text around it as an escape, through every
// command that prints stored text, and in error messages.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "annals/text.h"
#include "test_util.h"

namespace annals {
namespace {

using test::Lines;
using test::RunAnnals;
using test::RunResult;
using test::TempDir;

TEST(JsonQuoteTest, EscapesControlsAndLineBreakersKeepsOtherText) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"plain", R"("plain")"},
      {"q\"b\\", R"("q\"b\\")"},
      {"\n\t\r\b\f", R"("\n\t\r\b\f")"},
      {std::string("\x01\x1b\x1f", 3), R"("\u0001\u001b\u001f")"},
      {"\x7f", "\"\x7f\""},                                     // DEL is legal JSON
      {"a\xc2\x85z", R"("a\u0085z")"},                          // NEL
      {"a\xe2\x80\xa8z\xe2\x80\xa9", R"("a\u2028z\u2029")"},    // line/paragraph separator
      {"caf\xc3\xa9 \xe9\x98\xbf \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe9\x98\xbf \xf0\x9f\x98\x80\""},
      {"\xe2\x80\xae", "\"\xe2\x80\xae\""},                     // bidi: exact in JSON
      {"a\xffz", "\"a\xef\xbf\xbdz\""},                         // not UTF-8: U+FFFD
      {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},  // a surrogate's bytes
      {"\xc3", "\"\xef\xbf\xbd\""},                             // cut short
  };
  for (const auto& c : cases) EXPECT_EQ(JsonQuote(c.in), c.out) << c.in;
}

TEST(PrintableTest, ShowsWhatWouldDriveATerminalAsEscapes) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"plain text, caf\xc3\xa9 \xe9\x98\xbf\xe9\x87\x8c \xf0\x9f\x98\x80",
       "plain text, caf\xc3\xa9 \xe9\x98\xbf\xe9\x87\x8c \xf0\x9f\x98\x80"},
      {"a\nb\tc\rd", R"(a\nb\tc\rd)"},
      {"\x1b[31mred\x1b[0m", R"(\x1b[31mred\x1b[0m)"},
      {std::string("\x00\x07\x7f", 3), R"(\x00\x07\x7f)"},
      {"\xc2\x85\xc2\x9b", R"(\u0085\u009b)"},
      {"\xe2\x80\xa8\xe2\x80\xa9", R"(\u2028\u2029)"},
      {"\xe2\x80\xae" "evil\xe2\x81\xa6\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f",
       R"(\u202eevil\u2066\u061c\u200e\u200f)"},
      {"\xe2\x80\x8d", "\xe2\x80\x8d"},  // a zero-width joiner (emoji sequences) is kept
      {"a\xff\xc3", R"(a\xff\xc3)"},      // not UTF-8: the bytes
      {"\xc2\xa0", "\xc2\xa0"},           // U+00A0 is not a control
  };
  for (const auto& c : cases) EXPECT_EQ(Printable(c.in), c.out) << c.in;
}

class OutputTextTest : public ::testing::Test {
 protected:
  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--db", db_});
    return RunAnnals(args, input);
  }

  // No byte of `text` but '\n' below 0x20, no DEL, and none of the escaped characters.
  static void ExpectPrintable(const std::string& text, const std::string& what) {
    for (unsigned char c : text) {
      EXPECT_TRUE(c >= 0x20 || c == '\n') << what << ": byte " << int{c} << " in\n" << text;
      EXPECT_NE(c, 0x7f) << what;
    }
    for (const char* seq : {"\xe2\x80\xa8", "\xe2\x80\xae", "\xc2\x85", "\xe2\x81\xa6"}) {
      EXPECT_EQ(text.find(seq), std::string::npos) << what << ":\n" << text;
    }
  }

  TempDir dir_;
  std::string db_ = dir_.Sub("store");
};

// Every text field an event can carry, with the characters concerned.
const char kHostile[] = R"(x\u001b[2J\u0007\u2028\u202eevil\u0085\u007f\ty)";

TEST_F(OutputTextTest, EveryTextCommandShowsStoredControlsAsEscapes) {
  // Streams and ids are restricted to printable ASCII; every other text is free.
  std::string input;
  input += std::string(R"({"stream":"s","type":"note","effective":"2025-01","recorded_by":")") +
           kHostile + R"(","source":{"publisher":")" + kHostile + R"("},"data":{"text":")" +
           kHostile + R"("}})" + "\n";
  input += std::string(R"({"stream":"s","type":"fact","effective":"2025-02","data":{"key":")") +
           kHostile + R"(","value":")" + kHostile + R"("}})" + "\n";
  input += std::string(R"({"stream":"s","type":"partner_talks","effective":"2025-03",)") +
           R"("data":{"partner":")" + kHostile + R"(","status":"opened","reason":")" + kHostile +
           R"("}})" + "\n";
  RunResult imported = Run({"import", "-"}, input);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  const std::string stream = "s";
  const std::vector<std::vector<std::string>> commands = {
      {"log"},
      {"history", "--stream", stream},
      {"replay"},
      {"state", "--stream", stream},
      {"diff", "--stream", stream, "--from", "2024", "--to", "2026"},
  };
  for (const auto& args : commands) {
    RunResult r = Run(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    ExpectPrintable(r.out, args[0]);
    EXPECT_NE(r.out.find(R"(\u202eevil)"), std::string::npos)
        << args[0] << " shows the escapes:\n"
        << r.out;
  }

  // An error message quoting the user's input is printable too, and so is a confirmation.
  RunResult missing = Run({"state", "--stream", "gone\x1b]0;title\x07"});
  EXPECT_EQ(missing.exit_code, 1);
  ExpectPrintable(missing.err, "error message");
  EXPECT_NE(missing.err.find(R"(gone\x1b]0;title\x07)"), std::string::npos) << missing.err;
  RunResult bad_id = Run({"append", "--stream", "t", "--type", "note", "--effective", "2025",
                          "--id", "id\x1b[1m", "--set", "text=x"});
  EXPECT_EQ(bad_id.exit_code, 2);
  ExpectPrintable(bad_id.err, "error message");
  RunResult picture = Run({"timeline", "--stream", stream, "--out", dir_.Sub("p\x1b[1m.svg")});
  ASSERT_EQ(picture.exit_code, 0) << picture.err;
  ExpectPrintable(picture.out, "timeline confirmation");
}

TEST_F(OutputTextTest, JsonOutputEscapesLineBreakersAndStaysExact) {
  std::string input = std::string(R"({"stream":"s","type":"note","effective":"2025",)") +
                      R"("source":{"publisher":"p\u2028q"},"data":{"text":"a\u2028b\u2029c\u0085d\u202ee"}})" +
                      "\n";
  ASSERT_EQ(Run({"import", "-"}, input).exit_code, 0);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"log", "--format", "json"},
           {"export"},
           {"replay", "--format", "json"},
           {"history", "--stream", "s", "--format", "json"}}) {
    RunResult r = Run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // One line per event, by any reader's idea of a line.
    for (const char* seq : {"\xe2\x80\xa8", "\xe2\x80\xa9", "\xc2\x85"}) {
      EXPECT_EQ(r.out.find(seq), std::string::npos) << args[0] << ":\n" << r.out;
    }
    EXPECT_NE(r.out.find(R"(a\u2028b\u2029c\u0085d)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(R"(p\u2028q)"), std::string::npos) << r.out;
    // Bidirectional controls are exact in JSON: it is for programs.
    EXPECT_NE(r.out.find("\xe2\x80\xae"), std::string::npos) << r.out;
  }
  // The escapes decode to the stored text: an export restores to the same hashes.
  RunResult exported = Run({"export"});
  const std::string copy = dir_.Sub("copy");
  RunResult restored = RunAnnals({"--db", copy, "restore", "-"}, exported.out);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(RunAnnals({"--db", copy, "export"}).out, exported.out);
}

}  // namespace
}  // namespace annals
