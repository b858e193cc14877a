// Copyright annals authors.
//
// Shapes, refs, paths, conversions and conditions of a vocabulary (compile_refs.h).

#include "vocabulary/compile_refs.h"

#include "vocabulary/annotations.h"

#include <capnp/schema.capnp.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

namespace annals {
namespace internal {

namespace {

std::string JsonNameOf(capnp::StructSchema::Field field) {
  KJ_IF_MAYBE(v, annotation::Find(field.getProto().getAnnotations(), annotation::kJsonName)) {
    return v->getText().cStr();
  }
  return field.getProto().getName().cStr();
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string::npos ? std::string::npos
                                                                : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool IsInteger(const std::string& s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return false;
  return std::all_of(s.begin() + static_cast<long>(i), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

std::string FieldNames(const StructShape& shape) {
  std::string out;
  for (const auto& f : shape.fields) out += (out.empty() ? "" : ", ") + f.json_name;
  return out;
}

// How to read `field` straight from its struct's sections (DataRead), or nothing when the
// dynamic API must: an explicit default, a list, a struct as the value (`last`).
std::optional<DataRead> DirectRead(capnp::StructSchema::Field field, bool last) {
  auto proto = field.getProto();
  if (!proto.isSlot() || proto.getSlot().getHadExplicitDefault()) return std::nullopt;
  DataRead r;
  r.offset = proto.getSlot().getOffset();
  using W = capnp::schema::Type;
  switch (proto.getSlot().getType().which()) {
    case W::STRUCT:
      if (last) return std::nullopt;
      r.kind = DataRead::kStruct;
      return r;
    case W::TEXT: r.kind = DataRead::kText; break;
    case W::BOOL: r.kind = DataRead::kBool; break;
    case W::INT8: r.kind = DataRead::kInt8; break;
    case W::INT16: r.kind = DataRead::kInt16; break;
    case W::INT32: r.kind = DataRead::kInt32; break;
    case W::INT64: r.kind = DataRead::kInt64; break;
    case W::UINT8: r.kind = DataRead::kUInt8; break;
    case W::UINT16: r.kind = DataRead::kUInt16; break;
    case W::UINT32: r.kind = DataRead::kUInt32; break;
    case W::UINT64: r.kind = DataRead::kUInt64; break;
    case W::FLOAT32: r.kind = DataRead::kFloat32; break;
    case W::FLOAT64: r.kind = DataRead::kFloat64; break;
    case W::ENUM: r.kind = DataRead::kEnum; break;
    default: return std::nullopt;
  }
  if (!last) return std::nullopt;  // only structs have fields to follow
  return r;
}

// Follows `parts[from..]` through the struct fields of `shape`, into `path`; the type at
// the end in *type.  `what` names the root for messages ("state", "data", "it").
Status Walk(const std::vector<std::string>& parts, size_t from, const StructShape* shape,
            const std::string& what, std::vector<int>* path, TypeShape* type) {
  for (size_t i = from; i < parts.size(); ++i) {
    if (shape == nullptr) {
      return Status::InvalidArgument("'" + what + "' has no field '" + parts[i] +
                                     "' (it is not a struct)");
    }
    const int f = shape->Find(parts[i]);
    if (f < 0) {
      return Status::InvalidArgument("'" + what + "' has no field '" + parts[i] +
                                     "' (fields: " + FieldNames(*shape) + ")");
    }
    path->push_back(f);
    *type = shape->fields[f].type;
    shape = type->kind == TypeShape::kStruct ? type->structure : nullptr;
    if (i + 1 < parts.size() && type->kind != TypeShape::kStruct) {
      return Status::InvalidArgument("'" + what + "." + parts[i] + "' is " + Describe(*type) +
                                     ", not a struct: '" + parts[i + 1] + "' cannot follow it");
    }
  }
  return Status::OK();
}

bool SameShape(const TypeShape& a, const TypeShape& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case TypeShape::kEnum: return a.enum_schema == b.enum_schema;
    case TypeShape::kList: return SameShape(*a.element, *b.element);
    case TypeShape::kMap:
    case TypeShape::kStruct: return a.structure == b.structure;
    default: return true;
  }
}

bool IsNumber(TypeShape::Kind k) {
  return k == TypeShape::kInt || k == TypeShape::kUInt || k == TypeShape::kFloat;
}

Result<Conversion> Convert(const TypeShape& from, const TypeShape& to, const Ref* literal,
                           const std::string& to_name, const std::string& from_name) {
  Conversion c;
  c.from = from;
  c.to = to;
  auto refuse = [&](std::string why) -> Status {
    return Status::InvalidArgument("cannot assign " + from_name + " (" + Describe(from) +
                                   ") to " + to_name + " (" + Describe(to) + ")" +
                                   (why.empty() ? "" : ": " + why));
  };
  if (SameShape(from, to) && to.kind != TypeShape::kStruct) return c;  // kCopy
  switch (to.kind) {
    case TypeShape::kText:
      if (from.IsScalar()) {
        c.kind = from.kind == TypeShape::kText ? Conversion::kCopy : Conversion::kToText;
        return c;
      }
      return refuse("");
    case TypeShape::kEnum: {
      if (literal != nullptr && literal->text_literal) {
        KJ_IF_MAYBE(e, to.enum_schema.findEnumerantByName(literal->literal.text)) {
          (void)e;
          c.kind = Conversion::kEnumByName;
          return c;
        }
        std::string names;
        for (auto e : to.enum_schema.getEnumerants()) {
          names += (names.empty() ? "" : ", ") + std::string(e.getProto().getName().cStr());
        }
        return refuse("'" + literal->literal.text + "' is not one of " + names);
      }
      if (from.kind == TypeShape::kEnum) {
        for (auto e : from.enum_schema.getEnumerants()) {
          if (to.enum_schema.findEnumerantByName(e.getProto().getName()) == nullptr) {
            return refuse("enumerant '" + std::string(e.getProto().getName().cStr()) +
                          "' has no counterpart");
          }
        }
        c.kind = Conversion::kEnumByName;
        return c;
      }
      return refuse("an enum field takes an enumerant: a 'literal' or an enum-typed ref");
    }
    case TypeShape::kBool:
      return refuse("");  // only bool to bool (the kCopy above)
    case TypeShape::kInt:
    case TypeShape::kUInt:
    case TypeShape::kFloat: {
      if (!IsNumber(from.kind)) return refuse("");
      c.kind = Conversion::kNumeric;
      if (literal != nullptr) {  // an integer literal: its value must fit
        const int64_t v = literal->literal.i;  // unset (0) fits every kind
        if (to.kind == TypeShape::kFloat) return c;
        const int bits = to.bits;
        const bool fits = to.kind == TypeShape::kUInt
                              ? v >= 0 && (bits >= 64 || v < (int64_t{1} << bits))
                              : bits >= 64 || (v >= -(int64_t{1} << (bits - 1)) &&
                                               v < (int64_t{1} << (bits - 1)));
        if (!fits) return refuse(std::to_string(v) + " is out of its range");
        return c;
      }
      // Only conversions that keep every value: wider integers, integers that a float's
      // mantissa holds (24 bits in Float32, 53 in Float64), wider floats.
      bool keeps = false;
      if (to.kind == TypeShape::kFloat) {
        keeps = from.kind == TypeShape::kFloat ? to.bits >= from.bits
                                               : from.bits <= (to.bits == 32 ? 16 : 32);
      } else if (from.kind == TypeShape::kInt) {
        keeps = to.kind == TypeShape::kInt && to.bits >= from.bits;
      } else if (from.kind == TypeShape::kUInt) {
        keeps = to.kind == TypeShape::kUInt ? to.bits >= from.bits : to.bits > from.bits;
      }
      if (!keeps) return refuse("it could lose the value");
      return c;
    }
    case TypeShape::kList: {
      if (from.kind != TypeShape::kList) return refuse("");
      auto element = Convert(*from.element, *to.element, nullptr, to_name + " element",
                             from_name + " element");
      if (!element.ok()) return element.status();
      c.kind = Conversion::kList;
      c.element = std::make_shared<Conversion>(std::move(element).value());
      return c;
    }
    case TypeShape::kStruct: {
      if (from.kind != TypeShape::kStruct) return refuse("");
      c.kind = Conversion::kStruct;
      for (size_t i = 0; i < to.structure->fields.size(); ++i) {
        const FieldShape& tf = to.structure->fields[i];
        const int j = from.structure->Find(tf.capnp_name);
        if (j < 0) continue;
        auto field = Convert(from.structure->fields[j].type, tf.type, nullptr,
                             to_name + "." + tf.json_name,
                             from_name + "." + from.structure->fields[j].json_name);
        if (!field.ok()) return field.status();
        c.fields.push_back(Conversion::Field{
            static_cast<int>(i), j, std::make_shared<Conversion>(std::move(field).value())});
      }
      return c;
    }
    case TypeShape::kMap:
      if (SameShape(from, to)) return c;
      return refuse("a map takes only a map of the same elements");
  }
  return refuse("");
}

}  // namespace

std::string Describe(const TypeShape& type) {
  switch (type.kind) {
    case TypeShape::kText: return "Text";
    case TypeShape::kBool: return "Bool";
    case TypeShape::kInt: return "Int" + std::to_string(type.bits ? type.bits : 64);
    case TypeShape::kUInt: return "UInt" + std::to_string(type.bits ? type.bits : 64);
    case TypeShape::kFloat: return "Float" + std::to_string(type.bits ? type.bits : 64);
    case TypeShape::kEnum:
      return "enum " + std::string(type.enum_schema.getUnqualifiedName().cStr());
    case TypeShape::kList: return "List(" + Describe(*type.element) + ")";
    case TypeShape::kMap:
      return "a map of " +
             std::string(type.structure->schema.getUnqualifiedName().cStr());
    case TypeShape::kStruct:
      return "struct " + std::string(type.structure->schema.getUnqualifiedName().cStr());
  }
  return "a value";
}

// ---- shapes --------------------------------------------------------------------------

Result<TypeShape> ShapeBuilder::Type(capnp::Type type, const std::string& where) {
  TypeShape t;
  using W = capnp::schema::Type;
  switch (type.which()) {
    case W::TEXT: t.kind = TypeShape::kText; return t;
    case W::BOOL: t.kind = TypeShape::kBool; return t;
    case W::INT8: case W::INT16: case W::INT32: case W::INT64:
      t.kind = TypeShape::kInt;
      t.bits = type.which() == W::INT8 ? 8 : type.which() == W::INT16 ? 16
               : type.which() == W::INT32 ? 32 : 64;
      return t;
    case W::UINT8: case W::UINT16: case W::UINT32: case W::UINT64:
      t.kind = TypeShape::kUInt;
      t.bits = type.which() == W::UINT8 ? 8 : type.which() == W::UINT16 ? 16
               : type.which() == W::UINT32 ? 32 : 64;
      return t;
    case W::FLOAT32: case W::FLOAT64:
      t.kind = TypeShape::kFloat;
      t.bits = type.which() == W::FLOAT32 ? 32 : 64;
      return t;
    case W::ENUM: {
      t.kind = TypeShape::kEnum;
      t.enum_schema = type.asEnum();
      auto names = std::make_shared<std::vector<std::string>>();
      for (auto e : t.enum_schema.getEnumerants()) names->push_back(e.getProto().getName().cStr());
      t.enumerants = std::move(names);
      return t;
    }
    case W::STRUCT: {
      auto s = Struct(type.asStruct(), where);
      if (!s.ok()) return s.status();
      t.kind = TypeShape::kStruct;
      t.structure = *s;
      return t;
    }
    case W::LIST: {
      auto element = Type(type.asList().getElementType(), where + " element");
      if (!element.ok()) return element.status();
      if (element->kind == TypeShape::kList || element->kind == TypeShape::kMap) {
        return Status::InvalidArgument(where + ": lists of lists are not supported");
      }
      t.kind = TypeShape::kList;
      t.element = std::make_shared<TypeShape>(std::move(element).value());
      if (t.element->kind == TypeShape::kStruct) t.structure = t.element->structure;
      return t;
    }
    default:
      return Status::InvalidArgument(where + ": Data, Void, AnyPointer and interface fields "
                                     "are not supported in a vocabulary");
  }
}

Result<const StructShape*> ShapeBuilder::Struct(capnp::StructSchema schema,
                                                const std::string& where) {
  for (const auto& s : *shapes_) {
    if (s.schema == schema) return &s;
  }
  if (schema.getUnionFields().size() > 0) {
    return Status::InvalidArgument(where + ": struct " +
                                   std::string(schema.getUnqualifiedName().cStr()) +
                                   " has a union, which vocabularies do not support");
  }
  shapes_->emplace_back();
  StructShape* shape = &shapes_->back();
  shape->schema = schema;
  for (auto field : schema.getFields()) {
    const std::string name = field.getProto().getName().cStr();
    if (field.getProto().isGroup()) {
      return Status::InvalidArgument(where + "." + name + ": groups are not supported");
    }
    FieldShape fs;
    fs.capnp_name = name;
    fs.json_name = JsonNameOf(field);
    auto type = Type(field.getType(), where + "." + fs.json_name);
    if (!type.ok()) return type.status();
    fs.type = std::move(type).value();
    auto annotations = field.getProto().getAnnotations();
    KJ_IF_MAYBE(v, annotation::Find(annotations, annotation::kMap)) {
      const std::string at = where + "." + fs.json_name;
      if (fs.type.kind != TypeShape::kList || fs.type.element->kind != TypeShape::kStruct) {
        return Status::InvalidArgument(at + ": $map needs a List(Struct) field, not " +
                                       Describe(fs.type));
      }
      auto options = v->getStruct().getAs<vocab::MapOptions>();
      const StructShape* element = fs.type.element->structure;
      fs.type.kind = TypeShape::kMap;
      fs.type.structure = element;
      fs.type.element.reset();
      fs.type.key_field = element->Find(options.getKey().cStr());
      if (fs.type.key_field < 0) {
        return Status::InvalidArgument(at + ": $map key '" + std::string(options.getKey().cStr()) +
                                       "' is not a field of " +
                                       std::string(element->schema.getUnqualifiedName().cStr()));
      }
      if (element->fields[fs.type.key_field].type.kind != TypeShape::kText) {
        return Status::InvalidArgument(at + ": $map key '" + std::string(options.getKey().cStr()) +
                                       "' must be a Text field");
      }
      if (options.hasValue() && options.getValue().size() > 0) {
        fs.type.value_field = element->Find(options.getValue().cStr());
        if (fs.type.value_field < 0 || fs.type.value_field == fs.type.key_field) {
          return Status::InvalidArgument(at + ": $map value '" +
                                         std::string(options.getValue().cStr()) +
                                         "' is not a field of " +
                                         std::string(element->schema.getUnqualifiedName().cStr()) +
                                         " other than its key");
        }
      }
    }
    KJ_IF_MAYBE(v, annotation::Find(annotations, annotation::kUnset)) {
      switch (static_cast<vocab::Unset>(v->getEnum())) {
        case vocab::Unset::OMIT: fs.unset = UnsetJson::kOmit; break;
        case vocab::Unset::NULL_: fs.unset = UnsetJson::kNull; break;
        case vocab::Unset::EMPTY: fs.unset = UnsetJson::kEmpty; break;
      }
    }
    shape->fields.push_back(std::move(fs));
  }
  return shape;
}

// ---- refs and paths --------------------------------------------------------------------

Result<Ref> CompileRef(const std::string& text, const RefScope& scope) {
  Ref ref;
  ref.text = text;
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    ref.source = Ref::kLiteral;
    ref.literal = Node::Text(text.substr(1, text.size() - 2));
    ref.text_literal = true;
    ref.type.kind = TypeShape::kText;
    return ref;
  }
  if (text == "true" || text == "false") {
    ref.literal.tag = Node::kBool;
    ref.literal.b = text == "true";
    ref.literal.Normalize();
    ref.type.kind = TypeShape::kBool;
    return ref;
  }
  if (IsInteger(text)) {
    ref.literal.tag = Node::kInt;
    ref.literal.i = std::stoll(text);
    ref.literal.Normalize();
    ref.type.kind = TypeShape::kInt;
    ref.type.bits = 64;
    return ref;
  }
  const std::vector<std::string> parts = Split(text);
  const std::string& root = parts[0];
  if (root == "effective" && parts.size() == 1) {
    if (!scope.effective) {
      return Status::InvalidArgument("ref 'effective' is not available here (only in an "
                                     "event's effects)");
    }
    ref.source = Ref::kEffective;
    ref.type.kind = TypeShape::kText;
    return ref;
  }
  if (root == "data") {
    if (scope.data == nullptr) {
      return Status::InvalidArgument("ref '" + text + "': event data is not available here "
                                     "(derive rules see only the state)");
    }
    if (parts.size() < 2) return Status::InvalidArgument("ref 'data' needs a field: data.F");
    ref.source = Ref::kData;
    ANNALS_RETURN_IF_ERROR(
        Walk(parts, 1, scope.data, "data", &ref.node_path, &ref.type).WithPrefix("ref '" +
                                                                                 text + "'"));
    const StructShape* s = scope.data;
    for (int f : ref.node_path) {
      ref.data_path.push_back(s->schema.getFields()[static_cast<unsigned>(f)]);
      s = s->fields[f].type.structure;
    }
    ref.node_path.clear();
    for (size_t i = 0; i < ref.data_path.size(); ++i) {
      auto read = DirectRead(ref.data_path[i], i + 1 == ref.data_path.size());
      if (!read) {
        ref.data_reads.clear();
        break;
      }
      ref.data_reads.push_back(*read);
    }
    return ref;
  }
  if (root == "state") {
    if (scope.state == nullptr) return Status::InvalidArgument("ref '" + text + "': no state here");
    if (parts.size() < 2) return Status::InvalidArgument("ref 'state' needs a field: state.P");
    ref.source = Ref::kState;
    Status s = Walk(parts, 1, scope.state, "state", &ref.node_path, &ref.type);
    if (!s.ok()) return s.WithPrefix("ref '" + text + "'");
    return ref;
  }
  if (root == "it") {
    if (scope.it == nullptr) {
      return Status::InvalidArgument("ref '" + text + "': 'it' exists only inside where / any");
    }
    ref.source = Ref::kIt;
    if (parts.size() == 1) {
      ref.type = *scope.it;
      return ref;
    }
    const StructShape* element =
        scope.it->kind == TypeShape::kStruct ? scope.it->structure : nullptr;
    Status s = Walk(parts, 1, element, "it", &ref.node_path, &ref.type);
    if (!s.ok()) return s.WithPrefix("ref '" + text + "'");
    return ref;
  }
  return Status::InvalidArgument("unknown ref '" + text + "' (a ref is data.F, effective, "
                                 "state.P, it.F, 'text', true, false or an integer)");
}

Result<std::vector<int>> CompilePath(const std::string& text, const StructShape& root,
                                     const TypeShape** type) {
  if (text.empty()) return Status::InvalidArgument("missing path");
  std::vector<std::string> parts = Split(text);
  if (parts[0] == "state") parts.erase(parts.begin());  // "state.x" is "x"
  if (parts.empty()) return Status::InvalidArgument("path '" + text + "' names no field");
  std::vector<int> path;
  TypeShape t;
  Status s = Walk(parts, 0, &root, "state", &path, &t);
  if (!s.ok()) return s.WithPrefix("path '" + text + "'");
  // The type at the end, by address (the field's own shape).
  const StructShape* shape = &root;
  for (size_t i = 0; i < path.size(); ++i) {
    const FieldShape& f = shape->fields[path[i]];
    if (i + 1 == path.size()) {
      *type = &f.type;
    } else {
      shape = f.type.structure;
    }
  }
  return path;
}

Result<Conversion> CompileConversion(const Ref& from, const TypeShape& to,
                                     const std::string& to_name) {
  return Convert(from.type, to, from.source == Ref::kLiteral ? &from : nullptr, to_name,
                 "'" + from.text + "'");
}

Result<Conversion> CompileTypeConversion(const TypeShape& from, const TypeShape& to,
                                         const std::string& to_name,
                                         const std::string& from_name) {
  return Convert(from, to, nullptr, to_name, from_name);
}

// ---- conditions ----------------------------------------------------------------------

Result<Cond> CompileCond(vocab::Cond::Reader cond, const RefScope& scope) {
  Cond c;
  auto ref = CompileRef(cond.getRef().cStr(), scope);
  if (!ref.ok()) return ref.status();
  c.ref = std::move(ref).value();
  auto operand = [&](capnp::Text::Reader text) -> Status {
    auto r = CompileRef(text.cStr(), scope);
    if (!r.ok()) return r.status();
    // Comparing an enum with a literal: the literal must name an enumerant (a typo would
    // otherwise make the condition silently false forever).
    const Ref* lit = r->source == Ref::kLiteral && r->text_literal ? &*r : nullptr;
    const Ref* other = &c.ref;
    if (lit == nullptr && c.ref.source == Ref::kLiteral && c.ref.text_literal) {
      lit = &c.ref;
      other = &*r;
    }
    if (lit != nullptr && other->type.kind == TypeShape::kEnum) {
      auto conv = CompileConversion(*lit, other->type, "'" + other->text + "'");
      if (!conv.ok()) return conv.status();
    }
    c.operands.push_back(std::move(r).value());
    return Status::OK();
  };
  switch (cond.which()) {
    case vocab::Cond::EQ:
      c.op = Cond::kEq;
      ANNALS_RETURN_IF_ERROR(operand(cond.getEq()));
      break;
    case vocab::Cond::NE:
      c.op = Cond::kNe;
      ANNALS_RETURN_IF_ERROR(operand(cond.getNe()));
      break;
    case vocab::Cond::IN:
      c.op = Cond::kIn;
      for (auto t : cond.getIn()) ANNALS_RETURN_IF_ERROR(operand(t));
      if (c.operands.empty()) {
        return Status::InvalidArgument("condition on '" + c.ref.text + "': 'in' is empty");
      }
      break;
    case vocab::Cond::IS_SET:
      c.op = Cond::kIsSet;
      break;
    case vocab::Cond::UNSET:
      c.op = Cond::kUnset;
      break;
    case vocab::Cond::ANY: {
      c.op = Cond::kAny;
      const TypeShape& t = c.ref.type;
      if (t.kind != TypeShape::kList && t.kind != TypeShape::kMap) {
        return Status::InvalidArgument("condition 'any' on '" + c.ref.text + "', which is " +
                                       Describe(t) + ", not a list or map");
      }
      TypeShape element;
      if (t.kind == TypeShape::kList) {
        element = *t.element;
      } else {
        element.kind = TypeShape::kStruct;
        element.structure = t.structure;
      }
      RefScope inner = scope;
      inner.it = &element;  // refs keep copies of the types they need
      auto any = CompileConds(cond.getAny(), inner);
      if (!any.ok()) return any.status();
      c.any = std::move(any).value();
      break;
    }
  }
  return c;
}

Result<std::vector<Cond>> CompileConds(capnp::List<vocab::Cond>::Reader conds,
                                       const RefScope& scope) {
  std::vector<Cond> out;
  for (auto cond : conds) {
    auto c = CompileCond(cond, scope);
    if (!c.ok()) return c.status();
    out.push_back(std::move(c).value());
  }
  return out;
}

}  // namespace internal
}  // namespace annals
