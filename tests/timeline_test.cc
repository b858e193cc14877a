// Copyright annals authors.
//
// The timeline picture (annals/timeline.h) and the `timeline` command: the SVG's structure
// (lanes, markers, labels, legend, fuzzy ranges, rumored / tentative / slipped styling,
// escaping), the HTML page, the committed picture in docs/, and a real render with
// headless Chromium.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "annals/store.h"
#include "annals/timeline.h"
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

// The <g class="ev ..." data-id="ID" ...> ... </g> element of one event, found by
// matching nested <g> elements.
std::string EventGroup(const std::string& svg, const std::string& id) {
  const size_t at = svg.find("data-id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t start = svg.rfind("<g class=\"ev", at);
  int depth = 0;
  for (size_t i = start; i < svg.size(); ++i) {
    if (svg.compare(i, 3, "<g ") == 0 || svg.compare(i, 3, "<g>") == 0) ++depth;
    if (svg.compare(i, 4, "</g>") == 0 && --depth == 0) return svg.substr(start, i + 4 - start);
  }
  return "";
}

// The drawing without its legend (whose samples use the same classes).
std::string Drawing(const std::string& svg) { return svg.substr(0, svg.find("<g class=\"legend\">")); }

// Widths of every <rect class="range" ...> inside `text`.
std::vector<double> RangeWidths(const std::string& text) {
  std::vector<double> out;
  static const std::regex kRange(R"re(<rect class="range" x="[-0-9.]+" y="[-0-9.]+" width="([-0-9.]+)")re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kRange);
       it != std::sregex_iterator(); ++it) {
    out.push_back(std::stod((*it)[1].str()));
  }
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
    for (const auto& j : jsons) {
      auto e = NewEvent::FromJson(j);
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

  std::string Svg(const std::string& as_of = "", const std::string& known_at = "",
                  const std::string& stream = "apple-intelligence-cn") {
    auto svg = RenderTimelineSvg(*store_, TimeQuery{stream, as_of, known_at});
    EXPECT_TRUE(svg.ok()) << svg.status().ToString();
    return svg.ok() ? *svg : "";
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(TimelineTest, SampleHasOneLanePerPartnerAndPerRegulator) {
  ImportSample();
  const std::string svg = Drawing(Svg());
  ASSERT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  for (const char* partner : {"Baidu", "Tencent", "ByteDance", "Alibaba"}) {
    EXPECT_EQ(Count(svg, std::string("<g class=\"lane lane-partner\" data-name=\"") + partner +
                             "\""),
              1u)
        << partner;
  }
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-partner\""), 4u);
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-regulator\" data-name=\"CAC\""), 1u);
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-launch\""), 1u);
  EXPECT_EQ(Count(svg, "<g class=\"lane lane-notes\""), 1u);
  // Talks are spans: three ended ones (Baidu, Tencent, ByteDance) and Alibaba's running
  // "chosen" span with an arrowhead.
  EXPECT_EQ(Count(svg, "class=\"span span-opened\""), 3u);
  EXPECT_EQ(Count(svg, "class=\"span span-chosen\""), 1u);
  EXPECT_EQ(Count(svg, "class=\"span span-pending\""), 1u);  // the CAC filing, undecided
  EXPECT_GE(Count(svg, "class=\"open-end\""), 2u);
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
  EXPECT_EQ(Count(svg, "marker marker-opened"), 3u);
  EXPECT_EQ(Count(svg, "marker marker-ended"), 3u);
  EXPECT_EQ(Count(svg, "marker marker-chosen"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-filed"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-target"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-fact"), 1u);
  EXPECT_EQ(Count(svg, "marker marker-note"), 1u);
  // Labels say what happened; the hover text has the source.
  EXPECT_NE(svg.find(">talks ended \xC2\xB7 technical and privacy concerns</text>"),
            std::string::npos);
  EXPECT_NE(svg.find(">target 2025-04 (internal)</text>"), std::string::npos);
  EXPECT_NE(EventGroup(svg, "aicn-07").find("source: The Information, 2025-02"),
            std::string::npos);
}

TEST_F(TimelineTest, TitleAxisAndLegend) {
  ImportSample();
  const std::string svg = Svg("2025-03-01", "@7");
  EXPECT_NE(svg.find("<text class=\"title\""), std::string::npos);
  EXPECT_NE(svg.find(">apple-intelligence-cn</text>"), std::string::npos);
  EXPECT_NE(svg.find("as of 2025-03-01 \xC2\xB7 known at @7 \xC2\xB7 phase: partner_chosen"),
            std::string::npos);
  // Up to 2025-03-01 the picture spans 15 months: month ticks, with the years above them.
  EXPECT_NE(svg.find(">2024</text>"), std::string::npos);
  EXPECT_NE(svg.find(">2025</text>"), std::string::npos);
  EXPECT_EQ(Count(svg, ">Jan</text>"), 2u);
  EXPECT_EQ(Count(svg, ">Q1</text>"), 0u);
  // All of it (to the April 2025 target and a margin) is quarters.
  EXPECT_EQ(Count(Svg(), ">Q1</text>"), 2u);
  EXPECT_NE(svg.find("<g class=\"legend\">"), std::string::npos);
  for (const char* text : {">talks open<", ">partner chosen<", ">launch target<",
                           ">target slipped<", ">rumored<", ">tentative at as-of<",
                           ">fuzzy date: earliest \xE2\x80\x93 latest<"}) {
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  }
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

TEST_F(TimelineTest, RumoredAndTentativeEventsLookDifferent) {
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
  EXPECT_EQ(tentative.rfind("<g class=\"ev tentative\"", 0), 0u) << tentative;
  EXPECT_NE(tentative.find("opacity=\"0.55\""), std::string::npos);
  EXPECT_NE(tentative.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(tentative.find("tentative: may not have happened by 2024-08-15"), std::string::npos);
  EXPECT_NE(svg.find("<pattern id=\"hatch\""), std::string::npos);
}

TEST_F(TimelineTest, LaunchSlipsAreMovedFlags) {
  ImportSample();
  Append({R"({"id":"slip","stream":"apple-intelligence-cn","type":"launch_target_set","effective":"2025-04~","data":{"target":"2025-05~"}})"});
  const std::string svg = Drawing(Svg());
  EXPECT_EQ(Count(svg, "marker marker-target"), 2u);
  const std::string old_flag = EventGroup(svg, "aicn-09");
  EXPECT_EQ(old_flag.rfind("<g class=\"ev slipped\"", 0), 0u) << old_flag;
  EXPECT_NE(old_flag.find("opacity=\"0.4\""), std::string::npos);
  EXPECT_NE(old_flag.find("replaced by target 2025-05~"), std::string::npos);
  EXPECT_EQ(EventGroup(svg, "slip").rfind("<g class=\"ev\"", 0), 0u);
  EXPECT_EQ(Count(svg, "<path class=\"slip\""), 1u);
  EXPECT_NE(svg.find("marker-end=\"url(#arrow)\""), std::string::npos);
  // The flag stands at the target (April / May 2025), not at when it was set.
  const double april = RangeWidths(old_flag).at(0), may = RangeWidths(EventGroup(svg, "slip")).at(0);
  EXPECT_NEAR(april, may, 3);
}

TEST_F(TimelineTest, AsOfAndKnownAtChooseWhatIsDrawn) {
  ImportSample();
  const std::string mid2024 = Svg("2024-06");
  EXPECT_EQ(Count(mid2024, "<g class=\"lane lane-partner\""), 3u);  // no Alibaba yet
  EXPECT_EQ(mid2024.find("lane-regulator"), std::string::npos);
  Append({R"({"id":"late","stream":"apple-intelligence-cn","type":"partner_talks","effective":"2024-05","data":{"partner":"Huawei","status":"opened"}})"});
  EXPECT_EQ(Count(Svg("", "@11"), "<g class=\"lane lane-partner\""), 4u);
  EXPECT_EQ(Count(Svg(), "<g class=\"lane lane-partner\""), 5u);
}

TEST_F(TimelineTest, CorrectionsAreAppliedAndMarked) {
  ImportSample();
  Append({R"({"id":"fix","stream":"apple-intelligence-cn","type":"correction","data":{"target":"aicn-08","effective":"2025-01~","reason":"earlier"}})",
          R"({"id":"gone","stream":"apple-intelligence-cn","type":"retraction","data":{"target":"aicn-11","reason":"opinion"}})"});
  const std::string svg = Svg();
  const std::string filed = EventGroup(svg, "aicn-08");
  EXPECT_EQ(filed.rfind("<g class=\"ev corrected\"", 0), 0u) << filed;
  EXPECT_NE(filed.find("effective 2025-01~"), std::string::npos);
  EXPECT_EQ(svg.find("data-id=\"aicn-11\""), std::string::npos);  // retracted: not drawn
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
  EXPECT_EQ(Count(*html, "<tr data-id="), 11u);
  // No external resources: the only URL is the SVG namespace.
  EXPECT_EQ(Count(*html, "http"), 1u);
  EXPECT_EQ(html->find(" src="), std::string::npos);
  EXPECT_EQ(html->find(" href="), std::string::npos);
}

// ---- the command ---------------------------------------------------------------------------

class TimelineCliTest : public testing::Test {
 protected:
  void SetUp() override {
    auto r = test::RunAnnals({"--db", db_, "import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
  std::string db_ = dir_.Sub("db");
};

TEST_F(TimelineCliTest, WritesSvgAndHtml) {
  auto r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn",
                            "--as-of", "2025-03", "--out", dir_.Sub("t.svg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("wrote " + dir_.Sub("t.svg") + " (SVG, ", 0), 0u) << r.out;
  EXPECT_EQ(test::ReadFile(dir_.Sub("t.svg")).rfind("<?xml", 0), 0u);
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--out",
                       dir_.Sub("t.html"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"out\":", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"format\":\"html\""), std::string::npos) << r.out;
  EXPECT_EQ(test::ReadFile(dir_.Sub("t.html")).rfind("<!DOCTYPE html>", 0), 0u);
  r = test::RunAnnals({"--db", db_, "--quiet", "timeline", "--stream", "apple-intelligence-cn",
                       "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("<?xml", 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("t.svg.tmp")));
}

TEST_F(TimelineCliTest, ErrorsHaveExitCodes) {
  auto r = test::RunAnnals({"--db", db_, "timeline", "--stream", "nope", "--out",
                            dir_.Sub("t.svg")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("t.svg")));
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // --out is required
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--as-of",
                       "2025-13", "--out", dir_.Sub("t.svg")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--out",
                       dir_.Sub("no/such/dir/t.svg")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  r = test::RunAnnals({"--db", dir_.Sub("missing"), "timeline", "--stream", "s", "--out",
                       dir_.Sub("t.svg")});
  EXPECT_EQ(r.exit_code, 5) << r.err;
}

// The picture in the README is docs/apple-intelligence-cn.svg: the sample timeline after
// the two updates scripts/demo records (a slip to May, a back-dated filing).  Regenerate it
// with ANNALS_UPDATE_DOCS=1 after changing the renderer.
TEST_F(TimelineCliTest, DocsPictureIsUpToDate) {
  const std::string s = "apple-intelligence-cn";
  auto r = test::RunAnnals(
      {"--db", db_, "append", "--stream", s, "--type", "launch_target_set", "--effective",
       "2025-04~", "--data",
       R"({"target":"2025-05~","scope":"Apple Intelligence in simplified Chinese","internal":true})",
       "--source", "demo", "--by", "demo", "--id", "demo-slip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::RunAnnals({"--db", db_, "append", "--stream", s, "--type", "correction", "--id",
                       "demo-fix", "--set", "target=aicn-08", "--set", "effective=2025-01~",
                       "--set", "reason=filing date corrected by a later report", "--by",
                       "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", s, "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = std::string(ANNALS_SOURCE_DIR) + "/docs/apple-intelligence-cn.svg";
  const char* update = std::getenv("ANNALS_UPDATE_DOCS");
  if (update != nullptr && *update != '\0') test::WriteFile(path, r.out);
  EXPECT_TRUE(test::ReadFile(path) == r.out)
      << path << " is out of date; regenerate it with ANNALS_UPDATE_DOCS=1 "
      << "annals_tests --gtest_filter=TimelineCliTest.DocsPictureIsUpToDate";
}

// ---- a real render -------------------------------------------------------------------------

std::string FindChromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    for (const char* dir : {"/usr/bin", "/usr/local/bin", "/snap/bin"}) {
      std::string path = std::string(dir) + "/" + name;
      if (std::filesystem::exists(path)) return path;
    }
  }
  return "";
}

// Screenshots `url` at 1400x900; returns the PNG bytes ("" on failure).
std::string Screenshot(const std::string& chromium, const TempDir& dir, const std::string& file,
                       const std::string& png) {
  const std::string cmd =
      "timeout 120 '" + chromium +
      "' --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --hide-scrollbars "
      "--user-data-dir='" + dir.Sub("chromium-profile") + "' --screenshot='" + png +
      "' --window-size=1400,900 'file://" + file + "' >'" + dir.Sub("chromium.log") +
      "' 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    ADD_FAILURE() << "chromium failed (" << rc << "): " << test::ReadFile(dir.Sub("chromium.log"));
    return "";
  }
  return test::ReadFile(png);
}

uint32_t BigEndian32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

TEST_F(TimelineCliTest, RendersInHeadlessChromium) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (scripts/setup installs it)";
  }
  auto r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn",
                            "--as-of", "2025-03-01", "--out", dir_.Sub("t.svg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string png = Screenshot(chromium, dir_, dir_.Sub("t.svg"), dir_.Sub("t.png"));
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(BigEndian32(png, 16), 1400u);
  EXPECT_EQ(BigEndian32(png, 20), 900u);
  // A blank page of the same size compresses to a few KB; a drawn timeline (text, lanes,
  // colours) to far more.  This catches an SVG that Chromium refuses to draw.
  test::WriteFile(dir_.Sub("blank.svg"),
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1240\" height=\"600\">"
                  "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/></svg>");
  const std::string blank = Screenshot(chromium, dir_, dir_.Sub("blank.svg"), dir_.Sub("b.png"));
  ASSERT_FALSE(blank.empty());
  EXPECT_GT(png.size(), 20000u);
  EXPECT_GT(png.size(), 4 * blank.size()) << "blank " << blank.size() << ", timeline "
                                          << png.size();
  // The HTML page renders too.
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--out",
                       dir_.Sub("t.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html_png =
      Screenshot(chromium, dir_, dir_.Sub("t.html"), dir_.Sub("h.png"));
  EXPECT_GT(html_png.size(), 4 * blank.size());
}

}  // namespace
}  // namespace annals
