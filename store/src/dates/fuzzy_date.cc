// Copyright annals authors.
//
// ParseFuzzyDate and ParseInstant (fuzzy_date.h, SPEC §1): fast paths for the shapes that
// stored events carry, read directly, and the general grammar (fuzzy_date_grammar.cc) for
// everything else, which also words every error.  FormatInstant is in calendar.cc.
//
// Error messages have the form "invalid date '<text>': <problem>" (or "invalid instant"
// for ParseInstant); bytes outside printable ASCII in <text> are shown as \xNN, and text
// over 96 bytes is cut short with "...".

#include "annals/fuzzy_date.h"
#include "dates/fuzzy_date_internal.h"

#include <string>
#include <string_view>

#include "dates/calendar.h"

namespace annals {
namespace {

using internal::DaysFromCivil;
using internal::DaysInMonth;
using internal::kSecondsPerDay;
using internal::edtf::IsDigit;
using internal::edtf::Mode;
using internal::edtf::Number;
using internal::edtf::ParseDate;
using internal::edtf::Quote;

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
