// Copyright annals authors.
//
// The field-level diffs of the deal oracle (deal_oracle.h): DiffDealStates compares two
// states leaf by leaf, as annals did before vocabularies.

#include "deal_oracle.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json_text.h"

namespace annals {
namespace test {

using internal::JsonQuote;

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// ---- leaves and field-level diffs ----------------------------------------------------
//
// A state is compared leaf by leaf: each part of it (a partner, a submission, a launch
// target...) lists its leaves once, below, in a fixed order of slots; a diff walks the
// slots of the two sides and builds a path and the JSON of a value only for a leaf that
// differs.  Nothing is built for the leaves that stay the same, which are most of them
// when a replay diffs the part one event touched.

// One leaf of a part, by reference into the DealState it was read from.
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
      case kList: return JsonStringArray(*list);
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

const LaunchTargetEntry* CurrentTarget(const DealState& s) {
  return s.launch_target ? &s.launch_target->current : nullptr;
}

const LaunchTargetEntry* PreviousTarget(const DealState& s, size_t i) {
  return s.launch_target ? At(s.launch_target->previous, i) : nullptr;
}

std::string PartnerPrefix(const std::string& name) { return "partners." + name + "."; }
std::string SubmissionPrefix(size_t i) { return "submissions." + std::to_string(i) + "."; }
std::string PreviousPrefix(size_t i) {
  return "launch_target.previous." + std::to_string(i) + ".";
}

void SortByPathRef(std::vector<Change>* changes) {
  internal::PathLess less;
  std::sort(changes->begin(), changes->end(),
            [&](const Change& x, const Change& y) { return less(x.path, y.path); });
}


ScopedParts CopyScope(const DealState& state, const DiffScope& scope) {
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

std::vector<Change> ChangesInScope(const ScopedParts& before, const DealState& after,
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
  SortByPathRef(&changes);
  return changes;
}

// Every part of either state: the scope DiffStates compares.
DiffScope WholeScope(const DealState& before, const DealState& after) {
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
  auto previous = [](const DealState& s) {
    return s.launch_target ? s.launch_target->previous.size() : 0;
  };
  for (size_t i = 0; i < std::max(previous(before), previous(after)); ++i) {
    scope.previous_targets.push_back(i);
  }
  return scope;
}

}  // namespace

std::vector<Change> DiffDealStates(const DealState& before, const DealState& after) {
  const DiffScope scope = WholeScope(before, after);
  return ChangesInScope(CopyScope(before, scope), after, scope);
}

}  // namespace test
}  // namespace annals
