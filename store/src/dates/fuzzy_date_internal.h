// Copyright annals authors.
//
// Test hooks of the fuzzy-date parser (fuzzy_date.cc).

#ifndef ANNALS_STORE_SRC_FUZZY_DATE_INTERNAL_H_
#define ANNALS_STORE_SRC_FUZZY_DATE_INTERNAL_H_

#include <string_view>

#include "annals/fuzzy_date.h"

namespace annals {
namespace internal {

// The fast path of ParseFuzzyDate for YYYY[-MM[-DD]] with an optional qualifier; false
// where it leaves the text to the general grammar.
bool TEST_ParseCommonDate(std::string_view text, FuzzyDate* out);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_FUZZY_DATE_INTERNAL_H_
