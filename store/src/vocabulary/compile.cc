// Copyright annals authors.
//
// CompileVocabulary (vocabulary.h): from a parsed file to event types with compiled
// effects (compile_effect.cc) and summaries (compile_summary.cc), the state shape with
// derive rules, and the counters that keep `any` conditions incremental.  Every message
// names where the problem is: the event type and effect ("review_decided: effect 2
// (merge): ..."), or the state field.

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "vocabulary/annotations.h"
#include "vocabulary/compile_effect.h"
#include "vocabulary/compile_refs.h"
#include "vocabulary/compile_summary.h"
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
    // raw_effects_ holds the effects of every type in the order of types_.
    size_t raw = 0;
    for (auto& t : v_->types_) {
      for (Effect& e : t.effects) {
        ANNALS_RETURN_IF_ERROR(
            CompileEffect(raw_effects_[raw++], *t.data_shape, *v_->state_, v_->derived_, &e)
                .WithPrefix(e.label));
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
      auto parts = CompileSummary(summary->getText().cStr(), *t.data_shape);
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

  Vocabulary* v_;
  std::deque<StructShape>* shapes_;
  const capnp::ParsedSchema* state_node_ = nullptr;
  std::vector<std::pair<capnp::ParsedSchema, std::string>> event_nodes_;
  std::vector<vocab::Effect::Reader> raw_effects_;
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
