// Copyright annals authors.
//
// Import: one transaction too big for one WriteBatch (StoreImpl::Import), and the removal
// of an import that never committed.

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
#include "log/sorted_batch.h"

namespace annals {
namespace internal {

// An import is one transaction too, but too big for one WriteBatch: chunks of events are
// written (not synced) beyond the head, with a marker naming the first seq, and a last
// synced batch writes the stream records and the head and drops the marker.  Until then
// readers see nothing of it (every read is bounded by the head: ReadStream, ScanLog,
// GetBySeq, the checkpointed fold; stream records are written last).  Validation of a
// chunk sees the earlier chunks through the indexes, as one Append would.
Result<ImportSummary> StoreImpl::Import(const ImportSource& next) {
  ANNALS_RETURN_IF_ERROR(CheckWritable());
  auto result = ImportEvents(next);
  return result;
}

Result<ImportSummary> StoreImpl::ImportEvents(const ImportSource& next) {
  constexpr size_t kChunkEvents = 4096;
  std::lock_guard<std::mutex> lock(write_mu_);
  Pending p;
  p.seq = last_seq_;
  p.prev = last_hash_;
  p.recorded_at = last_recorded_at_;
  p.fixed_recorded_at = std::max(NowMicros(), last_recorded_at_ + 1);
  const uint64_t first = last_seq_ + 1;
  ImportSummary summary;
  bool wrote_chunk = false;
  uint64_t total = 0;
  rocksdb::WriteBatch sorted;  // a chunk's batch in key order
  auto fail = [&](Status s) -> Status {
    if (wrote_chunk) {
      Status cleanup = RemoveUncommittedLocked(first);
      if (!cleanup.ok()) return cleanup;
    }
    return s;
  };
  for (bool end = false; !end;) {
    std::vector<NewEvent> chunk;
    AppendOptions options;
    while (chunk.size() < kChunkEvents) {
      std::optional<NewEvent> event;
      std::string label;
      Status s = next(&event, &label);
      if (!s.ok()) return fail(s);
      if (!event) {
        end = true;
        break;
      }
      chunk.push_back(std::move(*event));
      options.labels.push_back(std::move(label));
    }
    if (chunk.empty()) break;
    total += chunk.size();
    std::vector<AppendResult> results;
    std::vector<std::string> ids;
    std::vector<uint64_t> retracted;
    Status s = AssembleLocked(&chunk, options, &p, &results, &ids, &retracted);
    if (!s.ok()) return fail(s);
    for (const auto& r : results) {
      if (r.existed) {
        ++summary.existed;
      } else {
        ++summary.added;
        if (!summary.first_seq) summary.first_seq = r.seq;
        summary.last_seq = r.seq;
      }
    }
    if (!end && p.batch.Count() > 0) {
      // Not the last chunk: write it beyond the head.  The chunk's events are freed next;
      // later chunks find them through the indexes.
      std::string marker;
      PutU64(&marker, first);
      if (!wrote_chunk) p.batch.Put(cfs_[kMeta], kImportKey, marker);
      // In key order the memtable inserts cost much less (sorted_batch.h).
      rocksdb::WriteBatch* write = &p.batch;
      if (SortBatchByKey(p.batch, cfs_, &sorted)) write = &sorted;
      s = FromRocks(db_->Write(rocksdb::WriteOptions(), write), "import failed");
      wrote_chunk = true;
      if (!s.ok()) return fail(s);
      for (size_t i = 0; i < results.size(); ++i) {
        if (!results[i].existed) p.import_labels.Add(results[i].seq, options.labels[i]);
      }
      p.batch.Clear();
      p.batch_ids.clear();
      p.retracted.clear();
    }
  }
  if (total == 0) return Status::InvalidArgument("no events to import");
  if (summary.added == 0) return summary;  // every event already recorded

  for (const auto& [name, state] : p.streams) {
    if (state.second > last_seq_) {
      p.batch.Put(cfs_[kMeta], StreamMetaKey(name), StreamMetaValue(state.first, state.second));
    }
  }
  Status s = InvalidateCheckpointsLocked(p.touched, &p.batch);
  if (!s.ok()) return fail(s);
  if (wrote_chunk) p.batch.Delete(cfs_[kMeta], kImportKey);
  p.batch.Put(cfs_[kMeta], kHeadKey, HeadValue(p.seq, p.prev, p.fixed_recorded_at));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;  // the WAL is sequential: this also makes the chunks durable
  s = FromRocks(db_->Write(wo, &p.batch), "import failed");
  if (!s.ok()) return fail(s);
  last_hash_ = p.prev;
  last_recorded_at_ = p.fixed_recorded_at;
  PublishHead(p.seq);
  return summary;
}

Status StoreImpl::RemoveUncommittedLocked(uint64_t from) {
  rocksdb::WriteBatch batch;
  const auto types = registry();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kLog]));
  std::set<std::string> streams;
  for (it->Seek(SeqKey(std::max(from, last_seq_.load() + 1))); it->Valid(); it->Next()) {
    if (it->key().size() != 8) continue;
    const uint64_t seq = GetU64(it->key().data());
    batch.Delete(cfs_[kLog], it->key());
    auto rep = EventRep::FromStored(std::string_view(it->value().data(), it->value().size()),
                                    *types);
    if (!rep.ok()) continue;  // nothing more to find of it
    auto r = (*rep)->reader();
    IndexPlace place;
    place.seq = seq;
    place.version = r.getVersion();
    if (IsMetaKind((*rep)->kind())) {
      // The acts and moved keys start with the target's seq: find the target.
      std::string target;
      if (db_->Get(rocksdb::ReadOptions(), cfs_[kId], TargetOf(r), &target).ok() &&
          target.size() == 8) {
        place.target_seq = GetU64(target.data());
        place.moved_to = MovedTo(**rep);
      }
    }
    ForEachIndexEntry(**rep, place, [&](CfIndex cf, const std::string& key,
                                        const std::string& value) {
      if (cf == kId) {  // only if it is this event's (an id is never stored twice)
        std::string at;
        if (!db_->Get(rocksdb::ReadOptions(), cfs_[kId], key, &at).ok() || at != value) return;
      }
      if (cf == kActs && place.target_seq == 0) return;
      batch.Delete(cfs_[cf], key);
    });
    streams.emplace(View(r.getStream()));
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read log"));
  // Bindings made by the uncommitted events.
  for (const auto& stream : streams) {
    auto bound = BindingOf(stream);
    if (bound.ok() && *bound && (*bound)->first >= from) {
      batch.Delete(cfs_[kMeta], BindingKey(stream));
    }
  }
  batch.Delete(cfs_[kMeta], kImportKey);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &batch), "remove an unfinished import");
}

}  // namespace internal
}  // namespace annals
