// Copyright annals authors.
//
// The direct path of JSON event input: simdjson's DOM of a line straight into the event
// message, through field handles resolved once per event type, with no intermediate
// capnp::JsonValue and no JsonCodec.  It is the fast path for what imports are made of;
// the general path (ParseEventJson in event_json.cc) stays the definition of what JSON
// input means and of every message a rejection gives.
//
// The contract between the two: the direct path builds an event only when the general
// path would accept the same text, and then builds the same message content (so the same
// canonical bytes, hash and stored value); in every other case (any error, and anything
// it does not handle) it declines, and the general path runs from the start.  Tests hold
// the two paths to each other on valid, invalid and mutated inputs
// (tests/json_direct_test.cc).

#ifndef ANNALS_STORE_SRC_EVENT_JSON_DIRECT_H_
#define ANNALS_STORE_SRC_EVENT_JSON_DIRECT_H_

#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event.capnp.h"
#include "event_types.h"

namespace annals {
namespace internal {

enum class JsonMode;

// How the members of a JSON object become the fields of one struct of an event's data:
// each field's handle and what its value must be, resolved from the schema once per event
// type (EventTypeInfo::input), as JsonCodec maps them ($Json.name field names; enumerants
// by name).
struct JsonInputPlan {
  struct Value {
    enum Kind { kText, kBool, kNumber, kEnum, kStruct, kList };
    Kind kind = kText;
    bool is_float = false;    // kNumber: a float field (else an integer one, within lo..hi)
    double lo = 0, hi = 0;
    std::vector<std::pair<std::string, capnp::EnumSchema::Enumerant>> enumerants;  // kEnum
    std::shared_ptr<const JsonInputPlan> structure;  // kStruct
    std::shared_ptr<const Value> element;            // kList
  };
  struct Field {
    std::string name;  // JSON name
    capnp::StructSchema::Field field;
    Value value;
    bool required = false;  // one of the type's required data fields (top level only)
  };
  std::vector<Field> fields;
  size_t required = 0;  // how many fields are required
  // False if the struct has a field this path does not build (Json.Value, json.capnp
  // annotations other than $Json.name, enumerants renamed for JSON, unions, groups, Data,
  // lists of lists, nesting deeper than a few levels): events of the type then take the
  // general path.
  bool direct = true;
};

// The plan of a type's data struct; `required` are the JSON names of its required fields.
std::shared_ptr<const JsonInputPlan> MakeJsonInputPlan(capnp::StructSchema data,
                                                       const std::vector<std::string>& required);

// Builds the event of the JSON document `json` (at most kMaxEventBytes, no NUL byte) into
// `event`, the root of a fresh message, and returns its type; or returns null, with
// `event` in an unspecified state, when the general path must decide (see above).  The
// content checks of ValidateContent are not made here.  Thread-safe (a parser per thread).
std::shared_ptr<const EventTypeInfo> BuildEventDirect(std::string_view json, JsonMode mode,
                                                      const EventTypeResolver& types,
                                                      schema::Event::Builder event);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_EVENT_JSON_DIRECT_H_
