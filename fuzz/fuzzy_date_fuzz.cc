// Copyright annals authors.
//
// Fuzzes the fuzzy-date and instant parsers.  Invariants for accepted dates: earliest <=
// latest, the text is kept verbatim, parsing is deterministic; FormatInstant of a parsed
// instant parses back to the same instant.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "annals/fuzzy_date.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = annals::ParseFuzzyDate(text);
  if (d.ok()) {
    if (d->earliest > d->latest || d->text != text) {
      std::fprintf(stderr, "bad interval for '%.*s'\n", static_cast<int>(size), text.data());
      std::abort();
    }
    auto again = annals::ParseFuzzyDate(d->text);
    if (!again.ok() || again->earliest != d->earliest || again->latest != d->latest) {
      std::abort();
    }
  } else if (!d.status().IsInvalidArgument()) {
    std::abort();
  }
  auto t = annals::ParseInstant(text);
  if (t.ok()) {
    auto back = annals::ParseInstant(annals::FormatInstant(*t));
    if (!back.ok() || *back != *t) {
      std::fprintf(stderr, "instant round trip failed for '%.*s'\n", static_cast<int>(size),
                   text.data());
      std::abort();
    }
  }
  return 0;
}
