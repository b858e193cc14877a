// Copyright annals authors.
//
// Tests for the checkpoints of folded states (store/src/checkpoint.cc), which as-of
// queries fold from.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "annals/fuzzy_date.h"
#include "annals/store.h"
#include "log/store_impl.h"
#include "test_util.h"

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
