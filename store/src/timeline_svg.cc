// Copyright annals authors.
//
// The timeline picture of annals/timeline.h.
//
// Three steps: (1) read the stream's history (Store::History, corrections applied) and its
// state (for the phase and partner statuses); (2) turn the events into sections of lanes,
// each lane holding bars (spans of talks or pending filings) and marks (one per event: the
// fuzzy-date range as a band plus a glyph, and maybe a label); (3) pick the time axis from
// the extent of everything drawn, pack labels into rows, and write SVG.
//
// Invariants of the output: every event mark is a <g class="ev ..."> holding a <title>
// (the hover text) and a <rect class="range"> whose width is the event's [earliest,
// latest] on the axis (at least 2 px, so that precise dates stay visible); all text that
// comes from events goes through Xml(); the output depends only on the events and the
// query (no wall-clock time, no recorded_at), so it can be committed and compared.

#include "annals/timeline.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "annals/store.h"
#include "event_rep.h"
#include "projection.h"

namespace annals {
namespace {

// ---- dates -------------------------------------------------------------------------------

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t y, m, d;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp + (mp < 10 ? 3 : -9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Civil CivilOf(int64_t micros) { return CivilFromDays(FloorDiv(micros, kMicrosPerDay)); }
int64_t MicrosOf(int64_t y, int64_t m) {  // first instant of month m (may be 13: next year)
  y += (m - 1) / 12;
  m = (m - 1) % 12 + 1;
  return DaysFromCivil(y, m, 1) * kMicrosPerDay;
}

std::string DayText(int64_t micros) {
  Civil c = CivilOf(micros);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld", static_cast<long long>(c.y),
                static_cast<long long>(c.m), static_cast<long long>(c.d));
  return buf;
}

// ---- text --------------------------------------------------------------------------------

// Escapes text for XML character data and attribute values.  Control characters that XML
// 1.0 forbids are dropped; newlines and tabs are kept.
std::string Xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') break;
        if (c == 0x7f) break;
        out.push_back(ch);
    }
  }
  return out;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// At most `max_chars` code points, with "…" when shortened; never splits a UTF-8 sequence.
std::string Truncate(std::string_view s, size_t max_chars) {
  if (Utf8Length(s) <= max_chars) return std::string(s);
  size_t chars = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars - 1) break;
      ++chars;
    }
  }
  std::string out(s.substr(0, i));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "\xE2\x80\xA6";
}

// A rough width of `s` in the sans-serif font at `px` (DejaVu Sans averages ~0.6 em).
double TextWidth(std::string_view s, double px) {
  return static_cast<double>(Utf8Length(s)) * px * 0.6;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// ---- colours and glyphs ------------------------------------------------------------------

namespace colour {
constexpr const char* kTalks = "#2563eb";
constexpr const char* kStalled = "#d97706";
constexpr const char* kEnded = "#6b7280";
constexpr const char* kChosen = "#16a34a";
constexpr const char* kDropped = "#dc2626";
constexpr const char* kPending = "#ca8a04";
constexpr const char* kApproved = "#16a34a";
constexpr const char* kRejected = "#dc2626";
constexpr const char* kConditional = "#0d9488";
constexpr const char* kTarget = "#7c3aed";
constexpr const char* kLaunched = "#db2777";
constexpr const char* kFact = "#0891b2";
constexpr const char* kNote = "#64748b";
constexpr const char* kInk = "#0f172a";
constexpr const char* kMuted = "#64748b";
constexpr const char* kAsOf = "#dc2626";
}  // namespace colour

const char* StatusColour(std::string_view status) {
  if (status == "opened" || status == "ongoing") return colour::kTalks;
  if (status == "stalled") return colour::kStalled;
  if (status == "ended") return colour::kEnded;
  if (status == "chosen") return colour::kChosen;
  if (status == "dropped") return colour::kDropped;
  if (status == "pending") return colour::kPending;
  if (status == "approved") return colour::kApproved;
  if (status == "rejected") return colour::kRejected;
  if (status == "conditional") return colour::kConditional;
  return colour::kMuted;
}

enum class Glyph {
  kOpened, kOngoing, kStalled, kEnded, kChosen, kDropped,
  kFiled, kApproved, kRejected, kConditional,
  kFlag, kLaunched, kFact, kNote,
};

const char* GlyphName(Glyph g) {
  switch (g) {
    case Glyph::kOpened: return "opened";
    case Glyph::kOngoing: return "ongoing";
    case Glyph::kStalled: return "stalled";
    case Glyph::kEnded: return "ended";
    case Glyph::kChosen: return "chosen";
    case Glyph::kDropped: return "dropped";
    case Glyph::kFiled: return "filed";
    case Glyph::kApproved: return "approved";
    case Glyph::kRejected: return "rejected";
    case Glyph::kConditional: return "conditional";
    case Glyph::kFlag: return "target";
    case Glyph::kLaunched: return "launched";
    case Glyph::kFact: return "fact";
    case Glyph::kNote: return "note";
  }
  return "event";
}

// SVG for glyph `g` centred at (x, y) in colour `c`.
std::string DrawGlyph(Glyph g, double x, double y, const char* c) {
  const std::string cls = std::string("marker marker-") + GlyphName(g);
  const std::string X = Num(x), Y = Num(y);
  auto cross = [&](double r, const char* stroke) {
    return "<path d=\"M" + Num(x - r) + " " + Num(y - r) + "L" + Num(x + r) + " " +
           Num(y + r) + "M" + Num(x - r) + " " + Num(y + r) + "L" + Num(x + r) + " " +
           Num(y - r) + "\" stroke=\"" + stroke + "\" stroke-width=\"2.2\" " +
           "stroke-linecap=\"round\" fill=\"none\"/>";
  };
  switch (g) {
    case Glyph::kOpened:
      return "<circle class=\"" + cls + "\" cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"5\" fill=\"#fff\" stroke=\"" + c + "\" stroke-width=\"2.2\"/>";
    case Glyph::kOngoing:
    case Glyph::kFact:
      return "<circle class=\"" + cls + "\" cx=\"" + X + "\" cy=\"" + Y + "\" r=\"5\" fill=\"" +
             c + "\" stroke=\"#fff\" stroke-width=\"1.5\"/>";
    case Glyph::kNote:
      return "<circle class=\"" + cls + "\" cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"4.5\" fill=\"#fff\" stroke=\"" + c + "\" stroke-width=\"2\"/>";
    case Glyph::kStalled:
      return "<g class=\"" + cls + "\"><circle cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"7\" fill=\"#fff\"/><rect x=\"" + Num(x - 4) + "\" y=\"" + Num(y - 5) +
             "\" width=\"3\" height=\"10\" fill=\"" + c + "\"/><rect x=\"" + Num(x + 1) +
             "\" y=\"" + Num(y - 5) + "\" width=\"3\" height=\"10\" fill=\"" + c + "\"/></g>";
    case Glyph::kEnded:
    case Glyph::kDropped:
      return "<g class=\"" + cls + "\"><circle cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"7\" fill=\"#fff\" stroke=\"" + c + "\" stroke-width=\"1.2\"/>" +
             cross(3.5, c) + "</g>";
    case Glyph::kChosen:
      return "<path class=\"" + cls + "\" d=\"M" + X + " " + Num(y - 8) + "L" + Num(x + 8) +
             " " + Y + "L" + X + " " + Num(y + 8) + "L" + Num(x - 8) + " " + Y +
             "Z\" fill=\"" + c + "\" stroke=\"#fff\" stroke-width=\"1.5\"/>";
    case Glyph::kFiled:
      return "<path class=\"" + cls + "\" d=\"M" + Num(x - 5) + " " + Num(y - 7) + "H" +
             Num(x + 2) + "L" + Num(x + 5) + " " + Num(y - 4) + "V" + Num(y + 7) + "H" +
             Num(x - 5) + "Z\" fill=\"" + c + "\" stroke=\"#fff\" stroke-width=\"1.2\"/>";
    case Glyph::kApproved:
    case Glyph::kRejected:
    case Glyph::kConditional: {
      std::string inner;
      if (g == Glyph::kApproved) {
        inner = "<path d=\"M" + Num(x - 3.5) + " " + Y + "L" + Num(x - 1) + " " +
                Num(y + 3) + "L" + Num(x + 4) + " " + Num(y - 3) +
                "\" stroke=\"#fff\" stroke-width=\"2\" fill=\"none\"/>";
      } else if (g == Glyph::kRejected) {
        inner = cross(3, "#fff");
      } else {
        inner = "<path d=\"M" + Num(x - 3.5) + " " + Y + "H" + Num(x + 3.5) +
                "\" stroke=\"#fff\" stroke-width=\"2\"/>";
      }
      return "<g class=\"" + cls + "\"><circle cx=\"" + X + "\" cy=\"" + Y + "\" r=\"7\" fill=\"" +
             c + "\"/>" + inner + "</g>";
    }
    case Glyph::kFlag:
      return "<g class=\"" + cls + "\"><path d=\"M" + X + " " + Num(y + 8) + "V" +
             Num(y - 13) + "\" stroke=\"" + c + "\" stroke-width=\"2\"/><path d=\"M" + X + " " +
             Num(y - 13) + "L" + Num(x + 13) + " " + Num(y - 8.5) + "L" + X + " " + Num(y - 4) +
             "Z\" fill=\"" + c + "\"/></g>";
    case Glyph::kLaunched:
      return "<path class=\"" + cls + "\" d=\"M" + X + " " + Num(y - 9) + "L" + Num(x + 8) +
             " " + Num(y + 6) + "L" + Num(x - 8) + " " + Num(y + 6) + "Z\" fill=\"" + c +
             "\" stroke=\"#fff\" stroke-width=\"1.2\"/>";
  }
  return "";
}

// ---- the model of the picture ------------------------------------------------------------

struct Mark {
  std::string id;        // event id; empty for derived marks (a partner dropped)
  std::string type;      // event type name
  int64_t e0 = 0, e1 = 0;  // the valid-time range drawn
  Glyph glyph = Glyph::kNote;
  const char* colour = colour::kNote;
  std::string label;     // visible text beside the mark; may be empty
  std::string detail;    // hover text
  bool rumored = false;
  bool tentative = false;
  bool corrected = false;
  bool slipped = false;  // a launch target that was replaced later
  std::string target;    // launch targets: the target date text
  // Layout.
  int row = 0;
  bool label_left = false;
};

struct Bar {
  int64_t t0 = 0, t1 = 0;
  const char* colour = colour::kTalks;
  std::string status;
  bool open_end = false;  // still running: drawn to the as-of line or the axis end
  bool dashed = false;
};

struct Lane {
  std::string kind;  // partner | regulator | launch | notes
  std::string name;
  std::string status;  // shown under the name
  const char* status_colour = colour::kMuted;
  std::vector<Bar> bars;
  std::vector<Mark> marks;
  std::vector<std::pair<size_t, size_t>> slips;  // mark index -> mark index
  bool pack = false;  // labels on every mark, packed into rows
  int rows = 1;
};

struct Section {
  std::string title;
  std::vector<Lane> lanes;
};

std::string Detail(const HistoryEntry& h, const std::string& as_of) {
  const Event& e = h.event;
  const FuzzyDate& eff = e.effective();
  std::string out = std::string(e.type_name()) + " \xC2\xB7 " + std::string(e.id()) +
                    " \xC2\xB7 seq " + std::to_string(e.seq()) + "\n";
  std::string from = DayText(eff.earliest), to = DayText(eff.latest);
  out += "effective " + eff.text + " (" + (from == to ? from : from + " \xE2\x80\x93 " + to) +
         ")\n";
  out += DescribeEvent(e) + "\n";
  out += std::string(e.confidence());
  if (!e.source_publisher().empty()) {
    out += " \xC2\xB7 source: " + std::string(e.source_publisher());
    if (!e.source_published().empty()) out += ", " + std::string(e.source_published());
  }
  if (!e.source_url().empty()) out += " \xC2\xB7 " + std::string(e.source_url());
  if (!e.recorded_by().empty()) out += " \xC2\xB7 recorded by " + std::string(e.recorded_by());
  if (h.corrected) out += "\ncorrected by a later event";
  if (h.tentative) out += "\ntentative: may not have happened by " + as_of;
  return out;
}

Mark MakeMark(const HistoryEntry& h, const std::string& as_of, Glyph glyph, const char* c) {
  Mark m;
  m.id = std::string(h.event.id());
  m.type = std::string(h.event.type_name());
  m.e0 = h.event.effective().earliest;
  m.e1 = h.event.effective().latest;
  m.glyph = glyph;
  m.colour = c;
  m.detail = Detail(h, as_of);
  m.rumored = h.event.confidence() == "rumored";
  m.tentative = h.tentative;
  m.corrected = h.corrected;
  return m;
}

// Step 2: events -> sections and lanes, from the shape of the stream's state (SPEC §7):
// each event is replayed through a fold of the stream's vocabulary that records which
// parts of the state it wrote, and it goes on the lanes of those parts:
//   * a map entry (partners.Baidu): a lane per key, in a section named after the map;
//   * a list element (submissions.0): a lane per element, named by its first text field
//     (elements with the same name share a lane);
//   * a whole struct field (launched), or a field whose replaced values are kept in a
//     `history` list (launch targets): one lane, where a replaced value is a flag that
//     slipped, with an arrow to the one that replaced it;
//   * facts and notes: one lane.
// The first part an event writes gets its mark and label; the other entries and elements
// it changed (a partner dropped by another's choice) get a mark of their own.  Bars run
// between the marks of an entry's lane, coloured by the entry's `status` after each event.
namespace sections {

bool IsTerminal(std::string_view status) {
  static const char* const kTerminal[] = {
      "ended",    "dropped",  "approved", "rejected",  "conditional", "cleared",
      "blocked",  "closed",   "abandoned", "withdrawn", "dismissed",   "remedies",
      "completed", "cancelled", "terminated", "won", "lost", "settled"};
  for (const char* t : kTerminal) {
    if (status == t) return true;
  }
  return false;
}

Glyph GlyphFor(std::string_view status, bool first) {
  if (status == "opened" || status == "open") return Glyph::kOpened;
  if (status == "ongoing") return Glyph::kOngoing;
  if (status == "stalled") return Glyph::kStalled;
  if (status == "ended" || status == "abandoned" || status == "withdrawn") return Glyph::kEnded;
  if (status == "chosen") return Glyph::kChosen;
  if (status == "dropped") return Glyph::kDropped;
  if (status == "pending" || status == "filed") return Glyph::kFiled;
  if (status == "approved" || status == "cleared") return Glyph::kApproved;
  if (status == "rejected" || status == "blocked") return Glyph::kRejected;
  if (status == "conditional" || status == "remedies") return Glyph::kConditional;
  return first ? Glyph::kOpened : Glyph::kOngoing;
}

std::string Title(const std::string& json_name) {
  std::string out;
  for (char c : json_name) {
    out.push_back(c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

// The text of field `name` of a struct node, or "".
std::string FieldText(const internal::StructShape& shape, const internal::Node& node,
                      const char* name) {
  const int f = shape.Find(name);
  if (f < 0 || node.tag != internal::Node::kStruct) return "";
  return internal::NodeText(shape.fields[f].type, node.items[f]);
}

// The first set text field of an element, other than `skip`: how its lane is named.
std::string ElementName(const internal::StructShape& shape, const internal::Node& node) {
  if (node.tag != internal::Node::kStruct) return "";
  for (size_t i = 0; i < shape.fields.size(); ++i) {
    if (shape.fields[i].type.kind == internal::TypeShape::kText && node.items[i].IsSet()) {
      return node.items[i].text;
    }
  }
  return "";
}

// Top-level fields whose replaced values some `set` keeps in a history list.
std::vector<bool> HistoryFields(const internal::Vocabulary& v) {
  std::vector<bool> out(v.state().fields.size(), false);
  for (const auto& t : v.types()) {
    for (const auto& e : t.effects) {
      if (e.op == internal::Effect::kSet && !e.history.empty()) out[e.path[0]] = true;
    }
  }
  return out;
}

}  // namespace sections

std::vector<Section> BuildSections(const std::vector<HistoryEntry>& history, const State& state,
                                   const std::string& as_of_text) {
  using internal::Node;
  using internal::StateFold;
  std::shared_ptr<const internal::Vocabulary> vocabulary =
      state.rep ? state.rep->vocabulary : nullptr;
  internal::StateProjection projection(vocabulary);
  projection.fold().set_track_changes(true);

  std::vector<Section> out;
  std::map<std::string, size_t> section_of;           // title -> index in out
  std::map<std::pair<size_t, std::string>, size_t> lane_of;  // (section, lane) -> index
  std::map<std::pair<size_t, size_t>, size_t> current_flag;  // lane -> its current flag
  const std::vector<bool> with_history =
      vocabulary ? sections::HistoryFields(*vocabulary) : std::vector<bool>();
  auto lane_for = [&](const std::string& title, const std::string& name, const char* kind,
                      bool pack) -> std::pair<size_t, size_t> {
    auto s = section_of.find(title);
    if (s == section_of.end()) {
      s = section_of.emplace(title, out.size()).first;
      out.push_back(Section{title, {}});
    }
    auto l = lane_of.find({s->second, name});
    if (l == lane_of.end()) {
      l = lane_of.emplace(std::make_pair(s->second, name), out[s->second].lanes.size()).first;
      Lane lane;
      lane.kind = kind;
      lane.name = name;
      lane.pack = pack;
      out[s->second].lanes.push_back(std::move(lane));
    }
    return {s->second, l->second};
  };
  auto lane_at = [&](std::pair<size_t, size_t> at) -> Lane& {
    return out[at.first].lanes[at.second];
  };
  // Entry lanes: the status after each event, for the bars.
  std::map<std::pair<size_t, size_t>, std::vector<std::string>> statuses;

  for (const HistoryEntry& h : history) {
    projection.Apply(h.event);
    const StateFold& fold = projection.fold();
    const std::string summary = DescribeEvent(h.event);
    const EventKind kind = h.event.kind();
    if (kind == EventKind::kNote || kind == EventKind::kFact) {
      const auto at = lane_for("FACTS & NOTES", "Facts & notes", "notes", true);
      Mark m = MakeMark(h, as_of_text, kind == EventKind::kNote ? Glyph::kNote : Glyph::kFact,
                        kind == EventKind::kNote ? colour::kNote : colour::kFact);
      m.label = summary;
      lane_at(at).marks.push_back(std::move(m));
      continue;
    }
    if (!vocabulary) continue;
    const internal::StructShape& shape = vocabulary->state();
    bool primary = true;
    for (const StateFold::PartRef& part : fold.LastParts()) {
      if (part.kind == StateFold::PartRef::kFact) continue;
      const internal::FieldShape& field = shape.fields[part.field];
      const Node& value = fold.root().items[part.field];
      std::pair<size_t, size_t> at;
      std::string status;
      bool entry = false;
      if (part.kind == StateFold::PartRef::kKey) {
        at = lane_for(sections::Title(field.json_name), part.key, field.json_name.c_str(), false);
        auto it = value.entries.find(part.key);
        if (it != value.entries.end()) {
          status = sections::FieldText(*field.type.structure, it->second, "status");
        }
        entry = true;
      } else if (part.kind == StateFold::PartRef::kIndex) {
        if (value.tag != Node::kList || part.index >= value.items.size() ||
            field.type.structure == nullptr) {
          continue;
        }
        const Node& element = value.items[part.index];
        std::string name = sections::ElementName(*field.type.structure, element);
        if (name.empty()) name = field.json_name + " " + std::to_string(part.index + 1);
        at = lane_for(sections::Title(field.json_name), name, field.json_name.c_str(), false);
        status = sections::FieldText(*field.type.structure, element, "status");
        entry = true;
      } else {
        const bool flags = part.field < static_cast<int>(with_history.size()) &&
                           with_history[part.field];
        if (field.type.kind != internal::TypeShape::kStruct && !flags) continue;
        at = lane_for(sections::Title(field.json_name), field.json_name, field.json_name.c_str(),
                      true);
        if (field.type.kind == internal::TypeShape::kStruct) {
          status = sections::FieldText(*field.type.structure, value, "status");
        }
        if (flags && primary) {
          Lane& lane = lane_at(at);
          Mark m = MakeMark(h, as_of_text, Glyph::kFlag, colour::kTarget);
          // The flag stands at the date the value names (a target), if it names one.
          for (const std::string& date_field : h.event.rep().type().dates) {
            KJ_IF_MAYBE(f, internal::FieldByJsonName(h.event.rep().type().data, date_field)) {
              auto data = h.event.rep().data_struct();
              if (!data.has(*f)) continue;
              auto text = data.get(*f).as<capnp::Text>();
              auto d = ParseFuzzyDate(text.cStr());
              if (!d.ok()) continue;
              m.e0 = d->earliest;
              m.e1 = d->latest;
              m.target = text.cStr();
              m.detail = date_field + " " + m.target + " (set " + h.event.effective().text +
                         ")\n" + m.detail;
              break;
            }
          }
          m.label = summary;
          auto cur = current_flag.find(at);
          if (cur != current_flag.end()) {
            Mark& prev = lane.marks[cur->second];
            prev.slipped = true;
            prev.label += " (replaced)";
            prev.detail += "\nreplaced by: " + summary + " (set " + h.event.effective().text + ")";
            lane.slips.emplace_back(cur->second, lane.marks.size());
          }
          current_flag[at] = lane.marks.size();
          lane.marks.push_back(std::move(m));
          primary = false;
          continue;
        }
      }
      Lane& lane = lane_at(at);
      Mark m = MakeMark(h, as_of_text, sections::GlyphFor(status, lane.marks.empty()),
                        status.empty() ? colour::kTarget : StatusColour(status));
      m.label = primary ? summary : (status.empty() ? summary : status);
      if (!primary) {
        m.id.clear();  // a mark derived from an event drawn on another lane
        m.detail = (status.empty() ? std::string() : status + ": ") + summary + "\n" + m.detail;
      }
      if (!status.empty()) {
        lane.status = status;
        lane.status_colour = StatusColour(status);
      }
      lane.marks.push_back(std::move(m));
      if (entry) statuses[at].push_back(status);
      primary = false;
    }
  }
  // Bars between the marks of entry lanes; only their last mark keeps its label.
  for (auto& [at, st] : statuses) {
    Lane& lane = lane_at(at);
    for (size_t i = 0; i < lane.marks.size() && i < st.size(); ++i) {
      const bool last = i + 1 == lane.marks.size();
      if (!last) lane.marks[i].label.clear();
      if (sections::IsTerminal(st[i]) && last) break;
      Bar bar;
      bar.t0 = lane.marks[i].e0;
      bar.t1 = last ? bar.t0 : std::max(bar.t0, lane.marks[i + 1].e1);
      bar.status = st[i];
      bar.colour = StatusColour(st[i]);
      bar.open_end = last;
      bar.dashed = st[i] == "pending";
      if (!sections::IsTerminal(st[i]) || !last) lane.bars.push_back(bar);
    }
  }
  // Facts and notes last.
  auto notes = section_of.find("FACTS & NOTES");
  if (notes != section_of.end() && notes->second + 1 != out.size()) {
    Section moved = std::move(out[notes->second]);
    out.erase(out.begin() + static_cast<long>(notes->second));
    out.push_back(std::move(moved));
  }
  return out;
}

// ---- step 3: layout and SVG ----------------------------------------------------------------

constexpr double kWidth = 1240;
constexpr double kGutter = 170;  // lane names
constexpr double kRight = 24;
constexpr double kPlotLeft = kGutter + 10;
constexpr double kPlotRight = kWidth - kRight;
constexpr double kLabelPx = 11.5;
constexpr const char* kFont = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

class Axis {
 public:
  Axis(int64_t t0, int64_t t1) {
    // Pick the tick unit from the span, then widen the range to whole units.
    const double months = static_cast<double>(t1 - t0) / (30.44 * kMicrosPerDay);
    unit_months_ = months <= 15 ? 1 : months <= 60 ? 3 : 12;
    Civil a = CivilOf(t0), b = CivilOf(t1);
    int64_t am = a.y * 12 + (a.m - 1), bm = b.y * 12 + (b.m - 1);
    am -= ((am % unit_months_) + unit_months_) % unit_months_;
    bm += unit_months_ - ((bm % unit_months_) + unit_months_) % unit_months_;
    first_month_ = am;
    last_month_ = bm;
    t0_ = MicrosOf(am / 12, am % 12 + 1);
    t1_ = MicrosOf(bm / 12, bm % 12 + 1);
    if (unit_months_ == 12) {
      const int64_t years = (bm - am) / 12;
      year_step_ = years <= 16 ? 1 : years <= 40 ? 5 : years <= 100 ? 10 : 50;
    }
  }
  double X(int64_t t) const {
    return kPlotLeft + (kPlotRight - kPlotLeft) * static_cast<double>(t - t0_) /
                           static_cast<double>(t1_ - t0_);
  }
  int64_t end() const { return t1_; }

  // Tick labels, gridlines (from y_top to y_bottom).
  std::string Draw(double y_axis, double y_bottom) const {
    static const char* kMonth[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::string grid, labels;
    const std::string font = std::string(" font-family=\"") + kFont + "\"";
    for (int64_t m = first_month_; m < last_month_; m += unit_months_) {
      const int64_t y = m / 12, mon = m % 12 + 1;
      const double x0 = X(MicrosOf(y, mon)), x1 = X(MicrosOf(y, mon + unit_months_));
      const bool year_start = mon == 1;
      if (unit_months_ < 12 || y % year_step_ == 0) {
        grid += "<line x1=\"" + Num(x0) + "\" y1=\"" + Num(y_axis) + "\" x2=\"" + Num(x0) +
                "\" y2=\"" + Num(y_bottom) + "\" stroke=\"" +
                (year_start ? "#cbd5e1" : "#eef2f7") + "\" stroke-width=\"1\"/>";
      }
      std::string text;
      if (unit_months_ == 1) text = kMonth[mon - 1];
      if (unit_months_ == 3) text = "Q" + std::to_string((mon - 1) / 3 + 1);
      if (unit_months_ == 12 && y % year_step_ == 0) text = std::to_string(y);
      if (!text.empty()) {
        labels += "<text class=\"tick\" x=\"" + Num((x0 + x1) / 2) + "\" y=\"" +
                  Num(y_axis - 7) + "\" text-anchor=\"middle\" font-size=\"11\" fill=\"" +
                  colour::kMuted + "\"" + font + ">" + text + "</text>";
      }
      // Year labels above quarter / month ticks, centred on the year's visible part.
      if (unit_months_ < 12 && (year_start || m == first_month_)) {
        const double yx0 = X(std::max(t0_, MicrosOf(y, 1)));
        const double yx1 = X(std::min(t1_, MicrosOf(y + 1, 1)));
        labels += "<text class=\"tick tick-year\" x=\"" + Num((yx0 + yx1) / 2) + "\" y=\"" +
                  Num(y_axis - 24) + "\" text-anchor=\"middle\" font-size=\"13\" " +
                  "font-weight=\"bold\" fill=\"" + colour::kInk + "\"" + font + ">" +
                  std::to_string(y) + "</text>";
        if (m != first_month_) {
          labels += "<line x1=\"" + Num(yx0) + "\" y1=\"" + Num(y_axis - 36) + "\" x2=\"" +
                    Num(yx0) + "\" y2=\"" + Num(y_axis) + "\" stroke=\"#cbd5e1\"/>";
        }
      }
    }
    grid += "<line x1=\"" + Num(kPlotRight) + "\" y1=\"" + Num(y_axis) + "\" x2=\"" +
            Num(kPlotRight) + "\" y2=\"" + Num(y_bottom) + "\" stroke=\"#cbd5e1\"/>";
    return "<g class=\"axis\">" + grid +
           "<line x1=\"" + Num(kPlotLeft) + "\" y1=\"" + Num(y_axis) + "\" x2=\"" +
           Num(kPlotRight) + "\" y2=\"" + Num(y_axis) + "\" stroke=\"#94a3b8\"/>" + labels +
           "</g>";
  }

 private:
  int64_t t0_ = 0, t1_ = 1;
  int64_t first_month_ = 0, last_month_ = 1;  // months since year 0, [first, last)
  int64_t unit_months_ = 1;
  int64_t year_step_ = 1;
};

// The band of a mark: x range with a minimum width so that precise dates stay visible.
std::pair<double, double> BandX(const Axis& axis, const Mark& m) {
  double x0 = axis.X(m.e0), x1 = axis.X(m.e1);
  if (x1 - x0 < 2) {
    const double c = (x0 + x1) / 2;
    x0 = c - 1;
    x1 = c + 1;
  }
  return {x0, x1};
}

std::string LabelText(const Mark& m) {
  std::string s = Truncate(m.label, 58);
  if (m.rumored) s = "rumored: " + s;
  if (m.corrected) s += " (corrected)";
  if (m.tentative) s += " (tentative)";
  return s;
}

// Places each labelled mark's label right of its band (or left of it near the right edge)
// and, for packed lanes, assigns rows so that labels and bands do not overlap.
void LayoutLane(const Axis& axis, Lane* lane) {
  std::vector<double> row_end;
  std::vector<size_t> order(lane->marks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return lane->marks[a].e0 < lane->marks[b].e0;
  });
  for (size_t i : order) {
    Mark& m = lane->marks[i];
    auto [x0, x1] = BandX(axis, m);
    double lo = x0 - 9, hi = x1 + 9;
    if (!m.label.empty()) {
      const double w = TextWidth(LabelText(m), kLabelPx);
      if (x1 + 12 + w > kWidth - 8 && x0 - 12 - w > kPlotLeft) {
        m.label_left = true;
        lo = x0 - 12 - w;
      } else {
        hi = x1 + 12 + w;
      }
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

double RowStep(const Lane& lane) { return lane.kind == "launch" ? 30 : 24; }
double LaneHeight(const Lane& lane) {
  return (lane.kind == "launch" ? 44 : 36) + (lane.rows - 1) * RowStep(lane);
}
double RowY(const Lane& lane, double top, int row) {
  return top + (lane.kind == "launch" ? 26 : 18) + row * RowStep(lane);
}

std::string Attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + Xml(value) + "\"";
}

std::string DrawMark(const Axis& axis, const Mark& m, double cy) {
  auto [x0, x1] = BandX(axis, m);
  std::string cls = "ev";
  if (m.rumored) cls += " rumored";
  if (m.tentative) cls += " tentative";
  if (m.slipped) cls += " slipped";
  if (m.corrected) cls += " corrected";
  std::string out = "<g" + Attr("class", cls) + Attr("data-id", m.id) +
                    Attr("data-type", m.type);
  if (m.slipped) out += " opacity=\"0.4\"";
  else if (m.tentative) out += " opacity=\"0.55\"";
  out += "><title>" + Xml(m.detail) + "</title>";
  const bool dashed = m.rumored || m.tentative;
  // The fuzzy-date band: [earliest, latest], with end caps like an error bar.
  out += "<rect class=\"range\" x=\"" + Num(x0) + "\" y=\"" + Num(cy - 8) + "\" width=\"" +
         Num(x1 - x0) + "\" height=\"16\" rx=\"3\" fill=\"" + m.colour +
         "\" fill-opacity=\"0.18\" stroke=\"" + m.colour + "\" stroke-opacity=\"0.75\"" +
         (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>";
  if (m.rumored) {
    out += "<rect class=\"hatch\" x=\"" + Num(x0) + "\" y=\"" + Num(cy - 8) + "\" width=\"" +
           Num(x1 - x0) + "\" height=\"16\" rx=\"3\" fill=\"url(#hatch)\"/>";
  }
  out += DrawGlyph(m.glyph, (x0 + x1) / 2, cy, m.colour);
  if (m.corrected) {  // a small pencil tick: "this was corrected"
    const double cx = (x0 + x1) / 2 + 8, ty = cy - 10;
    out += "<path class=\"corrected-mark\" d=\"M" + Num(cx) + " " + Num(ty + 5) + "L" +
           Num(cx + 5) + " " + Num(ty) + "\" stroke=\"" + colour::kInk +
           "\" stroke-width=\"2\" stroke-linecap=\"round\"/>";
  }
  if (!m.label.empty()) {
    const std::string text = LabelText(m);
    const double tx = m.label_left ? x0 - 12 : x1 + 12;
    out += "<text class=\"label\" x=\"" + Num(tx) + "\" y=\"" + Num(cy + 4) + "\"" +
           (m.label_left ? " text-anchor=\"end\"" : "") + " font-size=\"" + Num(kLabelPx) +
           "\" fill=\"" + colour::kInk + "\"" + (m.rumored ? " font-style=\"italic\"" : "") +
           ">" + Xml(text) + "</text>";
  }
  return out + "</g>";
}

std::string DrawBar(const Axis& axis, const Bar& b, int64_t open_until, double cy) {
  const int64_t t1 = b.open_end ? std::max(b.t1, open_until) : b.t1;
  const double x0 = axis.X(b.t0), x1 = std::max(axis.X(t1), x0 + 2);
  std::string out = "<rect class=\"span span-" + b.status + "\" x=\"" + Num(x0) + "\" y=\"" +
                    Num(cy - 5) + "\" width=\"" + Num(x1 - x0) + "\" height=\"10\" rx=\"5\" " +
                    "fill=\"" + b.colour + "\" fill-opacity=\"0.28\"";
  if (b.dashed) out += std::string(" stroke=\"") + b.colour + "\" stroke-dasharray=\"5 3\"";
  out += "/>";
  if (b.open_end) {  // still running: an arrowhead at the end
    out += "<path class=\"open-end\" d=\"M" + Num(x1 - 2) + " " + Num(cy - 7) + "L" +
           Num(x1 + 7) + " " + Num(cy) + "L" + Num(x1 - 2) + " " + Num(cy + 7) + "Z\" fill=\"" +
           b.colour + "\" fill-opacity=\"0.55\"/>";
  }
  return out;
}

// The legend: one sample of every kind of drawing, wrapped into rows.
std::string DrawLegend(double top, double* height) {
  auto bar = [](const char* c, const char* status) {
    return [c, status](double x, double y) {
      return "<rect class=\"span span-" + std::string(status) + "\" x=\"" + Num(x) +
             "\" y=\"" + Num(y - 5) + "\" width=\"22\" height=\"10\" rx=\"5\" fill=\"" + c +
             "\" fill-opacity=\"0.28\"/>";
    };
  };
  auto glyph = [](Glyph g, const char* c) {
    return [g, c](double x, double y) { return DrawGlyph(g, x + 11, y, c); };
  };
  struct Spec {
    std::function<std::string(double, double)> draw;
    const char* text;
  };
  const std::vector<Spec> specs = {
      {bar(colour::kTalks, "opened"), "talks open"},
      {bar(colour::kStalled, "stalled"), "stalled"},
      {glyph(Glyph::kEnded, colour::kEnded), "talks ended"},
      {glyph(Glyph::kChosen, colour::kChosen), "partner chosen"},
      {glyph(Glyph::kDropped, colour::kDropped), "dropped"},
      {glyph(Glyph::kFiled, colour::kPending), "filed (pending)"},
      {glyph(Glyph::kApproved, colour::kApproved), "approved"},
      {glyph(Glyph::kRejected, colour::kRejected), "rejected"},
      {glyph(Glyph::kFlag, colour::kTarget), "launch target"},
      {[](double x, double y) {
         return "<g opacity=\"0.4\">" + DrawGlyph(Glyph::kFlag, x + 2, y + 4, colour::kTarget) +
                "</g>" + DrawGlyph(Glyph::kFlag, x + 18, y + 4, colour::kTarget) +
                "<path d=\"M" + Num(x + 4) + " " + Num(y - 10) + "Q" + Num(x + 11) + " " +
                Num(y - 18) + " " + Num(x + 17) + " " + Num(y - 10) + "\" stroke=\"" +
                colour::kTarget + "\" fill=\"none\" stroke-dasharray=\"3 2\" " +
                "marker-end=\"url(#arrow)\"/>";
       },
       "target slipped"},
      {glyph(Glyph::kLaunched, colour::kLaunched), "launched"},
      {glyph(Glyph::kFact, colour::kFact), "fact"},
      {glyph(Glyph::kNote, colour::kNote), "note"},
      {[](double x, double y) {
         return "<rect class=\"range\" x=\"" + Num(x) + "\" y=\"" + Num(y - 8) +
                "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"" + colour::kMuted +
                "\" fill-opacity=\"0.18\" stroke=\"" + colour::kMuted + "\"/>";
       },
       "fuzzy date: earliest \xE2\x80\x93 latest"},
      {[](double x, double y) {
         return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y - 8) +
                "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"" + colour::kMuted +
                "\" fill-opacity=\"0.18\" stroke=\"" + colour::kMuted +
                "\" stroke-dasharray=\"4 3\"/><rect class=\"hatch\" x=\"" + Num(x) +
                "\" y=\"" + Num(y - 8) +
                "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"url(#hatch)\"/>";
       },
       "rumored"},
      {[](double x, double y) {
         return "<g opacity=\"0.55\"><rect x=\"" + Num(x) + "\" y=\"" + Num(y - 8) +
                "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"" + colour::kMuted +
                "\" fill-opacity=\"0.18\" stroke=\"" + colour::kMuted +
                "\" stroke-dasharray=\"4 3\"/>" + DrawGlyph(Glyph::kOngoing, x + 11, y,
                                                            colour::kMuted) + "</g>";
       },
       "tentative at as-of"},
      {[](double x, double y) {
         return "<path d=\"M" + Num(x + 8) + " " + Num(y + 5) + "L" + Num(x + 14) + " " +
                Num(y - 1) + "\" stroke=\"" + colour::kInk +
                "\" stroke-width=\"2\" stroke-linecap=\"round\"/>";
       },
       "corrected"},
  };
  std::string out = "<g class=\"legend\"><text x=\"16\" y=\"" + Num(top + 18) +
                    "\" font-size=\"11\" font-weight=\"bold\" letter-spacing=\"1\" fill=\"" +
                    colour::kMuted + "\">LEGEND</text>";
  double x = kPlotLeft, y = top + 14;
  for (const Spec& s : specs) {
    const double w = 34 + TextWidth(s.text, 11.5) + 20;
    if (x + w > kWidth - 8) {
      x = kPlotLeft;
      y += 28;
    }
    out += "<g class=\"legend-item\">" + s.draw(x, y) + "<text x=\"" + Num(x + 34) + "\" y=\"" +
           Num(y + 4) + "\" font-size=\"11.5\" fill=\"" + colour::kInk + "\">" + Xml(s.text) +
           "</text></g>";
    x += w;
  }
  out += "</g>";
  *height = y - top + 24;
  return out;
}

struct Picture {
  std::string svg;
  std::vector<HistoryEntry> history;
  State state;
};

Result<Picture> Render(Store& store, const TimeQuery& query) {
  auto state = store.GetState(query);
  if (!state.ok()) return state.status();
  Picture pic;
  pic.state = std::move(state).value();
  Status s = store.History(query, [&](const HistoryEntry& h) {
    pic.history.push_back(h);
    return true;
  });
  ANNALS_RETURN_IF_ERROR(s);
  const std::string as_of_text = query.as_of.empty() ? "now" : query.as_of;
  std::vector<Section> sections = BuildSections(pic.history, pic.state, as_of_text);

  // The axis spans everything drawn, the as-of instant (if it is near), and a margin for
  // the arrowheads of spans still running.
  std::optional<int64_t> as_of_t;
  if (!query.as_of.empty()) {
    auto d = ParseFuzzyDate(query.as_of);
    if (d.ok()) as_of_t = d->latest;
  }
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  bool open = false;
  for (const Section& sec : sections) {
    for (const Lane& lane : sec.lanes) {
      for (const Mark& m : lane.marks) lo = std::min(lo, m.e0), hi = std::max(hi, m.e1);
      for (const Bar& b : lane.bars) open |= b.open_end;
    }
  }
  if (lo > hi) {  // nothing visible yet at as_of: an empty year around it
    const int64_t t = as_of_t ? *as_of_t : 0;
    const Civil c = CivilOf(t);
    lo = MicrosOf(c.y, 1);
    hi = MicrosOf(c.y + 1, 1) - 1;
  }
  if (as_of_t && *as_of_t >= lo && *as_of_t - hi <= hi - lo) hi = std::max(hi, *as_of_t);
  else if (as_of_t && *as_of_t < lo) as_of_t.reset();
  if (as_of_t && *as_of_t > hi) as_of_t.reset();  // far in the future: title only
  if (open && !as_of_t) hi += (hi - lo) / 20;
  const Axis axis(lo, hi);
  const int64_t open_until = as_of_t ? *as_of_t : axis.end();

  // Vertical layout.
  const double kTitleH = 64, kAxisH = 50;
  double y = kTitleH + kAxisH;
  const double axis_y = y;
  y += 6;
  struct Placed {
    const Lane* lane;
    double top;
  };
  std::vector<Placed> placed;
  std::vector<std::pair<std::string, double>> headers;
  for (Section& sec : sections) {
    headers.emplace_back(sec.title, y);
    y += 22;
    for (Lane& lane : sec.lanes) {
      LayoutLane(axis, &lane);
      placed.push_back({&lane, y});
      y += LaneHeight(lane);
    }
    y += 4;
  }
  const double lanes_bottom = y;

  std::string body;
  // Lane backgrounds and names.
  for (size_t i = 0; i < placed.size(); ++i) {
    const Lane& lane = *placed[i].lane;
    const double top = placed[i].top, h = LaneHeight(lane);
    if (i % 2 == 0) {
      body += "<rect x=\"8\" y=\"" + Num(top) + "\" width=\"" + Num(kWidth - 16) +
              "\" height=\"" + Num(h) + "\" fill=\"#f8fafc\"/>";
    }
  }
  for (const auto& [title, hy] : headers) {
    body += "<text class=\"section\" x=\"16\" y=\"" + Num(hy + 15) +
            "\" font-size=\"11\" font-weight=\"bold\" letter-spacing=\"1\" fill=\"" +
            colour::kMuted + "\">" + Xml(title) + "</text><line x1=\"16\" y1=\"" +
            Num(hy + 20) + "\" x2=\"" + Num(kWidth - 16) + "\" y2=\"" + Num(hy + 20) +
            "\" stroke=\"#e2e8f0\"/>";
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
    body += "<g class=\"lane lane-" + lane.kind + "\"" + Attr("data-name", lane.name) + ">";
    body += "<text class=\"lane-name\" x=\"16\" y=\"" + Num(p.top + 16) +
            "\" font-size=\"13\" font-weight=\"bold\" fill=\"" + colour::kInk + "\">" +
            Xml(Truncate(lane.name, 20)) + "</text>";
    if (!lane.status.empty()) {
      body += "<text class=\"lane-status\" x=\"16\" y=\"" + Num(p.top + 30) +
              "\" font-size=\"11\" fill=\"" + lane.status_colour + "\">" +
              Xml(Truncate(lane.status, 24)) + "</text>";
    }
    const double cy0 = RowY(lane, p.top, 0);
    for (const Bar& b : lane.bars) body += DrawBar(axis, b, open_until, cy0);
    for (const Mark& m : lane.marks) body += DrawMark(axis, m, RowY(lane, p.top, m.row));
    for (const auto& [from, to] : lane.slips) {
      const Mark& a = lane.marks[from];
      const Mark& b = lane.marks[to];
      const double ax = (BandX(axis, a).first + BandX(axis, a).second) / 2;
      const double bx = (BandX(axis, b).first + BandX(axis, b).second) / 2;
      const double ay = RowY(lane, p.top, a.row) - 14, by = RowY(lane, p.top, b.row) - 14;
      const double peak = std::min(ay, by) - 14;
      body += "<path class=\"slip\" d=\"M" + Num(ax + 3) + " " + Num(ay) + "C" + Num(ax + 3) +
              " " + Num(peak) + " " + Num(bx) + " " + Num(peak) + " " + Num(bx) + " " +
              Num(by - 2) + "\" stroke=\"" + colour::kTarget + "\" stroke-width=\"1.5\" " +
              "fill=\"none\" stroke-dasharray=\"4 3\" marker-end=\"url(#arrow)\"/>";
    }
    body += "</g>";
  }
  if (sections.empty()) {
    body += "<text x=\"" + Num((kPlotLeft + kPlotRight) / 2) + "\" y=\"" +
            Num(lanes_bottom + 20) + "\" text-anchor=\"middle\" font-size=\"13\" fill=\"" +
            colour::kMuted + "\">no events by as-of " + Xml(as_of_text) + "</text>";
  }
  double legend_h = 0;
  const double legend_top = lanes_bottom + (sections.empty() ? 40 : 22);
  body += DrawLegend(legend_top, &legend_h);
  const double height = legend_top + legend_h + 10;

  // Title: the query, and the state's top-level values (a derived phase or status, a
  // chosen partner...).
  std::string subtitle = "as of " + (query.as_of.empty() ? "all dates" : query.as_of) +
                         " \xC2\xB7 known at " +
                         (query.known_at.empty() ? "now" : query.known_at);
  for (const auto& [name, value] : pic.state.Fields()) {
    if (value.kind != StateValue::Kind::kText || value.text.empty()) continue;
    subtitle += " \xC2\xB7 " + name + ": " + value.text;
  }
  subtitle += " \xC2\xB7 " + std::to_string(pic.history.size()) + " events";

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"annals-timeline\" width=\"" +
                    Num(kWidth) + "\" height=\"" + Num(height) + "\" viewBox=\"0 0 " +
                    Num(kWidth) + " " + Num(height) + "\" font-family=\"" + kFont + "\">";
  svg += "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"2.5\" height=\"6\" fill=\"#334155\" "
         "fill-opacity=\"0.35\"/></pattern><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"8\" "
         "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path "
         "d=\"M0 0L10 5L0 10z\" fill=\"" + std::string(colour::kTarget) + "\"/></marker></defs>";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>";
  svg += "<text class=\"title\" x=\"16\" y=\"30\" font-size=\"20\" font-weight=\"bold\" fill=\"" +
         std::string(colour::kInk) + "\">" + Xml(query.stream) + "</text>";
  svg += "<text class=\"subtitle\" x=\"16\" y=\"52\" font-size=\"13\" fill=\"" +
         std::string(colour::kMuted) + "\">" + Xml(subtitle) + "</text>";
  svg += "<text x=\"" + Num(kWidth - 16) + "\" y=\"30\" text-anchor=\"end\" font-size=\"11\" "
         "fill=\"#94a3b8\">annals timeline</text>";
  svg += body + "</svg>\n";
  pic.svg = std::move(svg);
  return pic;
}

}  // namespace

Result<std::string> RenderTimelineSvg(Store& store, const TimeQuery& query) {
  auto pic = Render(store, query);
  if (!pic.ok()) return pic.status();
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + pic->svg;
}

Result<std::string> RenderTimelineHtml(Store& store, const TimeQuery& query) {
  auto pic = Render(store, query);
  if (!pic.ok()) return pic.status();
  std::string title = query.stream + " \xE2\x80\x94 annals timeline";
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
      Xml(title) +
      "</title>\n<style>\n"
      "body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;margin:16px;"
      "color:#0f172a;background:#fff}\n"
      "#detail{white-space:pre-line;border:1px solid #cbd5e1;border-radius:6px;"
      "padding:8px 12px;margin:8px 0;min-height:4.5em;max-width:1200px;font-size:13px;"
      "background:#f8fafc}\n"
      "g.ev{cursor:pointer}g.ev:hover rect.range{fill-opacity:0.45}\n"
      "table{border-collapse:collapse;font-size:12px;margin-top:12px}"
      "th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e2e8f0;"
      "vertical-align:top}td:nth-child(2){white-space:nowrap}tr.hl{background:#fef9c3}\n"
      "</style></head>\n<body>\n";
  html += pic->svg;
  html += "<div id=\"detail\">Hover over an event to see its details.</div>\n";
  html += "<table id=\"events\"><tr><th>seq</th><th>effective</th><th>type</th><th>id</th>"
          "<th>what</th><th>confidence</th><th>source</th></tr>\n";
  for (const HistoryEntry& h : pic->history) {
    const Event& e = h.event;
    std::string flags;
    if (h.corrected) flags += " [corrected]";
    if (h.tentative) flags += " [tentative]";
    html += "<tr" + Attr("data-id", std::string(e.id())) + "><td>" + std::to_string(e.seq()) +
            "</td><td>" + Xml(e.effective().text) + "</td><td>" + Xml(e.type_name()) +
            "</td><td>" + Xml(e.id()) + "</td><td>" + Xml(DescribeEvent(e) + flags) +
            "</td><td>" + Xml(e.confidence()) + "</td><td>" + Xml(e.source_publisher()) +
            "</td></tr>\n";
  }
  html += "</table>\n<script>\n"
          "(function(){var d=document.getElementById('detail');\n"
          "document.querySelectorAll('g.ev').forEach(function(g){\n"
          "g.addEventListener('mouseenter',function(){var t=g.querySelector('title');\n"
          "d.textContent=t?t.textContent:'';var id=g.getAttribute('data-id');\n"
          "document.querySelectorAll('#events tr').forEach(function(r){\n"
          "r.classList.toggle('hl',!!id&&r.getAttribute('data-id')===id);});});});})();\n"
          "</script>\n</body></html>\n";
  return html;
}

}  // namespace annals
