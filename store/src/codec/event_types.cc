// Copyright annals authors.
//
// Core event types and the variants of schema::Event (event_types.h).

#include "codec/event_types.h"

#include <capnp/schema.h>

#include "event.capnp.h"

namespace annals {
namespace internal {

namespace {

constexpr uint64_t kJsonNameAnnotationId = 0xfa5b1fd61c2e7c3dull;  // json.capnp `name`

std::string JsonName(capnp::StructSchema::Field field) {
  for (auto a : field.getProto().getAnnotations()) {
    if (a.getId() == kJsonNameAnnotationId) return a.getValue().getText().cStr();
  }
  return field.getProto().getName().cStr();
}

int VariantIndex(const char* capnp_name) {
  auto variants = capnp::Schema::from<schema::Event>().getUnionFields();
  for (unsigned i = 0; i < variants.size(); ++i) {
    if (variants[i].getProto().getName() == capnp_name) return static_cast<int>(i);
  }
  KJ_FAIL_ASSERT("schema::Event lost a variant", capnp_name);
}

// The codec of the core types' data: the static schemas of event.capnp.
const capnp::JsonCodec& CoreCodec() {
  static const capnp::JsonCodec* codec = [] {
    auto* c = new capnp::JsonCodec();  // never destroyed: used at exit
    c->handleByAnnotation<schema::Event>();
    c->setRejectUnknownFields(true);
    return c;
  }();
  return *codec;
}

struct CoreSpec {
  const char* variant;
  EventKind kind;
  std::vector<std::string> required;
};

std::vector<std::shared_ptr<const EventTypeInfo>> MakeCoreTypes() {
  const CoreSpec specs[] = {
      {"note", EventKind::kNote, {"text"}},
      {"fact", EventKind::kFact, {"key"}},
      {"correction", EventKind::kCorrection, {"target"}},
      {"retraction", EventKind::kRetraction, {"target", "reason"}},
      {"vocabulary", EventKind::kVocabulary, {"name", "version", "source"}},
  };
  std::vector<std::shared_ptr<const EventTypeInfo>> out;
  auto variants = capnp::Schema::from<schema::Event>().getUnionFields();
  for (const CoreSpec& spec : specs) {
    auto info = std::make_shared<EventTypeInfo>();
    const int index = VariantIndex(spec.variant);
    info->variant = index;
    info->name = JsonName(variants[static_cast<unsigned>(index)]);
    info->kind = spec.kind;
    info->data = variants[static_cast<unsigned>(index)].getType().asStruct();
    info->codec = &CoreCodec();
    info->fields = MakeFieldTable(info->data);
    info->touch = MakeTouchPlan(info->data);
    info->required = spec.required;
    if (spec.kind == EventKind::kCorrection) info->dates = {"effective"};
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

int CustomVariant() {
  static const int index = VariantIndex("custom");
  return index;
}

FieldTable MakeFieldTable(capnp::StructSchema schema) {
  FieldTable table;
  for (auto field : schema.getNonUnionFields()) table.emplace_back(JsonName(field), field.getType());
  return table;
}

kj::Maybe<capnp::StructSchema::Field> FieldByJsonName(capnp::StructSchema schema,
                                                     std::string_view name) {
  for (auto field : schema.getNonUnionFields()) {
    if (JsonName(field) == name) return field;
  }
  return nullptr;
}

namespace {

std::shared_ptr<const TouchPlan> PlanOf(capnp::StructSchema schema, int depth) {
  auto plan = std::make_shared<TouchPlan>();
  if (depth > 32) return plan;  // a recursive struct: deeper levels are left to totalSize
  for (auto field : schema.getFields()) {
    auto proto = field.getProto();
    if (!proto.isSlot()) continue;
    const capnp::Type type = field.getType();
    TouchPlan::Pointer p;
    p.slot = proto.getSlot().getOffset();
    switch (type.which()) {
      case capnp::schema::Type::TEXT: p.kind = TouchPlan::kText; break;
      case capnp::schema::Type::DATA: p.kind = TouchPlan::kData; break;
      case capnp::schema::Type::STRUCT:
        if (type.asStruct() == capnp::Schema::from<capnp::JsonValue>()) {
          p.kind = TouchPlan::kJson;
        } else {
          p.kind = TouchPlan::kStruct;
          p.plan = PlanOf(type.asStruct(), depth + 1);
        }
        break;
      case capnp::schema::Type::LIST: {
        const capnp::Type element = type.asList().getElementType();
        if (element.isStruct() && element.asStruct() != capnp::Schema::from<capnp::JsonValue>()) {
          p.kind = TouchPlan::kStructList;
          p.plan = PlanOf(element.asStruct(), depth + 1);
        } else if (element.isText()) {
          p.kind = TouchPlan::kTextList;
        } else {
          p.kind = TouchPlan::kOtherList;
          p.type = type;
        }
        break;
      }
      default:
        continue;  // data-section fields and AnyPointer: nothing to follow
    }
    plan->pointers.push_back(std::move(p));
  }
  return plan;
}

}  // namespace

std::shared_ptr<const TouchPlan> MakeTouchPlan(capnp::StructSchema schema) {
  return PlanOf(schema, 0);
}

const std::vector<std::shared_ptr<const EventTypeInfo>>& CoreTypes() {
  static const auto* types = new std::vector<std::shared_ptr<const EventTypeInfo>>(
      MakeCoreTypes());
  return *types;
}

std::shared_ptr<const EventTypeInfo> CoreType(std::string_view name) {
  for (const auto& t : CoreTypes()) {
    if (t->name == name) return t;
  }
  return nullptr;
}

int LegacyVariant(std::string_view name) {
  auto variants = capnp::Schema::from<schema::Event>().getUnionFields();
  for (unsigned i = 0; i < variants.size(); ++i) {
    if (static_cast<int>(i) == CustomVariant()) continue;
    if (JsonName(variants[i]) != name) continue;
    return CoreType(name) == nullptr ? static_cast<int>(i) : -1;
  }
  return -1;
}

}  // namespace internal
}  // namespace annals
