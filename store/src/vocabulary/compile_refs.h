// Copyright annals authors.
//
// The pieces CompileVocabulary builds effects from: types of Cap'n Proto fields as state
// shapes, refs, paths, conversions and conditions, each checked once with a message that
// says what is wrong.  Used by compile*.cc only.

#ifndef ANNALS_STORE_SRC_VOCABULARY_COMPILE_REFS_H_
#define ANNALS_STORE_SRC_VOCABULARY_COMPILE_REFS_H_

#include <capnp/schema.h>

#include <string>
#include <string_view>
#include <vector>

#include "annals/status.h"
#include "annals/vocabulary.capnp.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

// What a ref may name where it is written.
struct RefScope {
  const StructShape* data = nullptr;     // data.F allowed (an event's effects)
  bool effective = false;                // `effective` allowed
  const StructShape* state = nullptr;    // state.P allowed
  const TypeShape* it = nullptr;         // it / it.F allowed (inside where / any)
};

// Builds shapes of Cap'n Proto types, memoised per struct in the vocabulary being compiled.
class ShapeBuilder {
 public:
  explicit ShapeBuilder(std::deque<StructShape>* shapes) : shapes_(shapes) {}
  // InvalidArgument naming `where` for types a state cannot hold (Data, AnyPointer,
  // interfaces, lists of lists, unions and groups).
  Result<TypeShape> Type(capnp::Type type, const std::string& where);
  Result<const StructShape*> Struct(capnp::StructSchema schema, const std::string& where);

 private:
  std::deque<StructShape>* shapes_;
};

Result<Ref> CompileRef(const std::string& text, const RefScope& scope);
// A path of state fields ("launch_target.previous") from `root`; each step but the last
// must be a struct.  Returns the field indexes and the type at the end.
Result<std::vector<int>> CompilePath(const std::string& text, const StructShape& root,
                                     const TypeShape** type);
// The conversion of `from`'s value to `to` (the name of what is assigned to, for messages).
Result<Conversion> CompileConversion(const Ref& from, const TypeShape& to,
                                     const std::string& to_name);
// The same for two types (`from_name` names the source in messages).
Result<Conversion> CompileTypeConversion(const TypeShape& from, const TypeShape& to,
                                         const std::string& to_name,
                                         const std::string& from_name);
Result<Cond> CompileCond(vocab::Cond::Reader cond, const RefScope& scope);
Result<std::vector<Cond>> CompileConds(capnp::List<vocab::Cond>::Reader conds,
                                       const RefScope& scope);

// A type for messages: "Text", "List(Text)", "enum Verdict", "struct Review".
std::string Describe(const TypeShape& type);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_COMPILE_REFS_H_
