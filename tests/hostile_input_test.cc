// Copyright annals authors.
//
// Hostile input (SPEC §4-5): a catalogue of malformed inputs across append, import, restore
// and the query flags, each run through the real binary against a store holding the sample
// timeline.  Every case must exit with the code SPEC §4 gives (2 for invalid input, 4 for a
// broken chain, 1/3/5 where the SPEC says so), print a message on stderr that names the
// problem, never crash, and leave the store unchanged (`export` and `streams` compared
// before and after).  Restore cases target a fresh directory, which must not be left
// holding a store.

#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace annals {
namespace {

using test::Lines;
using test::RunAnnals;
using test::RunResult;
using test::TempDir;

struct Case {
  std::string name;
  std::vector<std::string> args;  // "@DB" = the store, "@FILE" = `file`, "@NEW" = fresh dir
  std::string file;               // contents of @FILE
  std::string stdin_data;
  int exit_code;
  std::vector<std::string> stderr_has;  // substrings the message must contain
};

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

const char kGood[] =
    R"({"id":"h-1","stream":"hostile","type":"note","effective":"2025-01","data":{"text":"ok"}})";

std::string Event(const std::string& fields_and_data) {
  return "{\"stream\":\"hostile\"," + fields_and_data + "}";
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);  // a child that stops reading must not kill the test
    db_ = dir_.Sub("db");
    RunResult r = RunAnnals({"--db", db_, "import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    RunResult e = RunAnnals({"--db", db_, "export"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    export_ = e.out;
    export_lines_ = Lines(export_);
    ASSERT_GE(export_lines_.size(), 5u);
  }

  std::string Snapshot() {
    RunResult e = RunAnnals({"--db", db_, "export"});
    RunResult s = RunAnnals({"--db", db_, "streams", "--format", "json"});
    return std::to_string(e.exit_code) + e.out + std::to_string(s.exit_code) + s.out;
  }

  std::string ExportWith(const std::function<void(std::vector<std::string>&)>& edit) {
    std::vector<std::string> lines = export_lines_;
    edit(lines);
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  // Runs each case; returns how many behaved as specified (failures are reported).
  int RunCases(const std::vector<Case>& cases) {
    const std::string before = Snapshot();
    int passed = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      SCOPED_TRACE(c.name);
      TempDir scratch;
      const std::string file = scratch.Sub("input.jsonl");
      test::WriteFile(file, c.file);
      std::vector<std::string> args;
      bool has_db = false;
      for (const auto& a : c.args) has_db |= a == "--db";
      if (!has_db) args = {"--db", db_};
      for (std::string a : c.args) {
        if (a == "@FILE") a = file;
        if (a.rfind("@NEW", 0) == 0) a = scratch.path() + a.substr(4);
        args.push_back(a);
      }
      RunResult r = RunAnnals(args, c.stdin_data);
      bool ok = true;
      if (r.exit_code != c.exit_code) {
        ADD_FAILURE() << c.name << ": exit " << r.exit_code << ", expected " << c.exit_code
                      << "\nstderr: " << r.err.substr(0, 500);
        ok = false;
      }
      if (r.err.empty() || r.err.find("annals") == std::string::npos) {
        ADD_FAILURE() << c.name << ": no message on stderr";
        ok = false;
      }
      for (const auto& want : c.stderr_has) {
        if (r.err.find(want) == std::string::npos) {
          ADD_FAILURE() << c.name << ": stderr does not mention '" << want
                        << "': " << r.err.substr(0, 500);
          ok = false;
        }
      }
      if (r.err.size() > 4096) {
        ADD_FAILURE() << c.name << ": stderr is " << r.err.size() << " bytes (echoes the input?)";
        ok = false;
      }
      // A failed restore leaves no store behind in the fresh directory.
      if (std::filesystem::exists(scratch.Sub("db/CURRENT"))) {
        ADD_FAILURE() << c.name << ": a store was left in the restore target";
        ok = false;
      }
      const std::string after = Snapshot();
      if (after != before) {
        ADD_FAILURE() << c.name << ": the store changed";
        ok = false;
      }
      passed += ok;
    }
    return passed;
  }

  TempDir dir_;
  std::string db_;
  std::string export_;
  std::vector<std::string> export_lines_;
};

TEST_F(HostileInputTest, EveryMalformedInputIsRejectedAndChangesNothing) {
  const std::string big(70 * 1024, 'x');
  const std::string deep_array = Repeat("[", 100000) + Repeat("]", 100000);
  const std::string deep_object = Repeat("{\"a\":", 5000) + "1" + Repeat("}", 5000);
  const std::string ten_mb_line =
      Event("\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"" +
            std::string(10 * 1024 * 1024, 'y') + "\"}");

  std::vector<Case> cases = {
      // ---- append ----
      {"append: --data is not JSON", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--data", "{\"text\": \"unterminated"}, "", "", 2, {"JSON"}},
      {"append: --data is an array", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--data", "[1,2]"}, "", "", 2, {"data"}},
      {"append: data field of the wrong type", {"append", "--stream", "hostile", "--type",
       "partner_chosen", "--effective", "2025", "--data", "{\"partner\": 5}"}, "", "", 2,
       {"partner"}},
      {"append: unknown data field", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--data", "{\"text\":\"t\",\"zz\":\"x\"}"}, "", "", 2, {"zz"}},
      {"append: unknown event type", {"append", "--stream", "hostile", "--type", "merger",
       "--effective", "2025", "--set", "text=x"}, "", "", 2, {"merger"}},
      {"append: missing required data field", {"append", "--stream", "hostile", "--type",
       "partner_talks", "--effective", "2025", "--set", "partner=X"}, "", "", 2, {"status"}},
      {"append: month 13", {"append", "--stream", "hostile", "--type", "note", "--effective",
       "2025-13", "--set", "text=x"}, "", "", 2, {"2025-13"}},
      {"append: 30 February", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025-02-30", "--set", "text=x"}, "", "", 2, {"2025-02-30"}},
      {"append: year out of range", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "10000-01-01", "--set", "text=x"}, "", "", 2, {"10000-01-01"}},
      {"append: year minus zero", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "-0000", "--set", "text=x"}, "", "", 2, {"-0000"}},
      {"append: hour 25", {"append", "--stream", "hostile", "--type", "note", "--effective",
       "2025-04-15T25:00Z", "--set", "text=x"}, "", "", 2, {"2025-04-15T25:00Z"}},
      {"append: bad stream name", {"append", "--stream", "no spaces!", "--type", "note",
       "--effective", "2025", "--set", "text=x"}, "", "", 2, {"stream"}},
      {"append: stream name of 201 bytes", {"append", "--stream", std::string(201, 's'),
       "--type", "note", "--effective", "2025", "--set", "text=x"}, "", "", 2, {"stream"}},
      {"append: id with a space", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--set", "text=x", "--id", "a b"}, "", "", 2, {"id"}},
      {"append: id of 129 bytes", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--set", "text=x", "--id", std::string(129, 'i')}, "", "", 2,
       {"id"}},
      {"append: --set without '='", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--set", "text"}, "", "", 2, {"--set"}},
      {"append: unknown confidence", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--set", "text=x", "--confidence", "certain"}, "", "", 2,
       {"confidence"}},
      {"append: string over 64 KiB", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--set", "text=" + big}, "", "", 2, {"65536"}},
      {"append: invalid UTF-8", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--set", "text=bad \xff\xfe bytes"}, "", "", 2, {"UTF-8"}},
      {"append: deeply nested --data", {"append", "--stream", "hostile", "--type",
       "correction", "--data", "{\"target\":\"aicn-01\",\"data\":" + deep_object + "}"}, "",
       "", 2, {""}},
      {"append: correction of an unknown event (not found)", {"append", "--stream",
       "apple-intelligence-cn", "--type", "correction", "--data",
       "{\"target\":\"no-such-id\",\"effective\":\"2025\"}"}, "", "", 1, {"no-such-id"}},
      {"append: id reused with other content (conflict)", {"append", "--stream",
       "apple-intelligence-cn", "--type", "note", "--effective", "2025", "--set", "text=x",
       "--id", "aicn-01"}, "", "", 3, {"aicn-01"}},
      {"append: stale --expect-version (conflict)", {"append", "--stream",
       "apple-intelligence-cn", "--type", "note", "--effective", "2025", "--set", "text=x",
       "--expect-version", "1"}, "", "", 3, {"version"}},
      // ---- import ----
      {"import: empty file", {"import", "@FILE"}, "", "", 2, {"no events"}},
      {"import: only blank lines", {"import", "@FILE"}, "\n  \n\t\n", "", 2, {"no events"}},
      {"import: bad JSON on line 2 after a good line", {"import", "@FILE"},
       std::string(kGood) + "\n{\"stream\": \n", "", 2, {"line 2", "JSON"}},
      {"import: not an object", {"import", "-"}, "", "[1,2,3]\n", 2, {"line 1"}},
      {"import: unknown top-level field", {"import", "-"}, "",
       Event("\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"x\"},\"foo\":1") +
           "\n", 2, {"line 1", "foo"}},
      {"import: store-assigned field", {"import", "-"}, "",
       Event("\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"x\"},\"seq\":1") +
           "\n", 2, {"seq"}},
      {"import: effective of the wrong type", {"import", "-"}, "",
       Event("\"type\":\"note\",\"effective\":2025,\"data\":{\"text\":\"x\"}") + "\n", 2,
       {"effective"}},
      {"import: overflowing number for a bool", {"import", "-"}, "",
       Event("\"type\":\"launch_target_set\",\"effective\":\"2025\",\"data\":{\"target\":"
             "\"2025-04\",\"internal\":1e999}") + "\n", 2, {"internal"}},
      {"import: field given twice", {"import", "-"}, "",
       Event("\"type\":\"note\",\"effective\":\"2025\",\"effective\":\"2024\",\"data\":{"
             "\"text\":\"x\"}") + "\n", 2, {"effective"}},
      {"import: NUL byte in a line", {"import", "@FILE"},
       Event("\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"a") +
           std::string(1, '\0') + "b\"}}\n", "", 2, {"NUL"}},
      {"import: escaped NUL in a string", {"import", "-"}, "",
       Event("\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"a\\u0000b\"}") +
           "\n", 2, {"NUL"}},
      {"import: invalid UTF-8 in a string", {"import", "@FILE"},
       Event("\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"\xc3\x28\"}") +
           "\n", "", 2, {"UTF-8"}},
      {"import: deeply nested arrays", {"import", "@FILE"},
       Event("\"type\":\"correction\",\"data\":{\"target\":\"aicn-01\",\"data\":{\"x\":" +
             deep_array + "}}") + "\n", "", 2, {"line 1"}},
      {"import: string over 64 KiB", {"import", "-"}, "",
       Event("\"type\":\"note\",\"effective\":\"2025\",\"data\":{\"text\":\"" + big + "\"}") +
           "\n", 2, {"65536"}},
      {"import: a 10 MB line", {"import", "@FILE"}, ten_mb_line + "\n", "", 2,
       {"line 1", "1048576"}},
      {"import: missing file", {"import", "@NEW/nothing-here.jsonl"}, "", "", 2, {"cannot read"}},
      {"import: a directory", {"import", "@NEW"}, "", "", 2, {"directory"}},
      {"import: date out of range", {"import", "-"}, "",
       Event("\"type\":\"note\",\"effective\":\"2025-02-29\",\"data\":{\"text\":\"x\"}") +
           "\n", 2, {"2025-02-29"}},
      {"import: unknown type", {"import", "-"}, "",
       Event("\"type\":\"merger\",\"effective\":\"2025\",\"data\":{}") + "\n", 2,
       {"merger"}},
      // ---- restore (into a fresh directory @NEW/db) ----
      {"restore: empty file", {"--db", "@NEW/db", "restore", "@FILE"}, "", "", 2, {"empty"}},
      {"restore: truncated export", {"--db", "@NEW/db", "restore", "@FILE"},
       export_.substr(0, export_.size() - 40), "", 2, {"line"}},
      {"restore: a changed event (broken chain)", {"--db", "@NEW/db", "restore", "@FILE"},
       ExportWith([](std::vector<std::string>& l) {
         auto p = l[2].find("ByteDance");
         ASSERT_NE(p, std::string::npos);
         l[2].replace(p, 9, "ByteDancf");
       }), "", 4, {"seq 3"}},
      {"restore: a removed event", {"--db", "@NEW/db", "restore", "@FILE"},
       ExportWith([](std::vector<std::string>& l) { l.erase(l.begin() + 2); }), "", 4,
       {"seq"}},
      {"restore: two events swapped", {"--db", "@NEW/db", "restore", "@FILE"},
       ExportWith([](std::vector<std::string>& l) { std::swap(l[1], l[2]); }), "", 4,
       {"seq"}},
      {"restore: an event duplicated", {"--db", "@NEW/db", "restore", "@FILE"},
       ExportWith([](std::vector<std::string>& l) { l.insert(l.begin() + 3, l[3]); }), "", 4,
       {"seq"}},
      {"restore: hash not hex", {"--db", "@NEW/db", "restore", "@FILE"},
       ExportWith([](std::vector<std::string>& l) {
         auto p = l[0].find("\"hash\":\"");
         ASSERT_NE(p, std::string::npos);
         l[0][p + 8] = 'Z';
       }), "", 2, {"hex"}},
      {"restore: an import line (no store fields)", {"--db", "@NEW/db", "restore", "-"}, "",
       std::string(kGood) + "\n", 2, {"line 1"}},
      {"restore: overflowing seq", {"--db", "@NEW/db", "restore", "@FILE"},
       ExportWith([](std::vector<std::string>& l) {
         auto p = l[0].find("\"seq\":1");
         ASSERT_NE(p, std::string::npos);
         l[0].replace(p, 7, "\"seq\":18446744073709551617");
       }), "", 2, {"seq"}},
      {"restore: into a store that is not empty", {"restore", "@FILE"}, export_, "", 2,
       {"empty"}},
      // ---- query flags ----
      {"log: --after-seq not a number", {"log", "--after-seq", "abc"}, "", "", 2,
       {"after-seq"}},
      {"export: unknown --format", {"export", "--format", "xml"}, "", "", 2, {"format"}},
      {"state: --as-of month 13", {"state", "--stream", "apple-intelligence-cn", "--as-of",
       "2025-13"}, "", "", 2, {"2025-13"}},
      {"state: --known-at @ not a number", {"state", "--stream", "apple-intelligence-cn",
       "--known-at", "@abc"}, "", "", 2, {"@abc"}},
      {"state: --known-at impossible instant", {"state", "--stream", "apple-intelligence-cn",
       "--known-at", "2025-02-30T00:00Z"}, "", "", 2, {"2025-02-30"}},
      {"state: unknown stream (not found)", {"state", "--stream", "no-such-stream"}, "", "",
       1, {"no-such-stream"}},
      {"history: --as-of year 10000", {"history", "--stream", "apple-intelligence-cn",
       "--as-of", "10000"}, "", "", 2, {"10000"}},
      {"diff: --from not a date", {"diff", "--stream", "apple-intelligence-cn", "--from", "x",
       "--to", "2025"}, "", "", 2, {"'x'"}},
      {"unknown command", {"frobnicate"}, "", "", 2, {"frobnicate"}},
      {"--db is a regular file (unavailable)", {"--db", "@FILE", "log"}, "not a store", "", 5,
       {"not an annals store"}},
  };

  const int passed = RunCases(cases);
  std::printf("hostile input: %zu malformed inputs, %d rejected as specified, store unchanged\n",
              cases.size(), passed);
  EXPECT_GE(cases.size(), 30u);
  EXPECT_EQ(static_cast<size_t>(passed), cases.size());
  // The store still verifies.
  RunResult v = RunAnnals({"--db", db_, "verify"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// Numeric flags given negative or out-of-range values must be refused as invalid input
// (exit 2).  CLI11 alone would parse "-1" and huge values for unsigned
// options as 2^64-1 (strtoull wraps); cli/ checks each with WholeNumber() first.
TEST_F(HostileInputTest, NegativeOrOverflowingNumericFlagsAreInvalid) {
  std::vector<Case> cases = {
      {"append: negative --expect-version", {"append", "--stream", "hostile", "--type", "note",
       "--effective", "2025", "--set", "text=x", "--expect-version", "-1"}, "", "", 2,
       {"expect-version"}},
      {"append: overflowing --expect-version", {"append", "--stream", "hostile", "--type",
       "note", "--effective", "2025", "--set", "text=x", "--expect-version",
       "99999999999999999999999"}, "", "", 2, {"expect-version"}},
      {"log: negative --limit", {"log", "--limit", "-5"}, "", "", 2, {"limit"}},
      {"log: overflowing --after-seq", {"log", "--after-seq", "99999999999999999999999"}, "",
       "", 2, {"after-seq"}},
  };
  EXPECT_EQ(static_cast<size_t>(RunCases(cases)), cases.size());
}

}  // namespace
}  // namespace annals
