// Copyright annals authors.
//
// StateFold (fold.h): the counters that answer `any` conditions, the change tracking of
// the audit replay, and the comparison of two folds.

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "util/json_text.h"
#include "vocabulary/fold.h"
#include "vocabulary/fold_internal.h"

namespace annals {
namespace internal {

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

void StateFold::ElementChanging(int field, Node* element, const std::string* key,
                                size_t index, bool replaced) {
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
  if (element != nullptr) part.before = replaced ? std::move(*element) : *element;
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
  out.reserve(parts_.size() + derived_before_.size() + 2);
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

// ---- comparing folds ----------------------------------------------------------------------

namespace {

bool Identical(const Node& a, const Node& b) {
  if (a.tag != b.tag) return false;
  switch (a.tag) {
    case Node::kUnset: return true;
    case Node::kText: return a.text == b.text;
    case Node::kBool: return a.b == b.b;
    case Node::kInt: return a.i == b.i;
    case Node::kUInt: return a.u == b.u;
    case Node::kFloat: return std::memcmp(&a.f, &b.f, sizeof a.f) == 0;
    case Node::kEnum: return a.e == b.e;
    case Node::kList:
    case Node::kStruct:
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i) {
        if (!Identical(a.items[i], b.items[i])) return false;
      }
      return true;
    case Node::kMap: {
      if (a.entries.size() != b.entries.size()) return false;
      for (auto i = a.entries.begin(), j = b.entries.begin(); i != a.entries.end(); ++i, ++j) {
        if (i->first != j->first || !Identical(i->second, j->second)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

bool StateFold::SameState(const StateFold& other) const {
  return vocabulary_ == other.vocabulary_ && facts_ == other.facts_ &&
         Identical(root_, other.root_);
}

size_t StateFold::ApproxSize() const {
  size_t n = 1 + facts_.size() + root_.items.size();
  for (const Node& field : root_.items) n += field.items.size() + field.entries.size();
  return n;
}

}  // namespace internal
}  // namespace annals
