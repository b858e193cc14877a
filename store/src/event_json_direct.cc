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

#include "event_json_direct.h"

#include <simdjson.h>

#include <string>

#include "event_json_rules.h"
#include "event_rep.h"

namespace annals {
namespace internal {

namespace {

namespace dom = simdjson::dom;

constexpr uint64_t kJsonNameAnnotation = 0xfa5b1fd61c2e7c3dull;
// json.capnp's other annotations (flatten, discriminator, base64, hex), which change how
// JsonCodec maps a field or struct: their types take the general path.
constexpr uint64_t kOtherJsonAnnotations[] = {0x82d3e852af0336bfull, 0xcfa794e8d19a0162ull,
                                              0xd7d879450a253e4bull, 0xf061e22f0ae5c7b5ull};
// Data nests structs and lists at most this deep on the direct path.
constexpr int kMaxPlanDepth = 16;

bool HasOtherJsonAnnotation(capnp::List<capnp::schema::Annotation>::Reader annotations) {
  for (auto a : annotations) {
    for (uint64_t id : kOtherJsonAnnotations) {
      if (a.getId() == id) return true;
    }
  }
  return false;
}

std::shared_ptr<JsonInputPlan> PlanStruct(capnp::StructSchema schema, int depth);

// Fills `v` for a value of type `type`; false if the direct path does not build it.
bool PlanValue(capnp::Type type, int depth, JsonInputPlan::Value* v) {
  using W = capnp::schema::Type;
  switch (type.which()) {
    case W::TEXT:
      v->kind = JsonInputPlan::Value::kText;
      return true;
    case W::BOOL:
      v->kind = JsonInputPlan::Value::kBool;
      return true;
    case W::INT8: case W::INT16: case W::INT32: case W::INT64:
    case W::UINT8: case W::UINT16: case W::UINT32: case W::UINT64:
      v->kind = JsonInputPlan::Value::kNumber;
      return IntegerBounds(type, &v->lo, &v->hi);
    case W::FLOAT32: case W::FLOAT64:
      v->kind = JsonInputPlan::Value::kNumber;
      v->is_float = true;
      return true;
    case W::ENUM: {
      // The general path accepts an enumerant's Cap'n Proto name and the codec then looks
      // the same text up among the JSON names: only enums without renamed enumerants
      // make the two agree trivially.
      v->kind = JsonInputPlan::Value::kEnum;
      for (auto e : type.asEnum().getEnumerants()) {
        for (auto a : e.getProto().getAnnotations()) {
          if (a.getId() == kJsonNameAnnotation) return false;
        }
        v->enumerants.emplace_back(e.getProto().getName().cStr(), e);
      }
      return true;
    }
    case W::STRUCT: {
      if (type.asStruct() == capnp::Schema::from<capnp::JsonValue>()) return false;
      auto plan = PlanStruct(type.asStruct(), depth + 1);
      v->kind = JsonInputPlan::Value::kStruct;
      v->structure = plan;
      return plan->direct;
    }
    case W::LIST: {
      const capnp::Type element = type.asList().getElementType();
      if (element.isList()) return false;
      auto e = std::make_shared<JsonInputPlan::Value>();
      if (!PlanValue(element, depth + 1, e.get())) return false;
      v->kind = JsonInputPlan::Value::kList;
      v->element = std::move(e);
      return true;
    }
    default:
      return false;  // Void, Data, AnyPointer, interfaces
  }
}

std::shared_ptr<JsonInputPlan> PlanStruct(capnp::StructSchema schema, int depth) {
  auto plan = std::make_shared<JsonInputPlan>();
  if (depth > kMaxPlanDepth || schema.getUnionFields().size() > 0 ||
      HasOtherJsonAnnotation(schema.getProto().getAnnotations())) {
    plan->direct = false;
    return plan;
  }
  for (auto field : schema.getNonUnionFields()) {
    auto proto = field.getProto();
    if (proto.isGroup() || HasOtherJsonAnnotation(proto.getAnnotations())) {
      plan->direct = false;
      return plan;
    }
    JsonInputPlan::Field f;
    f.name = proto.getName().cStr();
    for (auto a : proto.getAnnotations()) {
      if (a.getId() == kJsonNameAnnotation) f.name = a.getValue().getText().cStr();
    }
    for (const auto& other : plan->fields) {
      if (other.name == f.name) plan->direct = false;  // ambiguous: left to the codec
    }
    f.field = field;
    if (!PlanValue(field.getType(), depth, &f.value)) plan->direct = false;
    plan->fields.push_back(std::move(f));
  }
  return plan;
}

// ---- building ---------------------------------------------------------------------------

const JsonInputPlan::Field* FindPlanField(const JsonInputPlan& plan, std::string_view name) {
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
bool GetNumber(const JsonInputPlan::Value& v, dom::element e, double* out) {
  if (e.get_double().get(*out) != simdjson::SUCCESS) return false;
  if (v.is_float) return !(*out == 0 && e.type() != dom::element_type::DOUBLE);  // "-0"
  return IsInteger(*out, v.lo, v.hi);
}

const capnp::EnumSchema::Enumerant* GetEnumerant(const JsonInputPlan::Value& v,
                                                 dom::element e) {
  std::string_view name;
  if (e.get_string().get(name) != simdjson::SUCCESS) return nullptr;
  for (const auto& [n, enumerant] : v.enumerants) {
    if (n == name) return &enumerant;
  }
  return nullptr;
}

bool BuildStruct(const JsonInputPlan& plan, dom::element e, bool in_array,
                 capnp::DynamicStruct::Builder out, size_t* required_given);

// Sets list element i (of a list built for `v`) from `e`.
bool BuildElement(const JsonInputPlan::Value& v, dom::element e, capnp::DynamicList::Builder list,
                  unsigned i) {
  switch (v.kind) {
    case JsonInputPlan::Value::kText: {
      std::string_view s;
      if (!GetText(e, &s)) return false;
      list.set(i, AsText(s));
      return true;
    }
    case JsonInputPlan::Value::kBool: {
      bool b;
      if (e.get_bool().get(b) != simdjson::SUCCESS) return false;
      list.set(i, b);
      return true;
    }
    case JsonInputPlan::Value::kNumber: {
      double d;
      if (!GetNumber(v, e, &d)) return false;
      list.set(i, d);
      return true;
    }
    case JsonInputPlan::Value::kEnum: {
      const auto* enumerant = GetEnumerant(v, e);
      if (enumerant == nullptr) return false;
      list.set(i, capnp::DynamicEnum(*enumerant));
      return true;
    }
    case JsonInputPlan::Value::kStruct:
      return BuildStruct(*v.structure, e, /*in_array=*/true,
                         list[i].as<capnp::DynamicStruct>(), nullptr);
    case JsonInputPlan::Value::kList:
      return false;  // lists of lists are not planned
  }
  return false;
}

// Sets `field` of `out` from `e` (not null).
bool BuildField(const JsonInputPlan::Field& f, dom::element e, bool in_array,
                capnp::DynamicStruct::Builder out) {
  const JsonInputPlan::Value& v = f.value;
  switch (v.kind) {
    case JsonInputPlan::Value::kText: {
      std::string_view s;
      if (!GetText(e, &s)) return false;
      out.set(f.field, AsText(s));
      return true;
    }
    case JsonInputPlan::Value::kBool: {
      bool b;
      if (e.get_bool().get(b) != simdjson::SUCCESS) return false;
      out.set(f.field, b);
      return true;
    }
    case JsonInputPlan::Value::kNumber: {
      double d;
      if (!GetNumber(v, e, &d)) return false;
      out.set(f.field, d);
      return true;
    }
    case JsonInputPlan::Value::kEnum: {
      const auto* enumerant = GetEnumerant(v, e);
      if (enumerant == nullptr) return false;
      out.set(f.field, capnp::DynamicEnum(*enumerant));
      return true;
    }
    case JsonInputPlan::Value::kStruct:
      return BuildStruct(*v.structure, e, in_array,
                         out.init(f.field).as<capnp::DynamicStruct>(), nullptr);
    case JsonInputPlan::Value::kList: {
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
bool BuildStruct(const JsonInputPlan& plan, dom::element e, bool in_array,
                 capnp::DynamicStruct::Builder out, size_t* required_given) {
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return false;
  KeySeen seen;
  for (dom::key_value_pair member : object) {
    if (!seen.Insert(member.key)) return false;
    const JsonInputPlan::Field* f = FindPlanField(plan, member.key);
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

std::shared_ptr<const JsonInputPlan> MakeJsonInputPlan(capnp::StructSchema data,
                                                       const std::vector<std::string>& required) {
  auto plan = PlanStruct(data, 0);
  for (const std::string& name : required) {
    bool found = false;
    for (auto& f : plan->fields) {
      if (f.name == name && !f.required) {
        f.required = true;
        ++plan->required;
        found = true;
      }
    }
    if (!found) plan->direct = false;  // a requirement no input meets: the codec's message
  }
  return plan;
}

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
  if (type == nullptr || type->input == nullptr || !type->input->direct) return nullptr;
  if (type->kind == EventKind::kVocabulary && mode == JsonMode::kImport) return nullptr;

  for (int key = 0; key < kType; ++key) {
    if (!present[key] || values[key].is_null()) continue;
    if (!SetEnvelope(static_cast<Key>(key), values[key], event)) return nullptr;
  }
  auto data = InitData(event, *type);
  size_t given = 0;
  if (present[kData] && !values[kData].is_null()) {
    if (!BuildStruct(*type->input, values[kData], /*in_array=*/false, data, &given)) {
      return nullptr;
    }
  }
  if (given != type->input->required) return nullptr;
  return type;
}

}  // namespace internal
}  // namespace annals
