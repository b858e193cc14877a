// Copyright annals authors.
//
// Tests for every form of the fuzzy-date grammar (SPEC §1): years, months, days and
// quarters as whole UTC intervals, dates and times with their offsets, the qualifiers
// ~ ? %, and intervals with a qualifier at each end.
//
// Expected microsecond values were computed independently of the code under test
// (fuzzy_date_test_util.h says how).

#include <gtest/gtest.h>

#include "annals/fuzzy_date.h"
#include "fuzzy_date_test_util.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
