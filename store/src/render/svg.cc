// Copyright annals authors.
//
// Layout and SVG of the picture (svg.h).  Top to bottom: the title and the query, the
// axis, the sections with their lanes (a gutter on the left names each lane and says how
// it stands), the as-of line, the legend.

#include "render/svg.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "annals/fuzzy_date.h"
#include "render/axis.h"
#include "render/text.h"
#include "render/tone.h"

namespace annals {
namespace internal {
namespace render {
namespace {

constexpr double kWidth = 1240;
constexpr double kRightMargin = 24;
constexpr double kLabelPx = 11.5;
constexpr double kNamePx = 13;
constexpr double kMinGutter = 150, kMaxGutter = 250;

bool OpenStart(int64_t t) { return t == kUnboundedEarliest; }
bool OpenEnd(int64_t t) { return t == kUnboundedLatest; }

// The band of a mark: its x range, with a minimum width so that precise dates stay
// visible; an unbounded end reaches the edge of the axis.
std::pair<double, double> BandX(const Axis& axis, const Mark& m) {
  double x0 = OpenStart(m.e0) ? axis.left() : axis.X(static_cast<double>(m.e0));
  double x1 = OpenEnd(m.e1) ? axis.right() : axis.X(static_cast<double>(m.e1));
  if (x1 - x0 < 2) {
    const double c = (x0 + x1) / 2;
    x0 = c - 1;
    x1 = c + 1;
  }
  return {x0, x1};
}

// Where a mark's glyph stands: the middle of its band, or its bounded end.
double GlyphX(const Axis& axis, const Mark& m) {
  auto [x0, x1] = BandX(axis, m);
  if (OpenStart(m.e0) && !OpenEnd(m.e1)) return x1;
  if (OpenEnd(m.e1) && !OpenStart(m.e0)) return x0;
  return (x0 + x1) / 2;
}

std::string LabelText(const Mark& m) {
  std::string s = m.label;
  if (m.rumored) s = "rumored: " + s;
  if (m.corrected) s += " (corrected)";
  if (m.tentative) s += " (tentative)";
  return s;
}

// The free room from x rightwards (`dir` 1) or leftwards (-1) up to `limit`: the distance
// to the nearest of `obstacles` (x ranges) in the way.
double Room(double x, int dir, double limit,
            const std::vector<std::pair<double, double>>& obstacles) {
  double room = (limit - x) * dir;
  for (const auto& [b0, b1] : obstacles) {
    if (dir > 0 && b1 > x) room = std::min(room, std::max(0.0, b0 - x));
    if (dir < 0 && b0 < x) room = std::min(room, std::max(0.0, x - b1));
  }
  return std::max(0.0, room);
}

struct Geometry {
  double gutter;      // width of the lane names
  double plot_left, plot_right;
};

// Places each labelled mark's label beside its band and fits it to the room there.
// Packed lanes (values, notes) get rows so that labels and bands do not overlap: a label
// goes right of its band, or left where the right has less room.  In an entry's lane (one
// row) a label goes, by preference: into free room beside its mark, clear of the lane's
// spans and other marks (the side where it fits whole, else the roomier side, shortened);
// left of everything on the lane, as a caption; over the lane's spans (the text has a
// white halo) up to the next mark; else only into the hover text (the gutter says the
// lane's status anyway).
void LayoutLane(const Axis& axis, const Geometry& g, Lane* lane) {
  constexpr double kEnough = 60;  // px: room for a few words
  std::vector<std::pair<double, double>> bands;
  for (const Mark& m : lane->marks) bands.push_back(BandX(axis, m));
  std::vector<std::pair<double, double>> bars;
  for (const Bar& b : lane->bars) {
    bars.emplace_back(OpenStart(b.t0) ? axis.left() : axis.X(static_cast<double>(b.t0)),
                      b.open_end ? g.plot_right + 9 : axis.X(static_cast<double>(b.t1)));
  }
  std::vector<double> row_end;
  std::vector<size_t> order(lane->marks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return bands[a].first < bands[b].first;
  });
  const double max_x = kWidth - 8, min_x = g.plot_left;
  for (size_t i : order) {
    Mark& m = lane->marks[i];
    // Labels stand beside the band, or beside the glyph on a side where the band is open
    // (it runs to the edge of the axis).
    double x0 = bands[i].first, x1 = bands[i].second;
    if (OpenStart(m.e0)) x0 = GlyphX(axis, m) - 8;
    if (OpenEnd(m.e1)) x1 = GlyphX(axis, m) + 8;
    double lo = bands[i].first - 9, hi = bands[i].second + 9;
    if (!m.label.empty()) {
      const std::string text = LabelText(m);
      const double w = TextWidth(text, kLabelPx);
      // Beside the band, on the side where it fits, else on the roomier one.
      auto beside = [&](double room_left, double room_right) {
        m.label_left = w > room_right && (w <= room_left || room_left > room_right);
        const double room = m.label_left ? room_left : room_right;
        m.label_x = m.label_left ? x0 - 12 : x1 + 12;
        m.shown = room < (lane->pack ? 0 : kEnough) ? "" : FitText(text, room, kLabelPx);
        return !m.shown.empty();
      };
      if (lane->pack) {
        beside((x0 - 12) - min_x, max_x - (x1 + 12));
      } else {
        // Other marks: their glyphs, and their bands where bounded (an open band fades).
        std::vector<std::pair<double, double>> glyphs, all = bars;
        for (size_t j = 0; j < bands.size(); ++j) {
          if (j == i) continue;
          const Mark& o = lane->marks[j];
          const double gx = GlyphX(axis, o);
          glyphs.emplace_back(gx - 9, gx + 9);
          const bool open = OpenStart(o.e0) || OpenEnd(o.e1);
          all.emplace_back(open ? gx - 9 : bands[j].first - 9,
                           open ? gx + 9 : bands[j].second + 9);
        }
        double first = x0;
        for (const auto& [b0, b1] : all) first = std::min(first, b0);
        if (!beside(Room(x0 - 12, -1, min_x, all), Room(x1 + 12, 1, max_x, all))) {
          if (first - 3 - min_x >= kEnough) {  // a caption
            m.label_left = true;
            m.label_x = first - 3;
            m.shown = FitText(text, m.label_x - min_x, kLabelPx);
          } else {
            beside(Room(x0 - 12, -1, min_x, glyphs), Room(x1 + 12, 1, max_x, glyphs));
          }
        }
      }
      const double shown_w = TextWidth(m.shown, kLabelPx);
      if (!m.shown.empty() && m.label_left) lo = std::min(lo, m.label_x - shown_w);
      if (!m.shown.empty() && !m.label_left) hi = std::max(hi, m.label_x + shown_w);
    }
    if (!lane->pack) continue;
    size_t row = 0;
    while (row < row_end.size() && row_end[row] + 6 > lo) ++row;
    if (row == row_end.size()) row_end.push_back(0);
    row_end[row] = hi;
    m.row = static_cast<int>(row);
  }
  lane->rows = std::max<int>(1, static_cast<int>(row_end.size()));
}

double RowStep(const Lane& lane) { return lane.flags ? 30 : 24; }
double RowY(const Lane& lane, double top, int row) {
  return top + (lane.flags ? 26 : 18) + row * RowStep(lane);
}
double LaneHeight(const Lane& lane, size_t name_lines) {
  const double rows = (lane.flags ? 44 : 36) + (lane.rows - 1) * RowStep(lane);
  return std::max(rows, 22.0 + 14.0 * static_cast<double>(name_lines));
}

// A lane's name in at most two lines of the gutter.
std::vector<std::string> NameLines(const std::string& name, double width) {
  if (TextWidth(name, kNamePx, true) <= width) return {name};
  const size_t fit = static_cast<size_t>(width / (kNamePx * 0.66));
  size_t cut = std::string::npos;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == ' ' && Utf8Length(name.substr(0, i)) <= fit) cut = i;
  }
  if (cut == std::string::npos || cut == 0) return {FitText(name, width, kNamePx, true)};
  return {name.substr(0, cut), FitText(name.substr(cut + 1), width, kNamePx, true)};
}

std::string DrawMark(const Axis& axis, const Mark& m, double cy) {
  auto [x0, x1] = BandX(axis, m);
  std::string cls = "ev";
  if (m.id.empty()) cls += " derived";
  if (m.rumored) cls += " rumored";
  if (m.tentative) cls += " tentative";
  if (m.replaced) cls += " slipped";
  if (m.corrected) cls += " corrected";
  if (OpenStart(m.e0)) cls += " open-start";
  if (OpenEnd(m.e1)) cls += " open-end";
  std::string out = "<g" + Attr("class", cls);
  out += m.id.empty() ? Attr("data-of", m.of) : Attr("data-id", m.id);
  out += Attr("data-type", m.type);
  if (m.replaced) {
    out += " opacity=\"0.4\"";
  } else if (m.tentative) {
    out += " opacity=\"0.55\"";
  }
  out += "><title>" + Xml(m.detail) + "</title>";
  const bool dashed = m.rumored || m.tentative;
  // The fuzzy-date band: [earliest, latest]; an open end fades out into an arrow.
  const char* mask = OpenStart(m.e0) && OpenEnd(m.e1) ? ""
                     : OpenStart(m.e0)                ? " mask=\"url(#fade-l)\""
                     : OpenEnd(m.e1)                  ? " mask=\"url(#fade-r)\""
                                                      : "";
  out += "<rect class=\"range\" x=\"" + Num(x0) + "\" y=\"" + Num(cy - 8) + "\" width=\"" +
         Num(x1 - x0) + "\" height=\"16\" rx=\"3\" fill=\"" + m.colour +
         "\" fill-opacity=\"0.18\" stroke=\"" + m.colour + "\" stroke-opacity=\"0.75\"" +
         (dashed ? " stroke-dasharray=\"4 3\"" : "") + mask + "/>";
  if (OpenStart(m.e0)) {
    out += "<path class=\"open-arrow\" d=\"M" + Num(x0 + 6) + " " + Num(cy - 6) + "L" +
           Num(x0) + " " + Num(cy) + "L" + Num(x0 + 6) + " " + Num(cy + 6) + "\" stroke=\"" +
           m.colour + "\" stroke-width=\"2\" fill=\"none\"/>";
  }
  if (OpenEnd(m.e1)) {
    out += "<path class=\"open-arrow\" d=\"M" + Num(x1 - 6) + " " + Num(cy - 6) + "L" +
           Num(x1) + " " + Num(cy) + "L" + Num(x1 - 6) + " " + Num(cy + 6) + "\" stroke=\"" +
           m.colour + "\" stroke-width=\"2\" fill=\"none\"/>";
  }
  if (m.rumored) {
    out += "<rect class=\"hatch\" x=\"" + Num(x0) + "\" y=\"" + Num(cy - 8) + "\" width=\"" +
           Num(x1 - x0) + "\" height=\"16\" rx=\"3\" fill=\"url(#hatch)\"/>";
  }
  const double gx = GlyphX(axis, m);
  out += DrawGlyph(m.glyph, gx, cy, m.colour);
  if (m.corrected) {  // a small pencil tick: "this was corrected"
    const double cx = gx + 8, ty = cy - 10;
    out += "<path class=\"corrected-mark\" d=\"M" + Num(cx) + " " + Num(ty + 5) + "L" +
           Num(cx + 5) + " " + Num(ty) + "\" stroke=\"" + colour::kInk +
           "\" stroke-width=\"2\" stroke-linecap=\"round\"/>";
  }
  if (!m.shown.empty()) {
    out += "<text class=\"label\" x=\"" + Num(m.label_x) + "\" y=\"" + Num(cy + 4) + "\"" +
           (m.label_left ? " text-anchor=\"end\"" : "") + " font-size=\"" + Num(kLabelPx) +
           "\" fill=\"" + colour::kInk + "\" stroke=\"#fff\" stroke-width=\"3\" " +
           "stroke-linejoin=\"round\" paint-order=\"stroke\"" +
           (m.rumored ? " font-style=\"italic\"" : "") + ">" + Xml(m.shown) + "</text>";
  }
  return out + "</g>";
}

std::string DrawBar(const Axis& axis, const Bar& b, double open_until, double cy) {
  const double t1 = b.open_end ? std::max(static_cast<double>(b.t1), open_until)
                               : static_cast<double>(b.t1);
  const double x0 = OpenStart(b.t0) ? axis.left() : axis.X(static_cast<double>(b.t0));
  const double x1 = std::max(axis.X(t1), x0 + 2);
  std::string out = "<rect class=\"span\"" + Attr("data-status", b.status) + " x=\"" + Num(x0) +
                    "\" y=\"" + Num(cy - 5) + "\" width=\"" + Num(x1 - x0) +
                    "\" height=\"10\" rx=\"5\" fill=\"" + b.colour + "\" fill-opacity=\"0.28\"";
  if (b.dashed) out += " stroke=\"" + b.colour + "\" stroke-dasharray=\"5 3\"";
  out += "/>";
  if (b.open_end) {  // still running: an arrowhead at the end
    out += "<path class=\"open-end\" d=\"M" + Num(x1 - 2) + " " + Num(cy - 7) + "L" +
           Num(x1 + 7) + " " + Num(cy) + "L" + Num(x1 - 2) + " " + Num(cy + 7) + "Z\" fill=\"" +
           b.colour + "\" fill-opacity=\"0.55\"/>";
  }
  if (OpenStart(b.t0)) {  // since before the axis
    out += "<path class=\"open-start\" d=\"M" + Num(x0 + 2) + " " + Num(cy - 7) + "L" +
           Num(x0 - 7) + " " + Num(cy) + "L" + Num(x0 + 2) + " " + Num(cy + 7) + "Z\" fill=\"" +
           b.colour + "\" fill-opacity=\"0.55\"/>";
  }
  return out;
}

const char* KindName(Lane::Kind k) {
  switch (k) {
    case Lane::kMap: return "map";
    case Lane::kList: return "list";
    case Lane::kValue: return "value";
    case Lane::kNotes: return "notes";
  }
  return "notes";
}

// The stretch of valid time to show: every bounded end drawn and the as-of instant (if it
// is near), with a margin on a side where something is open.  Sets `*as_of_t` to the as-of
// instant if its line is drawn.
Axis MakeAxis(const Model& model, const Geometry& g, const std::string& as_of,
              std::optional<double>* as_of_t) {
  if (!as_of.empty()) {
    auto d = ParseFuzzyDate(as_of);
    if (d.ok() && d->end == DateEnd::kBounded) *as_of_t = static_cast<double>(d->latest);
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  bool open_left = false, open_right = false;
  auto take = [&](int64_t t) {
    if (OpenStart(t)) {
      open_left = true;
    } else if (OpenEnd(t)) {
      open_right = true;
    } else {
      lo = std::min(lo, static_cast<double>(t));
      hi = std::max(hi, static_cast<double>(t));
    }
  };
  for (const Section& sec : model.sections) {
    for (const Lane& lane : sec.lanes) {
      for (const Mark& m : lane.marks) take(m.e0), take(m.e1);
      for (const Bar& b : lane.bars) open_right |= b.open_end;
    }
  }
  if (lo > hi) {  // nothing drawn (yet at as_of): the year around it
    const double t = as_of_t->value_or(0);
    return Axis(t, t, g.plot_left, g.plot_right);
  }
  const double span = std::max(hi - lo, 86400e6);
  if (*as_of_t && **as_of_t >= lo && **as_of_t - hi <= span) {
    hi = std::max(hi, **as_of_t);
    open_right = false;  // running spans stop at the line
  } else {
    as_of_t->reset();  // before everything drawn, or far in the future: title only
  }
  if (open_right) hi += span / 20;
  if (open_left) lo -= span / 20;
  return Axis(lo, hi, g.plot_left, g.plot_right);
}

}  // namespace

std::string DrawSvg(Model model, const SvgQuery& query) {
  Geometry g;
  double widest = 0;
  for (const Section& sec : model.sections) {
    for (const Lane& lane : sec.lanes) {
      widest = std::max(widest, TextWidth(lane.name, kNamePx, true));
    }
  }
  g.gutter = std::clamp(widest + 24, kMinGutter, kMaxGutter);
  g.plot_left = g.gutter + 10;
  g.plot_right = kWidth - kRightMargin;
  std::optional<double> as_of_t;
  const Axis axis = MakeAxis(model, g, query.as_of, &as_of_t);
  const double open_until = as_of_t ? *as_of_t : axis.end();

  // Vertical layout.
  const double kTitleH = 64, kAxisH = 50;
  double y = kTitleH + kAxisH;
  const double axis_y = y;
  y += 6;
  struct Placed {
    const Lane* lane;
    double top, height;
    std::vector<std::string> name;
  };
  std::vector<Placed> placed;
  std::vector<std::pair<std::string, double>> headers;
  for (Section& sec : model.sections) {
    headers.emplace_back(sec.title, y);
    y += 22;
    for (Lane& lane : sec.lanes) {
      LayoutLane(axis, g, &lane);
      std::vector<std::string> name = NameLines(lane.name, g.gutter - 16);
      const double h = LaneHeight(lane, name.size());
      placed.push_back({&lane, y, h, std::move(name)});
      y += h;
    }
    y += 4;
  }
  const double lanes_bottom = y;

  std::string body;
  for (size_t i = 0; i < placed.size(); i += 2) {  // alternate lane backgrounds
    body += "<rect x=\"8\" y=\"" + Num(placed[i].top) + "\" width=\"" + Num(kWidth - 16) +
            "\" height=\"" + Num(placed[i].height) + "\" fill=\"#f8fafc\"/>";
  }
  for (const auto& [title, hy] : headers) {
    body += "<text class=\"section\" x=\"16\" y=\"" + Num(hy + 15) +
            "\" font-size=\"11\" font-weight=\"bold\" letter-spacing=\"1\" fill=\"" +
            colour::kMuted + "\">" + Xml(FitText(title, kWidth - 40, 11, true)) +
            "</text><line x1=\"16\" y1=\"" + Num(hy + 20) + "\" x2=\"" + Num(kWidth - 16) +
            "\" y2=\"" + Num(hy + 20) + "\" stroke=\"#e2e8f0\"/>";
  }
  body += axis.Draw(axis_y, lanes_bottom);
  if (as_of_t) {
    const double x = axis.X(*as_of_t);
    body += "<g class=\"as-of\"><line x1=\"" + Num(x) + "\" y1=\"" + Num(axis_y - 4) +
            "\" x2=\"" + Num(x) + "\" y2=\"" + Num(lanes_bottom) + "\" stroke=\"" +
            colour::kAsOf + "\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/><text x=\"" +
            Num(x - 4) + "\" y=\"" + Num(lanes_bottom + 14) +
            "\" text-anchor=\"end\" font-size=\"11\" fill=\"" + colour::kAsOf + "\">as of " +
            Xml(query.as_of) + "</text></g>";
  }
  for (const Placed& p : placed) {
    const Lane& lane = *p.lane;
    body += "<g" + Attr("class", std::string("lane lane-") + KindName(lane.kind)) +
            Attr("data-field", lane.field) + Attr("data-name", lane.name) + ">";
    double ny = p.top + 16;
    for (const std::string& line : p.name) {
      body += "<text class=\"lane-name\" x=\"16\" y=\"" + Num(ny) +
              "\" font-size=\"13\" font-weight=\"bold\" fill=\"" + colour::kInk + "\">" +
              Xml(line) + "</text>";
      ny += 14;
    }
    const std::string status = FitText(lane.status, g.gutter - 16, 11);
    if (!status.empty()) {
      body += "<text class=\"lane-status\" x=\"16\" y=\"" + Num(ny) +
              "\" font-size=\"11\" fill=\"" +
              (lane.status_colour.empty() ? std::string(colour::kMuted) : lane.status_colour) +
              "\">" + Xml(status) + "</text>";
    }
    const double cy0 = RowY(lane, p.top, 0);
    for (const Bar& b : lane.bars) body += DrawBar(axis, b, open_until, cy0);
    for (const Mark& m : lane.marks) body += DrawMark(axis, m, RowY(lane, p.top, m.row));
    for (const auto& [from, to] : lane.slips) {
      const Mark& a = lane.marks[from];
      const Mark& b = lane.marks[to];
      const double ax = GlyphX(axis, a), bx = GlyphX(axis, b);
      const double ay = RowY(lane, p.top, a.row) - 14, by = RowY(lane, p.top, b.row) - 14;
      const double peak = std::min(ay, by) - 14;
      body += "<path class=\"slip\" d=\"M" + Num(ax + 3) + " " + Num(ay) + "C" + Num(ax + 3) +
              " " + Num(peak) + " " + Num(bx) + " " + Num(peak) + " " + Num(bx) + " " +
              Num(by - 2) + "\" stroke=\"" + colour::kFlag + "\" stroke-width=\"1.5\" " +
              "fill=\"none\" stroke-dasharray=\"4 3\" marker-end=\"url(#arrow)\"/>";
    }
    body += "</g>";
  }
  if (model.sections.empty()) {
    body += "<text x=\"" + Num((g.plot_left + g.plot_right) / 2) + "\" y=\"" +
            Num(lanes_bottom + 20) + "\" text-anchor=\"middle\" font-size=\"13\" fill=\"" +
            colour::kMuted + "\">no events by as-of " +
            Xml(query.as_of.empty() ? "now" : query.as_of) + "</text>";
  }
  double legend_h = 0;
  const double legend_top = lanes_bottom + (model.sections.empty() ? 40 : 22);
  body += DrawLegend(model, legend_top, g.plot_left, g.plot_right, &legend_h);
  const double height = legend_top + legend_h + 10;

  // Title: the query, and the state's top-level values (a derived phase or status, a
  // chosen partner...).
  const std::string subtitle = "as of " + (query.as_of.empty() ? "all dates" : query.as_of) +
                               " \xC2\xB7 known at " +
                               (query.known_at.empty() ? "now" : query.known_at) +
                               model.subtitle_values + " \xC2\xB7 " +
                               std::to_string(query.events) + " events";
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"annals-timeline\" width=\"" +
                    Num(kWidth) + "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " +
                    Num(kWidth) + " " + Num(height) + "\" font-family=\"" + kFont + "\">";
  svg += "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"2.5\" height=\"6\" fill=\"#334155\" "
         "fill-opacity=\"0.35\"/></pattern><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"8\" "
         "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path "
         "d=\"M0 0L10 5L0 10z\" fill=\"" + std::string(colour::kFlag) + "\"/></marker>";
  for (const char* side : {"r", "l"}) {  // masks that fade a band out towards an open end
    const bool right = side[0] == 'r';
    svg += std::string("<linearGradient id=\"fade-") + side + "-g\" x1=\"" + (right ? "0" : "1") +
           "\" x2=\"" + (right ? "1" : "0") + "\" y1=\"0\" y2=\"0\"><stop offset=\"0.3\" "
           "stop-color=\"#fff\"/><stop offset=\"1\" stop-color=\"#fff\" stop-opacity=\"0.05\"/>"
           "</linearGradient><mask id=\"fade-" + side + "\" maskContentUnits=\"objectBoundingBox\">"
           "<rect width=\"1\" height=\"1\" fill=\"url(#fade-" + side + "-g)\"/></mask>";
  }
  svg += "</defs>";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>";
  svg += "<text class=\"title\" x=\"16\" y=\"30\" font-size=\"20\" font-weight=\"bold\" fill=\"" +
         std::string(colour::kInk) + "\">" + Xml(query.stream) + "</text>";
  svg += "<text class=\"subtitle\" x=\"16\" y=\"52\" font-size=\"13\" fill=\"" +
         std::string(colour::kMuted) + "\">" + Xml(FitText(subtitle, kWidth - 40, 13)) + "</text>";
  svg += "<text x=\"" + Num(kWidth - 16) + "\" y=\"30\" text-anchor=\"end\" font-size=\"11\" "
         "fill=\"#94a3b8\">annals timeline</text>";
  svg += body + "</svg>\n";
  return svg;
}

}  // namespace render
}  // namespace internal
}  // namespace annals
