// Copyright annals authors.
//
// The oracle of the deal vocabulary (deal_oracle.h): the fold, JSON and diffs annals had
// before vocabularies, with partner_chosen keeping the partner's reason.

#include "deal_oracle.h"

#include <capnp/compat/json.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "codec/event_rep.h"
#include "codec/json_parse.h"
#include "util/json_text.h"

namespace annals {
namespace test {

using internal::JsonQuote;

namespace {

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

const char* TalksStatusName(schema::TalksStatus s) {
  switch (s) {
    case schema::TalksStatus::OPENED: return "opened";
    case schema::TalksStatus::ONGOING: return "ongoing";
    case schema::TalksStatus::STALLED: return "stalled";
    case schema::TalksStatus::ENDED: return "ended";
  }
  return "opened";
}

const char* DecisionName(schema::Decision d) {
  switch (d) {
    case schema::Decision::APPROVED: return "approved";
    case schema::Decision::REJECTED: return "rejected";
    case schema::Decision::CONDITIONAL: return "conditional";
  }
  return "approved";
}


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

// ---- DealFold -----------------------------------------------------------------

DealFold::DealFold(DealState state) : state_(std::move(state)) {
  // The derived indexes: a regulator's latest submission is its last one in the list,
  // since Apply only ever appends submissions.
  for (size_t i = 0; i < state_.submissions.size(); ++i) {
    ++submission_status_counts_[state_.submissions[i].status];
    latest_submission_[state_.submissions[i].regulator] = i;
  }
  UpdatePhase();
}

void DealFold::Apply(const Event& event) {
  const schema::Event::Reader r = event.rep().reader();
  const std::string& when = event.effective().text;
  switch (r.which()) {
    case schema::Event::PARTNER_TALKS: {
      auto d = r.getPartnerTalks();
      const std::string partner = Str(d.getPartner());
      PartnerState p;
      p.status = TalksStatusName(d.getStatus());
      p.since = when;
      p.reason = Str(d.getReason());
      state_.partners[partner] = std::move(p);
      if (d.getStatus() == schema::TalksStatus::ENDED && state_.chosen_partner == partner) {
        state_.chosen_partner.reset();
      }
      break;
    }
    case schema::Event::PARTNER_CHOSEN: {
      auto d = r.getPartnerChosen();
      const std::string partner = Str(d.getPartner());
      if (state_.chosen_partner && *state_.chosen_partner != partner) {
        PartnerState& old = state_.partners[*state_.chosen_partner];
        old.status = "dropped";
        old.since = when;
      }
      PartnerState& p = state_.partners[partner];  // keeps its reason
      p.status = "chosen";
      p.since = when;
      p.role = Str(d.getRole());
      state_.chosen_partner = partner;
      break;
    }
    case schema::Event::SUBMISSION_FILED: {
      auto d = r.getSubmissionFiled();
      Submission s;
      s.regulator = Str(d.getRegulator());
      s.filed = when;
      s.scope = Str(d.getScope());
      for (auto w : d.getWith()) s.with.push_back(Str(w));
      s.status = "pending";
      ++submission_status_counts_[s.status];
      latest_submission_[s.regulator] = state_.submissions.size();
      state_.submissions.push_back(std::move(s));
      break;
    }
    case schema::Event::SUBMISSION_DECIDED: {
      auto d = r.getSubmissionDecided();
      const std::string regulator = Str(d.getRegulator());
      const std::string decision = DecisionName(d.getDecision());
      auto it = latest_submission_.find(regulator);
      if (it == latest_submission_.end()) {
        // History may arrive late: the decision stands for a filing not yet recorded.
        Submission s;
        s.regulator = regulator;
        latest_submission_[regulator] = state_.submissions.size();
        state_.submissions.push_back(std::move(s));
        it = latest_submission_.find(regulator);
      } else {
        --submission_status_counts_[state_.submissions[it->second].status];
      }
      Submission& s = state_.submissions[it->second];
      s.status = decision;
      s.decided = when;
      s.conditions = Str(d.getConditions());
      ++submission_status_counts_[decision];
      break;
    }
    case schema::Event::LAUNCH_TARGET_SET: {
      auto d = r.getLaunchTargetSet();
      LaunchTargetEntry entry;
      entry.target = Str(d.getTarget());
      entry.scope = Str(d.getScope());
      entry.set = when;
      entry.internal = d.getInternal();
      if (state_.launch_target) {
        state_.launch_target->previous.push_back(std::move(state_.launch_target->current));
        state_.launch_target->current = std::move(entry);
      } else {
        state_.launch_target = LaunchTarget{std::move(entry), {}};
      }
      break;
    }
    case schema::Event::LAUNCHED: {
      auto d = r.getLaunched();
      state_.launched = LaunchedState{when, Str(d.getScope()), Str(d.getRelease())};
      break;
    }
    case schema::Event::FACT: {
      auto d = r.getFact();
      std::string key = Str(d.getKey());
      if (d.getValue().size() == 0) {
        state_.facts.erase(key);
      } else {
        state_.facts[key] = Str(d.getValue());
      }
      break;
    }
    case schema::Event::NOTE:
    case schema::Event::CORRECTION:
    case schema::Event::RETRACTION:
    case schema::Event::CUSTOM:
    case schema::Event::VOCABULARY:
      break;
  }
  UpdatePhase();
}

void DealFold::UpdatePhase() {
  auto count = [&](const char* status) {
    auto it = submission_status_counts_.find(status);
    return it == submission_status_counts_.end() ? 0 : it->second;
  };
  if (state_.launched) {
    state_.phase = "launched";
  } else if (count("approved") + count("conditional") > 0) {
    state_.phase = "approved";
  } else if (count("pending") > 0) {
    state_.phase = "submitted";
  } else if (count("rejected") > 0) {
    state_.phase = "rejected";
  } else if (state_.chosen_partner) {
    state_.phase = "partner_chosen";
  } else if (!state_.partners.empty()) {
    state_.phase = "exploring";
  } else {
    state_.phase = "none";
  }
}

std::string DealState::ToJson() const {
    std::string out = "{";
  Member(&out, "stream", JsonQuote(stream));
  Member(&out, "as_of", as_of.empty() ? "null" : JsonQuote(as_of));
  Member(&out, "known_at", known_at.empty() ? "null" : JsonQuote(known_at));
  Member(&out, "phase", JsonQuote(phase));
  std::string p = "{";
  for (const auto& [name, partner] : partners) {
    Member(&p, name.c_str(), PartnerJson(partner));
  }
  Member(&out, "partners", p + "}");
  Member(&out, "chosen_partner", OptString(chosen_partner));
  std::string subs = "[";
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (i) subs += ",";
    subs += SubmissionJson(submissions[i]);
  }
  Member(&out, "submissions", subs + "]");
  if (launch_target) {
    std::string prev = "[";
    for (size_t i = 0; i < launch_target->previous.size(); ++i) {
      if (i) prev += ",";
      prev += TargetEntryJson(launch_target->previous[i], nullptr);
    }
    prev += "]";
    Member(&out, "launch_target", TargetEntryJson(launch_target->current, &prev));
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
  Member(&out, "tentative", StringArray(tentative));
  return out + "}";
}

std::vector<Change> DiffDealStates(const DealState& before, const DealState& after) {
  const DiffScope scope = WholeScope(before, after);
  return ChangesInScope(CopyScope(before, scope), after, scope);
}


// ---- reading the engine's state back -------------------------------------------------------

namespace {

using JsonReader = capnp::JsonValue::Reader;

kj::Maybe<JsonReader> MemberOf(JsonReader obj, const char* name) {
  if (!obj.isObject()) return nullptr;
  for (auto f : obj.getObject()) {
    if (f.getName() == name) return f.getValue();
  }
  return nullptr;
}

std::string TextOf(JsonReader obj, const char* name) {
  KJ_IF_MAYBE(v, MemberOf(obj, name)) {
    if (v->isString()) return v->getString().cStr();
  }
  return "";
}

std::optional<std::string> OptTextOf(JsonReader obj, const char* name) {
  KJ_IF_MAYBE(v, MemberOf(obj, name)) {
    if (v->isString()) return std::string(v->getString().cStr());
  }
  return std::nullopt;
}

bool TrueOf(JsonReader obj, const char* name) {
  KJ_IF_MAYBE(v, MemberOf(obj, name)) { return v->isBoolean() && v->getBoolean(); }
  return false;
}

LaunchTargetEntry EntryOf(JsonReader e) {
  return LaunchTargetEntry{TextOf(e, "target"), TextOf(e, "scope"), TextOf(e, "set"),
                           TrueOf(e, "internal")};
}

}  // namespace

DealState FromState(const State& state) {
  DealState d;
  d.stream = state.stream;
  d.as_of = state.as_of;
  d.known_at = state.known_at;
  d.facts = state.facts;
  d.events_applied = state.events_applied;
  d.tentative = state.tentative;
  d.phase = "none";
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::JsonValue>();
  Status s = internal::ParseJson(state.ToJson(), root);
  if (!s.ok()) return d;
  const JsonReader j = root.asReader();
  if (!state.rep) return d;
  d.phase = TextOf(j, "phase");
  KJ_IF_MAYBE(partners, MemberOf(j, "partners")) {
    for (auto f : partners->getObject()) {
      const JsonReader p = f.getValue();
      d.partners[f.getName().cStr()] =
          PartnerState{TextOf(p, "status"), TextOf(p, "since"), TextOf(p, "reason"),
                       TextOf(p, "role")};
    }
  }
  d.chosen_partner = OptTextOf(j, "chosen_partner");
  KJ_IF_MAYBE(subs, MemberOf(j, "submissions")) {
    for (auto sub : subs->getArray()) {
      Submission x;
      x.regulator = TextOf(sub, "regulator");
      x.filed = OptTextOf(sub, "filed");
      x.scope = TextOf(sub, "scope");
      KJ_IF_MAYBE(with, MemberOf(sub, "with")) {
        for (auto w : with->getArray()) x.with.push_back(w.getString().cStr());
      }
      x.status = TextOf(sub, "status");
      x.decided = TextOf(sub, "decided");
      x.conditions = TextOf(sub, "conditions");
      d.submissions.push_back(std::move(x));
    }
  }
  KJ_IF_MAYBE(lt, MemberOf(j, "launch_target")) {
    if (lt->isObject()) {
      LaunchTarget t;
      t.current = EntryOf(*lt);
      KJ_IF_MAYBE(prev, MemberOf(*lt, "previous")) {
        for (auto e : prev->getArray()) t.previous.push_back(EntryOf(e));
      }
      d.launch_target = std::move(t);
    }
  }
  KJ_IF_MAYBE(l, MemberOf(j, "launched")) {
    if (l->isObject()) {
      d.launched = LaunchedState{TextOf(*l, "on"), TextOf(*l, "scope"), TextOf(*l, "release")};
    }
  }
  return d;
}

}  // namespace test
}  // namespace annals
