// Copyright annals authors.
//
// The timeline picture (annals/timeline.h; timeline_fixture.h): dates the axis must hold,
// unbounded ends clamped to the axis and drawn open, and extreme years with a readable
// axis.

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "timeline_fixture.h"

namespace annals {
namespace test {
namespace {

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
}  // namespace test
}  // namespace annals
