// Copyright annals authors.
//
// What the tests of the projection engine and the bitemporal queries (projection_*_test.cc)
// share: JSON Lines events of the deal stream built from their fields, a fixture with a
// store whose clock moves one second per transaction, and changes as a map.

#ifndef ANNALS_TESTS_PROJECTION_FIXTURE_H_
#define ANNALS_TESTS_PROJECTION_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "annals/store.h"
#include "deal_oracle.h"
#include "bitemporal/projection.h"
#include "log/store_impl.h"
#include "test_util.h"

namespace annals {
namespace test {

inline constexpr char kStream[] = "deal";

// Events of stream kStream, one JSON line each: Ev with any type, the rest with the data
// of the type they name (launch targets and launches in scope zh-Hans).
std::string Ev(const std::string& id, const std::string& type, const std::string& effective,
               const std::string& data, const std::string& publisher = "");
std::string Talks(const std::string& id, const std::string& eff, const std::string& partner,
                  const std::string& status, const std::string& reason = "");
std::string Chosen(const std::string& id, const std::string& eff, const std::string& partner,
                   const std::string& role = "");
std::string Filed(const std::string& id, const std::string& eff, const std::string& regulator,
                  const std::string& scope = "");
std::string Decided(const std::string& id, const std::string& eff, const std::string& regulator,
                    const std::string& decision);
std::string Target(const std::string& id, const std::string& eff, const std::string& target);
std::string Launched(const std::string& id, const std::string& eff);
std::string Fact(const std::string& id, const std::string& eff, const std::string& key,
                 const std::string& value);
std::string Note(const std::string& id, const std::string& eff);
std::string Correct(const std::string& id, const std::string& target,
                    const std::string& effective, const std::string& data = "");
std::string Retract(const std::string& id, const std::string& target);

class ProjectionTest : public testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto s = OpenWithClock(dir_.Sub("db"), &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  // Appends each line as its own transaction (its own recorded_at, one second apart).
  void Append(const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
      clock_ += 1'000'000;
      auto e = NewEvent::FromJson(line);
      ASSERT_TRUE(e.ok()) << e.status().ToString() << " for " << line;
      std::vector<NewEvent> batch;
      batch.push_back(std::move(e).value());
      auto r = store_->Append(std::move(batch), {});
      ASSERT_TRUE(r.ok()) << r.status().ToString() << " for " << line;
    }
  }

  // The state as the engine gives it.
  annals::State EngineGet(const std::string& as_of = "", const std::string& known_at = "") {
    auto s = store_->GetState(TimeQuery{kStream, as_of, known_at});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : annals::State();
  }
  // The same, read into the deal's own struct (deal_oracle.h).
  DealState Get(const std::string& as_of = "", const std::string& known_at = "") {
    return FromState(EngineGet(as_of, known_at));
  }
  // The empty state of the deal vocabulary.
  annals::State EmptyDealState() {
    internal::StateProjection empty(store_->registry()->Latest("deal")->vocabulary);
    annals::State s = empty.ToState();
    s.stream = kStream;
    return s;
  }

  std::vector<HistoryEntry> History(const std::string& as_of = "",
                                    const std::string& known_at = "") {
    std::vector<HistoryEntry> out;
    EXPECT_OK(store_->History(TimeQuery{kStream, as_of, known_at}, [&](const HistoryEntry& e) {
      out.push_back(e);
      return true;
    }));
    return out;
  }

  std::vector<std::string> HistoryIds(const std::string& as_of = "",
                                      const std::string& known_at = "") {
    std::vector<std::string> ids;
    for (const auto& e : History(as_of, known_at)) ids.emplace_back(e.event.id());
    return ids;
  }

  std::vector<ReplayEntry> Replay(const LogRange& range = LogRange()) {
    std::vector<ReplayEntry> out;
    EXPECT_OK(store_->Replay(range, [&](const ReplayEntry& e) {
      out.push_back(e);
      return true;
    }));
    return out;
  }

  TempDir dir_;
  int64_t clock_ = 1'740'000'000'000'000;  // 2025-02-19
  std::unique_ptr<internal::StoreImpl> store_;
};

// Each change as path -> "from -> to" (JSON values).
std::map<std::string, std::string> ChangeMap(const std::vector<Change>& changes);

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_PROJECTION_FIXTURE_H_
