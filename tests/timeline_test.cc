// Copyright annals authors.
//
// The timeline picture (annals/timeline.h) for any vocabulary: lanes derived from the
// state's shape (a lane per map entry and per list element, flags that slip for values
// with a history, milestones, facts and notes), marks with hover details, spans coloured
// by status, fuzzy dates as ranges, rumored / tentative / corrected styling, as-of and
// known-at choosing what is drawn, unbounded and extreme dates, escaping, the HTML page.
// The command, the committed picture in docs/ and a real render: timeline_cli_test.cc.

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "annals/store.h"
#include "annals/timeline.h"
#include "annals/vocabulary.h"
#include "test_util.h"

namespace annals {
namespace {

using test::TempDir;

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// The <g ...> element that starts at `start`, nested <g> elements matched.
std::string GroupAt(const std::string& svg, size_t start) {
  if (start == std::string::npos) return "";
  int depth = 0;
  for (size_t i = start; i < svg.size(); ++i) {
    if (svg.compare(i, 3, "<g ") == 0 || svg.compare(i, 3, "<g>") == 0) ++depth;
    if (svg.compare(i, 4, "</g>") == 0 && --depth == 0) return svg.substr(start, i + 4 - start);
  }
  return "";
}

// The mark of one event: <g class="ev ..." data-id="ID" ...>.
std::string EventGroup(const std::string& svg, const std::string& id) {
  const size_t at = svg.find("data-id=\"" + id + "\"");
  return at == std::string::npos ? "" : GroupAt(svg, svg.rfind("<g class=\"ev", at));
}

// The lane of a state field's entry: <g class="lane ..." data-field="F" data-name="N">.
std::string LaneGroup(const std::string& svg, const std::string& field, const std::string& name) {
  const size_t at = svg.find(" data-field=\"" + field + "\" data-name=\"" + name + "\">");
  return at == std::string::npos ? "" : GroupAt(svg, svg.rfind("<g class=\"lane", at));
}

// The drawing without its legend (whose samples use the same classes).
std::string Drawing(const std::string& svg) {
  return svg.substr(0, svg.find("<g class=\"legend\">"));
}

std::vector<std::string> Matches(const std::string& text, const std::regex& re) {
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

std::vector<std::string> SectionTitles(const std::string& svg) {
  static const std::regex kTitle(R"re(<text class="section"[^>]*>([^<]*)</text>)re");
  return Matches(svg, kTitle);
}

std::vector<std::string> LaneNames(const std::string& svg) {
  static const std::regex kName(R"re(<text class="lane-name"[^>]*>([^<]*)</text>)re");
  return Matches(svg, kName);
}

// Every <rect class="range" x=.. y=.. width=..> inside `text`: (x, width).
std::vector<std::pair<double, double>> Ranges(const std::string& text) {
  std::vector<std::pair<double, double>> out;
  static const std::regex kRange(
      R"re(<rect class="range" x="([-0-9.]+)" y="[-0-9.]+" width="([-0-9.]+)")re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kRange);
       it != std::sregex_iterator(); ++it) {
    out.emplace_back(std::stod((*it)[1].str()), std::stod((*it)[2].str()));
  }
  return out;
}
std::vector<double> RangeWidths(const std::string& text) {
  std::vector<double> out;
  for (const auto& r : Ranges(text)) out.push_back(r.second);
  return out;
}

class TimelineTest : public testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.create_if_missing = true;
    auto s = Store::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  void Append(const std::vector<std::string>& jsons) {
    std::vector<NewEvent> events;
    const EventTypes types = store_->Types();
    for (const auto& j : jsons) {
      auto e = NewEvent::FromJson(j, types);
      ASSERT_TRUE(e.ok()) << e.status().ToString() << " for " << j;
      events.push_back(std::move(e).value());
    }
    auto r = store_->Append(std::move(events), {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void ImportSample() {
    std::vector<std::string> lines = test::Lines(test::ReadFile(test::SampleTimelinePath()));
    ASSERT_EQ(lines.size(), 11u);
    Append(lines);
  }

  void Register(const std::string& source, const std::string& file) {
    auto r = store_->RegisterVocabulary(source, file);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  std::string Svg(const std::string& as_of = "", const std::string& known_at = "",
                  const std::string& stream = "apple-intelligence-cn") {
    auto svg = RenderTimelineSvg(*store_, TimeQuery{stream, as_of, known_at});
    EXPECT_TRUE(svg.ok()) << svg.status().ToString();
    return svg.ok() ? *svg : "";
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// ---- the built-in deal -----------------------------------------------------------------

TEST_F(TimelineTest, SampleHasALanePerMapEntryAndPerListElement) {
  ImportSample();
  const std::string svg = Drawing(Svg());
  ASSERT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  // Sections and lanes are named after the state's fields and keys; deal.capnp's
  // $A.lane("launch") puts the launch target and the launch on one lane.
  EXPECT_EQ(SectionTitles(svg),
            (std::vector<std::string>{"PARTNERS", "SUBMISSIONS", "LAUNCH", "FACTS &amp; NOTES"}));
  EXPECT_EQ(LaneNames(svg), (std::vector<std::string>{"Baidu", "Tencent", "ByteDance", "Alibaba",
                                                      "CAC", "Launch", "Facts &amp; notes"}));
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-map\" data-field=\"partners\""), 4u);
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-list\" data-field=\"submissions\""), 1u);
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-value\" data-field=\"launch_target\""), 1u);
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-notes\""), 1u);
  // Talks are spans in the status they were in: three ended ones (Baidu, Tencent,
  // ByteDance) and Alibaba's running "chosen" span with an arrowhead; the CAC filing waits.
  EXPECT_EQ(Count(svg, "class=\"span\" data-status=\"opened\""), 3u);
  EXPECT_EQ(Count(svg, "class=\"span\" data-status=\"chosen\""), 1u);
  EXPECT_EQ(Count(svg, "class=\"span\" data-status=\"pending\""), 1u);
  EXPECT_EQ(Count(svg, "data-status=\"ended\""), 0u);  // ended talks run no further
  EXPECT_NE(LaneGroup(svg, "submissions", "CAC").find("stroke-dasharray=\"5 3\""),
            std::string::npos);
  EXPECT_EQ(Count(LaneGroup(svg, "partners", "Alibaba"), "class=\"open-end\""), 1u);
  EXPECT_EQ(Count(LaneGroup(svg, "submissions", "CAC"), "class=\"open-end\""), 1u);
  EXPECT_EQ(Count(LaneGroup(svg, "partners", "Baidu"), "class=\"open-end\""), 0u);
  // The gutter says how each stands, in the status's colour.
  EXPECT_NE(LaneGroup(svg, "partners", "Baidu").find(">ended</text>"), std::string::npos);
  EXPECT_NE(LaneGroup(svg, "partners", "Alibaba").find("fill=\"#16a34a\">chosen</text>"),
            std::string::npos);
  EXPECT_NE(LaneGroup(svg, "submissions", "CAC").find(">pending</text>"), std::string::npos);
  EXPECT_NE(LaneGroup(svg, "launch_target", "Launch").find(">target 2025-04</text>"),
            std::string::npos);
}

TEST_F(TimelineTest, EveryEventHasAMarkWithHoverDetails) {
  ImportSample();
  const std::string svg = Drawing(Svg());
  for (int i = 1; i <= 11; ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "aicn-%02d", i);
    const std::string g = EventGroup(svg, id);
    ASSERT_FALSE(g.empty()) << id;
    EXPECT_NE(g.find("<title>"), std::string::npos) << g;
    EXPECT_NE(g.find(std::string(" ") + id + " "), std::string::npos) << g;  // in the title
  }
  // Glyphs by status: talks opened (rings), ended (crosses), the choice (a diamond), the
  // filing (a document), the target (a flag), a fact and a note.
  EXPECT_EQ(Count(svg, "marker marker-start"), 3u);
  EXPECT_EQ(Count(svg, "marker marker-ended"), 3u);
  EXPECT_EQ(Count(svg, "marker marker-selected"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-pending"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-flag"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-fact"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-note"), 1u);
  EXPECT_NE(EventGroup(svg, "aicn-07").find("fill=\"#16a34a\""), std::string::npos);
  EXPECT_NE(EventGroup(svg, "aicn-04").find("fill=\"#6b7280\""), std::string::npos);
  // Labels are the events' summaries without the lane's name; only the last mark of an
  // entry's lane is labelled (its current status); the hover text has the source.
  EXPECT_NE(EventGroup(svg, "aicn-04").find(">talks ended (technical and privacy concerns)</text>"),
            std::string::npos);
  EXPECT_EQ(EventGroup(svg, "aicn-01").find("class=\"label\""), std::string::npos);
  EXPECT_NE(EventGroup(svg, "aicn-07").find(">chosen (AI partner: "), std::string::npos);
  EXPECT_NE(EventGroup(svg, "aicn-09")
                .find(">target 2025-04 (Apple Intelligence in simplified Chinese, internal)<"),
            std::string::npos);
  EXPECT_NE(EventGroup(svg, "aicn-07").find("source: The Information, 2025-02"),
            std::string::npos);
  EXPECT_NE(EventGroup(svg, "aicn-07").find("recorded by analyst"), std::string::npos);
  EXPECT_NE(EventGroup(svg, "aicn-04")
                .find("effective 2024-Q4? (2024-10-01 \xE2\x80\x93 2024-12-31)"),
            std::string::npos);
}

TEST_F(TimelineTest, AChoiceDropsTheEarlierChoice) {
  ImportSample();
  Append({R"({"id":"re","stream":"apple-intelligence-cn","type":"partner_chosen","effective":"2025-03","data":{"partner":"Baidu"}})"});
  const std::string svg = Drawing(Svg());
  // Alibaba's lane gets a mark of its own for the event drawn on Baidu's: dropped, red,
  // and its chosen span stops there.
  const std::string alibaba = LaneGroup(svg, "partners", "Alibaba");
  const std::string dropped = GroupAt(alibaba, alibaba.find("<g class=\"ev derived\""));
  ASSERT_FALSE(dropped.empty()) << alibaba;
  EXPECT_NE(dropped.find("data-of=\"re\""), std::string::npos);
  EXPECT_NE(dropped.find("marker marker-negative"), std::string::npos);
  EXPECT_NE(dropped.find("dropped: Baidu chosen"), std::string::npos);  // hover
  EXPECT_NE(dropped.find(">dropped \xC2\xB7 Baidu chosen</text>"), std::string::npos);
  EXPECT_EQ(Count(alibaba, "class=\"open-end\""), 0u);
  EXPECT_NE(alibaba.find("fill=\"#dc2626\">dropped</text>"), std::string::npos);
  // Baidu, chosen after its talks ended, runs on from the choice.
  const std::string baidu = LaneGroup(svg, "partners", "Baidu");
  EXPECT_NE(EventGroup(baidu, "re").find("marker marker-selected"), std::string::npos);
  EXPECT_EQ(Count(baidu, "class=\"open-end\""), 1u);
  EXPECT_NE(baidu.find(">chosen</text>"), std::string::npos);
}

TEST_F(TimelineTest, TitleAxisAndLegend) {
  ImportSample();
  const std::string svg = Svg("2025-03-01", "@7");
  EXPECT_NE(svg.find("<text class=\"title\""), std::string::npos);
  EXPECT_NE(svg.find(">apple-intelligence-cn</text>"), std::string::npos);
  EXPECT_NE(svg.find("as of 2025-03-01 \xC2\xB7 known at @7 \xC2\xB7 phase: partner_chosen "
                     "\xC2\xB7 chosen partner: Alibaba \xC2\xB7 7 events"),
            std::string::npos);
  // Up to 2025-03-01 the picture spans 15 months: month ticks, with the years above them.
  EXPECT_NE(svg.find(">2024</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2025</text>"), std::string::npos);
  EXPECT_EQ(Count(svg, ">Jan</text>"), 2u);
  EXPECT_EQ(Count(svg, ">Q1</text>"), 0u);
  // All of it (to the April 2025 target and a margin) is quarters.
  EXPECT_EQ(Count(Svg(), ">Q1</text>"), 2u);
  // The legend says what the statuses drawn look like, then the styles that occur.
  const std::string legend = svg.substr(svg.find("<g class=\"legend\">"));
  for (const char* text : {">opened<", ">ended<", ">chosen<",
                           ">fuzzy date: earliest \xE2\x80\x93 latest<",
                           ">open end: still running, or no bound<"}) {
    EXPECT_NE(legend.find(text), std::string::npos) << text;
  }
  for (const char* text : {">launch target<", ">rumored<", ">tentative at as-of<",
                           ">replaced (arrow to the new value)<", ">pending<"}) {
    EXPECT_EQ(legend.find(text), std::string::npos) << text;  // nothing of that kind drawn
  }
  EXPECT_NE(Svg().find(">launch target<"), std::string::npos);
  // The as-of line.
  EXPECT_NE(svg.find("<g class=\"as-of\">"), std::string::npos);
  EXPECT_NE(svg.find(">as of 2025-03-01</text>"), std::string::npos);
}

TEST_F(TimelineTest, FuzzyDatesAreRangesNotPoints) {
  ImportSample();
  const std::string svg = Svg();
  const std::vector<double> widths = RangeWidths(svg);
  ASSERT_GE(widths.size(), 11u);
  for (double w : widths) EXPECT_GT(w, 0) << svg;
  // "2024~" is a whole year, "2024-Q4?" a quarter, "2025-02~" a month.
  const double year = RangeWidths(EventGroup(svg, "aicn-01")).at(0);
  const double quarter = RangeWidths(EventGroup(svg, "aicn-04")).at(0);
  const double month = RangeWidths(EventGroup(svg, "aicn-07")).at(0);
  EXPECT_GT(year, 3.5 * quarter);
  EXPECT_GT(quarter, 2.5 * month);
  EXPECT_GT(month, 20);
  // A precise date still gets a visible band.
  Append({R"({"id":"day","stream":"apple-intelligence-cn","type":"note","effective":"2025-01-15T09:30Z","data":{"text":"a precise instant"}})"});
  const double instant = RangeWidths(EventGroup(Svg(), "day")).at(0);
  EXPECT_GE(instant, 2);
  EXPECT_LT(instant, month);
}

TEST_F(TimelineTest, RumoredTentativeAndCorrectedEventsLookDifferent) {
  Append({R"({"id":"t1","stream":"s","type":"partner_talks","effective":"2024-03","data":{"partner":"Acme","status":"opened"}})",
          R"({"id":"t2","stream":"s","type":"partner_talks","effective":"2024-05","confidence":"rumored","data":{"partner":"Globex","status":"opened"}})",
          R"({"id":"t3","stream":"s","type":"partner_chosen","effective":"2024-Q3","data":{"partner":"Acme"}})"});
  // As of mid-August, the Q3 choice is folded but may not have happened yet.
  const std::string svg = Svg("2024-08-15", "", "s");
  const std::string reported = EventGroup(svg, "t1");
  const std::string rumored = EventGroup(svg, "t2");
  const std::string tentative = EventGroup(svg, "t3");
  EXPECT_EQ(reported.rfind("<g class=\"ev\"", 0), 0u) << reported;
  EXPECT_EQ(reported.find("dasharray"), std::string::npos);
  EXPECT_EQ(rumored.rfind("<g class=\"ev rumored\"", 0), 0u) << rumored;
  EXPECT_NE(rumored.find("fill=\"url(#hatch)\""), std::string::npos);
  EXPECT_NE(rumored.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(rumored.find(">rumored: talks opened</text>"), std::string::npos);
  EXPECT_EQ(tentative.rfind("<g class=\"ev tentative\"", 0), 0u) << tentative;
  EXPECT_NE(tentative.find("opacity=\"0.55\""), std::string::npos);
  EXPECT_NE(tentative.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(tentative.find("tentative: may not have happened by 2024-08-15"), std::string::npos);
  EXPECT_NE(svg.find("<pattern id=\"hatch\""), std::string::npos);
  EXPECT_NE(svg.find(">rumored<"), std::string::npos);  // in the legend
  EXPECT_NE(svg.find(">tentative at as-of<"), std::string::npos);
  // Corrections are applied before drawing and marked; retracted events are not drawn.
  Append({R"({"id":"fix","stream":"s","type":"correction","data":{"target":"t2","effective":"2024-01","reason":"earlier"}})",
          R"({"id":"gone","stream":"s","type":"retraction","data":{"target":"t3","reason":"wrong"}})"});
  const std::string fixed = Svg("", "", "s");
  const std::string corrected = EventGroup(fixed, "t2");
  EXPECT_EQ(corrected.rfind("<g class=\"ev rumored corrected\"", 0), 0u) << corrected;
  EXPECT_NE(corrected.find("effective 2024-01 (2024-01-01 \xE2\x80\x93 2024-01-31)"),
            std::string::npos);
  EXPECT_NE(corrected.find("class=\"corrected-mark\""), std::string::npos);
  EXPECT_NE(corrected.find(" (corrected)</text>"), std::string::npos);
  EXPECT_LT(Ranges(corrected).at(0).first, Ranges(EventGroup(fixed, "t1")).at(0).first);
  EXPECT_EQ(fixed.find("data-id=\"t3\""), std::string::npos);
  EXPECT_EQ(fixed.find("marker-selected"), std::string::npos);  // nobody chosen now
  EXPECT_NE(fixed.find(">corrected<"), std::string::npos);
}

TEST_F(TimelineTest, ReplacedValuesAreFlagsThatSlip) {
  ImportSample();
  Append({R"({"id":"slip","stream":"apple-intelligence-cn","type":"launch_target_set","effective":"2025-04~","data":{"target":"2025-05~"}})",
          R"({"id":"go","stream":"apple-intelligence-cn","type":"launched","effective":"2025-06-02","data":{"scope":"zh-Hans"}})"});
  const std::string svg = Drawing(Svg());
  const std::string lane = LaneGroup(svg, "launch_target", "Launch");
  EXPECT_EQ(Count(lane, "marker marker-flag"), 2u);
  const std::string old_flag = EventGroup(lane, "aicn-09");
  EXPECT_EQ(old_flag.rfind("<g class=\"ev slipped\"", 0), 0u) << old_flag;
  EXPECT_NE(old_flag.find("opacity=\"0.4\""), std::string::npos);
  EXPECT_NE(old_flag.find(">target 2025-04 (replaced)</text>"), std::string::npos);
  EXPECT_NE(old_flag.find("replaced by target 2025-05~ (set 2025-04~)"), std::string::npos);
  EXPECT_NE(old_flag.find("target 2025-04 (set 2025-02~)"), std::string::npos);
  EXPECT_EQ(EventGroup(lane, "slip").rfind("<g class=\"ev\"", 0), 0u);
  EXPECT_EQ(Count(lane, "<path class=\"slip\""), 1u);
  EXPECT_NE(lane.find("marker-end=\"url(#arrow)\""), std::string::npos);
  // A flag stands at the date it names (April, then May 2025), not at when it was set.
  const auto april = Ranges(old_flag).at(0), may = Ranges(EventGroup(lane, "slip")).at(0);
  EXPECT_NEAR(april.second, may.second, 3);
  EXPECT_NEAR(may.first - april.first, april.second, 3);
  // The launch itself is a milestone on the same lane, which then says it launched.
  EXPECT_NE(EventGroup(lane, "go").find("marker marker-milestone"), std::string::npos);
  EXPECT_NE(lane.find(">launched 2025-06-02</text>"), std::string::npos);
  EXPECT_NE(Svg().find(">replaced (arrow to the new value)<"), std::string::npos);
}

TEST_F(TimelineTest, AsOfAndKnownAtChooseWhatIsDrawn) {
  ImportSample();
  const std::string mid2024 = Svg("2024-06");
  EXPECT_EQ(Count(mid2024, "<g class=\"lane lane-map\""), 3u);  // no Alibaba yet
  EXPECT_EQ(mid2024.find("data-field=\"submissions\""), std::string::npos);
  EXPECT_EQ(SectionTitles(Drawing(mid2024)), (std::vector<std::string>{"PARTNERS"}));
  Append({R"({"id":"late","stream":"apple-intelligence-cn","type":"partner_talks","effective":"2024-05","data":{"partner":"Huawei","status":"opened"}})"});
  EXPECT_EQ(Count(Svg("", "@11"), "<g class=\"lane lane-map\""), 4u);
  const std::string now = Svg();
  EXPECT_EQ(Count(now, "<g class=\"lane lane-map\""), 5u);
  // Back-dated: Huawei's lane comes in its valid-time place, after ByteDance (2024~).
  EXPECT_EQ(LaneNames(now).at(3), "Huawei");
  // Before every event: an empty picture that says so.
  const std::string before = Svg("2023-06");
  EXPECT_NE(before.find(">no events by as-of 2023-06</text>"), std::string::npos);
  EXPECT_EQ(before.find("<g class=\"ev"), std::string::npos);
}

TEST_F(TimelineTest, TextIsEscapedForXml) {
  Append({R"({"id":"x<1>","stream":"s","type":"partner_talks","effective":"2024","data":{"partner":"A<&>\"'B","status":"opened","reason":"</svg><script>alert(1)</script>"}})"});
  const std::string svg = Svg("", "", "s");
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("A<&>"), std::string::npos);
  EXPECT_NE(svg.find("data-name=\"A&lt;&amp;&gt;&quot;&#39;B\""), std::string::npos);
  EXPECT_NE(svg.find("data-id=\"x&lt;1&gt;\""), std::string::npos);
  EXPECT_EQ(Count(svg, "</svg>"), 1u);
}

TEST_F(TimelineTest, ErrorsAreStatuses) {
  ImportSample();
  auto missing = RenderTimelineSvg(*store_, TimeQuery{"nope", "", ""});
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  auto bad = RenderTimelineSvg(*store_, TimeQuery{"apple-intelligence-cn", "2025-13", ""});
  EXPECT_TRUE(bad.status().IsInvalidArgument()) << bad.status().ToString();
  auto bad_html = RenderTimelineHtml(*store_, TimeQuery{"apple-intelligence-cn", "", "x"});
  EXPECT_TRUE(bad_html.status().IsInvalidArgument()) << bad_html.status().ToString();
}

TEST_F(TimelineTest, OutputIsDeterministic) {
  ImportSample();
  EXPECT_EQ(Svg("2025-03"), Svg("2025-03"));
}

TEST_F(TimelineTest, HtmlPageIsSelfContained) {
  ImportSample();
  auto html = RenderTimelineHtml(*store_, TimeQuery{"apple-intelligence-cn", "", ""});
  ASSERT_TRUE(html.ok()) << html.status().ToString();
  EXPECT_EQ(html->rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(Count(*html, "<svg "), 1u);
  EXPECT_EQ(html->find("<?xml"), std::string::npos);
  EXPECT_NE(html->find("<script>"), std::string::npos);
  EXPECT_NE(html->find("id=\"detail\""), std::string::npos);
  EXPECT_NE(html->find("getAttribute('data-of')"), std::string::npos);  // derived marks
  EXPECT_EQ(Count(*html, "<tr data-id="), 11u);
  // No external resources: the only URL is the SVG namespace.
  EXPECT_EQ(Count(*html, "http"), 1u);
  EXPECT_EQ(html->find(" src="), std::string::npos);
  EXPECT_EQ(html->find(" href="), std::string::npos);
}

// ---- other vocabularies ------------------------------------------------------------------

// The shipped acquisition vocabulary, which names no lanes: its sample (Microsoft and
// Activision Blizzard, with a correction and a retraction) drawn from its shape alone.
TEST_F(TimelineTest, AcquisitionSampleIsDrawnFromItsShape) {
  auto source = ShippedVocabularySource("acquisition");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  Register(*source, "acquisition.capnp");
  Append(test::Lines(test::ReadFile(std::string(ANNALS_SOURCE_DIR) + "/examples/msft-atvi.jsonl")));
  const std::string full = Svg("", "", "msft-atvi");
  const std::string svg = Drawing(full);
  EXPECT_NE(svg.find("status: closed \xC2\xB7 acquirer: Microsoft \xC2\xB7 target: Activision "
                     "Blizzard \xC2\xB7 28 events"),
            std::string::npos);
  // Whole values first, in a section named after the vocabulary; then a section per map
  // and list, in the state's field order.
  EXPECT_EQ(SectionTitles(svg),
            (std::vector<std::string>{"ACQUISITION", "REVIEWS", "LAWSUITS", "APPEALS", "VOTES",
                                      "FACTS &amp; NOTES"}));
  for (const char* regulator : {"CMA", "European Commission", "CADE", "SAMR"}) {
    EXPECT_FALSE(LaneGroup(svg, "reviews", regulator).empty()) << regulator;
  }
  EXPECT_EQ(Count(svg, "data-field=\"reviews\""), 4u);
  EXPECT_EQ(Count(svg, "data-field=\"lawsuits\""), 2u);
  EXPECT_FALSE(LaneGroup(svg, "appeals", "FTC v. Microsoft (N.D. Cal.)").empty());
  // The retracted Microsoft vote is not drawn; the corrected one is marked.
  EXPECT_EQ(Count(svg, "data-field=\"votes\""), 1u);
  const std::string vote = LaneGroup(svg, "votes", "Activision Blizzard");
  EXPECT_NE(vote.find("<g class=\"ev corrected\" data-id=\"msft-atvi-03\""), std::string::npos);
  EXPECT_NE(vote.find("marker marker-positive"), std::string::npos);  // its outcome: approved
  EXPECT_EQ(svg.find("data-id=\"msft-atvi-04\""), std::string::npos);
  // Every visible event has its mark.
  EXPECT_EQ(Count(svg, "<g class=\"ev") - Count(svg, "<g class=\"ev derived"), 28u);
  // The CMA: opened, phase 2, blocked; a new review of the restructured deal, remedies.
  // No span runs from the block to the new review.
  const std::string cma = LaneGroup(svg, "reviews", "CMA");
  EXPECT_EQ(Count(cma, "class=\"span\" data-status=\"open\""), 3u);
  EXPECT_NE(EventGroup(cma, "msft-atvi-14").find("marker marker-negative"), std::string::npos);
  EXPECT_NE(EventGroup(cma, "msft-atvi-24").find("marker marker-start"), std::string::npos);
  EXPECT_NE(EventGroup(cma, "msft-atvi-26").find("marker marker-conditional"), std::string::npos);
  EXPECT_NE(cma.find(">remedies</text>"), std::string::npos);
  // The outside date slips three times: four flags at the dates they name, three faded,
  // each with an arrow to the next.
  const std::string outside = LaneGroup(svg, "outside_date", "Outside date");
  EXPECT_EQ(Count(outside, "marker marker-flag"), 4u);
  EXPECT_EQ(Count(outside, "<g class=\"ev slipped\""), 3u);
  EXPECT_EQ(Count(outside, "<path class=\"slip\""), 3u);
  EXPECT_NE(outside.find(">date 2023-01-18 (replaced)</text>"), std::string::npos);
  EXPECT_NE(outside.find(">date 2023-10-18</text>"), std::string::npos);
  // msft-atvi-02 was set on 2022-01-18 and stands at 2023-01-18, where msft-atvi-11 was set.
  const double first_flag = Ranges(EventGroup(outside, "msft-atvi-02")).at(0).first;
  EXPECT_GT(first_flag, Ranges(EventGroup(svg, "msft-atvi-01")).at(0).first + 100);
  // Revised terms are a flag replacing the announced ones; the closing is a milestone.
  const std::string terms = LaneGroup(svg, "terms", "Terms");
  EXPECT_EQ(Count(terms, "<path class=\"slip\""), 1u);
  EXPECT_NE(terms.find(">price $95.00 per share (replaced)</text>"), std::string::npos);
  EXPECT_NE(LaneGroup(svg, "closed", "Closed").find("marker marker-milestone"), std::string::npos);
  // An appeal filed marks its lawsuit too: a derived mark for the event on the appeal's lane.
  const std::string suit = LaneGroup(svg, "lawsuits", "FTC v. Microsoft (N.D. Cal.)");
  EXPECT_NE(suit.find("data-of=\"msft-atvi-20\""), std::string::npos);
  EXPECT_NE(suit.find(">affirmed</text>"), std::string::npos);
  // The legend names the vocabulary's own statuses.
  const std::string legend = full.substr(full.find("<g class=\"legend\">"));
  for (const char* text : {">blocked<", ">remedies<", ">cleared<", ">outside date<",
                           ">terms<", ">closed<", ">note<", ">corrected<"}) {
    EXPECT_NE(legend.find(text), std::string::npos) << text;
  }
  // As of June 2023: blocked by the CMA, litigation pending, the outside date in July.
  const std::string june = Drawing(Svg("2023-06-30", "", "msft-atvi"));
  EXPECT_NE(june.find("status: blocked"), std::string::npos);
  EXPECT_NE(LaneGroup(june, "reviews", "CMA").find(">blocked</text>"), std::string::npos);
  EXPECT_NE(LaneGroup(june, "outside_date", "Outside date").find(">date 2023-07-18</text>"),
            std::string::npos);
  EXPECT_EQ(june.find("data-field=\"closed\""), std::string::npos);
}

// A vocabulary written from SPEC §7 alone, unlike any shipped one: a map whose entries
// have no `status` (an enum-set field tells it), a value with a history and a $A.date
// field, and a scalar field.
constexpr const char* kTrip = R"(@0xf1d3b2c9e8a7d6c5;
using A = import "/annals/vocabulary.capnp";
$A.vocabulary("trip");
enum Mode { train @0; plane @1; }
struct LegBooked $A.event("leg_booked") $A.summary("{city} by {mode}")
    $A.on([(upsert = (path = "legs", key = "data.city",
                      fields = ["mode = data.mode", "booked = effective"]))]) {
  city @0 :Text $A.required;
  mode @1 :Mode $A.required;
}
struct LegCancelled $A.event("leg_cancelled") $A.summary("{city} cancelled")
    $A.on([(remove = (path = "legs", key = "data.city"))]) {
  city @0 :Text $A.required;
}
struct DepartureSet $A.event("departure_set") $A.summary("leave on {date}")
    $A.on([(set = (path = "departure", fields = ["date = data.date", "set = effective"],
                   history = "departure.previous"))]) {
  date @0 :Text $A.required $A.date;
}
struct MoodNoted $A.event("mood_noted") $A.summary("mood: {mood}")
    $A.on([(set = (path = "mood", value = "data.mood"))]) {
  mood @0 :Text $A.required;
}
struct State $A.state {
  legs @0 :List(Leg) $A.map(key = "city");
  departure @1 :Departure;
  mood @2 :Text;
  struct Leg { city @0 :Text; mode @1 :Text; booked @2 :Text; }
  struct Prior { date @0 :Text; set @1 :Text; }
  struct Departure { date @0 :Text; set @1 :Text; previous @2 :List(Prior); }
}
)";

TEST_F(TimelineTest, AnyVocabularyGetsLanesFromItsShape) {
  Register(kTrip, "trip.capnp");
  Append({R"({"id":"l1","stream":"t","type":"leg_booked","effective":"2025-01-10","data":{"city":"Lisbon","mode":"train"}})",
          R"({"id":"l2","stream":"t","type":"leg_booked","effective":"2025-01-12","data":{"city":"Porto","mode":"plane"}})",
          R"({"id":"d1","stream":"t","type":"departure_set","effective":"2025-01-05","data":{"date":"2025-03-01"}})",
          R"({"id":"d2","stream":"t","type":"departure_set","effective":"2025-02-01","data":{"date":"2025-03-15"}})",
          R"({"id":"c1","stream":"t","type":"leg_cancelled","effective":"2025-02-10","data":{"city":"Porto"}})",
          R"({"id":"m1","stream":"t","type":"mood_noted","effective":"2025-02-11","data":{"mood":"hopeful"}})"});
  const std::string svg = Drawing(Svg("", "", "t"));
  EXPECT_EQ(SectionTitles(svg), (std::vector<std::string>{"LEGS", "TRIP"}));
  EXPECT_EQ(LaneNames(svg),
            (std::vector<std::string>{"Lisbon", "Porto", "Departure", "Mood"}));
  // The entry's status is its `mode` (set from an enum); Lisbon's runs on, Porto's lane
  // ends where it was removed.
  const std::string lisbon = LaneGroup(svg, "legs", "Lisbon");
  EXPECT_NE(lisbon.find("class=\"span\" data-status=\"train\""), std::string::npos);
  EXPECT_EQ(Count(lisbon, "class=\"open-end\""), 1u);
  EXPECT_NE(lisbon.find(">train</text>"), std::string::npos);
  const std::string porto = LaneGroup(svg, "legs", "Porto");
  EXPECT_NE(porto.find(">removed</text>"), std::string::npos);
  EXPECT_EQ(Count(porto, "class=\"open-end\""), 0u);
  EXPECT_NE(EventGroup(porto, "c1").find("marker marker-ended"), std::string::npos);
  // A word outside the lexicon still gets a colour of its own: the span's is the mark's.
  const std::string span = lisbon.substr(lisbon.find("data-status=\"train\""));
  const std::string mark = EventGroup(lisbon, "l1");
  const std::string range = mark.substr(mark.find("<rect class=\"range\""));
  ASSERT_NE(span.find("fill=\"#"), std::string::npos);
  EXPECT_EQ(span.substr(span.find("fill=\"#"), 15), range.substr(range.find("fill=\"#"), 15));
  EXPECT_NE(span.substr(span.find("fill=\"#"), 15), "fill=\"#64748b\"");  // not muted
  // The departure is a flag at the date it names; the scalar a lane of its own, since the
  // event wrote nothing else.
  const std::string departure = LaneGroup(svg, "departure", "Departure");
  EXPECT_EQ(Count(departure, "marker marker-flag"), 2u);
  EXPECT_NE(EventGroup(departure, "d1").find(">date 2025-03-01 (replaced)</text>"),
            std::string::npos);
  EXPECT_GT(Ranges(EventGroup(departure, "d1")).at(0).first,
            Ranges(EventGroup(svg, "c1")).at(0).first);  // March is after February 10
  EXPECT_NE(LaneGroup(svg, "mood", "Mood").find(">mood: hopeful</text>"), std::string::npos);
}

// ---- dates the axis must hold --------------------------------------------------------------

// Tick labels, in order, as numbers (years) where they are numbers.
std::vector<std::string> Ticks(const std::string& svg) {
  static const std::regex kTick(R"re(<text class="tick"[^>]*>([^<]*)</text>)re");
  return Matches(svg, kTick);
}

// Every x of a range band lies on the canvas; no number is NaN or infinite.
void ExpectDrawable(const std::string& svg) {
  for (const auto& [x, w] : Ranges(svg)) {
    EXPECT_GE(x, 0) << svg;
    EXPECT_GE(w, 0) << svg;
    EXPECT_LE(x + w, 1240) << svg;
  }
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST_F(TimelineTest, UnboundedDatesAreClampedToTheAxisAndDrawnOpen) {
  Append({R"({"id":"u1","stream":"s","type":"partner_talks","effective":"2024-03/..","data":{"partner":"Acme","status":"opened"}})",
          R"({"id":"u2","stream":"s","type":"partner_talks","effective":"../2024-06","data":{"partner":"Globex","status":"opened"}})",
          R"({"id":"u3","stream":"s","type":"note","effective":"/2024-02","data":{"text":"unknown start"}})",
          R"({"id":"u4","stream":"s","type":"launch_target_set","effective":"2024-05","data":{"target":"2025/.."}})"});
  for (const std::string& as_of : {std::string(), std::string("2024-09")}) {
    const std::string svg = Svg(as_of, "", "s");
    ExpectDrawable(svg);
    const std::string open_end = EventGroup(svg, "u1");
    EXPECT_EQ(open_end.rfind("<g class=\"ev", 0), 0u);
    EXPECT_NE(open_end.find(" open-end\""), std::string::npos) << open_end;
    EXPECT_NE(open_end.find("mask=\"url(#fade-r)\""), std::string::npos);
    EXPECT_NE(open_end.find("<path class=\"open-arrow\""), std::string::npos);
    EXPECT_NE(open_end.find("effective 2024-03/.. (2024-03-01 \xE2\x80\x93 open)"),
              std::string::npos);
    const std::string open_start = EventGroup(svg, "u2");
    EXPECT_NE(open_start.find(" open-start\""), std::string::npos) << open_start;
    EXPECT_NE(open_start.find("mask=\"url(#fade-l)\""), std::string::npos);
    EXPECT_NE(EventGroup(svg, "u3").find("(unknown \xE2\x80\x93 2024-02-29)"), std::string::npos);
    // Open ends reach the edges of the axis; the axis itself spans the bounded dates.
    const auto acme = Ranges(open_end).at(0), globex = Ranges(open_start).at(0);
    EXPECT_NEAR(acme.first + acme.second, 1240 - 24, 1);
    EXPECT_NEAR(globex.first, Ranges(EventGroup(svg, "u3")).at(0).first, 1);
    EXPECT_NE(Ticks(svg).front(), "");
    // Globex's span has been open since before the axis.
    EXPECT_NE(LaneGroup(svg, "partners", "Globex").find("class=\"open-start\""),
              std::string::npos);
  }
  // The flag of an open-ended target stands at its start.
  EXPECT_NE(EventGroup(Svg("", "", "s"), "u4").find(" open-end\""), std::string::npos);
}

TEST_F(TimelineTest, ExtremeYearsKeepAReadableAxis) {
  Append({R"({"id":"x1","stream":"old","type":"note","effective":"-0044-03-15","data":{"text":"Ides of March"}})",
          R"({"id":"x2","stream":"old","type":"note","effective":"2025","data":{"text":"now"}})",
          R"({"id":"x3","stream":"old","type":"note","effective":"Y-12000","data":{"text":"an ice age"}})"});
  const std::string old = Svg("", "", "old");
  ExpectDrawable(old);
  std::vector<std::string> ticks = Ticks(old);
  ASSERT_GE(ticks.size(), 5u);
  EXPECT_LE(ticks.size(), 20u);
  for (size_t i = 1; i < ticks.size(); ++i) {
    EXPECT_LT(std::stoll(ticks[i - 1]), std::stoll(ticks[i])) << old;
  }
  EXPECT_LE(std::stoll(ticks.front()), -12000);
  EXPECT_GE(std::stoll(ticks.back()), 2025);
  EXPECT_NE(EventGroup(old, "x1").find("effective -0044-03-15 (-0044-03-15)"), std::string::npos);
  // The widest years EDTF dates reach, and open ends beyond them.
  Append({R"({"id":"y1","stream":"far","type":"note","effective":"Y-290000/..","data":{"text":"from the far past on"}})",
          R"({"id":"y2","stream":"far","type":"note","effective":"../Y290000","data":{"text":"until the far future"}})",
          R"({"id":"y3","stream":"far","type":"fact","effective":"Y12345","data":{"key":"k","value":"v"}})"});
  const std::string far = Svg("", "", "far");
  ExpectDrawable(far);
  ticks = Ticks(far);
  ASSERT_GE(ticks.size(), 5u);
  EXPECT_LE(std::stoll(ticks.front()), -290000);
  EXPECT_GE(std::stoll(ticks.back()), 290000);
  EXPECT_NE(EventGroup(far, "y3")
                .find("effective Y12345 (+012345-01-01 \xE2\x80\x93 +012345-12-31)"),
            std::string::npos);
  // A lone year far out.
  Append({R"({"id":"z1","stream":"one","type":"note","effective":"Y99999","data":{"text":"a year"}})"});
  ExpectDrawable(Svg("", "", "one"));
}

}  // namespace
}  // namespace annals
