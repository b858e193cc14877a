// Copyright annals authors.
//
// Checkpoints: folded stream states stored in RocksDB, so that an as-of query folds only
// the events after the nearest checkpoint and its cost stays flat as a stream grows.
//
// FORMAT.  Column family `checkpoint` (the layout list at the top of store_impl.cc):
//
//     stream 0x00 u64 (earliest ^ 2^63) u64 seq  ->  Checkpoint (schema/checkpoint.capnp),
//                                                    a flat single-segment message
//
// The key is the valid-time position (earliest, seq) of the last event the checkpoint
// folded.  Its state is the fold of the stream's visible events at or before that position,
// as known at global seq `validFrom` (the stream's last seq when it was taken) and at every
// later seq, for as long as the checkpoint exists.
//
// INVARIANT.  A checkpoint at position P exists only while no event appended after its
// validFrom changes the fold at or before P.  Append keeps it: every append computes, per
// stream, the smallest position it touches (a new event's own position; for a correction
// or retraction, the smallest position its target has ever had and, for a correction that
// moves it, the new one) and deletes, in the same WriteBatch, the checkpoints at or after
// it (StoreImpl::InvalidateCheckpointsLocked).  Only those: checkpoints before a back-dated
// event stay.  Repair is lazy and incremental: the next query at the latest knowledge
// folds from the nearest surviving checkpoint and writes new ones as it goes.
//
// So a checkpoint is usable for a query (as_of V, known at seq N) iff P.earliest <= V and
// validFrom <= N.  A query with an older known_at than every checkpoint before V folds
// from the start: correct, just not accelerated.
//
// THE FOLD AFTER A CHECKPOINT reads only positions after P, merging two indexes that are
// both in (earliest, seq) order:
//   - `valid`: every domain event at its original position;
//   - `moved`: every correction that gives a new effective, at the position it moves its
//     target to.
// An event comes from `valid` iff no correction known at N moved it, and from `moved` only
// through the last correction known at N that moved it; each visible event is therefore
// read exactly once, at its position at N.  Its corrections and retraction known at N come
// from the `acts` index (the same stacking as Timeline).

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint.capnp.h"
#include "bitemporal/checkpoint_node.h"
#include "log/coding.h"
#include "bitemporal/projection.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

namespace {

constexpr size_t kMaxOpenEvents = 4096;  // a checkpoint with more open events is not taken

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

struct OpenEvent {
  std::string id;
  int64_t latest;
};

std::string EncodeCheckpoint(const StateFold& fold, uint32_t version, uint64_t valid_from,
                             uint64_t applied, const std::vector<OpenEvent>& open) {
  capnp::MallocMessageBuilder message;
  auto c = message.initRoot<schema::Checkpoint>();
  c.setValidFrom(valid_from);
  c.setEventsApplied(applied);
  if (fold.vocabulary()) {
    c.setVocabulary(fold.vocabulary()->name());
    c.setVocabularyVersion(version);
    EncodeNode(fold.root(), c.initState());
  }
  auto facts = c.initFacts(static_cast<unsigned>(fold.facts().size()));
  unsigned i = 0;
  for (const auto& [k, v] : fold.facts()) {
    facts[i].setKey(k);
    facts[i++].setValue(v);
  }
  auto o = c.initOpen(static_cast<unsigned>(open.size()));
  for (i = 0; i < open.size(); ++i) {
    o[i].setId(open[i].id);
    o[i].setLatest(open[i].latest);
  }
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asChars();
  return std::string(bytes.begin(), bytes.size());
}

struct Decoded {
  uint64_t valid_from = 0;
  uint64_t applied = 0;
  std::unique_ptr<StateFold> fold;
  std::vector<OpenEvent> open;
};

// The checkpoint in `value` if it holds at `known_seq` (taken by then) for a fold with
// `vocabulary` (null: none).  Corrupt or unreadable checkpoints are treated as absent
// (they are derived data; the fold from the log is always right), never as an error.
std::optional<Decoded> DecodeCheckpoint(rocksdb::Slice value, uint64_t known_seq,
                                        const VocabularyVersion* vocabulary) {
  if (value.size() == 0 || value.size() % sizeof(capnp::word) != 0) return std::nullopt;
  auto words = kj::heapArray<capnp::word>(value.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), value.data(), value.size());
  Decoded d;
  try {
    capnp::FlatArrayMessageReader reader(words);
    auto c = reader.getRoot<schema::Checkpoint>();
    d.valid_from = c.getValidFrom();
    if (d.valid_from > known_seq) return std::nullopt;
    if (vocabulary == nullptr) {
      if (c.hasVocabulary()) return std::nullopt;
    } else if (!c.hasVocabulary() || c.getVocabulary() != vocabulary->name.c_str() ||
               c.getVocabularyVersion() != vocabulary->version || !c.hasState()) {
      return std::nullopt;
    }
    d.applied = c.getEventsApplied();
    std::map<std::string, std::string> facts;
    for (auto f : c.getFacts()) facts[Str(f.getKey())] = Str(f.getValue());
    Node root = vocabulary ? DecodeNode(c.getState(), 0) : Node();
    if (vocabulary != nullptr &&
        (root.tag != Node::kStruct ||
         root.items.size() != vocabulary->vocabulary->state().fields.size())) {
      return std::nullopt;
    }
    d.fold = std::make_unique<StateFold>(vocabulary ? vocabulary->vocabulary : nullptr,
                                         std::move(root), std::move(facts));
    for (auto o : c.getOpen()) d.open.push_back(OpenEvent{Str(o.getId()), o.getLatest()});
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
  return d;
}

}  // namespace

void EncodeNode(const Node& n, schema::Checkpoint::Node::Builder b) {
  switch (n.tag) {
    case Node::kUnset: b.setUnset(); break;
    case Node::kText: b.setText(n.text); break;
    case Node::kBool: b.setBool(n.b); break;
    case Node::kInt: b.setInt(n.i); break;
    case Node::kUInt: b.setUint(n.u); break;
    case Node::kFloat: b.setFloat(n.f); break;
    case Node::kEnum: b.setEnum(n.e); break;
    case Node::kList:
    case Node::kStruct: {
      auto items = n.tag == Node::kList ? b.initList(static_cast<unsigned>(n.items.size()))
                                        : b.initStruct(static_cast<unsigned>(n.items.size()));
      for (unsigned i = 0; i < n.items.size(); ++i) EncodeNode(n.items[i], items[i]);
      break;
    }
    case Node::kMap: {
      auto entries = b.initMap(static_cast<unsigned>(n.entries.size()));
      unsigned i = 0;
      for (const auto& [key, value] : n.entries) {
        entries[i].setKey(key);
        EncodeNode(value, entries[i++].initValue());
      }
      break;
    }
  }
}

Node DecodeNode(schema::Checkpoint::Node::Reader b, int depth) {
  KJ_REQUIRE(depth < 64, "checkpoint state nested too deeply");
  Node n;
  switch (b.which()) {
    case schema::Checkpoint::Node::UNSET: break;
    case schema::Checkpoint::Node::TEXT: n.tag = Node::kText; n.text = Str(b.getText()); break;
    case schema::Checkpoint::Node::BOOL: n.tag = Node::kBool; n.b = b.getBool(); break;
    case schema::Checkpoint::Node::INT: n.tag = Node::kInt; n.i = b.getInt(); break;
    case schema::Checkpoint::Node::UINT: n.tag = Node::kUInt; n.u = b.getUint(); break;
    case schema::Checkpoint::Node::FLOAT: n.tag = Node::kFloat; n.f = b.getFloat(); break;
    case schema::Checkpoint::Node::ENUM: n.tag = Node::kEnum; n.e = b.getEnum(); break;
    case schema::Checkpoint::Node::LIST:
      n.tag = Node::kList;
      for (auto e : b.getList()) n.items.push_back(DecodeNode(e, depth + 1));
      break;
    case schema::Checkpoint::Node::STRUCT:
      n.tag = Node::kStruct;
      for (auto e : b.getStruct()) n.items.push_back(DecodeNode(e, depth + 1));
      break;
    case schema::Checkpoint::Node::MAP:
      n.tag = Node::kMap;
      for (auto e : b.getMap()) n.entries.emplace(Str(e.getKey()), DecodeNode(e.getValue(), depth + 1));
      break;
  }
  return n;
}

// ---- maintenance on append -------------------------------------------------------------

Result<CheckpointKey> StoreImpl::EarliestPositionLocked(uint64_t target_seq,
                                                        int64_t original_earliest) {
  CheckpointKey best{original_earliest, target_seq};
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kActs]));
  const std::string prefix = SeqKey(target_seq);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->value() != rocksdb::Slice("c") || it->key().size() != 16) continue;
    auto c = ReadEvent(GetU64(it->key().data() + 8));
    if (!c.ok()) return c.status();
    auto corr = (*c)->reader().getCorrection();
    if (!corr.hasEffective()) continue;
    auto d = ParseFuzzyDate(corr.getEffective().cStr());
    if (d.ok() && d->earliest < best.first) best.first = d->earliest;
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read acts index"));
  return best;
}

Status StoreImpl::InvalidateCheckpointsLocked(const std::map<std::string, CheckpointKey>& touched,
                                              rocksdb::WriteBatch* batch) {
  if (touched.empty()) return Status::OK();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cfs_[kCheckpoint]));
  for (const auto& [stream, from] : touched) {
    const std::string prefix = StreamPrefix(stream);
    for (it->Seek(PositionKey(stream, from.first, from.second));
         it->Valid() && it->key().starts_with(prefix); it->Next()) {
      batch->Delete(cfs_[kCheckpoint], it->key());
    }
  }
  return FromRocks(it->status(), "read checkpoints");
}

Status StoreImpl::BackfillMovedIndex() {
  std::lock_guard<std::mutex> lock(write_mu_);
  rocksdb::WriteBatch batch;
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // a scan of every prefix
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kActs]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->value() != rocksdb::Slice("c") || it->key().size() != 16) continue;
    const uint64_t target = GetU64(it->key().data());
    const uint64_t seq = GetU64(it->key().data() + 8);
    if (seq > last_seq_) continue;
    auto c = ReadEvent(seq);
    if (!c.ok()) return c.status();
    auto corr = (*c)->reader().getCorrection();
    if (!corr.hasEffective()) continue;
    auto d = ParseFuzzyDate(corr.getEffective().cStr());
    if (!d.ok()) continue;  // verify reports it
    const std::string stream = Str((*c)->reader().getStream());
    batch.Put(cfs_[kMoved], MovedKey(stream, d->earliest, target, seq), "");
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read acts index"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &batch), "write moved index");
}

Result<uint64_t> StoreImpl::CountCheckpoints(const std::string& stream) {
  uint64_t n = 0;
  const std::string prefix = StreamPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cfs_[kCheckpoint]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++n;
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read checkpoints"));
  return n;
}

// ---- the checkpointed fold ------------------------------------------------------------

namespace {

// One visible event at its position at N.
struct Item {
  CheckpointKey key;
  Event view;
};

}  // namespace

Result<State> StoreImpl::FoldStateWithCheckpoints(const std::string& stream, int64_t as_of,
                                                  uint64_t known_seq) {
  // Does the stream exist at N?  It does if it last changed by then; otherwise its first
  // event (version 1) tells.
  uint64_t stream_last = 0;
  {
    auto info = GetStream(stream);
    if (info.ok()) stream_last = info->last_seq;
  }
  // Checkpoints are taken only when N is the stream's latest knowledge; they then hold
  // from the stream's last seq on.
  const bool take = stream_last != 0 && stream_last <= known_seq;
  if (!take) {
    std::string v;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cfs_[kStream], StreamKey(stream, 1), &v);
    if (s.IsNotFound()) return Status::NotFound("no stream '" + stream + "'");
    ANNALS_RETURN_IF_ERROR(FromRocks(s, "read stream index"));
    if (v.size() != 8) return Status::Corruption("stream index entry is malformed");
    if (GetU64(v.data()) > known_seq) return Status::NotFound("no stream '" + stream + "'");
  }

  // The vocabulary the stream folds with at N.
  auto vocabulary = VocabularyOf(stream, known_seq);
  if (!vocabulary.ok()) return vocabulary.status();
  const VocabularyVersion* version = *vocabulary ? &**vocabulary : nullptr;

  const std::string prefix = StreamPrefix(stream);
  rocksdb::ReadOptions ro;

  // 1. The nearest usable checkpoint at or before V.
  std::optional<CheckpointKey> start;
  uint64_t applied = 0;
  std::vector<OpenEvent> open;
  std::unique_ptr<StateProjection> projection;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kCheckpoint]));
    const std::string upper = PositionKey(stream, as_of, UINT64_MAX);
    for (it->SeekForPrev(upper); it->Valid() && it->key().starts_with(prefix); it->Prev()) {
      if (it->key().size() != prefix.size() + 16) continue;
      auto full = DecodeCheckpoint(it->value(), known_seq, version);
      if (!full) continue;
      const char* k = it->key().data() + prefix.size();
      start = CheckpointKey{DecodeEarliest(k), GetU64(k + 8)};
      applied = full->applied;
      open = std::move(full->open);
      projection = std::make_unique<StateProjection>(std::move(*full->fold));
      break;
    }
    ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read checkpoints"));
  }
  if (!projection) {
    projection = std::make_unique<StateProjection>(version ? version->vocabulary : nullptr);
  }

  // 2. The events after it, at their positions at N, merged from `valid` and `moved`.
  std::unique_ptr<rocksdb::Iterator> valid(db_->NewIterator(ro, cfs_[kValid]));
  std::unique_ptr<rocksdb::Iterator> moved(db_->NewIterator(ro, cfs_[kMoved]));
  std::unique_ptr<rocksdb::Iterator> acts(db_->NewIterator(ro, cfs_[kActs]));
  const std::string from = start ? PositionKey(stream, start->first, start->second + 1) : prefix;
  valid->Seek(from);
  moved->Seek(from);

  // The view of `seq` at N: nullopt if retracted; `moved_by` is the last correction known
  // at N that gave it a new effective (0 if none).
  struct View {
    Event event;
    uint64_t moved_by = 0;
  };
  SeqReader events(this);  // made after the index iterators: it has every event they list
  auto view_at = [&](uint64_t seq) -> Result<std::optional<View>> {
    auto rep = events.Read(seq);
    if (!rep.ok()) return rep.status();
    View v{Event(std::move(rep).value()), 0};
    const std::string key = SeqKey(seq);
    for (acts->Seek(key); acts->Valid() && acts->key().starts_with(key); acts->Next()) {
      if (acts->key().size() != 16) return Status::Corruption("acts index entry is malformed");
      const uint64_t act = GetU64(acts->key().data() + 8);
      if (act > known_seq) break;
      if (acts->value() == rocksdb::Slice("r")) return std::optional<View>();
      auto c = ReadEvent(act);
      if (!c.ok()) return c.status();
      auto corr = (*c)->reader().getCorrection();
      auto corrected = ApplyCorrection(v.event.rep(), corr);
      if (!corrected.ok()) {
        return Status::Corruption("seq " + std::to_string(act) + ": stored correction of seq " +
                                  std::to_string(seq) + " does not apply: " +
                                  corrected.status().message());
      }
      v.event = Event(std::move(corrected).value());
      if (corr.hasEffective()) v.moved_by = act;
    }
    ANNALS_RETURN_IF_ERROR(FromRocks(acts->status(), "read acts index"));
    return std::optional<View>(std::move(v));
  };

  // Next visible item from each index, or nullopt at the end of [from, V].
  auto next_valid = [&]() -> Result<std::optional<Item>> {
    for (; valid->Valid() && valid->key().starts_with(prefix); valid->Next()) {
      const rocksdb::Slice k = valid->key();
      if (k.size() != prefix.size() + 16) return Status::Corruption("valid index entry is malformed");
      const int64_t earliest = DecodeEarliest(k.data() + prefix.size());
      if (earliest > as_of) break;
      const uint64_t seq = GetU64(k.data() + prefix.size() + 8);
      if (seq > known_seq) continue;
      auto v = view_at(seq);
      if (!v.ok()) return v.status();
      if (!v->has_value() || (*v)->moved_by != 0) continue;  // hidden, or read via `moved`
      valid->Next();
      return std::optional<Item>(Item{{earliest, seq}, std::move((*v)->event)});
    }
    ANNALS_RETURN_IF_ERROR(FromRocks(valid->status(), "read valid-time index"));
    return std::optional<Item>();
  };
  auto next_moved = [&]() -> Result<std::optional<Item>> {
    for (; moved->Valid() && moved->key().starts_with(prefix); moved->Next()) {
      const rocksdb::Slice k = moved->key();
      if (k.size() != prefix.size() + 24) return Status::Corruption("moved index entry is malformed");
      const int64_t earliest = DecodeEarliest(k.data() + prefix.size());
      if (earliest > as_of) break;
      const uint64_t target = GetU64(k.data() + prefix.size() + 8);
      const uint64_t seq = GetU64(k.data() + prefix.size() + 16);
      if (seq > known_seq) continue;
      auto v = view_at(target);
      if (!v.ok()) return v.status();
      if (!v->has_value() || (*v)->moved_by != seq) continue;  // hidden, or moved again
      moved->Next();
      return std::optional<Item>(Item{{earliest, target}, std::move((*v)->event)});
    }
    ANNALS_RETURN_IF_ERROR(FromRocks(moved->status(), "read moved index"));
    return std::optional<Item>();
  };

  // 3. Fold, taking a checkpoint every checkpoint_interval_ events.
  rocksdb::WriteBatch checkpoints;
  uint64_t since_checkpoint = 0;
  auto a = next_valid();
  if (!a.ok()) return a.status();
  auto b = next_moved();
  if (!b.ok()) return b.status();
  std::optional<Item> va = std::move(a).value(), mb = std::move(b).value();
  while (va || mb) {
    Item item;
    if (mb && (!va || mb->key < va->key)) {
      item = std::move(*mb);
      auto n = next_moved();
      if (!n.ok()) return n.status();
      mb = std::move(n).value();
    } else {
      item = std::move(*va);
      auto n = next_valid();
      if (!n.ok()) return n.status();
      va = std::move(n).value();
    }
    projection->Apply(item.view);
    ++applied;
    if (item.view.effective().latest > item.key.first) {
      open.push_back(OpenEvent{std::string(item.view.id()), item.view.effective().latest});
    }
    // A read-only Store takes none: it cannot write them.
    if (take && !read_only_ && ++since_checkpoint >= checkpoint_interval_) {
      since_checkpoint = 0;
      // Events whose latest instant is at or before this position are never tentative
      // for an as-of at or after it.
      open.erase(std::remove_if(open.begin(), open.end(),
                                [&](const OpenEvent& o) { return o.latest <= item.key.first; }),
                 open.end());
      if (open.size() <= kMaxOpenEvents) {
        checkpoints.Put(cfs_[kCheckpoint], PositionKey(stream, item.key.first, item.key.second),
                        EncodeCheckpoint(projection->fold(), version ? version->version : 0,
                                         stream_last, applied, open));
      }
    }
  }

  if (checkpoints.Count() > 0) {
    // Only if the stream did not change meanwhile: an append after stream_last may have
    // touched these positions, and its invalidation could not see them.  Not synced:
    // checkpoints are disposable, and a later synced write makes them durable anyway.
    // A query does not wait for a writer (an import, a group's fsync) to take them: the
    // next query will.
    std::unique_lock<std::mutex> lock(write_mu_, std::try_to_lock);
    if (lock.owns_lock()) {
      auto info = GetStream(stream);
      if (info.ok() && info->last_seq == stream_last) {
        (void)db_->Write(rocksdb::WriteOptions(), &checkpoints);
      }
    }
  }

  State state = projection->ToState();
  if (version) state.vocabulary_version = version->version;
  state.events_applied = applied;
  for (const auto& o : open) {
    if (o.latest > as_of) state.tentative.push_back(o.id);
  }
  return state;
}

}  // namespace internal
}  // namespace annals
