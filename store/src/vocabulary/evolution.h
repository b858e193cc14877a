// Copyright annals authors.
//
// The evolution check of vocabularies (SPEC §7 "Evolution").

#ifndef ANNALS_STORE_SRC_VOCABULARY_EVOLUTION_H_
#define ANNALS_STORE_SRC_VOCABULARY_EVOLUTION_H_

#include "annals/status.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

// Whether `newer` may replace `older` as the next version of the same vocabulary
// (SPEC §7 "Evolution").  InvalidArgument naming the type, the field and the rule broken.
Status CheckEvolution(const Vocabulary& older, const Vocabulary& newer);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_EVOLUTION_H_
