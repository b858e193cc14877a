// Copyright annals authors.
//
// The SVG readers of timeline_fixture.h.

#include "timeline_fixture.h"

#include <cstddef>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace annals {
namespace test {

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

}  // namespace test
}  // namespace annals
