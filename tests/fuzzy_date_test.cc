// Copyright annals authors.
//
// Tests for fuzzy dates (SPEC §1): every form of the grammar, exact interval bounds,
// calendar rules, rejection of malformed input, and instant formatting/parsing.
//
// Expected microsecond values were computed independently (Python's datetime), not with
// the code under test.

#include "annals/fuzzy_date.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <string_view>

namespace annals {
namespace {

// µs since epoch of some UTC instants.
constexpr int64_t k2024_02_29 = 1709164800000000;
constexpr int64_t k2024_03_01 = 1709251200000000;
constexpr int64_t k2024_11_01 = 1730419200000000;
constexpr int64_t k2025_01_01 = 1735689600000000;
constexpr int64_t k2025_02_01 = 1738368000000000;
constexpr int64_t k2025_02_11T08 = 1739260800000000;
constexpr int64_t k2025_02_12 = 1739318400000000;
constexpr int64_t k2025_03_01 = 1740787200000000;
constexpr int64_t k2025_04_01 = 1743465600000000;
constexpr int64_t k2025_04_15 = 1744675200000000;
constexpr int64_t k2025_04_16 = 1744761600000000;
constexpr int64_t k2025_05_01 = 1746057600000000;
constexpr int64_t k2025_07_01 = 1751328000000000;
constexpr int64_t k2025_10_01 = 1759276800000000;
constexpr int64_t k2026_01_01 = 1767225600000000;
constexpr int64_t k2000_02_29 = 951782400000000;
constexpr int64_t k1900_01_01 = -2208988800000000;
constexpr int64_t k1600_02_29T12 = -11670955200000000;
constexpr int64_t k0001_01_01 = -62135596800000000;
constexpr int64_t k9999_12_31_last = 253402300799999999;  // 9999-12-31T23:59:59.999999Z
constexpr int64_t kDay = 86400000000;

FuzzyDate MustParse(std::string_view text) {
  Result<FuzzyDate> r = ParseFuzzyDate(text);
  EXPECT_TRUE(r.ok()) << "'" << text << "': " << r.status().message();
  return r.ok() ? r.value() : FuzzyDate();
}

// Asserts `text` is rejected as InvalidArgument with a message naming the value (quoted as
// `shown`) and containing `problem`.
void ExpectInvalid(std::string_view text, std::string_view problem, std::string_view shown = {}) {
  SCOPED_TRACE(std::string("input '") + std::string(text) + "'");
  Result<FuzzyDate> r = ParseFuzzyDate(text);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  const std::string& msg = r.status().message();
  const std::string quoted = "'" + std::string(shown.empty() ? text : shown) + "'";
  EXPECT_NE(msg.find("invalid date " + quoted), std::string::npos) << msg;
  EXPECT_NE(msg.find(problem), std::string::npos) << msg;
}

TEST(FuzzyDateTest, YearCoversTheWholeYearInUtc) {
  FuzzyDate d = MustParse("2025");
  EXPECT_EQ(d.text, "2025");
  EXPECT_EQ(d.earliest, k2025_01_01);
  EXPECT_EQ(d.latest, k2026_01_01 - 1);
  EXPECT_FALSE(d.approximate);
  EXPECT_FALSE(d.uncertain);
}

TEST(FuzzyDateTest, MonthCoversTheWholeMonth) {
  FuzzyDate d = MustParse("2025-04");
  EXPECT_EQ(d.earliest, k2025_04_01);
  EXPECT_EQ(d.latest, k2025_05_01 - 1);
  FuzzyDate dec = MustParse("2025-12");
  EXPECT_EQ(dec.earliest, k2026_01_01 - 31 * kDay);
  EXPECT_EQ(dec.latest, k2026_01_01 - 1);
}

TEST(FuzzyDateTest, DayCoversTheWholeDay) {
  FuzzyDate d = MustParse("2025-04-15");
  EXPECT_EQ(d.earliest, k2025_04_15);
  EXPECT_EQ(d.latest, k2025_04_16 - 1);
}

TEST(FuzzyDateTest, QuartersCoverThreeMonths) {
  FuzzyDate q1 = MustParse("2025-Q1");
  EXPECT_EQ(q1.earliest, k2025_01_01);
  EXPECT_EQ(q1.latest, k2025_04_01 - 1);
  FuzzyDate q2 = MustParse("2025-Q2");
  EXPECT_EQ(q2.earliest, k2025_04_01);
  EXPECT_EQ(q2.latest, k2025_07_01 - 1);
  FuzzyDate q3 = MustParse("2025-Q3");
  EXPECT_EQ(q3.earliest, k2025_07_01);
  EXPECT_EQ(q3.latest, k2025_10_01 - 1);
  FuzzyDate q4 = MustParse("2025-Q4");
  EXPECT_EQ(q4.earliest, k2025_10_01);
  EXPECT_EQ(q4.latest, k2026_01_01 - 1);
}

TEST(FuzzyDateTest, InstantWithZIsASinglePoint) {
  FuzzyDate d = MustParse("2025-04-15T09:30Z");
  EXPECT_EQ(d.earliest, 1744709400000000);
  EXPECT_EQ(d.latest, 1744709400000000);
}

TEST(FuzzyDateTest, InstantWithPositiveOffsetIsConvertedToUtc) {
  FuzzyDate d = MustParse("2025-04-15T09:30+05:30");  // 04:00Z
  EXPECT_EQ(d.earliest, 1744689600000000);
  EXPECT_EQ(d.latest, 1744689600000000);
}

TEST(FuzzyDateTest, InstantWithNegativeOffsetIsConvertedToUtc) {
  FuzzyDate d = MustParse("2025-04-15T09:30-08:00");  // 17:30Z
  EXPECT_EQ(d.earliest, 1744738200000000);
  EXPECT_EQ(d.latest, 1744738200000000);
}

TEST(FuzzyDateTest, MinusZeroOffsetMeansUtc) {
  EXPECT_EQ(MustParse("2025-04-15T09:30-00:00").earliest, 1744709400000000);
  EXPECT_EQ(MustParse("2025-04-15T09:30+00:00").earliest, 1744709400000000);
}

TEST(FuzzyDateTest, OffsetMayMoveTheInstantToAnotherDay) {
  EXPECT_EQ(MustParse("2025-01-01T00:00+01:00").earliest, k2025_01_01 - 3600000000);
  EXPECT_EQ(MustParse("2025-01-01T23:59-23:59").earliest,
            k2025_01_01 + kDay + int64_t{23} * 3600000000 + int64_t{58} * 60000000);
}

TEST(FuzzyDateTest, InstantWithSeconds) {
  EXPECT_EQ(MustParse("2025-04-15T09:30:45Z").earliest, 1744709445000000);
  EXPECT_EQ(MustParse("2025-04-15T00:00:00Z").earliest, k2025_04_15);
  EXPECT_EQ(MustParse("2025-04-15T23:59:59Z").earliest, k2025_04_16 - 1000000);
}

TEST(FuzzyDateTest, InstantWithFractionOfOneToSixDigits) {
  EXPECT_EQ(MustParse("2025-04-15T09:30:45.123456Z").earliest, 1744709445123456);
  EXPECT_EQ(MustParse("2025-04-15T09:30:45.5Z").earliest, 1744709445500000);
  EXPECT_EQ(MustParse("2025-04-15T09:30:45.05Z").earliest, 1744709445050000);
  EXPECT_EQ(MustParse("2025-04-15T09:30:45.000001Z").earliest, 1744709445000001);
  EXPECT_EQ(MustParse("2025-04-15T09:30:45.123456+05:30").earliest, 1744709445123456 - 19800000000);
}

TEST(FuzzyDateTest, TildeMarksApproximate) {
  FuzzyDate d = MustParse("2025-04~");
  EXPECT_TRUE(d.approximate);
  EXPECT_FALSE(d.uncertain);
  EXPECT_EQ(d.text, "2025-04~");
  // Qualifiers do not widen the interval.
  EXPECT_EQ(d.earliest, k2025_04_01);
  EXPECT_EQ(d.latest, k2025_05_01 - 1);
}

TEST(FuzzyDateTest, QuestionMarkMarksUncertain) {
  FuzzyDate d = MustParse("2025?");
  EXPECT_FALSE(d.approximate);
  EXPECT_TRUE(d.uncertain);
  EXPECT_EQ(d.earliest, k2025_01_01);
  EXPECT_EQ(d.latest, k2026_01_01 - 1);
}

TEST(FuzzyDateTest, PercentMarksApproximateAndUncertain) {
  FuzzyDate d = MustParse("2025-04-15%");
  EXPECT_TRUE(d.approximate);
  EXPECT_TRUE(d.uncertain);
  EXPECT_EQ(d.earliest, k2025_04_15);
  EXPECT_EQ(d.latest, k2025_04_16 - 1);
}

TEST(FuzzyDateTest, QualifiersApplyToQuartersAndInstants) {
  FuzzyDate q = MustParse("2025-Q2~");
  EXPECT_TRUE(q.approximate);
  EXPECT_EQ(q.earliest, k2025_04_01);
  FuzzyDate i = MustParse("2025-04-15T09:30Z?");
  EXPECT_TRUE(i.uncertain);
  EXPECT_EQ(i.earliest, 1744709400000000);
  EXPECT_EQ(i.latest, 1744709400000000);
}

TEST(FuzzyDateTest, IntervalRunsFromStartEarliestToEndLatest) {
  FuzzyDate d = MustParse("2024-11/2025-02");
  EXPECT_EQ(d.text, "2024-11/2025-02");
  EXPECT_EQ(d.earliest, k2024_11_01);
  EXPECT_EQ(d.latest, k2025_03_01 - 1);
  EXPECT_FALSE(d.approximate);
  EXPECT_FALSE(d.uncertain);
}

TEST(FuzzyDateTest, IntervalMayMixForms) {
  FuzzyDate d = MustParse("2025-Q1/2025-04-15T09:30Z");
  EXPECT_EQ(d.earliest, k2025_01_01);
  EXPECT_EQ(d.latest, 1744709400000000);
  FuzzyDate same = MustParse("2025-03/2025-03");
  EXPECT_EQ(same.earliest, k2025_03_01);
  EXPECT_EQ(same.latest, k2025_04_01 - 1);
  // The start's earliest is not after the end's latest, so this is allowed.
  FuzzyDate nested = MustParse("2025-03/2025-03-01");
  EXPECT_EQ(nested.earliest, k2025_03_01);
  EXPECT_EQ(nested.latest, k2025_03_01 + kDay - 1);
}

TEST(FuzzyDateTest, IntervalTakesQualifiersFromEachEnd) {
  FuzzyDate start_only = MustParse("2024-11~/2025-02");
  EXPECT_TRUE(start_only.approximate);
  EXPECT_FALSE(start_only.uncertain);
  EXPECT_EQ(start_only.earliest, k2024_11_01);
  EXPECT_EQ(start_only.latest, k2025_03_01 - 1);

  FuzzyDate end_only = MustParse("2024-11/2025-02?");
  EXPECT_FALSE(end_only.approximate);
  EXPECT_TRUE(end_only.uncertain);

  FuzzyDate both = MustParse("2024-11~/2025-02?");
  EXPECT_TRUE(both.approximate);
  EXPECT_TRUE(both.uncertain);
  EXPECT_EQ(both.text, "2024-11~/2025-02?");

  FuzzyDate percent = MustParse("2024%/2025");
  EXPECT_TRUE(percent.approximate);
  EXPECT_TRUE(percent.uncertain);
}

TEST(FuzzyDateTest, LeapDayExistsOnlyInLeapYears) {
  FuzzyDate d2024 = MustParse("2024-02-29");
  EXPECT_EQ(d2024.earliest, k2024_02_29);
  EXPECT_EQ(d2024.latest, k2024_03_01 - 1);
  EXPECT_EQ(MustParse("2000-02-29").earliest, k2000_02_29);
  EXPECT_EQ(MustParse("1600-02-29T12:00Z").earliest, k1600_02_29T12);
  EXPECT_EQ(MustParse("2024-02").latest, k2024_03_01 - 1);
  EXPECT_EQ(MustParse("2025-02").latest, k2025_03_01 - 1);

  ExpectInvalid("2025-02-29", "day 29 out of range for 2025-02");
  ExpectInvalid("1900-02-29", "day 29 out of range for 1900-02");
  ExpectInvalid("2100-02-29", "day 29 out of range for 2100-02");
  ExpectInvalid("2024-02-30", "day 30 out of range for 2024-02");
}

TEST(FuzzyDateTest, MonthLengthsFollowTheGregorianCalendar) {
  const int kDays2025[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t month_start = k2025_01_01;
  for (int m = 1; m <= 12; ++m) {
    char last[32], past[32], month[32];
    std::snprintf(last, sizeof(last), "2025-%02d-%02d", m, kDays2025[m - 1]);
    std::snprintf(past, sizeof(past), "2025-%02d-%02d", m, kDays2025[m - 1] + 1);
    std::snprintf(month, sizeof(month), "2025-%02d", m);
    const int64_t next_start = month_start + kDays2025[m - 1] * kDay;
    FuzzyDate d = MustParse(last);
    EXPECT_EQ(d.earliest, next_start - kDay) << last;
    EXPECT_EQ(d.latest, next_start - 1) << last;
    FuzzyDate whole = MustParse(month);
    EXPECT_EQ(whole.earliest, month_start) << month;
    EXPECT_EQ(whole.latest, next_start - 1) << month;
    ExpectInvalid(past, std::string("out of range for ") + month);
    month_start = next_start;
  }
  EXPECT_EQ(month_start, k2026_01_01);
}

TEST(FuzzyDateTest, YearsBefore1970AreNegative) {
  FuzzyDate d = MustParse("1900");
  EXPECT_EQ(d.earliest, k1900_01_01);
  FuzzyDate e = MustParse("1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(e.earliest, -1);
}

TEST(FuzzyDateTest, YearsRangeFrom0001To9999) {
  FuzzyDate first = MustParse("0001");
  EXPECT_EQ(first.earliest, k0001_01_01);
  FuzzyDate last = MustParse("9999");
  EXPECT_EQ(last.latest, k9999_12_31_last);
  EXPECT_EQ(MustParse("9999-Q4").latest, k9999_12_31_last);
  EXPECT_EQ(MustParse("9999-12").latest, k9999_12_31_last);
  EXPECT_EQ(MustParse("9999-12-31").latest, k9999_12_31_last);
  ExpectInvalid("0000", "year 0 out of range");
  ExpectInvalid("0000-01-01", "year 0 out of range");
}

TEST(FuzzyDateTest, NinetySixBytesIsTheLimit) {
  const std::string longest = "2025-02-11T08:00:00.123456+05:30~/2025-02-11T08:00:00.123456+05:30?";
  ASSERT_LE(longest.size(), 96u);
  EXPECT_TRUE(ParseFuzzyDate(longest).ok());
  const std::string too_long = std::string(97, '1');
  Result<FuzzyDate> r = ParseFuzzyDate(too_long);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("longer than 96 bytes"), std::string::npos);
  EXPECT_NE(r.status().message().find(std::string(96, '1') + "..."), std::string::npos);
}

TEST(FuzzyDateTest, EmptyIsRejected) {
  Result<FuzzyDate> r = ParseFuzzyDate("");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message(), "date is empty");
}

TEST(FuzzyDateTest, ExampleMessagesAreExact) {
  EXPECT_EQ(ParseFuzzyDate("2025-13").status().message(),
            "invalid date '2025-13': month 13 out of range");
  EXPECT_EQ(ParseFuzzyDate("2025-02-30").status().message(),
            "invalid date '2025-02-30': day 30 out of range for 2025-02");
  EXPECT_EQ(ParseFuzzyDate("x").status().message(),
            "invalid date 'x': expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn or an instant");
}

TEST(FuzzyDateTest, MalformedDatesAreRejectedWithTheValueAndProblem) {
  // Forms.
  ExpectInvalid("x", "expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn or an instant");
  ExpectInvalid("April 2025", "whitespace");
  ExpectInvalid("~", "expected YYYY");
  ExpectInvalid("202", "year must have 4 digits");
  ExpectInvalid("20250", "year must have 4 digits");
  ExpectInvalid("+2025", "year must not have a sign");
  ExpectInvalid("-2025", "year must not have a sign");
  ExpectInvalid("2025-", "month must have 2 digits");
  ExpectInvalid("2025-4", "month must have 2 digits");
  ExpectInvalid("2025-004", "month must have 2 digits");
  ExpectInvalid("2025-13", "month 13 out of range");
  ExpectInvalid("2025-00", "month 0 out of range");
  ExpectInvalid("2025-04-5", "day must have 2 digits");
  ExpectInvalid("2025-04-00", "day 0 out of range for 2025-04");
  ExpectInvalid("2025-04-31", "day 31 out of range for 2025-04");
  ExpectInvalid("2025-02-30", "day 30 out of range for 2025-02");
  ExpectInvalid("2025/04/15", "more than one '/'");
  ExpectInvalid("2025.04", "unexpected '.' after the year");
  ExpectInvalid("2025-04.15", "unexpected '.' after the month");
  ExpectInvalid("20250415", "year must have 4 digits");
  // Quarters.
  ExpectInvalid("2025-Q0", "quarter 0 out of range");
  ExpectInvalid("2025-Q5", "quarter 5 out of range");
  ExpectInvalid("2025-Q", "quarter must be Q1, Q2, Q3 or Q4");
  ExpectInvalid("2025-Q12", "quarter must be Q1, Q2, Q3 or Q4");
  ExpectInvalid("2025-q1", "month must have 2 digits");
  ExpectInvalid("2025-Q1-01", "unexpected '-' after the quarter");
  // Instants.
  ExpectInvalid("2025-04-15T", "hour must have 2 digits");
  ExpectInvalid("2025-04-15t09:30Z", "unexpected 't' after the day");
  ExpectInvalid("2025-04-15 09:30Z", "whitespace");
  ExpectInvalid("2025-04-15T09:30", "instant needs a UTC offset");
  ExpectInvalid("2025-04-15T09Z", "expected ':' and minutes after the hour");
  ExpectInvalid("2025-04-15T9:30Z", "hour must have 2 digits");
  ExpectInvalid("2025-04-15T24:00Z", "hour 24 out of range");
  ExpectInvalid("2025-04-15T09:60Z", "minute 60 out of range");
  ExpectInvalid("2025-04-15T09:30:60Z", "second 60 out of range");
  ExpectInvalid("2025-04-15T09:30:5Z", "second must have 2 digits");
  ExpectInvalid("2025-04-15T09:30:00.1234567Z",
                "fraction of a second must have 1 to 6 digits, not 7");
  ExpectInvalid("2025-04-15T09:30:00.Z", "fraction of a second must have 1 to 6 digits, not 0");
  ExpectInvalid("2025-04-15T09:30.5Z", "expected a UTC offset");
  ExpectInvalid("2025-04-15T09:30z", "expected a UTC offset (Z or ±hh:mm) after the time");
  ExpectInvalid("2025-04-15T09:30+0530", "UTC offset must be ±hh:mm");
  ExpectInvalid("2025-04-15T09:30+5:30", "UTC offset must be ±hh:mm");
  ExpectInvalid("2025-04-15T09:30+24:00", "offset hour 24 out of range");
  ExpectInvalid("2025-04-15T09:30+05:60", "offset minute 60 out of range");
  ExpectInvalid("2025-04-15T09:30ZZ", "unexpected 'Z' after the UTC offset");
  ExpectInvalid("2025-04-15T09:30+05:30:00", "unexpected ':' after the UTC offset");
  // Qualifiers.
  ExpectInvalid("2025~?", "more than one qualifier");
  ExpectInvalid("~2025", "expected YYYY");
  ExpectInvalid("2025~-04", "unexpected '~' after the year");
  ExpectInvalid("2025!", "unexpected '!' after the year");
  // Intervals.
  ExpectInvalid("2025-03/2025-01", "interval start '2025-03' is after its end '2025-01'");
  ExpectInvalid("2025/", "interval end is empty");
  ExpectInvalid("/2025", "interval start is empty");
  ExpectInvalid("2024/2025/2026", "more than one '/'");
  ExpectInvalid("2025-13/2026", "interval start '2025-13': month 13 out of range");
  ExpectInvalid("2025/2026-02-29", "interval end '2026-02-29': day 29 out of range");
  ExpectInvalid("2025 / 2026", "whitespace");
  // Surrounding whitespace and control bytes.
  ExpectInvalid(" 2025", "unexpected whitespace at offset 0");
  ExpectInvalid("2025\n", "unexpected whitespace at offset 4", "2025\\x0A");
  ExpectInvalid("2025\t", "whitespace", "2025\\x09");
  ExpectInvalid(std::string_view("2025\0-04", 8), "unexpected byte 0x00 at offset 4",
                "2025\\x00-04");
  ExpectInvalid("2025-04\xC2\xA0", "unexpected byte 0xC2 at offset 7", "2025-04\\xC2\\xA0");
}

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
  EXPECT_EQ(FormatInstant(std::numeric_limits<int64_t>::max()), "294247-01-10T04:00:54.775807Z");
  EXPECT_EQ(FormatInstant(std::numeric_limits<int64_t>::min()), "-290308-12-21T19:59:05.224192Z");
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
            "invalid instant 'xyz': expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn or an instant");

  Result<int64_t> bad_hour = ParseInstant("2025-02-11T25:00Z");
  ASSERT_FALSE(bad_hour.ok());
  EXPECT_TRUE(bad_hour.status().IsInvalidArgument());
  EXPECT_EQ(bad_hour.status().message(),
            "invalid instant '2025-02-11T25:00Z': hour 25 out of range");

  Result<int64_t> no_offset = ParseInstant("2025-02-11T08:00");
  ASSERT_FALSE(no_offset.ok());
  EXPECT_NE(no_offset.status().message().find("invalid instant '2025-02-11T08:00'"),
            std::string::npos);

  Result<int64_t> empty = ParseInstant("");
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(empty.status().IsInvalidArgument());
  EXPECT_EQ(empty.status().message(), "instant is empty");
}

}  // namespace
}  // namespace annals
