// Copyright annals authors.
//
// The fields of one point of a fuzzy date (SPEC §1; the grammar in full is in fuzzy_date.h):
// a year (four digits, X for its last one or two, or Y and more digits), month, season or
// quarter, day, and a time of day with its UTC offset, read into the closed interval of
// instants they denote.  The text around a point (intervals, ends, qualifiers) is read in
// fuzzy_date_grammar.cc.
//
// Where a point takes an EDTF level 2 form that annals does not support, it is named
// instead of failing as a bare syntax error: exponential years (E), significant digits
// (S), unspecified digits other than level 1's, and sub-year groupings other than seasons
// and quarters.
//
// Every numeric field has a fixed number of digits (a Y-year's value is read only when it
// has at most 7), so no field can overflow; instants are combined in calendar.cc, which
// reports an instant beyond int64 microseconds instead of wrapping.

#include "dates/fuzzy_date_internal.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "annals/fuzzy_date.h"
#include "dates/calendar.h"

namespace annals {
namespace internal {
namespace edtf {
namespace {

constexpr char kOutOfRange[] =
    "outside the instants annals can hold (microseconds since 1970 in 64 bits: "
    "-290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z)";
constexpr char kLevel2Exponent[] = "EDTF level 2 exponential year (E) is not supported";
constexpr char kLevel2Significant[] = "EDTF level 2 significant digits (S) are not supported";
constexpr char kLevel2Unspecified[] =
    "EDTF level 2 unspecified digits are not supported; level 1 allows X only as the last "
    "one or two digits of a year alone, a whole month or a whole day";
constexpr char kQualifiedTime[] =
    "a qualifier (~, ? or %) applies to a date, not to a date and time";

std::string CharName(char c) { return "'" + Quote(std::string_view(&c, 1)) + "'"; }

// Number of consecutive bytes of `s` from `pos` that are digits (or 'X' with `or_x`).
size_t DigitRun(std::string_view s, size_t pos, bool or_x = false) {
  size_t n = 0;
  while (pos + n < s.size() && (IsDigit(s[pos + n]) || (or_x && s[pos + n] == 'X'))) ++n;
  return n;
}

// Reads exactly `width` digits at `pos` (not followed by another digit) into `value` and
// advances `pos`.  On failure sets `error` to "<field> must have <width> digits".
bool ReadFixed(std::string_view s, size_t* pos, size_t width, const char* field, int64_t* value,
               std::string* error) {
  if (DigitRun(s, *pos) != width) {
    *error = std::string(field) + " must have " + std::to_string(width) + " digits";
    return false;
  }
  *value = Number(s, *pos, width);
  *pos += width;
  return true;
}

bool CheckRange(int64_t value, int64_t lo, int64_t hi, const char* field, std::string* error) {
  if (value >= lo && value <= hi) return true;
  *error = std::string(field) + " " + std::to_string(value) + " out of range";
  return false;
}

// Checks that `pos` is the end of `s`; `after` names what was just read.
bool ExpectEnd(std::string_view s, size_t pos, const char* after, std::string* error) {
  if (pos == s.size()) return true;
  *error = "unexpected " + CharName(s[pos]) + " after the " + after;
  return false;
}

// Sets the point to the whole days [first_day, end_day).
bool SetDays(int64_t first_day, int64_t end_day, Point* out, std::string* error) {
  if (!internal::FirstMicroOfDay(first_day, &out->earliest) ||
      !internal::LastMicroBeforeDay(end_day, &out->latest)) {
    *error = kOutOfRange;
    return false;
  }
  return true;
}

// Sets the point to the years [first, last] (first day of `first` to last of `last`).
bool SetYears(int64_t first, int64_t last, Point* out, std::string* error) {
  return SetDays(DaysFromCivil(first, 1, 1), DaysFromCivil(last + 1, 1, 1), out, error);
}

// Sets the point to the months [year-month, + count months).
bool SetMonths(int64_t year, int month, int count, Point* out, std::string* error) {
  const int end = month - 1 + count;  // months since January of `year`, exclusive
  return SetDays(DaysFromCivil(year, month, 1), DaysFromCivil(year + end / 12, end % 12 + 1, 1),
                 out, error);
}

// The name of an EDTF level 2 sub-year grouping 25..41 (ISO 8601-2 4.8) other than the
// quarters 33..36.
std::string GroupingName(int64_t code) {
  static constexpr const char* kSeasons[] = {"spring", "summer", "autumn", "winter"};
  if (code <= 32) {
    return std::string(kSeasons[(code - 25) % 4]) + (code <= 28 ? ", northern" : ", southern") +
           " hemisphere";
  }
  if (code <= 39) return "quadrimester " + std::to_string(code - 36);
  return "semester " + std::to_string(code - 39);
}

// Parses "hh:mm[:ss[.f]][zone]" at `pos` (just after the 'T') on `day` (days since epoch).
bool ParseTimeOfDay(std::string_view s, size_t pos, int64_t day, Mode mode, Point* out,
                    std::string* error) {
  int64_t hour = 0, minute = 0, second = 0, fraction = 0;
  if (!ReadFixed(s, &pos, 2, "hour", &hour, error)) return false;
  if (!CheckRange(hour, 0, 23, "hour", error)) return false;
  if (pos == s.size() || s[pos] != ':') {
    *error = "expected ':' and minutes after the hour";
    return false;
  }
  ++pos;
  if (!ReadFixed(s, &pos, 2, "minute", &minute, error)) return false;
  if (!CheckRange(minute, 0, 59, "minute", error)) return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!ReadFixed(s, &pos, 2, "second", &second, error)) return false;
    if (!CheckRange(second, 0, 59, "second", error)) return false;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      const size_t digits = DigitRun(s, pos);
      if (digits < 1 || (digits > 6 && mode == Mode::kDate)) {
        *error = "fraction of a second must have 1 to 6 digits, not " + std::to_string(digits);
        return false;
      }
      const size_t used = digits < 6 ? digits : 6;  // RFC 3339 digits beyond µs truncate
      fraction = Number(s, pos, used);
      for (size_t i = used; i < 6; ++i) fraction *= 10;
      pos += digits;
    }
  }
  int64_t offset_seconds = 0;  // none: local time, read as UTC
  if (pos < s.size() && (s[pos] == 'Z' || (s[pos] == 'z' && mode == Mode::kInstant))) {
    ++pos;
    if (!ExpectEnd(s, pos, "UTC offset", error)) return false;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const size_t offset_pos = pos;
    const bool with_minutes = pos + 3 < s.size() && s[pos + 3] == ':';
    if (DigitRun(s, pos + 1) != 2 || (with_minutes && DigitRun(s, pos + 4) != 2)) {
      *error = "UTC offset must be ±hh or ±hh:mm";
      return false;
    }
    const int64_t off_hour = Number(s, pos + 1, 2);
    const int64_t off_minute = with_minutes ? Number(s, pos + 4, 2) : 0;
    pos += with_minutes ? 6 : 3;
    if (!CheckRange(off_minute, 0, 59, "offset minute", error)) return false;
    if (off_hour * 60 + off_minute > 14 * 60) {
      *error =
          "UTC offset " + std::string(s.substr(offset_pos, pos - offset_pos)) + " is beyond ±14:00";
      return false;
    }
    if (!ExpectEnd(s, pos, "UTC offset", error)) return false;
    offset_seconds = (off_hour * 60 + off_minute) * 60 * (s[offset_pos] == '-' ? -1 : 1);
  } else if (pos < s.size()) {
    *error = "unexpected " + CharName(s[pos]) + " after the time (expected Z, ±hh or ±hh:mm)";
    return false;
  }
  const int64_t seconds =
      day * kSecondsPerDay + (hour * 60 + minute) * 60 + second - offset_seconds;
  if (!internal::MicrosFromSeconds(seconds, fraction, &out->earliest)) {
    *error = kOutOfRange;
    return false;
  }
  out->latest = out->earliest;
  return true;
}

// Parses a Y-prefixed year ("Y170000002", "Y-12000"), which stands alone.
bool ParseLetterYear(std::string_view s, Point* out, std::string* error) {
  size_t pos = 1;
  const bool negative = pos < s.size() && s[pos] == '-';
  if (negative) ++pos;
  const size_t digits = DigitRun(s, pos);
  const size_t after = pos + digits;
  if (after < s.size() && s[after] == 'E') {
    *error = kLevel2Exponent;
    return false;
  }
  if (after < s.size() && s[after] == 'S') {
    *error = kLevel2Significant;
    return false;
  }
  if (digits == 0) {
    *error = "a Y-prefixed year must have digits";
    return false;
  }
  if (digits <= 4) {
    *error = "a Y-prefixed year must have more than four digits (write " +
             std::string(negative ? "-" : "") + std::string(4 - digits, '0') +
             std::string(s.substr(pos, digits)) + ")";
    return false;
  }
  if (s[pos] == '0') {
    *error = "a Y-prefixed year must not start with 0";
    return false;
  }
  if (after < s.size()) {
    *error = "unexpected " + CharName(s[after]) +
             " after a Y-prefixed year (it stands alone: no month, day, season or time)";
    return false;
  }
  // More digits than kMaxCalendarYear has are out of range whatever they are.
  int64_t year = digits > 7 ? kMaxCalendarYear + 1 : Number(s, pos, digits);
  if (year > kMaxCalendarYear) {
    *error = "year " + std::string(negative ? "-" : "") + std::string(s.substr(pos, digits)) +
             " is " + kOutOfRange;
    return false;
  }
  if (negative) year = -year;
  if (SetYears(year, year, out, error)) return true;
  *error = "year " + std::to_string(year) + " is " + *error;
  return false;
}

}  // namespace

// Parses the core of a point (no qualifier) that makes up all of `s`.  `qualified` says a
// qualifier followed it, which a date and time does not take.
bool ParseCore(std::string_view s, Mode mode, bool qualified, Point* out, std::string* error) {
  if (s[0] == 'Y') return ParseLetterYear(s, out, error);
  size_t pos = 0;
  const bool negative = s[0] == '-';
  const bool plus = s[0] == '+';
  if (negative || plus) ++pos;
  if (pos == s.size() || (!IsDigit(s[pos]) && s[pos] != 'X')) {
    *error = pos == 0 ? kExpectedForms : "year must have 4 digits";
    return false;
  }

  // The year: four digits or X, a sign and six digits in an instant.
  const size_t width = DigitRun(s, pos, /*or_x=*/true);
  const std::string_view year_text = s.substr(pos, width);
  const size_t first_x = year_text.find('X');
  const bool has_x = first_x != std::string_view::npos;
  const bool expanded = mode == Mode::kInstant && (negative || plus) && width == 6 && !has_x;
  if (plus && !expanded) {
    *error = mode == Mode::kInstant ? "an expanded year must have a sign and 6 digits"
                                    : "year must not have a '+' sign";
    return false;
  }
  if (width != 4 && !expanded) {
    *error = "year must have 4 digits";
    if (width == 8 && !has_x) {
      *error += " (EDTF dates are written YYYY-MM-DD)";
    } else if (width > 4 && !has_x) {
      *error += std::string(" (a year beyond four digits is written Y") + (negative ? "-" : "") +
                std::string(year_text) + ")";
    }
    return false;
  }
  // Level 1: X only as the last one or two digits.
  if (has_x && (year_text.size() - first_x > 2 ||
                year_text.find_first_of("0123456789", first_x) != std::string_view::npos)) {
    *error = kLevel2Unspecified;
    return false;
  }
  int64_t first_year = Number(s, pos, width, 0), last_year = Number(s, pos, width, 9);
  if (negative) {
    if (last_year == 0) {
      *error = "year -0000 is not a year: year zero is 0000";
      return false;
    }
    const int64_t t = first_year;
    first_year = -last_year;
    last_year = -t;
  }
  pos += width;
  if (has_x) {
    if (pos < s.size() && s[pos] == '-') {
      *error = kLevel2Unspecified;
      return false;
    }
    return ExpectEnd(s, pos, "year", error) && SetYears(first_year, last_year, out, error);
  }
  const int64_t year = first_year;
  if (pos == s.size()) return SetYears(year, year, out, error);
  if (s[pos] == 'S') {
    *error = kLevel2Significant;
    return false;
  }
  if (s[pos] != '-') return ExpectEnd(s, pos, "year", error);
  ++pos;

  if (pos < s.size() && s[pos] == 'Q') {
    ++pos;
    if (DigitRun(s, pos) != 1) {
      *error = "quarter must be Q1, Q2, Q3 or Q4";
      return false;
    }
    const int64_t quarter = s[pos] - '0';
    ++pos;
    if (!CheckRange(quarter, 1, 4, "quarter", error)) return false;
    return ExpectEnd(s, pos, "quarter", error) &&
           SetMonths(year, static_cast<int>(quarter - 1) * 3 + 1, 3, out, error);
  }

  // Month, season or quarter: two digits, or XX.
  if (DigitRun(s, pos, /*or_x=*/true) != 2) {
    *error = "month must have 2 digits";
    return false;
  }
  const std::string_view month_text = s.substr(pos, 2);
  pos += 2;
  if (month_text == "XX") {
    // 2004-XX and 2004-XX-XX are all of 2004; a day under an unspecified month is level 2.
    const char* last = "month";
    if (pos < s.size() && s[pos] == '-') {
      ++pos;
      const bool two = DigitRun(s, pos, /*or_x=*/true) == 2;
      if (!two || s.substr(pos, 2) != "XX") {
        *error = two ? kLevel2Unspecified : "day must be XX after month XX";
        return false;
      }
      pos += 2;
      last = "day";
    }
    return ExpectEnd(s, pos, last, error) && SetYears(year, year, out, error);
  }
  if (month_text.find('X') != std::string_view::npos) {
    *error = kLevel2Unspecified;
    return false;
  }
  const int64_t code = Number(month_text, 0, 2);
  if (code >= 21 && code <= 24) {  // seasons, meteorological, northern hemisphere
    return ExpectEnd(s, pos, "season", error) &&
           SetMonths(year, static_cast<int>(code - 21) * 3 + 3, 3, out, error);
  }
  if (code >= 33 && code <= 36) {  // quarters, EDTF level 2 spelling
    return ExpectEnd(s, pos, "quarter", error) &&
           SetMonths(year, static_cast<int>(code - 33) * 3 + 1, 3, out, error);
  }
  if (code >= 25 && code <= 41) {
    *error = "EDTF level 2 sub-year grouping " + std::to_string(code) + " (" + GroupingName(code) +
             ") is not supported; annals takes seasons 21..24 and quarters 33..36";
    return false;
  }
  if (!CheckRange(code, 1, 12, "month", error)) return false;
  const int month = static_cast<int>(code);
  if (pos == s.size()) return SetMonths(year, month, 1, out, error);
  if (s[pos] != '-') return ExpectEnd(s, pos, "month", error);
  ++pos;

  if (DigitRun(s, pos, /*or_x=*/true) != 2) {
    *error = "day must have 2 digits";
    return false;
  }
  const std::string_view day_text = s.substr(pos, 2);
  pos += 2;
  if (day_text == "XX") {
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
      *error = "a day with unspecified digits takes no time";
      return false;
    }
    return ExpectEnd(s, pos, "day", error) && SetMonths(year, month, 1, out, error);
  }
  if (day_text.find('X') != std::string_view::npos) {
    *error = kLevel2Unspecified;
    return false;
  }
  const int64_t day = Number(day_text, 0, 2);
  if (day < 1 || day > DaysInMonth(year, month)) {
    char ym[32];
    std::snprintf(ym, sizeof(ym), "%s%04lld-%02d", year < 0 ? "-" : "",
                  static_cast<long long>(year < 0 ? -year : year), month);
    *error = "day " + std::to_string(day) + " out of range for " + ym;
    return false;
  }
  const int64_t days = DaysFromCivil(year, month, static_cast<int>(day));
  if (pos == s.size()) return SetDays(days, days + 1, out, error);
  if (s[pos] != 'T' && !(s[pos] == 't' && mode == Mode::kInstant)) {
    *error = "unexpected " + CharName(s[pos]) + " after the day (expected 'T' and a time)";
    return false;
  }
  if (qualified) {
    *error = kQualifiedTime;
    return false;
  }
  return ParseTimeOfDay(s, pos + 1, days, mode, out, error);
}

}  // namespace edtf
}  // namespace internal
}  // namespace annals
