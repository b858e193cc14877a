// Copyright annals authors.
//
// Registry (registry.h) and the public EventTypes over it.

#include "vocabulary/registry.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "codec/json_plan.h"
#include "vocabulary/compile_refs.h"
#include "vocabulary/embedded_files.h"
#include "annals/vocabulary.h"
#include "vocabulary/parse.h"

namespace annals {
namespace internal {

namespace {

constexpr char kShippedPrefix[] = "vocabularies/";
constexpr char kShippedSuffix[] = ".capnp";

std::shared_ptr<const EventTypeInfo> MakeTypeInfo(const VocabularyVersion& v,
                                                  const EventTypeDef& def) {
  auto info = std::make_shared<EventTypeInfo>();
  info->name = def.name;
  info->kind = EventKind::kDomain;
  info->data = def.data;
  const int legacy = LegacyVariant(def.name);
  info->variant = legacy >= 0 ? legacy : CustomVariant();
  info->codec = &v.vocabulary->data_codec();
  info->fields = MakeFieldTable(def.data);
  info->touch = MakeTouchPlan(def.data);
  for (int f : def.required) info->required.push_back(def.data_shape->fields[f].json_name);
  for (int f : def.dates) info->dates.push_back(def.data_shape->fields[f].json_name);
  info->json = MakeJsonPlan(def.data, info->required);
  info->vocabulary = v.name;
  info->definition = &def;
  info->owner = v.vocabulary;
  return info;
}

}  // namespace

const char* Registry::ShippedSource(std::string_view name) {
  return EmbeddedFileText(std::string(kShippedPrefix) + std::string(name) + kShippedSuffix);
}

std::vector<std::string> Registry::ShippedNames() {
  std::vector<std::string> names;
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    std::string_view n = kEmbeddedFiles[i].name;
    if (n.rfind(kShippedPrefix, 0) != 0) continue;
    n.remove_prefix(std::strlen(kShippedPrefix));
    if (n.size() > std::strlen(kShippedSuffix)) n.remove_suffix(std::strlen(kShippedSuffix));
    names.emplace_back(n);
  }
  return names;
}

std::shared_ptr<const Registry> Registry::BuiltIn() {
  static const std::shared_ptr<const Registry>* builtin = [] {
    auto deal = CompileVocabulary(ShippedSource("deal"), "deal.capnp");
    KJ_ASSERT(deal.ok(), "the built-in vocabulary 'deal' does not compile",
              deal.status().ToString());
    std::shared_ptr<Registry> r(new Registry());
    VocabularyVersion v{"deal", 1, 0, std::move(deal).value()};
    r->AddTypes(v);
    r->versions_["deal"].push_back(std::move(v));
    return new std::shared_ptr<const Registry>(std::move(r));  // never destroyed
  }();
  return *builtin;
}

void Registry::AddTypes(const VocabularyVersion& latest) {
  for (auto it = types_.begin(); it != types_.end();) {
    it = it->second->vocabulary == latest.name ? types_.erase(it) : std::next(it);
  }
  for (const EventTypeDef& def : latest.vocabulary->types()) {
    types_[def.name] = MakeTypeInfo(latest, def);
  }
}

Result<std::shared_ptr<const Registry>> Registry::With(VocabularyVersion version) const {
  for (const EventTypeDef& def : version.vocabulary->types()) {
    auto it = types_.find(def.name);
    if (it != types_.end() && it->second->vocabulary != version.name) {
      return Status::InvalidArgument("event type '" + def.name + "' belongs to the vocabulary '" +
                                     it->second->vocabulary + "' (type names are unique in a "
                                     "store)");
    }
  }
  std::shared_ptr<Registry> next(new Registry(*this));
  next->AddTypes(version);
  next->versions_[version.name].push_back(std::move(version));
  return std::shared_ptr<const Registry>(std::move(next));
}

std::shared_ptr<const EventTypeInfo> Registry::Find(std::string_view name) const {
  if (auto core = CoreType(name)) return core;
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const EventTypeInfo>> Registry::All() const {
  std::vector<std::shared_ptr<const EventTypeInfo>> out = CoreTypes();
  // By vocabulary, each in the order its file declares them.
  for (const auto& [name, versions] : versions_) {
    for (const EventTypeDef& def : versions.back().vocabulary->types()) {
      auto it = types_.find(def.name);
      if (it != types_.end()) out.push_back(it->second);
    }
  }
  return out;
}

const VocabularyVersion* Registry::Latest(std::string_view name) const {
  auto it = versions_.find(name);
  return it == versions_.end() || it->second.empty() ? nullptr : &it->second.back();
}

const VocabularyVersion* Registry::At(std::string_view name, uint64_t known_seq) const {
  auto it = versions_.find(name);
  if (it == versions_.end()) return nullptr;
  const VocabularyVersion* found = nullptr;
  for (const auto& v : it->second) {
    if (v.seq <= known_seq) found = &v;
  }
  return found;
}

}  // namespace internal

// ---- the public face -----------------------------------------------------------------------

std::vector<std::string> ShippedVocabularies() {
  auto names = internal::Registry::ShippedNames();
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> ShippedVocabularySource(std::string_view name) {
  const char* text = internal::Registry::ShippedSource(name);
  if (text != nullptr) return std::string(text);
  std::string known;
  for (const auto& n : ShippedVocabularies()) known += (known.empty() ? "" : ", ") + n;
  return Status::NotFound("annals ships no vocabulary '" + std::string(name) + "' (it ships " +
                          known + ")");
}

const EventTypes& EventTypes::BuiltIn() {
  static const EventTypes* types = new EventTypes(internal::Registry::BuiltIn());
  return *types;
}

EventTypes::EventTypes(std::shared_ptr<const internal::EventTypeResolver> resolver)
    : resolver_(std::move(resolver)) {}

namespace {

std::string TypeText(capnp::Type type) {
  using W = capnp::schema::Type;
  switch (type.which()) {
    case W::TEXT: return "Text";
    case W::BOOL: return "Bool";
    case W::INT8: case W::INT16: case W::INT32: case W::INT64:
    case W::UINT8: case W::UINT16: case W::UINT32: case W::UINT64:
      return "integer";
    case W::FLOAT32: case W::FLOAT64: return "number";
    case W::ENUM: {
      std::string out = "one of ";
      bool first = true;
      for (auto e : type.asEnum().getEnumerants()) {
        out += (first ? "" : "|") + std::string(e.getProto().getName().cStr());
        first = false;
      }
      return out;
    }
    case W::LIST: return "List(" + TypeText(type.asList().getElementType()) + ")";
    case W::STRUCT:
      return type.asStruct() == capnp::Schema::from<capnp::JsonValue>()
                 ? "JSON object"
                 : "struct " + std::string(type.asStruct().getUnqualifiedName().cStr());
    default: return "value";
  }
}

}  // namespace

std::vector<EventTypeSummary> EventTypes::List() const {
  std::vector<EventTypeSummary> out;
  for (const auto& t : resolver_->All()) {
    if (t->kind == EventKind::kVocabulary) continue;
    EventTypeSummary s;
    s.name = t->name;
    s.vocabulary = t->vocabulary;
    s.kind = t->kind;
    for (const auto& [name, type] : t->fields) {
      EventFieldInfo f;
      f.name = name;
      f.type = TypeText(type);
      for (const auto& r : t->required) f.required |= r == name;
      for (const auto& d : t->dates) f.date |= d == name;
      s.fields.push_back(std::move(f));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace annals
