// Copyright annals authors.

#include "render/plan.h"

#include <algorithm>
#include <map>

#include "render/text.h"

namespace annals {
namespace internal {
namespace render {
namespace {

bool IsWord(const TypeShape& t) { return t.kind == TypeShape::kText || t.kind == TypeShape::kEnum; }

// Whether `ref` reads an event's data field annotated $A.date.
bool IsDateRef(const Ref& ref, const EventTypeDef& type) {
  if (ref.source != Ref::kData || ref.data_path.size() != 1) return false;
  const int index = static_cast<int>(ref.data_path[0].getIndex());
  return std::find(type.dates.begin(), type.dates.end(), index) != type.dates.end();
}

// The field of `shape` (an entry, element or struct of top-level field `field`) that tells
// its status: `status`, else the first one that some effect on `field` sets from an
// enumerant or a literal (`outcome = data.outcome`), never the key.
int StatusField(const Vocabulary& v, int field, const StructShape& shape, int key_field) {
  const int named = shape.Find("status");
  if (named >= 0 && IsWord(shape.fields[named].type)) return named;
  int best = -1;
  for (const auto& t : v.types()) {
    for (const auto& e : t.effects) {
      if (e.path.size() != 1 || e.path[0] != field) continue;
      auto consider = [&](const Assign& a) {
        if (a.field < 0 || a.field == key_field || !IsWord(shape.fields[a.field].type)) return;
        if (a.ref.source != Ref::kLiteral && a.ref.type.kind != TypeShape::kEnum) return;
        if (best < 0 || a.field < best) best = a.field;
      };
      for (const Assign& a : e.fields) consider(a);
      for (const Assign& a : e.where_assigns) consider(a);
    }
  }
  return best;
}

}  // namespace

std::vector<FieldPlan> PlanFields(const Vocabulary& v) {
  const StructShape& state = v.state();
  const size_t n = state.fields.size();
  std::vector<FieldPlan> plans(n);
  std::vector<bool> with_history(n, false), history_list(n, false);
  for (const auto& t : v.types()) {
    for (const auto& e : t.effects) {
      if (e.op != Effect::kSet || e.history.empty()) continue;
      with_history[e.path[0]] = true;
      if (e.history.size() == 1 && e.history[0] != e.path[0]) history_list[e.history[0]] = true;
    }
  }
  const std::string vocabulary_section = Upper(Words(v.name()));
  const std::vector<std::string>& lanes = v.lanes();
  for (size_t i = 0; i < n; ++i) {
    const FieldShape& f = state.fields[i];
    FieldPlan& p = plans[i];
    p.json_name = f.json_name;
    p.order = static_cast<int>(i);
    const std::string lane = i < lanes.size() ? lanes[i] : "";
    const TypeShape& type = f.type;
    if (history_list[i] && !with_history[i]) {
      p.kind = FieldPlan::kSkip;
    } else if (type.kind == TypeShape::kMap || (type.kind == TypeShape::kList &&
                                                 type.structure != nullptr)) {
      p.kind = type.kind == TypeShape::kMap ? FieldPlan::kMap : FieldPlan::kList;
      p.section = Upper(Words(lane.empty() ? f.json_name : lane));
      p.status_field = StatusField(v, static_cast<int>(i), *type.structure,
                                   type.kind == TypeShape::kMap ? type.key_field : -1);
    } else {
      p.kind = with_history[i]                   ? FieldPlan::kFlags
               : type.kind == TypeShape::kStruct ? FieldPlan::kValue
                                                 : FieldPlan::kScalar;
      p.section = lane.empty() ? vocabulary_section : Upper(Words(lane));
      p.lane = Capitalized(Words(lane.empty() ? f.json_name : lane));
      if (type.kind == TypeShape::kStruct) {
        p.status_field = StatusField(v, static_cast<int>(i), *type.structure, -1);
      }
    }
  }
  // The date a flag stands at.
  for (const auto& t : v.types()) {
    for (const auto& e : t.effects) {
      if (e.op != Effect::kSet || e.history.empty() || e.path.size() != 1) continue;
      FieldPlan& p = plans[e.path[0]];
      if (p.when_field != -1) continue;
      if (e.has_value && IsDateRef(e.value, t)) p.when_field = FieldPlan::kWholeValue;
      for (const Assign& a : e.fields) {
        if (p.when_field == -1 && IsDateRef(a.ref, t)) p.when_field = a.field;
      }
    }
  }
  // A section is ordered by the first field drawn in it.
  std::map<std::string, int> first;
  for (const FieldPlan& p : plans) {
    if (p.kind == FieldPlan::kSkip) continue;
    auto it = first.emplace(p.section, p.order).first;
    it->second = std::min(it->second, p.order);
  }
  for (FieldPlan& p : plans) {
    if (p.kind != FieldPlan::kSkip) p.order = first[p.section];
  }
  return plans;
}

}  // namespace render
}  // namespace internal
}  // namespace annals
