// Copyright annals authors.
//
// Fuzzes the fuzzy-date (EDTF levels 0 and 1) and instant parsers; fuzz/fuzzy_date.dict
// holds the grammar's tokens.  Invariants for an accepted date: earliest <= latest; the text
// is kept verbatim; parsing it again gives the same date, field for field; an end is open
// or unknown exactly when its bound is kUnboundedEarliest/Latest, and then it has no
// qualifier; the either-end flags are the union of the per-end ones; each bounded bound
// formats to a text ParseInstant reads back to it; ParseInstant gives the latest instant
// exactly when the end is bounded.  A refused date is InvalidArgument naming the value.
// Any instant ParseInstant accepts formats to a text that parses back to it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "annals/fuzzy_date.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "%s for '%.*s'\n", what, static_cast<int>(text.size()), text.data());
  std::abort();
}

bool SameDate(const annals::FuzzyDate& a, const annals::FuzzyDate& b) {
  return a.text == b.text && a.earliest == b.earliest && a.latest == b.latest &&
         a.approximate == b.approximate && a.uncertain == b.uncertain && a.start == b.start &&
         a.end == b.end && a.start_approximate == b.start_approximate &&
         a.start_uncertain == b.start_uncertain && a.end_approximate == b.end_approximate &&
         a.end_uncertain == b.end_uncertain;
}

// A bounded instant survives FormatInstant → ParseInstant.
bool RoundTrips(int64_t micros) {
  auto back = annals::ParseInstant(annals::FormatInstant(micros));
  return back.ok() && *back == micros;
}

void CheckDate(std::string_view text, const annals::FuzzyDate& d) {
  using annals::DateEnd;
  if (d.earliest > d.latest) Fail("earliest after latest", text);
  if (d.text != text) Fail("text not kept verbatim", text);
  auto again = annals::ParseFuzzyDate(d.text);
  if (!again.ok() || !SameDate(*again, d)) Fail("parsing again differs", text);

  const bool start_bounded = d.start == DateEnd::kBounded;
  const bool end_bounded = d.end == DateEnd::kBounded;
  if (start_bounded != (d.earliest != annals::kUnboundedEarliest)) {
    Fail("start kind and earliest disagree", text);
  }
  if (end_bounded != (d.latest != annals::kUnboundedLatest)) {
    Fail("end kind and latest disagree", text);
  }
  if (!start_bounded && !end_bounded) Fail("no bounded end", text);
  if ((!start_bounded && (d.start_approximate || d.start_uncertain)) ||
      (!end_bounded && (d.end_approximate || d.end_uncertain))) {
    Fail("qualifier on an open or unknown end", text);
  }
  if (d.approximate != (d.start_approximate || d.end_approximate) ||
      d.uncertain != (d.start_uncertain || d.end_uncertain)) {
    Fail("either-end qualifiers are not the union of the ends'", text);
  }
  if ((start_bounded && !RoundTrips(d.earliest)) || (end_bounded && !RoundTrips(d.latest))) {
    Fail("a bound does not survive FormatInstant and ParseInstant", text);
  }
  auto last = annals::ParseInstant(text);
  if (last.ok() != end_bounded || (last.ok() && *last != d.latest)) {
    Fail("ParseInstant disagrees with the date's latest", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = annals::ParseFuzzyDate(text);
  if (d.ok()) {
    CheckDate(text, *d);
  } else if (!d.status().IsInvalidArgument() ||
             (size > 0 && d.status().message().rfind("invalid date '", 0) != 0)) {
    Fail("refusal is not an InvalidArgument naming the value", text);
  }
  auto t = annals::ParseInstant(text);
  if (t.ok() && !RoundTrips(*t)) Fail("instant round trip failed", text);
  // Formatting takes any int64: the input's first eight bytes as one.
  if (size >= 8) {
    int64_t micros = 0;
    std::memcpy(&micros, data, sizeof(micros));
    if (!RoundTrips(micros)) Fail("FormatInstant of the first 8 bytes does not parse back", text);
  }
  return 0;
}
