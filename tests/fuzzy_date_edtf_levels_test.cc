// Copyright annals authors.
//
// Tests against the EDTF specification (Library of Congress, 2019; ISO 8601-2): its own
// examples of levels 0 and 1 with exact interval bounds, annals' extensions (quarters,
// winter), open and unknown ends, and level 2 and 2012-draft forms refused by name.
//
// Expected microsecond values were computed independently of the code under test
// (fuzzy_date_test_util.h says how).

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "annals/fuzzy_date.h"
#include "fuzzy_date_test_util.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
