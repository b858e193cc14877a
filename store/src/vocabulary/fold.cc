// Copyright annals authors.
//
// StateFold (fold.h): construction, evaluation of refs and conditions, effects and derive
// rules.  Counters and change tracking are in fold_tracking.cc, what is read of an event
// in event_values.cc.

#include "vocabulary/fold.h"

#include <algorithm>
#include <string>
#include <utility>

#include "vocabulary/fold_internal.h"

namespace annals {
namespace internal {

namespace {

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

}  // namespace

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
      EvalEventRefInto(ref, *ctx.event, scratch);
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

void StateFold::ValueInto(const Ref& ref, const Conversion& conversion, const Context& ctx,
                          Node* out) const {
  // A value read from the event is written in place.  One read from the state is copied
  // first: it may be `out` itself or lie within it.
  if (conversion.kind == Conversion::kCopy &&
      (ref.source == Ref::kData || ref.source == Ref::kEffective)) {
    EvalEventRefInto(ref, *ctx.event, out);
  } else {
    *out = Value(ref, conversion, ctx);
  }
}

void StateFold::AssignFields(const std::vector<Assign>& fields, const Context& ctx,
                       Node* target) const {
  for (const auto& a : fields) ValueInto(a.ref, a.conversion, ctx, &target->items[a.field]);
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
      Node* existing = it == map->entries.end() ? nullptr : &it->second;
      if (top_level) ElementChanging(top, existing, &key, 0, e.op != Effect::kMerge);
      Node* element = nullptr;
      if (e.op == Effect::kRemove) {
        if (existing != nullptr) map->entries.erase(it);
      } else {
        if (e.op == Effect::kUpsert || existing == nullptr) {
          // A fresh element: the one it replaces is cleared in place (its memory reused),
          // unless the change tracking took it.
          const size_t fields = target.structure->fields.size();
          if (existing != nullptr && existing->items.size() == fields) {
            for (Node& field : existing->items) field.Clear();
            element = existing;
          } else {
            element = &(map->entries[key] = Node::Struct(*target.structure));
          }
          Node& key_field = element->items[target.key_field];
          key_field.tag = Node::kText;
          key_field.text = key;
          key_field.Normalize();
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
