// Copyright annals authors.
//
// The bitemporal queries of StoreImpl (annals/query.h): state, history, diff and the audit
// replay, on top of the projection engine (projection.h).
//
// state and diff fold from the nearest checkpoint (checkpoint.cc), so their cost does not
// grow with the stream; history reads the whole stream up to the known_at seq into an
// in-memory Timeline (it prints every event anyway).  The audit replay is in replay.cc.

#include <string>
#include <utility>
#include <vector>

#include "bitemporal/projection.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

namespace {

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

}  // namespace internal
}  // namespace annals
