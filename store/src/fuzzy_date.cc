// Copyright annals authors.
//
// Fuzzy-date parsing and instant formatting (SPEC §1).
//
// Accepted text (byte for byte; no whitespace, no other characters, at most 96 bytes):
//
//   date      := point | point "/" point
//   point     := core qualifier?
//   qualifier := "~" | "?" | "%"                 (at most one per point)
//   core      := year                             YYYY           2025
//              | year "-" month                   YYYY-MM        2025-04
//              | year "-" month "-" day           YYYY-MM-DD     2025-04-15
//              | year "-Q" quarter                YYYY-Qn        2025-Q2   (n in 1..4)
//              | year "-" month "-" day "T" time offset           2025-04-15T09:30Z
//   time      := hh ":" mm [":" ss ["." f{1,6}]]  hh 00..23, mm 00..59, ss 00..59
//   offset    := "Z" | ("+" | "-") hh ":" mm      offset hh 00..23, mm 00..59
//
// Every numeric field has exactly the digits shown (year 0001..9999, month 01..12, day
// 01..days in that month of the proleptic Gregorian calendar), so no field can overflow.
// `T` and `Z` are upper case only; `-00:00` is accepted and means UTC.
//
// Meaning, in microseconds since 1970-01-01T00:00:00Z:
//   - a year, month, quarter or day is the closed interval from its first microsecond to
//     its last one, in UTC (2025-04 = [2025-04-01T00:00:00.000000Z,
//     2025-04-30T23:59:59.999999Z]);
//   - an instant is a single point: earliest == latest == local time minus the offset.
//     Leaving out the seconds does not make it a one-minute interval;
//   - an interval "a/b" is [a.earliest, b.latest] and requires a.earliest <= b.latest;
//   - qualifiers never widen the interval: "~" sets approximate, "?" sets uncertain,
//     "%" sets both, on either end of an interval.
//
// Error messages have the form "invalid date '<text>': <problem>" (or "invalid instant"
// for ParseInstant); bytes outside printable ASCII in <text> are shown as \xNN, and text
// over 96 bytes is cut short with "...".

#include "annals/fuzzy_date.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace annals {
namespace {

constexpr size_t kMaxTextLength = 96;
constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
constexpr int64_t kMicrosPerDay = kMicrosPerSecond * kSecondsPerDay;

constexpr char kExpectedForms[] = "expected YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn or an instant";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsQualifier(char c) { return c == '~' || c == '?' || c == '%'; }

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to year-month-day of the proleptic Gregorian calendar, for any
// year an int64 day count can hold.  Howard Hinnant's days_from_civil: shift the year to
// start on March 1 so the leap day is last, then count whole 400-year eras (146097 days)
// plus the day of the era.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month;
  int day;
};

// Inverse of DaysFromCivil (Hinnant's civil_from_days).
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int64_t StartOfDay(int64_t year, int month, int day) {
  return DaysFromCivil(year, month, day) * kMicrosPerDay;
}

// `text` as it is safe to put between quotes in a message: printable ASCII verbatim,
// anything else as \xNN, cut at kMaxTextLength bytes.
std::string Quote(std::string_view text) {
  std::string out;
  const size_t n = text.size() < kMaxTextLength ? text.size() : kMaxTextLength;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    }
  }
  if (n < text.size()) out += "...";
  return out;
}

std::string CharName(char c) { return "'" + Quote(std::string_view(&c, 1)) + "'"; }

// Number of consecutive digits in `s` starting at `pos`.
size_t DigitRun(std::string_view s, size_t pos) {
  size_t n = 0;
  while (pos + n < s.size() && IsDigit(s[pos + n])) ++n;
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
  int64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = v * 10 + (s[*pos + i] - '0');
  *pos += width;
  *value = v;
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

struct Span {
  int64_t earliest = 0;
  int64_t latest = 0;
  char qualifier = 0;  // 0, '~', '?' or '%'
};

// Parses the time and offset of an instant; `pos` is just after the 'T'.  `day_start` is
// the first microsecond of the local date.  Sets out->earliest and out->latest only.
bool ParseTimeOfDay(std::string_view s, size_t pos, int64_t day_start, Span* out,
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
      if (digits < 1 || digits > 6) {
        *error = "fraction of a second must have 1 to 6 digits, not " + std::to_string(digits);
        return false;
      }
      for (size_t i = 0; i < 6; ++i) {
        fraction = fraction * 10 + (i < digits ? s[pos + i] - '0' : 0);
      }
      pos += digits;
    }
  }
  if (pos == s.size()) {
    *error = "instant needs a UTC offset (Z or ±hh:mm)";
    return false;
  }
  int64_t offset_seconds = 0;
  if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const bool negative = s[pos] == '-';
    ++pos;
    int64_t off_hour = 0, off_minute = 0;
    if (DigitRun(s, pos) != 2 || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        DigitRun(s, pos + 3) != 2) {
      *error = "UTC offset must be ±hh:mm";
      return false;
    }
    if (!ReadFixed(s, &pos, 2, "offset hour", &off_hour, error)) return false;
    ++pos;  // ':'
    if (!ReadFixed(s, &pos, 2, "offset minute", &off_minute, error)) return false;
    if (!CheckRange(off_hour, 0, 23, "offset hour", error)) return false;
    if (!CheckRange(off_minute, 0, 59, "offset minute", error)) return false;
    offset_seconds = (off_hour * 60 + off_minute) * 60;
    if (negative) offset_seconds = -offset_seconds;
  } else {
    *error = "expected a UTC offset (Z or ±hh:mm) after the time, found " + CharName(s[pos]);
    return false;
  }
  if (!ExpectEnd(s, pos, "UTC offset", error)) return false;
  const int64_t local_seconds = (hour * 60 + minute) * 60 + second;
  const int64_t instant =
      day_start + (local_seconds - offset_seconds) * kMicrosPerSecond + fraction;
  out->earliest = instant;
  out->latest = instant;
  return true;
}

// Parses one point (core plus optional qualifier) that makes up all of `s`.
bool ParsePoint(std::string_view s, Span* out, std::string* error) {
  *out = Span();
  if (!s.empty() && IsQualifier(s.back())) {
    out->qualifier = s.back();
    s.remove_suffix(1);
    if (!s.empty() && IsQualifier(s.back())) {
      *error = "more than one qualifier (~, ? or %)";
      return false;
    }
  }
  if (s.empty() || (!IsDigit(s[0]) && s[0] != '+' && s[0] != '-')) {
    *error = kExpectedForms;
    return false;
  }
  if (s[0] == '+' || s[0] == '-') {
    *error = "year must not have a sign";
    return false;
  }

  size_t pos = 0;
  int64_t year = 0;
  if (!ReadFixed(s, &pos, 4, "year", &year, error)) return false;
  if (!CheckRange(year, 1, 9999, "year", error)) return false;
  if (pos == s.size()) {
    out->earliest = StartOfDay(year, 1, 1);
    out->latest = StartOfDay(year + 1, 1, 1) - 1;
    return true;
  }
  if (s[pos] != '-') return ExpectEnd(s, pos, "year", error);
  ++pos;

  if (pos < s.size() && s[pos] == 'Q') {
    ++pos;
    int64_t quarter = 0;
    if (DigitRun(s, pos) != 1) {
      *error = "quarter must be Q1, Q2, Q3 or Q4";
      return false;
    }
    quarter = s[pos] - '0';
    ++pos;
    if (!CheckRange(quarter, 1, 4, "quarter", error)) return false;
    if (!ExpectEnd(s, pos, "quarter", error)) return false;
    const int first_month = static_cast<int>(quarter - 1) * 3 + 1;
    out->earliest = StartOfDay(year, first_month, 1);
    out->latest =
        (quarter == 4 ? StartOfDay(year + 1, 1, 1) : StartOfDay(year, first_month + 3, 1)) - 1;
    return true;
  }

  int64_t month = 0;
  if (!ReadFixed(s, &pos, 2, "month", &month, error)) return false;
  if (!CheckRange(month, 1, 12, "month", error)) return false;
  const int m = static_cast<int>(month);
  if (pos == s.size()) {
    out->earliest = StartOfDay(year, m, 1);
    out->latest = (m == 12 ? StartOfDay(year + 1, 1, 1) : StartOfDay(year, m + 1, 1)) - 1;
    return true;
  }
  if (s[pos] != '-') return ExpectEnd(s, pos, "month", error);
  ++pos;

  int64_t day = 0;
  if (!ReadFixed(s, &pos, 2, "day", &day, error)) return false;
  if (day < 1 || day > DaysInMonth(year, m)) {
    char ym[16];
    std::snprintf(ym, sizeof(ym), "%04d-%02d", static_cast<int>(year), m);
    *error = "day " + std::to_string(day) + " out of range for " + ym;
    return false;
  }
  const int64_t day_start = StartOfDay(year, m, static_cast<int>(day));
  if (pos == s.size()) {
    out->earliest = day_start;
    out->latest = day_start + kMicrosPerDay - 1;
    return true;
  }
  if (s[pos] != 'T') {
    *error = "unexpected " + CharName(s[pos]) + " after the day (expected 'T' and a time)";
    return false;
  }
  ++pos;
  return ParseTimeOfDay(s, pos, day_start, out, error);
}

// Parses the whole grammar.  On failure returns false with `error` set to the problem
// alone (without the value), so callers can say "date" or "instant".
bool ParseDate(std::string_view text, FuzzyDate* out, std::string* error) {
  if (text.size() > kMaxTextLength) {
    *error = "longer than " + std::to_string(kMaxTextLength) + " bytes";
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      *error = "unexpected whitespace at offset " + std::to_string(i);
      return false;
    }
    if (c < 0x20 || c >= 0x7f) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "unexpected byte 0x%02X at offset %zu", c, i);
      *error = buf;
      return false;
    }
  }

  const size_t slash = text.find('/');
  Span start, end;
  if (slash == std::string_view::npos) {
    if (!ParsePoint(text, &start, error)) return false;
    end = start;
  } else {
    const std::string_view a = text.substr(0, slash);
    const std::string_view b = text.substr(slash + 1);
    if (b.find('/') != std::string_view::npos) {
      *error = "more than one '/'";
      return false;
    }
    if (a.empty()) {
      *error = "interval start is empty";
      return false;
    }
    if (b.empty()) {
      *error = "interval end is empty";
      return false;
    }
    if (!ParsePoint(a, &start, error)) {
      *error = "interval start '" + std::string(a) + "': " + *error;
      return false;
    }
    if (!ParsePoint(b, &end, error)) {
      *error = "interval end '" + std::string(b) + "': " + *error;
      return false;
    }
    if (start.earliest > end.latest) {
      *error = "interval start '" + std::string(a) + "' is after its end '" + std::string(b) + "'";
      return false;
    }
  }

  out->text = std::string(text);
  out->earliest = start.earliest;
  out->latest = end.latest;
  out->approximate = false;
  out->uncertain = false;
  for (const char q : {start.qualifier, end.qualifier}) {
    if (q == '~' || q == '%') out->approximate = true;
    if (q == '?' || q == '%') out->uncertain = true;
  }
  return true;
}

// Floor division and its non-negative remainder, for a positive divisor.  Neither
// multiplies back, so both are defined for every int64 `a`, INT64_MIN included.
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return r < 0 ? r + b : r;
}

}  // namespace

Result<FuzzyDate> ParseFuzzyDate(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("date is empty");
  FuzzyDate date;
  std::string error;
  if (!ParseDate(text, &date, &error)) {
    return Status::InvalidArgument("invalid date '" + Quote(text) + "': " + error);
  }
  return date;
}

std::string FormatInstant(int64_t micros) {
  // Flooring keeps the time of day non-negative for instants before 1970.
  const int64_t seconds = FloorDiv(micros, kMicrosPerSecond);
  const int64_t fraction = FloorMod(micros, kMicrosPerSecond);
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t second_of_day = FloorMod(seconds, kSecondsPerDay);
  const Civil civil = CivilFromDays(days);
  // Years outside 0000..9999 (not produced by parsing, but any int64 is accepted) are
  // written with a sign and as many digits as needed, as ISO 8601 expanded years.
  char buf[64];
  std::snprintf(
      buf, sizeof(buf), "%s%04lld-%02d-%02dT%02d:%02d:%02d.%06dZ", civil.year < 0 ? "-" : "",
      static_cast<long long>(civil.year < 0 ? -civil.year : civil.year), civil.month, civil.day,
      static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
      static_cast<int>(second_of_day % 60), static_cast<int>(fraction));
  return buf;
}

namespace {

// Every recorded_at the store writes has one shape, FormatInstant's for years 1..9999:
// "YYYY-MM-DDTHH:MM:SS.ffffffZ".  Reading it back is on the path of every stored event
// read, so that shape is read here directly (a twentieth of the general parser's work).
// Anything else, or a field out of range, returns false and goes to the general parser,
// which also words the error.  FuzzyDateTest checks the two agree.
bool ParseStoredInstant(std::string_view s, int64_t* out) {
  static constexpr char kShape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (s.size() != sizeof(kShape) - 1) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (kShape[i] == 'd' ? !IsDigit(s[i]) : s[i] != kShape[i]) return false;
  }
  auto number = [&](size_t pos, size_t digits) {
    int64_t v = 0;
    for (size_t i = 0; i < digits; ++i) v = v * 10 + (s[pos + i] - '0');
    return v;
  };
  const int64_t year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const int64_t hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, static_cast<int>(month)) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  *out = StartOfDay(year, static_cast<int>(month), static_cast<int>(day)) +
         ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + number(20, 6);
  return true;
}

}  // namespace

Result<int64_t> ParseInstant(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("instant is empty");
  int64_t stored = 0;
  if (ParseStoredInstant(text, &stored)) return stored;
  // A full instant parses to a single point (earliest == latest), so the latest instant of
  // the fuzzy date is that instant; any other fuzzy date means its last instant.
  FuzzyDate date;
  std::string error;
  if (!ParseDate(text, &date, &error)) {
    return Status::InvalidArgument("invalid instant '" + Quote(text) + "': " + error);
  }
  return date.latest;
}

}  // namespace annals
