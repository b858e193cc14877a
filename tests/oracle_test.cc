// Copyright annals authors.
//
// The seeded model test of the bitemporal queries, in the manner of leveldb's
// DBTest.Randomized: random streams of every event type with fuzzy dates, back-dated
// appends, corrections and retractions go through the real Store (reopened between
// rounds); GetState and History at random (as_of, known_at) are checked against a naive
// oracle that keeps its own copy of every event and re-folds everything from scratch for
// each query (naive_oracle.h).  The oracle shares no code with the projection engine: it
// works on its own model of the events, not on stored messages.
//
// ANNALS_SEED=<n> replays one run; the seed is printed with every failure.

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "annals/store.h"
#include "deal_oracle.h"
#include "bitemporal/projection.h"
#include "log/store_impl.h"
#include "naive_oracle.h"
#include "test_util.h"

namespace annals {
namespace test {
namespace {

// The deal's state as a struct: the naive oracle builds one, and the engine's state is
// read into one (test::FromState) to compare them field by field.
using State = test::DealState;

std::vector<std::string> Lines(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.path + "=" + c.from_json + ">" + c.to_json);
  return out;
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
}  // namespace test
}  // namespace annals
