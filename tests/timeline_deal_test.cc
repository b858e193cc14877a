// Copyright annals authors.
//
// The timeline picture (annals/timeline.h; timeline_fixture.h) of the built-in deal sample: a
// lane per map entry and per list element, marks with hover details, a choice dropping the
// earlier one, title, axis and legend, fuzzy dates as ranges, rumored / tentative /
// corrected styling, flags that slip, as-of and known-at choosing what is drawn, escaping,
// errors, determinism and the self-contained HTML page.  The command, the committed
// picture in docs/ and a real render: timeline_cli_test.cc.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "timeline_fixture.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
