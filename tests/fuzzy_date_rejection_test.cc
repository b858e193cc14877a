// Copyright annals authors.
//
// Tests for the rejection of malformed fuzzy dates (SPEC §1): the length limit, empty
// text, and the exact messages that name the value and what is wrong with it.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "annals/fuzzy_date.h"
#include "fuzzy_date_test_util.h"

namespace annals {
namespace test {
namespace {

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

}  // namespace
}  // namespace test
}  // namespace annals
