// Copyright annals authors.
//
// CheckEvolution (evolution.h): the older version's event types, walked field by field
// through every struct and list reachable from their data, against the newer version's.
//
// Vocabularies have no unions and no groups (ShapeBuilder refuses them), so where a field
// lies in an event's bytes is fixed by its ordinal and type alone: keeping both keeps the
// layout.  A field's default is compared too, because Cap'n Proto stores a primitive as
// its XOR with the default: a new default would change what every stored event says.

#include "vocabulary/evolution.h"

#include <capnp/any.h>
#include <capnp/schema.capnp.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "vocabulary/annotations.h"

namespace annals {
namespace internal {

namespace {

constexpr size_t kMaxProblems = 10;  // lines in a refusal, as the parser reports its first ten

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

// The name a field or enumerant has in JSON: $Json.name, else its Cap'n Proto name.
std::string JsonName(capnp::List<capnp::schema::Annotation>::Reader annotations,
                     capnp::Text::Reader name) {
  KJ_IF_MAYBE(v, annotation::Find(annotations, annotation::kJsonName)) {
    return v->getText().cStr();
  }
  return name.cStr();
}

// A type for messages: "Text", "List(Int32)", "enum Verdict", "struct Money".
std::string Describe(capnp::Type type) {
  using W = capnp::schema::Type;
  switch (type.which()) {
    case W::VOID: return "Void";
    case W::BOOL: return "Bool";
    case W::INT8: return "Int8";
    case W::INT16: return "Int16";
    case W::INT32: return "Int32";
    case W::INT64: return "Int64";
    case W::UINT8: return "UInt8";
    case W::UINT16: return "UInt16";
    case W::UINT32: return "UInt32";
    case W::UINT64: return "UInt64";
    case W::FLOAT32: return "Float32";
    case W::FLOAT64: return "Float64";
    case W::TEXT: return "Text";
    case W::DATA: return "Data";
    case W::LIST: return "List(" + Describe(type.asList().getElementType()) + ")";
    case W::ENUM: return "enum " + std::string(type.asEnum().getUnqualifiedName().cStr());
    case W::STRUCT: return "struct " + std::string(type.asStruct().getUnqualifiedName().cStr());
    case W::INTERFACE:
      return "interface " + std::string(type.asInterface().getUnqualifiedName().cStr());
    case W::ANY_POINTER: return "AnyPointer";
  }
  return "an unknown type";
}

// Whether two types are the same down to the innermost element of lists; the fields of
// structs and the enumerants of enums are compared separately.
bool SameKind(capnp::Type older, capnp::Type newer) {
  if (older.which() != newer.which()) return false;
  if (!older.isList()) return true;
  return SameKind(older.asList().getElementType(), newer.asList().getElementType());
}

capnp::Type Innermost(capnp::Type type) {
  while (type.isList()) type = type.asList().getElementType();
  return type;
}

// A field's default as text, for comparing and for messages.  Pointer defaults (lists,
// structs, data) are compared by their canonical bytes and shown as "a list value" etc.
std::string DefaultText(capnp::schema::Value::Reader v, capnp::Type type) {
  using V = capnp::schema::Value;
  switch (v.which()) {
    case V::VOID: return "void";
    case V::BOOL: return v.getBool() ? "true" : "false";
    case V::INT8: return std::to_string(v.getInt8());
    case V::INT16: return std::to_string(v.getInt16());
    case V::INT32: return std::to_string(v.getInt32());
    case V::INT64: return std::to_string(v.getInt64());
    case V::UINT8: return std::to_string(v.getUint8());
    case V::UINT16: return std::to_string(v.getUint16());
    case V::UINT32: return std::to_string(v.getUint32());
    case V::UINT64: return std::to_string(v.getUint64());
    case V::FLOAT32: return kj::str(v.getFloat32()).cStr();
    case V::FLOAT64: return kj::str(v.getFloat64()).cStr();
    case V::TEXT: return Quoted(v.getText().cStr());
    case V::ENUM: {
      auto enumerants = type.asEnum().getEnumerants();
      if (v.getEnum() >= enumerants.size()) return std::to_string(v.getEnum());
      return enumerants[v.getEnum()].getProto().getName().cStr();
    }
    default: return "a " + Describe(type) + " value";
  }
}

bool SameDefault(capnp::schema::Value::Reader older, capnp::schema::Value::Reader newer,
                 capnp::Type older_type, capnp::Type newer_type) {
  using V = capnp::schema::Value;
  switch (older.which()) {
    case V::DATA: case V::LIST: case V::STRUCT: case V::ANY_POINTER:
      return capnp::AnyStruct::Reader(older).equals(capnp::AnyStruct::Reader(newer)) ==
             capnp::Equality::EQUAL;
    default:
      return DefaultText(older, older_type) == DefaultText(newer, newer_type);
  }
}

// A member of a struct (a field) or of an enum (an enumerant): its name and its place
// (a field's ordinal, an enumerant's number).
struct Member {
  std::string name;
  unsigned place = 0;
};

// How the messages about members of one kind read.
struct Wording {
  const char* noun;          // "field"
  const char* from_place;    // "@": "moved from @0 ..."
  const char* to_place;      // "@": "... to @1"
  const char* at_place;      // "@": "field @0 was renamed ..."
  const char* keeps_place;
  const char* keeps_name;
  const char* never_removed;
};

constexpr Wording kFieldWording = {"field", "@", "@", "@", "a field keeps its ordinal",
                                   "a field keeps its name", "fields are never removed"};
constexpr Wording kEnumerantWording = {"enumerant", "place ", "", "at place ",
                                       "enumerants keep their place",
                                       "an enumerant keeps its name",
                                       "enumerants are never removed"};

class EvolutionCheck {
 public:
  Status Run(const Vocabulary& older, const Vocabulary& newer) {
    if (older.name() != newer.name()) {
      return Status::InvalidArgument("the vocabulary's name changed from " +
                                     Quoted(older.name()) + " to " + Quoted(newer.name()) +
                                     " (a new version keeps the vocabulary's name)");
    }
    for (const EventTypeDef& type : older.types()) {
      const EventTypeDef* kept = newer.FindType(type.name);
      if (kept == nullptr) {
        Problem("event type " + Quoted(type.name) +
                " was removed (event types are never removed)");
        continue;
      }
      CompareStructs(type.data, kept->data, type.name, "");
    }
    if (problems_.empty()) return Status::OK();
    std::string msg;
    for (size_t i = 0; i < problems_.size() && i < kMaxProblems; ++i) {
      msg += (i == 0 ? "" : "\n") + problems_[i];
    }
    if (problems_.size() > kMaxProblems) {
      msg += "\n(and " + std::to_string(problems_.size() - kMaxProblems) + " more)";
    }
    return Status::InvalidArgument(msg);
  }

 private:
  void Problem(std::string text) { problems_.push_back(std::move(text)); }

  // Whether the pair is compared for the first time (a struct or enum used in several
  // places is reported once; a recursive struct ends the walk).
  bool FirstTime(capnp::Schema older, capnp::Schema newer) {
    return compared_.emplace(older.getProto().getId(), newer.getProto().getId()).second;
  }

  // Each member of `older` against `newer`: matched by name, else (renamed) by place
  // among the names `older` does not have, else removed.  `kept(i, j)` for each member
  // kept by name and place.
  void CompareMembers(const std::vector<Member>& older, const std::vector<Member>& newer,
                      const Wording& w, const std::string& where,
                      const std::function<void(size_t, size_t)>& kept) {
    std::set<std::string> older_names;
    for (const Member& m : older) older_names.insert(m.name);
    for (size_t i = 0; i < older.size(); ++i) {
      const Member& m = older[i];
      const std::string noun = std::string(w.noun) + " " + Quoted(m.name);
      const Member* renamed = nullptr;
      bool found = false;
      for (size_t j = 0; j < newer.size() && !found; ++j) {
        const Member& n = newer[j];
        if (n.name == m.name) {
          found = true;
          if (n.place == m.place) {
            kept(i, j);
          } else {
            Problem(where + ": " + noun + " moved from " + w.from_place +
                    std::to_string(m.place) + " to " + w.to_place + std::to_string(n.place) +
                    " (" + w.keeps_place + ")");
          }
        } else if (n.place == m.place && older_names.count(n.name) == 0) {
          renamed = &n;
        }
      }
      if (found) continue;
      if (renamed != nullptr) {
        Problem(where + ": " + w.noun + " " + w.at_place + std::to_string(m.place) +
                " was renamed from " + Quoted(m.name) + " to " + Quoted(renamed->name) + " (" +
                w.keeps_name + ")");
      } else {
        Problem(where + ": " + noun + " was removed (" + w.never_removed + ")");
      }
    }
  }

  // The fields of a struct reachable from event data; `where` names the event type and
  // `prefix` the path of the struct inside its data ("" or "price.").
  void CompareStructs(capnp::StructSchema older, capnp::StructSchema newer,
                      const std::string& where, const std::string& prefix) {
    if (!FirstTime(older, newer)) return;
    auto members = [&prefix](capnp::StructSchema schema) {
      std::vector<Member> out;
      for (auto f : schema.getFields()) {
        auto proto = f.getProto();
        const auto ordinal = proto.getOrdinal();
        out.push_back(Member{prefix + JsonName(proto.getAnnotations(), proto.getName()),
                             ordinal.isExplicit() ? ordinal.getExplicit() : f.getIndex()});
      }
      return out;
    };
    auto older_fields = older.getFields();
    auto newer_fields = newer.getFields();
    const std::vector<Member> older_members = members(older);
    CompareMembers(older_members, members(newer), kFieldWording, where,
                   [&](size_t i, size_t j) {
                     CompareFieldTypes(older_fields[static_cast<unsigned>(i)],
                                       newer_fields[static_cast<unsigned>(j)], where,
                                       older_members[i].name);
                   });
  }

  void CompareFieldTypes(capnp::StructSchema::Field older, capnp::StructSchema::Field newer,
                         const std::string& where, const std::string& path) {
    const std::string field = "field " + Quoted(path);
    const capnp::Type older_type = older.getType();
    const capnp::Type newer_type = newer.getType();
    if (!SameKind(older_type, newer_type)) {
      Problem(where + ": " + field + " changed type from " + Describe(older_type) + " to " +
              Describe(newer_type) + " (a field keeps its type)");
      return;
    }
    auto older_proto = older.getProto();
    auto newer_proto = newer.getProto();
    if (older_proto.isSlot() && newer_proto.isSlot()) {
      auto older_default = older_proto.getSlot().getDefaultValue();
      auto newer_default = newer_proto.getSlot().getDefaultValue();
      if (!SameDefault(older_default, newer_default, older_type, newer_type)) {
        Problem(where + ": " + field + " changed its default from " +
                DefaultText(older_default, older_type) + " to " +
                DefaultText(newer_default, newer_type) + " (a field keeps its default)");
      }
    }
    const capnp::Type older_inner = Innermost(older_type);
    const capnp::Type newer_inner = Innermost(newer_type);
    if (older_inner.isStruct()) {
      CompareStructs(older_inner.asStruct(), newer_inner.asStruct(), where, path + ".");
    } else if (older_inner.isEnum()) {
      CompareEnums(older_inner.asEnum(), newer_inner.asEnum(),
                   where + ": " + field + ": " + Describe(older_inner));
    }
  }

  void CompareEnums(capnp::EnumSchema older, capnp::EnumSchema newer, const std::string& where) {
    if (!FirstTime(older, newer)) return;
    auto members = [](capnp::EnumSchema schema) {
      std::vector<Member> out;
      for (auto e : schema.getEnumerants()) {
        auto proto = e.getProto();
        out.push_back(Member{JsonName(proto.getAnnotations(), proto.getName()), e.getOrdinal()});
      }
      return out;
    };
    CompareMembers(members(older), members(newer), kEnumerantWording, where,
                   [](size_t, size_t) {});
  }

  std::vector<std::string> problems_;
  std::set<std::pair<uint64_t, uint64_t>> compared_;  // (older id, newer id)
};

}  // namespace

Status CheckEvolution(const Vocabulary& older, const Vocabulary& newer) {
  EvolutionCheck check;
  return check.Run(older, newer);
}

}  // namespace internal
}  // namespace annals
