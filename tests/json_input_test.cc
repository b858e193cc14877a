// Copyright annals authors.
//
// Faithful input (SPEC §4 "Edges"): text in JSON input is decoded exactly.  Every \uXXXX
// escape becomes the character it names (surrogate pairs joined, upper- and lower-case
// hex), a lone surrogate is refused naming its line and field, a UTF-8 byte-order mark
// at the start of a file is skipped, and what was stored comes back unchanged through
// log, export and restore.  A seeded property test feeds the output of Python-style
// (ensure_ascii) and JavaScript-style (JSON.stringify) encoders of random text.

#include <gtest/gtest.h>

#include <capnp/message.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "annals/event.h"
#include "codec/json_parse.h"
#include "test_util.h"

namespace annals {
namespace {

using test::Lines;
using test::RunAnnals;
using test::RunResult;
using test::TempDir;

// UTF-8 of one code point.
std::string Utf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

std::string Hex4(uint32_t v, bool upper) {
  static const char* lower_digits = "0123456789abcdef";
  static const char* upper_digits = "0123456789ABCDEF";
  const char* d = upper ? upper_digits : lower_digits;
  std::string out = "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += d[(v >> shift) & 0xF];
  return out;
}

// \uXXXX for a code point, as a surrogate pair beyond the BMP.
std::string Escape(uint32_t cp, bool upper) {
  if (cp < 0x10000) return Hex4(cp, upper);
  const uint32_t v = cp - 0x10000;
  return Hex4(0xD800 + (v >> 10), upper) + Hex4(0xDC00 + (v & 0x3FF), upper);
}

// Python's json.dumps(s) (ensure_ascii=True): short escapes for " \ \b \f \n \r \t, every
// other control character and every non-ASCII code point as \u escapes (lower-case hex).
std::string PythonStyle(const std::vector<uint32_t>& cps) {
  std::string out = "\"";
  for (uint32_t cp : cps) {
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (cp < 0x20 || cp > 0x7E) {
          out += Escape(cp, false);
        } else {
          out += static_cast<char>(cp);
        }
    }
  }
  return out + "\"";
}

// JavaScript's JSON.stringify(s): the same short escapes, other control characters as
// \u00xx, everything else (non-ASCII included) as raw UTF-8.
std::string JavaScriptStyle(const std::vector<uint32_t>& cps) {
  std::string out = "\"";
  for (uint32_t cp : cps) {
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += cp < 0x20 ? Hex4(cp, false) : Utf8(cp);
    }
  }
  return out + "\"";
}

std::string NoteLine(const std::string& id, const std::string& text_json) {
  return R"({"id":")" + id + R"(","stream":"text","type":"note","effective":"2025",)" +
         R"("data":{"text":)" + text_json + "}}";
}

// data.text of an event in its JSON export shape, decoded.
std::string TextOf(const std::string& event_json) {
  capnp::MallocMessageBuilder message;
  auto value = message.initRoot<capnp::JsonValue>();
  Status s = internal::ParseJson(event_json, value);
  EXPECT_TRUE(s.ok()) << s.ToString() << " in " << event_json;
  if (!s.ok()) return "";
  for (auto f : value.asReader().getObject()) {
    if (f.getName() != "data") continue;
    for (auto d : f.getValue().getObject()) {
      if (d.getName() == "text") return d.getValue().getString().cStr();
    }
  }
  ADD_FAILURE() << "no data.text in " << event_json;
  return "";
}

struct EscapeCase {
  std::string name;
  std::string escaped;   // JSON string literal, quotes included
  std::string expected;  // the UTF-8 it must decode to
};

std::vector<EscapeCase> EscapeTable() {
  std::vector<EscapeCase> cases = {
      {"latin lower-case hex", R"("caf\u00e9")", "caf\xC3\xA9"},
      {"latin upper-case hex", R"("caf\u00E9")", "caf\xC3\xA9"},
      {"CJK", R"("\u963f\u91cc\u5df4\u5df4")", Utf8(0x963F) + Utf8(0x91CC) + Utf8(0x5DF4) +
                                                    Utf8(0x5DF4)},
      {"astral pair lower-case", R"("\ud83d\ude00")", Utf8(0x1F600)},
      {"astral pair upper-case", R"("\uD83D\uDE00")", Utf8(0x1F600)},
      {"astral pair mixed case", R"("\uD83d\udE00")", Utf8(0x1F600)},
      {"highest code point", R"("\udbff\udfff")", Utf8(0x10FFFF)},
      {"line separator", R"("a\u2028b\u2029c")", "a" + Utf8(0x2028) + "b" + Utf8(0x2029) + "c"},
      {"BOM inside text", R"("\ufeffx")", Utf8(0xFEFF) + "x"},
      {"noncharacter", R"("\uffff")", Utf8(0xFFFF)},
      {"DEL", R"("\u007f")", "\x7F"},
      {"short escapes", R"("\"\\\/\b\f\n\r\t")", "\"\\/\b\f\n\r\t"},
      {"raw UTF-8", "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"", "caf\xC3\xA9 \xF0\x9F\x98\x80"},
  };
  for (uint32_t c = 1; c < 0x20; ++c) {
    cases.push_back({"control " + std::to_string(c) + " lower", "\"<" + Hex4(c, false) + ">\"",
                     "<" + std::string(1, static_cast<char>(c)) + ">"});
    cases.push_back({"control " + std::to_string(c) + " upper", "\"<" + Hex4(c, true) + ">\"",
                     "<" + std::string(1, static_cast<char>(c)) + ">"});
  }
  return cases;
}

class JsonInputTest : public testing::Test {
 protected:
  RunResult Run(const std::string& db, std::vector<std::string> args,
                const std::string& input = "") {
    args.insert(args.begin(), {"--db", db});
    return RunAnnals(args, input);
  }
  TempDir dir_;
};

TEST_F(JsonInputTest, EscapeTableRoundTripsThroughImportLogExportRestore) {
  const std::vector<EscapeCase> cases = EscapeTable();
  std::string input;
  for (size_t i = 0; i < cases.size(); ++i) {
    input += NoteLine("t" + std::to_string(i), cases[i].escaped) + "\n";
  }
  const std::string db = dir_.Sub("store");
  RunResult r = Run(db, {"import", "-"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  RunResult log = Run(db, {"log", "--format", "json"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  std::vector<std::string> logged = Lines(log.out);
  ASSERT_EQ(logged.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(TextOf(logged[i]), cases[i].expected) << cases[i].name;
  }

  RunResult exported = Run(db, {"export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::vector<std::string> lines = Lines(exported.out);
  ASSERT_EQ(lines.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(TextOf(lines[i]), cases[i].expected) << cases[i].name;
    // Output is valid JSON without raw control characters.
    for (unsigned char c : lines[i]) EXPECT_GE(c, 0x20) << cases[i].name;
  }

  const std::string copy = dir_.Sub("copy");
  RunResult restored = Run(copy, {"restore", "-"}, exported.out);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  RunResult again = Run(copy, {"export"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, exported.out);
  EXPECT_EQ(Run(copy, {"verify"}).exit_code, 0);
}

TEST_F(JsonInputTest, EscapedNulIsRefusedAsNul) {
  const std::string db = dir_.Sub("store");
  RunResult r = Run(db, {"import", "-"}, NoteLine("n", R"("a\u0000b")") + "\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("NUL"), std::string::npos) << r.err;
}

TEST_F(JsonInputTest, LoneSurrogateIsRefusedNamingLineAndField) {
  const std::string db = dir_.Sub("store");
  for (const char* text : {R"("\ud800 x")", R"("\udc00")", R"("x\uD83D")",
                                  R"("\ude00\ud83d")"}) {
    const std::string input = NoteLine("ok", R"("fine")") + "\n" + NoteLine("bad", text) + "\n";
    RunResult r = Run(db, {"import", "-"}, input);
    EXPECT_EQ(r.exit_code, 2) << text;
    EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("data.text"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("surrogate"), std::string::npos) << r.err;
  }
  // Nothing was written: the store does not even exist.
  EXPECT_EQ(Run(db, {"log"}).exit_code, 5);

  // The same through append --data and correction data.
  RunResult a = Run(db, {"append", "--stream", "s", "--type", "note", "--effective", "2025",
                         "--data", R"({"text":"\ud800"})"});
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_NE(a.err.find("--data: field 'text'"), std::string::npos) << a.err;
  ASSERT_EQ(Run(db, {"append", "--stream", "s", "--type", "note", "--effective", "2025",
                     "--set", "text=x", "--id", "n1"}).exit_code, 0);
  RunResult c = Run(db, {"append", "--stream", "s", "--type", "correction", "--data",
                         R"({"target":"n1","data":{"text":"\udfff"}})"});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("surrogate"), std::string::npos) << c.err;
}

TEST_F(JsonInputTest, AppendDataDecodesEscapesExactly) {
  const std::string db = dir_.Sub("store");
  RunResult r = Run(db, {"append", "--stream", "s", "--type", "note", "--effective", "2025",
                         "--data", R"({"text":"caf\u00e9 \ud83d\ude00"})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunResult log = Run(db, {"log", "--format", "json"});
  ASSERT_EQ(log.exit_code, 0);
  EXPECT_EQ(TextOf(log.out), "caf\xC3\xA9 " + Utf8(0x1F600));
}

TEST_F(JsonInputTest, ByteOrderMarkAtStartOfFileIsSkipped) {
  const std::string db = dir_.Sub("store");
  const std::string file = dir_.Sub("bom.jsonl");
  test::WriteFile(file, "\xEF\xBB\xBF" + NoteLine("b1", R"("x")") + "\n" +
                            NoteLine("b2", R"("\ufeffy")") + "\n");
  RunResult r = Run(db, {"import", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunResult exported = Run(db, {"export"});
  ASSERT_EQ(exported.exit_code, 0);
  std::vector<std::string> lines = Lines(exported.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(TextOf(lines[1]), Utf8(0xFEFF) + "y");  // only the file's first mark goes

  const std::string backup = dir_.Sub("backup.jsonl");
  test::WriteFile(backup, "\xEF\xBB\xBF" + exported.out);
  RunResult restored = Run(dir_.Sub("copy"), {"restore", backup});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
}

// Random text of every kind of code point, encoded the way Python and JavaScript encode
// it, decodes to exactly the code points that were encoded.
TEST_F(JsonInputTest, PythonAndJavaScriptEncodersDecodeExactly) {
  const uint32_t seed = 20261130;
  std::mt19937 rng(seed);
  auto random_code_point = [&]() -> uint32_t {
    switch (rng() % 6) {
      case 0: return 1 + rng() % 0x7F;                 // ASCII, controls included
      case 1: return 0x80 + rng() % (0x800 - 0x80);    // two-byte
      case 2: {                                        // BMP without surrogates
        uint32_t cp = 0x800 + rng() % (0x10000 - 0x800);
        return (cp >= 0xD800 && cp <= 0xDFFF) ? cp - 0x800 : cp;
      }
      case 3: return 0x4E00 + rng() % 0x5200;          // CJK
      case 4: return 0x10000 + rng() % 0x100000;       // astral
      default: return "\"\\/\b\f\n\r\t\x1f"[rng() % 9];
    }
  };
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint32_t> cps;
    std::string expected;
    for (size_t n = 1 + rng() % 20; n > 0; --n) {
      cps.push_back(random_code_point());
      expected += Utf8(cps.back());
    }
    for (const std::string& encoded : {PythonStyle(cps), JavaScriptStyle(cps)}) {
      auto event = NewEvent::FromJson(NoteLine("p", encoded));
      ASSERT_TRUE(event.ok()) << "seed " << seed << " case " << i << ": "
                              << event.status().ToString() << " for " << encoded;
      const auto text = event->rep().reader().getNote().getText();
      ASSERT_EQ(std::string(text.cStr(), text.size()), expected)
          << "seed " << seed << " case " << i << " encoded " << encoded;
    }
  }
}

}  // namespace
}  // namespace annals
