// Copyright annals authors.
//
// The rules of JSON event input (event_json_rules.h).

#include "codec/event_json_rules.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "util/json_text.h"

namespace annals {
namespace internal {

namespace {

constexpr double kMaxJsonInteger = 9007199254740992.0;  // 2^53

// The pointer slot of Event's union (every variant's data but `custom`'s).
unsigned UnionSlot() {
  static const unsigned slot = static_cast<unsigned>(
      capnp::Schema::from<schema::Event>().getUnionFields()[0].getProto().getSlot().getOffset());
  return slot;
}

}  // namespace

bool IsAcceptedText(std::string_view s) {
  return s.size() <= kMaxStringBytes && std::memchr(s.data(), '\0', s.size()) == nullptr &&
         IsUtf8(s);
}

Status CheckString(const std::string& path, kj::StringPtr s) {
  if (s.size() > kMaxStringBytes) {
    return Status::InvalidArgument("field '" + path + "' is " + std::to_string(s.size()) +
                                   " bytes; the limit is 65536");
  }
  if (std::memchr(s.begin(), '\0', s.size()) != nullptr) {
    return Status::InvalidArgument("field '" + path + "' contains a NUL character");
  }
  if (!IsUtf8(std::string_view(s.cStr(), s.size()))) {
    return Status::InvalidArgument("field '" + path + "' is not valid UTF-8");
  }
  return Status::OK();
}

const char* JsonKind(capnp::JsonValue::Reader v) {
  switch (v.which()) {
    case capnp::JsonValue::NULL_: return "null";
    case capnp::JsonValue::BOOLEAN: return "a boolean";
    case capnp::JsonValue::NUMBER: return "a number";
    case capnp::JsonValue::STRING: return "a string";
    case capnp::JsonValue::ARRAY: return "an array";
    case capnp::JsonValue::OBJECT: return "an object";
    case capnp::JsonValue::CALL: return "a call";
  }
  return "a value";
}

Status CheckAnyValue(const std::string& path, capnp::JsonValue::Reader v) {
  switch (v.which()) {
    case capnp::JsonValue::STRING:
      return CheckString(path, v.getString());
    case capnp::JsonValue::ARRAY: {
      size_t i = 0;
      for (auto e : v.getArray()) {
        ANNALS_RETURN_IF_ERROR(CheckAnyValue(path + "." + std::to_string(i++), e));
      }
      return Status::OK();
    }
    case capnp::JsonValue::OBJECT: {
      KeySeen seen;
      for (auto f : v.getObject()) {
        std::string key = f.getName().cStr();
        ANNALS_RETURN_IF_ERROR(CheckString(path + " key", f.getName()));
        if (!seen.Insert(f.getName())) {
          return Status::InvalidArgument("field '" + path + "." + key + "' appears twice");
        }
        ANNALS_RETURN_IF_ERROR(CheckAnyValue(path + "." + key, f.getValue()));
      }
      return Status::OK();
    }
    case capnp::JsonValue::CALL:
      return Status::InvalidArgument("field '" + path + "' is not JSON");
    default:
      return Status::OK();
  }
}

Status WrongType(const std::string& path, const std::string& expected,
                 capnp::JsonValue::Reader v) {
  return Status::InvalidArgument("field '" + path + "' must be " + expected + ", got " +
                                 JsonKind(v));
}

const capnp::Type* FindField(const FieldTable& fields, kj::StringPtr key) {
  for (const auto& [name, type] : fields) {
    if (key == name.c_str()) return &type;
  }
  return nullptr;
}

bool IsInteger(double d, double lo, double hi) {
  return d >= lo && d <= hi && std::floor(d) == d;
}

bool IntegerBounds(capnp::Type type, double* lo, double* hi) {
  using W = capnp::schema::Type;
  const W::Which w = type.which();
  if (w < W::INT8 || w > W::UINT64) return false;
  const bool is_signed = w <= W::INT64;
  const int bits = w == W::INT8 || w == W::UINT8     ? 8
                   : w == W::INT16 || w == W::UINT16 ? 16
                   : w == W::INT32 || w == W::UINT32 ? 32
                                                    : 53;
  *hi = bits == 53 ? kMaxJsonInteger : std::ldexp(1.0, bits - is_signed) - 1;
  *lo = is_signed ? (bits == 53 ? -kMaxJsonInteger : -*hi - 1) : 0;
  return true;
}

Status CheckValue(const std::string& path, capnp::Type type, capnp::JsonValue::Reader v) {
  using W = capnp::schema::Type;
  switch (type.which()) {
    case W::TEXT:
      if (!v.isString()) return WrongType(path, "a string", v);
      return CheckString(path, v.getString());
    case W::BOOL:
      if (!v.isBoolean()) return WrongType(path, "true or false", v);
      return Status::OK();
    case W::INT8: case W::INT16: case W::INT32: case W::INT64:
    case W::UINT8: case W::UINT16: case W::UINT32: case W::UINT64: {
      if (!v.isNumber()) return WrongType(path, "a number", v);
      double lo = 0, hi = 0;
      IntegerBounds(type, &lo, &hi);
      if (!IsInteger(v.getNumber(), lo, hi)) {
        return Status::InvalidArgument(
            "field '" + path + "' must be " +
            (lo < 0 ? std::string("an integer") : std::string("a non-negative integer")) +
            " from " + std::to_string(static_cast<int64_t>(lo)) + " to " +
            std::to_string(static_cast<int64_t>(hi)));
      }
      return Status::OK();
    }
    case W::FLOAT32: case W::FLOAT64:
      if (!v.isNumber()) return WrongType(path, "a number", v);
      return Status::OK();
    case W::ENUM: {
      if (v.isString()) {
        KJ_IF_MAYBE(e, type.asEnum().findEnumerantByName(v.getString())) {
          (void)e;
          return Status::OK();
        }
      }
      std::string allowed;  // only for the message
      for (auto e : type.asEnum().getEnumerants()) {
        if (!allowed.empty()) allowed += "|";
        allowed += e.getProto().getName().cStr();
      }
      if (!v.isString()) return WrongType(path, "one of " + allowed, v);
      return Status::InvalidArgument("field '" + path + "' must be one of " + allowed +
                                     ", got '" + std::string(v.getString().cStr()) + "'");
    }
    case W::LIST: {
      if (!v.isArray()) return WrongType(path, "an array", v);
      size_t i = 0;
      for (auto e : v.getArray()) {
        ANNALS_RETURN_IF_ERROR(
            CheckValue(path + "." + std::to_string(i++), type.asList().getElementType(), e));
      }
      return Status::OK();
    }
    case W::STRUCT:
      if (!v.isObject()) return WrongType(path, "an object", v);
      if (type.asStruct() == capnp::Schema::from<capnp::JsonValue>()) {
        return CheckAnyValue(path, v);
      }
      return CheckObject(path, MakeFieldTable(type.asStruct()), v);
    default:
      return Status::InvalidArgument("field '" + path + "' has an unsupported type");
  }
}

Status CheckObject(const std::string& prefix, const FieldTable& fields,
                   capnp::JsonValue::Reader v) {
  KeySeen seen;
  for (auto f : v.getObject()) {
    const kj::StringPtr key = f.getName();
    std::string path = prefix.empty() ? std::string(key.cStr()) : prefix + "." + key.cStr();
    if (!seen.Insert(key)) {
      return Status::InvalidArgument("field '" + path + "' appears twice");
    }
    const capnp::Type* type = FindField(fields, key);
    if (type == nullptr) return Status::InvalidArgument("unknown field '" + path + "'");
    if (f.getValue().isNull()) continue;  // null means absent
    ANNALS_RETURN_IF_ERROR(CheckValue(path, *type, f.getValue()));
  }
  return Status::OK();
}

kj::Maybe<capnp::JsonValue::Reader> Member(capnp::JsonValue::Reader obj, kj::StringPtr name) {
  for (auto f : obj.getObject()) {
    if (f.getName() == name) return f.getValue();
  }
  return nullptr;
}

void DropNulls(capnp::JsonValue::Builder obj, capnp::Orphanage orphanage) {
  if (!obj.isObject()) return;
  auto fields = obj.getObject();
  size_t keep = 0;
  for (auto f : fields) keep += !f.getValue().isNull();
  if (keep == fields.size()) {
    for (auto f : fields) {
      if (f.getValue().isObject()) DropNulls(f.getValue(), orphanage);
    }
    return;
  }
  auto list = orphanage.newOrphan<capnp::List<capnp::JsonValue::Field>>(keep);
  size_t i = 0;
  for (auto f : fields) {
    if (f.getValue().isNull()) continue;
    list.get().setWithCaveats(i++, f);
  }
  obj.adoptObject(kj::mv(list));
  for (auto f : obj.getObject()) {
    if (f.getValue().isObject()) DropNulls(f.getValue(), orphanage);
  }
}

Status CheckRequired(const EventTypeInfo& type, kj::Maybe<capnp::JsonValue::Reader> data,
                     const char* what) {
  for (const std::string& key : type.required) {
    bool present = false;
    KJ_IF_MAYBE(d, data) {
      KJ_IF_MAYBE(v, Member(*d, key.c_str())) {
        present = IsGivenValue(v->isNull(), v->isString() && v->getString().size() == 0);
      }
    }
    if (!present) {
      if (what != nullptr) {
        return Status::InvalidArgument(std::string(what) + " required field 'data." + key + "'");
      }
      return Status::InvalidArgument("missing field 'data." + key + "' (required for " +
                                     type.name + ")");
    }
  }
  return Status::OK();
}

bool IsStoreAssignedKey(std::string_view key) {
  for (const char* k : kStoreAssignedKeys) {
    if (key == k) return true;
  }
  return false;
}

capnp::DynamicStruct::Builder InitData(schema::Event::Builder event, const EventTypeInfo& type) {
  if (type.variant == CustomVariant()) {
    auto custom = event.initCustom();
    custom.setType(type.name);
    return custom.getData().initAs<capnp::DynamicStruct>(type.data);
  }
  // clear() selects the variant without allocating a struct of event.capnp's schema for
  // it; the slot then gets one of the type's own.
  capnp::DynamicStruct::Builder dyn = event;
  dyn.clear(capnp::Schema::from<schema::Event>().getUnionFields()[static_cast<unsigned>(
      type.variant)]);
  return capnp::AnyStruct::Builder(schema::Event::Builder(event)).getPointerSection()[UnionSlot()]
      .initAs<capnp::DynamicStruct>(type.data);
}

std::string KnownTypes(const EventTypeResolver& types) {
  std::string known;
  for (const auto& t : types.All()) {
    if (t->kind == EventKind::kVocabulary) continue;
    known += (known.empty() ? "" : ", ") + t->name;
  }
  return known;
}

}  // namespace internal
}  // namespace annals
