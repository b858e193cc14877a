// Copyright annals authors.
//
// The folded state of a stream as a native value tree, and the shape that gives it meaning.
//
// A vocabulary's state struct (SPEC §7) is compiled into a StructShape: per field, its JSON
// name, what kind of value it holds (text, bool, integer, float, enum, list, map, struct),
// and how it is shown when unset.  A fold keeps the state as a Node tree of that shape:
// Cap'n Proto lists are fixed-size, so folding in a message builder would copy a list on
// every append; a Node is mutated in place.
//
// UNSET.  "Unset means empty text, empty list, false, 0 or a null struct" (SPEC §7): every
// assignment normalises such values to Node::kUnset, so IsSet() is a tag test and a diff
// never shows "" or false as a change.  A struct that exists is set, even if all its
// fields are unset.
//
// JSON (WriteStateMembers): the state's fields in ordinal order.  A field that is unset is
// shown as its `$A.unset` annotation says; by default a top-level field shows null (lists
// [], maps {}, bools false, numbers 0) and a field inside a struct or an element is left
// out.  A map is {key: element without its key field} (or {key: value field}), sorted by
// key.
//
// DIFF (DiffNodes): a state is compared leaf by leaf.  Leaves are scalars and lists of
// scalars; structs, maps (by key) and lists of structs (by index) are walked.  Paths are
// dotted JSON names ("reviews.FTC.status", "submissions.0.status"); an unset leaf is
// absent, shown as null.

#ifndef ANNALS_STORE_SRC_VOCABULARY_STATE_TREE_H_
#define ANNALS_STORE_SRC_VOCABULARY_STATE_TREE_H_

#include <capnp/schema.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annals/query.h"

namespace annals {
namespace internal {

struct StructShape;

// How a state field shows when unset ($A.unset); kDefault depends on where it is.
enum class UnsetJson { kDefault, kOmit, kNull, kEmpty };

// The type of a value in the state.
struct TypeShape {
  enum Kind { kText, kBool, kInt, kUInt, kFloat, kEnum, kList, kMap, kStruct };
  Kind kind = kText;
  capnp::EnumSchema enum_schema;                // kEnum
  // kEnum: the enumerants' names by ordinal, read once from the schema (a lookup through
  // capnp::EnumSchema parses the schema node every time).
  std::shared_ptr<const std::vector<std::string>> enumerants;
  const StructShape* structure = nullptr;       // kStruct; kMap and kList of structs: element
  std::shared_ptr<const TypeShape> element;     // kList
  int key_field = -1;                           // kMap: the element's key field
  int value_field = -1;                         // kMap: the field shown as the value, or -1
  int bits = 0;                                 // kInt, kUInt, kFloat: 8..64

  bool IsScalar() const { return kind <= kEnum; }
};

struct FieldShape {
  std::string json_name;      // $Json.name, else the Cap'n Proto name
  std::string capnp_name;
  TypeShape type;
  UnsetJson unset = UnsetJson::kDefault;
};

struct StructShape {
  capnp::StructSchema schema;
  std::vector<FieldShape> fields;  // by field index (ordinal order)
  // The field named `name` (JSON or Cap'n Proto name), or -1.
  int Find(std::string_view name) const;
};

// A value of the state.  Scalars in the union (text in `text`), lists and struct fields in
// `items` (struct: one per field of its shape), maps in `entries` by key (each a struct
// node that includes its key field).
struct Node {
  enum Tag : uint8_t { kUnset, kText, kBool, kInt, kUInt, kFloat, kEnum, kList, kMap, kStruct };
  Tag tag = kUnset;
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double f;
    uint16_t e;
  };
  std::string text;
  std::vector<Node> items;
  std::map<std::string, Node, std::less<>> entries;

  Node() : i(0) {}
  static Node Text(std::string s);
  static Node Struct(const StructShape& shape);  // a struct with every field unset

  bool IsSet() const { return tag != kUnset; }
  // Makes this node unset, keeping its text's memory for the next value written into it.
  void Clear();
  // Makes empty text, false, 0, an empty list or map unset (SPEC §7).
  void Normalize();
  bool operator==(const Node& o) const;
  bool operator!=(const Node& o) const { return !(*this == o); }
};

// The name of enumerant `value` of an enum type, or its number when this version of the
// vocabulary does not have it (a later version added it).
std::string_view EnumerantName(const TypeShape& type, uint16_t value, std::string* scratch);

// The value as text, for comparisons and summaries: text as is, enumerants by name, numbers
// in decimal, bools "true"/"false", lists joined with ", ", unset "".  Structs and maps "".
std::string NodeText(const TypeShape& type, const Node& node);

// Appends the members of the state's JSON object (`"name":value` pairs separated by commas,
// no braces) for the fields of `shape` in `root` (a kStruct node, or unset: all fields
// unset).
void WriteStateMembers(const StructShape& shape, const Node& root, std::string* out);

// Appends to `out` the changes from `before` to `after` (either may be unset) of a value of
// `type` at `path` (the path of the value itself; "" for a struct's root, whose fields then
// have bare names).  Unsorted: callers sort by PathLess once.
void DiffNodes(const TypeShape& type, const Node& before, const Node& after, std::string path,
               std::vector<Change>* out);
// The same for the element at `key` of a map of `type` at `path` (null: absent).
void DiffMapEntry(const TypeShape& type, const std::string& key, const Node* before,
                  const Node* after, const std::string& path, std::vector<Change>* out);
// The same for two whole states (kStruct roots of `shape`, or unset).
void DiffStructs(const StructShape& shape, const Node& before, const Node& after,
                 const std::string& prefix, std::vector<Change>* out);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_STATE_TREE_H_
