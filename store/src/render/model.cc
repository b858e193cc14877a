// Copyright annals authors.
//
// BuildModel: the rules of model.h, applied event by event.

#include "render/model.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "annals/fuzzy_date.h"
#include "codec/event_rep.h"
#include "bitemporal/projection.h"
#include "render/plan.h"
#include "render/text.h"
#include "render/tone.h"

namespace annals {
namespace internal {
namespace render {
namespace {

constexpr const char* kNotesSection = "FACTS & NOTES";
constexpr const char* kDot = " \xC2\xB7 ";

// How a date end reads in the hover text.
std::string EndText(DateEnd end, int64_t t) {
  if (end == DateEnd::kOpen) return "open";
  if (end == DateEnd::kUnknown) return "unknown";
  return DayText(t);
}

std::string Detail(const HistoryEntry& h, const std::string& as_of) {
  const Event& e = h.event;
  const FuzzyDate& eff = e.effective();
  std::string out = std::string(e.type_name()) + kDot + std::string(e.id()) + kDot + "seq " +
                    std::to_string(e.seq()) + "\n";
  const std::string from = EndText(eff.start, eff.earliest), to = EndText(eff.end, eff.latest);
  out += "effective " + eff.text + " (" + (from == to ? from : from + " \xE2\x80\x93 " + to) +
         ")\n";
  out += DescribeEvent(e) + "\n";
  out += std::string(e.confidence());
  if (!e.source_publisher().empty()) {
    out += std::string(kDot) + "source: " + std::string(e.source_publisher());
    if (!e.source_published().empty()) out += ", " + std::string(e.source_published());
  }
  if (!e.source_url().empty()) out += kDot + std::string(e.source_url());
  if (!e.recorded_by().empty()) {
    out += std::string(kDot) + "recorded by " + std::string(e.recorded_by());
  }
  if (h.corrected) out += "\ncorrected by a later event";
  if (h.tentative) out += "\ntentative: may not have happened by " + as_of;
  return out;
}

// The text of field `f` of a struct node ("" if unset or not a struct).
std::string FieldText(const StructShape& shape, const Node& node, int f) {
  if (f < 0 || node.tag != Node::kStruct || static_cast<size_t>(f) >= node.items.size()) return "";
  return NodeText(shape.fields[f].type, node.items[f]);
}

// The first set text field of a struct node: how a list element's lane is named.
int FirstTextField(const StructShape& shape, const Node& node) {
  if (node.tag != Node::kStruct) return -1;
  for (size_t i = 0; i < shape.fields.size() && i < node.items.size(); ++i) {
    if (shape.fields[i].type.kind == TypeShape::kText && node.items[i].IsSet()) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// "target 2025-05~": a field of a struct value and its text.
std::string Named(const StructShape& shape, const Node& node, int f) {
  const std::string text = FieldText(shape, node, f);
  return text.empty() ? "" : Words(shape.fields[f].json_name) + " " + text;
}

// The text values of an event's data (Text fields and lists of Text): an event is about
// the entry whose key is one of them.
std::set<std::string> DataTexts(const Event& e) {
  std::set<std::string> out;
  if (e.kind() != EventKind::kDomain) return out;
  const capnp::DynamicStruct::Reader data = e.rep().data_struct();
  for (auto f : data.getSchema().getNonUnionFields()) {
    if (!data.has(f)) continue;
    const auto type = f.getType();
    if (type.isText()) {
      out.insert(data.get(f).as<capnp::Text>().cStr());
    } else if (type.isList() && type.asList().getElementType().isText()) {
      for (auto t : data.get(f).as<capnp::DynamicList>()) out.insert(t.as<capnp::Text>().cStr());
    }
  }
  out.erase("");
  return out;
}

// `summary` without `name` at its start or end (the lane already says it): on the lane
// Baidu, "Baidu: talks ended" reads "talks ended"; on the lane "FTC v. Microsoft", "FTC
// sues: FTC v. Microsoft" reads "FTC sues".
std::string WithoutName(const std::string& summary, const std::string& name) {
  auto separator = [](char c) { return c == ':' || c == ' ' || c == ','; };
  if (name.empty() || summary.size() <= name.size()) return summary;
  if (summary.compare(0, name.size(), name) == 0 && separator(summary[name.size()])) {
    size_t i = name.size();
    while (i < summary.size() && separator(summary[i])) ++i;
    if (i < summary.size()) return summary.substr(i);
  }
  const size_t tail = summary.size() - name.size();
  if (summary.compare(tail, name.size(), name) == 0 && separator(summary[tail - 1])) {
    size_t i = tail;
    while (i > 0 && separator(summary[i - 1])) --i;
    if (i > 0) return summary.substr(0, i);
  }
  return summary;
}

class Builder {
 public:
  Builder(const State& state, const std::string& as_of_text)
      : vocabulary_(state.rep ? state.rep->vocabulary : nullptr),
        projection_(vocabulary_),
        as_of_text_(as_of_text) {
    projection_.fold().set_track_changes(true);
    if (vocabulary_) plans_ = PlanFields(*vocabulary_);
    for (const auto& [name, value] : state.Fields()) {
      if (value.kind != StateValue::Kind::kText || value.text.empty()) continue;
      model_.subtitle_values += kDot + Words(name) + ": " + value.text;
    }
  }

  void Add(const HistoryEntry& h) {
    projection_.Apply(h.event);
    const EventKind kind = h.event.kind();
    const std::string summary = DescribeEvent(h.event);
    if (kind == EventKind::kNote || kind == EventKind::kFact || !vocabulary_) {
      AddToNotes(h, summary);
      return;
    }
    const StateFold& fold = projection_.fold();
    std::vector<StateFold::PartRef> parts = fold.LastParts();
    // The event's own part: the first whose key or element name the event's data gives.
    const std::set<std::string> texts = DataTexts(h.event);
    std::optional<size_t> own;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (!Drawn(parts[i])) continue;
      if (!own) own = i;
      if (texts.count(NameOf(parts[i])) != 0) {
        own = i;
        break;
      }
    }
    for (size_t i = 0; i < parts.size(); ++i) {
      if (Drawn(parts[i])) DrawPart(h, summary, parts[i], own == i);
    }
    if (own) return;
    for (const StateFold::PartRef& part : parts) {
      if (part.kind == StateFold::PartRef::kWhole &&
          plans_[part.field].kind == FieldPlan::kScalar) {
        DrawScalar(h, summary, part.field);
        return;
      }
    }
    AddToNotes(h, summary);  // it wrote nothing drawn
  }

  Model Finish() {
    for (Section& s : model_.sections) {
      for (Lane& lane : s.lanes) {
        if (lane.kind == Lane::kMap || lane.kind == Lane::kList) AddBars(&lane);
      }
    }
    // Sections by the first state field drawn in them, facts and notes last.
    std::vector<std::pair<int, size_t>> order;
    for (size_t i = 0; i < model_.sections.size(); ++i) order.emplace_back(section_order_[i], i);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Section> sorted;
    for (const auto& o : order) sorted.push_back(std::move(model_.sections[o.second]));
    model_.sections = std::move(sorted);
    CollectLegend();
    return std::move(model_);
  }

 private:
  // Whether a part gets a mark on a lane of its own: not facts, scalars or skipped
  // fields, nor a map or list written whole (`clear` of a map: the event goes to the notes).
  bool Drawn(const StateFold::PartRef& part) const {
    if (part.kind == StateFold::PartRef::kFact) return false;
    switch (plans_[part.field].kind) {
      case FieldPlan::kMap:
      case FieldPlan::kList:
        return part.kind != StateFold::PartRef::kWhole;
      case FieldPlan::kFlags:
      case FieldPlan::kValue:
        return true;
      default:
        return false;
    }
  }

  const FieldShape& FieldOf(int f) const { return vocabulary_->state().fields[f]; }
  const Node& ValueOf(int f) const { return projection_.fold().root().items[f]; }

  // The map key, or the name of the list element, a part wrote.
  std::string NameOf(const StateFold::PartRef& part) const {
    if (part.kind == StateFold::PartRef::kKey) return part.key;
    if (part.kind != StateFold::PartRef::kIndex) return "";
    const Node& list = ValueOf(part.field);
    const StructShape* shape = FieldOf(part.field).type.structure;
    if (list.tag != Node::kList || part.index >= list.items.size() || shape == nullptr) return "";
    const Node& element = list.items[part.index];
    const int f = FirstTextField(*shape, element);
    if (f >= 0) return element.items[f].text;
    return Words(FieldOf(part.field).json_name) + " " + std::to_string(part.index + 1);
  }

  Lane& LaneFor(const std::string& section, const std::string& name, Lane::Kind kind,
                int field, int order) {
    auto s = section_of_.find(section);
    if (s == section_of_.end()) {
      s = section_of_.emplace(section, model_.sections.size()).first;
      model_.sections.push_back(Section{section, {}});
      section_order_.push_back(order);
    }
    auto l = lanes_.find({section, name});
    if (l == lanes_.end()) {
      Section& sec = model_.sections[s->second];
      l = lanes_.emplace(std::make_pair(section, name), std::make_pair(s->second, sec.lanes.size()))
              .first;
      Lane lane;
      lane.kind = kind;
      lane.name = name;
      lane.field = field >= 0 ? FieldOf(field).json_name : "";
      lane.pack = kind == Lane::kValue || kind == Lane::kNotes;
      sec.lanes.push_back(std::move(lane));
    }
    lane_index_ = l->second;
    return model_.sections[l->second.first].lanes[l->second.second];
  }

  // The lane of a whole field (its own, or its $A.lane).
  Lane& ValueLane(int field) {
    const FieldPlan& plan = plans_[field];
    return LaneFor(plan.section, plan.lane, Lane::kValue, field, plan.order);
  }

  Mark MakeMark(const HistoryEntry& h, Glyph glyph, const std::string& colour) const {
    Mark m;
    m.id = std::string(h.event.id());
    m.type = std::string(h.event.type_name());
    m.e0 = h.event.effective().earliest;
    m.e1 = h.event.effective().latest;
    m.glyph = glyph;
    m.colour = colour;
    m.detail = Detail(h, as_of_text_);
    m.rumored = h.event.confidence() == "rumored";
    m.tentative = h.tentative;
    m.corrected = h.corrected;
    return m;
  }

  // A derived mark: drawn for an event whose own mark is on another lane.
  static void Derive(Mark* m, const std::string& what) {
    m->of = m->id;
    m->id.clear();
    m->detail = what + "\n" + m->detail;
  }

  void AddToNotes(const HistoryEntry& h, const std::string& summary) {
    const EventKind kind = h.event.kind();
    Lane& lane = LaneFor(kNotesSection, "Facts & notes", Lane::kNotes, -1, 1 << 30);
    Mark m = kind == EventKind::kFact   ? MakeMark(h, Glyph::kFact, colour::kFact)
             : kind == EventKind::kNote ? MakeMark(h, Glyph::kNote, colour::kNote)
                                        : MakeMark(h, Glyph::kActive, colour::kMuted);
    m.legend = kind == EventKind::kFact ? "fact" : kind == EventKind::kNote ? "note" : "";
    m.label = summary;
    lane.marks.push_back(std::move(m));
  }

  void DrawPart(const HistoryEntry& h, const std::string& summary,
                const StateFold::PartRef& part, bool own) {
    const FieldPlan& plan = plans_[part.field];
    switch (plan.kind) {
      case FieldPlan::kMap:
      case FieldPlan::kList:
        DrawEntry(h, summary, part, own);
        return;
      case FieldPlan::kFlags:
        DrawFlag(h, summary, part.field, own);
        return;
      case FieldPlan::kValue:
        DrawValue(h, summary, part.field, own);
        return;
      default:
        return;
    }
  }

  // A map entry or list element: a mark in its status, and a bar from it (AddBars).
  void DrawEntry(const HistoryEntry& h, const std::string& summary,
                 const StateFold::PartRef& part, bool own) {
    const FieldPlan& plan = plans_[part.field];
    const StructShape& shape = *FieldOf(part.field).type.structure;
    const Node& value = ValueOf(part.field);
    const Node* entry = nullptr;
    if (part.kind == StateFold::PartRef::kKey) {
      auto it = value.entries.find(part.key);
      if (it != value.entries.end()) entry = &it->second;
    } else if (value.tag == Node::kList && part.index < value.items.size()) {
      entry = &value.items[part.index];
    }
    const std::string name = NameOf(part);  // never empty for a key or an index
    Lane& lane = LaneFor(plan.section, name,
                         plan.kind == FieldPlan::kMap ? Lane::kMap : Lane::kList, part.field,
                         plan.order);
    const std::string status =
        entry == nullptr ? "removed" : FieldText(shape, *entry, plan.status_field);
    const bool starts = lane.marks.empty() || IsFinal(ToneOf(lane.marks.back().status));
    Mark m = MakeMark(h, GlyphOf(status, starts), ColourOf(status));
    m.status = status;
    m.legend = Words(status);
    const std::string what = WithoutName(summary, name);
    if (own) {
      m.label = what;
    } else {  // "dropped · Alibaba chosen", unless the summary says it already
      m.label = status.empty() || what.find(status) != std::string::npos ? what
                                                                         : status + kDot + what;
      Derive(&m, (status.empty() ? "" : status + ": ") + summary);
    }
    lane.status = status;
    lane.status_colour = ColourOf(status);
    lane.marks.push_back(std::move(m));
  }

  // A value that keeps its replaced values: a flag at the date it names.
  void DrawFlag(const HistoryEntry& h, const std::string& summary, int field, bool own) {
    const FieldPlan& plan = plans_[field];
    const FieldShape& shape = FieldOf(field);
    const Node& value = ValueOf(field);
    Lane& lane = ValueLane(field);
    lane.flags = true;
    auto current = current_flag_.find({lane_index_, field});
    if (!value.IsSet()) {  // cleared: the flag it had stands no more
      Mark m = MakeMark(h, Glyph::kEnded, colour::kMuted);
      m.legend = "cleared";
      m.label = summary;
      if (!own) Derive(&m, summary);
      if (current != current_flag_.end()) current_flag_.erase(current);
      lane.status = "";
      lane.marks.push_back(std::move(m));
      return;
    }
    std::string when, value_text;
    if (plan.when_field == FieldPlan::kWholeValue) {
      when = NodeText(shape.type, value);
      value_text = Words(shape.json_name) + " " + when;
    } else if (shape.type.structure != nullptr) {
      const StructShape& s = *shape.type.structure;
      const int f = plan.when_field >= 0 ? plan.when_field : FirstTextField(s, value);
      if (plan.when_field >= 0) when = FieldText(s, value, f);
      value_text = Named(s, value, f);
    }
    Mark m = MakeMark(h, Glyph::kFlag, colour::kFlag);
    m.legend = Words(shape.json_name);
    m.value = value_text.empty() ? summary : value_text;
    auto date = ParseFuzzyDate(when);
    if (!when.empty() && date.ok()) {  // the flag stands at the date it names
      m.e0 = date->earliest;
      m.e1 = date->latest;
      m.detail = m.value + " (set " + h.event.effective().text + ")\n" + m.detail;
    }
    m.label = own ? summary : m.value;
    if (!own) Derive(&m, Words(shape.json_name) + ": " + summary);
    if (current != current_flag_.end()) {
      Mark& prev = lane.marks[current->second];
      prev.replaced = true;
      prev.label = prev.value + " (replaced)";
      prev.detail += "\nreplaced by " + summary + " (set " + h.event.effective().text + ")";
      lane.slips.emplace_back(current->second, lane.marks.size());
    }
    current_flag_[{lane_index_, field}] = lane.marks.size();
    lane.status = m.value;
    lane.status_colour = colour::kFlag;
    lane.marks.push_back(std::move(m));
  }

  // A struct field without history: a milestone (or its status, if it has one).
  void DrawValue(const HistoryEntry& h, const std::string& summary, int field, bool own) {
    const FieldShape& shape = FieldOf(field);
    const Node& value = ValueOf(field);
    Lane& lane = ValueLane(field);
    const StructShape& s = *shape.type.structure;
    const std::string status = FieldText(s, value, plans_[field].status_field);
    const std::string name = Words(shape.json_name);
    Mark m = MakeMark(h, Glyph::kMilestone,
                      ToneOf(name) == Tone::kOther ? colour::kMilestone : ColourOf(name));
    m.legend = name;
    if (!value.IsSet()) {
      m.glyph = Glyph::kEnded;
      m.colour = colour::kMuted;
      m.legend = "cleared";
    } else if (!status.empty()) {
      m.glyph = GlyphOf(status, lane.marks.empty());
      m.colour = ColourOf(status);
      m.status = status;
      m.legend = Words(status);
    }
    m.label = summary;
    if (!own) Derive(&m, name + ": " + summary);
    const int first = FirstTextField(s, value);
    lane.status = !status.empty() ? status
                  : first >= 0    ? name + " " + value.items[first].text
                                  : (value.IsSet() ? name : "");
    lane.status_colour = m.colour;
    lane.marks.push_back(std::move(m));
  }

  // A scalar field, for an event that wrote nothing else: its new value as a status.
  void DrawScalar(const HistoryEntry& h, const std::string& summary, int field) {
    const FieldShape& shape = FieldOf(field);
    Lane& lane = ValueLane(field);
    const std::string value = NodeText(shape.type, ValueOf(field));
    Mark m = MakeMark(h, GlyphOf(value, lane.marks.empty()), ColourOf(value));
    m.legend = Words(value);
    m.label = summary;
    lane.status = value;
    lane.status_colour = m.colour;
    lane.marks.push_back(std::move(m));
  }

  // Bars between the marks of an entry's lane, in the status each mark left it in; only
  // its last mark keeps its label.
  void AddBars(Lane* lane) {
    for (size_t i = 0; i < lane->marks.size(); ++i) {
      const bool last = i + 1 == lane->marks.size();
      if (!last) lane->marks[i].label.clear();
      const std::string& status = lane->marks[i].status;
      const Tone tone = ToneOf(status);
      if (IsFinal(tone)) continue;
      Bar bar;
      bar.t0 = lane->marks[i].e0;
      bar.t1 = last ? bar.t0 : std::max(bar.t0, lane->marks[i + 1].e1);
      bar.status = status;
      bar.colour = ColourOf(status);
      bar.open_end = last;
      bar.dashed = tone == Tone::kPending;
      lane->bars.push_back(bar);
      if (last) model_.any_open = true;
    }
  }

  void CollectLegend() {
    std::set<std::pair<std::string, std::string>> seen;  // colour, text
    std::set<std::string> with_bar, dashed;
    for (const Section& s : model_.sections) {
      for (const Lane& l : s.lanes) {
        for (const Bar& b : l.bars) {
          with_bar.insert(b.status);
          if (b.dashed) dashed.insert(b.status);
        }
      }
    }
    for (const Section& s : model_.sections) {
      for (const Lane& l : s.lanes) {
        for (const Mark& m : l.marks) {
          model_.any_slip |= m.replaced;
          model_.any_fact |= m.glyph == Glyph::kFact;
          model_.any_note |= m.glyph == Glyph::kNote;
          model_.any_rumored |= m.rumored;
          model_.any_tentative |= m.tentative;
          model_.any_corrected |= m.corrected;
          model_.any_open |= m.e0 == kUnboundedEarliest || m.e1 == kUnboundedLatest;
          if (m.legend.empty() || !seen.insert({m.colour, m.legend}).second) continue;
          LegendEntry e;
          e.glyph = m.glyph;
          e.colour = m.colour;
          e.text = m.legend;
          e.bar = !m.status.empty() && with_bar.count(m.status) != 0;
          e.dashed = dashed.count(m.status) != 0;
          model_.legend.push_back(std::move(e));
        }
      }
    }
  }

  std::shared_ptr<const Vocabulary> vocabulary_;
  StateProjection projection_;
  const std::string as_of_text_;
  std::vector<FieldPlan> plans_;
  Model model_;
  std::vector<int> section_order_;                          // by section index
  std::map<std::string, size_t> section_of_;                // title -> section index
  std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>> lanes_;
  std::pair<size_t, size_t> lane_index_{0, 0};              // of the lane LaneFor gave last
  std::map<std::pair<std::pair<size_t, size_t>, int>, size_t> current_flag_;  // -> mark
};

}  // namespace

Model BuildModel(const std::vector<HistoryEntry>& history, const State& state,
                 const std::string& as_of_text) {
  Builder b(state, as_of_text);
  for (const HistoryEntry& h : history) b.Add(h);
  return b.Finish();
}

}  // namespace render
}  // namespace internal
}  // namespace annals
