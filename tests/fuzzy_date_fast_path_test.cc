// Copyright annals authors.
//
// Tests for the fast paths of the fuzzy-date parsers (fuzzy_date.cc): ParseFuzzyDate's for
// YYYY[-MM[-DD]] and UTC instants to the minute or second, and ParseInstant's for the
// shape the store writes, each checked against the general grammar on random input.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "annals/fuzzy_date.h"
#include "dates/fuzzy_date_internal.h"

namespace annals {
namespace test {
namespace {

// The fast path for the common forms gives exactly what the grammar gives, and leaves
// everything else (and every invalid date) to it.
TEST(FuzzyDateTest, FastPathAgreesWithTheGrammar) {
  std::mt19937 rng(1130);
  const char* qualifiers[] = {"", "~", "?", "%", "x", "~~"};
  int fast = 0;
  for (int i = 0; i < 20000; ++i) {
    char buf[32];
    const int year = static_cast<int>(rng() % 10001);
    const int month = static_cast<int>(rng() % 26);
    const int day = static_cast<int>(rng() % 33);
    const int hour = static_cast<int>(rng() % 26), minute = static_cast<int>(rng() % 62);
    switch (rng() % 5) {
      case 0: std::snprintf(buf, sizeof(buf), "%04d", year); break;
      case 1: std::snprintf(buf, sizeof(buf), "%04d-%02d", year, month); break;
      case 2:
        std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02dZ", year, month, day, hour,
                      minute);
        break;
      case 3:
        std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
                      hour, minute, minute);
        break;
      default: std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day); break;
    }
    const std::string text = std::string(buf) + qualifiers[rng() % 6];
    FuzzyDate quick;
    const bool took = internal::TEST_ParseCommonDate(text, &quick);
    auto full = ParseFuzzyDate(text);
    if (!took) continue;
    ++fast;
    ASSERT_TRUE(full.ok()) << text << ": the fast path took an invalid date";
    EXPECT_EQ(quick.text, full->text);
    EXPECT_EQ(quick.earliest, full->earliest) << text;
    EXPECT_EQ(quick.latest, full->latest) << text;
    EXPECT_EQ(quick.approximate, full->approximate) << text;
    EXPECT_EQ(quick.uncertain, full->uncertain) << text;
    EXPECT_EQ(quick.start, full->start) << text;
    EXPECT_EQ(quick.end, full->end) << text;
    EXPECT_EQ(quick.start_approximate, full->start_approximate) << text;
    EXPECT_EQ(quick.end_approximate, full->end_approximate) << text;
    EXPECT_EQ(quick.start_uncertain, full->start_uncertain) << text;
    EXPECT_EQ(quick.end_uncertain, full->end_uncertain) << text;
  }
  EXPECT_GT(fast, 5000);  // the generator does reach the fast path
}

// ParseInstant reads the shape the store writes ("YYYY-MM-DDTHH:MM:SS.ffffffZ") on a
// fast path of its own; the general grammar must agree with it on every string of that
// shape, in range or not: digits drawn so that each field is often out of range.
TEST(FuzzyDateTest, ParseInstantOfTheStoredShapeAgreesWithTheGrammar) {
  const uint64_t seed = 20251124;
  std::mt19937_64 rng(seed);
  auto digits = [&](int n, int first_max) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      out += static_cast<char>('0' + rng() % (i == 0 ? first_max + 1 : 10));
    }
    return out;
  };
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    const std::string text = digits(4, i % 2 ? 2 : 9) + "-" + digits(2, 1) + "-" +
                             digits(2, 3) + "T" + digits(2, 2) + ":" + digits(2, 6) + ":" +
                             digits(2, 6) + "." + digits(6, 9) + "Z";
    Result<int64_t> fast = ParseInstant(text);
    Result<FuzzyDate> general = ParseFuzzyDate(text);
    ASSERT_EQ(fast.ok(), general.ok()) << "seed " << seed << ": " << text;
    if (!fast.ok()) continue;
    ++accepted;
    ASSERT_EQ(*fast, general->latest) << "seed " << seed << ": " << text;
    ASSERT_EQ(general->earliest, general->latest) << text;
  }
  // Both sides of the range checks were exercised.
  EXPECT_GT(accepted, 5000);
  EXPECT_LT(accepted, 45000);
}

}  // namespace
}  // namespace test
}  // namespace annals
