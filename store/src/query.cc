// Copyright annals authors.
//
// The bitemporal queries of StoreImpl (annals/query.h): state, history, diff and the audit
// replay, on top of the projection engine (projection.h).
//
// state and diff fold from the nearest checkpoint (checkpoint.cc), so their cost does not
// grow with the stream; history reads the whole stream up to the known_at seq into an
// in-memory Timeline (it prints every event anyway).
//
// Replay keeps, per stream, a low-memory Timeline and the folded latest-knowledge state.
// An event that sorts after every visible event of its stream (the common, in-order case)
// is applied to that state and only the parts of the state it can touch are compared, so
// a replay of an in-order stream is linear.  A back-dated event, a correction or a
// retraction re-folds its stream from the timeline and compares the whole state.
// TODO(perf): that re-fold reads the whole stream back, so a stream where a fixed share
// of the events is back-dated replays in quadratic time (benchmarks/RESULTS.md).  Keeping
// in-memory snapshots of the fold every N positions and re-folding from the last one
// before the changed position would make it linear again.

#include <memory>
#include <unordered_map>
#include <utility>

#include "projection.h"
#include "store_impl.h"

namespace annals {
namespace internal {

namespace {

class StoreSource final : public EventSource {
 public:
  explicit StoreSource(StoreImpl* store) : store_(store) {}
  Result<Event> BySeq(uint64_t seq) override { return store_->GetBySeq(seq); }
  Result<Event> ById(std::string_view id) override { return store_->GetById(id); }

 private:
  StoreImpl* store_;
};

// The last instant of `text`, or unbounded when it is empty.
Result<int64_t> ParseValidTime(const std::string& text, const char* what) {
  if (text.empty()) return kUnboundedValidTime;
  auto d = ParseFuzzyDate(text);
  if (!d.ok()) return d.status().WithPrefix(what);
  return d->latest;
}

}  // namespace

// Reads `stream` up to the seq `known_at` resolves to into `timeline`.  NotFound if the
// stream has no event by then.
static Status LoadTimeline(StoreImpl* store, const std::string& stream,
                           const std::string& known_at, Timeline* timeline) {
  auto max_seq = store->ResolveKnownAt(known_at);
  if (!max_seq.ok()) {
    return max_seq.status().IsInvalidArgument() ? max_seq.status().WithPrefix("known-at")
                                                : max_seq.status();
  }
  Status error;
  Status s = store->ReadStream(stream, *max_seq, [&](const Event& e) {
    auto effect = timeline->Add(e);
    if (!effect.ok()) {
      error = effect.status();
      return false;
    }
    return true;
  });
  ANNALS_RETURN_IF_ERROR(s);
  ANNALS_RETURN_IF_ERROR(error);
  if (timeline->raw_events() == 0) {
    if (known_at.empty()) return Status::NotFound("no stream '" + stream + "'");
    return Status::NotFound("no stream '" + stream + "' at known-at " + known_at);
  }
  return Status::OK();
}

static Result<State> FoldState(Timeline* timeline, int64_t as_of) {
  StateProjection projection;
  auto stats = Fold(timeline, as_of, {&projection});
  if (!stats.ok()) return stats.status();
  State state = projection.state();
  state.events_applied = stats->applied;
  state.tentative = std::move(stats->tentative);
  return state;
}

Result<State> StoreImpl::FoldStateNaive(const std::string& stream, int64_t as_of,
                                        uint64_t known_seq) {
  Timeline timeline(Timeline::Mode::kInMemory, nullptr);
  ANNALS_RETURN_IF_ERROR(
      LoadTimeline(this, stream, "@" + std::to_string(known_seq), &timeline));
  return FoldState(&timeline, as_of);
}

// The state of `stream` at (as_of, known_at), with NotFound worded as LoadTimeline does.
static Result<State> StateAt(StoreImpl* store, bool use_checkpoints, const std::string& stream,
                             int64_t as_of, const std::string& known_at) {
  auto max_seq = store->ResolveKnownAt(known_at);
  if (!max_seq.ok()) {
    return max_seq.status().IsInvalidArgument() ? max_seq.status().WithPrefix("known-at")
                                                : max_seq.status();
  }
  auto state = use_checkpoints ? store->FoldStateWithCheckpoints(stream, as_of, *max_seq)
                               : store->FoldStateNaive(stream, as_of, *max_seq);
  if (!state.ok() && state.status().IsNotFound()) {
    if (known_at.empty()) return Status::NotFound("no stream '" + stream + "'");
    return Status::NotFound("no stream '" + stream + "' at known-at " + known_at);
  }
  return state;
}

Result<State> StoreImpl::GetState(const TimeQuery& query) {
  auto as_of = ParseValidTime(query.as_of, "as-of");
  if (!as_of.ok()) return as_of.status();
  auto state = StateAt(this, use_checkpoints_, query.stream, *as_of, query.known_at);
  if (!state.ok()) return state.status();
  state->stream = query.stream;
  state->as_of = query.as_of;
  state->known_at = query.known_at;
  return state;
}

Status StoreImpl::History(const TimeQuery& query, const Visitor<HistoryEntry>& visit) {
  auto as_of = ParseValidTime(query.as_of, "as-of");
  if (!as_of.ok()) return as_of.status();
  Timeline timeline(Timeline::Mode::kInMemory, nullptr);
  ANNALS_RETURN_IF_ERROR(LoadTimeline(this, query.stream, query.known_at, &timeline));
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
  auto before = StateAt(this, use_checkpoints_, stream, *from_v, known_at);
  if (!before.ok()) return before.status();
  auto after = StateAt(this, use_checkpoints_, stream, *to_v, known_at);
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
  StoreSource source(this);
  struct Cursor {
    explicit Cursor(EventSource* src) : timeline(Timeline::Mode::kLowMemory, src) {}
    Timeline timeline;
    std::unique_ptr<StateProjection> projection = std::make_unique<StateProjection>();
  };
  std::unordered_map<std::string, std::unique_ptr<Cursor>> cursors;

  auto refold = [](Cursor* c) -> Result<std::unique_ptr<StateProjection>> {
    auto fresh = std::make_unique<StateProjection>();
    auto stats = Fold(&c->timeline, kUnboundedValidTime, {fresh.get()});
    if (!stats.ok()) return stats.status();
    return fresh;
  };

  Status error;
  bool stopped = false;
  auto step = [&](const Event& e) -> Status {
    auto& slot = cursors[std::string(e.stream())];
    if (!slot) {
      // First event of this stream in the range: start from its state just before it.
      slot = std::make_unique<Cursor>(&source);
      Status inner;
      ANNALS_RETURN_IF_ERROR(ReadStream(e.stream(), e.seq() - 1, [&](const Event& earlier) {
        auto r = slot->timeline.Add(earlier);
        if (!r.ok()) inner = r.status();
        return r.ok();
      }));
      ANNALS_RETURN_IF_ERROR(inner);
      if (slot->timeline.raw_events() > 0) {
        auto fresh = refold(slot.get());
        if (!fresh.ok()) return fresh.status();
        slot->projection = std::move(fresh).value();
      }
    }
    Cursor* c = slot.get();
    ReplayEntry entry;
    entry.event = e;
    auto effect = c->timeline.Add(e);
    if (!effect.ok()) return effect.status();
    switch (*effect) {
      case Timeline::Effect::kNone:
        break;
      case Timeline::Effect::kAppendedLast: {
        const DiffScope scope = c->projection->ScopeOf(e);
        FlatState before, after;
        FlattenScope(c->projection->state(), scope, &before);
        c->projection->Apply(e);
        FlattenScope(c->projection->state(), scope, &after);
        entry.changes = DiffFlat(before, after);
        break;
      }
      case Timeline::Effect::kReordered: {
        auto fresh = refold(c);
        if (!fresh.ok()) return fresh.status();
        entry.changes = DiffStates(c->projection->state(), (*fresh)->state());
        c->projection = std::move(fresh).value();
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
