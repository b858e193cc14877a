// Copyright annals authors.
//
// The effects of event types ($A.on: set, clear, upsert, merge, remove, append,
// updateLast), compiled once by CompileVocabulary.  Used by compile.cc only.

#ifndef ANNALS_STORE_SRC_VOCABULARY_COMPILE_EFFECT_H_
#define ANNALS_STORE_SRC_VOCABULARY_COMPILE_EFFECT_H_

#include <vector>

#include "annals/status.h"
#include "annals/vocabulary.capnp.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

// Compiles `raw`, an effect of an event type whose data is `data`, into `out` (whose label
// the caller has set): its `when` conditions, the state path it writes, and the key, value
// or fields that op takes, each with the conversion to the type it is written to.  Refs
// may name the event's data, `effective` and `state`.  `derived` are the vocabulary's
// derived fields, which no effect may write.  InvalidArgument says what is wrong (without
// the label): a path that is not of the kind the op needs, a missing or meaningless part,
// an unknown or twice assigned field, or a value that does not convert.
Status CompileEffect(vocab::Effect::Reader raw, const StructShape& data,
                     const StructShape& state, const std::vector<DerivedField>& derived,
                     Effect* out);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_COMPILE_EFFECT_H_
