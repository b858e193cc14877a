// Copyright annals authors.
//
// The edges a newcomer hit (SPEC §4 "Edges"): a zero limit or bound means none, not "no
// bound"; an empty option value is a usage error, never a silent default; a picture needs
// .svg or .html; a repeated id in one import names the earlier line; counts read as
// English; `append --help` says --effective is required for domain events.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "annals/store.h"
#include "log/coding.h"
#include "log/store_impl.h"
#include "test_util.h"

namespace annals {
namespace {

using test::RunAnnals;
using test::RunResult;
using test::TempDir;

constexpr char kStream[] = "apple-intelligence-cn";

class CliEdgesTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = dir_.Sub("db"); }
  void ImportSample() {
    RunResult r = Run({"import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--db", db_});
    return RunAnnals(args, input);
  }
  TempDir dir_;
  std::string db_;
};

TEST_F(CliEdgesTest, LogLimitZeroPrintsNothing) {
  ImportSample();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"log", "--limit", "0"},
        std::vector<std::string>{"log", "--limit", "0", "--format", "json"},
        std::vector<std::string>{"log", "--stream", kStream, "--limit", "0"},
        std::vector<std::string>{"log", "--after-seq", "3", "--limit", "0"}}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(test::Lines(Run({"log", "--limit", "1"}).out).size(), 1u);
  EXPECT_EQ(test::Lines(Run({"log"}).out).size(), 11u);
  // A zero limit still checks the stream.
  EXPECT_EQ(Run({"log", "--stream", "nope", "--limit", "0"}).exit_code, 1);
}

TEST_F(CliEdgesTest, ReplayUntilSeqZeroReplaysNothing) {
  ImportSample();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"replay", "--until-seq", "0"},
        std::vector<std::string>{"replay", "--until-seq", "0", "--format", "json"},
        std::vector<std::string>{"replay", "--stream", kStream, "--until-seq", "0"}}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(test::Lines(Run({"replay", "--until-seq", "1", "--format", "json"}).out).size(), 1u);
  EXPECT_EQ(test::Lines(Run({"replay", "--format", "json"}).out).size(), 11u);
}

// Every option that takes a value, found in the manual (`annals help`), given an empty
// one: exit 2, naming the option, and nothing is written or created.
TEST_F(CliEdgesTest, AnEmptyValueForAnyOptionIsAUsageError) {
  ImportSample();
  const std::string before = Run({"export"}).out;
  // "  --known-at TIME" lines under a command, or under GLOBAL OPTIONS.
  const std::regex option_line("^ {2,4}(-[a-z], )?(--[a-z-]+) [A-Z|a-z=]+");
  std::vector<std::pair<std::string, std::string>> cases;  // command ("" = global), option
  const RunResult manual = RunAnnals({"help"});
  ASSERT_EQ(manual.exit_code, 0);
  std::string command;
  for (const auto& line : test::Lines(manual.out)) {
    if (line.rfind("annals ", 0) == 0 && line.find(" - ") != std::string::npos) {
      command = line.substr(7, line.find(" - ") - 7);
    }
    std::smatch m;
    if (std::regex_search(line, m, option_line)) cases.emplace_back(command, m[2]);
  }
  for (const char* positional : {"import", "restore", "help", "completion"}) {
    cases.emplace_back(positional, "");
  }
  ASSERT_GE(cases.size(), 30u) << manual.out;
  bool saw_id = false, saw_db = false, saw_as_of = false, saw_stream = false;
  for (const auto& [cmd, opt] : cases) {
    std::vector<std::string> args = {"--db", dir_.Sub("fresh")};
    if (cmd.empty()) {
      args = {opt, ""};
      if (opt != "--db") args.insert(args.begin(), {"--db", dir_.Sub("fresh")});
      args.push_back("log");
    } else {
      args.push_back(cmd);
      if (!opt.empty()) args.push_back(opt);
      args.push_back("");
    }
    saw_id |= opt == "--id";
    saw_db |= opt == "--db";
    saw_as_of |= opt == "--as-of";
    saw_stream |= opt == "--stream";
    RunResult r = RunAnnals(args);
    const std::string shown = cmd + " " + opt + " ''";
    EXPECT_EQ(r.exit_code, 2) << shown << ": " << r.err;
    EXPECT_NE(r.err.find((opt.empty() ? "" : opt) + ": "), std::string::npos)
        << shown << ": " << r.err;
    EXPECT_EQ(r.out, "") << shown;
  }
  EXPECT_TRUE(saw_id && saw_db && saw_as_of && saw_stream);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("fresh")));
  // The same on an existing store: nothing changes.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"append", "--stream", kStream, "--type", "note", "--effective",
                                 "2025", "--set", "text=x", "--id", ""},
        std::vector<std::string>{"append", "--stream", kStream, "--type", "note", "--effective", "",
                                 "--set", "text=x"},
        std::vector<std::string>{"state", "--stream", kStream, "--known-at", ""},
        std::vector<std::string>{"append", "--stream", kStream, "--type", "note", "--effective",
                                 "2025", "--set", "text=x", "--source", ""}}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("an empty value is not allowed"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Run({"export"}).out, before);
}

TEST_F(CliEdgesTest, TimelineOutMustBeSvgOrHtml) {
  ImportSample();
  for (const char* name : {"t.png", "t.txt", "t", "t.svg.bak", "t.htm", "t.SVG"}) {
    const std::string out = dir_.Sub(name);
    RunResult r = Run({"timeline", "--stream", kStream, "--out", out});
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.err;
    EXPECT_NE(r.err.find("does not end in .svg or .html"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << name;
  }
  for (const char* name : {"t.svg", "t.html"}) {
    RunResult r = Run({"timeline", "--stream", kStream, "--out", dir_.Sub(name)});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_TRUE(std::filesystem::exists(dir_.Sub(name)));
  }
  RunResult r = Run({"timeline", "--stream", kStream, "--out", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<svg"), std::string::npos);
}

// The quoted text value of `key` in a JSON line (its first occurrence), quotes included.
std::string QuotedField(const std::string& line, const std::string& key) {
  const std::string start = "\"" + key + "\":\"";
  const size_t at = line.find(start);
  if (at == std::string::npos) return "";
  const size_t end = line.find('"', at + start.size());
  return line.substr(at + start.size() - 1, end - (at + start.size()) + 2);
}

std::string Note(const std::string& id, const std::string& text) {
  return R"({"id":")" + id + R"(","stream":"s","type":"note","effective":"2025","data":{"text":")" +
         text + R"("}})" + "\n";
}

TEST_F(CliEdgesTest, ARepeatedIdInOneImportNamesTheEarlierLine) {
  ImportSample();
  // In one chunk.
  std::string input =
      Note("a", "1") + Note("dup", "first") + "\n" + Note("b", "2") + Note("dup", "second");
  RunResult r = Run({"import", "-"}, input);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("line 5: id 'dup' is already used by line 2 with different content"),
            std::string::npos)
      << r.err;
  // Across chunks (an import writes 4096 events at a time).
  input = Note("x0", "0") + Note("x1", "1") + Note("dup", "first");
  for (int i = 4; i < 9000; ++i) input += Note("n" + std::to_string(i), "n");
  input += Note("dup", "second");
  r = Run({"import", "-"}, input);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("line 9000: id 'dup' is already used by line 3 with different content"),
            std::string::npos)
      << r.err;
  // An identical repeat is a no-op, as for a stored event.
  r = Run({"import", "-"}, Note("same", "x") + Note("same", "x"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 1 event (seq 12-12), 1 already recorded\n");
  // A stored event is named by its seq, which exists.
  r = Run({"import", "-"}, Note("new", "x") + Note("aicn-02", "other"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("line 2: id 'aicn-02' is already used by seq 2 with"), std::string::npos)
      << r.err;
  EXPECT_EQ(test::Lines(Run({"log"}).out).size(), 12u);

  // The library names events of one append by their place in it.
  test::StopTestServers(db_);  // the store is used directly from here (cli_via_server)
  auto store = Store::Open(db_, Options());
  ASSERT_TRUE(store.ok());
  auto appended = (*store)->Append(
      test::Events(
          {R"({"id":"pair","stream":"s","type":"note","effective":"2025","data":{"text":"one"}})",
           R"({"id":"pair","stream":"s","type":"note","effective":"2025","data":{"text":"two"}})"}),
      AppendOptions());
  ASSERT_TRUE(appended.status().IsConflict());
  EXPECT_EQ(appended.status().message(),
            "event 2: id 'pair' is already used by event 1 with different content");
}

TEST_F(CliEdgesTest, CountsReadAsEnglish) {
  RunResult r = Run({"import", "-"}, Note("only", "one"));
  EXPECT_EQ(r.out, "imported 1 event (seq 1-1)\n");
  r = Run({"import", "-"}, Note("only", "one"));
  EXPECT_EQ(r.out, "nothing imported: the event was already recorded\n");
  r = Run({"verify"});
  EXPECT_EQ(r.out, "ok: 1 event in 1 stream; hash chain and indexes verified\n");
  const std::string exported = Run({"export"}).out;
  const std::string copy = dir_.Sub("copy");
  r = RunAnnals({"--db", copy, "restore", "-"}, exported);
  EXPECT_EQ(r.out, "restored 1 event in 1 stream; hash chain verified\n");
  r = RunAnnals({"--db", copy, "restore", "-"}, exported);
  EXPECT_NE(r.err.find("this one has 1 event\n"), std::string::npos) << r.err;
  r = Run({"import", "-"}, Note("two", "2") + Note("three", "3"));
  EXPECT_EQ(r.out, "imported 2 events (seq 2-3)\n");
  EXPECT_EQ(Run({"verify"}).out, "ok: 3 events in 1 stream; hash chain and indexes verified\n");
  // One problem.
  test::StopTestServers(copy);  // the store is changed directly (cli_via_server)
  {
    auto store = internal::StoreImpl::OpenImpl(copy, Options(), internal::TestHooks());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)
                    ->db()
                    ->Put(rocksdb::WriteOptions(), (*store)->cf_id(), "stray", internal::SeqKey(1))
                    .ok());
  }
  r = RunAnnals({"--db", copy, "verify"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out.rfind("FAILED: 1 problem in 1 event\n", 0), 0u) << r.out;
}

TEST_F(CliEdgesTest, AppendHelpSaysEffectiveIsRequiredForDomainEvents) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"append", "--help"}, std::vector<std::string>{"help", "append"}}) {
    RunResult r = RunAnnals(args);
    EXPECT_EQ(r.exit_code, 0);
    const size_t at = r.out.find("--effective", r.out.find("Options:"));
    ASSERT_NE(at, std::string::npos) << r.out;
    std::string rest = r.out.substr(at, 400);
    for (char& c : rest) c = c == '\n' ? ' ' : c;
    rest = std::regex_replace(rest, std::regex(" +"), " ");
    EXPECT_NE(rest.find("Required for domain events"), std::string::npos) << rest;
  }
}

TEST_F(CliEdgesTest, PartnerChosenKeepsThePartnersReason) {
  const std::string input =
      R"({"id":"a","stream":"s","type":"partner_talks","effective":"2025-01",)"
      R"("data":{"partner":"Baidu","status":"opened","reason":"maps licence"}})"
      "\n"
      R"({"id":"b","stream":"s","type":"partner_chosen","effective":"2025-02",)"
      R"("data":{"partner":"Baidu","role":"AI provider"}})"
      "\n";
  ASSERT_EQ(Run({"import", "-"}, input).exit_code, 0);
  RunResult r = Run({"state", "--stream", "s", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("Baidu":{"status":"chosen","since":"2025-02","reason":"maps licence",)"
                       R"("role":"AI provider"})"),
            std::string::npos)
      << r.out;
  // Before the choice, the reason is the talks' own.
  r = Run({"state", "--stream", "s", "--as-of", "2025-01-31", "--format", "json"});
  EXPECT_NE(r.out.find(R"("Baidu":{"status":"opened","since":"2025-01","reason":"maps licence"})"),
            std::string::npos)
      << r.out;
}

TEST_F(CliEdgesTest, APerStreamExportMovesIntoAnotherStoreWithImportFromExport) {
  ImportSample();
  ASSERT_EQ(Run({"import", "-"}, Note("elsewhere", "another stream")).exit_code, 0);
  const std::string part = Run({"export", "--stream", kStream}).out;
  const std::vector<std::string> lines = test::Lines(part);
  ASSERT_EQ(lines.size(), 11u);
  const std::string other = dir_.Sub("other");
  auto in_other = [&](std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--db", other});
    return RunAnnals(args, input);
  };
  ASSERT_EQ(in_other({"import", "-"}, Note("first", "already here")).exit_code, 0);
  // Neither restore (the store is not empty) nor a plain import takes it.
  EXPECT_EQ(in_other({"restore", "-"}, part).exit_code, 2);
  RunResult plain = in_other({"import", "-"}, part);
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.err.find("import --from-export"), std::string::npos) << plain.err;

  RunResult r = in_other({"import", "--from-export", "-"}, part);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 11 events (seq 2-12)\n");
  // Recorded anew, with where each event was first recorded kept beside it.
  const std::vector<std::string> moved = test::Lines(in_other({"export", "--stream", kStream}).out);
  ASSERT_EQ(moved.size(), 11u);
  for (size_t i = 0; i < moved.size(); ++i) {
    const std::string seq = std::to_string(i + 1);
    const std::string original_at = QuotedField(lines[i], "recorded_at");
    const std::string original_hash = QuotedField(lines[i], "hash");
    EXPECT_NE(moved[i].find("\"seq\":" + std::to_string(i + 2) + ","), std::string::npos);
    EXPECT_NE(moved[i].find("\"imported_from\":{\"recorded_at\":" + original_at + ",\"seq\":" +
                            seq + ",\"hash\":" + original_hash + "}"),
              std::string::npos)
        << moved[i];
  }
  EXPECT_EQ(in_other({"state", "--stream", kStream, "--format", "json"}).out,
            Run({"state", "--stream", kStream, "--format", "json"}).out);
  EXPECT_EQ(in_other({"verify"}).exit_code, 0);
  // Again: nothing new (the provenance is not content).
  EXPECT_EQ(in_other({"import", "--from-export", "-"}, part).out,
            "nothing imported: all 11 events were already recorded\n");
  // A line changed after export is refused, naming it, and nothing is written.
  std::string altered = part;
  const size_t at = altered.find("Alibaba");
  ASSERT_NE(at, std::string::npos);
  altered.replace(at, 7, "Alabama");
  const std::string third = dir_.Sub("third");
  r = RunAnnals({"--db", third, "import", "--from-export", "-"}, altered);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("hash does not match its content"), std::string::npos) << r.err;
  EXPECT_NE(RunAnnals({"--db", third, "log"}).exit_code, 0);
}

}  // namespace
}  // namespace annals
