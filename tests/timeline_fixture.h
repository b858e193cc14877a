// Copyright annals authors.
//
// What the tests of the timeline picture (timeline_*_test.cc) share: reading an SVG
// (an event's mark, a lane, section titles, lane names, range bands) and a fixture with a
// fresh store that imports the built-in sample and renders a stream.

#ifndef ANNALS_TESTS_TIMELINE_FIXTURE_H_
#define ANNALS_TESTS_TIMELINE_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "annals/store.h"
#include "annals/timeline.h"
#include "test_util.h"

namespace annals {
namespace test {

// How many times `needle` occurs in `haystack`, not overlapping.
size_t Count(const std::string& haystack, const std::string& needle);

// The <g ...> element that starts at `start`, nested <g> elements matched.
std::string GroupAt(const std::string& svg, size_t start);

// The mark of one event: <g class="ev ..." data-id="ID" ...>.
std::string EventGroup(const std::string& svg, const std::string& id);

// The lane of a state field's entry: <g class="lane ..." data-field="F" data-name="N">.
std::string LaneGroup(const std::string& svg, const std::string& field, const std::string& name);

// The drawing without its legend (whose samples use the same classes).
std::string Drawing(const std::string& svg);

// The first group of each match of `re` in `text`.
std::vector<std::string> Matches(const std::string& text, const std::regex& re);

// The section titles and lane names of a picture, in order.
std::vector<std::string> SectionTitles(const std::string& svg);
std::vector<std::string> LaneNames(const std::string& svg);

// Every <rect class="range" x=.. y=.. width=..> inside `text`: (x, width).
std::vector<std::pair<double, double>> Ranges(const std::string& text);
// The widths of those range bands.
std::vector<double> RangeWidths(const std::string& text);

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
    std::vector<std::string> lines = Lines(ReadFile(SampleTimelinePath()));
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

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_TIMELINE_FIXTURE_H_
