// Copyright annals authors.
//
// Append: validation of events, their place in the log and the indexes, the hash chain,
// and group commit (StoreImpl::Append).  The key layouts are in store_impl.cc.

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "log/chain.h"
#include "log/format.h"
#include "log/pending.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

namespace {

// A UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, version 7, 74 random bits (rand_a, 12
// bits, and rand_b, 62).  The random bits come from `rng`, a generator seeded once per
// store from the OS CSPRNG: ids need to be unique, not secret, and RAND_bytes() per id was
// a sixth of an append's CPU.  Within one millisecond ids increase (RFC 9562 §6.2, method
// 2): the first takes fresh random bits, each next one adds a random increment in
// [1, 2^32] to the previous one's 74 bits.  Increasing ids go to the end of the id index's
// memtable instead of to random places in it, which costs RocksDB less per append; in the
// improbable case that the 74 bits would overflow, fresh random bits are taken.
std::string NewUuidV7(int64_t now_micros, UuidV7Generator* gen) {
  std::mt19937_64* rng = &gen->rng;
  const int64_t ms = now_micros / 1000;
  constexpr uint64_t kRandBMask = (1ull << 62) - 1;
  bool fresh = ms != gen->ms;
  if (!fresh) {
    const uint64_t b = gen->rand_b + 1 + ((*rng)() >> 32);
    gen->rand_b = b & kRandBMask;
    gen->rand_a += b >> 62;  // the carry
    fresh = gen->rand_a > 0xfff;
  }
  if (fresh) {
    gen->ms = ms;
    gen->rand_a = (*rng)() & 0xfff;
    gen->rand_b = (*rng)() & kRandBMask;
  }
  unsigned char b[16];
  for (int i = 0; i < 6; ++i) {
    b[i] = static_cast<unsigned char>(static_cast<uint64_t>(ms) >> (8 * (5 - i)));
  }
  b[6] = static_cast<unsigned char>(0x70 | (gen->rand_a >> 8));
  b[7] = static_cast<unsigned char>(gen->rand_a);
  b[8] = static_cast<unsigned char>(0x80 | (gen->rand_b >> 56));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<unsigned char>(gen->rand_b >> (8 * (15 - i)));
  // 8-4-4-4-12 hex digits, written in place (this runs once per appended event).
  std::string out(36, '-');
  HexInto(b, 4, &out[0]);
  HexInto(b + 4, 2, &out[9]);
  HexInto(b + 6, 2, &out[14]);
  HexInto(b + 8, 2, &out[19]);
  HexInto(b + 10, 6, &out[24]);
  return out;
}

bool SameWords(const kj::Array<capnp::word>& a, const kj::Array<capnp::word>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.begin(), b.begin(), a.size() * sizeof(capnp::word)) == 0;
}

}  // namespace

// One caller of Append waiting in the group-commit queue.
struct StoreImpl::Writer {
  std::vector<NewEvent>* events;
  const AppendOptions* options;
  std::optional<Result<std::vector<AppendResult>>> result;
  bool done = false;
  std::condition_variable cv;
};

Status StoreImpl::CheckWritable() const {
  if (!read_only_) return Status::OK();
  return Status::Unavailable("store '" + path_ + "' is open read-only; it cannot be written");
}

Result<std::vector<AppendResult>> StoreImpl::Append(std::vector<NewEvent> events,
                                                    const AppendOptions& options) {
  ANNALS_RETURN_IF_ERROR(CheckWritable());
  auto result = GroupCommit(&events, options);
  return result;
}

// Group commit, as leveldb's DBImpl::Write: appenders queue up; the one at the front (the
// leader) validates and assembles its own append and those queued behind it into one
// WriteBatch, writes it with one fsync and wakes the others.  Each append stays atomic on
// its own: one that fails validation is rolled out of the batch (a savepoint) and only its
// caller gets the error.  While a leader writes, new appenders queue up for the next group,
// so under concurrency fsyncs are shared instead of serialised.
Result<std::vector<AppendResult>> StoreImpl::GroupCommit(std::vector<NewEvent>* events,
                                                         const AppendOptions& options) {
  Writer self{events, &options, std::nullopt, false, {}};
  std::unique_lock<std::mutex> queue_lock(queue_mu_);
  writers_.push_back(&self);
  while (!self.done && &self != writers_.front()) self.cv.wait(queue_lock);
  if (!self.done) LeadGroupLocked(&queue_lock);
  return std::move(*self.result);
}

void StoreImpl::AppendGroup(std::vector<GroupAppend>* appends) {
  Status writable = CheckWritable();
  const size_t n = appends->size();
  if (!writable.ok() || n == 0) {
    for (auto& a : *appends) a.result = writable;
    return;
  }
  // All queued at once: they join the next group together (one caller, one thread, as many
  // groups as kMaxGroupEvents makes of them).
  std::unique_ptr<Writer[]> writers(new Writer[n]);
  std::unique_lock<std::mutex> queue_lock(queue_mu_);
  for (size_t i = 0; i < n; ++i) {
    writers[i].events = &(*appends)[i].events;
    writers[i].options = &(*appends)[i].options;
    writers_.push_back(&writers[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    Writer& w = writers[i];
    while (!w.done && &w != writers_.front()) w.cv.wait(queue_lock);
    if (!w.done) LeadGroupLocked(&queue_lock);
  }
  queue_lock.unlock();
  for (size_t i = 0; i < n; ++i) (*appends)[i].result = std::move(*writers[i].result);
}

// The leader (the writer at the front of the queue).  A group stops growing at
// kMaxGroupEvents events, so that small appends queued behind a big one are not delayed by
// a huge batch (the leader's own append is always taken whole).
void StoreImpl::LeadGroupLocked(std::unique_lock<std::mutex>* queue_lock) {
  constexpr size_t kMaxGroupEvents = 4096;
  std::vector<Writer*> group;
  size_t group_events = 0;
  for (Writer* w : writers_) {
    if (!group.empty() && group_events + w->events->size() > kMaxGroupEvents) break;
    group.push_back(w);
    group_events += w->events->size();
  }
  queue_lock->unlock();
  {
    std::lock_guard<std::mutex> write_lock(write_mu_);
    CommitGroupLocked(group, group_events);
  }
  queue_lock->lock();
  for (Writer* w : group) {
    writers_.pop_front();
    w->done = true;
    w->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
}

void StoreImpl::CommitGroupLocked(const std::vector<Writer*>& group, size_t events) {
  // About what an event takes in the batch: its log value (~0.5-1 KiB for typical events)
  // and four or five index entries.  Only an estimate: a batch outgrowing it still grows.
  constexpr size_t kReserveBytesPerEvent = 1024;
  Pending p(events * kReserveBytesPerEvent);
  std::vector<Writer*> written;
  AssembleGroupLocked(group, &p, &written);
  if (written.empty()) return;  // every append failed or was an idempotent repeat
  Status s = WriteLocked(&p);
  if (!s.ok()) {
    for (Writer* w : written) w->result = s;
  }
}

void StoreImpl::AssembleGroupLocked(const std::vector<Writer*>& group, Pending* pending,
                                    std::vector<Writer*>* written) {
  Pending& p = *pending;
  p.seq = last_seq_;
  p.prev = last_hash_;
  p.recorded_at = last_recorded_at_;
  for (Writer* w : group) {
    // Undo information: everything AssembleLocked changes in `p` besides the batch.
    const uint64_t seq = p.seq;
    const Hash prev = p.prev;
    const int64_t recorded_at = p.recorded_at;
    auto streams = p.streams;
    auto touched = p.touched;
    auto bindings = p.bindings;
    std::vector<std::string> ids;
    std::vector<uint64_t> retracted;
    p.batch.SetSavePoint();
    std::vector<AppendResult> results;
    Status s = AssembleLocked(w->events, *w->options, &p, &results, &ids, &retracted);
    if (!s.ok()) {
      (void)p.batch.RollbackToSavePoint();
      p.seq = seq;
      p.prev = prev;
      p.recorded_at = recorded_at;
      p.streams = std::move(streams);
      p.touched = std::move(touched);
      p.bindings = std::move(bindings);
      for (const auto& id : ids) p.batch_ids.erase(id);
      for (uint64_t r : retracted) p.retracted.erase(r);
      w->result = std::move(s);
      continue;
    }
    (void)p.batch.PopSavePoint();
    w->result = std::move(results);
    if (p.seq != seq) written->push_back(w);
  }
}

void StoreImpl::ApplyReplicated(std::vector<GroupAppend>* appends, const Replicated& replicated,
                                Status* written) {
  *written = CheckWritable();
  if (!written->ok()) return;
  const size_t n = appends->size();
  std::unique_ptr<Writer[]> writers(new Writer[n]);
  std::vector<Writer*> group;
  size_t events = 0;
  for (size_t i = 0; i < n; ++i) {
    writers[i].events = &(*appends)[i].events;
    writers[i].options = &(*appends)[i].options;
    group.push_back(&writers[i]);
    events += (*appends)[i].events.size();
  }
  std::lock_guard<std::mutex> write_lock(write_mu_);
  Pending p(events * 1024);
  p.replicated = &replicated;
  std::vector<Writer*> changed;
  AssembleGroupLocked(group, &p, &changed);
  for (size_t i = 0; i < n; ++i) (*appends)[i].result = std::move(*writers[i].result);
  if (replicated.also) replicated.also(&p.batch);
  // Written even when no append changed the log: the batch holds the caller's records.
  *written = WriteLocked(&p);
}

Status StoreImpl::SyncLog() { return FromRocks(db_->SyncWAL(), "sync the write-ahead log"); }

Status StoreImpl::WriteLocked(Pending* p) {
  for (const auto& [name, state] : p->streams) {
    if (state.second > last_seq_) {
      p->batch.Put(cfs_[kMeta], StreamMetaKey(name), StreamMetaValue(state.first, state.second));
    }
  }
  ANNALS_RETURN_IF_ERROR(InvalidateCheckpointsLocked(p->touched, &p->batch));
  p->batch.Put(cfs_[kMeta], kHeadKey, HeadValue(p->seq, p->prev, p->recorded_at));
  rocksdb::WriteOptions wo;
  // A cluster's applier syncs once per fetched batch of messages (SyncLog).
  wo.sync = options_.sync && p->replicated == nullptr;
  ANNALS_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &p->batch), "append failed"));
  last_hash_ = p->prev;
  last_recorded_at_ = p->recorded_at;
  PublishHead(p->seq);
  return Status::OK();
}

Status StoreImpl::AssembleLocked(std::vector<NewEvent>* events_in, const AppendOptions& options,
                                 Pending* p, std::vector<AppendResult>* results_out,
                                 std::vector<std::string>* added_ids,
                                 std::vector<uint64_t>* added_retracted) {
  std::vector<NewEvent>& events = *events_in;
  // A replicated append takes its log message's timestamp as the clock, so that every
  // node assigns the same recorded_at.
  const int64_t clock = p->replicated ? p->replicated->clock_micros : NowMicros();
  const int64_t recorded_at =
      p->fixed_recorded_at ? p->fixed_recorded_at : std::max(clock, p->recorded_at + 1);
  const std::string recorded_at_text = FormatInstant(recorded_at);

  std::vector<AppendResult>& results = *results_out;
  results.assign(events.size(), AppendResult());
  auto& streams = p->streams;
  auto& batch_ids = p->batch_ids;
  auto& batch = p->batch;
  auto stream_state = [&](const std::string& name) -> Result<std::pair<uint64_t, uint64_t>*> {
    auto it = streams.find(name);
    if (it != streams.end()) return &it->second;
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], StreamMetaKey(name), &v);
    std::pair<uint64_t, uint64_t> state{0, 0};
    if (s.ok() && v.size() == 16) {
      state = {GetU64(v.data()), GetU64(v.data() + 8)};
    } else if (!s.IsNotFound()) {
      ANNALS_RETURN_IF_ERROR(FromRocks(s, "read stream"));
      return Status::Corruption("stream record of '" + name + "' is malformed");
    }
    return &streams.emplace(name, state).first->second;
  };
  // Looks an id up in this batch, then in the store.
  auto lookup = [&](const std::string& id) -> Result<std::optional<KnownEvent>> {
    auto it = batch_ids.find(id);
    if (it != batch_ids.end()) return std::optional<KnownEvent>(it->second);
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kId], id, &v);
    if (s.IsNotFound()) return std::optional<KnownEvent>();
    ANNALS_RETURN_IF_ERROR(FromRocks(s, "read id index"));
    if (v.size() != 8) return Status::Corruption("id index entry of '" + id + "' is malformed");
    auto rep = ReadEvent(GetU64(v.data()));
    if (!rep.ok()) return rep.status();
    auto r = (*rep)->reader();
    return std::optional<KnownEvent>(KnownEvent{r.getSeq(), r.getVersion(),
                                                std::string(View(r.getStream())), *rep});
  };
  auto is_retracted = [&](uint64_t target_seq) -> Result<std::optional<uint64_t>> {
    if (p->retracted.count(target_seq)) return std::optional<uint64_t>(0);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kActs]));
    std::string prefix = SeqKey(target_seq);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->value() == rocksdb::Slice("r")) {
        return std::optional<uint64_t>(GetU64(it->key().data() + 8));
      }
    }
    ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read acts index"));
    return std::optional<uint64_t>();
  };
  auto touch = [&](const std::string& stream, CheckpointKey key) {
    auto it = p->touched.find(stream);
    if (it == p->touched.end()) {
      p->touched.emplace(stream, key);
    } else if (key < it->second) {
      it->second = key;
    }
  };

  // How error messages name event j of this append: its label, else "event N" if the
  // append has several.
  auto label_of = [&](size_t j) -> std::string {
    return j < options.labels.size() ? options.labels[j]
           : events.size() > 1       ? "event " + std::to_string(j + 1)
                                     : "";
  };

  // Resolve ids, validate, assign positions.  Nothing reaches the store before the whole
  // group is assembled.
  uint64_t seq = p->seq;
  Hash prev = p->prev;
  std::vector<size_t> fresh;  // indexes of events that will be written
  for (size_t i = 0; i < events.size(); ++i) {
    EventRep& rep = events[i].rep();
    auto event = rep.builder();
    // The prefix of this event's error messages, built only when there is an error.
    auto where = [&]() -> std::string {
      const std::string label = label_of(i);
      return label.empty() ? label : label + ": ";
    };
    const std::string stream(View(event.getStream()));
    if (!event.hasId()) {
      // Ids are chosen where an append enters a cluster: a generator here would differ
      // from node to node.
      if (p->replicated) return Status::InvalidArgument(where() + "a replicated event needs an id");
      event.setId(NewUuidV7(recorded_at, &ids_));
    }
    const std::string id(View(event.getId()));

    auto known = lookup(id);
    if (!known.ok()) return known.status();
    if (known->has_value()) {
      const KnownEvent& k = **known;
      if (!SameWords(k.get().CanonicalContent(), rep.CanonicalContent())) {
        // An earlier event of this append or import is named as the caller named it: its
        // seq is not committed (and never will be, as this append fails).
        std::string earlier = k.append == &options ? label_of(k.index)
                              : k.seq > last_seq_  ? p->import_labels.Find(k.seq)
                                                   : "";
        if (earlier.empty()) earlier = "seq " + std::to_string(k.seq);
        return Status::Conflict(where() + "id '" + id + "' is already used by " + earlier +
                                " with different content");
      }
      results[i] = AppendResult{k.seq, k.version, id, true};
      continue;
    }

    const EventKind kind = rep.kind();
    if (kind == EventKind::kVocabulary && !p->registering) {
      return Status::InvalidArgument(where() + "events of type 'vocabulary' register "
                                     "vocabularies: use 'annals vocab add'");
    }
    IndexPlace place;
    if (IsMetaKind(kind)) {
      const std::string target_id(TargetOf(event.asReader()));
      auto t = lookup(target_id);
      if (!t.ok()) return t.status();
      if (!t->has_value() || (*t)->stream != stream) {
        return Status::NotFound(where() + "event '" + target_id + "' not found in stream '" +
                                stream + "'");
      }
      const KnownEvent& target = **t;
      if (IsMetaKind(target.get().kind())) {
        return Status::InvalidArgument(where() + "event '" + target_id + "' is a " +
                                       std::string(target.get().type_name()) +
                                       "; only domain events can be corrected or retracted");
      }
      place.target_seq = target.seq;
      if (kind == EventKind::kRetraction) {
        auto r = is_retracted(target.seq);
        if (!r.ok()) return r.status();
        if (r->has_value()) {
          return Status::InvalidArgument(where() + "event '" + target_id +
                                         "' is already retracted");
        }
        p->retracted.insert(target.seq);
        added_retracted->push_back(target.seq);
      } else {
        auto corrected = ApplyCorrection(target.get(), event.getCorrection().asReader());
        if (!corrected.ok()) return corrected.status().WithPrefix(where() + "correction of '" +
                                                                  target_id + "'");
        place.moved_to = MovedTo(rep);
      }
      // The fold changes from the target's earliest position on: its original one, any
      // position an earlier correction moved it to, and the new one.
      auto from = EarliestPositionLocked(target.seq, target.get().effective().earliest);
      if (!from.ok()) return from.status();
      touch(stream, *from);
      if (place.moved_to) touch(stream, CheckpointKey{*place.moved_to, target.seq});
    } else if (HasValidTimePosition(kind)) {
      touch(stream, CheckpointKey{rep.effective().earliest, seq + 1});
    }
    if (kind == EventKind::kDomain) {
      // A stream belongs to the vocabulary of its first domain event (SPEC §7).
      const std::string& vocabulary = rep.type().vocabulary;
      auto bound = p->bindings.find(stream);
      std::optional<std::string> owner;
      if (bound != p->bindings.end()) {
        owner = bound->second;
      } else {
        auto stored = BindingOf(stream);
        if (!stored.ok()) return stored.status();
        if (*stored) owner = (*stored)->second;
      }
      if (!owner) {
        p->bindings.emplace(stream, vocabulary);
        batch.Put(cfs_[kMeta], BindingKey(stream), BindingValue(seq + 1, vocabulary));
        // Checkpoints taken while the stream had no vocabulary hold no longer.
        touch(stream, CheckpointKey{INT64_MIN, 0});
      } else if (*owner != vocabulary) {
        return Status::InvalidArgument(where() + "stream '" + stream + "' belongs to the "
                                       "vocabulary '" + *owner + "'; '" +
                                       std::string(rep.type_name()) + "' is a type of '" +
                                       vocabulary + "'");
      }
    }

    auto st = stream_state(stream);
    if (!st.ok()) return st.status();
    auto& [version, stream_last_seq] = **st;
    ++seq;
    ++version;
    stream_last_seq = seq;
    event.setSeq(seq);
    event.setVersion(version);
    event.setRecordedAt(recorded_at_text);
    SetHex(prev, [&](unsigned n) { return event.initPrevHash(n); });
    const auto without_hash = rep.CanonicalWithoutHash();
    prev = ChainHash(prev, without_hash);
    SetHex(prev, [&](unsigned n) { return event.initHash(n); });
    rep.AssignedByStore(recorded_at);

    // The stored bytes, derived from the hash-less encoding rather than canonicalizing the
    // event a second time (EventRep::CanonicalFromWithoutHash; identical bytes).
    auto bytes = rep.CanonicalFromWithoutHash(without_hash);
    if (bytes.size() * sizeof(capnp::word) > kMaxEventBytes) {
      return Status::InvalidArgument(where() + "event is over the 1 MiB limit when encoded");
    }
    batch.Put(cfs_[kLog], SeqKey(seq), WordsSlice(bytes));
    place.seq = seq;
    place.version = version;
    ForEachIndexEntry(rep, place, [&](CfIndex cf, const std::string& key,
                                      const std::string& value) {
      batch.Put(cfs_[cf], key, value);
    });
    batch_ids.emplace(id, KnownEvent{seq, version, stream, nullptr, &rep, &options, i});
    added_ids->push_back(id);
    results[i] = AppendResult{seq, version, id, false};
    fresh.push_back(i);
  }

  // Optimistic concurrency, checked against the versions before this append.  A stream
  // to which this append adds nothing (every event an idempotent repeat) is not checked,
  // so a retried append succeeds.
  for (const auto& [name, expected] : options.expected_versions) {
    auto st = stream_state(name);
    if (!st.ok()) return st.status();
    uint64_t added = 0;
    for (size_t i : fresh) added += (events[i].stream() == name);
    if (added == 0) continue;
    uint64_t before = (*st)->first - added;
    if (before != expected) {
      return Status::Conflict("stream '" + name + "' is at version " + std::to_string(before) +
                              ", expected " + std::to_string(expected));
    }
  }
  if (fresh.empty()) return Status::OK();  // all idempotent repeats: nothing to write
  p->seq = seq;
  p->prev = prev;
  p->recorded_at = recorded_at;
  return Status::OK();
}

}  // namespace internal
}  // namespace annals
