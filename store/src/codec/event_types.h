// Copyright annals authors.
//
// Event types as the codec sees them: where an event's data lives in its stored message,
// how it maps to JSON and what its input must give.  The codec knows the core types
// (note, fact, correction, retraction, vocabulary: variants of schema::Event) by itself;
// every other type comes from a vocabulary (vocabulary/registry.h), through an
// EventTypeResolver, so that the codec names no domain.
//
// STORAGE OF DATA.  A type's data is a struct in one of two places of the Event message:
//   - a variant of Event's union: the core types, and the types of the built-in vocabulary
//     `deal`, which keep the variants they had before vocabularies existed (a type whose
//     name is a variant's JSON name is stored there: LegacyVariant);
//   - `custom`: CustomEvent{type, data :AnyPointer}, for every other vocabulary type.
// Either way it is read and written through the type's own StructSchema, so a later
// version of a vocabulary (fields added) reads and writes the same place.

#ifndef ANNALS_STORE_SRC_EVENT_TYPES_H_
#define ANNALS_STORE_SRC_EVENT_TYPES_H_

#include <capnp/compat/json.h>
#include <capnp/schema.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "annals/event.h"

namespace annals {
namespace internal {

// The non-union fields of a struct with their JSON names ($Json.name, else the Cap'n Proto
// name), for checking the members of a JSON object.
using FieldTable = std::vector<std::pair<std::string, capnp::Type>>;
FieldTable MakeFieldTable(capnp::StructSchema schema);
// The field of `schema` whose JSON name is `name`.
kj::Maybe<capnp::StructSchema::Field> FieldByJsonName(capnp::StructSchema schema,
                                                     std::string_view name);

// The pointers of a data struct, by slot, with what each must point to: what decoding a
// stored event follows once (EventRep::FromStored) so that a corrupt message is found
// there and never later.  Built once per type from its schema, so that a decode does not
// look the schema up field by field.
struct TouchPlan {
  enum Kind { kText, kData, kStruct, kStructList, kTextList, kOtherList, kJson };
  struct Pointer {
    uint32_t slot = 0;
    Kind kind = kText;
    std::shared_ptr<const TouchPlan> plan;  // kStruct, kStructList
    capnp::Type type;                        // kOtherList: the list's type
  };
  std::vector<Pointer> pointers;
};
std::shared_ptr<const TouchPlan> MakeTouchPlan(capnp::StructSchema schema);

struct EventTypeInfo {
  std::string name;              // the JSON "type"
  EventKind kind = EventKind::kDomain;
  capnp::StructSchema data;      // the data struct
  int variant = -1;              // its variant of schema::Event's union (CustomVariant())
  const capnp::JsonCodec* codec = nullptr;  // maps `data` to JSON and back
  FieldTable fields;             // of `data`
  std::vector<std::string> required;  // JSON names of data fields the input must give
  std::vector<std::string> dates;     // JSON names of data fields holding fuzzy dates
  std::string vocabulary;        // the vocabulary it belongs to; empty for core types
  const void* definition = nullptr;   // the vocabulary's EventTypeDef (opaque here)
  std::shared_ptr<const TouchPlan> touch;  // of `data`
  std::shared_ptr<const void> owner;  // keeps data, codec and definition alive

  bool is_meta() const {
    return kind == EventKind::kCorrection || kind == EventKind::kRetraction;
  }
};

// The index of schema::Event's `custom` variant.
int CustomVariant();

// Resolves type names to types.  Implementations are immutable snapshots, safe to share
// between threads.
class EventTypeResolver {
 public:
  virtual ~EventTypeResolver() = default;
  // The type called `name`, or null if this store has none.
  virtual std::shared_ptr<const EventTypeInfo> Find(std::string_view name) const = 0;
  // Every type, core types first.
  virtual std::vector<std::shared_ptr<const EventTypeInfo>> All() const = 0;
};

// The core types every store has (note, fact, correction, retraction, vocabulary), or null.
std::shared_ptr<const EventTypeInfo> CoreType(std::string_view name);
// All core types.
const std::vector<std::shared_ptr<const EventTypeInfo>>& CoreTypes();

// The variant of schema::Event whose JSON name is `name` and which holds a domain type's
// data (the built-in vocabulary's types), or -1.
int LegacyVariant(std::string_view name);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_EVENT_TYPES_H_
