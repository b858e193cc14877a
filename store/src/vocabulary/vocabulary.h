// Copyright annals authors.
//
// A compiled vocabulary (SPEC §7): its event types and state shape, with every ref, path,
// condition, effect, rule and summary resolved once, at registration, into field handles
// and indexes, so that a fold never looks a name up.
//
// CompileVocabulary refuses, with a message that names the event type and the effect
// ("review_decided: effect 2 (merge): unknown ref 'data.verdit'"), anything that could fail
// during a fold: an unknown ref or path, a write to a field of the wrong kind, an
// assignment that cannot convert, a literal that names no enumerant.  After that, applying
// an event cannot fail.
//
// Thread-safety: a Vocabulary is immutable once compiled and may be shared by threads.

#ifndef ANNALS_STORE_SRC_VOCABULARY_VOCABULARY_H_
#define ANNALS_STORE_SRC_VOCABULARY_VOCABULARY_H_

#include <capnp/dynamic.h>
#include <capnp/compat/json.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annals/status.h"
#include "vocabulary/parse.h"
#include "vocabulary/state_tree.h"

namespace annals {
namespace internal {

// One step of a data ref read straight from a struct's data and pointer sections, as the
// generated getters of Cap'n Proto read them (a value past the end of a section, or a null
// pointer, is the zero default).  Compiled only for fields without an explicit default:
// the others, and lists and structs as values, go through the dynamic API.
struct DataRead {
  enum Kind : uint8_t { kStruct, kText, kBool, kInt8, kInt16, kInt32, kInt64, kUInt8,
                        kUInt16, kUInt32, kUInt64, kFloat32, kFloat64, kEnum };
  Kind kind = kText;
  uint32_t offset = 0;  // pointer slot (kStruct, kText); else in units of the value's size
};

// A ref (SPEC §7 "Refs"), resolved.
struct Ref {
  enum Source { kLiteral, kData, kEffective, kState, kIt };
  Source source = kLiteral;
  std::string text;     // as written, for messages
  TypeShape type;       // the static type of its value
  Node literal;         // kLiteral
  bool text_literal = false;  // a 'quoted' literal: may name an enumerant where one fits
  std::vector<capnp::StructSchema::Field> data_path;  // kData: fields from the data root
  std::vector<DataRead> data_reads;  // kData: the same path read directly; empty: dynamic
  std::vector<int> node_path;  // kState: field indexes from the root; kIt: from the element
};

// How a value of one type becomes a value of another (SPEC §7: "values convert on
// assignment as a user would expect").  Checked at compile time; applying it cannot fail.
struct Conversion {
  enum Kind {
    kCopy,         // same representation
    kToText,       // scalar -> its text
    kEnumByName,   // enum (or a text literal) -> enumerant of the target enum, by name
    kNumeric,      // between integer and float kinds
    kList,         // element by element (element conversion in `element`)
    kStruct,       // field by field, by name (`fields`: target index -> source index or -1)
  };
  Kind kind = kCopy;
  TypeShape from, to;
  std::shared_ptr<const Conversion> element;
  struct Field {
    int to = -1;    // target field index
    int from = -1;  // source field index (same Cap'n Proto name)
    std::shared_ptr<const Conversion> conversion;
  };
  std::vector<Field> fields;  // kStruct: target fields with a source; the others stay unset
};

struct Cond {
  enum Op { kEq, kNe, kIn, kIsSet, kUnset, kAny };
  Op op = kIsSet;
  Ref ref;
  std::vector<Ref> operands;  // kEq, kNe: one; kIn: several
  std::vector<Cond> any;      // kAny: conditions on each element (`it`)
  int counter = -1;           // kAny kept incrementally: index into Vocabulary::counters
};

// "name = ref": one field of a struct being written.
struct Assign {
  int field = -1;
  Ref ref;
  Conversion conversion;
};

struct Effect {
  enum Op { kSet, kClear, kUpsert, kMerge, kRemove, kAppend, kUpdateLast };
  Op op = kSet;
  std::string label;               // "review_decided: effect 2 (merge)", for messages
  std::vector<Cond> when;
  std::vector<int> path;           // field indexes from the state root
  const TypeShape* target = nullptr;  // the type at `path`
  Ref key;                         // upsert, merge, remove
  Conversion key_conversion;       // key ref -> the map's key field
  bool has_value = false;          // set: `value` rather than `fields`
  Ref value;
  Conversion value_conversion;
  std::vector<Assign> fields;      // into the struct written (the element, or the value)
  std::vector<Cond> where;         // updateLast
  bool or_append = false;
  std::vector<Assign> where_assigns;  // updateLast + orAppend: `it.F eq ref` equalities
  std::vector<int> history;        // set: the list replaced values go to
  const TypeShape* history_type = nullptr;
  Conversion history_conversion;   // the replaced value -> an element of that list
};

struct Rule {
  Ref value;
  Conversion conversion;
  std::vector<Cond> when;
};

struct DerivedField {
  int field = -1;  // top-level state field
  std::vector<Rule> rules;
};

// An `any` condition over a top-level list or map whose element conditions read only the
// element and literals: the number of elements that satisfy it is kept up to date as the
// fold writes that field, so that a rule like "some submission is pending" costs O(1).
struct Counter {
  int field = -1;                 // the top-level field counted
  const std::vector<Cond>* conds = nullptr;  // the element conditions (inside the Cond)
};

// A summary template: literal text, {placeholders} and [optional groups], kept only when
// every placeholder directly inside is set.
struct SummaryPart {
  enum Kind { kText, kRef, kGroup };
  Kind kind = kText;
  std::string text;                 // kText; kRef: the field's name (a bool shows it)
  Ref ref;                          // kRef
  std::vector<SummaryPart> group;   // kGroup
};

struct EventTypeDef {
  std::string name;                 // its JSON `type`
  capnp::StructSchema data;         // the data struct
  const StructShape* data_shape = nullptr;
  std::vector<int> required;        // data field indexes ($A.required)
  std::vector<int> dates;           // data field indexes ($A.date)
  std::vector<SummaryPart> summary;  // empty: none
  std::vector<Effect> effects;
};

class Vocabulary {
 public:
  Vocabulary(const Vocabulary&) = delete;
  Vocabulary& operator=(const Vocabulary&) = delete;

  const std::string& name() const { return name_; }
  const std::string& source() const { return source_; }
  const std::vector<EventTypeDef>& types() const { return types_; }
  const EventTypeDef* FindType(std::string_view name) const;
  const StructShape& state() const { return *state_; }
  const std::vector<DerivedField>& derived() const { return derived_; }
  // The `$A.lane` of each top-level state field, by field index ("" where none): where the
  // picture draws the events that write it (render/).
  const std::vector<std::string>& lanes() const { return lanes_; }
  const std::vector<Counter>& counters() const { return counters_; }
  // The JsonCodec for the data of this vocabulary's event types ($Json annotations
  // honoured).
  const capnp::JsonCodec& data_codec() const { return codec_; }
  // The file as Cap'n Proto parsed it (every node; for the evolution check).
  const ParsedVocabularyFile& file() const { return *file_; }

  // The shape of any struct type of the file (state, elements, event data).
  const StructShape& ShapeOf(capnp::StructSchema schema) const;

 private:
  friend class VocabularyCompiler;
  friend Result<std::shared_ptr<const Vocabulary>> CompileVocabulary(std::string source,
                                                                     std::string display_name);
  Vocabulary() = default;

  std::string name_;
  std::string source_;
  std::unique_ptr<ParsedVocabularyFile> file_;
  mutable std::deque<StructShape> shapes_;  // stable addresses; grown while compiling
  const StructShape* state_ = nullptr;
  std::vector<EventTypeDef> types_;
  std::vector<DerivedField> derived_;
  std::vector<std::string> lanes_;
  std::vector<Counter> counters_;
  capnp::JsonCodec codec_;
};

// Parses and compiles a vocabulary file (SPEC §7).  `display_name` names the file in
// messages.  InvalidArgument for anything the parser refuses (file:line:column) or the
// checks above refuse (naming the event type, effect and ref or path).
Result<std::shared_ptr<const Vocabulary>> CompileVocabulary(std::string source,
                                                            std::string display_name);

// Names no vocabulary may use for an event type: the core types (note, fact, correction,
// retraction) and the registration type (vocabulary).
bool IsReservedTypeName(std::string_view name);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_VOCABULARY_H_
