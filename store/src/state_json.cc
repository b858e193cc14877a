// Copyright annals authors.
//
// The JSON shapes of query results (SPEC §3-4), field-level diffs of states, and one-line
// event summaries.
//
// Output is compact JSON, as the event export is.  Strings are quoted by JsonQuote (the
// same bytes as Cap'n Proto's JsonCodec); the shapes themselves are fixed, so they are
// assembled here directly.
//
// State JSON rules (ToJson):
//   partners.<p>:      status, since; reason and role only when non-empty
//   submissions.<i>:   regulator, filed (null when a decision came without a filing),
//                      scope, status; with, decided, conditions only when non-empty
//   launch_target:     target, scope, set, previous (array of the same shape);
//                      internal only when true
//   launched:          on, scope, release
// Diffs compare the leaves of the same shape, at dotted paths of the same names
// ("launch_target.previous.0.set"); a leaf that is absent on one side is null there.
// Empty optional strings (any optional string field, scope included) are not leaves, so
// "" never shows up as a change.

#include <capnp/compat/json.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "event_rep.h"
#include "projection.h"

namespace annals {
namespace internal {

namespace {

const capnp::JsonCodec& RawCodec() {
  static const capnp::JsonCodec* codec = new capnp::JsonCodec();  // never destroyed
  return *codec;
}

std::string Bool(bool b) { return b ? "true" : "false"; }

std::string OptString(const std::optional<std::string>& s) {
  return s ? JsonQuote(*s) : "null";
}

std::string StringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    out += JsonQuote(v[i]);
  }
  return out + "]";
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Appends `,"key":value` (or without the comma at the start of an object).
void Member(std::string* out, const char* key, const std::string& value_json) {
  if (out->back() != '{') out->push_back(',');
  *out += JsonQuote(key);
  out->push_back(':');
  *out += value_json;
}

std::string PartnerJson(const PartnerState& p) {
  std::string out = "{";
  Member(&out, "status", JsonQuote(p.status));
  Member(&out, "since", JsonQuote(p.since));
  if (!p.reason.empty()) Member(&out, "reason", JsonQuote(p.reason));
  if (!p.role.empty()) Member(&out, "role", JsonQuote(p.role));
  return out + "}";
}

std::string SubmissionJson(const Submission& s) {
  std::string out = "{";
  Member(&out, "regulator", JsonQuote(s.regulator));
  Member(&out, "filed", OptString(s.filed));
  Member(&out, "scope", JsonQuote(s.scope));
  if (!s.with.empty()) Member(&out, "with", StringArray(s.with));
  Member(&out, "status", JsonQuote(s.status));
  if (!s.decided.empty()) Member(&out, "decided", JsonQuote(s.decided));
  if (!s.conditions.empty()) Member(&out, "conditions", JsonQuote(s.conditions));
  return out + "}";
}

std::string TargetEntryJson(const LaunchTargetEntry& e, const std::string* previous) {
  std::string out = "{";
  Member(&out, "target", JsonQuote(e.target));
  Member(&out, "scope", JsonQuote(e.scope));
  Member(&out, "set", JsonQuote(e.set));
  if (e.internal) Member(&out, "internal", "true");
  if (previous) Member(&out, "previous", *previous);
  return out + "}";
}

// ---- leaves and field-level diffs ----------------------------------------------------
//
// A state is compared leaf by leaf: each part of it (a partner, a submission, a launch
// target...) lists its leaves once, below, in a fixed order of slots; a diff walks the
// slots of the two sides and builds a path and the JSON of a value only for a leaf that
// differs.  Nothing is built for the leaves that stay the same, which are most of them
// when a replay diffs the part one event touched.

// One leaf of a part, by reference into the State it was read from.
struct Leaf {
  enum Kind { kAbsent, kString, kList, kTrue };
  Kind kind = kAbsent;
  std::string_view name;  // the last segment of its path
  const std::string* text = nullptr;
  const std::vector<std::string>* list = nullptr;

  static Leaf String(std::string_view name, const std::string& v) {
    return Leaf{kString, name, &v, nullptr};
  }
  bool SameValue(const Leaf& o) const {
    if (kind != o.kind) return false;
    switch (kind) {
      case kString: return *text == *o.text;
      case kList: return *list == *o.list;
      default: return true;
    }
  }
  std::string Json() const {
    switch (kind) {
      case kString: return JsonQuote(*text);
      case kList: return StringArray(*list);
      case kTrue: return "true";
      default: return "null";
    }
  }
  std::string Text() const {  // for people: unquoted, lists joined, "-" for null
    switch (kind) {
      case kString: return *text;
      case kList: return Join(*list);
      case kTrue: return "true";
      default: return "-";
    }
  }
};

// The most leaves a part has (a submission: 7).
constexpr size_t kMaxLeaves = 8;
using Leaves = std::array<Leaf, kMaxLeaves>;

// Each part's leaves, in slots.  An empty optional string is not a leaf, so "" never
// shows up as a change.
void PartnerLeaves(const PartnerState& p, Leaves* out) {
  (*out)[0] = Leaf::String("status", p.status);
  (*out)[1] = Leaf::String("since", p.since);
  if (!p.reason.empty()) (*out)[2] = Leaf::String("reason", p.reason);
  if (!p.role.empty()) (*out)[3] = Leaf::String("role", p.role);
}

void SubmissionLeaves(const Submission& s, Leaves* out) {
  (*out)[0] = Leaf::String("regulator", s.regulator);
  if (s.filed) (*out)[1] = Leaf::String("filed", *s.filed);
  if (!s.scope.empty()) (*out)[2] = Leaf::String("scope", s.scope);
  if (!s.with.empty()) (*out)[3] = Leaf{Leaf::kList, "with", nullptr, &s.with};
  (*out)[4] = Leaf::String("status", s.status);
  if (!s.decided.empty()) (*out)[5] = Leaf::String("decided", s.decided);
  if (!s.conditions.empty()) (*out)[6] = Leaf::String("conditions", s.conditions);
}

void TargetEntryLeaves(const LaunchTargetEntry& e, Leaves* out) {
  (*out)[0] = Leaf::String("target", e.target);
  if (!e.scope.empty()) (*out)[1] = Leaf::String("scope", e.scope);
  (*out)[2] = Leaf::String("set", e.set);
  if (e.internal) (*out)[3] = Leaf{Leaf::kTrue, "internal", nullptr, nullptr};
}

void LaunchedLeaves(const LaunchedState& l, Leaves* out) {
  (*out)[0] = Leaf::String("on", l.on);
  if (!l.scope.empty()) (*out)[1] = Leaf::String("scope", l.scope);
  if (!l.release.empty()) (*out)[2] = Leaf::String("release", l.release);
}

// Appends the changes between one part on the two sides (null: the part is absent there).
// `prefix` builds the path up to the leaf name, only when a leaf differs.
template <typename Part, typename PrefixFn>
void DiffPart(const Part* before, const Part* after, void (*leaves)(const Part&, Leaves*),
              PrefixFn prefix, std::vector<Change>* out) {
  if (before == nullptr && after == nullptr) return;
  Leaves b, a;
  if (before) leaves(*before, &b);
  if (after) leaves(*after, &a);
  std::string path_prefix;
  bool have_prefix = false;
  for (size_t i = 0; i < kMaxLeaves; ++i) {
    if (b[i].SameValue(a[i])) continue;
    if (!have_prefix) {
      path_prefix = prefix();
      have_prefix = true;
    }
    const std::string_view name = b[i].kind != Leaf::kAbsent ? b[i].name : a[i].name;
    std::string path = path_prefix;
    path.append(name.data(), name.size());
    out->push_back(Change{std::move(path), b[i].Json(), a[i].Json(), b[i].Text(), a[i].Text()});
  }
}

// A part that is one leaf at `path` (phase, chosen_partner, facts.<key>).
void DiffLeaf(const std::string* before, const std::string* after, std::string path,
              std::vector<Change>* out) {
  Leaf b, a;
  if (before) b = Leaf::String("", *before);
  if (after) a = Leaf::String("", *after);
  if (b.SameValue(a)) return;
  out->push_back(Change{std::move(path), b.Json(), a.Json(), b.Text(), a.Text()});
}

template <typename T>
const T* Get(const std::optional<T>& v) {
  return v ? &*v : nullptr;
}

template <typename T>
const T* At(const std::vector<T>& v, size_t i) {
  return i < v.size() ? &v[i] : nullptr;
}

template <typename V>
const V* Find(const std::map<std::string, V>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

const LaunchTargetEntry* CurrentTarget(const State& s) {
  return s.launch_target ? &s.launch_target->current : nullptr;
}

const LaunchTargetEntry* PreviousTarget(const State& s, size_t i) {
  return s.launch_target ? At(s.launch_target->previous, i) : nullptr;
}

std::string PartnerPrefix(const std::string& name) { return "partners." + name + "."; }
std::string SubmissionPrefix(size_t i) { return "submissions." + std::to_string(i) + "."; }
std::string PreviousPrefix(size_t i) {
  return "launch_target.previous." + std::to_string(i) + ".";
}

void SortByPath(std::vector<Change>* changes) {
  PathLess less;
  std::sort(changes->begin(), changes->end(),
            [&](const Change& x, const Change& y) { return less(x.path, y.path); });
}

bool IsNumber(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
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

ScopedParts CopyScope(const State& state, const DiffScope& scope) {
  ScopedParts parts;
  parts.phase = state.phase;
  if (scope.chosen_partner) parts.chosen_partner = state.chosen_partner;
  for (const auto& name : scope.partners) {
    const PartnerState* p = Find(state.partners, name);
    parts.partners.push_back(p ? std::optional<PartnerState>(*p) : std::nullopt);
  }
  for (size_t i : scope.submissions) {
    const Submission* s = At(state.submissions, i);
    parts.submissions.push_back(s ? std::optional<Submission>(*s) : std::nullopt);
  }
  if (scope.launch_target && state.launch_target) {
    parts.launch_target = state.launch_target->current;
  }
  for (size_t i : scope.previous_targets) {
    const LaunchTargetEntry* e = PreviousTarget(state, i);
    parts.previous_targets.push_back(e ? std::optional<LaunchTargetEntry>(*e) : std::nullopt);
  }
  if (scope.launched) parts.launched = state.launched;
  for (const auto& key : scope.facts) {
    const std::string* v = Find(state.facts, key);
    parts.facts.push_back(v ? std::optional<std::string>(*v) : std::nullopt);
  }
  return parts;
}

std::vector<Change> ChangesInScope(const ScopedParts& before, const State& after,
                                   const DiffScope& scope) {
  std::vector<Change> changes;
  DiffLeaf(&before.phase, &after.phase, "phase", &changes);
  if (scope.chosen_partner) {
    DiffLeaf(Get(before.chosen_partner), Get(after.chosen_partner), "chosen_partner",
             &changes);
  }
  for (size_t i = 0; i < scope.partners.size(); ++i) {
    const std::string& name = scope.partners[i];
    DiffPart(Get(before.partners[i]), Find(after.partners, name), PartnerLeaves,
             [&] { return PartnerPrefix(name); }, &changes);
  }
  for (size_t i = 0; i < scope.submissions.size(); ++i) {
    const size_t n = scope.submissions[i];
    DiffPart(Get(before.submissions[i]), At(after.submissions, n), SubmissionLeaves,
             [&] { return SubmissionPrefix(n); }, &changes);
  }
  if (scope.launch_target) {
    DiffPart(Get(before.launch_target), CurrentTarget(after), TargetEntryLeaves,
             [] { return std::string("launch_target."); }, &changes);
  }
  for (size_t i = 0; i < scope.previous_targets.size(); ++i) {
    const size_t n = scope.previous_targets[i];
    DiffPart(Get(before.previous_targets[i]), PreviousTarget(after, n), TargetEntryLeaves,
             [&] { return PreviousPrefix(n); }, &changes);
  }
  if (scope.launched) {
    DiffPart(Get(before.launched), Get(after.launched), LaunchedLeaves,
             [] { return std::string("launched."); }, &changes);
  }
  for (size_t i = 0; i < scope.facts.size(); ++i) {
    const std::string& key = scope.facts[i];
    DiffLeaf(Get(before.facts[i]), Find(after.facts, key), "facts." + key, &changes);
  }
  SortByPath(&changes);
  return changes;
}

namespace {

// Every part of either state: the scope DiffStates compares.
DiffScope WholeScope(const State& before, const State& after) {
  DiffScope scope;
  scope.chosen_partner = scope.launch_target = scope.launched = true;
  auto keys = [](const auto& b, const auto& a, std::vector<std::string>* out) {
    for (const auto& [k, v] : b) out->push_back(k);
    for (const auto& [k, v] : a) {
      if (b.find(k) == b.end()) out->push_back(k);
    }
  };
  keys(before.partners, after.partners, &scope.partners);
  keys(before.facts, after.facts, &scope.facts);
  for (size_t i = 0; i < std::max(before.submissions.size(), after.submissions.size()); ++i) {
    scope.submissions.push_back(i);
  }
  auto previous = [](const State& s) {
    return s.launch_target ? s.launch_target->previous.size() : 0;
  };
  for (size_t i = 0; i < std::max(previous(before), previous(after)); ++i) {
    scope.previous_targets.push_back(i);
  }
  return scope;
}

}  // namespace

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
  Member(&out, "phase", JsonQuote(phase));
  std::string p = "{";
  for (const auto& [name, partner] : partners) {
    Member(&p, name.c_str(), internal::PartnerJson(partner));
  }
  Member(&out, "partners", p + "}");
  Member(&out, "chosen_partner", internal::OptString(chosen_partner));
  std::string subs = "[";
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (i) subs += ",";
    subs += internal::SubmissionJson(submissions[i]);
  }
  Member(&out, "submissions", subs + "]");
  if (launch_target) {
    std::string prev = "[";
    for (size_t i = 0; i < launch_target->previous.size(); ++i) {
      if (i) prev += ",";
      prev += internal::TargetEntryJson(launch_target->previous[i], nullptr);
    }
    prev += "]";
    Member(&out, "launch_target", internal::TargetEntryJson(launch_target->current, &prev));
  } else {
    Member(&out, "launch_target", "null");
  }
  if (launched) {
    std::string l = "{";
    Member(&l, "on", JsonQuote(launched->on));
    Member(&l, "scope", JsonQuote(launched->scope));
    Member(&l, "release", JsonQuote(launched->release));
    Member(&out, "launched", l + "}");
  } else {
    Member(&out, "launched", "null");
  }
  std::string f = "{";
  for (const auto& [key, value] : facts) Member(&f, key.c_str(), JsonQuote(value));
  Member(&out, "facts", f + "}");
  Member(&out, "events_applied", std::to_string(events_applied));
  Member(&out, "tentative", internal::StringArray(tentative));
  return out + "}";
}

std::vector<Change> DiffStates(const State& before, const State& after) {
  const internal::DiffScope scope = internal::WholeScope(before, after);
  return internal::ChangesInScope(internal::CopyScope(before, scope), after, scope);
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
  using SEvent = schema::Event;
  auto s = [](capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); };
  auto paren = [](const std::string& t) { return t.empty() ? "" : " (" + t + ")"; };
  const auto r = event.rep().reader();
  switch (r.which()) {
    case SEvent::PARTNER_TALKS: {
      auto d = r.getPartnerTalks();
      static const char* kStatus[] = {"opened", "ongoing", "stalled", "ended"};
      return s(d.getPartner()) + ": talks " + kStatus[static_cast<int>(d.getStatus()) & 3] +
             paren(s(d.getReason()));
    }
    case SEvent::PARTNER_CHOSEN: {
      auto d = r.getPartnerChosen();
      return s(d.getPartner()) + " chosen" + paren(s(d.getRole()));
    }
    case SEvent::SUBMISSION_FILED: {
      auto d = r.getSubmissionFiled();
      std::vector<std::string> with;
      for (auto w : d.getWith()) with.push_back(s(w));
      std::string out = s(d.getRegulator()) + ": filed";
      if (d.hasScope() && d.getScope().size()) out += " \"" + s(d.getScope()) + "\"";
      if (!with.empty()) out += " with " + internal::Join(with);
      return out;
    }
    case SEvent::SUBMISSION_DECIDED: {
      auto d = r.getSubmissionDecided();
      static const char* kDecision[] = {"approved", "rejected", "conditional", "?"};
      return s(d.getRegulator()) + ": " + kDecision[static_cast<int>(d.getDecision()) & 3] +
             paren(s(d.getConditions()));
    }
    case SEvent::LAUNCH_TARGET_SET: {
      auto d = r.getLaunchTargetSet();
      std::string detail = s(d.getScope());
      if (d.getInternal()) detail += detail.empty() ? "internal" : ", internal";
      return "target " + s(d.getTarget()) + paren(detail);
    }
    case SEvent::LAUNCHED: {
      auto d = r.getLaunched();
      std::string detail = s(d.getRelease());
      return "launched" + (d.getScope().size() ? " " + s(d.getScope()) : "") + paren(detail);
    }
    case SEvent::FACT: {
      auto d = r.getFact();
      if (d.getValue().size() == 0) return s(d.getKey()) + " removed";
      return s(d.getKey()) + " = " + s(d.getValue());
    }
    case SEvent::NOTE:
      return s(r.getNote().getText());
    case SEvent::CORRECTION: {
      auto d = r.getCorrection();
      std::string out = "corrects " + s(d.getTarget()) + ":";
      if (d.hasEffective()) out += " effective " + s(d.getEffective());
      if (d.hasData()) {
        auto text = internal::RawCodec().encodeRaw(d.getData());
        out += " data " + std::string(text.cStr(), text.size());
      }
      return out + paren(s(d.getReason()));
    }
    case SEvent::RETRACTION: {
      auto d = r.getRetraction();
      return "retracts " + s(d.getTarget()) + paren(s(d.getReason()));
    }
  }
  return "";
}

}  // namespace annals
