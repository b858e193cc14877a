// Copyright annals authors.
//
// Helpers that the parts of StateFold (fold.cc, fold_tracking.cc, event_values.cc) share.

#ifndef ANNALS_STORE_SRC_VOCABULARY_FOLD_INTERNAL_H_
#define ANNALS_STORE_SRC_VOCABULARY_FOLD_INTERNAL_H_

#include <string>
#include <string_view>

#include "vocabulary/state_tree.h"

namespace annals {
namespace internal {

// An unset node that lives for the process.
const Node& UnsetNode();

// A value's text for comparisons (NodeText), without a copy where there is one to view:
// a view of `node`, of the vocabulary's schema or of `*scratch`.
std::string_view CompareText(const TypeShape& type, const Node& node, std::string* scratch);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_FOLD_INTERNAL_H_
