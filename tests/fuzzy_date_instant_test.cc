// Copyright annals authors.
//
// Tests for instants (fuzzy_date.h): FormatInstant over the whole int64 range, and
// ParseInstant of RFC 3339 and ISO 8601 instants and of every fuzzy date with a known
// end, which means its last instant.
//
// Expected microsecond values were computed independently of the code under test
// (fuzzy_date_test_util.h says how).

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "annals/fuzzy_date.h"
#include "fuzzy_date_test_util.h"

namespace annals {
namespace test {
namespace {

TEST(FuzzyDateTest, FormatInstantWritesRfc3339WithMicroseconds) {
  EXPECT_EQ(FormatInstant(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(k2025_01_01), "2025-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(k2025_02_11T08), "2025-02-11T08:00:00.000000Z");
  EXPECT_EQ(FormatInstant(1744709445123456), "2025-04-15T09:30:45.123456Z");
  EXPECT_EQ(FormatInstant(k2024_02_29), "2024-02-29T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(k2000_02_29 + 1), "2000-02-29T00:00:00.000001Z");
  EXPECT_EQ(FormatInstant(k9999_12_31_last), "9999-12-31T23:59:59.999999Z");
}

TEST(FuzzyDateTest, FormatInstantHandlesInstantsBefore1970) {
  EXPECT_EQ(FormatInstant(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatInstant(-1000000), "1969-12-31T23:59:59.000000Z");
  EXPECT_EQ(FormatInstant(-kDay), "1969-12-31T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(-kDay - 1), "1969-12-30T23:59:59.999999Z");
  EXPECT_EQ(FormatInstant(k1900_01_01), "1900-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(k1600_02_29T12), "1600-02-29T12:00:00.000000Z");
  EXPECT_EQ(FormatInstant(k0001_01_01), "0001-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(k0001_01_01 - 1), "0000-12-31T23:59:59.999999Z");
}

TEST(FuzzyDateTest, FormatInstantHandlesTheWholeInt64Range) {
  EXPECT_EQ(FormatInstant(std::numeric_limits<int64_t>::max()), "+294247-01-10T04:00:54.775807Z");
  EXPECT_EQ(FormatInstant(std::numeric_limits<int64_t>::min()), "-290308-12-21T19:59:05.224192Z");
}

// RFC 3339 cannot write years beyond 0000..9999: -9999..-0001 are EDTF negative years and
// years beyond are ISO 8601 expanded years, a sign and six digits.
TEST(FuzzyDateTest, FormatInstantWritesYearsOutside0000To9999) {
  EXPECT_EQ(FormatInstant(k0000_01_01), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(k0000_01_01 - 1), "-0001-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatInstant(-63549360000000000), "-0044-03-15T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(kMinus9999_01_01), "-9999-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatInstant(kMinus9999_01_01 - 1), "-010000-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatInstant(k9999_12_31_last + 1), "+010000-01-01T00:00:00.000000Z");
  // The example: 9999-12-31T23:00:00-02:00 is in year 10000 in UTC.
  Result<int64_t> t = ParseInstant("9999-12-31T23:00:00-02:00");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(FormatInstant(*t), "+010000-01-01T01:00:00.000000Z");
  EXPECT_EQ(FormatInstant(327403382400000000), "+012345-01-01T00:00:00.000000Z");
}

TEST(FuzzyDateTest, FormatInstantRoundTripsThroughParseInstant) {
  const uint64_t seed = 20250211;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> dist(k0001_01_01, k9999_12_31_last);
  for (int i = 0; i < 20000; ++i) {
    const int64_t micros = dist(rng);
    const std::string text = FormatInstant(micros);
    Result<int64_t> back = ParseInstant(text);
    ASSERT_TRUE(back.ok()) << "seed " << seed << ": " << text << ": " << back.status().message();
    ASSERT_EQ(back.value(), micros) << "seed " << seed << ": " << text;
    Result<FuzzyDate> fuzzy = ParseFuzzyDate(text);
    ASSERT_TRUE(fuzzy.ok()) << text;
    ASSERT_EQ(fuzzy->earliest, micros) << text;
    ASSERT_EQ(fuzzy->latest, micros) << text;
  }
  for (int64_t micros : {k0001_01_01, k9999_12_31_last, int64_t{0}, int64_t{-1}}) {
    Result<int64_t> back = ParseInstant(FormatInstant(micros));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), micros);
  }
}

TEST(FuzzyDateTest, ParseInstantAcceptsInstantsWithOffsets) {
  Result<int64_t> z = ParseInstant("2025-02-11T08:00:00Z");
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z.value(), k2025_02_11T08);
  Result<int64_t> offset = ParseInstant("2025-02-11T10:00+02:00");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset.value(), k2025_02_11T08);
  Result<int64_t> fraction = ParseInstant("2025-02-11T00:30:00.25-07:30");
  ASSERT_TRUE(fraction.ok());
  EXPECT_EQ(fraction.value(), k2025_02_11T08 + 250000);
}

TEST(FuzzyDateTest, ParseInstantOfAFuzzyDateIsItsLastInstant) {
  Result<int64_t> day = ParseInstant("2025-02-11");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day.value(), k2025_02_12 - 1);
  Result<int64_t> month = ParseInstant("2025-03");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(month.value(), k2025_04_01 - 1);
  Result<int64_t> year = ParseInstant("2025~");
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year.value(), k2026_01_01 - 1);
  Result<int64_t> quarter = ParseInstant("2025-Q1");
  ASSERT_TRUE(quarter.ok());
  EXPECT_EQ(quarter.value(), k2025_04_01 - 1);
  Result<int64_t> interval = ParseInstant("2024-11/2025-01");
  ASSERT_TRUE(interval.ok());
  EXPECT_EQ(interval.value(), k2025_02_01 - 1);
}

TEST(FuzzyDateTest, ParseInstantRejectsNamingTheValue) {
  Result<int64_t> r = ParseInstant("xyz");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message(),
            "invalid instant 'xyz': expected an EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, "
            "a season YYYY-21..24, a date and time, or an interval A/B");

  Result<int64_t> bad_hour = ParseInstant("2025-02-11T25:00Z");
  ASSERT_FALSE(bad_hour.ok());
  EXPECT_TRUE(bad_hour.status().IsInvalidArgument());
  EXPECT_EQ(bad_hour.status().message(),
            "invalid instant '2025-02-11T25:00Z': hour 25 out of range");

  Result<int64_t> open = ParseInstant("2025-02-11/..");
  ASSERT_FALSE(open.ok());
  EXPECT_TRUE(open.status().IsInvalidArgument());
  EXPECT_EQ(open.status().message(),
            "invalid instant '2025-02-11/..': its end is open ('..'), so it has no last instant");

  Result<int64_t> unknown = ParseInstant("2025-02-11/");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "invalid instant '2025-02-11/': its end is unknown, so it has no last instant");

  Result<int64_t> too_late = ParseInstant("+294247-01-10T04:00:54.775808Z");
  ASSERT_FALSE(too_late.ok());
  EXPECT_NE(too_late.status().message().find("outside the instants annals can hold"),
            std::string::npos);

  Result<int64_t> empty = ParseInstant("");
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(empty.status().IsInvalidArgument());
  EXPECT_EQ(empty.status().message(), "instant is empty");
}

// ---- ParseInstant over the same grammar ----------------------------------------------------

TEST(FuzzyDateTest, ParseInstantTakesEveryDateWithAKnownEnd) {
  const struct {
    const char* text;
    int64_t last;
  } kCases[] = {
      {"2025-21", k2025_07_01 - 30 * kDay - 1},
      {"2024-24", k2025_03_01 - 1},
      {"2025-33", k2025_04_01 - 1},
      {"201X", 1577836799999999},
      {"1985-04-XX", 483753599999999},
      {"-0044", -63524131200000001},
      {"Y12345", 327434918399999999},
      {"../1985", 504921599999999},
      {"/1985", 504921599999999},
      {"1984?/2004%", 1104537599999999},
      {"1985-04-12T23:20:30-04", 482210430000000},
      {"1985-04-12T23:20:30", 482196030000000},
  };
  for (const auto& c : kCases) {
    Result<int64_t> t = ParseInstant(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status().message();
    EXPECT_EQ(*t, c.last) << c.text;
    EXPECT_EQ(*t, MustParse(c.text).latest) << c.text;
  }
}

// RFC 3339 allows lower-case 't' and 'z' and any number of fraction digits; ISO 8601's
// expanded years carry a sign.  ParseInstant reads them; ParseFuzzyDate keeps to EDTF.
TEST(FuzzyDateTest, ParseInstantTakesRfc3339AndExpandedYears) {
  EXPECT_EQ(*ParseInstant("2025-02-11t08:00:00z"), k2025_02_11T08);
  EXPECT_EQ(*ParseInstant("2025-02-11T08:00:00.1234569Z"), k2025_02_11T08 + 123456);
  EXPECT_EQ(*ParseInstant("+010000-01-01T00:00:00Z"), k9999_12_31_last + 1);
  EXPECT_EQ(*ParseInstant("-012000-01-01T00:00Z"), -440850643200000000);
  EXPECT_EQ(*ParseInstant("+294247-01-10T04:00:54.775807Z"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(*ParseInstant("-290308-12-21T19:59:05.224192Z"), std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(ParseInstant("-290308-12-21T19:59:05.224191Z").ok());
  EXPECT_FALSE(ParseInstant("+2025-02-11T08:00Z").ok());
  ExpectInvalid("2025-02-11t08:00:00Z", "unexpected 't' after the day");
  ExpectInvalid("+010000-01-01T00:00:00Z", "year must not have a '+' sign");
  ExpectInvalid("2025-02-11T08:00:00.1234569Z", "fraction of a second must have 1 to 6 digits");
}

}  // namespace
}  // namespace test
}  // namespace annals
