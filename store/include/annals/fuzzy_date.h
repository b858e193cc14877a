// Copyright annals authors.
//
// Fuzzy dates (SPEC §1): real-world valid times are often imprecise, so a date is kept as
// the text the user wrote plus the closed interval [earliest, latest] of UTC instants it
// may denote, in microseconds since the Unix epoch.
//
// Grammar (EDTF-like):
//   date      := point | point "/" point         (interval; start must not be after end)
//   point     := core qualifier?
//   core      := YYYY | YYYY-MM | YYYY-MM-DD | YYYY-Qn (n in 1..4)
//              | YYYY-MM-DDThh:mm[:ss[.ffffff]](Z | ±hh:mm)
//   qualifier := "~" (approximate) | "?" (uncertain) | "%" (both)
// Years are 0001..9999.  `2025-04` is [2025-04-01T00:00:00Z, 2025-04-30T23:59:59.999999Z].
// The qualifiers do not widen the interval; they are kept as flags for display.

#ifndef ANNALS_FUZZY_DATE_H_
#define ANNALS_FUZZY_DATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "annals/status.h"

namespace annals {

struct FuzzyDate {
  std::string text;       // the original text, printed back verbatim
  int64_t earliest = 0;   // first possible instant, µs since epoch, UTC
  int64_t latest = 0;     // last possible instant, µs since epoch, UTC (inclusive)
  bool approximate = false;  // "~" or "%" on either end
  bool uncertain = false;    // "?" or "%" on either end
};

// Parses `text`.  Returns InvalidArgument naming the value and what is wrong with it
// ("invalid date '2025-02-30': day 30 out of range for 2025-02") for anything outside the
// grammar above.  Surrounding whitespace is not accepted.
Result<FuzzyDate> ParseFuzzyDate(std::string_view text);

// Formats `micros` as RFC 3339 UTC with microseconds: "2025-02-11T08:00:00.000000Z".
std::string FormatInstant(int64_t micros);

// Parses an ISO-8601 / RFC 3339 instant with an offset ("2025-02-11T08:00:00Z",
// "2025-02-11T10:00+02:00", fractional seconds optional).  A plain fuzzy date is also
// accepted and means its *last* instant, so "2025-02-11" is the end of that day.
Result<int64_t> ParseInstant(std::string_view text);

}  // namespace annals

#endif  // ANNALS_FUZZY_DATE_H_
