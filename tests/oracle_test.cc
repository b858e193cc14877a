// Copyright annals authors.
//
// The seeded model test of the bitemporal queries, in the manner of leveldb's
// DBTest.Randomized: random streams of every event type with fuzzy dates, back-dated
// appends, corrections and retractions go through the real Store (reopened between
// rounds); GetState and History at random (as_of, known_at) are checked against a naive
// oracle that keeps its own copy of every event and re-folds everything from scratch for
// each query.  The oracle shares no code with the projection engine: it works on its own
// model of the events, not on stored messages.
//
// ANNALS_SEED=<n> replays one run; the seed is printed with every failure.

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "annals/store.h"
#include "deal_oracle.h"
#include "bitemporal/projection.h"
#include "log/store_impl.h"
#include "test_util.h"

namespace annals {
namespace {

using test::TempDir;
// The deal's state as a struct: the naive oracle builds one, and the engine's state is
// read into one (test::FromState) to compare them field by field.
using State = test::DealState;
using test::LaunchedState;
using test::LaunchTarget;
using test::LaunchTargetEntry;
using test::PartnerState;
using test::Submission;

// ---- the model of an event ----------------------------------------------------------

struct ModelEvent {
  uint64_t seq = 0;
  int64_t recorded = 0;
  std::string id;
  std::string stream;
  std::string type;
  std::string effective;  // domain events
  std::map<std::string, std::string> fields;  // string data fields
  std::vector<std::string> with;               // submission_filed
  bool internal = false;                       // launch_target_set
  // correction / retraction
  std::string target;
  std::optional<std::string> new_effective;
  std::map<std::string, std::string> new_fields;

  bool meta() const { return type == "correction" || type == "retraction"; }
};

std::string Quote(const std::string& s) { return "\"" + s + "\""; }  // model text is plain

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

struct OracleResult {
  bool exists = false;
  State state;
  std::vector<std::string> history;  // "id effective corrected tentative" per event
};

const std::string& Field(const ModelEvent& e, const std::string& k) {
  static const std::string kEmpty;
  auto it = e.fields.find(k);
  return it == e.fields.end() ? kEmpty : it->second;
}

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
  State& s = r.state;
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

// The leaves of a state as diffs see them (state_json.cc's rules, written out again):
// path -> JSON value.  Optional strings that are empty are not leaves.
std::map<std::string, std::string> ReferenceLeaves(const State& s) {
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

// DiffStates as the reference leaves give it: "path=from>to", in path order.
std::vector<std::string> ReferenceDiff(const State& before, const State& after) {
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

std::vector<std::string> Lines(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.path + "=" + c.from_json + ">" + c.to_json);
  return out;
}

// Every field of a state, one per line, written independently of State::ToJson.
std::string Describe(const State& s) {
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

// ---- random generation ----------------------------------------------------------------

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Uniform(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool OneIn(int n) { return Uniform(n) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(static_cast<int>(v.size()))];
  }

  // A fuzzy date between 2023 and 2026, biased to collide on month starts.
  std::string Date() {
    const int year = 2023 + Uniform(4);
    const int month = 1 + Uniform(12);
    char buf[64];
    std::string d;
    switch (Uniform(7)) {
      case 0:
        d = std::to_string(year);
        break;
      case 1:
        std::snprintf(buf, sizeof(buf), "%04d-%02d", year, month);
        d = buf;
        break;
      case 2:
        std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, 1 + Uniform(28));
        d = buf;
        break;
      case 3:
        std::snprintf(buf, sizeof(buf), "%04d-Q%d", year, 1 + Uniform(4));
        d = buf;
        break;
      case 4:
        std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02dZ", year, month, 1 + Uniform(28),
                      Uniform(24), Uniform(60));
        return buf;  // no qualifier on instants
      case 5: {
        const int month2 = month + Uniform(13 - month);
        std::snprintf(buf, sizeof(buf), "%04d-%02d/%04d-%02d", year, month, year, month2);
        return buf;
      }
      default:
        std::snprintf(buf, sizeof(buf), "%04d-%02d-01", year, month);
        d = buf;
        break;
    }
    static const std::vector<std::string> kQualifiers = {"", "", "", "~", "?", "%"};
    return d + Pick(kQualifiers);
  }

  // Random values for each data field, by name; required ones never empty.
  std::string Value(const std::string& field) {
    static const std::map<std::string, std::vector<std::string>> kValues = {
        {"partner", {"Baidu", "Tencent", "ByteDance", "Alibaba"}},
        {"status", {"opened", "ongoing", "stalled", "ended"}},
        {"reason", {"", "privacy", "cost"}},
        {"role", {"", "models", "data"}},
        {"regulator", {"CAC", "MIIT"}},
        {"scope", {"", "features", "zh-Hans"}},
        {"decision", {"approved", "rejected", "conditional"}},
        {"conditions", {"", "local data"}},
        {"release", {"", "18.4", "18.5"}},
        {"key", {"a", "b", "c"}},
        {"value", {"", "x", "y", "z"}},
        {"text", {"n1", "n2"}},
    };
    if (field == "target") return Date();
    return Pick(kValues.at(field));
  }

  static const std::vector<std::string>& FieldsOf(const std::string& type) {
    static const std::map<std::string, std::vector<std::string>> kFields = {
        {"partner_talks", {"partner", "status", "reason"}},
        {"partner_chosen", {"partner", "role"}},
        {"submission_filed", {"regulator", "scope"}},
        {"submission_decided", {"regulator", "decision", "conditions"}},
        {"launch_target_set", {"target", "scope"}},
        {"launched", {"scope", "release"}},
        {"fact", {"key", "value"}},
        {"note", {"text"}},
    };
    return kFields.at(type);
  }

  ModelEvent Domain(const std::string& stream) {
    static const std::vector<std::string> kTypes = {
        "partner_talks", "partner_talks", "partner_chosen", "submission_filed",
        "submission_decided", "launch_target_set", "launched", "fact", "fact", "note"};
    ModelEvent e;
    e.stream = stream;
    e.type = Pick(kTypes);
    e.effective = Date();
    for (const auto& f : FieldsOf(e.type)) {
      std::string v = Value(f);
      if (!v.empty()) e.fields[f] = v;
    }
    if (e.type == "submission_filed" && OneIn(2)) e.with = {"Apple", Value("partner")};
    if (e.type == "launch_target_set") e.internal = OneIn(2);
    return e;
  }

  ModelEvent Correction(const ModelEvent& target) {
    ModelEvent e;
    e.stream = target.stream;
    e.type = "correction";
    e.target = target.id;
    const bool effective = OneIn(2);
    if (effective) e.new_effective = Date();
    if (!effective || OneIn(2)) {
      for (const auto& f : FieldsOf(target.type)) {
        if (OneIn(2)) {
          std::string v = Value(f);
          // Required fields cannot be emptied; optional ones may be.
          if (v.empty() && (f == "reason" || f == "role" || f == "scope" ||
                            f == "conditions" || f == "release" || f == "value")) {
            e.new_fields[f] = v;
          } else if (!v.empty()) {
            e.new_fields[f] = v;
          }
        }
      }
      if (e.new_fields.empty() && !e.new_effective) e.new_effective = Date();
    }
    return e;
  }

 private:
  std::mt19937_64 rng_;
};

uint64_t SeedFromEnvOrRandom() {
  const char* env = std::getenv("ANNALS_SEED");
  if (env != nullptr && *env != '\0') return std::strtoull(env, nullptr, 10);
  return std::random_device()();
}

class OracleTest : public testing::Test {
 protected:
  void Reopen() {
    store_.reset();
    Options options;
    options.create_if_missing = true;
    options.sync = false;  // crash safety is tested elsewhere; this test is about queries
    auto s = Store::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    // Checkpoints every few events, so that queries fold from them, take new ones, and
    // appends (back-dated, corrections, retractions) invalidate them all the time.
    impl()->set_checkpoint_interval(checkpoint_interval_);
  }

  internal::StoreImpl* impl() { return static_cast<internal::StoreImpl*>(store_.get()); }

  void FlushAll() {
    auto* s = impl();
    rocksdb::Status st = s->db()->Flush(
        rocksdb::FlushOptions(), {s->cf_log(), s->cf_stream(), s->cf_valid(), s->cf_id(),
                                  s->cf_acts(), s->cf_meta(), s->cf_moved(), s->cf_checkpoint()});
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // Appends `batch` as one transaction and records the store's seq and recorded_at.
  void Append(std::vector<ModelEvent> batch) {
    std::vector<NewEvent> events;
    for (const auto& e : batch) {
      auto ne = NewEvent::FromJson(ToJsonLine(e));
      ASSERT_TRUE(ne.ok()) << ne.status().ToString() << " for " << ToJsonLine(e);
      events.push_back(std::move(ne).value());
    }
    auto r = store_->Append(std::move(events), {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i].seq = (*r)[i].seq;
      auto stored = store_->GetBySeq(batch[i].seq);
      ASSERT_TRUE(stored.ok());
      batch[i].recorded = stored->recorded_at_micros();
      log_.push_back(batch[i]);
    }
  }

  // The state JSON of the hand-written deal fold (deal_oracle.h) over the stream's stored
  // events known at seq `n`, as of `v`.
  std::string HandWrittenJson(const std::string& stream, const std::string& as_of,
                              const std::string& known_at, int64_t v, uint64_t n) {
    internal::Timeline timeline(internal::Timeline::Mode::kInMemory, nullptr);
    EXPECT_OK(impl()->ReadStream(stream, n, [&](const Event& e) {
      EXPECT_TRUE(timeline.Add(e).ok());
      return true;
    }));
    test::DealFold fold;
    auto stats = internal::Fold(&timeline, v, {&fold});
    EXPECT_TRUE(stats.ok());
    State s = fold.state();
    s.stream = stream;
    s.as_of = as_of;
    s.known_at = known_at;
    s.events_applied = stats.ok() ? stats->applied : 0;
    if (stats.ok()) s.tentative = stats->tentative;
    return s.ToJson();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<ModelEvent> log_;
  uint64_t checkpoint_interval_ = 512;
};

TEST_F(OracleTest, RandomizedStateAndHistoryMatchANaiveRefold) {
  const uint64_t seed = SeedFromEnvOrRandom();
  SCOPED_TRACE("ANNALS_SEED=" + std::to_string(seed));
  std::printf("[ oracle ] seed %llu\n", static_cast<unsigned long long>(seed));
  Generator gen(seed);
  checkpoint_interval_ = 1 + gen.Uniform(6);
  const std::vector<std::string> streams = {"s0", "s1", "s2"};
  constexpr int kRounds = 30;
  constexpr int kQueriesPerRound = 350;
  int next_id = 0;
  uint64_t queries = 0;
  const auto start = std::chrono::steady_clock::now();
  Reopen();

  for (int round = 0; round < kRounds; ++round) {
    // Some transactions of a few events each: new domain events (in any valid-time
    // order, so many are back-dated), corrections and retractions of earlier ones.
    const int transactions = 1 + gen.Uniform(4);
    for (int t = 0; t < transactions; ++t) {
      std::vector<ModelEvent> batch;
      std::set<std::string> retracted_in_batch;
      const int n = 1 + gen.Uniform(4);
      for (int i = 0; i < n; ++i) {
        const std::string& stream = gen.Pick(streams);
        std::vector<const ModelEvent*> targets;
        std::set<std::string> retracted = retracted_in_batch;
        for (const auto& e : log_) {
          if (e.type == "retraction") retracted.insert(e.target);
        }
        for (const auto& e : log_) {
          if (e.stream == stream && !e.meta()) targets.push_back(&e);
        }
        ModelEvent e;
        const int kind = gen.Uniform(20);
        if (kind < 3 && !targets.empty()) {
          e = gen.Correction(*gen.Pick(targets));
        } else if (kind < 5 && !targets.empty()) {
          std::vector<const ModelEvent*> live;
          for (auto* t2 : targets) {
            if (!retracted.count(t2->id)) live.push_back(t2);
          }
          if (live.empty()) continue;
          e.stream = stream;
          e.type = "retraction";
          e.target = gen.Pick(live)->id;
          retracted_in_batch.insert(e.target);
        } else {
          e = gen.Domain(stream);
        }
        e.id = "e" + std::to_string(next_id++);
        batch.push_back(e);
      }
      if (!batch.empty()) {
        ASSERT_NO_FATAL_FAILURE(Append(batch));
      }
    }
    // Every other round the indexes go to table files first, so queries read them through
    // the tables' filters (the acts prefix bloom) as well as from the memtable.
    if (round % 2 == 1) {
      ASSERT_NO_FATAL_FAILURE(FlushAll());
    }
    ASSERT_NO_FATAL_FAILURE(Reopen());

    const uint64_t last = log_.empty() ? 0 : log_.back().seq;
    for (int q = 0; q < kQueriesPerRound; ++q) {
      const std::string& stream = gen.Pick(streams);
      // V: unbounded or a random fuzzy date (its last instant).
      std::string as_of;
      int64_t v = std::numeric_limits<int64_t>::max();
      if (!gen.OneIn(5)) {
        as_of = gen.Date();
        v = ParseFuzzyDate(as_of)->latest;
      }
      // T: now, @N, or an instant around some event's recorded_at.
      std::string known_at;
      uint64_t n = last;
      const int tk = gen.Uniform(3);
      if (tk == 1) {
        n = static_cast<uint64_t>(gen.Uniform(static_cast<int>(last) + 3));
        known_at = "@" + std::to_string(n);
        n = std::min(n, last);
      } else if (tk == 2 && !log_.empty()) {
        const int64_t t = gen.Pick(log_).recorded + (gen.Uniform(3) - 1);
        known_at = FormatInstant(t);
        n = 0;
        for (const auto& e : log_) {
          if (e.recorded <= t) n = e.seq;
        }
      }
      SCOPED_TRACE("query stream=" + stream + " as_of='" + as_of + "' known_at='" + known_at +
                   "' (seq " + std::to_string(n) + ")");
      const OracleResult want = Oracle(log_, stream, v, n);

      auto got = store_->GetState(TimeQuery{stream, as_of, known_at});
      std::vector<std::string> history;
      Status hs = store_->History(TimeQuery{stream, as_of, known_at}, [&](const HistoryEntry& h) {
        history.push_back(std::string(h.event.id()) + " " + h.event.effective().text +
                          (h.corrected ? " corrected" : "") + (h.tentative ? " tentative" : ""));
        return true;
      });
      ++queries;
      if (!want.exists) {
        EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
        EXPECT_TRUE(hs.IsNotFound()) << hs.ToString();
      } else {
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ASSERT_TRUE(hs.ok()) << hs.ToString();
        EXPECT_EQ(Describe(test::FromState(*got)), Describe(want.state));
        // The hand-written fold annals had before vocabularies, on the same stored events:
        // the same JSON, byte for byte.
        if (got->rep) {
          EXPECT_EQ(got->ToJson(), HandWrittenJson(stream, as_of, known_at, v, n));
        }
        // Once more, now that the query above may have taken checkpoints.
        auto again = store_->GetState(TimeQuery{stream, as_of, known_at});
        ASSERT_TRUE(again.ok()) << again.status().ToString();
        EXPECT_EQ(Describe(test::FromState(*again)), Describe(want.state))
            << "second query (from checkpoints)";
        EXPECT_EQ(got->stream, stream);
        EXPECT_EQ(got->as_of, as_of);
        EXPECT_EQ(got->known_at, known_at);
        EXPECT_EQ(history, want.history);
      }
      if (HasFailure()) return;  // the first mismatch says it all
    }
  }

  // The audit replay, incremental or re-folding, must agree with the diff of the states
  // known just before and just after each event, as a reference flattening of both gives
  // it; so must DiffStates (what `diff` and a re-folding replay use).
  uint64_t replayed = 0;
  ASSERT_OK(store_->Replay(LogRange(), [&](const ReplayEntry& r) {
    const std::string stream(r.event.stream());
    const uint64_t seq = r.event.seq();
    annals::State before;
    auto b = store_->GetState(TimeQuery{stream, "", "@" + std::to_string(seq - 1)});
    if (b.ok()) before = *b;
    auto a = store_->GetState(TimeQuery{stream, "", "@" + std::to_string(seq)});
    EXPECT_TRUE(a.ok());
    const std::vector<std::string> want =
        ReferenceDiff(test::FromState(before), test::FromState(*a));
    EXPECT_EQ(Lines(r.changes), want) << "seq " << seq;
    EXPECT_EQ(Lines(DiffStates(before, *a)), want) << "seq " << seq;
    // And the hand-written fold's own diff of the two states.
    if (a->rep) {
      EXPECT_EQ(Lines(test::DiffDealStates(test::FromState(before), test::FromState(*a))), want)
          << "seq " << seq;
    }
    ++replayed;
    return !HasFailure();
  }));
  EXPECT_EQ(replayed, log_.size());

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ oracle ] %llu events, %llu (as_of, known_at) queries, %.1f s\n",
              static_cast<unsigned long long>(log_.size()),
              static_cast<unsigned long long>(queries), seconds);
  EXPECT_GE(queries, 10000u);
}

}  // namespace
}  // namespace annals

namespace annals {
namespace {

// Checkpoints: taken by queries, kept across reopen, and only those after a back-dated
// event, correction or retraction are invalidated; answers always equal the fold without
// checkpoints.
class CheckpointTest : public testing::Test {
 protected:
  void Reopen() {
    store_.reset();
    Options options;
    options.create_if_missing = true;
    options.sync = false;
    auto s = Store::Open(dir_.Sub("db"), options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    impl()->set_checkpoint_interval(10);
  }
  internal::StoreImpl* impl() { return static_cast<internal::StoreImpl*>(store_.get()); }

  void AppendLine(const std::string& json) {
    auto e = NewEvent::FromJson(json);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    std::vector<NewEvent> v;
    v.push_back(std::move(e).value());
    auto r = store_->Append(std::move(v), {});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  static std::string Fact(int i, const std::string& date) {
    return R"({"id":"f)" + std::to_string(i) + R"(","stream":"s","type":"fact","effective":")" +
           date + R"(","data":{"key":"k)" + std::to_string(i % 7) + R"(","value":"v)" +
           std::to_string(i) + R"("}})";
  }
  static std::string Day(int i) {  // 2020-01-01 + i days, as YYYY-MM-DD
    const int64_t micros =
        ParseFuzzyDate("2020-01-01")->earliest + static_cast<int64_t>(i) * 86400 * 1000000;
    return FormatInstant(micros).substr(0, 10);
  }
  void ExpectSameAsNaive(const std::string& as_of, const std::string& known_at) {
    SCOPED_TRACE("as_of=" + as_of + " known_at=" + known_at);
    impl()->set_use_checkpoints(false);
    auto want = store_->GetState(TimeQuery{"s", as_of, known_at});
    impl()->set_use_checkpoints(true);
    auto got = store_->GetState(TimeQuery{"s", as_of, known_at});
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->ToJson(), want->ToJson());
  }
  uint64_t Checkpoints() {
    auto n = impl()->CountCheckpoints("s");
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : 0;
  }

  test::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(CheckpointTest, QueriesTakeCheckpointsAndBackdatedEventsInvalidateOnlyLaterOnes) {
  ASSERT_NO_FATAL_FAILURE(Reopen());
  for (int i = 0; i < 100; ++i) ASSERT_NO_FATAL_FAILURE(AppendLine(Fact(i, Day(i))));
  EXPECT_EQ(Checkpoints(), 0u);
  ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive("", ""));
  EXPECT_EQ(Checkpoints(), 10u);  // one every 10 events folded

  ASSERT_NO_FATAL_FAILURE(Reopen());  // checkpoints are stored
  EXPECT_EQ(Checkpoints(), 10u);
  ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive(Day(55), ""));

  // A back-dated event at day 45 removes the checkpoints after it (days 49..99), keeps
  // those before it (days 9..39).
  ASSERT_NO_FATAL_FAILURE(AppendLine(Fact(1000, Day(45))));
  EXPECT_EQ(Checkpoints(), 4u);
  ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive("", ""));
  ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive(Day(50), "@100"));  // before the back-dated one
  ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive(Day(50), ""));

  // A correction moving day 80 to day 20 invalidates from day 20; a retraction of day 30.
  ASSERT_NO_FATAL_FAILURE(AppendLine(
      R"({"stream":"s","type":"correction","data":{"target":"f80","effective":")" + Day(20) +
      R"(","data":{"value":"moved"}}})"));
  for (const char* k : {"", "@101", "@102"}) {
    for (int d : {10, 19, 20, 21, 50, 79, 80, 81, 200}) {
      ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive(Day(d), k));
    }
  }
  ASSERT_NO_FATAL_FAILURE(AppendLine(
      R"({"stream":"s","type":"retraction","data":{"target":"f30","reason":"wrong"}})"));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  for (const char* k : {"", "@100", "@101", "@102", "@103"}) {
    for (int d : {5, 20, 29, 30, 31, 45, 80, 99}) {
      ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive(Day(d), k));
    }
  }
  // A fuzzy event spanning months is tentative for as-ofs inside it, from checkpoints too.
  ASSERT_NO_FATAL_FAILURE(AppendLine(Fact(2000, "2020-02")));
  for (int d : {30, 31, 40, 59, 60, 61, 99}) {
    ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive(Day(d), ""));
    ASSERT_NO_FATAL_FAILURE(ExpectSameAsNaive(Day(d), ""));
  }
  auto report = store_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToJson();
}

}  // namespace
}  // namespace annals
