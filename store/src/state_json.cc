// Copyright annals authors.
//
// The JSON shapes of query results (SPEC §3-4), field-level diffs of states, and one-line
// event summaries.
//
// Output is compact JSON, as the event export is.  Strings are quoted by Cap'n Proto's
// JsonCodec; the shapes themselves are fixed, so they are assembled here directly.
//
// State JSON rules (one place, shared by ToJson and the flattening used by diffs):
//   partners.<p>:      status, since; reason and role only when non-empty
//   submissions.<i>:   regulator, filed (null when a decision came without a filing),
//                      scope, status; with, decided, conditions only when non-empty
//   launch_target:     target, scope, set, previous (array of the same shape);
//                      internal only when true
//   launched:          on, scope, release
// Flattened paths for diffs use the same names; a leaf that is absent on one side is
// null there.  Empty optional strings are not leaves, so "" never shows up as a change.

#include <capnp/compat/json.h>

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

// ---- flattening ----------------------------------------------------------------------

void PutString(FlatState* out, const std::string& path, const std::string& v) {
  (*out)[path] = FlatValue{JsonQuote(v), v};
}

void PutIfSet(FlatState* out, const std::string& path, const std::string& v) {
  if (!v.empty()) PutString(out, path, v);
}

void FlattenPartner(const State& state, const std::string& name, FlatState* out) {
  auto it = state.partners.find(name);
  if (it == state.partners.end()) return;
  const std::string prefix = "partners." + name + ".";
  PutString(out, prefix + "status", it->second.status);
  PutString(out, prefix + "since", it->second.since);
  PutIfSet(out, prefix + "reason", it->second.reason);
  PutIfSet(out, prefix + "role", it->second.role);
}

void FlattenSubmission(const State& state, size_t i, FlatState* out) {
  if (i >= state.submissions.size()) return;
  const Submission& s = state.submissions[i];
  const std::string prefix = "submissions." + std::to_string(i) + ".";
  PutString(out, prefix + "regulator", s.regulator);
  if (s.filed) PutString(out, prefix + "filed", *s.filed);
  PutIfSet(out, prefix + "scope", s.scope);
  if (!s.with.empty()) (*out)[prefix + "with"] = FlatValue{StringArray(s.with), Join(s.with)};
  PutString(out, prefix + "status", s.status);
  PutIfSet(out, prefix + "decided", s.decided);
  PutIfSet(out, prefix + "conditions", s.conditions);
}

void FlattenTargetEntry(const LaunchTargetEntry& e, const std::string& prefix, FlatState* out) {
  PutString(out, prefix + "target", e.target);
  PutIfSet(out, prefix + "scope", e.scope);
  PutString(out, prefix + "set", e.set);
  if (e.internal) (*out)[prefix + "internal"] = FlatValue{"true", "true"};
}

void FlattenPrevious(const State& state, size_t i, FlatState* out) {
  if (!state.launch_target || i >= state.launch_target->previous.size()) return;
  FlattenTargetEntry(state.launch_target->previous[i],
                     "launch_target.previous." + std::to_string(i) + ".", out);
}

void FlattenLaunched(const State& state, FlatState* out) {
  if (!state.launched) return;
  PutString(out, "launched.on", state.launched->on);
  PutIfSet(out, "launched.scope", state.launched->scope);
  PutIfSet(out, "launched.release", state.launched->release);
}

void FlattenFact(const State& state, const std::string& key, FlatState* out) {
  auto it = state.facts.find(key);
  if (it != state.facts.end()) PutString(out, "facts." + key, it->second);
}

void FlattenHead(const State& state, FlatState* out) {
  PutString(out, "phase", state.phase);
}

void FlattenChosen(const State& state, FlatState* out) {
  if (state.chosen_partner) PutString(out, "chosen_partner", *state.chosen_partner);
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

void FlattenState(const State& state, FlatState* out) {
  FlattenHead(state, out);
  FlattenChosen(state, out);
  for (const auto& [name, p] : state.partners) FlattenPartner(state, name, out);
  for (size_t i = 0; i < state.submissions.size(); ++i) FlattenSubmission(state, i, out);
  if (state.launch_target) {
    FlattenTargetEntry(state.launch_target->current, "launch_target.", out);
    for (size_t i = 0; i < state.launch_target->previous.size(); ++i) {
      FlattenPrevious(state, i, out);
    }
  }
  FlattenLaunched(state, out);
  for (const auto& [key, value] : state.facts) FlattenFact(state, key, out);
}

void FlattenScope(const State& state, const DiffScope& scope, FlatState* out) {
  FlattenHead(state, out);
  if (scope.chosen_partner) FlattenChosen(state, out);
  for (const auto& name : scope.partners) FlattenPartner(state, name, out);
  for (size_t i : scope.submissions) FlattenSubmission(state, i, out);
  if (scope.launch_target && state.launch_target) {
    FlattenTargetEntry(state.launch_target->current, "launch_target.", out);
  }
  if (scope.previous_target) FlattenPrevious(state, *scope.previous_target, out);
  if (scope.launched) FlattenLaunched(state, out);
  for (const auto& key : scope.facts) FlattenFact(state, key, out);
}

std::vector<Change> DiffFlat(const FlatState& before, const FlatState& after) {
  static const FlatValue kNull{"null", "-"};
  std::vector<Change> changes;
  auto b = before.begin();
  auto a = after.begin();
  PathLess less;
  while (b != before.end() || a != after.end()) {
    const std::string* path;
    const FlatValue* from = &kNull;
    const FlatValue* to = &kNull;
    if (a == after.end() || (b != before.end() && less(b->first, a->first))) {
      path = &b->first;
      from = &(b++)->second;
    } else if (b == before.end() || less(a->first, b->first)) {
      path = &a->first;
      to = &(a++)->second;
    } else {
      path = &a->first;
      from = &(b++)->second;
      to = &(a++)->second;
    }
    if (from->json == to->json) continue;
    changes.push_back(Change{*path, from->json, to->json, from->text, to->text});
  }
  return changes;
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
  internal::FlatState b, a;
  internal::FlattenState(before, &b);
  internal::FlattenState(after, &a);
  return internal::DiffFlat(b, a);
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
