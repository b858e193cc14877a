// Copyright annals authors.
//
// Vocabularies annals ships (SPEC §7).  `deal` is active in every store as version 1;
// the others (such as `acquisition`) are not active in a store until registered with
// Store::RegisterVocabulary (the CLI: `annals vocab add NAME`), exactly as if their file
// had been given.  The file of the annotations a vocabulary uses, `annals/vocabulary.capnp`,
// is installed beside this header so that `capnp compile -I<includedir>` checks a file.

#ifndef ANNALS_VOCABULARY_H_
#define ANNALS_VOCABULARY_H_

#include <string>
#include <string_view>
#include <vector>

#include "annals/status.h"

namespace annals {

// The names of the vocabularies annals ships, sorted.
std::vector<std::string> ShippedVocabularies();

// The source text of the shipped vocabulary `name`.  NotFound if annals ships none by that
// name (the message lists those it ships).
Result<std::string> ShippedVocabularySource(std::string_view name);

}  // namespace annals

#endif  // ANNALS_VOCABULARY_H_
