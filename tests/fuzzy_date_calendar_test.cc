// Copyright annals authors.
//
// Tests for the calendar rules of fuzzy dates (SPEC §1): leap days, month lengths, years
// before 1970, negative and Y-prefixed years, and the years int64 microseconds can hold.
//
// Expected microsecond values were computed independently of the code under test
// (fuzzy_date_test_util.h says how).

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "annals/fuzzy_date.h"
#include "fuzzy_date_test_util.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
