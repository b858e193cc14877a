// Copyright annals authors.
//
// The JSON of the deal oracle (deal_oracle.h), both ways: DealState::ToJson writes the
// state JSON annals had before vocabularies, and FromState reads the engine's state JSON
// back into a DealState.

#include "deal_oracle.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codec/json_parse.h"
#include "util/json_text.h"

namespace annals {
namespace test {

using internal::JsonQuote;

namespace {

std::string OptString(const std::optional<std::string>& s) {
  return s ? JsonQuote(*s) : "null";
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
  if (!s.with.empty()) Member(&out, "with", JsonStringArray(s.with));
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

}  // namespace

std::string JsonStringArray(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    out += JsonQuote(v[i]);
  }
  return out + "]";
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
  Member(&out, "tentative", JsonStringArray(tentative));
  return out + "}";
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
