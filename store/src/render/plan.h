// Copyright annals authors.
//
// How the picture draws each top-level field of a vocabulary's state: the rules of
// render/model.h read off the vocabulary once, from its state shape, its effects and its
// `$A.lane` annotations.

#ifndef ANNALS_STORE_SRC_RENDER_PLAN_H_
#define ANNALS_STORE_SRC_RENDER_PLAN_H_

#include <string>
#include <vector>

#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {
namespace render {

struct FieldPlan {
  enum Kind {
    kSkip,    // never drawn: a list that only keeps another field's replaced values
    kMap,     // a lane per entry
    kList,    // a lane per element name (a list of structs)
    kFlags,   // a value whose replaced values are kept: flags that slip
    kValue,   // a struct: a milestone per event
    kScalar,  // text, numbers, scalar lists: a lane only for events that write nothing else
  };
  Kind kind = kSkip;
  std::string json_name;
  std::string section;  // its section's title
  std::string lane;     // kFlags, kValue, kScalar: its lane's name
  int order = 0;        // of its section: the smallest field index drawn in it
  // kMap, kList, kValue: the field of the entry / element / struct that tells its status
  // (`status`, else the first one set from enumerants or literals), or -1.
  int status_field = -1;
  // kFlags: the field of the struct set from an event's `$A.date` field (the date a flag
  // stands at), kWholeValue when the value itself is that date, or -1.
  int when_field = -1;
  static constexpr int kWholeValue = -2;
};

// One plan per top-level field of `v.state()`, by field index.
std::vector<FieldPlan> PlanFields(const Vocabulary& v);

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_PLAN_H_
