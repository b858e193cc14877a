// Copyright annals authors.
//
// The fuzzy-date grammar (SPEC §1, EDTF levels 0 and 1 plus quarters; fuzzy_date.h gives it
// in full) and instant parsing.  Calendar arithmetic is in calendar.cc.
//
// Parsing goes interval → end → point → core.  Where the text takes an EDTF level 2 form
// that annals does not support, the parser names the feature instead of failing as a bare
// syntax error: set notation ([..], {..}), exponential years (E), significant digits (S),
// qualifiers inside a date (partial and group qualification), unspecified digits other
// than level 1's, and sub-year groupings other than seasons and quarters.  Forms of the
// superseded 2012 draft ('u', "open", "unknown") are named too.
//
// Every numeric field has a fixed number of digits (a Y-year's value is read only when it
// has at most 7), so no field can overflow; instants are combined in calendar.cc, which
// reports an instant beyond int64 microseconds instead of wrapping.
//
// Error messages have the form "invalid date '<text>': <problem>" (or "invalid instant"
// for ParseInstant); bytes outside printable ASCII in <text> are shown as \xNN, and text
// over 96 bytes is cut short with "...".

#include "annals/fuzzy_date.h"
#include "dates/fuzzy_date_internal.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "dates/calendar.h"

namespace annals {
namespace {

using internal::DaysFromCivil;
using internal::DaysInMonth;
using internal::kMaxCalendarYear;
using internal::kSecondsPerDay;

constexpr size_t kMaxTextLength = 96;

constexpr char kExpectedForms[] =
    "expected an EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, a season YYYY-21..24, a "
    "date and time, or an interval A/B";
constexpr char kOutOfRange[] =
    "outside the instants annals can hold (microseconds since 1970 in 64 bits: "
    "-290308-12-21T19:59:05.224192Z to +294247-01-10T04:00:54.775807Z)";
constexpr char kLevel2Set[] =
    "EDTF level 2 set notation ([..] one of a set, {..} all of a set) is not supported";
constexpr char kLevel2Exponent[] = "EDTF level 2 exponential year (E) is not supported";
constexpr char kLevel2Significant[] = "EDTF level 2 significant digits (S) are not supported";
constexpr char kLevel2Partial[] =
    "EDTF level 2 qualification of part of a date is not supported; level 1 puts one "
    "qualifier (~, ? or %) at the end of a date";
constexpr char kLevel2Unspecified[] =
    "EDTF level 2 unspecified digits are not supported; level 1 allows X only as the last "
    "one or two digits of a year alone, a whole month or a whole day";
constexpr char kQualifiedTime[] =
    "a qualifier (~, ? or %) applies to a date, not to a date and time";

// ParseFuzzyDate's grammar, or ParseInstant's, which also reads RFC 3339 and ISO 8601
// instants: lower-case 't' and 'z', fraction digits beyond six (truncated), and expanded
// years with a sign and six digits.
enum class Mode { kDate, kInstant };

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsQualifier(char c) { return c == '~' || c == '?' || c == '%'; }

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

// Number of consecutive bytes of `s` from `pos` that are digits (or 'X' with `or_x`).
size_t DigitRun(std::string_view s, size_t pos, bool or_x = false) {
  size_t n = 0;
  while (pos + n < s.size() && (IsDigit(s[pos + n]) || (or_x && s[pos + n] == 'X'))) ++n;
  return n;
}

// The value of the `width` digits at `pos`, 'X' read as `x_digit`.
int64_t Number(std::string_view s, size_t pos, size_t width, int x_digit = 0) {
  int64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = v * 10 + (s[pos + i] == 'X' ? x_digit : s[pos + i] - '0');
  return v;
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

// One end of a date.
struct Point {
  DateEnd kind = DateEnd::kBounded;
  int64_t earliest = 0;
  int64_t latest = 0;
  char qualifier = 0;  // 0, '~', '?' or '%'
};

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

// Parses one bounded end (core plus optional qualifier) that makes up all of `s`.
bool ParsePoint(std::string_view s, Mode mode, Point* out, std::string* error) {
  *out = Point();
  if (s == "open" || s == "unknown") {
    *error = "'" + std::string(s) + "' is the 2012 EDTF draft's; an open end is now '..', " +
             "an unknown one is left empty";
    return false;
  }
  if (s.find('u') != std::string_view::npos) {
    *error = "'u' for an unspecified digit is the 2012 EDTF draft's; write 'X'";
    return false;
  }
  if (!s.empty() && IsQualifier(s.back())) {
    out->qualifier = s.back();
    s.remove_suffix(1);
    if (!s.empty() && IsQualifier(s.back())) {
      *error = "more than one qualifier (~, ? or %; % is both ~ and ?)";
      return false;
    }
  }
  if (s == "..") {
    *error = "an open end ('..') takes no qualifier";
    return false;
  }
  for (const char c : s) {
    if (IsQualifier(c)) {
      *error = kLevel2Partial;
      return false;
    }
  }
  if (s.empty()) {
    *error = kExpectedForms;
    return false;
  }
  return ParseCore(s, mode, out->qualifier != 0, out, error);
}

// Parses one end of an interval: a point, ".." (open) or "" (unknown).  `which` is "start"
// or "end"; errors name the end.
bool ParseEnd(std::string_view s, const char* which, Mode mode, Point* out, std::string* error) {
  *out = Point();
  if (s.empty() || s == "..") {
    out->kind = s.empty() ? DateEnd::kUnknown : DateEnd::kOpen;
    out->earliest = kUnboundedEarliest;
    out->latest = kUnboundedLatest;
    return true;
  }
  if (ParsePoint(s, mode, out, error)) return true;
  *error = "interval " + std::string(which) + " '" + Quote(s) + "': " + *error;
  return false;
}

void SetQualifier(char q, bool* approximate, bool* uncertain) {
  *approximate = q == '~' || q == '%';
  *uncertain = q == '?' || q == '%';
}

// Parses the whole grammar.  On failure returns false with `error` set to the problem
// alone (without the value), so callers can say "date" or "instant".
bool ParseDate(std::string_view text, Mode mode, FuzzyDate* out, std::string* error) {
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
  if (text.find_first_of("[]{}") != std::string_view::npos) {
    *error = kLevel2Set;
    return false;
  }

  const size_t slash = text.find('/');
  Point start, end;
  if (slash == std::string_view::npos) {
    if (text == "..") {
      *error = "'..' (open) is only an interval end, as in 1985/.. or ../1985";
      return false;
    }
    if (!ParsePoint(text, mode, &start, error)) return false;
    end = start;
  } else {
    const std::string_view a = text.substr(0, slash);
    const std::string_view b = text.substr(slash + 1);
    if (b.find('/') != std::string_view::npos) {
      *error = "more than one '/'";
      return false;
    }
    if (!ParseEnd(a, "start", mode, &start, error)) return false;
    if (!ParseEnd(b, "end", mode, &end, error)) return false;
    if (start.kind != DateEnd::kBounded && end.kind != DateEnd::kBounded) {
      *error = "an interval needs a date at one end at least";
      return false;
    }
    if (start.earliest > end.latest) {
      *error = "interval start '" + Quote(a) + "' is after its end '" + Quote(b) + "'";
      return false;
    }
  }

  out->text = std::string(text);
  out->earliest = start.earliest;
  out->latest = end.latest;
  out->start = start.kind;
  out->end = end.kind;
  SetQualifier(start.qualifier, &out->start_approximate, &out->start_uncertain);
  SetQualifier(end.qualifier, &out->end_approximate, &out->end_uncertain);
  out->approximate = out->start_approximate || out->end_approximate;
  out->uncertain = out->start_uncertain || out->end_uncertain;
  return true;
}

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
  const int64_t year = Number(s, 0, 4), month = Number(s, 5, 2), day = Number(s, 8, 2);
  const int64_t hour = Number(s, 11, 2), minute = Number(s, 14, 2), second = Number(s, 17, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, static_cast<int>(month)) || hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  const int64_t days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  // Years 1..9999 are far inside int64 microseconds.
  *out = (days * kSecondsPerDay + (hour * 60 + minute) * 60 + second) * internal::kMicrosPerSecond +
         Number(s, 20, 6);
  return true;
}

// The dates most events carry, `YYYY`, `YYYY-MM` and `YYYY-MM-DD` (years 0001-9999),
// each maybe with one qualifier, and UTC instants to the minute or second, parsed without
// the general grammar: every stored event's
// effective is parsed again when it is read, and ParseDate's generality cost a fold a sixth
// of its time.  Returns false for anything else (the general parser decides it, errors
// included); where it returns true it gives exactly what ParseDate gives
// (FuzzyDateTest.FastPathAgreesWithTheGrammar).
bool ParseCommonDate(std::string_view s, FuzzyDate* out) {
  // YYYY-MM-DDThh:mmZ and YYYY-MM-DDThh:mm:ssZ: a point.
  if ((s.size() == 17 || s.size() == 20) && s[10] == 'T' && s.back() == 'Z') {
    static constexpr char kShape[] = "dddd-dd-ddTdd:dd:ddZ";
    const bool seconds = s.size() == 20;
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      const char want = (!seconds && i == 16) ? 'Z' : kShape[i];
      if (want == 'd' ? !IsDigit(s[i]) : s[i] != want) return false;
    }
    const int64_t year = Number(s, 0, 4), month = Number(s, 5, 2), day = Number(s, 8, 2);
    const int64_t hour = Number(s, 11, 2), minute = Number(s, 14, 2);
    const int64_t second = seconds ? Number(s, 17, 2) : 0;
    if (year < 1 || month < 1 || month > 12 || day < 1 ||
        day > DaysInMonth(year, static_cast<int>(month)) || hour > 23 || minute > 59 ||
        second > 59) {
      return false;
    }
    const int64_t at =
        (DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day)) * kSecondsPerDay +
         (hour * 60 + minute) * 60 + second) * internal::kMicrosPerSecond;
    out->text.assign(s.data(), s.size());
    out->earliest = out->latest = at;
    out->approximate = out->uncertain = false;
    out->start = out->end = DateEnd::kBounded;
    out->start_approximate = out->end_approximate = false;
    out->start_uncertain = out->end_uncertain = false;
    return true;
  }
  size_t n = s.size();
  char qualifier = 0;
  if (n > 0 && (s[n - 1] == '~' || s[n - 1] == '?' || s[n - 1] == '%')) qualifier = s[--n];
  if (n != 4 && n != 7 && n != 10) return false;
  for (size_t i = 0; i < n; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !IsDigit(s[i])) return false;
  }
  const int64_t year = Number(s, 0, 4);
  if (year < 1) return false;
  int month_from = 1, month_to = 12;
  if (n >= 7) {
    month_from = month_to = static_cast<int>(Number(s, 5, 2));
    if (month_from < 1 || month_from > 12) return false;  // seasons, quarters: the grammar
  }
  int day_from = 1, day_to = DaysInMonth(year, month_to);
  if (n == 10) {
    day_from = day_to = static_cast<int>(Number(s, 8, 2));
    if (day_from < 1 || day_from > DaysInMonth(year, month_from)) return false;
  }
  out->text.assign(s.data(), s.size());
  out->earliest = DaysFromCivil(year, month_from, day_from) * kSecondsPerDay *
                  internal::kMicrosPerSecond;
  out->latest = (DaysFromCivil(year, month_to, day_to) + 1) * kSecondsPerDay *
                    internal::kMicrosPerSecond - 1;
  out->approximate = qualifier == '~' || qualifier == '%';
  out->uncertain = qualifier == '?' || qualifier == '%';
  out->start = out->end = DateEnd::kBounded;
  out->start_approximate = out->end_approximate = out->approximate;
  out->start_uncertain = out->end_uncertain = out->uncertain;
  return true;
}

}  // namespace

namespace internal {
bool TEST_ParseCommonDate(std::string_view text, FuzzyDate* out) {
  return ParseCommonDate(text, out);
}
}  // namespace internal

Result<FuzzyDate> ParseFuzzyDate(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("date is empty");
  FuzzyDate date;
  if (ParseCommonDate(text, &date)) return date;
  std::string error;
  if (!ParseDate(text, Mode::kDate, &date, &error)) {
    return Status::InvalidArgument("invalid date '" + Quote(text) + "': " + error);
  }
  return date;
}

Result<int64_t> ParseInstant(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("instant is empty");
  int64_t stored = 0;
  if (ParseStoredInstant(text, &stored)) return stored;
  // A date and time parses to a single point (earliest == latest), so the latest instant
  // of the fuzzy date is that instant; any other fuzzy date means its last instant.
  FuzzyDate date;
  std::string error;
  if (!ParseDate(text, Mode::kInstant, &date, &error)) {
    return Status::InvalidArgument("invalid instant '" + Quote(text) + "': " + error);
  }
  if (date.end != DateEnd::kBounded) {
    return Status::InvalidArgument("invalid instant '" + Quote(text) + "': its end is " +
                                   (date.end == DateEnd::kOpen ? "open ('..')" : "unknown") +
                                   ", so it has no last instant");
  }
  return date.latest;
}

}  // namespace annals
