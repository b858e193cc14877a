// Copyright annals authors.
//
// The projection engine (SPEC §2-3).
//
// A projection is a pure fold over the visible domain events of one stream, in valid-time
// order (corrected `earliest`, then seq).  Three pieces:
//
//   Timeline    turns a stream's raw events (seq order, corrections and retractions
//               included) into the visible domain events at the last seq it was given:
//               corrections applied (each on top of the previous ones, so the latest
//               correction of a field wins), retracted events removed, ordered by
//               (earliest, seq).
//   Fold()      feeds the visible events with earliest <= V to one or more Projections
//               and reports which of them are tentative (latest > V).
//   Projection  the fold itself: a small class with Apply(event).  StateProjection is the
//               state of SPEC §3 under the stream's vocabulary (SPEC §7);
//               SourceCountsProjection is a second one (who reported what).  A new
//               projection is a new subclass; the engine does not change.
//
// Thread-safety: none of these classes is thread-safe; use one per query.

#ifndef ANNALS_STORE_SRC_PROJECTION_H_
#define ANNALS_STORE_SRC_PROJECTION_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "annals/event.h"
#include "annals/query.h"
#include "annals/status.h"
#include "vocabulary/fold.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

// Where a low-memory Timeline reads the events it does not keep.
class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual Result<Event> BySeq(uint64_t seq) = 0;
  virtual Result<Event> ById(std::string_view id) = 0;
};

// The valid-time position of a visible event: (earliest, seq).  Unique per event.
using TimelineKey = std::pair<int64_t, uint64_t>;
inline TimelineKey KeyOf(const Event& e) { return {e.effective().earliest, e.seq()}; }

class Timeline {
 public:
  enum class Mode {
    // Keeps every domain event in memory and sorts once, when first read.  For one query.
    kInMemory,
    // Keeps only the valid-time order and the corrected views; reads the other events
    // back from the source when folding.  The order stays sorted after every Add() (in a
    // balanced tree, so that an event inserted anywhere costs O(log n), not a shift of
    // the whole order), so an event that sorts last can be applied incrementally and a
    // back-dated one re-folded from a checkpoint before it (audit replay).
    kLowMemory,
  };

  // What Add() did to the visible sequence.
  enum class Effect {
    kNone,          // nothing visible changed (e.g. a correction of a retracted event)
    kAppendedLast,  // one event was added after every visible event (fold incrementally)
    kReordered,     // anything else: back-dated event, correction, retraction (re-fold)
  };

  // `source` is required in kLowMemory mode and unused in kInMemory mode; not owned.
  Timeline(Mode mode, EventSource* source);
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // Adds the stream's next raw event; events must come in seq order.  Errors: NotFound
  // (correction/retraction of an event this timeline has not seen), Corruption (a stored
  // correction that no longer applies).
  Result<Effect> Add(const Event& raw);

  // The first valid-time position the last Add() changed (where an event was inserted,
  // or moved or removed from): every visible event before it is as it was.  Meaningful
  // after kAppendedLast and kReordered.
  const TimelineKey& changed_from() const { return changed_from_; }
  // The last valid-time position the last Add() changed: every visible event after it is
  // as it was, so a fold that reaches it in the state an earlier fold had there goes on
  // as that one did.  Meaningful after kAppendedLast and kReordered.
  const TimelineKey& changed_until() const { return changed_until_; }

  using Visitor = std::function<bool(const Event& view, bool corrected)>;
  // Visits the visible domain events in valid-time order: the corrected view (effective
  // and data corrected; id, seq, hashes the original's) and whether a correction applied.
  // Stops early, with OK, when `visit` returns false.
  Status ForEach(const Visitor& visit);
  // The same, for the events after position `after` only.
  Status ForEachAfter(const TimelineKey& after, const Visitor& visit);

  // Number of visible events.
  size_t size() const {
    return mode_ == Mode::kLowMemory && spilled_ ? tree_.size()
                                                 : order_.size() - removed_.size();
  }
  // Number of raw events added (domain and meta).
  uint64_t raw_events() const { return raw_events_; }

 private:
  struct View {
    Event event;
    bool corrected = false;
  };
  Result<View> Current(uint64_t seq);
  void Insert(const TimelineKey& key);
  void Remove(const TimelineKey& key);
  void Normalize();
  void Spill();
  template <typename It>
  Status Visit(It from, It end, const Visitor& visit);

  Mode mode_;
  EventSource* source_;
  uint64_t raw_events_ = 0;
  // Visible keys.  kLowMemory: order_ (sorted) while every key came after the ones
  // before, then tree_ from the first that did not (spilled_; a node per key costs an
  // in-order replay a few percent, so only streams that need it pay); removed_ unused.
  // kInMemory: order_, appended in seq order; removals are collected in removed_ (a
  // multiset: a key may come back after a correction moved it away and another moved it
  // back) and subtracted by Normalize().
  std::set<TimelineKey> tree_;
  bool spilled_ = false;
  std::vector<TimelineKey> order_;
  std::vector<TimelineKey> removed_;
  bool sorted_ = true;
  // seq -> view.  kInMemory: every domain event; kLowMemory: corrected ones only.
  std::unordered_map<uint64_t, View> views_;
  std::unordered_map<std::string, uint64_t> ids_;  // kInMemory only: id -> seq
  std::unordered_set<uint64_t> retracted_;
  TimelineKey changed_from_{0, 0};
  TimelineKey changed_until_{0, 0};
};

// A fold over visible events.  Apply() is called in valid-time order with the corrected
// view of each event whose earliest <= V; it must depend on nothing but the events.
class Projection {
 public:
  virtual ~Projection() = default;
  virtual void Apply(const Event& event) = 0;
};

struct FoldStats {
  uint64_t applied = 0;                // domain events folded (notes included)
  std::vector<std::string> tentative;  // ids of folded events with latest > V
};

constexpr int64_t kUnboundedValidTime = std::numeric_limits<int64_t>::max();

// Folds the visible events of `timeline` with earliest <= as_of into every projection.
Result<FoldStats> Fold(Timeline* timeline, int64_t as_of,
                       const std::vector<Projection*>& projections);

// The state of a stream (SPEC §2-3, §7): the fold of its vocabulary (vocabulary/fold.h)
// over the visible events, core facts and notes included.
class StateProjection final : public Projection {
 public:
  // An empty state of `vocabulary` (null: a stream with no vocabulary event yet).
  explicit StateProjection(std::shared_ptr<const Vocabulary> vocabulary)
      : fold_(std::move(vocabulary)) {}
  // Continues a fold (a checkpoint's, a replay snapshot's).
  explicit StateProjection(StateFold fold) : fold_(std::move(fold)) {}
  void Apply(const Event& event) override;

  StateFold& fold() { return fold_; }
  const StateFold& fold() const { return fold_; }
  // The folded state as a public State (query echo fields, events_applied and tentative
  // are the caller's).
  State ToState() const;

 private:
  StateFold fold_;
  // The definitions of the event types seen so far in the fold's vocabulary, by type name.
  std::vector<std::pair<std::string_view, const EventTypeDef*>> types_;
};

// A second projection: which publishers reported what (SPEC §1 `source`).
struct PublisherCounts {
  uint64_t events = 0;
  std::map<std::string, uint64_t> by_type;        // "partner_talks" -> n
  std::map<std::string, uint64_t> by_confidence;  // "reported" -> n
};

class SourceCountsProjection final : public Projection {
 public:
  void Apply(const Event& event) override;
  // Publisher -> counts; events without a publisher are counted under "".
  const std::map<std::string, PublisherCounts>& counts() const { return counts_; }

 private:
  std::map<std::string, PublisherCounts> counts_;
};

// ---- diffs and JSON (state_json.cc) ------------------------------------------------

// Orders dotted paths segment by segment, numeric segments by value
// ("submissions.2" < "submissions.10").
struct PathLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
void SortByPath(std::vector<Change>* changes);

// The JSON array of changes: [{"path": ..., "from": ..., "to": ...}, ...].
std::string ChangesToJson(const std::vector<Change>& changes);

// What a State holds of its vocabulary: the folded tree and the vocabulary that gives it
// meaning.
struct StateRep {
  std::shared_ptr<const Vocabulary> vocabulary;
  Node root;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_PROJECTION_H_
