// Copyright annals authors.
//
// The JSON shapes of query results (SPEC §3-4), field-level diffs of states, and one-line
// event summaries.
//
// Output is compact JSON, as the event export is.  The vocabulary's part of a state is
// written by the state tree (vocabulary/state_tree.h: its rules for unset fields and maps);
// the fields every state has are written here around it.  Diffs compare leaves
// (state_tree.h DiffNodes) and facts, sorted by PathLess.

#include <capnp/compat/json.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "codec/event_rep.h"
#include "bitemporal/projection.h"

namespace annals {
namespace internal {

namespace {

const capnp::JsonCodec& RawCodec() {
  static const capnp::JsonCodec* codec = new capnp::JsonCodec();  // never destroyed
  return *codec;
}

std::string Bool(bool b) { return b ? "true" : "false"; }

std::string StringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    out += JsonQuote(v[i]);
  }
  return out + "]";
}

// Appends `,"key":value` (or without the comma at the start of an object).
void Member(std::string* out, const char* key, const std::string& value_json) {
  if (out->back() != '{') out->push_back(',');
  *out += JsonQuote(key);
  out->push_back(':');
  *out += value_json;
}

bool IsNumber(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// ---- the public tree of a state (State::Fields) ----

StateValue ValueOf(const TypeShape& type, const Node& node);

StateValue StructValue(const StructShape& shape, const Node& node, int skip) {
  StateValue v;
  v.kind = StateValue::Kind::kStruct;
  for (size_t i = 0; i < shape.fields.size(); ++i) {
    if (static_cast<int>(i) == skip || node.tag != Node::kStruct) continue;
    const Node& f = node.items[i];
    if (!f.IsSet()) continue;
    v.members.emplace_back(shape.fields[i].json_name, ValueOf(shape.fields[i].type, f));
  }
  return v;
}

StateValue ValueOf(const TypeShape& type, const Node& node) {
  StateValue v;
  if (!node.IsSet()) return v;
  switch (type.kind) {
    case TypeShape::kList:
      v.kind = StateValue::Kind::kList;
      for (const Node& e : node.items) v.items.push_back(ValueOf(*type.element, e));
      return v;
    case TypeShape::kMap:
      v.kind = StateValue::Kind::kMap;
      for (const auto& [key, element] : node.entries) {
        if (type.value_field >= 0) {
          v.members.emplace_back(key, ValueOf(type.structure->fields[type.value_field].type,
                                              element.items[type.value_field]));
        } else {
          v.members.emplace_back(key, StructValue(*type.structure, element, type.key_field));
        }
      }
      return v;
    case TypeShape::kStruct:
      return StructValue(*type.structure, node, -1);
    case TypeShape::kBool:
      v.kind = StateValue::Kind::kBool;
      break;
    case TypeShape::kInt:
    case TypeShape::kUInt:
    case TypeShape::kFloat:
      v.kind = StateValue::Kind::kNumber;
      break;
    default:
      v.kind = StateValue::Kind::kText;
  }
  v.text = NodeText(type, node);
  return v;
}

}  // namespace

// The paths share everything up to their first difference, so only the segment holding
// it decides: by length when both are numbers, else as text (a segment that ends there
// is a prefix of the other, so it sorts first).
bool PathLess::operator()(const std::string& a, const std::string& b) const {
  const size_t n = std::min(a.size(), b.size());
  size_t k = 0;
  while (k < n && a[k] == b[k]) ++k;
  if (k == a.size() && k == b.size()) return false;  // equal
  const size_t start = k == 0 ? 0 : a.rfind('.', k - 1) + 1;  // npos + 1 == 0
  size_t ea = a.find('.', start), eb = b.find('.', start);
  if (ea == std::string::npos) ea = a.size();
  if (eb == std::string::npos) eb = b.size();
  std::string_view sa(a.data() + start, ea - start), sb(b.data() + start, eb - start);
  if (sa == sb) return a.size() < b.size();  // one path ends where the other goes on
  if (IsNumber(sa) && IsNumber(sb) && sa.size() != sb.size()) return sa.size() < sb.size();
  return sa < sb;
}

void SortByPath(std::vector<Change>* changes) {
  PathLess less;
  std::sort(changes->begin(), changes->end(),
            [&](const Change& x, const Change& y) { return less(x.path, y.path); });
}

std::string ChangesToJson(const std::vector<Change>& changes) {
  std::string out = "[";
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i) out += ",";
    out += "{";
    Member(&out, "path", JsonQuote(changes[i].path));
    Member(&out, "from", changes[i].from_json);
    Member(&out, "to", changes[i].to_json);
    out += "}";
  }
  return out + "]";
}

}  // namespace internal

// ---- public JSON shapes ----------------------------------------------------------------

using internal::JsonQuote;

std::string State::ToJson() const {
  using internal::Member;
  std::string out = "{";
  Member(&out, "stream", JsonQuote(stream));
  Member(&out, "as_of", as_of.empty() ? "null" : JsonQuote(as_of));
  Member(&out, "known_at", known_at.empty() ? "null" : JsonQuote(known_at));
  if (rep) {
    std::string fields;
    internal::WriteStateMembers(rep->vocabulary->state(), rep->root, &fields);
    if (!fields.empty()) out += "," + fields;
  }
  std::string f = "{";
  for (const auto& [key, value] : facts) Member(&f, key.c_str(), JsonQuote(value));
  Member(&out, "facts", f + "}");
  Member(&out, "events_applied", std::to_string(events_applied));
  Member(&out, "tentative", internal::StringArray(tentative));
  return out + "}";
}

std::vector<std::pair<std::string, StateValue>> State::Fields() const {
  std::vector<std::pair<std::string, StateValue>> out;
  if (!rep) return out;
  const internal::StructShape& shape = rep->vocabulary->state();
  static const internal::Node unset;
  for (size_t i = 0; i < shape.fields.size(); ++i) {
    const internal::Node& n = rep->root.tag == internal::Node::kStruct ? rep->root.items[i]
                                                                      : unset;
    out.emplace_back(shape.fields[i].json_name, internal::ValueOf(shape.fields[i].type, n));
  }
  return out;
}

std::vector<Change> DiffStates(const State& before, const State& after) {
  std::vector<Change> changes;
  // A stream with no vocabulary yet has the empty state of the vocabulary it comes to
  // belong to: that is what the other side is compared with.
  std::shared_ptr<const internal::StateRep> rb = before.rep, ra = after.rep;
  auto empty_of = [](const internal::StateRep& other) {
    auto rep = std::make_shared<internal::StateRep>();
    rep->vocabulary = other.vocabulary;
    rep->root = internal::StateFold(other.vocabulary).root();
    return rep;
  };
  if (!rb && ra) rb = empty_of(*ra);
  if (!ra && rb) ra = empty_of(*rb);
  if (ra && rb) {
    static const internal::Node unset;
    if (&ra->vocabulary->state() == &rb->vocabulary->state()) {
      internal::DiffStructs(ra->vocabulary->state(), rb->root, ra->root, "", &changes);
    } else {
      // States of two versions of a vocabulary: each side's fields against nothing.
      internal::DiffStructs(rb->vocabulary->state(), rb->root, unset, "", &changes);
      internal::DiffStructs(ra->vocabulary->state(), unset, ra->root, "", &changes);
    }
  }
  auto b = before.facts.begin(), a = after.facts.begin();
  while (b != before.facts.end() || a != after.facts.end()) {
    const std::string* was = nullptr;
    const std::string* now = nullptr;
    std::string key;
    if (a == after.facts.end() || (b != before.facts.end() && b->first < a->first)) {
      key = b->first;
      was = &(b++)->second;
    } else if (b == before.facts.end() || a->first < b->first) {
      key = a->first;
      now = &(a++)->second;
    } else {
      key = b->first;
      was = &(b++)->second;
      now = &(a++)->second;
    }
    if (was && now && *was == *now) continue;
    changes.push_back(Change{"facts." + key, was ? JsonQuote(*was) : "null",
                             now ? JsonQuote(*now) : "null", was ? *was : "-", now ? *now : "-"});
  }
  internal::SortByPath(&changes);
  return changes;
}

std::string HistoryEntry::ToJson() const {
  std::string out = event.ToJson();
  out.pop_back();  // the closing brace of the export shape
  return out + ",\"corrected\":" + internal::Bool(corrected) + "}";
}

std::string DiffResult::ToJson() const {
  using internal::Member;
  std::string out = "{";
  Member(&out, "stream", JsonQuote(stream));
  Member(&out, "from", JsonQuote(from));
  Member(&out, "to", JsonQuote(to));
  Member(&out, "known_at", known_at.empty() ? "null" : JsonQuote(known_at));
  Member(&out, "changes", internal::ChangesToJson(changes));
  return out + "}";
}

std::string ReplayEntry::ToJson() const {
  std::string out = event.ToJson();
  out.pop_back();
  return out + ",\"changes\":" + internal::ChangesToJson(changes) + "}";
}

// ---- summaries -----------------------------------------------------------------------

std::string DescribeEvent(const Event& event) {
  auto s = [](capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); };
  auto paren = [](const std::string& t) { return t.empty() ? "" : " (" + t + ")"; };
  const auto r = event.rep().reader();
  switch (event.kind()) {
    case EventKind::kFact: {
      auto d = r.getFact();
      if (d.getValue().size() == 0) return s(d.getKey()) + " removed";
      return s(d.getKey()) + " = " + s(d.getValue());
    }
    case EventKind::kNote:
      return s(r.getNote().getText());
    case EventKind::kCorrection: {
      auto d = r.getCorrection();
      std::string out = "corrects " + s(d.getTarget()) + ":";
      if (d.hasEffective()) out += " effective " + s(d.getEffective());
      if (d.hasData()) {
        auto text = internal::RawCodec().encodeRaw(d.getData());
        out += " data " + std::string(text.cStr(), text.size());
      }
      return out + paren(s(d.getReason()));
    }
    case EventKind::kRetraction: {
      auto d = r.getRetraction();
      return "retracts " + s(d.getTarget()) + paren(s(d.getReason()));
    }
    case EventKind::kVocabulary: {
      auto d = r.getVocabulary();
      return "vocabulary " + s(d.getName()) + " version " + std::to_string(d.getVersion());
    }
    case EventKind::kDomain: {
      const auto* def =
          static_cast<const internal::EventTypeDef*>(event.rep().type().definition);
      if (def != nullptr && !def->summary.empty()) {
        return internal::RenderSummary(
            internal::FoldInput(def, event.effective().text, event.rep().data()));
      }
      return event.DataJson();
    }
  }
  return "";
}

}  // namespace annals
