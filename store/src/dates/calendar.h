// Copyright annals authors.
//
// Proleptic Gregorian calendar arithmetic for fuzzy dates (fuzzy_date.cc) and instant
// formatting: days and seconds since 1970-01-01, and microseconds since the epoch with the
// overflow of int64 (about ±292,000 years) reported rather than wrapped.
//
// Years are astronomical: year 0 is 1 BCE, year -44 is 45 BCE (ISO 8601, EDTF).  The day
// and second counts are exact for years in [-kMaxCalendarYear, kMaxCalendarYear]; a parser
// refuses a larger year before it gets here (none of its instants fits in int64 micros).

#ifndef ANNALS_STORE_SRC_CALENDAR_H_
#define ANNALS_STORE_SRC_CALENDAR_H_

#include <cstdint>

namespace annals {
namespace internal {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kMaxCalendarYear = 1'000'000;

bool IsLeapYear(int64_t year);

// 28..31; `month` in 1..12.
int DaysInMonth(int64_t year, int month);

// Days from 1970-01-01 to year-month-day (month 1..12, day 1..DaysInMonth).
int64_t DaysFromCivil(int64_t year, int month, int day);

struct Civil {
  int64_t year;
  int month;
  int day;
};

// Inverse of DaysFromCivil, for any int64 day count an int64 microsecond can reach.
Civil CivilFromDays(int64_t days);

// Sets `*out` to `seconds` since the epoch plus `micros` (0..999999) as microseconds since
// the epoch.  False, leaving `*out` alone, when that instant is not an int64.
[[nodiscard]] bool MicrosFromSeconds(int64_t seconds, int64_t micros, int64_t* out);

// The first microsecond of `day` and the last one before `end_day` (days since the epoch),
// as MicrosFromSeconds.
[[nodiscard]] bool FirstMicroOfDay(int64_t day, int64_t* out);
[[nodiscard]] bool LastMicroBeforeDay(int64_t end_day, int64_t* out);

// Floor division and its non-negative remainder, for a positive divisor.  Neither
// multiplies back, so both are defined for every int64 `a`, INT64_MIN included.
int64_t FloorDiv(int64_t a, int64_t b);
int64_t FloorMod(int64_t a, int64_t b);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_CALENDAR_H_
