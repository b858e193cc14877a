// Copyright annals authors.
//
// What the fold reads of an event (fold.h): data fields (through compiled DataRead steps or
// the dynamic API), conversions, refs to the event, summaries; and the comparison text
// of a value that the fold's conditions share (fold_internal.h).

#include <capnp/dynamic.h>

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "util/json_text.h"
#include "vocabulary/fold.h"
#include "vocabulary/fold_internal.h"

namespace annals {
namespace internal {

FoldInput::FoldInput(const EventTypeDef* of_type, std::string_view effective_text,
                     capnp::AnyPointer::Reader data_pointer)
    : type(of_type), effective(effective_text) {
  if (!data_pointer.isNull()) data = data_pointer.getAs<capnp::AnyStruct>();
}

const Node& UnsetNode() {
  static const Node* unset = new Node();
  return *unset;
}

// A value's text for comparisons (NodeText), without a copy where there is one to view.
std::string_view CompareText(const TypeShape& type, const Node& node, std::string* scratch) {
  switch (node.tag) {
    case Node::kUnset: return std::string_view();
    case Node::kText: return node.text;
    case Node::kEnum: return EnumerantName(type, node.e, scratch);
    default:
      *scratch = NodeText(type, node);
      return *scratch;
  }
}

namespace {

uint16_t EnumerantByName(const TypeShape& type, std::string_view name) {
  if (type.enumerants != nullptr) {
    const auto& names = *type.enumerants;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return static_cast<uint16_t>(i);
    }
    return 0;  // unreachable: the compiler checked every name
  }
  KJ_IF_MAYBE(e, type.enum_schema.findEnumerantByName(std::string(name))) {
    return static_cast<uint16_t>(e->getOrdinal());
  }
  return 0;
}

// A data field read through its DataRead steps: what NodeFromDynamic makes of the same
// field read through the dynamic API, without looking anything up in the schema.
void ReadDirect(const std::vector<DataRead>& reads, capnp::AnyStruct::Reader data, Node* out) {
  bool present = true;
  capnp::AnyStruct::Reader s = data;
  auto pointer = [&](uint32_t slot) -> std::optional<capnp::AnyPointer::Reader> {
    if (!present) return std::nullopt;
    auto pointers = s.getPointerSection();
    if (slot >= pointers.size() || pointers[slot].isNull()) return std::nullopt;
    return pointers[slot];
  };
  for (size_t i = 0; i + 1 < reads.size(); ++i) {
    auto p = pointer(reads[i].offset);
    present = p.has_value();  // an absent struct reads as its defaults
    if (!present) break;
    s = p->getAs<capnp::AnyStruct>();
  }
  const DataRead& r = reads.back();
  Node& n = *out;
  n.Clear();
  if (r.kind == DataRead::kText) {
    if (auto p = pointer(r.offset)) {
      auto t = p->getAs<capnp::Text>();
      n.tag = Node::kText;
      n.text.assign(t.cStr(), t.size());
      n.Normalize();
    }
    return;
  }
  const kj::ArrayPtr<const kj::byte> bytes =
      present ? s.getDataSection() : kj::ArrayPtr<const kj::byte>();
  auto load = [&](size_t size) -> uint64_t {  // little-endian, as Cap'n Proto stores it
    const size_t at = static_cast<size_t>(r.offset) * size;
    uint64_t v = 0;
    if (at + size <= bytes.size()) std::memcpy(&v, bytes.begin() + at, size);
    return v;
  };
  switch (r.kind) {
    case DataRead::kBool: {
      const size_t byte = r.offset / 8;
      n.tag = Node::kBool;
      n.b = byte < bytes.size() && ((bytes[byte] >> (r.offset % 8)) & 1) != 0;
      break;
    }
    case DataRead::kInt8: n.tag = Node::kInt; n.i = static_cast<int8_t>(load(1)); break;
    case DataRead::kInt16: n.tag = Node::kInt; n.i = static_cast<int16_t>(load(2)); break;
    case DataRead::kInt32: n.tag = Node::kInt; n.i = static_cast<int32_t>(load(4)); break;
    case DataRead::kInt64: n.tag = Node::kInt; n.i = static_cast<int64_t>(load(8)); break;
    case DataRead::kUInt8: n.tag = Node::kUInt; n.u = load(1); break;
    case DataRead::kUInt16: n.tag = Node::kUInt; n.u = load(2); break;
    case DataRead::kUInt32: n.tag = Node::kUInt; n.u = load(4); break;
    case DataRead::kUInt64: n.tag = Node::kUInt; n.u = load(8); break;
    case DataRead::kFloat32: {
      const uint32_t bits = static_cast<uint32_t>(load(4));
      float f;
      std::memcpy(&f, &bits, sizeof f);
      n.tag = Node::kFloat;
      n.f = f;
      break;
    }
    case DataRead::kFloat64: {
      const uint64_t bits = load(8);
      n.tag = Node::kFloat;
      std::memcpy(&n.f, &bits, sizeof n.f);
      break;
    }
    case DataRead::kEnum:
      n.tag = Node::kEnum;
      n.e = static_cast<uint16_t>(load(2));
      return;  // an enum value is set, whichever enumerant
    default:
      return;
  }
  n.Normalize();
}

}  // namespace

Node NodeFromDynamic(const TypeShape& type, capnp::DynamicValue::Reader value) {
  Node n;
  switch (value.getType()) {
    case capnp::DynamicValue::TEXT: {
      auto t = value.as<capnp::Text>();
      n.tag = Node::kText;
      n.text.assign(t.cStr(), t.size());
      break;
    }
    case capnp::DynamicValue::BOOL:
      n.tag = Node::kBool;
      n.b = value.as<bool>();
      break;
    case capnp::DynamicValue::INT:
      n.tag = Node::kInt;
      n.i = value.as<int64_t>();
      break;
    case capnp::DynamicValue::UINT:
      n.tag = Node::kUInt;
      n.u = value.as<uint64_t>();
      break;
    case capnp::DynamicValue::FLOAT:
      n.tag = Node::kFloat;
      n.f = value.as<double>();
      break;
    case capnp::DynamicValue::ENUM:
      n.tag = Node::kEnum;
      n.e = value.as<capnp::DynamicEnum>().getRaw();
      return n;  // an enum value is set, whichever enumerant
    case capnp::DynamicValue::LIST: {
      n.tag = Node::kList;
      for (auto element : value.as<capnp::DynamicList>()) {
        n.items.push_back(NodeFromDynamic(*type.element, element));
      }
      break;
    }
    case capnp::DynamicValue::STRUCT: {
      auto s = value.as<capnp::DynamicStruct>();
      const StructShape& shape = *type.structure;
      n = Node::Struct(shape);
      auto fields = shape.schema.getFields();
      for (unsigned i = 0; i < fields.size(); ++i) {
        if (fields[i].getProto().getSlot().getType().isStruct() && !s.has(fields[i])) continue;
        n.items[i] = NodeFromDynamic(shape.fields[i].type, s.get(fields[i]));
      }
      return n;
    }
    default:
      break;
  }
  n.Normalize();
  return n;
}

Node Convert(const Conversion& c, const Node& value) {
  if (!value.IsSet()) return Node();
  switch (c.kind) {
    case Conversion::kCopy:
      return value;
    case Conversion::kToText:
      return Node::Text(NodeText(c.from, value));
    case Conversion::kEnumByName: {
      Node n;
      n.tag = Node::kEnum;
      std::string scratch;
      n.e = EnumerantByName(c.to, value.tag == Node::kText ? std::string_view(value.text)
                                                           : CompareText(c.from, value, &scratch));
      return n;
    }
    case Conversion::kNumeric: {
      Node n;
      double d = value.tag == Node::kInt ? static_cast<double>(value.i)
                 : value.tag == Node::kUInt ? static_cast<double>(value.u)
                                            : value.f;
      switch (c.to.kind) {
        case TypeShape::kInt:
          n.tag = Node::kInt;
          n.i = value.tag == Node::kInt ? value.i
                : value.tag == Node::kUInt ? static_cast<int64_t>(value.u)
                                           : static_cast<int64_t>(d);
          break;
        case TypeShape::kUInt:
          n.tag = Node::kUInt;
          n.u = value.tag == Node::kUInt ? value.u
                : value.tag == Node::kInt ? static_cast<uint64_t>(std::max<int64_t>(value.i, 0))
                                          : static_cast<uint64_t>(std::max(d, 0.0));
          break;
        default:
          n.tag = Node::kFloat;
          n.f = d;
      }
      n.Normalize();
      return n;
    }
    case Conversion::kList: {
      Node n;
      n.tag = Node::kList;
      for (const Node& e : value.items) {
        Node converted = Convert(*c.element, e);
        if (converted.IsSet() || c.to.element->kind == TypeShape::kStruct) {
          n.items.push_back(std::move(converted));
        }
      }
      n.Normalize();
      return n;
    }
    case Conversion::kStruct: {
      Node n = Node::Struct(*c.to.structure);
      for (const auto& f : c.fields) n.items[f.to] = Convert(*f.conversion, value.items[f.from]);
      return n;
    }
  }
  return Node();
}

Node EvalEventRef(const Ref& ref, const FoldInput& event) {
  Node n;
  EvalEventRefInto(ref, event, &n);
  return n;
}

void EvalEventRefInto(const Ref& ref, const FoldInput& event, Node* out) {
  switch (ref.source) {
    case Ref::kLiteral:
      *out = ref.literal;
      return;
    case Ref::kEffective:
      out->Clear();
      out->tag = Node::kText;
      out->text.assign(event.effective.data(), event.effective.size());
      out->Normalize();
      return;
    case Ref::kData: {
      if (!ref.data_reads.empty()) return ReadDirect(ref.data_reads, event.data, out);
      capnp::DynamicStruct::Reader s = event.data.as<capnp::DynamicStruct>(event.type->data);
      for (size_t i = 0; i + 1 < ref.data_path.size(); ++i) {
        s = s.get(ref.data_path[i]).as<capnp::DynamicStruct>();
      }
      const auto& last = ref.data_path.back();
      if (last.getProto().getSlot().getType().isStruct() && !s.has(last)) {
        out->Clear();
        return;
      }
      *out = NodeFromDynamic(ref.type, s.get(last));
      return;
    }
    default:
      out->Clear();
      return;
  }
}

namespace {

// Appends the parts of a summary; false if a placeholder directly in them is unset.
bool RenderParts(const std::vector<SummaryPart>& parts, const FoldInput& event,
                 std::string* out) {
  bool all_set = true;
  for (const SummaryPart& p : parts) {
    switch (p.kind) {
      case SummaryPart::kText:
        *out += p.text;
        break;
      case SummaryPart::kRef: {
        const Node value = EvalEventRef(p.ref, event);
        if (!value.IsSet()) {
          all_set = false;
        } else if (value.tag == Node::kBool) {
          *out += p.text;  // a flag shows its name
        } else {
          *out += NodeText(p.ref.type, value);
        }
        break;
      }
      case SummaryPart::kGroup: {
        std::string group;
        if (RenderParts(p.group, event, &group)) *out += group;
        break;
      }
    }
  }
  return all_set;
}

}  // namespace

std::string RenderSummary(const FoldInput& event) {
  std::string out;
  RenderParts(event.type->summary, event, &out);
  return out;
}

}  // namespace internal
}  // namespace annals
