// Copyright annals authors.
//
// JsonPlan: how an event type's data maps to JSON, resolved from its schema once per type
// (EventTypeInfo::json) so that building an event from JSON (event_json_direct.cc) and
// printing one (event_json_write.cc) look nothing up in the schema per event.  It states
// the mapping Cap'n Proto's JsonCodec makes with its annotation handlers for the schemas
// vocabularies may have: members named by $Json.name (else the field's name), the
// non-union fields in schema order, enumerants by name, Int64/UInt64 as strings, floats'
// non-finite values as "Infinity"/"-Infinity"/"NaN".  Where a schema asks for more (see
// `input` and `output`), the codec itself is used instead.

#ifndef ANNALS_STORE_SRC_JSON_PLAN_H_
#define ANNALS_STORE_SRC_JSON_PLAN_H_

#include <capnp/schema.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace annals {
namespace internal {

struct JsonPlan {
  struct Value {
    enum Kind { kText, kBool, kNumber, kEnum, kStruct, kList };
    Kind kind = kText;
    capnp::schema::Type::Which which = capnp::schema::Type::TEXT;
    double lo = 0, hi = 0;  // integer types: the numbers input may give (IntegerBounds)
    // kEnum: each enumerant's name, in ordinal order, and the enumerant.
    std::vector<std::pair<std::string, capnp::EnumSchema::Enumerant>> enumerants;
    std::shared_ptr<const JsonPlan> structure;  // kStruct
    std::shared_ptr<const Value> element;       // kList

    bool is_float() const {
      return which == capnp::schema::Type::FLOAT32 || which == capnp::schema::Type::FLOAT64;
    }
  };
  struct Field {
    std::string name;  // JSON name
    capnp::StructSchema::Field field;
    bool is_pointer = false;  // printed only when set (JsonCodec's HasMode::NON_NULL)
    Value value;
    bool required = false;  // one of the type's required data fields (top level only)
  };
  std::vector<Field> fields;  // the non-union fields, in schema order
  size_t required = 0;        // how many fields are required

  // Whether the mapping above is all the codec does for this struct and everything in it.
  // Not so for Json.Value fields, json.capnp annotations other than $Json.name, unions,
  // groups, Data, AnyPointer and lists of lists (neither way), enumerants renamed for
  // JSON (input compares Cap'n Proto names while the codec maps JSON ones; output), a
  // required field that is not a field (input), nesting deeper than a few levels.
  bool input = true;
  bool output = true;
};

// The plan of a type's data struct; `required` are the JSON names of its required fields.
std::shared_ptr<const JsonPlan> MakeJsonPlan(capnp::StructSchema data,
                                             const std::vector<std::string>& required);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_JSON_PLAN_H_
