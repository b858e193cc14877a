// Copyright annals authors.
//
// The naive oracle of naive_oracle.h: the model's JSON lines, the re-fold, the reference
// leaves and diffs, and the description of a state.

#include "naive_oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "annals/fuzzy_date.h"
#include "test_util.h"

namespace annals {
namespace test {
namespace {

std::string Quote(const std::string& s) { return "\"" + s + "\""; }  // model text is plain

const std::string& Field(const ModelEvent& e, const std::string& k) {
  static const std::string kEmpty;
  auto it = e.fields.find(k);
  return it == e.fields.end() ? kEmpty : it->second;
}

// The leaves of a state as diffs see them (state_json.cc's rules, written out again):
// path -> JSON value.  Optional strings that are empty are not leaves.
std::map<std::string, std::string> ReferenceLeaves(const DealState& s) {
  std::map<std::string, std::string> out;
  auto put = [&](const std::string& path, const std::string& v) { out[path] = Quote(v); };
  auto put_if = [&](const std::string& path, const std::string& v) {
    if (!v.empty()) put(path, v);
  };
  put("phase", s.phase);
  if (s.chosen_partner) put("chosen_partner", *s.chosen_partner);
  for (const auto& [name, p] : s.partners) {
    const std::string at = "partners." + name + ".";
    put(at + "status", p.status);
    put(at + "since", p.since);
    put_if(at + "reason", p.reason);
    put_if(at + "role", p.role);
  }
  for (size_t i = 0; i < s.submissions.size(); ++i) {
    const Submission& sub = s.submissions[i];
    const std::string at = "submissions." + std::to_string(i) + ".";
    put(at + "regulator", sub.regulator);
    if (sub.filed) put(at + "filed", *sub.filed);
    put_if(at + "scope", sub.scope);
    if (!sub.with.empty()) {
      std::string list;
      for (const auto& w : sub.with) list += (list.empty() ? "" : ",") + Quote(w);
      out[at + "with"] = "[" + list + "]";
    }
    put(at + "status", sub.status);
    put_if(at + "decided", sub.decided);
    put_if(at + "conditions", sub.conditions);
  }
  auto entry = [&](const std::string& at, const LaunchTargetEntry& e) {
    put(at + "target", e.target);
    put_if(at + "scope", e.scope);
    put(at + "set", e.set);
    if (e.internal) out[at + "internal"] = "true";
  };
  if (s.launch_target) {
    entry("launch_target.", s.launch_target->current);
    for (size_t i = 0; i < s.launch_target->previous.size(); ++i) {
      entry("launch_target.previous." + std::to_string(i) + ".", s.launch_target->previous[i]);
    }
  }
  if (s.launched) {
    put("launched.on", s.launched->on);
    put_if("launched.scope", s.launched->scope);
    put_if("launched.release", s.launched->release);
  }
  for (const auto& [key, value] : s.facts) put("facts." + key, value);
  return out;
}

}  // namespace

// ---- the model of an event ----------------------------------------------------------

std::string ToJsonLine(const ModelEvent& e) {
  std::string out = "{\"id\":" + Quote(e.id) + ",\"stream\":" + Quote(e.stream) +
                    ",\"type\":" + Quote(e.type);
  if (!e.meta()) out += ",\"effective\":" + Quote(e.effective);
  out += ",\"data\":{";
  bool first = true;
  auto member = [&](const std::string& k, const std::string& v) {
    out += (first ? "" : ",") + Quote(k) + ":" + v;
    first = false;
  };
  if (e.type == "correction") {
    member("target", Quote(e.target));
    if (e.new_effective) member("effective", Quote(*e.new_effective));
    if (!e.new_fields.empty()) {
      std::string d = "{";
      for (const auto& [k, v] : e.new_fields) {
        d += (d.size() > 1 ? "," : "") + Quote(k) + ":" + Quote(v);
      }
      member("data", d + "}");
    }
    member("reason", Quote("fix"));
  } else if (e.type == "retraction") {
    member("target", Quote(e.target));
    member("reason", Quote("wrong"));
  } else {
    for (const auto& [k, v] : e.fields) member(k, Quote(v));
    if (!e.with.empty()) {
      std::string w = "[";
      for (size_t i = 0; i < e.with.size(); ++i) w += (i ? "," : "") + Quote(e.with[i]);
      member("with", w + "]");
    }
    if (e.internal) member("internal", "true");
  }
  return out + "}}";
}

// ---- the naive oracle ---------------------------------------------------------------

OracleResult Oracle(const std::vector<ModelEvent>& log, const std::string& stream, int64_t v,
                    uint64_t n) {
  OracleResult r;
  // 1. The events known at n, each as corrected by the corrections known at n.
  std::vector<ModelEvent> views;
  std::map<std::string, size_t> index;
  std::set<std::string> hidden, corrected;
  for (const auto& e : log) {
    if (e.seq > n || e.stream != stream) continue;
    r.exists = true;
    if (!e.meta()) {
      index[e.id] = views.size();
      views.push_back(e);
    } else if (e.type == "retraction") {
      hidden.insert(e.target);
    } else if (!hidden.count(e.target)) {
      ModelEvent& t = views[index.at(e.target)];
      if (e.new_effective) t.effective = *e.new_effective;
      for (const auto& [k, val] : e.new_fields) t.fields[k] = val;
      corrected.insert(e.target);
    }
  }
  // 2. Visible ones in valid-time order, earliest <= v.
  struct Item {
    int64_t earliest, latest;
    const ModelEvent* e;
  };
  std::vector<Item> items;
  for (const auto& e : views) {
    if (hidden.count(e.id)) continue;
    auto d = ParseFuzzyDate(e.effective);
    EXPECT_TRUE(d.ok()) << e.effective;
    if (d->earliest > v) continue;
    items.push_back(Item{d->earliest, d->latest, &e});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.earliest != b.earliest ? a.earliest < b.earliest : a.e->seq < b.e->seq;
  });
  // 3. Fold.
  DealState& s = r.state;
  for (const Item& it : items) {
    const ModelEvent& e = *it.e;
    const std::string& when = e.effective;
    if (e.type == "partner_talks") {
      const std::string& p = Field(e, "partner");
      s.partners[p] = PartnerState{Field(e, "status"), when, Field(e, "reason"), ""};
      if (Field(e, "status") == "ended" && s.chosen_partner == p) s.chosen_partner.reset();
    } else if (e.type == "partner_chosen") {
      const std::string& p = Field(e, "partner");
      if (s.chosen_partner && *s.chosen_partner != p) {
        s.partners[*s.chosen_partner].status = "dropped";
        s.partners[*s.chosen_partner].since = when;
      }
      PartnerState& chosen = s.partners[p];  // keeps its reason
      chosen.status = "chosen";
      chosen.since = when;
      chosen.role = Field(e, "role");
      s.chosen_partner = p;
    } else if (e.type == "submission_filed") {
      Submission sub;
      sub.regulator = Field(e, "regulator");
      sub.filed = when;
      sub.scope = Field(e, "scope");
      sub.with = e.with;
      sub.status = "pending";
      s.submissions.push_back(sub);
    } else if (e.type == "submission_decided") {
      Submission* target = nullptr;
      for (auto& sub : s.submissions) {
        if (sub.regulator == Field(e, "regulator")) target = &sub;
      }
      if (target == nullptr) {
        s.submissions.push_back(Submission());
        target = &s.submissions.back();
        target->regulator = Field(e, "regulator");
      }
      target->status = Field(e, "decision");
      target->decided = when;
      target->conditions = Field(e, "conditions");
    } else if (e.type == "launch_target_set") {
      LaunchTargetEntry entry{Field(e, "target"), Field(e, "scope"), when, e.internal};
      if (s.launch_target) {
        s.launch_target->previous.push_back(s.launch_target->current);
        s.launch_target->current = entry;
      } else {
        s.launch_target = LaunchTarget{entry, {}};
      }
    } else if (e.type == "launched") {
      s.launched = LaunchedState{when, Field(e, "scope"), Field(e, "release")};
    } else if (e.type == "fact") {
      if (Field(e, "value").empty()) {
        s.facts.erase(Field(e, "key"));
      } else {
        s.facts[Field(e, "key")] = Field(e, "value");
      }
    }
    ++s.events_applied;
    const bool tentative = it.latest > v;
    if (tentative) s.tentative.push_back(e.id);
    r.history.push_back(e.id + " " + e.effective + (corrected.count(e.id) ? " corrected" : "") +
                        (tentative ? " tentative" : ""));
  }
  auto any = [&](const char* status) {
    for (const auto& sub : s.submissions) {
      if (sub.status == status) return true;
    }
    return false;
  };
  if (s.launched) {
    s.phase = "launched";
  } else if (any("approved") || any("conditional")) {
    s.phase = "approved";
  } else if (any("pending")) {
    s.phase = "submitted";
  } else if (any("rejected")) {
    s.phase = "rejected";
  } else if (s.chosen_partner) {
    s.phase = "partner_chosen";
  } else if (!s.partners.empty()) {
    s.phase = "exploring";
  } else {
    s.phase = "none";
  }
  return r;
}

// DiffStates as the reference leaves give it: "path=from>to", in path order.
std::vector<std::string> ReferenceDiff(const DealState& before, const DealState& after) {
  const auto b = ReferenceLeaves(before), a = ReferenceLeaves(after);
  std::vector<std::string> paths;
  for (const auto& [path, v] : b) paths.push_back(path);
  for (const auto& [path, v] : a) {
    if (!b.count(path)) paths.push_back(path);
  }
  std::sort(paths.begin(), paths.end(), test::ReferencePathLess);
  std::vector<std::string> out;
  for (const auto& path : paths) {
    auto from = b.find(path), to = a.find(path);
    const std::string f = from == b.end() ? "null" : from->second;
    const std::string t = to == a.end() ? "null" : to->second;
    if (f != t) out.push_back(path + "=" + f + ">" + t);
  }
  return out;
}

// Every field of a state, one per line, written independently of DealState::ToJson.
std::string Describe(const DealState& s) {
  std::ostringstream o;
  o << "phase=" << s.phase << "\nchosen=" << (s.chosen_partner ? *s.chosen_partner : "(none)")
    << "\n";
  for (const auto& [name, p] : s.partners) {
    o << "partner " << name << ": " << p.status << " since " << p.since << " reason '"
      << p.reason << "' role '" << p.role << "'\n";
  }
  for (const auto& sub : s.submissions) {
    o << "submission " << sub.regulator << " filed " << (sub.filed ? *sub.filed : "(null)")
      << " scope '" << sub.scope << "' with";
    for (const auto& w : sub.with) o << " " << w;
    o << " status " << sub.status << " decided '" << sub.decided << "' conditions '"
      << sub.conditions << "'\n";
  }
  auto entry = [&](const LaunchTargetEntry& e) {
    o << e.target << " scope '" << e.scope << "' set " << e.set << (e.internal ? " internal" : "")
      << "\n";
  };
  if (s.launch_target) {
    o << "target ";
    entry(s.launch_target->current);
    for (const auto& p : s.launch_target->previous) {
      o << "  previous ";
      entry(p);
    }
  }
  if (s.launched) {
    o << "launched " << s.launched->on << " '" << s.launched->scope << "' '"
      << s.launched->release << "'\n";
  }
  for (const auto& [k, v] : s.facts) o << "fact " << k << "=" << v << "\n";
  o << "applied=" << s.events_applied << "\ntentative=";
  for (const auto& t : s.tentative) o << t << " ";
  return o.str();
}

}  // namespace test
}  // namespace annals
