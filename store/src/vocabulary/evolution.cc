// Copyright annals authors.
//
// Placeholder until the evolution check lands: same name, every event type kept.

#include "vocabulary/evolution.h"

namespace annals {
namespace internal {

Status CheckEvolution(const Vocabulary& older, const Vocabulary& newer) {
  if (older.name() != newer.name()) {
    return Status::InvalidArgument("vocabulary '" + newer.name() + "' cannot be a version of '" +
                                   older.name() + "'");
  }
  for (const auto& t : older.types()) {
    if (newer.FindType(t.name) == nullptr) {
      return Status::InvalidArgument("event type '" + t.name + "' was removed (event types "
                                     "are never removed)");
    }
  }
  return Status::OK();
}

}  // namespace internal
}  // namespace annals
