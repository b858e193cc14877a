// Copyright annals authors.
//
// StateFold: the state of one stream folded event by event under one version of its
// vocabulary (SPEC §7 "Effects"), plus the core `facts` map.
//
// Apply() runs an event type's effects in order, each seeing the state the earlier ones
// left, then recomputes the derived fields.  Nothing in it can fail: CompileVocabulary
// checked every ref, path and conversion.  `any` conditions over a top-level list or map
// that read only the element are answered from counters kept as the fold writes that
// field (vocabulary.h, Counter), so a rule such as "some submission is pending" does not
// scan the list after every event.
//
// For the audit replay a fold can track what each Apply changed: it copies each part of the
// state (a map entry, a list element, or a whole top-level field) before its first write
// in the event, and LastChanges() diffs only those parts and the derived fields.
//
// Thread-safety: none; a StateFold is a value (copyable) used by one thread at a time.

#ifndef ANNALS_STORE_SRC_VOCABULARY_FOLD_H_
#define ANNALS_STORE_SRC_VOCABULARY_FOLD_H_

#include <capnp/any.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annals/query.h"
#include "vocabulary/state_tree.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

// What the fold reads of an event of a vocabulary type (its corrected view).
struct FoldInput {
  FoldInput(const EventTypeDef* type, std::string_view effective,
            capnp::AnyPointer::Reader data);

  const EventTypeDef* type;       // of the fold's vocabulary
  std::string_view effective;     // the valid time as written
  capnp::AnyStruct::Reader data;  // the data struct, resolved once (absent: all defaults)
};

class StateFold {
 public:
  // The empty state of `vocabulary` (null: a stream with no vocabulary yet, which has only
  // the core fields), its derived fields computed.
  explicit StateFold(std::shared_ptr<const Vocabulary> vocabulary);
  // Continues from a stored state (a checkpoint's): the same as having applied the events
  // that made it.  `root` must be of the vocabulary's state shape.
  StateFold(std::shared_ptr<const Vocabulary> vocabulary, Node root,
            std::map<std::string, std::string> facts);

  const std::shared_ptr<const Vocabulary>& vocabulary() const { return vocabulary_; }
  const Node& root() const { return root_; }
  const std::map<std::string, std::string>& facts() const { return facts_; }

  // Applies an event of one of the vocabulary's types.
  void Apply(const FoldInput& event);
  // Applies a core `fact`: facts[key] = value; an empty value removes the key.
  void ApplyFact(const std::string& key, const std::string& value);
  // A core `note`: no change, but it ends the tracked changes of the event before.
  void ApplyNote();

  // Change tracking for the audit replay (default off).
  void set_track_changes(bool on) { track_ = on; }
  // The changes the last Apply/ApplyFact/ApplyNote made, unsorted.
  std::vector<Change> LastChanges() const;

  // Which parts of the state the last Apply wrote, in the order written (the picture
  // puts an event on the lanes of these): a map entry, a list element, a whole top-level
  // field or a fact.
  struct PartRef {
    enum Kind { kWhole, kKey, kIndex, kFact };
    Kind kind = kWhole;
    int field = -1;     // top-level state field (not for kFact)
    std::string key;    // kKey: the map key; kFact: the fact's key
    size_t index = 0;   // kIndex
  };
  std::vector<PartRef> LastParts() const;

  // Whether this fold and `other` hold the same state, bit for bit (floats by their bits,
  // so that a value that prints differently is never "the same"): then folding the same
  // events into either gives the same states and the same changes.  The audit replay uses
  // it to stop re-folding where a back-dated event's effect has been overwritten.
  bool SameState(const StateFold& other) const;
  // A rough measure of the memory a copy of the state takes, in values (top-level fields,
  // map entries, list elements, facts): the audit replay's budget for its snapshots.
  size_t ApproxSize() const;

 private:
  struct Part : PartRef {
    Node before;
    std::string fact_before;
    bool fact_existed = false;
  };

  void Init();
  void BeginEvent();
  void Derive();
  void Recount(int field);
  bool Matches(const std::vector<Cond>& conds, const Node& element) const;
  // `element` (null: absent) is about to change; `replaced`: it is about to be overwritten
  // whole, so the tracked copy of it may take its value instead of copying it.
  void ElementChanging(int field, Node* element, const std::string* key, size_t index,
                       bool replaced = false);
  void ElementChanged(int field, const Node* element);
  void TouchWhole(int field);

  // Evaluation; `scratch` holds values made on the spot (data, effective, conversions).
  struct Context {
    const FoldInput* event = nullptr;
    const Node* it = nullptr;
  };
  const Node& Eval(const Ref& ref, const Context& ctx, Node* scratch) const;
  bool Holds(const Cond& cond, const Context& ctx) const;
  bool AllHold(const std::vector<Cond>& conds, const Context& ctx) const;
  Node Value(const Ref& ref, const Conversion& conversion, const Context& ctx) const;
  // The same, written over `out`.
  void ValueInto(const Ref& ref, const Conversion& conversion, const Context& ctx,
                 Node* out) const;
  void AssignFields(const std::vector<Assign>& fields, const Context& ctx,
                    Node* target) const;

  void RunEffect(const Effect& effect, const Context& ctx);
  Node* At(const std::vector<int>& path);  // creates the structs on the way

  std::shared_ptr<const Vocabulary> vocabulary_;
  Node root_;
  std::map<std::string, std::string> facts_;
  std::vector<int64_t> counts_;                  // by counter
  std::vector<std::vector<int>> counters_of_;    // top-level field -> its counters
  bool track_ = false;
  std::vector<Part> parts_;                      // of the last event
  std::vector<Node> derived_before_;             // of the last event, by derived rule set
};

// The value of a ref to the event (data.F, effective) or a literal.
Node EvalEventRef(const Ref& ref, const FoldInput& event);
// The same, written over `out` (whose text memory it reuses).
void EvalEventRefInto(const Ref& ref, const FoldInput& event, Node* out);
// An event type's $summary with the event's data filled in; empty if it has none.
std::string RenderSummary(const FoldInput& event);

// Copies a Cap'n Proto value of `type` into a state node (normalised).
Node NodeFromDynamic(const TypeShape& type, capnp::DynamicValue::Reader value);
// Applies a compiled conversion (an unset value stays unset).
Node Convert(const Conversion& conversion, const Node& value);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_FOLD_H_
