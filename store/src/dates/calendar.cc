// Copyright annals authors.
//
// Proleptic Gregorian arithmetic (calendar.h) and the text of an instant (FormatInstant).
//
// FormatInstant writes RFC 3339 in UTC with six fraction digits for years 0000..9999,
// "YYYY-MM-DDThh:mm:ss.ffffffZ", the one shape the store writes for recorded_at.  Other
// years cannot be written in RFC 3339; they get the sign of an EDTF negative year for
// -9999..-0001 ("-0044-03-15T00:00:00.000000Z") and ISO 8601's expanded representation
// with six digits and a mandatory sign beyond ("+010000-01-01T01:00:00.000000Z",
// "-012000-…"), as ECMAScript's Date also writes them.  Six digits cover every int64
// microsecond.  ParseInstant reads all of these back.

#include "dates/calendar.h"

#include <cstdio>
#include <string>

#include "annals/fuzzy_date.h"

namespace annals {
namespace internal {

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Howard Hinnant's days_from_civil: shift the year to start on March 1 so the leap day is
// last, then count whole 400-year eras (146097 days) plus the day of the era.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                                  // [0, 399]
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                          // [0, 146096]
  return era * 146097 + doe - 719468;
}

// Hinnant's civil_from_days.
Civil CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool MicrosFromSeconds(int64_t seconds, int64_t micros, int64_t* out) {
  // INT64_MIN is -9223372036855 s + 224192 µs, and that second times 10^6 overflows on
  // its own: borrow a second from the fraction so the product of a representable result
  // always fits.
  if (seconds < 0 && micros > 0) {
    seconds += 1;
    micros -= kMicrosPerSecond;
  }
  int64_t product = 0, sum = 0;
  if (__builtin_mul_overflow(seconds, kMicrosPerSecond, &product) ||
      __builtin_add_overflow(product, micros, &sum)) {
    return false;
  }
  *out = sum;
  return true;
}

bool FirstMicroOfDay(int64_t day, int64_t* out) {
  return MicrosFromSeconds(day * kSecondsPerDay, 0, out);
}

bool LastMicroBeforeDay(int64_t end_day, int64_t* out) {
  return MicrosFromSeconds(end_day * kSecondsPerDay - 1, kMicrosPerSecond - 1, out);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return r < 0 ? r + b : r;
}

}  // namespace internal

std::string FormatInstant(int64_t micros) {
  using internal::FloorDiv;
  using internal::FloorMod;
  // Flooring keeps the time of day non-negative for instants before 1970.
  const int64_t seconds = FloorDiv(micros, internal::kMicrosPerSecond);
  const int64_t fraction = FloorMod(micros, internal::kMicrosPerSecond);
  const int64_t days = FloorDiv(seconds, internal::kSecondsPerDay);
  const int64_t second_of_day = FloorMod(seconds, internal::kSecondsPerDay);
  const internal::Civil civil = internal::CivilFromDays(days);
  const bool four_digits = civil.year >= -9999 && civil.year <= 9999;
  const char* sign = civil.year < 0 ? "-" : four_digits ? "" : "+";
  char buf[64];
  std::snprintf(
      buf, sizeof(buf), "%s%0*lld-%02d-%02dT%02d:%02d:%02d.%06dZ", sign, four_digits ? 4 : 6,
      static_cast<long long>(civil.year < 0 ? -civil.year : civil.year), civil.month, civil.day,
      static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
      static_cast<int>(second_of_day % 60), static_cast<int>(fraction));
  return buf;
}

}  // namespace annals
