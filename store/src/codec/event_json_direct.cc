// Copyright annals authors.
//
// The direct path of JSON event input (event_json_direct.h).
//
// What the general path does, and how this one matches it:
//   - JSON text: the general path parses with simdjson On Demand and refuses any malformed
//     text; this one parses the whole document with simdjson's DOM parser (stage 1 on the
//     machine's best SIMD kernel, chosen at run time) and declines on any parse error.
//     Numbers: the general path reads every number as a double; the DOM keeps integers as
//     integers, which convert to the same double, except "-0" (an integer 0 here, -0.0
//     there): a float field given an integer 0 is left to the general path.
//   - Checks (event_json_rules.h): duplicate and unknown keys, store-assigned keys by
//     mode, the type, text limits (IsAcceptedText), integer ranges, enumerant names,
//     required data fields: the same predicates, and a failure declines.
//   - Nulls: a null member is an absent field, in the envelope and in the objects of the
//     data that are not inside arrays (where DropNulls removes them before JsonCodec);
//     elsewhere JsonCodec would refuse them or read them specially (NaN for a float), so
//     this path declines; so it does for a null member of `source`, which the envelope's
//     codec refuses.
//   - Building: the envelope through the generated setters, as BuildEvent sets it; the
//     data through the type's DynamicStruct field handles with the values JsonCodec
//     decodes (a double for every number, converted by Cap'n Proto as the codec's adopt()
//     converts it; enumerants by name; a struct or list for each object or array, even
//     an empty one).  Member order does not matter: only content reaches canonical form.

#include "codec/event_json_direct.h"

#include <simdjson.h>

#include <string>

#include "codec/event_json_rules.h"
#include "codec/event_rep.h"
#include "codec/json_plan.h"

namespace annals {
namespace internal {

namespace {

namespace dom = simdjson::dom;

// ---- building ---------------------------------------------------------------------------

const JsonPlan::Field* FindPlanField(const JsonPlan& plan, std::string_view name) {
  for (const auto& f : plan.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool GetText(dom::element e, std::string_view* out) {
  return e.get_string().get(*out) == simdjson::SUCCESS && IsAcceptedText(*out);
}

capnp::Text::Reader AsText(std::string_view s) {
  return capnp::Text::Reader(s.data(), s.size());  // DOM strings are NUL-terminated
}

// The value of a number, or false if it is not one the general path reads the same.
bool GetNumber(const JsonPlan::Value& v, dom::element e, double* out) {
  if (e.get_double().get(*out) != simdjson::SUCCESS) return false;
  if (v.is_float()) return !(*out == 0 && e.type() != dom::element_type::DOUBLE);  // "-0"
  return IsInteger(*out, v.lo, v.hi);
}

const capnp::EnumSchema::Enumerant* GetEnumerant(const JsonPlan::Value& v,
                                                 dom::element e) {
  std::string_view name;
  if (e.get_string().get(name) != simdjson::SUCCESS) return nullptr;
  for (const auto& [n, enumerant] : v.enumerants) {
    if (n == name) return &enumerant;
  }
  return nullptr;
}

bool BuildStruct(const JsonPlan& plan, dom::element e, bool in_array,
                 capnp::DynamicStruct::Builder out, size_t* required_given);

// Sets list element i (of a list built for `v`) from `e`.
bool BuildElement(const JsonPlan::Value& v, dom::element e, capnp::DynamicList::Builder list,
                  unsigned i) {
  switch (v.kind) {
    case JsonPlan::Value::kText: {
      std::string_view s;
      if (!GetText(e, &s)) return false;
      list.set(i, AsText(s));
      return true;
    }
    case JsonPlan::Value::kBool: {
      bool b;
      if (e.get_bool().get(b) != simdjson::SUCCESS) return false;
      list.set(i, b);
      return true;
    }
    case JsonPlan::Value::kNumber: {
      double d;
      if (!GetNumber(v, e, &d)) return false;
      list.set(i, d);
      return true;
    }
    case JsonPlan::Value::kEnum: {
      const auto* enumerant = GetEnumerant(v, e);
      if (enumerant == nullptr) return false;
      list.set(i, capnp::DynamicEnum(*enumerant));
      return true;
    }
    case JsonPlan::Value::kStruct:
      return BuildStruct(*v.structure, e, /*in_array=*/true,
                         list[i].as<capnp::DynamicStruct>(), nullptr);
    case JsonPlan::Value::kList:
      return false;  // lists of lists are never planned
  }
  return false;
}

// Sets `field` of `out` from `e` (not null).
bool BuildField(const JsonPlan::Field& f, dom::element e, bool in_array,
                capnp::DynamicStruct::Builder out) {
  const JsonPlan::Value& v = f.value;
  switch (v.kind) {
    case JsonPlan::Value::kText: {
      std::string_view s;
      if (!GetText(e, &s)) return false;
      out.set(f.field, AsText(s));
      return true;
    }
    case JsonPlan::Value::kBool: {
      bool b;
      if (e.get_bool().get(b) != simdjson::SUCCESS) return false;
      out.set(f.field, b);
      return true;
    }
    case JsonPlan::Value::kNumber: {
      double d;
      if (!GetNumber(v, e, &d)) return false;
      out.set(f.field, d);
      return true;
    }
    case JsonPlan::Value::kEnum: {
      const auto* enumerant = GetEnumerant(v, e);
      if (enumerant == nullptr) return false;
      out.set(f.field, capnp::DynamicEnum(*enumerant));
      return true;
    }
    case JsonPlan::Value::kStruct:
      return BuildStruct(*v.structure, e, in_array,
                         out.init(f.field).as<capnp::DynamicStruct>(), nullptr);
    case JsonPlan::Value::kList: {
      dom::array array;
      if (e.get_array().get(array) != simdjson::SUCCESS) return false;
      const size_t n = array.size();
      auto list = out.init(f.field, static_cast<unsigned>(n)).as<capnp::DynamicList>();
      unsigned i = 0;
      for (dom::element item : array) {
        if (item.is_null()) return false;
        if (!BuildElement(*v.element, item, list, i++)) return false;
      }
      return i == n;
    }
  }
  return false;
}

// Builds an object into `out`; counts the required members given in *required_given (the
// data struct itself; null for nested ones).
bool BuildStruct(const JsonPlan& plan, dom::element e, bool in_array,
                 capnp::DynamicStruct::Builder out, size_t* required_given) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return false;
  KeySeen seen;
  for (dom::key_value_pair member : object) {
    if (!seen.Insert(member.key)) return false;
    const JsonPlan::Field* f = FindPlanField(plan, member.key);
    if (f == nullptr) return false;
    if (member.value.is_null()) {
      if (in_array) return false;  // not dropped before the codec sees it
      continue;                    // absent
    }
    if (f->required && required_given != nullptr) {
      std::string_view s;
      const bool empty = member.value.get_string().get(s) == simdjson::SUCCESS && s.empty();
      *required_given += IsGivenValue(false, empty);
    }
    if (!BuildField(*f, member.value, in_array, out)) return false;
  }
  return true;
}

// ---- the envelope ----------------------------------------------------------------------

// The members of an event object, as BuildEvent knows them (the envelope's JSON names).
enum Key {
  kId, kStream, kEffective, kConfidence, kSource, kRecordedBy,
  kSeq, kVersion, kRecordedAt, kPrevHash, kHash,  // store-assigned
  kType, kData, kKeyCount
};
constexpr const char* kKeyNames[kKeyCount] = {
    "id", "stream", "effective", "confidence", "source", "recorded_by", "seq",
    "version", "recorded_at", "prev_hash", "hash", "type", "data"};

int KeyOf(std::string_view name) {
  for (int k = 0; k < kKeyCount; ++k) {
    if (name == kKeyNames[k]) return k;
  }
  return -1;
}

bool SetSource(dom::element e, schema::Source::Builder source) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return false;
  KeySeen seen;
  for (dom::key_value_pair member : object) {
    std::string_view s;
    if (!seen.Insert(member.key) || !GetText(member.value, &s)) return false;
    if (member.key == "publisher") {
      source.setPublisher(AsText(s));
    } else if (member.key == "url") {
      source.setUrl(AsText(s));
    } else if (member.key == "published") {
      source.setPublished(AsText(s));
    } else {
      return false;
    }
  }
  return true;
}

bool SetEnvelope(Key key, dom::element e, schema::Event::Builder event) {
  std::string_view s;
  switch (key) {
    case kConfidence:
      if (e.get_string().get(s) != simdjson::SUCCESS) return false;
      if (s == "confirmed") {
        event.setConfidence(schema::Confidence::CONFIRMED);
      } else if (s == "reported") {
        event.setConfidence(schema::Confidence::REPORTED);
      } else if (s == "rumored") {
        event.setConfidence(schema::Confidence::RUMORED);
      } else {
        return false;
      }
      return true;
    case kSource:
      return SetSource(e, event.initSource());
    case kSeq:
    case kVersion: {
      double d;
      double lo = 0, hi = 0;
      IntegerBounds(capnp::schema::Type::UINT64, &lo, &hi);
      if (e.get_double().get(d) != simdjson::SUCCESS || !IsInteger(d, lo, hi)) return false;
      if (key == kSeq) {
        event.setSeq(static_cast<uint64_t>(d));
      } else {
        event.setVersion(static_cast<uint64_t>(d));
      }
      return true;
    }
    default:
      break;
  }
  if (!GetText(e, &s)) return false;
  switch (key) {
    case kId: event.setId(AsText(s)); break;
    case kStream: event.setStream(AsText(s)); break;
    case kEffective: event.setEffective(AsText(s)); break;
    case kRecordedBy: event.setRecordedBy(AsText(s)); break;
    case kRecordedAt: event.setRecordedAt(AsText(s)); break;
    case kPrevHash: event.setPrevHash(AsText(s)); break;
    case kHash: event.setHash(AsText(s)); break;
    default: return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<const EventTypeInfo> BuildEventDirect(std::string_view json, JsonMode mode,
                                                      const EventTypeResolver& types,
                                                      schema::Event::Builder event) {
  // The DOM parser reads up to SIMDJSON_PADDING bytes past the end of its input: parse a
  // padded copy (per thread, reused).
  thread_local dom::parser parser;
  thread_local std::string padded;
  padded.assign(json.data(), json.size());
  padded.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  dom::element root;
  if (parser.parse(padded.data(), json.size(), false).get(root) != simdjson::SUCCESS) {
    return nullptr;
  }
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return nullptr;

  dom::element values[kKeyCount];
  bool present[kKeyCount] = {};
  KeySeen seen;
  for (dom::key_value_pair member : object) {
    if (!seen.Insert(member.key)) return nullptr;
    const int key = KeyOf(member.key);
    if (key < 0) return nullptr;
    if (mode == JsonMode::kImport && key >= kSeq && key <= kHash) return nullptr;
    present[key] = true;
    values[key] = member.value;
  }
  if (mode == JsonMode::kExport) {
    for (int key = kSeq; key <= kHash; ++key) {
      if (!present[key]) return nullptr;
    }
  }
  std::string_view type_name;
  if (!present[kType] || values[kType].get_string().get(type_name) != simdjson::SUCCESS) {
    return nullptr;
  }
  auto type = types.Find(type_name);
  if (type == nullptr || type->json == nullptr || !type->json->input) return nullptr;
  if (type->kind == EventKind::kVocabulary && mode == JsonMode::kImport) return nullptr;

  for (int key = 0; key < kType; ++key) {
    if (!present[key] || values[key].is_null()) continue;
    if (!SetEnvelope(static_cast<Key>(key), values[key], event)) return nullptr;
  }
  auto data = InitData(event, *type);
  size_t given = 0;
  if (present[kData] && !values[kData].is_null()) {
    if (!BuildStruct(*type->json, values[kData], /*in_array=*/false, data, &given)) {
      return nullptr;
    }
  }
  if (given != type->json->required) return nullptr;
  return type;
}

}  // namespace internal
}  // namespace annals
