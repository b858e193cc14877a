// Copyright annals authors.
//
// CompileEffect (compile_effect.h): one effect of an event type, checked against the op it
// names (a map for upsert, merge and remove; a list for append; a list of structs for
// updateLast; anything for set and clear) and compiled with its conversions.

#include "vocabulary/compile_effect.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vocabulary/compile_refs.h"

namespace annals {
namespace internal {

namespace {

std::string Trim(std::string s) {
  const size_t b = s.find_first_not_of(" \t");
  const size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Result<std::vector<Assign>> CompileAssigns(capnp::List<capnp::Text>::Reader items,
                                           const StructShape& target, const RefScope& scope,
                                           int key_field) {
  std::vector<Assign> out;
  std::set<int> seen;
  for (auto item : items) {
    const std::string text = item.cStr();
    const size_t eq = text.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("field '" + text + "' must be \"name = ref\"");
    }
    const std::string name = Trim(text.substr(0, eq));
    Assign a;
    a.field = target.Find(name);
    if (a.field < 0) {
      std::string known;
      for (const auto& f : target.fields) known += (known.empty() ? "" : ", ") + f.json_name;
      return Status::InvalidArgument("unknown field '" + name + "' of " +
                                     std::string(target.schema.getUnqualifiedName().cStr()) +
                                     " (fields: " + known + ")");
    }
    if (a.field == key_field) {
      return Status::InvalidArgument("field '" + name + "' is the map's key: it is set "
                                     "from `key`");
    }
    if (!seen.insert(a.field).second) {
      return Status::InvalidArgument("field '" + name + "' is assigned twice");
    }
    auto ref = CompileRef(Trim(text.substr(eq + 1)), scope);
    if (!ref.ok()) return ref.status();
    a.ref = std::move(ref).value();
    auto conversion = CompileConversion(a.ref, target.fields[a.field].type, "'" + name + "'");
    if (!conversion.ok()) return conversion.status();
    a.conversion = std::move(conversion).value();
    out.push_back(std::move(a));
  }
  return out;
}

Status CheckNotDerived(const std::vector<DerivedField>& derived, const std::vector<int>& path,
                       const std::string& text) {
  for (const auto& d : derived) {
    if (!path.empty() && path[0] == d.field) {
      return Status::InvalidArgument("path '" + text + "' is a derived field: rules set it");
    }
  }
  return Status::OK();
}

}  // namespace

Status CompileEffect(vocab::Effect::Reader raw, const StructShape& data,
                     const StructShape& state, const std::vector<DerivedField>& derived,
                     Effect* out) {
  Effect& e = *out;
  RefScope scope;
  scope.data = &data;
  scope.effective = true;
  scope.state = &state;
  auto when = CompileConds(raw.getWhen(), scope);
  if (!when.ok()) return when.status();
  e.when = std::move(when).value();

  vocab::Write::Reader w;
  switch (raw.which()) {
    case vocab::Effect::SET: e.op = Effect::kSet; w = raw.getSet(); break;
    case vocab::Effect::CLEAR: e.op = Effect::kClear; w = raw.getClear(); break;
    case vocab::Effect::UPSERT: e.op = Effect::kUpsert; w = raw.getUpsert(); break;
    case vocab::Effect::MERGE: e.op = Effect::kMerge; w = raw.getMerge(); break;
    case vocab::Effect::REMOVE: e.op = Effect::kRemove; w = raw.getRemove(); break;
    case vocab::Effect::APPEND: e.op = Effect::kAppend; w = raw.getAppend(); break;
    case vocab::Effect::UPDATE_LAST: e.op = Effect::kUpdateLast; w = raw.getUpdateLast(); break;
  }
  const std::string path_text = w.getPath().cStr();
  auto path = CompilePath(path_text, state, &e.target);
  if (!path.ok()) return path.status();
  e.path = std::move(path).value();
  ANNALS_RETURN_IF_ERROR(CheckNotDerived(derived, e.path, path_text));
  const bool has_value = w.hasValue() && w.getValue().size() > 0;
  const bool has_fields = w.hasFields() && w.getFields().size() > 0;
  const bool has_key = w.hasKey() && w.getKey().size() > 0;
  auto unused = [&](bool given, const char* what) -> Status {
    if (!given) return Status::OK();
    return Status::InvalidArgument(std::string("'") + what + "' has no meaning here");
  };
  const TypeShape& target = *e.target;
  auto need = [&](bool ok, const std::string& what) -> Status {
    if (ok) return Status::OK();
    return Status::InvalidArgument("path '" + path_text + "' is " + Describe(target) +
                                   ", not " + what);
  };

  if (e.op == Effect::kUpsert || e.op == Effect::kMerge || e.op == Effect::kRemove) {
    ANNALS_RETURN_IF_ERROR(need(target.kind == TypeShape::kMap, "a map ($A.map)"));
    if (!has_key) return Status::InvalidArgument("missing 'key' (a ref giving the map key)");
    auto key = CompileRef(w.getKey().cStr(), scope);
    if (!key.ok()) return key.status();
    e.key = std::move(key).value();
    const FieldShape& key_field = target.structure->fields[target.key_field];
    auto conversion = CompileConversion(e.key, key_field.type, "the key");
    if (!conversion.ok()) return conversion.status();
    e.key_conversion = std::move(conversion).value();
    ANNALS_RETURN_IF_ERROR(unused(has_value, "value"));
    if (e.op == Effect::kRemove) {
      ANNALS_RETURN_IF_ERROR(unused(has_fields, "fields"));
    } else {
      auto fields = CompileAssigns(w.getFields(), *target.structure, scope, target.key_field);
      if (!fields.ok()) return fields.status();
      e.fields = std::move(fields).value();
    }
  } else {
    ANNALS_RETURN_IF_ERROR(unused(has_key, "key"));
  }

  switch (e.op) {
    case Effect::kSet: {
      if (has_value == has_fields) {
        return Status::InvalidArgument("give either 'value' or 'fields'");
      }
      if (has_value) {
        e.has_value = true;
        auto value = CompileRef(w.getValue().cStr(), scope);
        if (!value.ok()) return value.status();
        e.value = std::move(value).value();
        auto conversion = CompileConversion(e.value, target, "'" + path_text + "'");
        if (!conversion.ok()) return conversion.status();
        e.value_conversion = std::move(conversion).value();
      } else {
        ANNALS_RETURN_IF_ERROR(need(target.kind == TypeShape::kStruct,
                                    "a struct ('fields' build a struct)"));
        auto fields = CompileAssigns(w.getFields(), *target.structure, scope, -1);
        if (!fields.ok()) return fields.status();
        e.fields = std::move(fields).value();
      }
      if (w.hasHistory() && w.getHistory().size() > 0) {
        const std::string history_text = w.getHistory().cStr();
        auto history = CompilePath(history_text, state, &e.history_type);
        if (!history.ok()) return history.status();
        e.history = std::move(history).value();
        ANNALS_RETURN_IF_ERROR(CheckNotDerived(derived, e.history, history_text));
        if (e.history_type->kind != TypeShape::kList) {
          return Status::InvalidArgument("history '" + history_text + "' is " +
                                         Describe(*e.history_type) + ", not a list");
        }
        auto conversion = CompileTypeConversion(target, *e.history_type->element,
                                                "an element of '" + history_text + "'",
                                                "'" + path_text + "'");
        if (!conversion.ok()) return conversion.status();
        e.history_conversion = std::move(conversion).value();
      }
      return Status::OK();
    }
    case Effect::kClear:
      ANNALS_RETURN_IF_ERROR(unused(has_value, "value"));
      return unused(has_fields, "fields");
    case Effect::kAppend: {
      ANNALS_RETURN_IF_ERROR(need(target.kind == TypeShape::kList, "a list"));
      const TypeShape& element = *target.element;
      if (element.kind == TypeShape::kStruct) {
        ANNALS_RETURN_IF_ERROR(unused(has_value, "value"));
        auto fields = CompileAssigns(w.getFields(), *element.structure, scope, -1);
        if (!fields.ok()) return fields.status();
        e.fields = std::move(fields).value();
        return Status::OK();
      }
      ANNALS_RETURN_IF_ERROR(unused(has_fields, "fields"));
      if (!has_value) return Status::InvalidArgument("missing 'value' (the element to add)");
      e.has_value = true;
      auto value = CompileRef(w.getValue().cStr(), scope);
      if (!value.ok()) return value.status();
      e.value = std::move(value).value();
      auto conversion = CompileConversion(e.value, element, "an element of '" + path_text + "'");
      if (!conversion.ok()) return conversion.status();
      e.value_conversion = std::move(conversion).value();
      return Status::OK();
    }
    case Effect::kUpdateLast: {
      ANNALS_RETURN_IF_ERROR(need(target.kind == TypeShape::kList &&
                                      target.element->kind == TypeShape::kStruct,
                                  "a list of structs"));
      ANNALS_RETURN_IF_ERROR(unused(has_value, "value"));
      RefScope inner = scope;
      inner.it = target.element.get();
      auto where = CompileConds(w.getWhere(), inner);
      if (!where.ok()) return where.status();
      e.where = std::move(where).value();
      auto fields = CompileAssigns(w.getFields(), *target.element->structure, scope, -1);
      if (!fields.ok()) return fields.status();
      e.fields = std::move(fields).value();
      e.or_append = w.getOrAppend();
      if (e.or_append) {
        for (const Cond& c : e.where) {
          if (c.op != Cond::kEq || c.ref.source != Ref::kIt || c.ref.node_path.size() != 1) {
            continue;
          }
          Assign a;
          a.field = c.ref.node_path[0];
          a.ref = c.operands[0];
          const FieldShape& f = target.element->structure->fields[a.field];
          auto conversion = CompileConversion(a.ref, f.type, "'" + f.json_name + "'");
          if (!conversion.ok()) return conversion.status();
          a.conversion = std::move(conversion).value();
          e.where_assigns.push_back(std::move(a));
        }
      }
      return Status::OK();
    }
    default:
      return Status::OK();
  }
}

}  // namespace internal
}  // namespace annals
