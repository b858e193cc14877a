// Copyright annals authors.
//
// The query commands of the real binary: state, history, diff, replay, in text and JSON,
// with their flags and exit codes (SPEC §3-4).

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

constexpr char kEvents[] =
    R"({"id":"t1","stream":"deal","type":"partner_talks","effective":"2024~","data":{"partner":"Baidu","status":"opened"}}
{"id":"t2","stream":"deal","type":"partner_talks","effective":"2024-11~","data":{"partner":"Baidu","status":"ended","reason":"privacy concerns"}}
{"id":"c1","stream":"deal","type":"partner_chosen","effective":"2025-02","data":{"partner":"Alibaba","role":"models"}}
{"id":"f1","stream":"deal","type":"submission_filed","effective":"2025-02","data":{"regulator":"CAC","scope":"features"}}
{"id":"l1","stream":"deal","type":"launch_target_set","effective":"2025-02","data":{"target":"2025-04","scope":"zh-Hans"}}
{"id":"n1","stream":"deal","type":"note","effective":"2025","data":{"text":"regain share"}}
)";

constexpr char kLater[] =
    R"({"id":"l2","stream":"deal","type":"launch_target_set","effective":"2025-04","data":{"target":"2025-Q3","scope":"zh-Hans"}}
{"id":"k1","stream":"deal","type":"correction","data":{"target":"f1","effective":"2025-01","reason":"filed earlier"}}
{"id":"r1","stream":"deal","type":"retraction","data":{"target":"n1","reason":"off topic"}}
)";

class CliQueryTest : public testing::Test {
 protected:
  void SetUp() override {
    RunResult r = Run({"import", "-"}, kEvents);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  RunResult Run(std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"--db", db_});
    return RunAnnals(args, in);
  }

  TempDir dir_;
  std::string db_ = dir_.Sub("db");
};

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_F(CliQueryTest, StateJsonIsOneObjectOfSpec3) {
  RunResult r = Run({"state", "--stream", "deal", "--as-of", "2025-03-01", "--known-at", "@5",
                     "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const std::string& j = lines[0];
  EXPECT_TRUE(Contains(j, R"("stream":"deal","as_of":"2025-03-01","known_at":"@5")")) << j;
  EXPECT_TRUE(Contains(j, R"("phase":"submitted")")) << j;
  EXPECT_TRUE(Contains(j, R"("Baidu":{"status":"ended","since":"2024-11~","reason":"privacy concerns"})"))
      << j;
  EXPECT_TRUE(Contains(j, R"("chosen_partner":"Alibaba")")) << j;
  EXPECT_TRUE(Contains(j, R"("launch_target":{"target":"2025-04","scope":"zh-Hans","set":"2025-02","previous":[]})"))
      << j;
  EXPECT_TRUE(Contains(j, R"("events_applied":5,"tentative":[])")) << j;  // n1 not yet known
  // Unbounded as_of and known_at are null; the 2025 note is tentative as of 2025-06.
  r = Run({"state", "--stream", "deal", "--format", "json"});
  EXPECT_TRUE(Contains(r.out, R"("as_of":null,"known_at":null)")) << r.out;
  r = Run({"state", "--stream", "deal", "--as-of", "2025-06", "--format", "json"});
  EXPECT_TRUE(Contains(r.out, R"("tentative":["n1"])")) << r.out;
}

TEST_F(CliQueryTest, StateTextIsAlignedAndShowsDatesAsWritten) {
  RunResult r = Run({"state", "--stream", "deal", "--as-of", "2024-12"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "phase           exploring\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  Baidu  status ended  since 2024-11~  reason privacy concerns\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "chosen partner  -\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "events applied  2\n")) << r.out;
}

TEST_F(CliQueryTest, StateErrorsMapToExitCodes) {
  RunResult r = Run({"state", "--stream", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "nope")) << r.err;
  EXPECT_TRUE(r.out.empty());
  r = Run({"state", "--stream", "deal", "--as-of", "2025-13"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "2025-13")) << r.err;
  r = Run({"state", "--stream", "deal", "--known-at", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "soon")) << r.err;
  r = Run({"state"});  // --stream is required
  EXPECT_EQ(r.exit_code, 2);
  r = Run({"state", "--stream", "deal", "--format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  r = Run({"state", "--stream", "deal", "--known-at", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST_F(CliQueryTest, HistoryListsVisibleEventsInValidTimeOrderWithCorrections) {
  ASSERT_EQ(Run({"import", "-"}, kLater).exit_code, 0);
  RunResult r = Run({"history", "--stream", "deal", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;  // n1 retracted
  std::vector<std::string> ids;
  for (const auto& l : lines) ids.push_back(l.substr(7, 2));  // {"id":"xx"
  EXPECT_EQ(ids, (std::vector<std::string>{"t1", "t2", "f1", "c1", "l1", "l2"}));
  EXPECT_TRUE(Contains(lines[2], R"("effective":"2025-01")")) << lines[2];
  EXPECT_TRUE(Contains(lines[2], R"("corrected":true})")) << lines[2];
  EXPECT_TRUE(Contains(lines[0], R"("corrected":false})")) << lines[0];
  // Known at @6 nothing was corrected or retracted yet; as of 2024 only the talks.
  r = Run({"history", "--stream", "deal", "--known-at", "@6", "--as-of", "2024"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;  // header + 2
  EXPECT_TRUE(Contains(lines[0], "EFFECTIVE")) << lines[0];
  EXPECT_TRUE(Contains(lines[1], "2024~")) << lines[1];
  EXPECT_TRUE(Contains(lines[2], "Baidu: talks ended (privacy concerns)")) << lines[2];
  // Columns are aligned: the type column starts at the same offset on every line.
  EXPECT_EQ(lines[1].find("partner_talks"), lines[2].find("partner_talks"));
  r = Run({"history", "--stream", "deal"});
  EXPECT_TRUE(Contains(r.out, "[corrected]")) << r.out;
  EXPECT_EQ(Run({"history", "--stream", "nope"}).exit_code, 1);
  EXPECT_EQ(Run({"history", "--stream", "deal", "--as-of", "x"}).exit_code, 2);
}

TEST_F(CliQueryTest, DiffPrintsOneLinePerChangedField) {
  RunResult r = Run({"diff", "--stream", "deal", "--from", "2024-06", "--to", "2025-03"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_GE(lines.size(), 3u) << r.out;
  bool status_line = false;
  for (const auto& l : lines) {
    if (Contains(l, "partners.Baidu.status") && Contains(l, "opened") && Contains(l, "ended")) {
      status_line = true;
    }
  }
  EXPECT_TRUE(status_line) << r.out;
  r = Run({"diff", "--stream", "deal", "--from", "2024-06", "--to", "2025-03", "--format",
           "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Lines(r.out).size(), 1u);
  EXPECT_TRUE(Contains(r.out, R"({"stream":"deal","from":"2024-06","to":"2025-03","known_at":null,"changes":[)"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, R"({"path":"chosen_partner","from":null,"to":"Alibaba"})")) << r.out;
  EXPECT_TRUE(Contains(r.out, R"({"path":"phase","from":"exploring","to":"submitted"})")) << r.out;
  r = Run({"diff", "--stream", "deal", "--from", "2025-03", "--to", "2025-03", "--format",
           "json"});
  EXPECT_TRUE(Contains(r.out, R"("changes":[])")) << r.out;
  EXPECT_EQ(Run({"diff", "--stream", "deal", "--from", "2025-02-30", "--to", "2025"}).exit_code,
            2);
  EXPECT_EQ(Run({"diff", "--stream", "deal", "--from", "2024"}).exit_code, 2);  // no --to
  EXPECT_EQ(Run({"diff", "--stream", "nope", "--from", "2024", "--to", "2025"}).exit_code, 1);
}

TEST_F(CliQueryTest, ReplayShowsEachEventsChangesInSeqOrder) {
  ASSERT_EQ(Run({"import", "-"}, kLater).exit_code, 0);
  RunResult r = Run({"replay", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 9u) << r.out;
  EXPECT_TRUE(Contains(lines[1], R"({"path":"partners.Baidu.status","from":"opened","to":"ended"})"))
      << lines[1];
  EXPECT_TRUE(Contains(lines[5], R"("changes":[])")) << lines[5];  // the note
  EXPECT_TRUE(Contains(lines[6], R"({"path":"launch_target.previous.0.target","from":null,"to":"2025-04"})"))
      << lines[6];
  EXPECT_TRUE(Contains(lines[7], R"({"path":"submissions.0.filed","from":"2025-02","to":"2025-01"})"))
      << lines[7];
  EXPECT_TRUE(Contains(lines[8], R"("type":"retraction")")) << lines[8];
  r = Run({"replay", "--stream", "deal", "--until-seq", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(Contains(lines[0], "t1")) << r.out;
  EXPECT_TRUE(Contains(r.out, "partners.Baidu.status")) << r.out;
  EXPECT_FALSE(Contains(r.out, "c1")) << r.out;
  EXPECT_EQ(Run({"replay", "--stream", "nope"}).exit_code, 1);
}

TEST_F(CliQueryTest, SampleTimelineAnswersTheArticlesQuestions) {
  TempDir other;
  const std::string db = other.Sub("db");
  RunResult r = RunAnnals({"--db", db, "import", test::SampleTimelinePath()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunAnnals({"--db", db, "state", "--stream", "apple-intelligence-cn", "--as-of",
                 "2025-03-01", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, R"("chosen_partner":"Alibaba")")) << r.out;
  EXPECT_TRUE(Contains(r.out, R"("phase":"submitted")")) << r.out;
  r = RunAnnals({"--db", db, "state", "--stream", "apple-intelligence-cn", "--as-of",
                 "2024-06", "--format", "json"});
  EXPECT_TRUE(Contains(r.out, R"("chosen_partner":null)")) << r.out;
}

}  // namespace
}  // namespace annals
