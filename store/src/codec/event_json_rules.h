// Copyright annals authors.
//
// The rules of JSON event input (SPEC §5), in one place for both ways an event is built
// from JSON: the general path (event_json.cc: the document as a capnp::JsonValue, checked
// here, the data decoded by the type's JsonCodec) and the direct path
// (event_json_direct.cc: simdjson's DOM straight into the message).  The checks return
// the messages users see; the direct path only asks whether a value passes, and leaves
// every rejection to the general path, so that each message has one source.

#ifndef ANNALS_STORE_SRC_EVENT_JSON_RULES_H_
#define ANNALS_STORE_SRC_EVENT_JSON_RULES_H_

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>

#include <set>
#include <string>
#include <string_view>

#include "annals/status.h"
#include "event.capnp.h"
#include "codec/event_types.h"

namespace annals {
namespace internal {

// Finds the first key of an object that repeats an earlier one, in member order.  Event
// objects have a handful of keys: those are compared in place, without allocating; past
// kSmall keys a set takes over, so a hostile object of many keys stays O(n log n).
class KeySeen {
 public:
  // False if `key` was inserted before.  The key's bytes must outlive this.
  bool Insert(std::string_view key) {
    if (n_ < kSmall) {
      for (size_t i = 0; i < n_; ++i) {
        if (small_[i] == key) return false;
      }
      small_[n_++] = key;
      return true;
    }
    if (large_.empty()) large_.insert(small_, small_ + n_);
    return large_.insert(key).second;
  }
  bool Insert(kj::StringPtr key) { return Insert(std::string_view(key.cStr(), key.size())); }

 private:
  static constexpr size_t kSmall = 32;
  std::string_view small_[kSmall];
  size_t n_ = 0;
  std::set<std::string_view> large_;  // views into the document, which outlives this
};

// A text value of an event is at most kMaxStringBytes of valid UTF-8 without NUL.
bool IsAcceptedText(std::string_view s);
// The same, as the message naming the field at `path`.
Status CheckString(const std::string& path, kj::StringPtr s);

// The integers a JSON number may be for a field of integer type `type` (64-bit types: the
// integers a double holds exactly, ±2^53).  False if `type` is not an integer type.
bool IntegerBounds(capnp::Type type, double* lo, double* hi);
bool IsInteger(double d, double lo, double hi);

const char* JsonKind(capnp::JsonValue::Reader v);
Status WrongType(const std::string& path, const std::string& expected,
                 capnp::JsonValue::Reader v);
// Checks any JSON value (used where the schema says Json.Value): strings and nesting.
Status CheckAnyValue(const std::string& path, capnp::JsonValue::Reader v);
// Checks that `v` fits a field of type `type`.
Status CheckValue(const std::string& path, capnp::Type type, capnp::JsonValue::Reader v);
// Checks a JSON object against a struct's fields: known keys, no duplicates, right types.
// A null member means the field is absent.
Status CheckObject(const std::string& prefix, const FieldTable& fields,
                   capnp::JsonValue::Reader v);
// The type of the field called `key` in `fields`, or null if there is none.
const capnp::Type* FindField(const FieldTable& fields, kj::StringPtr key);
// Returns the value of key `name` in a JSON object, or null if absent.
kj::Maybe<capnp::JsonValue::Reader> Member(capnp::JsonValue::Reader obj, kj::StringPtr name);

// Drops members whose value is null from `obj` and, recursively, from the objects that
// are its members (not those inside arrays): JSON null means "not given", and JsonCodec
// would otherwise refuse null for Text fields.
void DropNulls(capnp::JsonValue::Builder obj, capnp::Orphanage orphanage);

// A required data member is present when it is neither null nor an empty string.
inline bool IsGivenValue(bool is_null, bool is_empty_string) {
  return !is_null && !is_empty_string;
}
// The data object's required members (type.required): given, as IsGivenValue says.
// `what` words the message for a correction ("correction would remove"); null for input.
Status CheckRequired(const EventTypeInfo& type, kj::Maybe<capnp::JsonValue::Reader> data,
                     const char* what);

// The fields the store assigns: refused on import, required in an export (restore).
// In the order in which a missing one is reported.
constexpr const char* kStoreAssignedKeys[] = {"hash", "prev_hash", "recorded_at", "seq",
                                              "version"};
bool IsStoreAssignedKey(std::string_view key);

// Sets `event`'s variant to `type` and returns its data struct, empty, of the type's schema.
capnp::DynamicStruct::Builder InitData(schema::Event::Builder event, const EventTypeInfo& type);
// The names of the types an event may have, for "unknown event type" messages.
std::string KnownTypes(const EventTypeResolver& types);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_EVENT_JSON_RULES_H_
