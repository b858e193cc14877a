// Copyright annals authors.
//
// Fuzzy dates (SPEC §1): real-world valid times are often imprecise, so a date is kept as
// the text the user wrote plus the closed interval [earliest, latest] of UTC instants it
// may denote, in microseconds since the Unix epoch.
//
// Grammar: the Extended Date/Time Format (EDTF, ISO 8601-2), all of level 0 and level 1,
// plus quarters.  Byte for byte, at most 96 bytes, no whitespace:
//
//   date      := end | end "/" end           interval; at least one end is a point
//   end       := point | ".." | ""           ".." open, "" unknown: only as an interval end
//   point     := core qualifier? | day "T" time     (a date and time takes no qualifier)
//   core      := year                        2025, -0044, 0000
//              | year "-" MM                 2025-04
//              | day                         2025-04-15
//              | year "-" SS                 seasons 21..24, quarters 33..36 (EDTF level 2)
//              | year "-Q" n                 quarters, n in 1..4
//              | "-"? YYYX | "-"? YYXX       a year with its last 1 or 2 digits unspecified
//              | year "-XX" | year "-XX-XX" | year "-" MM "-XX"    month or day unspecified
//              | "Y" "-"? d{5,}              a year beyond four digits, alone: Y-12000
//   year      := "-"? YYYY                   0000..9999, -0001..-9999 (astronomical)
//   day       := year "-" MM "-" DD
//   time      := hh ":" mm [":" ss ["." f{1,6}]] zone?      hh 00..23, no leap second
//   zone      := "Z" | ("+" | "-") hh [":" mm]              at most ±14:00
//   qualifier := "~" approximate | "?" uncertain | "%" both
//
// Meaning, in microseconds since 1970-01-01T00:00:00Z, proleptic Gregorian calendar:
//   - a year, month, day, season, quarter or unspecified form is the closed interval from
//     its first microsecond to its last one in UTC: 2025-04 = [2025-04-01T00:00:00.000000Z,
//     2025-04-30T23:59:59.999999Z]; 201X = 2010..2019; 1985-04-XX = April 1985;
//   - seasons are meteorological, northern hemisphere: 21 spring = March..May, 22 summer =
//     June..August, 23 autumn = September..November, 24 winter = December of that year to
//     February of the next;
//   - a date and time is a single point, earliest == latest; without seconds too.  Without
//     a zone it is read as UTC (the text keeps what was written);
//   - an interval "a/b" is [a.earliest, b.latest]; an open ("..") or unknown ("") end is
//     unbounded on its side (kUnboundedEarliest, kUnboundedLatest).  It is reversed, and
//     refused, when a.earliest > b.latest: no instant of a precedes one of b;
//   - qualifiers never widen the interval; each end keeps its own.
// Every accepted date lies within what int64 microseconds can hold (years -290307..294246
// whole); a year beyond, such as EDTF's example Y170000002, is refused.  Other EDTF level 2
// forms (sets, exponents, significant digits, partial qualification, other unspecified
// digits, other sub-year groupings) are refused with a message naming the feature.

#ifndef ANNALS_FUZZY_DATE_H_
#define ANNALS_FUZZY_DATE_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "annals/status.h"

namespace annals {

// The bounds of an open or unknown end.  No bounded end of a ParseFuzzyDate result reaches
// either value: they lie in years -290308 and 294247, which are refused.  Sorting by
// earliest puts a date open at the start first.
inline constexpr int64_t kUnboundedEarliest = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kUnboundedLatest = std::numeric_limits<int64_t>::max();

// What one end of a date is.
enum class DateEnd : uint8_t {
  kBounded,  // a date: the end is its first (start) or last (end) instant
  kOpen,     // "..": no bound on this side ("from 1985 on"): kUnboundedEarliest/Latest
  kUnknown,  // "": not known; unbounded on this side like kOpen, but told apart
};

struct FuzzyDate {
  std::string text;          // the original text, printed back verbatim
  int64_t earliest = 0;      // first possible instant, µs since epoch, UTC, or kUnboundedEarliest
  int64_t latest = 0;        // last possible instant (inclusive), or kUnboundedLatest
  bool approximate = false;  // "~" or "%" on either end
  bool uncertain = false;    // "?" or "%" on either end
  // Each end on its own.  A single date (not an interval) is both ends, with its qualifier
  // on both.  An open or unknown end has no qualifier.
  DateEnd start = DateEnd::kBounded;
  DateEnd end = DateEnd::kBounded;
  bool start_approximate = false;
  bool start_uncertain = false;
  bool end_approximate = false;
  bool end_uncertain = false;
};

// Parses `text`.  Returns InvalidArgument naming the value and what is wrong with it
// ("invalid date '2025-02-30': day 30 out of range for 2025-02") for anything outside the
// grammar above; an unsupported EDTF level 2 form is named ("invalid date '[1667,1668]':
// EDTF level 2 set notation ... is not supported").  Surrounding whitespace is refused.
Result<FuzzyDate> ParseFuzzyDate(std::string_view text);

// Formats `micros` as RFC 3339 UTC with microseconds: "2025-02-11T08:00:00.000000Z".  Any
// int64 is accepted.  Years outside 0000..9999, which RFC 3339 cannot write, are
// "-0044-03-15T…" (EDTF negative years) for -9999..-0001 and ISO 8601 expanded years with
// six digits and a sign beyond: "+010000-01-01T01:00:00.000000Z".
std::string FormatInstant(int64_t micros);

// Parses an instant: RFC 3339 ("2025-02-11T08:00:00Z", "2025-02-11t10:00:00.25+02:00";
// seconds optional, fraction digits beyond six are truncated), ISO 8601 expanded years
// ("+010000-01-01T00:00Z"), everything FormatInstant writes, and every date of the grammar
// above, which means its *last* instant: "2025-02-11" is the end of that day.  An interval
// whose end is open or unknown has no last instant and is refused.
Result<int64_t> ParseInstant(std::string_view text);

}  // namespace annals

#endif  // ANNALS_FUZZY_DATE_H_
