// Copyright annals authors.
//
// State trees (state_tree.h): normalisation, text, JSON and leaf diffs.

#include "vocabulary/state_tree.h"

#include <kj/string.h>

#include <cmath>
#include <utility>

#include "util/json_text.h"

namespace annals {
namespace internal {

int StructShape::Find(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].json_name == name || fields[i].capnp_name == name) return static_cast<int>(i);
  }
  return -1;
}

Node Node::Text(std::string s) {
  Node n;
  n.tag = kText;
  n.text = std::move(s);
  n.Normalize();
  return n;
}

Node Node::Struct(const StructShape& shape) {
  Node n;
  n.tag = kStruct;
  n.items.resize(shape.fields.size());
  return n;
}

void Node::Normalize() {
  bool empty = false;
  switch (tag) {
    case kText: empty = text.empty(); break;
    case kBool: empty = !b; break;
    case kInt: empty = i == 0; break;
    case kUInt: empty = u == 0; break;
    case kFloat: empty = f == 0; break;
    case kList: empty = items.empty(); break;
    case kMap: empty = entries.empty(); break;
    default: break;
  }
  if (empty) Clear();
}

void Node::Clear() {
  tag = kUnset;
  i = 0;
  text.clear();
  items.clear();
  entries.clear();
}

bool Node::operator==(const Node& o) const {
  if (tag != o.tag) return false;
  switch (tag) {
    case kUnset: return true;
    case kText: return text == o.text;
    case kBool: return b == o.b;
    case kInt: return i == o.i;
    case kUInt: return u == o.u;
    case kFloat: return f == o.f;
    case kEnum: return e == o.e;
    case kList:
    case kStruct: return items == o.items;
    case kMap: return entries == o.entries;
  }
  return false;
}

std::string_view EnumerantName(const TypeShape& type, uint16_t value, std::string* scratch) {
  if (type.enumerants != nullptr) {
    if (value < type.enumerants->size()) return (*type.enumerants)[value];
  } else if (type.enum_schema != capnp::EnumSchema()) {
    auto enumerants = type.enum_schema.getEnumerants();
    if (value < enumerants.size()) {
      auto name = enumerants[value].getProto().getName();
      return std::string_view(name.cStr(), name.size());  // lives as long as the schema
    }
  }
  *scratch = std::to_string(value);  // an enumerant of a later version of the vocabulary
  return *scratch;
}

namespace {

std::string FloatText(double d) {
  if (!std::isfinite(d)) return "null";
  auto s = kj::str(d);
  return std::string(s.cStr(), s.size());
}

void AppendScalarJson(const TypeShape& type, const Node& node, std::string* out) {
  switch (node.tag) {
    case Node::kText: AppendJsonQuoted(node.text, out); return;
    case Node::kBool: *out += node.b ? "true" : "false"; return;
    case Node::kInt: *out += std::to_string(node.i); return;
    case Node::kUInt: *out += std::to_string(node.u); return;
    case Node::kFloat: *out += FloatText(node.f); return;
    case Node::kEnum: {
      std::string scratch;
      AppendJsonQuoted(EnumerantName(type, node.e, &scratch), out);
      return;
    }
    default: *out += "null"; return;
  }
}

void AppendValueJson(const TypeShape& type, const Node& node, std::string* out);

// Members of a struct's JSON object; `skip` is a field left out (a map element's key).
void AppendMembers(const StructShape& shape, const Node& node, bool top_level, int skip,
                   std::string* out) {
  bool first = true;
  for (size_t i = 0; i < shape.fields.size(); ++i) {
    if (static_cast<int>(i) == skip) continue;
    const FieldShape& field = shape.fields[i];
    const Node* value = node.tag == Node::kStruct && i < node.items.size() ? &node.items[i]
                                                                          : nullptr;
    const bool set = value != nullptr && value->IsSet();
    UnsetJson mode = field.unset;
    if (mode == UnsetJson::kDefault) {
      if (!top_level) {
        mode = UnsetJson::kOmit;
      } else {
        const auto k = field.type.kind;
        const bool null_like = k == TypeShape::kText || k == TypeShape::kStruct ||
                               k == TypeShape::kEnum;
        mode = null_like ? UnsetJson::kNull : UnsetJson::kEmpty;
      }
    }
    if (!set && mode == UnsetJson::kOmit) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonQuoted(field.json_name, out);
    out->push_back(':');
    if (set) {
      AppendValueJson(field.type, *value, out);
    } else if (mode == UnsetJson::kNull) {
      *out += "null";
    } else {
      switch (field.type.kind) {
        case TypeShape::kText: *out += "\"\""; break;
        case TypeShape::kBool: *out += "false"; break;
        case TypeShape::kInt:
        case TypeShape::kUInt:
        case TypeShape::kFloat: *out += "0"; break;
        case TypeShape::kList: *out += "[]"; break;
        case TypeShape::kMap:
        case TypeShape::kStruct: *out += "{}"; break;
        case TypeShape::kEnum: *out += "null"; break;
      }
    }
  }
}

void AppendValueJson(const TypeShape& type, const Node& node, std::string* out) {
  switch (type.kind) {
    case TypeShape::kList: {
      out->push_back('[');
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i) out->push_back(',');
        AppendValueJson(*type.element, node.items[i], out);
      }
      out->push_back(']');
      return;
    }
    case TypeShape::kMap: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, element] : node.entries) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonQuoted(key, out);
        out->push_back(':');
        if (type.value_field >= 0) {
          const FieldShape& vf = type.structure->fields[type.value_field];
          const Node& v = element.items[type.value_field];
          if (v.IsSet()) {
            AppendValueJson(vf.type, v, out);
          } else {
            *out += "null";
          }
        } else {
          out->push_back('{');
          AppendMembers(*type.structure, element, false, type.key_field, out);
          out->push_back('}');
        }
      }
      out->push_back('}');
      return;
    }
    case TypeShape::kStruct:
      out->push_back('{');
      AppendMembers(*type.structure, node, false, -1, out);
      out->push_back('}');
      return;
    default:
      AppendScalarJson(type, node, out);
  }
}

// A leaf's JSON and its text for people ("-" when unset).
std::string LeafJson(const TypeShape& type, const Node& node) {
  if (!node.IsSet()) return "null";
  std::string out;
  AppendValueJson(type, node, &out);
  return out;
}

std::string LeafText(const TypeShape& type, const Node& node) {
  if (!node.IsSet()) return "-";
  return NodeText(type, node);
}

std::string Join(const std::string& prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  std::string out = prefix;
  out.push_back('.');
  out.append(name.data(), name.size());
  return out;
}

const Node& Unset() {
  static const Node* unset = new Node();
  return *unset;
}

void DiffStructMembers(const StructShape& shape, const Node& before, const Node& after,
                       const std::string& prefix, int skip, std::vector<Change>* out) {
  for (size_t i = 0; i < shape.fields.size(); ++i) {
    if (static_cast<int>(i) == skip) continue;
    const Node& b = before.tag == Node::kStruct ? before.items[i] : Unset();
    const Node& a = after.tag == Node::kStruct ? after.items[i] : Unset();
    if (b == a) continue;  // before the path is built: most fields did not change
    DiffNodes(shape.fields[i].type, b, a, Join(prefix, shape.fields[i].json_name), out);
  }
}

}  // namespace

std::string NodeText(const TypeShape& type, const Node& node) {
  switch (node.tag) {
    case Node::kText: return node.text;
    case Node::kBool: return node.b ? "true" : "false";
    case Node::kInt: return std::to_string(node.i);
    case Node::kUInt: return std::to_string(node.u);
    case Node::kFloat: return FloatText(node.f);
    case Node::kEnum: {
      std::string scratch;
      return std::string(EnumerantName(type, node.e, &scratch));
    }
    case Node::kList: {
      if (type.kind != TypeShape::kList || !type.element->IsScalar()) return "";
      std::string out;
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i) out += ", ";
        out += NodeText(*type.element, node.items[i]);
      }
      return out;
    }
    default: return "";
  }
}

void WriteStateMembers(const StructShape& shape, const Node& root, std::string* out) {
  AppendMembers(shape, root, true, -1, out);
}

void DiffNodes(const TypeShape& type, const Node& before, const Node& after, std::string path,
               std::vector<Change>* out) {
  if (before == after) return;
  switch (type.kind) {
    case TypeShape::kStruct:
      DiffStructMembers(*type.structure, before, after, path, -1, out);
      return;
    case TypeShape::kMap: {
      // Keys of either side, each once, in key order.
      auto b = before.entries.begin(), be = before.entries.end();
      auto a = after.entries.begin(), ae = after.entries.end();
      const bool has_b = before.tag == Node::kMap, has_a = after.tag == Node::kMap;
      if (!has_b) b = be;
      if (!has_a) a = ae;
      while (b != be || a != ae) {
        const Node* bn = nullptr;
        const Node* an = nullptr;
        const std::string* key;
        if (a == ae || (b != be && b->first < a->first)) {
          key = &b->first;
          bn = &(b++)->second;
        } else if (b == be || a->first < b->first) {
          key = &a->first;
          an = &(a++)->second;
        } else {
          key = &b->first;
          bn = &(b++)->second;
          an = &(a++)->second;
        }
        DiffMapEntry(type, *key, bn, an, path, out);
      }
      return;
    }
    case TypeShape::kList:
      if (!type.element->IsScalar()) {
        const size_t n = std::max(before.tag == Node::kList ? before.items.size() : 0,
                                  after.tag == Node::kList ? after.items.size() : 0);
        for (size_t i = 0; i < n; ++i) {
          const Node& bv = before.tag == Node::kList && i < before.items.size()
                               ? before.items[i] : Unset();
          const Node& av = after.tag == Node::kList && i < after.items.size()
                               ? after.items[i] : Unset();
          if (bv == av) continue;
          DiffNodes(*type.element, bv, av, Join(path, std::to_string(i)), out);
        }
        return;
      }
      break;  // a list of scalars is one leaf
    default:
      break;
  }
  out->push_back(Change{std::move(path), LeafJson(type, before), LeafJson(type, after),
                        LeafText(type, before), LeafText(type, after)});
}

void DiffMapEntry(const TypeShape& type, const std::string& key, const Node* before,
                  const Node* after, const std::string& path, std::vector<Change>* out) {
  const Node& bv = before ? *before : Unset();
  const Node& av = after ? *after : Unset();
  if (bv == av) return;
  std::string element_path = Join(path, key);
  if (type.value_field >= 0) {
    const FieldShape& vf = type.structure->fields[type.value_field];
    const Node& bx = before ? before->items[type.value_field] : Unset();
    const Node& ax = after ? after->items[type.value_field] : Unset();
    DiffNodes(vf.type, bx, ax, std::move(element_path), out);
  } else {
    DiffStructMembers(*type.structure, bv, av, element_path, type.key_field, out);
  }
}

void DiffStructs(const StructShape& shape, const Node& before, const Node& after,
                 const std::string& prefix, std::vector<Change>* out) {
  DiffStructMembers(shape, before, after, prefix, -1, out);
}

}  // namespace internal
}  // namespace annals
