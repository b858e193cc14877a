// Copyright annals authors.
//
// MakeJsonPlan (json_plan.h).

#include "codec/json_plan.h"

#include <capnp/compat/json.h>

#include "codec/event_json_rules.h"

namespace annals {
namespace internal {

namespace {

constexpr uint64_t kJsonNameAnnotation = 0xfa5b1fd61c2e7c3dull;
// json.capnp's other annotations (flatten, discriminator, base64, hex), which change how
// JsonCodec maps a field or struct.
constexpr uint64_t kOtherJsonAnnotations[] = {0x82d3e852af0336bfull, 0xcfa794e8d19a0162ull,
                                              0xd7d879450a253e4bull, 0xf061e22f0ae5c7b5ull};
// Structs and lists nest at most this deep in a plan the codec is not needed for.
constexpr int kMaxDepth = 16;

bool HasOtherJsonAnnotation(capnp::List<capnp::schema::Annotation>::Reader annotations) {
  for (auto a : annotations) {
    for (uint64_t id : kOtherJsonAnnotations) {
      if (a.getId() == id) return true;
    }
  }
  return false;
}

// Both ways off.
void Neither(JsonPlan* plan) {
  plan->input = false;
  plan->output = false;
}

std::shared_ptr<JsonPlan> PlanStruct(capnp::StructSchema schema, int depth);

// Fills `v` for a value of type `type`, turning the ways it cannot take off in `plan`.
void PlanValue(capnp::Type type, int depth, JsonPlan::Value* v, JsonPlan* plan) {
  using W = capnp::schema::Type;
  v->which = type.which();
  switch (type.which()) {
    case W::TEXT:
      v->kind = JsonPlan::Value::kText;
      return;
    case W::BOOL:
      v->kind = JsonPlan::Value::kBool;
      return;
    case W::INT8: case W::INT16: case W::INT32: case W::INT64:
    case W::UINT8: case W::UINT16: case W::UINT32: case W::UINT64:
    case W::FLOAT32: case W::FLOAT64:
      v->kind = JsonPlan::Value::kNumber;
      IntegerBounds(type, &v->lo, &v->hi);
      return;
    case W::ENUM:
      v->kind = JsonPlan::Value::kEnum;
      for (auto e : type.asEnum().getEnumerants()) {
        for (auto a : e.getProto().getAnnotations()) {
          if (a.getId() == kJsonNameAnnotation) Neither(plan);
        }
        v->enumerants.emplace_back(e.getProto().getName().cStr(), e);
      }
      return;
    case W::STRUCT: {
      if (type.asStruct() == capnp::Schema::from<capnp::JsonValue>()) {
        Neither(plan);
        return;
      }
      auto nested = PlanStruct(type.asStruct(), depth + 1);
      v->kind = JsonPlan::Value::kStruct;
      plan->input = plan->input && nested->input;
      plan->output = plan->output && nested->output;
      v->structure = std::move(nested);
      return;
    }
    case W::LIST: {
      const capnp::Type element = type.asList().getElementType();
      if (element.isList() || depth >= kMaxDepth) {
        Neither(plan);
        return;
      }
      auto e = std::make_shared<JsonPlan::Value>();
      PlanValue(element, depth + 1, e.get(), plan);
      v->kind = JsonPlan::Value::kList;
      v->element = std::move(e);
      return;
    }
    default:  // Void, Data, AnyPointer, interfaces
      Neither(plan);
      return;
  }
}

std::shared_ptr<JsonPlan> PlanStruct(capnp::StructSchema schema, int depth) {
  auto plan = std::make_shared<JsonPlan>();
  if (depth > kMaxDepth || schema.getUnionFields().size() > 0 ||
      HasOtherJsonAnnotation(schema.getProto().getAnnotations())) {
    Neither(plan.get());
    return plan;
  }
  for (auto field : schema.getNonUnionFields()) {
    auto proto = field.getProto();
    if (proto.isGroup() || HasOtherJsonAnnotation(proto.getAnnotations())) {
      Neither(plan.get());
      return plan;
    }
    JsonPlan::Field f;
    f.name = proto.getName().cStr();
    for (auto a : proto.getAnnotations()) {
      if (a.getId() == kJsonNameAnnotation) f.name = a.getValue().getText().cStr();
    }
    for (const auto& other : plan->fields) {
      if (other.name == f.name) Neither(plan.get());  // ambiguous: left to the codec
    }
    f.field = field;
    PlanValue(field.getType(), depth, &f.value, plan.get());
    f.is_pointer = f.value.kind == JsonPlan::Value::kText ||
                   f.value.kind == JsonPlan::Value::kStruct ||
                   f.value.kind == JsonPlan::Value::kList;
    plan->fields.push_back(std::move(f));
  }
  return plan;
}

}  // namespace

std::shared_ptr<const JsonPlan> MakeJsonPlan(capnp::StructSchema data,
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
    if (!found) plan->input = false;  // a requirement no input meets: the codec's message
  }
  return plan;
}

}  // namespace internal
}  // namespace annals
