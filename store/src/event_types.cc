// Copyright annals authors.
//
// Core event types and the variants of schema::Event (event_types.h).

#include "event_types.h"

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
