// Copyright annals authors.
//
// JsonLinesReader: events come out in input order with their line numbers, whatever the
// number of parser threads and batch sizes; the first bad line is reported as
// NewEvent::FromJson reports it, after every event before it and before any after it;
// read-ahead is bounded; a reader dropped early stops cleanly.  And through the real
// binary: a bad line deep in a big import still names its line and writes nothing.

#include "annals/json_lines.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "annals/event.h"
#include "test_util.h"

namespace annals {
namespace {

using test::RunAnnals;
using test::TempDir;

std::string Line(uint64_t i) {
  return R"({"id":"e)" + std::to_string(i) + R"(","stream":"s)" + std::to_string(i % 7) +
         R"(","type":"fact","effective":"2024-01-01T00:00Z","data":{"key":"k","value":"v)" +
         std::to_string(i) + R"("}})";
}

struct Input {
  std::vector<std::string> lines;
  size_t pos = 0;  // lines handed out so far

  JsonLinesReader::LineSource Source() {
    return [this](std::string* line) {
      if (pos == lines.size()) return false;
      *line = lines[pos++];
      return true;
    };
  }
};

// Lines 1..n: events, with a blank line after every 10th; `bad` (1-based line numbers)
// replaced by the given text.
Input MakeInput(size_t events, const std::vector<std::pair<size_t, std::string>>& bad = {}) {
  Input in;
  for (size_t i = 0; i < events; ++i) {
    in.lines.push_back(Line(i));
    if (i % 10 == 9) in.lines.push_back(i % 20 == 19 ? "  \t " : "");
  }
  for (const auto& [line_no, text] : bad) in.lines[line_no - 1] = text;
  return in;
}

JsonLinesOptions SmallBatches(int threads) {
  JsonLinesOptions o;
  o.threads = threads;
  o.batch_lines = 7;
  o.batches_ahead = 3;
  return o;
}

class JsonLinesReaderTest : public testing::TestWithParam<int> {};

TEST_P(JsonLinesReaderTest, YieldsEveryEventInOrderWithItsLineNumber) {
  Input in = MakeInput(2000);
  JsonLinesReader reader(in.Source(), SmallBatches(GetParam()));
  std::vector<std::string> ids;
  for (;;) {
    std::optional<NewEvent> event;
    uint64_t line_no = 0;
    ASSERT_OK(reader.Next(&event, &line_no));
    if (!event) break;
    ASSERT_GE(line_no, 1u);
    ASSERT_LE(line_no, in.lines.size());
    // The line it came from holds its id.
    ASSERT_NE(in.lines[line_no - 1].find("\"" + std::string(event->id()) + "\""),
              std::string::npos);
    ids.emplace_back(event->id());
  }
  ASSERT_EQ(ids.size(), 2000u);
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], "e" + std::to_string(i));
  // The end is sticky.
  std::optional<NewEvent> event;
  uint64_t line_no = 0;
  ASSERT_OK(reader.Next(&event, &line_no));
  EXPECT_FALSE(event);
}

TEST_P(JsonLinesReaderTest, TheFirstBadLineIsReportedAfterTheEventsBeforeIt) {
  const std::string bad1 = R"({"stream":"s","type":"fact","effective":"2024","data":{"kee":"k"}})";
  const std::string bad2 = "{not json";
  Input in = MakeInput(3000, {{1234, bad1}, {1500, bad2}});
  JsonLinesReader reader(in.Source(), SmallBatches(GetParam()));
  size_t events = 0;
  uint64_t last_line = 0;
  Status s;
  for (;;) {
    std::optional<NewEvent> event;
    uint64_t line_no = 0;
    s = reader.Next(&event, &line_no);
    if (!s.ok() || !event) break;
    ++events;
    last_line = line_no;
  }
  ASSERT_FALSE(s.ok());
  const Status expected = NewEvent::FromJson(bad1).status().WithPrefix("line 1234");
  EXPECT_EQ(s.ToString(), expected.ToString());
  EXPECT_NE(s.message().find("data.kee"), std::string::npos) << s.ToString();
  EXPECT_EQ(last_line, 1233u);
  EXPECT_EQ(events, 1233u - 1233u / 11);  // one blank line in every 11
  // Sticky, and nothing more is read.
  const size_t reads = in.pos;
  std::optional<NewEvent> event;
  uint64_t line_no = 0;
  EXPECT_EQ(reader.Next(&event, &line_no).ToString(), expected.ToString());
  EXPECT_FALSE(event);
  EXPECT_EQ(in.pos, reads);
}

TEST_P(JsonLinesReaderTest, ReadsOnlyABoundedWayAhead) {
  Input in = MakeInput(5000);
  JsonLinesOptions o = SmallBatches(GetParam());
  JsonLinesReader reader(in.Source(), o);
  std::optional<NewEvent> event;
  uint64_t line_no = 0;
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(reader.Next(&event, &line_no));
    ASSERT_TRUE(event);
    // Consumed up to line_no; at most batches_ahead batches (plus the blank lines skipped
    // while filling them) beyond it.
    EXPECT_LE(in.pos, line_no + (o.batches_ahead + 1) * o.batch_lines * 11 / 10 + 1);
  }
}

TEST_P(JsonLinesReaderTest, AReaderDroppedEarlyStopsItsThreads) {
  Input in = MakeInput(20000);  // more than the default read-ahead
  {
    JsonLinesOptions o;
    o.threads = GetParam();
    JsonLinesReader reader(in.Source(), o);
    std::optional<NewEvent> event;
    uint64_t line_no = 0;
    ASSERT_OK(reader.Next(&event, &line_no));
    ASSERT_TRUE(event);
  }  // must not hang or touch `in` afterwards
  EXPECT_LT(in.pos, in.lines.size());
}

INSTANTIATE_TEST_SUITE_P(Threads, JsonLinesReaderTest, testing::Values(0, 1, 3),
                         [](const testing::TestParamInfo<int>& p) {
                           return "threads" + std::to_string(p.param);
                         });

// The real binary, with a bad line after several chunks of the store's import and after
// many batches of the reader: same message and exit code as before, nothing written.
TEST(JsonLinesCliTest, ABadLineDeepInALargeImportNamesItAndWritesNothing) {
  TempDir dir;
  std::string text;
  for (uint64_t i = 0; i < 12000; ++i) {
    text += (i == 9999 ? std::string(R"({"stream":"s","type":"note","effective":"2024"})")
                       : Line(i)) + "\n";
  }
  test::WriteFile(dir.Sub("in.jsonl"), text);
  auto r = RunAnnals({"--db", dir.Sub("db"), "import", dir.Sub("in.jsonl")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("line 10000: missing field 'data.text' (required for note)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db")));  // the store it created is gone

  // The same file without the bad line imports completely, in order.
  text.clear();
  for (uint64_t i = 0; i < 12000; ++i) text += Line(i) + "\n\n";
  test::WriteFile(dir.Sub("good.jsonl"), text);
  r = RunAnnals({"--db", dir.Sub("db"), "import", dir.Sub("good.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 12000 events (seq 1-12000)\n");
  r = RunAnnals({"--db", dir.Sub("db"), "export"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto exported = test::Lines(r.out);
  ASSERT_EQ(exported.size(), 12000u);
  EXPECT_NE(exported.back().find("\"id\":\"e11999\""), std::string::npos) << exported.back();
  EXPECT_NE(exported.back().find("\"seq\":12000"), std::string::npos) << exported.back();
}

}  // namespace
}  // namespace annals
