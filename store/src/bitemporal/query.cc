// Copyright annals authors.
//
// The bitemporal queries of StoreImpl (annals/query.h): state, history, diff and the audit
// replay, on top of the projection engine (projection.h).
//
// state and diff fold from the nearest checkpoint (checkpoint.cc), so their cost does not
// grow with the stream; history reads the whole stream up to the known_at seq into an
// in-memory Timeline (it prints every event anyway).
//
// Replay keeps, per stream, a low-memory Timeline, the folded latest-knowledge state, and
// snapshots of that fold at valid-time positions (ReplayCursor below).  An event that
// sorts after every visible event of its stream (the common, in-order case) is applied to
// the state and only the parts of the state it can touch are compared, so a replay of an
// in-order stream is linear.  A back-dated event, a correction or a retraction changes the
// fold from some position on: the replay resumes from the last snapshot before that
// position and compares the whole state.  Its cost grows with how far back the change
// reaches, not with the stream.  Events are read back from a window of the most recently
// scanned ones when they are still in it.

#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bitemporal/projection.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

namespace {

// The events a replay has scanned, by seq, for re-folds to read back: the last
// kCapacity of them (a ring indexed by seq, since the scan is in seq order), then the store.
class ReplaySource final : public EventSource {
 public:
  explicit ReplaySource(StoreImpl* store) : store_(store), ring_(kCapacity) {}

  void Remember(const Event& e) {
    ring_[e.seq() % kCapacity] = e;
    newest_ = e.seq();
  }

  Result<Event> BySeq(uint64_t seq) override {
    if (seq <= newest_ && newest_ - seq < kCapacity) {
      const std::optional<Event>& slot = ring_[seq % kCapacity];
      if (slot && slot->seq() == seq) return *slot;
    }
    return store_->GetBySeq(seq);
  }
  Result<Event> ById(std::string_view id) override { return store_->GetById(id); }

 private:
  static constexpr uint64_t kCapacity = 1 << 14;
  StoreImpl* store_;
  std::vector<std::optional<Event>> ring_;
  uint64_t newest_ = 0;
};

// One stream's replay: its timeline, the fold of it (latest knowledge), and snapshots of
// that fold.  A snapshot is taken every `interval` events folded; when there are more than
// kMaxSnapshots, every other one of the older half goes, so they are dense near the end of
// the stream (where back-dated events usually land) and memory stays bounded by a fixed
// number of states.
class ReplayCursor {
 public:
  ReplayCursor(EventSource* source, uint64_t interval,
               std::shared_ptr<const Vocabulary> vocabulary)
      : timeline_(Timeline::Mode::kLowMemory, source),
        interval_(interval),
        vocabulary_(std::move(vocabulary)) {}

  Timeline* timeline() { return &timeline_; }
  const std::shared_ptr<const Vocabulary>& vocabulary() const { return vocabulary_; }

  // Applies an event that sorted after every visible one; returns the changes it made.
  std::vector<Change> ApplyLast(const Event& e) {
    projection_->Apply(e);
    Folded(KeyOf(e));
    std::vector<Change> changes = projection_->fold().LastChanges();
    SortByPath(&changes);
    return changes;
  }

  // Re-folds from the last snapshot before the timeline's changed_from(); returns the
  // changes against the state before.
  Result<std::vector<Change>> Refold() {
    const TimelineKey from = timeline_.changed_from();
    while (!snapshots_.empty() && !(snapshots_.back().last < from)) snapshots_.pop_back();
    auto previous = std::move(projection_);
    std::optional<TimelineKey> after;
    if (snapshots_.empty()) {
      projection_ = std::make_unique<StateProjection>(vocabulary_);
    } else {
      projection_ = std::make_unique<StateProjection>(snapshots_.back().fold);
      after = snapshots_.back().last;
    }
    projection_->fold().set_track_changes(true);
    since_snapshot_ = 0;
    auto apply = [&](const Event& view, bool) {
      projection_->Apply(view);
      Folded(KeyOf(view));
      return true;
    };
    ANNALS_RETURN_IF_ERROR(after ? timeline_.ForEachAfter(*after, apply)
                                 : timeline_.ForEach(apply));
    if (previous == nullptr) return std::vector<Change>();
    return DiffStates(previous->ToState(), projection_->ToState());
  }

 private:
  static constexpr size_t kMaxSnapshots = 32;
  struct Snapshot {
    TimelineKey last;  // the position of the last event folded into it
    StateFold fold;
  };

  void Folded(const TimelineKey& key) {
    if (++since_snapshot_ < interval_) return;
    since_snapshot_ = 0;
    snapshots_.push_back(Snapshot{key, projection_->fold()});
    if (snapshots_.size() <= kMaxSnapshots) return;
    std::vector<Snapshot> kept;
    kept.reserve(kMaxSnapshots);
    const size_t older = snapshots_.size() / 2;
    for (size_t i = 0; i < snapshots_.size(); ++i) {
      if (i >= older || i % 2 == 1) kept.push_back(std::move(snapshots_[i]));
    }
    snapshots_.swap(kept);
  }

  Timeline timeline_;
  std::unique_ptr<StateProjection> projection_;  // null before the first fold
  std::vector<Snapshot> snapshots_;              // ascending by `last`
  uint64_t interval_;
  uint64_t since_snapshot_ = 0;
  std::shared_ptr<const Vocabulary> vocabulary_;
};

// The last instant of `text`, or unbounded when it is empty.
Result<int64_t> ParseValidTime(const std::string& text, const char* what) {
  if (text.empty()) return kUnboundedValidTime;
  auto d = ParseFuzzyDate(text);
  if (!d.ok()) return d.status().WithPrefix(what);
  return d->latest;
}

}  // namespace

// The seq `known_at` resolves to; a malformed one is named as the known-at.
static Result<uint64_t> KnownSeq(StoreImpl* store, const std::string& known_at) {
  auto max_seq = store->ResolveKnownAt(known_at);
  if (!max_seq.ok() && max_seq.status().IsInvalidArgument()) {
    return max_seq.status().WithPrefix("known-at");
  }
  return max_seq;
}

// The NotFound of a stream with no event by `known_at`.
static Status NoStream(const std::string& stream, const std::string& known_at) {
  if (known_at.empty()) return Status::NotFound("no stream '" + stream + "'");
  return Status::NotFound("no stream '" + stream + "' at known-at " + known_at);
}

// Reads `stream` up to `max_seq` into `timeline`.  NotFound if the stream has no event by
// then (worded by the caller).
static Status LoadTimeline(StoreImpl* store, const std::string& stream, uint64_t max_seq,
                           Timeline* timeline) {
  Status error;
  Status s = store->ReadStream(stream, max_seq, [&](const Event& e) {
    auto effect = timeline->Add(e);
    if (!effect.ok()) {
      error = effect.status();
      return false;
    }
    return true;
  });
  ANNALS_RETURN_IF_ERROR(s);
  ANNALS_RETURN_IF_ERROR(error);
  if (timeline->raw_events() == 0) return Status::NotFound("no stream '" + stream + "'");
  return Status::OK();
}

static Result<State> FoldState(Timeline* timeline, int64_t as_of,
                               const VocabularyVersion* vocabulary) {
  StateProjection projection(vocabulary ? vocabulary->vocabulary : nullptr);
  auto stats = Fold(timeline, as_of, {&projection});
  if (!stats.ok()) return stats.status();
  State state = projection.ToState();
  if (vocabulary) state.vocabulary_version = vocabulary->version;
  state.events_applied = stats->applied;
  state.tentative = std::move(stats->tentative);
  return state;
}

Result<State> StoreImpl::FoldStateNaive(const std::string& stream, int64_t as_of,
                                        uint64_t known_seq) {
  Timeline timeline(Timeline::Mode::kInMemory, nullptr);
  ANNALS_RETURN_IF_ERROR(LoadTimeline(this, stream, known_seq, &timeline));
  auto vocabulary = VocabularyOf(stream, known_seq);
  if (!vocabulary.ok()) return vocabulary.status();
  return FoldState(&timeline, as_of, *vocabulary ? &**vocabulary : nullptr);
}

// The state of `stream` at (as_of, max_seq), with NotFound worded for `known_at`.
static Result<State> StateAt(StoreImpl* store, bool use_checkpoints, const std::string& stream,
                             int64_t as_of, uint64_t max_seq, const std::string& known_at) {
  auto state = use_checkpoints ? store->FoldStateWithCheckpoints(stream, as_of, max_seq)
                               : store->FoldStateNaive(stream, as_of, max_seq);
  if (!state.ok() && state.status().IsNotFound()) return NoStream(stream, known_at);
  return state;
}

Result<State> StoreImpl::GetState(const TimeQuery& query) {
  auto as_of = ParseValidTime(query.as_of, "as-of");
  if (!as_of.ok()) return as_of.status();
  auto max_seq = KnownSeq(this, query.known_at);
  if (!max_seq.ok()) return max_seq.status();
  auto state = StateAt(this, use_checkpoints_, query.stream, *as_of, *max_seq, query.known_at);
  if (!state.ok()) return state.status();
  state->stream = query.stream;
  state->as_of = query.as_of;
  state->known_at = query.known_at;
  return state;
}

Status StoreImpl::History(const TimeQuery& query, const Visitor<HistoryEntry>& visit) {
  auto as_of = ParseValidTime(query.as_of, "as-of");
  if (!as_of.ok()) return as_of.status();
  auto max_seq = KnownSeq(this, query.known_at);
  if (!max_seq.ok()) return max_seq.status();
  Timeline timeline(Timeline::Mode::kInMemory, nullptr);
  Status loaded = LoadTimeline(this, query.stream, *max_seq, &timeline);
  if (loaded.IsNotFound() && timeline.raw_events() == 0) {
    return NoStream(query.stream, query.known_at);
  }
  ANNALS_RETURN_IF_ERROR(loaded);
  return timeline.ForEach([&](const Event& view, bool corrected) {
    if (view.effective().earliest > *as_of) return false;
    HistoryEntry entry;
    entry.event = view;
    entry.corrected = corrected;
    entry.tentative = view.effective().latest > *as_of;
    return visit(entry);
  });
}

Result<DiffResult> StoreImpl::Diff(const std::string& stream, const std::string& from,
                                   const std::string& to, const std::string& known_at) {
  auto from_v = ParseValidTime(from, "from");
  if (!from_v.ok()) return from_v.status();
  auto to_v = ParseValidTime(to, "to");
  if (!to_v.ok()) return to_v.status();
  // Both sides at the same knowledge, resolved once (an append may land in between).
  auto max_seq = KnownSeq(this, known_at);
  if (!max_seq.ok()) return max_seq.status();
  auto before = StateAt(this, use_checkpoints_, stream, *from_v, *max_seq, known_at);
  if (!before.ok()) return before.status();
  auto after = StateAt(this, use_checkpoints_, stream, *to_v, *max_seq, known_at);
  if (!after.ok()) return after.status();
  DiffResult result;
  result.stream = stream;
  result.from = from;
  result.to = to;
  result.known_at = known_at;
  result.changes = DiffStates(*before, *after);
  return result;
}

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
      slot = std::make_unique<ReplayCursor>(&source, checkpoint_interval_, v);
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
