// Copyright annals authors.
//
// CompileVocabulary (vocabulary.h): from a parsed file to event types with compiled
// effects, the state shape with derive rules, summaries, and the counters that keep `any`
// conditions incremental.  Every message names where the problem is: the event type and
// effect ("review_decided: effect 2 (merge): ..."), or the state field.

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "vocabulary/annotations.h"
#include "vocabulary/compile_refs.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

namespace {

const char* const kReservedTypes[] = {"note", "fact", "correction", "retraction", "vocabulary"};

bool ValidVocabularyName(const std::string& s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool ValidTypeName(const std::string& s) {
  if (s.empty() || s.size() > 64 || !std::isalpha(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string Trim(std::string s) {
  const size_t b = s.find_first_not_of(" \t");
  const size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

const char* OpName(vocab::Effect::Which which) {
  switch (which) {
    case vocab::Effect::SET: return "set";
    case vocab::Effect::CLEAR: return "clear";
    case vocab::Effect::UPSERT: return "upsert";
    case vocab::Effect::MERGE: return "merge";
    case vocab::Effect::REMOVE: return "remove";
    case vocab::Effect::APPEND: return "append";
    case vocab::Effect::UPDATE_LAST: return "updateLast";
  }
  return "effect";
}

// Whether a condition reads only the element under test and literals (so that it can be
// counted as elements change, whatever the event).
bool ElementOnly(const std::vector<Cond>& conds) {
  for (const Cond& c : conds) {
    if (c.op == Cond::kAny) return false;
    auto ok = [](const Ref& r) { return r.source == Ref::kIt || r.source == Ref::kLiteral; };
    if (!ok(c.ref)) return false;
    for (const Ref& r : c.operands) {
      if (!ok(r)) return false;
    }
  }
  return true;
}

}  // namespace

bool IsReservedTypeName(std::string_view name) {
  for (const char* r : kReservedTypes) {
    if (name == r) return true;
  }
  return false;
}

const EventTypeDef* Vocabulary::FindType(std::string_view name) const {
  for (const auto& t : types_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const StructShape& Vocabulary::ShapeOf(capnp::StructSchema schema) const {
  for (const auto& s : shapes_) {
    if (s.schema == schema) return s;
  }
  KJ_FAIL_ASSERT("a struct the vocabulary did not compile");
}

class VocabularyCompiler {
 public:
  explicit VocabularyCompiler(Vocabulary* v) : v_(v), shapes_(&v->shapes_) {}

  Status Run() {
    ANNALS_RETURN_IF_ERROR(FindDeclarations());
    ANNALS_RETURN_IF_ERROR(CompileState());
    for (const auto& [node, name] : event_nodes_) ANNALS_RETURN_IF_ERROR(CompileType(node, name));
    for (auto& t : v_->types_) {
      for (size_t i = 0; i < t.effects.size(); ++i) {
        ANNALS_RETURN_IF_ERROR(
            CompileEffect(t, static_cast<int>(i)).WithPrefix(t.effects[i].label));
      }
      v_->codec_.handleByAnnotation(t.data);
    }
    CollectCounters();
    return Status::OK();
  }

 private:
  const std::string& file() const { return v_->file_->display_name(); }

  Status FindDeclarations() {
    KJ_IF_MAYBE(name, annotation::Find(v_->file_->file().getProto().getAnnotations(),
                                       annotation::kVocabulary)) {
      v_->name_ = name->getText().cStr();
    } else {
      return Status::InvalidArgument(file() + ": missing $A.vocabulary(\"name\") on the file");
    }
    if (!ValidVocabularyName(v_->name_)) {
      return Status::InvalidArgument(file() + ": vocabulary name '" + v_->name_ +
                                     "' must match [a-z][a-z0-9_]* (at most 64 bytes)");
    }
    std::set<std::string> names;
    for (const auto& node : v_->file_->nodes()) {
      auto proto = node.getProto();
      if (!proto.isStruct()) continue;
      auto annotations = proto.getAnnotations();
      const std::string struct_name = node.getUnqualifiedName().cStr();
      const bool is_state = annotation::Find(annotations, annotation::kState) != nullptr;
      KJ_IF_MAYBE(type, annotation::Find(annotations, annotation::kEvent)) {
        if (is_state) {
          return Status::InvalidArgument(file() + ": struct " + struct_name +
                                         " is both an event type and the state");
        }
        const std::string name = type->getText().cStr();
        if (!ValidTypeName(name)) {
          return Status::InvalidArgument(file() + ": event type '" + name + "' (struct " +
                                         struct_name + ") must be a letter followed by "
                                         "letters, digits, '_', '-' or '.' (at most 64)");
        }
        if (IsReservedTypeName(name)) {
          return Status::InvalidArgument(file() + ": event type '" + name + "' (struct " +
                                         struct_name + ") is a core type of every vocabulary");
        }
        if (!names.insert(name).second) {
          return Status::InvalidArgument(file() + ": event type '" + name +
                                         "' is declared twice");
        }
        event_nodes_.emplace_back(node, name);
      }
      if (is_state) {
        if (state_node_ != nullptr) {
          return Status::InvalidArgument(file() + ": two structs are annotated $A.state (" +
                                         std::string(state_node_->getUnqualifiedName().cStr()) +
                                         " and " + struct_name + "); a vocabulary has one");
        }
        state_node_ = &node;
      }
    }
    if (state_node_ == nullptr) {
      return Status::InvalidArgument(file() + ": missing state: one struct must be annotated "
                                     "$A.state");
    }
    if (event_nodes_.empty()) {
      return Status::InvalidArgument(file() + ": declares no event types (structs annotated "
                                     "$A.event(\"type\"))");
    }
    return Status::OK();
  }

  Status CompileState() {
    ShapeBuilder shapes(shapes_);
    auto state = shapes.Struct(state_node_->asStruct(), "state");
    if (!state.ok()) return state.status();
    v_->state_ = *state;
    const StructShape& shape = *v_->state_;
    static const char* const kCore[] = {"stream", "as_of", "known_at", "facts",
                                        "events_applied", "tentative"};
    for (const auto& f : shape.fields) {
      for (const char* core : kCore) {
        if (f.json_name == core) {
          return Status::InvalidArgument("state field '" + f.json_name + "': the name is "
                                         "taken by a field every state has");
        }
      }
    }
    RefScope scope;
    scope.state = &shape;
    auto fields = shape.schema.getFields();
    v_->lanes_.assign(fields.size(), "");
    for (unsigned i = 0; i < fields.size(); ++i) {
      KJ_IF_MAYBE(lane, annotation::Find(fields[i].getProto().getAnnotations(),
                                         annotation::kLane)) {
        v_->lanes_[i] = lane->getText().cStr();
      }
      KJ_IF_MAYBE(v, annotation::Find(fields[i].getProto().getAnnotations(),
                                      annotation::kDerive)) {
        const FieldShape& field = shape.fields[i];
        const std::string where = "state field '" + field.json_name + "': derive";
        DerivedField derived;
        derived.field = static_cast<int>(i);
        int n = 0;
        for (auto rule : v->getList().getAs<capnp::List<vocab::Rule>>()) {
          const std::string at = where + " rule " + std::to_string(++n);
          Rule r;
          auto value = CompileRef(rule.getValue().cStr(), scope);
          if (!value.ok()) return value.status().WithPrefix(at);
          r.value = std::move(value).value();
          auto conversion = CompileConversion(r.value, field.type, "'" + field.json_name + "'");
          if (!conversion.ok()) return conversion.status().WithPrefix(at);
          r.conversion = std::move(conversion).value();
          auto when = CompileConds(rule.getWhen(), scope);
          if (!when.ok()) return when.status().WithPrefix(at);
          r.when = std::move(when).value();
          derived.rules.push_back(std::move(r));
        }
        v_->derived_.push_back(std::move(derived));
      }
    }
    return CheckNoNestedDerive(shape, "state", true);
  }

  Status CheckNoNestedDerive(const StructShape& shape, const std::string& where, bool top) {
    auto fields = shape.schema.getFields();
    for (unsigned i = 0; i < fields.size(); ++i) {
      const FieldShape& f = shape.fields[i];
      if (!top && annotation::Find(fields[i].getProto().getAnnotations(), annotation::kDerive) !=
                      nullptr) {
        return Status::InvalidArgument(where + "." + f.json_name + ": only top-level state "
                                       "fields may be derived");
      }
      if (f.type.structure != nullptr && f.type.structure != &shape) {
        ANNALS_RETURN_IF_ERROR(
            CheckNoNestedDerive(*f.type.structure, where + "." + f.json_name, false));
      }
    }
    return Status::OK();
  }

  Status CompileType(const capnp::ParsedSchema& node, const std::string& name) {
    EventTypeDef t;
    t.name = name;
    t.data = node.asStruct();
    ShapeBuilder shapes(shapes_);
    auto shape = shapes.Struct(t.data, name);
    if (!shape.ok()) return shape.status();
    t.data_shape = *shape;
    auto fields = t.data.getFields();
    for (unsigned i = 0; i < fields.size(); ++i) {
      auto annotations = fields[i].getProto().getAnnotations();
      if (annotation::Find(annotations, annotation::kRequired) != nullptr) {
        t.required.push_back(static_cast<int>(i));
      }
      if (annotation::Find(annotations, annotation::kDate) != nullptr) {
        if (t.data_shape->fields[i].type.kind != TypeShape::kText) {
          return Status::InvalidArgument(name + ": field '" + t.data_shape->fields[i].json_name +
                                         "' is $date but not Text");
        }
        t.dates.push_back(static_cast<int>(i));
      }
    }
    auto annotations = node.getProto().getAnnotations();
    KJ_IF_MAYBE(summary, annotation::Find(annotations, annotation::kSummary)) {
      const std::string text = summary->getText().cStr();
      size_t pos = 0;
      // Brackets group only when they pair up; otherwise they are text ("[sic").
      int depth = 0;
      for (char c : text) {
        depth += c == '[' ? 1 : c == ']' ? -1 : 0;
        if (depth < 0) break;
      }
      brackets_group_ = depth == 0;
      auto parts = CompileSummary(text, *t.data_shape, &pos, 0);
      if (!parts.ok()) return parts.status().WithPrefix(name + ": summary");
      t.summary = std::move(parts).value();
    }
    KJ_IF_MAYBE(on, annotation::Find(annotations, annotation::kOn)) {
      auto list = on->getList().getAs<capnp::List<vocab::Effect>>();
      for (unsigned i = 0; i < list.size(); ++i) {
        Effect e;
        e.label = name + ": effect " + std::to_string(i + 1) + " (" + OpName(list[i].which()) +
                  ")";
        t.effects.push_back(std::move(e));
        raw_effects_.push_back(list[i]);
      }
    }
    v_->types_.push_back(std::move(t));
    return Status::OK();
  }

  // A summary template from text[*pos] up to the end or a ']' closing a group.
  Result<std::vector<SummaryPart>> CompileSummary(const std::string& text,
                                                  const StructShape& data, size_t* pos,
                                                  int depth) {
    std::vector<SummaryPart> parts;
    std::string literal;
    auto flush = [&] {
      if (literal.empty()) return;
      SummaryPart p;
      p.kind = SummaryPart::kText;
      p.text = std::move(literal);
      literal.clear();
      parts.push_back(std::move(p));
    };
    RefScope scope;
    scope.data = &data;
    scope.effective = true;
    while (*pos < text.size()) {
      const char c = text[(*pos)++];
      if (c == '{') {
        const size_t end = text.find('}', *pos);
        if (end == std::string::npos) return Status::InvalidArgument("'{' without '}'");
        const std::string name = text.substr(*pos, end - *pos);
        *pos = end + 1;
        flush();
        SummaryPart p;
        p.kind = SummaryPart::kRef;
        p.text = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
        auto ref = CompileRef(name == "effective" ? name : "data." + name, scope);
        if (!ref.ok()) return Status::InvalidArgument("{" + name + "}: " + ref.status().message());
        p.ref = std::move(ref).value();
        parts.push_back(std::move(p));
      } else if (c == '[' && brackets_group_) {
        auto group = CompileSummary(text, data, pos, depth + 1);
        if (!group.ok()) return group.status();
        if (!HasPlaceholder(*group)) {
          // Brackets around plain text ("see [1]") are text.
          literal += "[";
          for (const SummaryPart& g : *group) literal += g.text;
          literal += "]";
          continue;
        }
        flush();
        SummaryPart p;
        p.kind = SummaryPart::kGroup;
        p.group = std::move(group).value();
        parts.push_back(std::move(p));
      } else if (c == ']' && brackets_group_) {
        if (depth == 0) return Status::InvalidArgument("']' without '['");
        flush();
        return parts;
      } else {
        literal.push_back(c);
      }
    }
    if (depth > 0) return Status::InvalidArgument("'[' without ']'");
    flush();
    return parts;
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

  Status CheckNotDerived(const std::vector<int>& path, const std::string& text) {
    for (const auto& d : v_->derived_) {
      if (!path.empty() && path[0] == d.field) {
        return Status::InvalidArgument("path '" + text + "' is a derived field: rules set it");
      }
    }
    return Status::OK();
  }

  Status CompileEffect(EventTypeDef& type, int index) {
    const vocab::Effect::Reader raw = raw_effects_[effect_count_++];
    Effect& e = type.effects[index];
    const StructShape& state = *v_->state_;
    RefScope scope;
    scope.data = type.data_shape;
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
    ANNALS_RETURN_IF_ERROR(CheckNotDerived(e.path, path_text));
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
          ANNALS_RETURN_IF_ERROR(CheckNotDerived(e.history, history_text));
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

  void CollectConds(std::vector<Cond>* conds) {
    for (Cond& c : *conds) {
      if (c.op != Cond::kAny) continue;
      CollectConds(&c.any);
      const TypeShape& t = c.ref.type;
      const bool structs = t.kind == TypeShape::kMap ||
                           (t.kind == TypeShape::kList && t.element->kind == TypeShape::kStruct);
      if (c.ref.source == Ref::kState && c.ref.node_path.size() == 1 && structs &&
          ElementOnly(c.any)) {
        c.counter = static_cast<int>(v_->counters_.size());
        v_->counters_.push_back(Counter{c.ref.node_path[0], &c.any});
      }
    }
  }

  void CollectCounters() {
    for (auto& d : v_->derived_) {
      for (auto& r : d.rules) CollectConds(&r.when);
    }
    for (auto& t : v_->types_) {
      for (auto& e : t.effects) CollectConds(&e.when);
    }
  }

  static bool HasPlaceholder(const std::vector<SummaryPart>& parts) {
    for (const SummaryPart& p : parts) {
      if (p.kind == SummaryPart::kRef) return true;
      if (p.kind == SummaryPart::kGroup && HasPlaceholder(p.group)) return true;
    }
    return false;
  }

  Vocabulary* v_;
  std::deque<StructShape>* shapes_;
  bool brackets_group_ = true;  // the summary being compiled pairs its brackets
  const capnp::ParsedSchema* state_node_ = nullptr;
  std::vector<std::pair<capnp::ParsedSchema, std::string>> event_nodes_;
  std::vector<vocab::Effect::Reader> raw_effects_;
  size_t effect_count_ = 0;
};

Result<std::shared_ptr<const Vocabulary>> CompileVocabulary(std::string source,
                                                            std::string display_name) {
  auto file = ParseVocabularyFile(source, std::move(display_name));
  if (!file.ok()) return file.status();
  std::shared_ptr<Vocabulary> v(new Vocabulary());
  v->source_ = std::move(source);
  v->file_ = std::move(file).value();
  try {
    VocabularyCompiler compiler(v.get());
    ANNALS_RETURN_IF_ERROR(compiler.Run());
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument(v->file_->display_name() + ": " +
                                   std::string(e.getDescription().cStr()));
  }
  return std::shared_ptr<const Vocabulary>(std::move(v));
}

}  // namespace internal
}  // namespace annals
