// Copyright annals authors.
//
// Summary templates of event types ($A.summary), compiled once by CompileVocabulary.
// Used by compile.cc only.

#ifndef ANNALS_STORE_SRC_VOCABULARY_COMPILE_SUMMARY_H_
#define ANNALS_STORE_SRC_VOCABULARY_COMPILE_SUMMARY_H_

#include <string>
#include <vector>

#include "annals/status.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

// The parts of the summary template `text` of an event type whose data is `data`: literal
// text, {placeholders} (a field of the data, or `effective`) and [groups]
// holding at least one placeholder.  Brackets group only when all of them in `text` pair up;
// otherwise they are text ("[sic"), as are brackets around plain text ("see [1]").
// InvalidArgument names the problem: an unclosed '{', a placeholder that is not a field, or
// a bracket without its partner.
Result<std::vector<SummaryPart>> CompileSummary(const std::string& text,
                                                const StructShape& data);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_COMPILE_SUMMARY_H_
