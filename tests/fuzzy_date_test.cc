// Copyright annals authors.
//
// Tests for fuzzy dates (SPEC §1): every form of the grammar (EDTF levels 0 and 1 plus
// quarters), the EDTF specification's own examples with exact interval bounds, calendar
// rules, rejection of malformed input and of EDTF level 2, and instant formatting/parsing.
//
// Expected microsecond values were computed independently (Python's datetime, shifted by
// 400-year cycles outside its years 1..9999; glibc's timegm in the generated tests), not
// with the code under test.  Where edtf.js (npm `edtf` 4.11) agrees it was checked too.

#include "annals/fuzzy_date.h"
#include "dates/fuzzy_date_internal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

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
constexpr int64_t k0000_01_01 = -62167219200000000;
constexpr int64_t kMinus9999_01_01 = -377705116800000000;
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
  EXPECT_EQ(MustParse("2025-01-01T00:00+14:00").earliest, 1735639200000000);  // 12-31T10:00Z
  EXPECT_EQ(MustParse("2025-04-15T09:30-14:00").earliest, 1744759800000000);  // 23:30Z
}

TEST(FuzzyDateTest, OffsetMayBeHoursAlone) {
  EXPECT_EQ(MustParse("2025-04-15T09:30+05").earliest, 1744709400000000 - 5 * 3600000000);
  EXPECT_EQ(MustParse("2025-04-15T09:30-08").earliest, 1744738200000000);
  EXPECT_EQ(MustParse("2025-04-15T09:30-00").earliest, 1744709400000000);
}

TEST(FuzzyDateTest, TimeWithoutAZoneIsReadAsUtcAndKeptAsWritten) {
  FuzzyDate d = MustParse("2025-04-15T09:30");
  EXPECT_EQ(d.text, "2025-04-15T09:30");
  EXPECT_EQ(d.earliest, 1744709400000000);
  EXPECT_EQ(d.latest, 1744709400000000);
  EXPECT_EQ(MustParse("2025-04-15T09:30:45.5").earliest, 1744709445500000);
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

TEST(FuzzyDateTest, QualifiersApplyToEveryFormOfDate) {
  FuzzyDate q = MustParse("2025-Q2~");
  EXPECT_TRUE(q.approximate);
  EXPECT_EQ(q.earliest, k2025_04_01);
  EXPECT_EQ(q.latest, k2025_07_01 - 1);
  FuzzyDate season = MustParse("2025-21?");
  EXPECT_TRUE(season.uncertain);
  EXPECT_EQ(season.earliest, k2025_03_01);
  FuzzyDate unspecified = MustParse("202X%");
  EXPECT_TRUE(unspecified.approximate);
  EXPECT_TRUE(unspecified.uncertain);
  FuzzyDate negative = MustParse("-0044~");
  EXPECT_TRUE(negative.approximate);
  FuzzyDate letter = MustParse("Y-12000?");
  EXPECT_TRUE(letter.uncertain);
  EXPECT_EQ(letter.earliest, -440850643200000000);
}

// Level 1 qualifies dates; a date and time is not qualified, and a time is not a date.
TEST(FuzzyDateTest, QualifierOnADateAndTimeIsRejected) {
  for (const char* text : {"2025-04-15T09:30Z?", "2025-04-15T09:30~", "1985-04-12T23:20:30+04:30%",
                           "2025/2025-04-15T09:30Z~"}) {
    ExpectInvalid(text, "a qualifier (~, ? or %) applies to a date, not to a date and time");
  }
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

// Each end's qualifier as written, "start/end": "~/?" for 2024-11~/2025-02?.
std::string EndQualifiers(const FuzzyDate& d) {
  auto one = [](bool approximate, bool uncertain) -> std::string {
    return approximate && uncertain ? "%" : approximate ? "~" : uncertain ? "?" : "";
  };
  return one(d.start_approximate, d.start_uncertain) + "/" +
         one(d.end_approximate, d.end_uncertain);
}

TEST(FuzzyDateTest, EachIntervalEndKeepsItsOwnQualifier) {
  EXPECT_EQ(EndQualifiers(MustParse("2024-11~/2025-02?")), "~/?");
  EXPECT_EQ(EndQualifiers(MustParse("1984/2004%")), "/%");
  EXPECT_EQ(EndQualifiers(MustParse("1984?/2004")), "?/");
  // A single date is both ends, its qualifier on both.
  EXPECT_EQ(EndQualifiers(MustParse("2025-04?")), "?/?");
  EXPECT_EQ(EndQualifiers(MustParse("2025-04")), "/");
  // An open or unknown end has none; the known end keeps its own.
  const FuzzyDate open = MustParse("1984-06-02?/..");
  EXPECT_EQ(EndQualifiers(open), "?/");
  EXPECT_TRUE(open.uncertain);
  EXPECT_FALSE(open.approximate);
  EXPECT_EQ(EndQualifiers(MustParse("/1984-06-02~")), "/~");
  const FuzzyDate d = MustParse("2024-11~/2025-02?");
  EXPECT_EQ(d.start, DateEnd::kBounded);
  EXPECT_EQ(d.end, DateEnd::kBounded);
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

TEST(FuzzyDateTest, FourDigitYearsRangeFromMinus9999To9999) {
  FuzzyDate first = MustParse("0001");
  EXPECT_EQ(first.earliest, k0001_01_01);
  FuzzyDate last = MustParse("9999");
  EXPECT_EQ(last.latest, k9999_12_31_last);
  EXPECT_EQ(MustParse("9999-Q4").latest, k9999_12_31_last);
  EXPECT_EQ(MustParse("9999-12").latest, k9999_12_31_last);
  EXPECT_EQ(MustParse("9999-12-31").latest, k9999_12_31_last);
  EXPECT_EQ(MustParse("9999-24").latest, k9999_12_31_last + 60 * kDay);  // to 10000-02-29
  // Year 0 is 1 BCE, a leap year (astronomical numbering, as ISO 8601 and EDTF).
  FuzzyDate zero = MustParse("0000");
  EXPECT_EQ(zero.earliest, k0000_01_01);
  EXPECT_EQ(zero.latest, k0001_01_01 - 1);
  EXPECT_EQ(MustParse("0000-02-29").earliest, k0000_01_01 + 59 * kDay);
  EXPECT_EQ(MustParse("-9999").earliest, kMinus9999_01_01);
  ExpectInvalid("-0000", "year -0000 is not a year: year zero is 0000");
  ExpectInvalid("10000", "year must have 4 digits (a year beyond four digits is written Y10000)");
  ExpectInvalid("-10000", "(a year beyond four digits is written Y-10000)");
}

TEST(FuzzyDateTest, NegativeYearsCountBackFromYearZero) {
  FuzzyDate d = MustParse("-0044");
  EXPECT_EQ(d.earliest, -63555753600000000);
  EXPECT_EQ(d.latest, -63524131200000001);
  FuzzyDate ides = MustParse("-0044-03-15");
  EXPECT_EQ(ides.earliest, -63549360000000000);
  EXPECT_EQ(ides.latest, -63549273600000001);
  // Leap years continue backwards: -0004 (5 BCE) is one, -0100 is not.
  EXPECT_TRUE(ParseFuzzyDate("-0004-02-29").ok());
  ExpectInvalid("-0100-02-29", "day 29 out of range for -0100-02");
  EXPECT_EQ(MustParse("-0001-12-31T23:59:59.999999Z").latest, k0000_01_01 - 1);
}

TEST(FuzzyDateTest, LetterPrefixedYearsGoBeyondFourDigits) {
  FuzzyDate y = MustParse("Y12345");
  EXPECT_EQ(y.earliest, 327403382400000000);
  EXPECT_EQ(y.latest, 327434918399999999);
  FuzzyDate neg = MustParse("Y-12000");
  EXPECT_EQ(neg.earliest, -440850643200000000);
  EXPECT_EQ(neg.latest, -440819020800000001);
  // The extreme whole years int64 microseconds can hold.
  EXPECT_EQ(MustParse("Y294246").latest, 9223371244799999999);
  EXPECT_EQ(MustParse("Y-290307").earliest, -9223371158400000000);
  ExpectInvalid("Y1234", "a Y-prefixed year must have more than four digits (write 1234)");
  ExpectInvalid("Y-0044", "(write -0044)");
  ExpectInvalid("Y012345", "a Y-prefixed year must not start with 0");
  ExpectInvalid("Y", "a Y-prefixed year must have digits");
  ExpectInvalid("Y12345-01", "unexpected '-' after a Y-prefixed year (it stands alone");
}

// EDTF's own example Y170000002 cannot be placed in int64 microseconds; clamping it to an
// unbounded end would make it compare equal to every other such year, so it is refused.
TEST(FuzzyDateTest, YearsBeyondInt64MicrosecondsAreRefused) {
  const char kRange[] =
      "is outside the instants annals can hold (microseconds since 1970 in 64 bits: "
      "-290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z)";
  ExpectInvalid("Y170000002", std::string("year 170000002 ") + kRange);
  ExpectInvalid("Y-170000002", std::string("year -170000002 ") + kRange);
  ExpectInvalid("Y294247", std::string("year 294247 ") + kRange);  // partly representable
  ExpectInvalid("Y-290308", std::string("year -290308 ") + kRange);
  ExpectInvalid("Y" + std::string(90, '9'), "year 9999");
  ExpectInvalid("Y170000002/2025", "interval start 'Y170000002': year 170000002 is outside");
}

TEST(FuzzyDateTest, NinetySixBytesIsTheLimit) {
  const std::string longest = "-2025-02-11T08:00:00.123456+05:30/-2025-02-11T08:00:00.123456+05:30";
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
            "invalid date 'x': expected an EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, a "
            "season YYYY-21..24, a date and time, or an interval A/B");
  EXPECT_EQ(ParseFuzzyDate("[1667,1668]").status().message(),
            "invalid date '[1667,1668]': EDTF level 2 set notation ([..] one of a set, {..} "
            "all of a set) is not supported");
}

TEST(FuzzyDateTest, MalformedDatesAreRejectedWithTheValueAndProblem) {
  // Forms.
  ExpectInvalid("x", "expected an EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn");
  ExpectInvalid("April 2025", "whitespace");
  ExpectInvalid("~", "expected an EDTF date");
  ExpectInvalid("202", "year must have 4 digits");
  ExpectInvalid("20250", "year must have 4 digits");
  ExpectInvalid("+2025", "year must not have a '+' sign");
  ExpectInvalid("-", "year must have 4 digits");
  ExpectInvalid("-202", "year must have 4 digits");
  ExpectInvalid("..", "'..' (open) is only an interval end");
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
  ExpectInvalid("20250415", "year must have 4 digits (EDTF dates are written YYYY-MM-DD)");
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
  ExpectInvalid("2025-04-15T09Z", "expected ':' and minutes after the hour");
  ExpectInvalid("2025-04-15T9:30Z", "hour must have 2 digits");
  ExpectInvalid("2025-04-15T24:00Z", "hour 24 out of range");
  ExpectInvalid("1985-04-12T24:00:00", "hour 24 out of range");
  ExpectInvalid("2025-04-15T09:60Z", "minute 60 out of range");
  ExpectInvalid("2025-04-15T09:30:60Z", "second 60 out of range");
  ExpectInvalid("2016-12-31T23:59:60Z", "second 60 out of range");  // no leap seconds
  ExpectInvalid("2025-04-15T09:30:5Z", "second must have 2 digits");
  ExpectInvalid("2025-04-15T09:30:00.1234567Z",
                "fraction of a second must have 1 to 6 digits, not 7");
  ExpectInvalid("2025-04-15T09:30:00.Z", "fraction of a second must have 1 to 6 digits, not 0");
  ExpectInvalid("2025-04-15T09:30.5Z", "unexpected '.' after the time (expected Z, ±hh or ±hh:mm)");
  ExpectInvalid("2025-04-15T09:30z", "unexpected 'z' after the time");
  ExpectInvalid("2025-04-15T09:30+0530", "UTC offset must be ±hh or ±hh:mm");
  ExpectInvalid("2025-04-15T09:30+5:30", "UTC offset must be ±hh or ±hh:mm");
  ExpectInvalid("2025-04-15T09:30+5", "UTC offset must be ±hh or ±hh:mm");
  ExpectInvalid("2025-04-15T09:30+05:3", "UTC offset must be ±hh or ±hh:mm");
  ExpectInvalid("2025-04-15T09:30+24:00", "UTC offset +24:00 is beyond ±14:00");
  ExpectInvalid("2025-04-15T09:30+14:01", "UTC offset +14:01 is beyond ±14:00");
  ExpectInvalid("2025-04-15T09:30-15", "UTC offset -15 is beyond ±14:00");
  ExpectInvalid("2025-04-15T09:30+05:60", "offset minute 60 out of range");
  ExpectInvalid("2025-04-15T09:30-00:99", "offset minute 99 out of range");
  ExpectInvalid("2025-04-15T09:30ZZ", "unexpected 'Z' after the UTC offset");
  ExpectInvalid("2025-04-15T09:30+05:30:00", "unexpected ':' after the UTC offset");
  // Qualifiers.
  ExpectInvalid("2025~?", "more than one qualifier");
  ExpectInvalid("2025!", "unexpected '!' after the year");
  // Intervals.
  ExpectInvalid("2025-03/2025-01", "interval start '2025-03' is after its end '2025-01'");
  ExpectInvalid("2024/2025/2026", "more than one '/'");
  ExpectInvalid("/", "an interval needs a date at one end at least");
  ExpectInvalid("../..", "an interval needs a date at one end at least");
  ExpectInvalid("../", "an interval needs a date at one end at least");
  ExpectInvalid("/..", "an interval needs a date at one end at least");
  ExpectInvalid("..~/2025", "interval start '..~': an open end ('..') takes no qualifier");
  ExpectInvalid("2025/..?", "interval end '..?': an open end ('..') takes no qualifier");
  ExpectInvalid(".../2025", "interval start '...': expected an EDTF date");
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

// ---- The EDTF specification (Library of Congress, 2019; ISO 8601-2) -----------------------

struct Example {
  const char* text;
  int64_t earliest;
  int64_t latest;
};

void ExpectExamples(const std::vector<Example>& examples) {
  for (const Example& e : examples) {
    Result<FuzzyDate> r = ParseFuzzyDate(e.text);
    ASSERT_TRUE(r.ok()) << e.text << ": " << r.status().message();
    EXPECT_EQ(r->text, e.text);
    EXPECT_EQ(r->earliest, e.earliest) << e.text;
    EXPECT_EQ(r->latest, e.latest) << e.text;
  }
}

// Level 0: dates, dates and times (local, Z, ±hh, ±hh:mm), intervals of dates.  The
// specification's date-time examples give seconds; a date and time is a point.
TEST(FuzzyDateTest, EdtfLevel0ExamplesHaveExactBounds) {
  ExpectExamples({
      {"1985-04-12", 482112000000000, 482198399999999},
      {"1985-04", 481161600000000, 483753599999999},
      {"1985", 473385600000000, 504921599999999},
      {"1985-04-12T23:20:30", 482196030000000, 482196030000000},
      {"1985-04-12T23:20:30Z", 482196030000000, 482196030000000},
      {"1985-04-12T23:20:30-04", 482210430000000, 482210430000000},
      {"1985-04-12T23:20:30+04:30", 482179830000000, 482179830000000},
      {"1964/2008", -189388800000000, 1230767999999999},
      {"2004-06/2006-08", 1086048000000000, 1157068799999999},
      {"2004-02-01/2005-02-08", 1075593600000000, 1107907199999999},
      {"2004-02-01/2005-02", 1075593600000000, 1109635199999999},
      {"2004-02-01/2005", 1075593600000000, 1136073599999999},
      {"2005/2006-02", 1104537600000000, 1141171199999999},
      // Level 0 years run from 0000.
      {"0000", -62167219200000000, -62135596800000001},
  });
}

// Level 1: Y-years, seasons, qualified dates, unspecified digits, open and unknown interval
// ends, negative years, qualified interval ends.  The specification's Y170000002 and
// Y-170000002 are beyond int64 microseconds (YearsBeyondInt64MicrosecondsAreRefused).
TEST(FuzzyDateTest, EdtfLevel1ExamplesHaveExactBounds) {
  ExpectExamples({
      {"Y-12000", -440850643200000000, -440819020800000001},
      {"Y12345", 327403382400000000, 327434918399999999},
      {"2001-21", 983404800000000, 991353599999999},    // March..May 2001
      {"2001-22", 991353600000000, 999302399999999},    // June..August
      {"2001-23", 999302400000000, 1007164799999999},   // September..November
      {"2001-24", 1007164800000000, 1014940799999999},  // December 2001..February 2002
      {"1984?", 441763200000000, 473385599999999},
      {"2004-06~", 1086048000000000, 1088639999999999},
      {"2004-06-11%", 1086912000000000, 1086998399999999},
      {"201X", 1262304000000000, 1577836799999999},
      {"20XX", 946684800000000, 4102444799999999},
      {"2004-XX", 1072915200000000, 1104537599999999},
      {"1985-04-XX", 481161600000000, 483753599999999},
      {"1985-XX-XX", 473385600000000, 504921599999999},
      {"1985-04-12/..", 482112000000000, kUnboundedLatest},
      {"1985-04/..", 481161600000000, kUnboundedLatest},
      {"1985/..", 473385600000000, kUnboundedLatest},
      {"../1985-04-12", kUnboundedEarliest, 482198399999999},
      {"../1985-04", kUnboundedEarliest, 483753599999999},
      {"../1985", kUnboundedEarliest, 504921599999999},
      {"1985-04-12/", 482112000000000, kUnboundedLatest},
      {"1985-04/", 481161600000000, kUnboundedLatest},
      {"1985/", 473385600000000, kUnboundedLatest},
      {"/1985-04-12", kUnboundedEarliest, 482198399999999},
      {"/1985-04", kUnboundedEarliest, 483753599999999},
      {"/1985", kUnboundedEarliest, 504921599999999},
      {"-1985", -124807737600000000, -124776201600000001},
      {"1984~/2004-06", 441763200000000, 1088639999999999},
      {"1984/2004-06~", 441763200000000, 1088639999999999},
      {"1984~/2004~", 441763200000000, 1104537599999999},
      {"1984?/2004%", 441763200000000, 1104537599999999},
      {"1984-06?/2004-08?", 454896000000000, 1093996799999999},
      {"1984-06-02?/2004-08-08~", 454982400000000, 1092009599999999},
      {"1984-06-02?/", 454982400000000, kUnboundedLatest},
      {"1984-06-02?/..", 454982400000000, kUnboundedLatest},
  });
}

// Beyond EDTF levels 0 and 1: quarters in both spellings, and level 1 features combined.
TEST(FuzzyDateTest, AnnalsExtensionsHaveExactBounds) {
  ExpectExamples({
      {"2025-33", 1735689600000000, 1743465599999999},  // = 2025-Q1
      {"2025-34", k2025_04_01, k2025_07_01 - 1},
      {"2025-35", k2025_07_01, k2025_10_01 - 1},
      {"2025-36", 1759276800000000, 1767225599999999},  // = 2025-Q4
      {"-0044", -63555753600000000, -63524131200000001},
      {"-0044-03-15", -63549360000000000, -63549273600000001},
      {"-201X", -125880652800000000, -125565120000000001},  // -2019..-2010
      {"2001-21/2001-24", 983404800000000, 1014940799999999},
      {"../2025-Q1", kUnboundedEarliest, k2025_04_01 - 1},
  });
  for (int q = 1; q <= 4; ++q) {
    const FuzzyDate a = MustParse("2025-Q" + std::to_string(q));
    const FuzzyDate b = MustParse("2025-" + std::to_string(32 + q));
    EXPECT_EQ(a.earliest, b.earliest) << q;
    EXPECT_EQ(a.latest, b.latest) << q;
  }
}

TEST(FuzzyDateTest, WinterRunsIntoFebruaryOfTheNextYear) {
  const FuzzyDate leap = MustParse("2023-24");  // to 2024-02-29
  EXPECT_EQ(leap.earliest, 1701388800000000);
  EXPECT_EQ(leap.latest, k2024_03_01 - 1);
  const FuzzyDate common = MustParse("2024-24");  // to 2025-02-28
  EXPECT_EQ(common.earliest, k2025_01_01 - 31 * kDay);
  EXPECT_EQ(common.latest, k2025_03_01 - 1);
  EXPECT_EQ(MustParse("2025-21").earliest, k2025_03_01);
  EXPECT_EQ(MustParse("2025-21").latest, k2025_07_01 - 30 * kDay - 1);  // May 31
}

TEST(FuzzyDateTest, OpenAndUnknownEndsStayDistinct) {
  const FuzzyDate open_end = MustParse("1985-04-12/..");
  EXPECT_EQ(open_end.start, DateEnd::kBounded);
  EXPECT_EQ(open_end.end, DateEnd::kOpen);
  const FuzzyDate unknown_end = MustParse("1985-04-12/");
  EXPECT_EQ(unknown_end.start, DateEnd::kBounded);
  EXPECT_EQ(unknown_end.end, DateEnd::kUnknown);
  // Both are unbounded on that side: the known end bounds the date.
  EXPECT_EQ(open_end.latest, unknown_end.latest);
  EXPECT_EQ(open_end.earliest, unknown_end.earliest);

  const FuzzyDate open_start = MustParse("../1985");
  EXPECT_EQ(open_start.start, DateEnd::kOpen);
  EXPECT_EQ(open_start.end, DateEnd::kBounded);
  EXPECT_EQ(open_start.earliest, kUnboundedEarliest);
  const FuzzyDate unknown_start = MustParse("/1985");
  EXPECT_EQ(unknown_start.start, DateEnd::kUnknown);
  EXPECT_EQ(unknown_start.earliest, kUnboundedEarliest);
  EXPECT_EQ(unknown_start.latest, open_start.latest);

  EXPECT_EQ(kUnboundedEarliest, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(kUnboundedLatest, std::numeric_limits<int64_t>::max());
}

// The rule for reversed intervals: a/b is refused only when a.earliest > b.latest, that is
// when no instant a may denote comes before one b may denote.  Qualifiers do not move it.
TEST(FuzzyDateTest, IntervalIsReversedOnlyWhenNoInstantOfTheStartPrecedesOneOfTheEnd) {
  for (const char* ok : {"2025-03/2025-03-01", "2025-03-31/2025-03", "2025-24/2026-02",
                         "2025-Q2/2025-04-01", "2025-04-15T10:00+02:00/2025-04-15T09:00Z",
                         "-0045/-0044", "201X/2015", "2025-04-15T09:30/2025-04-15T09:30"}) {
    EXPECT_TRUE(ParseFuzzyDate(ok).ok()) << ok << ": " << ParseFuzzyDate(ok).status().message();
  }
  ExpectInvalid("2025-04/2025-03-31", "interval start '2025-04' is after its end '2025-03-31'");
  for (const char* reversed : {"2025-04~/2025-03?", "2025-24/2025-11", "-0044/-0045",
                               "2025-04-15T10:00Z/2025-04-15T11:00+02:00", "2020/201X",
                               "Y12345/9999"}) {
    ExpectInvalid(reversed, "is after its end");
  }
}

// Each unsupported level 2 feature is named, never reported as a bare syntax error.
TEST(FuzzyDateTest, EdtfLevel2FormsAreRefusedByName) {
  const struct {
    const char* text;
    const char* feature;
  } kCases[] = {
      {"[1667,1668,1670..1672]", "EDTF level 2 set notation"},
      {"{1667,1668,1670..1672}", "EDTF level 2 set notation"},
      {"[..1760-12-03]", "EDTF level 2 set notation"},
      {"1760-12/[1761,1762]", "EDTF level 2 set notation"},
      {"Y-17E7", "EDTF level 2 exponential year (E) is not supported"},
      {"Y17E8", "EDTF level 2 exponential year (E)"},
      {"1950S2", "EDTF level 2 significant digits (S) are not supported"},
      {"Y171010000S3", "EDTF level 2 significant digits (S)"},
      {"Y3388E2S3", "EDTF level 2 exponential year (E)"},
      {"2004-?06-11", "EDTF level 2 qualification of part of a date is not supported"},
      {"?2004-06-~11", "EDTF level 2 qualification of part of a date"},
      {"2004?-06-11", "EDTF level 2 qualification of part of a date"},
      {"2004-06~-11", "EDTF level 2 qualification of part of a date"},
      {"~2025", "EDTF level 2 qualification of part of a date"},
      {"2004-06-~01/2004-06-~20", "EDTF level 2 qualification of part of a date"},
      {"156X-12-25", "EDTF level 2 unspecified digits are not supported"},
      {"15XX-12-XX", "EDTF level 2 unspecified digits"},
      {"XXXX-12-XX", "EDTF level 2 unspecified digits"},
      {"1XXX-XX", "EDTF level 2 unspecified digits"},
      {"1XXX-12", "EDTF level 2 unspecified digits"},
      {"1984-1X", "EDTF level 2 unspecified digits"},
      {"XXXX", "EDTF level 2 unspecified digits"},
      {"2XXX", "EDTF level 2 unspecified digits"},
      {"201X-04", "EDTF level 2 unspecified digits"},
      {"2004-XX-12", "EDTF level 2 unspecified digits"},
      {"2004-06-1X", "EDTF level 2 unspecified digits"},
      {"2001-25", "EDTF level 2 sub-year grouping 25 (spring, northern hemisphere)"},
      {"2001-32", "EDTF level 2 sub-year grouping 32 (winter, southern hemisphere)"},
      {"2001-37", "EDTF level 2 sub-year grouping 37 (quadrimester 1)"},
      {"2001-41", "EDTF level 2 sub-year grouping 41 (semester 2)"},
  };
  for (const auto& c : kCases) ExpectInvalid(c.text, c.feature);
  ExpectInvalid("2001-20", "month 20 out of range");
  ExpectInvalid("2001-42", "month 42 out of range");
}

// Forms of the 2012 EDTF draft, which the 2019 specification replaced.
TEST(FuzzyDateTest, DraftFormsAreNamed) {
  ExpectInvalid("199u", "'u' for an unspecified digit is the 2012 EDTF draft's; write 'X'");
  ExpectInvalid("1985/open", "'open' is the 2012 EDTF draft's; an open end is now '..'");
  ExpectInvalid("unknown/1985", "'unknown' is the 2012 EDTF draft's");
}

TEST(FuzzyDateTest, UnspecifiedDaysTakeNoTime) {
  ExpectInvalid("1985-04-XXT10:00Z", "a day with unspecified digits takes no time");
  ExpectInvalid("1985-XX-XX-01", "unexpected '-' after the day");
  ExpectInvalid("1985-XX-XXT10:00", "unexpected 'T' after the day");
  ExpectInvalid("1985-XX-1", "day must be XX after month XX");
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

// ---- Properties -----------------------------------------------------------------------------

// Every int64 instant formats to a text that parses back to it; for years -9999..9999 that
// text is an EDTF date and time too, a point.
TEST(FuzzyDateTest, EveryInstantFormatsAndParsesBack) {
  const uint64_t seed = 20260114;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> any(std::numeric_limits<int64_t>::min(),
                                             std::numeric_limits<int64_t>::max());
  std::uniform_int_distribution<int64_t> edtf_years(kMinus9999_01_01, k9999_12_31_last);
  for (int i = 0; i < 40000; ++i) {
    const int64_t micros = i % 2 ? any(rng) : edtf_years(rng);
    const std::string text = FormatInstant(micros);
    Result<int64_t> back = ParseInstant(text);
    ASSERT_TRUE(back.ok()) << "seed " << seed << ": " << text << ": " << back.status().message();
    ASSERT_EQ(*back, micros) << "seed " << seed << ": " << text;
    if (micros >= kMinus9999_01_01 && micros <= k9999_12_31_last) {
      Result<FuzzyDate> fuzzy = ParseFuzzyDate(text);
      ASSERT_TRUE(fuzzy.ok()) << "seed " << seed << ": " << text << ": "
                              << fuzzy.status().message();
      ASSERT_EQ(fuzzy->earliest, micros) << text;
      ASSERT_EQ(fuzzy->latest, micros) << text;
    }
  }
  for (int64_t micros : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                         kMinus9999_01_01, kMinus9999_01_01 - 1, k9999_12_31_last,
                         k9999_12_31_last + 1, k0000_01_01 - 1}) {
    Result<int64_t> back = ParseInstant(FormatInstant(micros));
    ASSERT_TRUE(back.ok()) << FormatInstant(micros);
    EXPECT_EQ(*back, micros) << FormatInstant(micros);
  }
}

// An independent oracle: the first microsecond of year-month-day by glibc's timegm, which
// also normalises month 13 to January of the next year.
int64_t OracleDayStart(int64_t year, int month, int day) {
  std::tm tm{};
  tm.tm_year = static_cast<int>(year - 1900);
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return static_cast<int64_t>(timegm(&tm)) * 1000000;
}

// A random point of the grammar with its bounds by the oracle.
struct Generated {
  std::string text;
  int64_t earliest = 0;
  int64_t latest = 0;
  char qualifier = 0;
};

std::string YearText(int64_t year) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%04lld", year < 0 ? "-" : "",
                static_cast<long long>(year < 0 ? -year : year));
  return buf;
}

Generated RandomPoint(std::mt19937_64& rng) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto two = [](int64_t v) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%02d", static_cast<int>(v));
    return std::string(buf);
  };
  // Mostly recent years, where dates cluster, sometimes any four-digit year.
  const int64_t year = pick(0, 3) ? pick(1900, 2100) : pick(-9999, 9999);
  const int month = static_cast<int>(pick(1, 12));
  const int64_t month_days =
      (OracleDayStart(year, month + 1, 1) - OracleDayStart(year, month, 1)) / kDay;
  const int day = static_cast<int>(pick(1, month_days));
  const std::string y = YearText(year);
  Generated g;
  bool date_time = false;
  switch (pick(0, 10)) {
    case 0:
      g = {y, OracleDayStart(year, 1, 1), OracleDayStart(year + 1, 1, 1) - 1};
      break;
    case 1:
      g = {y + "-" + two(month), OracleDayStart(year, month, 1),
           OracleDayStart(year, month + 1, 1) - 1};
      break;
    case 2:
      g = {y + "-" + two(month) + "-" + two(day), OracleDayStart(year, month, day),
           OracleDayStart(year, month, day + 1) - 1};
      break;
    case 3: {  // season: spring starts in March
      const int season = static_cast<int>(pick(21, 24)), first = 3 * (season - 21) + 3;
      g = {y + "-" + two(season), OracleDayStart(year, first, 1),
           OracleDayStart(year, first + 3, 1) - 1};
      break;
    }
    case 4: {
      const int q = static_cast<int>(pick(1, 4)), first = 3 * (q - 1) + 1;
      g = {y + (pick(0, 1) ? "-Q" + std::to_string(q) : "-" + two(32 + q)),
           OracleDayStart(year, first, 1), OracleDayStart(year, first + 3, 1) - 1};
      break;
    }
    case 5: {  // one or two unspecified digits
      const int64_t span = pick(0, 1) ? 10 : 100;
      const int64_t magnitude = year < 0 ? -year : year;
      const int64_t lo = magnitude / span * span, hi = lo + span - 1;
      std::string text = YearText(year);
      text.replace(text.size() - (span == 10 ? 1 : 2), span == 10 ? 1 : 2,
                   span == 10 ? "X" : "XX");
      const int64_t first = year < 0 ? -hi : lo, last = year < 0 ? -lo : hi;
      g = {text, OracleDayStart(first, 1, 1), OracleDayStart(last + 1, 1, 1) - 1};
      break;
    }
    case 6:
      g = {y + (pick(0, 1) ? "-XX" : "-XX-XX"), OracleDayStart(year, 1, 1),
           OracleDayStart(year + 1, 1, 1) - 1};
      break;
    case 7:
      g = {y + "-" + two(month) + "-XX", OracleDayStart(year, month, 1),
           OracleDayStart(year, month + 1, 1) - 1};
      break;
    case 8: {  // Y-year
      const int64_t big = pick(0, 1) ? pick(10000, 294246) : -pick(10000, 290307);
      g = {"Y" + std::to_string(big), OracleDayStart(big, 1, 1),
           OracleDayStart(big + 1, 1, 1) - 1};
      break;
    }
    default: {  // date and time
      date_time = true;
      const int64_t hour = pick(0, 23), minute = pick(0, 59);
      std::string text =
          y + "-" + two(month) + "-" + two(day) + "T" + two(hour) + ":" + two(minute);
      int64_t seconds = (hour * 60 + minute) * 60, fraction = 0;
      if (pick(0, 1)) {
        const int64_t second = pick(0, 59);
        text += ":" + two(second);
        seconds += second;
        if (pick(0, 1)) {
          fraction = pick(0, 999999);
          char buf[16];
          std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(fraction));
          text += buf;
        }
      }
      switch (pick(0, 3)) {
        case 0:
          break;  // no zone: UTC
        case 1:
          text += "Z";
          break;
        default: {
          const int64_t offset_minutes = pick(-14 * 60, 14 * 60);
          const int64_t magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
          const bool hours_only = magnitude % 60 == 0 && pick(0, 1);
          text += (offset_minutes < 0 ? "-" : "+") + two(magnitude / 60);
          if (!hours_only) text += ":" + two(magnitude % 60);
          seconds -= offset_minutes * 60;
          break;
        }
      }
      const int64_t at = OracleDayStart(year, month, day) + seconds * 1000000 + fraction;
      g = {text, at, at};
      break;
    }
  }
  if (!date_time) {
    static constexpr char kQualifiers[] = {0, '~', '?', '%'};
    g.qualifier = kQualifiers[pick(0, 3)];
    if (g.qualifier != 0) g.text += g.qualifier;
  }
  return g;
}

// Random dates and intervals of the grammar parse to the oracle's bounds, with each end's
// kind and qualifiers; a reversed interval is refused; ParseInstant gives the latest.
TEST(FuzzyDateTest, GeneratedDatesHaveTheOraclesBounds) {
  const uint64_t seed = 20260115;
  std::mt19937_64 rng(seed);
  int intervals = 0, reversed = 0;
  for (int i = 0; i < 30000; ++i) {
    const Generated a = RandomPoint(rng), b = RandomPoint(rng);
    // 0, 1: a single date; 2, 3: a/b; 4: ../b or a/..; 5: /b or a/
    const int shape = static_cast<int>(rng() % 6);
    std::string text;
    DateEnd start = DateEnd::kBounded, end = DateEnd::kBounded;
    int64_t earliest = a.earliest, latest = a.latest;
    char start_q = a.qualifier, end_q = a.qualifier;
    bool refused = false;
    if (shape <= 1) {
      text = a.text;
    } else if (shape <= 3) {
      text = a.text + "/" + b.text;
      latest = b.latest;
      end_q = b.qualifier;
      refused = a.earliest > b.latest;
    } else {
      const DateEnd kind = shape == 4 ? DateEnd::kOpen : DateEnd::kUnknown;
      const std::string mark = shape == 4 ? ".." : "";
      if (rng() % 2) {
        text = mark + "/" + b.text;
        start = kind;
        earliest = kUnboundedEarliest;
        latest = b.latest;
        start_q = 0;
        end_q = b.qualifier;
      } else {
        text = a.text + "/" + mark;
        end = kind;
        latest = kUnboundedLatest;
        end_q = 0;
      }
    }
    SCOPED_TRACE("seed " + std::to_string(seed) + ", iteration " + std::to_string(i) + ": '" +
                 text + "'");
    Result<FuzzyDate> r = ParseFuzzyDate(text);
    if (refused) {
      ++reversed;
      ASSERT_FALSE(r.ok());
      ASSERT_NE(r.status().message().find("is after its end"), std::string::npos)
          << r.status().message();
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.status().message();
    intervals += shape >= 2;
    ASSERT_EQ(r->earliest, earliest);
    ASSERT_EQ(r->latest, latest);
    ASSERT_EQ(r->start, start);
    ASSERT_EQ(r->end, end);
    ASSERT_EQ(EndQualifiers(*r), std::string(start_q ? 1 : 0, start_q) + "/" +
                                     std::string(end_q ? 1 : 0, end_q));
    ASSERT_EQ(r->approximate, r->start_approximate || r->end_approximate);
    ASSERT_EQ(r->uncertain, r->start_uncertain || r->end_uncertain);
    Result<int64_t> last = ParseInstant(text);
    ASSERT_EQ(last.ok(), end == DateEnd::kBounded);
    if (last.ok()) {
      ASSERT_EQ(*last, latest);
    }
  }
  EXPECT_GT(intervals, 10000);
  EXPECT_GT(reversed, 1000);
}

bool Contains(const FuzzyDate& outer, const FuzzyDate& inner) {
  return outer.earliest <= inner.earliest && inner.latest <= outer.latest;
}

// For random days: time ⊂ day ⊂ month (= YYYY-MM-XX) ⊂ quarter ⊂ year (= YYYY-XX) ⊂ YYYX ⊂
// YYXX, the month ⊂ its season, and an interval of two days spans both.
TEST(FuzzyDateTest, GeneratedDatesNest) {
  const uint64_t seed = 20260116;
  std::mt19937_64 rng(seed);
  char buf[64];
  for (int i = 0; i < 5000; ++i) {
    const int year = static_cast<int>(rng() % 9000) + 1000;
    const int month = static_cast<int>(rng() % 12) + 1;
    const int day = static_cast<int>(rng() % 28) + 1, hour = static_cast<int>(rng() % 24);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", iteration " + std::to_string(i));
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:17:05Z", year, month, day, hour);
    const FuzzyDate time = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
    const FuzzyDate d = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%04d-%02d", year, month);
    const FuzzyDate m = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%04d-%02d-XX", year, month);
    const FuzzyDate m_xx = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%04d-Q%d", year, (month - 1) / 3 + 1);
    const FuzzyDate q = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%04d", year);
    const FuzzyDate y = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%04d-XX", year);
    const FuzzyDate y_xx = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%03dX", year / 10);
    const FuzzyDate decade = MustParse(buf);
    std::snprintf(buf, sizeof(buf), "%02dXX", year / 100);
    const FuzzyDate century = MustParse(buf);
    // December belongs to that year's winter, January and February to the previous one's.
    const int season_year = month <= 2 ? year - 1 : year;
    const int season = month == 12 || month <= 2 ? 24 : (month - 3) / 3 + 21;
    std::snprintf(buf, sizeof(buf), "%04d-%02d", season_year, season);
    const FuzzyDate s = MustParse(buf);
    ASSERT_TRUE(Contains(d, time));
    ASSERT_TRUE(Contains(m, d));
    ASSERT_TRUE(Contains(m_xx, m) && Contains(m, m_xx));
    ASSERT_TRUE(Contains(q, m));
    ASSERT_TRUE(Contains(y, q));
    ASSERT_TRUE(Contains(y_xx, y) && Contains(y, y_xx));
    ASSERT_TRUE(Contains(decade, y));
    ASSERT_TRUE(Contains(century, decade));
    ASSERT_TRUE(Contains(s, m));
    std::snprintf(buf, sizeof(buf), "%04d/%04d-%02d-%02d", year - 1, year, month, day);
    const FuzzyDate span = MustParse(buf);
    ASSERT_EQ(span.latest, d.latest);
    ASSERT_LT(span.earliest, y.earliest);
  }
}

}  // namespace
}  // namespace annals
