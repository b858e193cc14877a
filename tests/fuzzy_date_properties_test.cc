// Copyright annals authors.
//
// Property tests of fuzzy dates on seeded random input: every instant formats and parses
// back, generated dates and intervals have the bounds of an independent oracle (glibc's
// timegm), and generated dates nest (a time in its day, month, quarter, year and decade).

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>
#include <random>
#include <string>

#include "annals/fuzzy_date.h"
#include "fuzzy_date_test_util.h"

namespace annals {
namespace test {
namespace {

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
    char buf[16];  // room for any int, which the compiler cannot rule out
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
}  // namespace test
}  // namespace annals
