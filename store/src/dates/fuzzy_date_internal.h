// Copyright annals authors.
//
// Inside the fuzzy-date parser: what its files share, and its test hooks.
//   fuzzy_date.cc          ParseFuzzyDate and ParseInstant: fast paths for the shapes stored
//                          events carry, then the general grammar
//   fuzzy_date_grammar.cc  the general grammar over the whole text: bytes, intervals, their
//                          ends, points and their qualifiers (ParseDate)
//   fuzzy_date_fields.cc   the fields of one point: year, month, season, quarter, day, time
//                          of day and UTC offset (ParseCore)
// Calendar arithmetic is in calendar.cc.

#ifndef ANNALS_STORE_SRC_FUZZY_DATE_INTERNAL_H_
#define ANNALS_STORE_SRC_FUZZY_DATE_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "annals/fuzzy_date.h"

namespace annals {
namespace internal {

// The fast path of ParseFuzzyDate for YYYY[-MM[-DD]] with an optional qualifier; false
// where it leaves the text to the general grammar.
bool TEST_ParseCommonDate(std::string_view text, FuzzyDate* out);

namespace edtf {

inline constexpr char kExpectedForms[] =
    "expected an EDTF date: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, a season YYYY-21..24, a "
    "date and time, or an interval A/B";

// ParseFuzzyDate's grammar, or ParseInstant's, which also reads RFC 3339 and ISO 8601
// instants: lower-case 't' and 'z', fraction digits beyond six (truncated), and expanded
// years with a sign and six digits.
enum class Mode { kDate, kInstant };

// One end of a date.
struct Point {
  DateEnd kind = DateEnd::kBounded;
  int64_t earliest = 0;
  int64_t latest = 0;
  char qualifier = 0;  // 0, '~', '?' or '%'
};

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of the `width` digits at `pos`, 'X' read as `x_digit`.
inline int64_t Number(std::string_view s, size_t pos, size_t width, int x_digit = 0) {
  int64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = v * 10 + (s[pos + i] == 'X' ? x_digit : s[pos + i] - '0');
  return v;
}

// `text` as it is safe to put between quotes in a message: printable ASCII verbatim,
// anything else as \xNN, cut at 96 bytes (the most a date may have) with "...".
std::string Quote(std::string_view text);

// Parses the whole grammar (fuzzy_date_grammar.cc).  On failure returns false with `error`
// set to the problem alone (without the value), so callers can say "date" or "instant".
bool ParseDate(std::string_view text, Mode mode, FuzzyDate* out, std::string* error);

// Parses the core of a point (no qualifier) that makes up all of `s`
// (fuzzy_date_fields.cc).  `qualified` says a qualifier followed it, which a date and time
// does not take.
bool ParseCore(std::string_view s, Mode mode, bool qualified, Point* out, std::string* error);

}  // namespace edtf
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_FUZZY_DATE_INTERNAL_H_
