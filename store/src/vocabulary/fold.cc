// Copyright annals authors.
//
// StateFold (fold.h): effects, derive rules, counters and change tracking.

#include "vocabulary/fold.h"

#include <capnp/dynamic.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "util/json_text.h"

namespace annals {
namespace internal {

namespace {

const Node& UnsetNode() {
  static const Node* unset = new Node();
  return *unset;
}

// The node at `path` from `root`, or null when a struct on the way is unset (unlike
// StateFold::At, nothing is created).
Node* Existing(Node* root, const std::vector<int>& path) {
  Node* n = root;
  for (int i : path) {
    if (n->tag != Node::kStruct) return nullptr;
    n = &n->items[i];
  }
  return n;
}

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

// A data field read through its DataRead steps: what NodeFromDynamic makes of the same
// field read through the dynamic API, without looking anything up in the schema.
Node ReadDirect(const std::vector<DataRead>& reads, capnp::AnyPointer::Reader data) {
  bool present = !data.isNull();
  capnp::AnyStruct::Reader s;
  if (present) s = data.getAs<capnp::AnyStruct>();
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
  Node n;
  if (r.kind == DataRead::kText) {
    if (auto p = pointer(r.offset)) {
      auto t = p->getAs<capnp::Text>();
      n.tag = Node::kText;
      n.text.assign(t.cStr(), t.size());
      n.Normalize();
    }
    return n;
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
      return n;  // an enum value is set, whichever enumerant
    default:
      return n;
  }
  n.Normalize();
  return n;
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
  switch (ref.source) {
    case Ref::kLiteral:
      return ref.literal;
    case Ref::kEffective:
      return Node::Text(std::string(event.effective));
    case Ref::kData: {
      if (!ref.data_reads.empty()) return ReadDirect(ref.data_reads, event.data);
      capnp::DynamicStruct::Reader s = event.data.getAs<capnp::DynamicStruct>(event.type->data);
      for (size_t i = 0; i + 1 < ref.data_path.size(); ++i) {
        s = s.get(ref.data_path[i]).as<capnp::DynamicStruct>();
      }
      const auto& last = ref.data_path.back();
      if (last.getProto().getSlot().getType().isStruct() && !s.has(last)) return Node();
      return NodeFromDynamic(ref.type, s.get(last));
    }
    default:
      return Node();
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

// ---- construction -----------------------------------------------------------------------

StateFold::StateFold(std::shared_ptr<const Vocabulary> vocabulary)
    : vocabulary_(std::move(vocabulary)) {
  if (vocabulary_) root_ = Node::Struct(vocabulary_->state());
  Init();
}

StateFold::StateFold(std::shared_ptr<const Vocabulary> vocabulary, Node root,
                     std::map<std::string, std::string> facts)
    : vocabulary_(std::move(vocabulary)), root_(std::move(root)), facts_(std::move(facts)) {
  if (vocabulary_ && root_.tag != Node::kStruct) root_ = Node::Struct(vocabulary_->state());
  Init();
}

void StateFold::Init() {
  if (!vocabulary_) return;
  counters_of_.assign(vocabulary_->state().fields.size(), {});
  counts_.assign(vocabulary_->counters().size(), 0);
  for (size_t c = 0; c < vocabulary_->counters().size(); ++c) {
    counters_of_[vocabulary_->counters()[c].field].push_back(static_cast<int>(c));
  }
  for (size_t f = 0; f < counters_of_.size(); ++f) Recount(static_cast<int>(f));
  Derive();
}

// ---- evaluation --------------------------------------------------------------------------

const Node& StateFold::Eval(const Ref& ref, const Context& ctx, Node* scratch) const {
  switch (ref.source) {
    case Ref::kLiteral:
      return ref.literal;
    case Ref::kEffective:
    case Ref::kData:
      *scratch = EvalEventRef(ref, *ctx.event);
      return *scratch;
    case Ref::kState:
    case Ref::kIt: {
      const Node* n = ref.source == Ref::kState ? &root_ : ctx.it;
      for (int i : ref.node_path) {
        if (n == nullptr || n->tag != Node::kStruct) return UnsetNode();
        n = &n->items[i];
      }
      return n != nullptr ? *n : UnsetNode();
    }
  }
  return UnsetNode();
}

bool StateFold::Holds(const Cond& cond, const Context& ctx) const {
  if (cond.op == Cond::kAny && cond.counter >= 0) return counts_[cond.counter] > 0;
  Node scratch;
  const Node& value = Eval(cond.ref, ctx, &scratch);
  switch (cond.op) {
    case Cond::kIsSet: return value.IsSet();
    case Cond::kUnset: return !value.IsSet();
    case Cond::kEq:
    case Cond::kNe:
    case Cond::kIn: {
      std::string text_scratch;
      const std::string_view text = CompareText(cond.ref.type, value, &text_scratch);
      bool equal = false;
      for (const Ref& operand : cond.operands) {
        Node s;
        std::string operand_scratch;
        if (CompareText(operand.type, Eval(operand, ctx, &s), &operand_scratch) == text) {
          equal = true;
          break;
        }
      }
      return cond.op == Cond::kNe ? !equal : equal;
    }
    case Cond::kAny: {
      Context inner = ctx;
      if (value.tag == Node::kMap) {
        for (const auto& [key, element] : value.entries) {
          inner.it = &element;
          if (AllHold(cond.any, inner)) return true;
        }
      } else if (value.tag == Node::kList) {
        for (const Node& element : value.items) {
          inner.it = &element;
          if (AllHold(cond.any, inner)) return true;
        }
      }
      return false;
    }
  }
  return false;
}

bool StateFold::AllHold(const std::vector<Cond>& conds, const Context& ctx) const {
  for (const Cond& c : conds) {
    if (!Holds(c, ctx)) return false;
  }
  return true;
}

Node StateFold::Value(const Ref& ref, const Conversion& conversion, const Context& ctx) const {
  Node scratch;
  const Node& value = Eval(ref, ctx, &scratch);
  if (conversion.kind == Conversion::kCopy) {
    return &value == &scratch ? std::move(scratch) : value;
  }
  return Convert(conversion, value);
}

void StateFold::AssignFields(const std::vector<Assign>& fields, const Context& ctx,
                       Node* target) const {
  for (const auto& a : fields) target->items[a.field] = Value(a.ref, a.conversion, ctx);
}

// ---- counters and change tracking -------------------------------------------------------

bool StateFold::Matches(const std::vector<Cond>& conds, const Node& element) const {
  Context ctx;
  ctx.it = &element;
  return AllHold(conds, ctx);
}

void StateFold::Recount(int field) {
  if (!vocabulary_ || counters_of_[field].empty()) return;
  const Node& value = root_.items[field];
  for (int c : counters_of_[field]) {
    const auto& conds = *vocabulary_->counters()[c].conds;
    int64_t n = 0;
    if (value.tag == Node::kMap) {
      for (const auto& [key, element] : value.entries) n += Matches(conds, element);
    } else if (value.tag == Node::kList) {
      for (const Node& element : value.items) n += Matches(conds, element);
    }
    counts_[c] = n;
  }
}

void StateFold::ElementChanging(int field, const Node* element, const std::string* key,
                                size_t index) {
  for (int c : counters_of_[field]) {
    if (element != nullptr && Matches(*vocabulary_->counters()[c].conds, *element)) {
      --counts_[c];
    }
  }
  if (!track_) return;
  for (const Part& p : parts_) {
    if (p.field != field) continue;
    if (p.kind == Part::kWhole) return;
    if (key != nullptr && p.kind == Part::kKey && p.key == *key) return;
    if (key == nullptr && p.kind == Part::kIndex && p.index == index) return;
  }
  Part part;
  part.field = field;
  part.kind = key != nullptr ? Part::kKey : Part::kIndex;
  if (key != nullptr) part.key = *key;
  part.index = index;
  if (element != nullptr) part.before = *element;
  parts_.push_back(std::move(part));
}

void StateFold::ElementChanged(int field, const Node* element) {
  for (int c : counters_of_[field]) {
    if (element != nullptr && Matches(*vocabulary_->counters()[c].conds, *element)) {
      ++counts_[c];
    }
  }
}

void StateFold::TouchWhole(int field) {
  if (!track_) return;
  Node before = root_.items[field];
  // Parts of this field recorded earlier in the event hold what was there before them.
  for (auto p = parts_.rbegin(); p != parts_.rend(); ++p) {
    if (p->field != field) continue;
    if (p->kind == Part::kWhole) return;  // already whole
    if (p->kind == Part::kKey) {
      if (p->before.IsSet()) {
        before.tag = Node::kMap;
        before.entries[p->key] = p->before;
      } else {
        before.entries.erase(p->key);
      }
    } else if (p->kind == Part::kIndex) {
      if (p->before.IsSet()) {
        before.items[p->index] = p->before;
      } else if (before.items.size() > p->index) {
        before.items.resize(p->index);
      }
    }
  }
  before.Normalize();
  parts_.erase(std::remove_if(parts_.begin(), parts_.end(),
                              [&](const Part& p) { return p.field == field; }),
               parts_.end());
  Part part;
  part.field = field;
  part.before = std::move(before);
  parts_.push_back(std::move(part));
}

void StateFold::BeginEvent() {
  if (!track_) return;
  parts_.clear();
  derived_before_.clear();
  if (!vocabulary_) return;
  for (const auto& d : vocabulary_->derived()) derived_before_.push_back(root_.items[d.field]);
}

std::vector<StateFold::PartRef> StateFold::LastParts() const {
  return std::vector<PartRef>(parts_.begin(), parts_.end());
}

std::vector<Change> StateFold::LastChanges() const {
  std::vector<Change> out;
  for (const Part& p : parts_) {
    if (p.kind == Part::kFact) {
      auto it = facts_.find(p.key);
      const std::string* now = it == facts_.end() ? nullptr : &it->second;
      const std::string* was = p.fact_existed ? &p.fact_before : nullptr;
      if ((now == nullptr) != (was == nullptr) || (now && *now != *was)) {
        out.push_back(Change{"facts." + p.key, was ? JsonQuote(*was) : "null",
                             now ? JsonQuote(*now) : "null", was ? *was : "-",
                             now ? *now : "-"});
      }
      continue;
    }
    const FieldShape& field = vocabulary_->state().fields[p.field];
    const Node& now = root_.items[p.field];
    switch (p.kind) {
      case Part::kWhole:
        DiffNodes(field.type, p.before, now, field.json_name, &out);
        break;
      case Part::kKey: {
        const Node* after = nullptr;
        if (now.tag == Node::kMap) {
          auto it = now.entries.find(p.key);
          if (it != now.entries.end()) after = &it->second;
        }
        DiffMapEntry(field.type, p.key, p.before.IsSet() ? &p.before : nullptr, after,
                     field.json_name, &out);
        break;
      }
      case Part::kIndex: {
        const Node& after = now.tag == Node::kList && p.index < now.items.size()
                                ? now.items[p.index] : UnsetNode();
        DiffNodes(*field.type.element, p.before, after,
                  field.json_name + "." + std::to_string(p.index), &out);
        break;
      }
      default:
        break;
    }
  }
  if (vocabulary_) {
    const auto& derived = vocabulary_->derived();
    for (size_t i = 0; i < derived.size() && i < derived_before_.size(); ++i) {
      const FieldShape& field = vocabulary_->state().fields[derived[i].field];
      DiffNodes(field.type, derived_before_[i], root_.items[derived[i].field], field.json_name,
                &out);
    }
  }
  return out;
}

// ---- applying events ---------------------------------------------------------------------

void StateFold::Derive() {
  if (!vocabulary_) return;
  Context ctx;
  for (const auto& d : vocabulary_->derived()) {
    Node value;
    for (const Rule& r : d.rules) {
      if (AllHold(r.when, ctx)) {
        value = Value(r.value, r.conversion, ctx);
        break;
      }
    }
    root_.items[d.field] = std::move(value);
    Recount(d.field);
  }
}

Node* StateFold::At(const std::vector<int>& path) {
  Node* n = &root_;
  const StructShape* shape = &vocabulary_->state();
  for (size_t i = 0; i < path.size(); ++i) {
    if (n->tag != Node::kStruct) *n = Node::Struct(*shape);
    n = &n->items[path[i]];
    if (i + 1 < path.size()) shape = shape->fields[path[i]].type.structure;
  }
  return n;
}

// An effect that writes nothing (an unset value, a clear, a remove of an absent key, an
// updateLast without a match) must not create the unset structs on its path: At() is
// reached only once something is written.
void StateFold::RunEffect(const Effect& e, const Context& ctx) {
  if (!AllHold(e.when, ctx)) return;
  const int top = e.path[0];
  const bool top_level = e.path.size() == 1;
  const TypeShape& target = *e.target;
  switch (e.op) {
    case Effect::kSet: {
      Node value;
      if (e.has_value) {
        value = Value(e.value, e.value_conversion, ctx);
      } else {
        value = Node::Struct(*target.structure);
        AssignFields(e.fields, ctx, &value);
      }
      if (!value.IsSet() && Existing(&root_, e.path) == nullptr) return;
      TouchWhole(top);
      if (!e.history.empty()) TouchWhole(e.history[0]);
      Node* slot = At(e.path);
      if (!e.history.empty() && slot->IsSet()) {
        Node old = *slot;
        Node list = std::move(*At(e.history));
        if (list.tag != Node::kList) {
          list = Node();
          list.tag = Node::kList;
        }
        list.items.push_back(Convert(e.history_conversion, old));
        *At(e.path) = std::move(value);
        *At(e.history) = std::move(list);
      } else {
        *slot = std::move(value);
      }
      if (top_level) Recount(top);
      if (!e.history.empty() && e.history.size() == 1) Recount(e.history[0]);
      return;
    }
    case Effect::kClear: {
      Node* slot = Existing(&root_, e.path);
      if (slot == nullptr || !slot->IsSet()) return;
      TouchWhole(top);
      *slot = Node();
      if (top_level) Recount(top);
      return;
    }
    case Effect::kUpsert:
    case Effect::kMerge:
    case Effect::kRemove: {
      const Node key_node = Value(e.key, e.key_conversion, ctx);
      if (!key_node.IsSet()) return;  // nothing to key by
      const std::string key = NodeText(target.structure->fields[target.key_field].type,
                                       key_node);
      if (e.op == Effect::kRemove) {
        const Node* existing_map = Existing(&root_, e.path);
        if (existing_map == nullptr || existing_map->tag != Node::kMap ||
            existing_map->entries.find(key) == existing_map->entries.end()) {
          return;
        }
      }
      if (!top_level) TouchWhole(top);
      Node* map = At(e.path);
      if (map->tag != Node::kMap) {
        *map = Node();
        map->tag = Node::kMap;
      }
      auto it = map->entries.find(key);
      const Node* existing = it == map->entries.end() ? nullptr : &it->second;
      if (top_level) ElementChanging(top, existing, &key, 0);
      Node* element = nullptr;
      if (e.op == Effect::kRemove) {
        if (existing != nullptr) map->entries.erase(it);
      } else {
        if (e.op == Effect::kUpsert || existing == nullptr) {
          Node fresh = Node::Struct(*target.structure);
          fresh.items[target.key_field] = Node::Text(key);
          element = &(map->entries[key] = std::move(fresh));
        } else {
          element = &it->second;
        }
        AssignFields(e.fields, ctx, element);
      }
      if (top_level) ElementChanged(top, element);
      map->Normalize();
      return;
    }
    case Effect::kAppend:
    case Effect::kUpdateLast: {
      // The element to update is found, and the one to append made, before anything is
      // created on the path.
      constexpr size_t kNone = static_cast<size_t>(-1);
      size_t match = kNone;
      if (e.op == Effect::kUpdateLast) {
        const Node* existing = Existing(&root_, e.path);
        if (existing != nullptr && existing->tag == Node::kList) {
          Context inner = ctx;
          for (size_t i = existing->items.size(); i-- > 0;) {
            inner.it = &existing->items[i];
            if (AllHold(e.where, inner)) {
              match = i;
              break;
            }
          }
        }
        if (match == kNone && !e.or_append) return;
      }
      Node fresh;
      if (match == kNone) {
        if (e.has_value) {
          fresh = Value(e.value, e.value_conversion, ctx);
          if (!fresh.IsSet()) return;  // nothing to append
        } else {
          fresh = Node::Struct(*target.element->structure);
          AssignFields(e.where_assigns, ctx, &fresh);
          AssignFields(e.fields, ctx, &fresh);
        }
      }
      if (!top_level) TouchWhole(top);
      Node* list = At(e.path);
      if (list->tag != Node::kList) {
        *list = Node();
        list->tag = Node::kList;
      }
      Node* element = nullptr;
      if (match != kNone) {
        element = &list->items[match];
        if (top_level) ElementChanging(top, element, nullptr, match);
        AssignFields(e.fields, ctx, element);
      } else {
        if (top_level) ElementChanging(top, nullptr, nullptr, list->items.size());
        list->items.push_back(std::move(fresh));
        element = &list->items.back();
      }
      if (top_level) ElementChanged(top, element);
      return;
    }
  }
}

void StateFold::Apply(const FoldInput& event) {
  BeginEvent();
  Context ctx;
  ctx.event = &event;
  for (const Effect& e : event.type->effects) RunEffect(e, ctx);
  Derive();
}

void StateFold::ApplyFact(const std::string& key, const std::string& value) {
  BeginEvent();
  if (track_) {
    Part part;
    part.kind = Part::kFact;
    part.key = key;
    auto it = facts_.find(key);
    if (it != facts_.end()) {
      part.fact_existed = true;
      part.fact_before = it->second;
    }
    parts_.push_back(std::move(part));
  }
  if (value.empty()) {
    facts_.erase(key);
  } else {
    facts_[key] = value;
  }
}

void StateFold::ApplyNote() { BeginEvent(); }

}  // namespace internal
}  // namespace annals
