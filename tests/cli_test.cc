// Copyright annals authors.
//
// The annals binary, run for real on temporary stores: stdout, stderr and exit codes of
// append, import, export, restore, log, streams and verify, and refusals of bad input
// that must leave the store unchanged.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace annals {
namespace {

using test::Lines;
using test::RunAnnals;
using test::RunResult;
using test::TempDir;

class CliTest : public testing::Test {
 protected:
  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--db", db_});
    return RunAnnals(args, input);
  }
  std::string Export() {
    RunResult r = Run({"export"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  void ImportSample() {
    RunResult r = Run({"import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TempDir dir_;
  std::string db_ = dir_.Sub("store");
};

TEST_F(CliTest, AppendPrintsSeqVersionAndId) {
  RunResult r = Run({"append", "--stream", "deal", "--type", "partner_talks", "--effective",
                     "2024-11~", "--set", "partner=Baidu", "--set", "status=opened", "--id",
                     "e1", "--source", "The Information", "--by", "me"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "seq 1  version 1  id e1\n");
  EXPECT_EQ(r.err, "");
  r = Run({"append", "--stream", "deal", "--type", "note", "--effective", "2025",
           "--set", "text=hello", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"({"seq":2,"version":2,"id":")"), std::string::npos) << r.out;
  std::string exported = Export();
  EXPECT_NE(exported.find(R"("source":{"publisher":"The Information"})"), std::string::npos);
  EXPECT_NE(exported.find(R"("recorded_by":"me")"), std::string::npos);
}

TEST_F(CliTest, AppendSameIdTwiceIsANoOpAndDifferentContentIsExit3) {
  std::vector<std::string> args = {"append", "--stream", "deal", "--type", "note",
                                   "--effective", "2025", "--set", "text=a", "--id", "n1"};
  ASSERT_EQ(Run(args).exit_code, 0);
  RunResult again = Run(args);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already recorded"), std::string::npos) << again.out;
  args[8] = "text=b";
  RunResult conflict = Run(args);
  EXPECT_EQ(conflict.exit_code, 3);
  EXPECT_NE(conflict.err.find("'n1' is already used by seq 1"), std::string::npos)
      << conflict.err;
  EXPECT_EQ(Lines(Export()).size(), 1u);
}

TEST_F(CliTest, ExpectVersionMismatchIsExit3) {
  std::vector<std::string> args = {"append", "--stream", "deal", "--type", "note",
                                   "--effective", "2025", "--set", "text=a",
                                   "--expect-version", "0"};
  ASSERT_EQ(Run(args).exit_code, 0);
  RunResult r = Run(args);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("stream 'deal' is at version 1, expected 0"), std::string::npos)
      << r.err;
  args.back() = "1";
  EXPECT_EQ(Run(args).exit_code, 0);
}

TEST_F(CliTest, ImportIsAtomicAndNamesTheBadLine) {
  ImportSample();
  const std::string before = Export();
  std::string input =
      R"({"stream":"x","type":"note","effective":"2025","data":{"text":"ok"}})"
      "\n\n"
      R"({"stream":"x","type":"note","effective":"2025","data":{"txt":"bad"}})"
      "\n";
  RunResult r = Run({"import", "-"}, input);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("line 3: unknown field 'data.txt'"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Export(), before);
}

TEST_F(CliTest, ImportFromStdinAndFile) {
  RunResult r = Run({"import", "-"},
                    R"({"stream":"x","type":"note","effective":"2025","data":{"text":"a"}})"
                    "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 1 event (seq 1-1)\n");
  ImportSample();
  r = Run({"streams", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out,
            "{\"stream\":\"apple-intelligence-cn\",\"events\":11,\"last_seq\":12}\n"
            "{\"stream\":\"x\",\"events\":1,\"last_seq\":1}\n");
  // Importing the same file again is idempotent: every id exists with identical content.
  r = Run({"import", test::SampleTimelinePath()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing imported"), std::string::npos) << r.out;
}

TEST_F(CliTest, ExportRestoreExportIsByteIdenticalAndVerifies) {
  ImportSample();
  ASSERT_EQ(Run({"append", "--stream", "apple-intelligence-cn", "--type", "correction",
                 "--set", "target=aicn-09", "--data", R"({"data":{"target":"2025-05"}})"})
                .exit_code,
            0);
  const std::string exported = Export();
  test::WriteFile(dir_.Sub("backup.jsonl"), exported);
  std::string copy = dir_.Sub("copy");
  RunResult r = RunAnnals({"--db", copy, "restore", dir_.Sub("backup.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "restored 12 events in 1 stream; hash chain verified\n");
  r = RunAnnals({"--db", copy, "export"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, exported);
  r = RunAnnals({"--db", copy, "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok: 12 events in 1 stream;"), std::string::npos) << r.out;
  // Restoring into a store that is not empty is refused.
  r = RunAnnals({"--db", copy, "restore", dir_.Sub("backup.jsonl")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty store"), std::string::npos) << r.err;
}

TEST_F(CliTest, RestoreOfABrokenChainIsExit4AndCreatesNoStore) {
  ImportSample();
  std::string exported = Export();
  auto pos = exported.find("Tencent");
  ASSERT_NE(pos, std::string::npos);
  exported.replace(pos, 7, "TenCent");
  test::WriteFile(dir_.Sub("bad.jsonl"), exported);
  std::string copy = dir_.Sub("copy");
  RunResult r = RunAnnals({"--db", copy, "restore", dir_.Sub("bad.jsonl")});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("seq 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chain broken"), std::string::npos) << r.err;
  r = RunAnnals({"--db", copy, "streams"});
  EXPECT_EQ(r.exit_code, 5) << "a failed restore must not leave a store behind";
}

TEST_F(CliTest, LogFiltersAndFormats) {
  ImportSample();
  RunResult r = Run({"log", "--after-seq", "9", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("id":"aicn-10")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("seq":10,"version":10)"), std::string::npos) << lines[0];
  r = Run({"log", "--limit", "2"});
  ASSERT_EQ(r.exit_code, 0);
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("partner_talks"), std::string::npos);
  EXPECT_NE(lines[1].find("aicn-02"), std::string::npos);
  r = Run({"log", "--stream", "no-such-stream"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no stream 'no-such-stream'"), std::string::npos) << r.err;
}

TEST_F(CliTest, DbFromEnvironmentAndDefault) {
  // $ANNALS_DB is used when --db is absent.
  RunResult r = RunAnnals({"streams"});  // RunAnnals clears ANNALS_DB; cwd has no annals.db
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("no annals store at 'annals.db'"), std::string::npos) << r.err;
}

TEST_F(CliTest, VerifyOnIntactStore) {
  ImportSample();
  RunResult r = Run({"verify", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "{\"ok\":true,\"events\":11,\"streams\":1,\"problems\":[]}\n");
}

TEST_F(CliTest, HelpForEveryCommandHasAnExample) {
  for (const char* cmd : {"append", "import", "export", "restore", "log", "streams", "verify"}) {
    RunResult r = RunAnnals({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Example"), std::string::npos) << cmd << ": " << r.out;
  }
}

// Each bad input: the exit code, a piece of the message, and nothing written.
struct BadCase {
  std::vector<std::string> args;
  std::string input;
  int exit_code;
  std::string message;
};

TEST_F(CliTest, BadInputIsRefusedWithAClearMessageAndWritesNothing) {
  ImportSample();
  const std::string before = Export();
  test::WriteFile(dir_.Sub("empty.jsonl"), "");
  const std::string note = R"({"stream":"x","type":"note","effective":"2025","data":{"text":"a"}})";
  const std::vector<BadCase> cases = {
      {{"append", "--stream", "x", "--type", "bogus", "--effective", "2025"}, "", 2,
       "unknown event type 'bogus'"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025-13", "--set", "text=a"},
       "", 2, "2025-13"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025-02-30", "--set",
        "text=a"},
       "", 2, "2025-02-30"},
      {{"append", "--stream", "x", "--type", "note", "--set", "text=a"}, "", 2,
       "missing field 'effective'"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025"}, "", 2,
       "missing field 'data.text'"},
      {{"append", "--stream", "bad name", "--type", "note", "--effective", "2025", "--set",
        "text=a"},
       "", 2, "field 'stream'"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025", "--set", "text"},
       "", 2, "KEY=VALUE"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025", "--data", "{oops"},
       "", 2, "--data: malformed JSON"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025", "--data", "[1]"},
       "", 2, "data must be a JSON object"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025", "--set", "text=a",
        "--confidence", "certain"},
       "", 2, "confirmed|reported|rumored"},
      {{"append", "--stream", "x", "--type", "note", "--effective", "2025", "--set", "text=a",
        "--expect-version", "minus"},
       "", 2, "expect-version"},
      {{"append", "--type", "note", "--effective", "2025"}, "", 2, "--stream"},
      {{"append", "--stream", "apple-intelligence-cn", "--type", "retraction", "--set",
        "target=nope", "--set", "reason=x"},
       "", 1, "event 'nope' not found"},
      {{"append", "--stream", "apple-intelligence-cn", "--type", "correction", "--set",
        "target=aicn-01", "--data", R"({"data":{"regulator":"CAC"}})"},
       "", 2, "unknown field 'data.regulator'"},
      {{"append", "--stream", "apple-intelligence-cn", "--type", "partner_talks", "--effective",
        "2025", "--set", "partner=X", "--set", "status=opened", "--id", "aicn-01"},
       "", 3, "already used by seq 1"},
      {{"import", dir_.Sub("missing.jsonl")}, "", 2, "cannot read"},
      {{"import", dir_.Sub("empty.jsonl")}, "", 2, "holds no events"},
      {{"import", "-"}, "not json\n", 2, "line 1: malformed JSON"},
      {{"import", "-"}, note + "\n" + R"({"stream":"x","type":"note","effective":"2025"})" + "\n",
       2, "line 2: missing field 'data.text'"},
      {{"import", "-"}, note + "\n" + note + "\n" + R"({"stream":"x","type":"note","effective":"2025","data":{"text":"b"},"seq":9})" + "\n",
       2, "line 3: field 'seq' is assigned by the store"},
      {{"import", "-"}, R"({"stream":"x","type":"fact","effective":"2025","data":{"key":1}})" "\n",
       2, "line 1: field 'data.key' must be a string"},
      {{"import", "-"}, R"({"id":"aicn-02","stream":"x","type":"fact","effective":"2025","data":{"key":"k"}})" "\n",
       3, "line 1: id 'aicn-02' is already used"},
      {{"restore", test::SampleTimelinePath()}, "", 2, "empty store"},
      {{"log", "--limit", "many"}, "", 2, "limit"},
      {{"log", "--format", "xml"}, "", 2, "format"},
      {{"nosuchcommand"}, "", 2, "nosuchcommand"},
      {{}, "", 2, "subcommand"},
  };
  for (const auto& c : cases) {
    RunResult r = Run(c.args, c.input);
    std::string shown;
    for (const auto& a : c.args) shown += a + " ";
    EXPECT_EQ(r.exit_code, c.exit_code) << shown << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos)
        << shown << "\nstderr lacks '" << c.message << "': " << r.err;
    EXPECT_EQ(r.out, "") << shown;
  }
  EXPECT_EQ(Export(), before);
  EXPECT_GE(cases.size(), 20u);
}

TEST_F(CliTest, ReadCommandsOnAMissingStoreAreExit5AndCreateNothing) {
  for (const char* cmd : {"log", "streams", "verify", "export"}) {
    RunResult r = Run({cmd});
    EXPECT_EQ(r.exit_code, 5) << cmd;
    EXPECT_NE(r.err.find("no annals store"), std::string::npos) << r.err;
  }
  RunResult r = Run({"append", "--stream", "x", "--type", "note", "--effective", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Run({"streams"}).exit_code, 5) << "a refused first append must not create a store";
}

}  // namespace
}  // namespace annals
