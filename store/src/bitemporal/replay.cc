// Copyright annals authors.
//
// The audit replay of StoreImpl (annals/query.h ReplayEntry): every event of the log in seq
// order with what it changed in its stream's latest-knowledge state.
//
// Replay keeps, per stream, a low-memory Timeline, the folded latest-knowledge state, and
// snapshots of that fold at valid-time positions (ReplayCursor below).  An event that
// sorts after every visible event of its stream (the common, in-order case) is applied to
// the state and only the parts of the state it can touch are compared, so a replay of an
// in-order stream is linear.  A back-dated event, a correction or a retraction changes the
// fold from some position on: the replay resumes from the last snapshot before that
// position and folds forward.  At each snapshot past the last changed position it compares
// the new fold with the one the snapshot kept: when they are the same state, every later
// event folds as it did before (the events after that position did not change), so the
// latest state is the one it had and the event changed nothing in it.  A back-dated event
// whose effect a later event overwrites (a status, a fact, a note) thus costs about two
// snapshot intervals of folding, however long the stream and however far back it lands;
// only an effect that lasts to the end (a list it appends to, a field nothing sets again)
// folds to the end and compares the whole state.  Events are read back from a window of
// the most recently scanned ones when they are still in it, else from the store.

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bitemporal/projection.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

namespace {

// The events a replay has scanned, by seq, for re-folds to read back: the last
// `capacity_` of them (a ring indexed by seq, since the scan is in seq order), then the
// store.  The ring starts small, so that a replay that never reads back (streams in
// valid-time order) keeps few events alive and frees them while they are still in the
// cache; a read that misses an event the largest ring would have held doubles it.
class ReplaySource final : public EventSource {
 public:
  explicit ReplaySource(StoreImpl* store) : store_(store), ring_(kMinCapacity) {}

  void Remember(const Event& e) {
    ring_[e.seq() % ring_.size()] = e;
    newest_ = e.seq();
  }

  Result<Event> BySeq(uint64_t seq) override {
    if (seq <= newest_ && newest_ - seq < ring_.size()) {
      const std::optional<Event>& slot = ring_[seq % ring_.size()];
      if (slot && slot->seq() == seq) return *slot;
    } else if (seq <= newest_ && newest_ - seq < kMaxCapacity) {
      Grow();
    }
    return store_->GetBySeq(seq);
  }
  Result<Event> ById(std::string_view id) override { return store_->GetById(id); }

 private:
  static constexpr uint64_t kMinCapacity = 1 << 12;
  static constexpr uint64_t kMaxCapacity = 1 << 14;

  void Grow() {
    std::vector<std::optional<Event>> larger(ring_.size() * 2);
    for (auto& slot : ring_) {
      if (slot) larger[slot->seq() % larger.size()] = std::move(slot);
    }
    ring_ = std::move(larger);
  }

  StoreImpl* store_;
  std::vector<std::optional<Event>> ring_;  // size: a power of two, kMinCapacity..kMaxCapacity
  uint64_t newest_ = 0;
};

// One stream's replay: its timeline, the fold of it (latest knowledge), and snapshots of
// that fold in valid time.  A snapshot is taken every `interval` events folded: the sparse
// interval while the stream comes in valid-time order (a snapshot is a copy of the state,
// which an in-order stream never reads back), the dense one from its first re-fold on
// (the re-folded part and everything after it get dense snapshots).  The
// snapshots are bounded by count (kMaxSnapshots) and by the values they hold
// (kSnapshotBudget, StateFold::ApproxSize): past either, every other one goes and the
// interval doubles, so they stay evenly spread over the stream, and memory stays bounded
// for a stream whose state grows with it.
class ReplayCursor {
 public:
  ReplayCursor(EventSource* source, uint64_t sparse_interval, uint64_t dense_interval,
               std::shared_ptr<const Vocabulary> vocabulary)
      : timeline_(Timeline::Mode::kLowMemory, source),
        interval_(std::max<uint64_t>(1, sparse_interval)),
        dense_interval_(std::max<uint64_t>(1, std::min(sparse_interval, dense_interval))),
        vocabulary_(std::move(vocabulary)) {}

  Timeline* timeline() { return &timeline_; }
  const std::shared_ptr<const Vocabulary>& vocabulary() const { return vocabulary_; }

  // Applies an event that sorted after every visible one; returns the changes it made.
  std::vector<Change> ApplyLast(const Event& e) {
    projection_->Apply(e);
    Folded(KeyOf(e), snapshots_.end());
    Thin();
    std::vector<Change> changes = projection_->fold().LastChanges();
    SortByPath(&changes);
    return changes;
  }

  // Re-folds from the last snapshot before the timeline's changed_from(), until the fold
  // meets an earlier one past changed_until() or reaches the end; returns the changes
  // against the state before.
  Result<std::vector<Change>> Refold() {
    const TimelineKey from = timeline_.changed_from();
    const TimelineKey until = timeline_.changed_until();
    // Snapshots at or after `from` folded the old order: each is compared with the new
    // fold at its position (past `until`), or replaced.  Those before `from` stand.
    auto old = snapshots_.lower_bound(from);
    auto previous = std::move(projection_);
    const uint64_t previous_since = since_snapshot_;
    std::optional<TimelineKey> after;
    if (old == snapshots_.begin()) {
      projection_ = std::make_unique<StateProjection>(vocabulary_);
    } else {
      auto base = std::prev(old);
      projection_ = std::make_unique<StateProjection>(base->second.fold);
      after = base->first;
    }
    // The events re-folded report no changes of their own: no tracking until the end.
    projection_->fold().set_track_changes(false);
    since_snapshot_ = 0;
    if (previous != nullptr && !dense_) {
      dense_ = true;
      interval_ = dense_interval_;
    }
    bool converged = false;
    auto apply = [&](const Event& view, bool) {
      projection_->Apply(view);
      const TimelineKey key = KeyOf(view);
      // Snapshots of positions that are gone (retracted, moved) go.
      while (old != snapshots_.end() && old->first < key) old = Erase(old);
      if (old != snapshots_.end() && old->first == key) {
        if (previous != nullptr && !(key < until) &&
            projection_->fold().SameState(old->second.fold)) {
          converged = true;
          return false;
        }
        old = Erase(old);
      }
      Folded(key, old);
      return true;
    };
    ANNALS_RETURN_IF_ERROR(after ? timeline_.ForEachAfter(*after, apply)
                                 : timeline_.ForEach(apply));
    if (converged) {
      // From `old` on, the old fold is the new one: its snapshots and its state stand.
      projection_ = std::move(previous);
      since_snapshot_ = previous_since;
      Thin();
      return std::vector<Change>();
    }
    while (old != snapshots_.end()) old = Erase(old);
    projection_->fold().set_track_changes(true);
    Thin();
    if (previous == nullptr) return std::vector<Change>();
    return DiffStates(previous->ToState(), projection_->ToState());
  }

 private:
  static constexpr size_t kMaxSnapshots = 4096;
  static constexpr size_t kSnapshotBudget = size_t{1} << 20;  // values, all snapshots
  struct Snapshot {
    StateFold fold;  // of the events at or before its key
    size_t values;   // fold.ApproxSize()
  };
  // By the position of the last event folded into each.
  using Snapshots = std::map<TimelineKey, Snapshot>;

  Snapshots::iterator Erase(Snapshots::iterator it) {
    snapshot_values_ -= it->second.values;
    return snapshots_.erase(it);
  }

  // Takes a snapshot at `key` (the event just folded) if the interval is up; `hint` is the
  // first snapshot after `key`.
  void Folded(const TimelineKey& key, Snapshots::iterator hint) {
    if (++since_snapshot_ < interval_) return;
    since_snapshot_ = 0;
    const size_t values = projection_->fold().ApproxSize();
    snapshots_.emplace_hint(hint, key, Snapshot{projection_->fold(), values});
    snapshot_values_ += values;
  }

  // Past the bounds, every other snapshot goes and the interval doubles.
  void Thin() {
    if (snapshots_.size() <= kMaxSnapshots && snapshot_values_ <= kSnapshotBudget) return;
    bool drop = true;
    for (auto it = snapshots_.begin(); it != snapshots_.end(); drop = !drop) {
      it = drop ? Erase(it) : std::next(it);
    }
    if (interval_ <= UINT64_MAX / 2) interval_ *= 2;
  }

  Timeline timeline_;
  std::unique_ptr<StateProjection> projection_;  // null before the first fold
  Snapshots snapshots_;
  size_t snapshot_values_ = 0;                   // sum of their `values`
  uint64_t interval_;
  const uint64_t dense_interval_;
  bool dense_ = false;  // once re-folded
  uint64_t since_snapshot_ = 0;
  std::shared_ptr<const Vocabulary> vocabulary_;
};

// Events folded between two replay snapshots once a stream has been re-folded (the
// sparse interval is the store's checkpoint interval; tests make that small to exercise
// re-folds).  A back-dated event re-folds about two intervals when its effect is
// overwritten soon after it; a snapshot costs a copy of the state.  TODO(perf): chosen
// on the benchmark's deal streams (docs/DECISIONS.md); not tuned per vocabulary.
constexpr uint64_t kDenseSnapshotInterval = 16;

}  // namespace

Status StoreImpl::Replay(const LogRange& range, const Visitor<ReplayEntry>& visit) {
  if (!range.stream.empty()) ANNALS_RETURN_IF_ERROR(GetStream(range.stream).status());
  ReplaySource source(this);
  std::unordered_map<std::string, std::unique_ptr<ReplayCursor>> cursors;

  Status error;
  bool stopped = false;
  const std::shared_ptr<const Registry> types = registry();
  // Each stream's binding to a vocabulary (read once: a binding never changes).
  std::unordered_map<std::string, std::optional<std::pair<uint64_t, std::string>>> bindings;
  auto step = [&](const Event& e) -> Status {
    const std::string stream(e.stream());
    auto& slot = cursors[stream];
    // The state is the latest knowledge at the event's own seq: its stream's vocabulary
    // as registered by then.  A stream whose vocabulary changed (bound, or a new version
    // registered) since the last event is replayed again up to just before this one.
    auto bound = bindings.find(stream);
    if (bound == bindings.end()) {
      auto b = BindingOf(stream);
      if (!b.ok()) return b.status();
      bound = bindings.emplace(stream, std::move(b).value()).first;
    }
    std::shared_ptr<const Vocabulary> v;
    if (bound->second && bound->second->first <= e.seq()) {
      const VocabularyVersion* version = types->At(bound->second->second, e.seq());
      if (version == nullptr) {
        return Status::Corruption("stream '" + stream + "' belongs to the vocabulary '" +
                                  bound->second->second + "', which this store does not have");
      }
      v = version->vocabulary;
    }
    if (!slot || slot->vocabulary() != v) {
      // Start from its state just before this event.
      slot = std::make_unique<ReplayCursor>(&source, checkpoint_interval_,
                                            kDenseSnapshotInterval, v);
      Status inner;
      ANNALS_RETURN_IF_ERROR(ReadStream(e.stream(), e.seq() - 1, [&](const Event& earlier) {
        auto r = slot->timeline()->Add(earlier);
        if (!r.ok()) inner = r.status();
        return r.ok();
      }));
      ANNALS_RETURN_IF_ERROR(inner);
      ANNALS_RETURN_IF_ERROR(slot->Refold().status());
    }
    source.Remember(e);
    ReplayCursor* c = slot.get();
    ReplayEntry entry;
    entry.event = e;
    auto effect = c->timeline()->Add(e);
    if (!effect.ok()) return effect.status();
    switch (*effect) {
      case Timeline::Effect::kNone:
        break;
      case Timeline::Effect::kAppendedLast:
        entry.changes = c->ApplyLast(e);
        break;
      case Timeline::Effect::kReordered: {
        auto changes = c->Refold();
        if (!changes.ok()) return changes.status();
        entry.changes = std::move(changes).value();
        break;
      }
    }
    if (!visit(entry)) stopped = true;
    return Status::OK();
  };
  Status s = ScanLog(range, [&](const Event& e) {
    error = step(e);
    return error.ok() && !stopped;
  });
  ANNALS_RETURN_IF_ERROR(s);
  return error;
}

}  // namespace internal
}  // namespace annals
