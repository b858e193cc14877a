// Copyright annals authors.
//
// Restore: an empty store rebuilt from an export, keeping seq, recorded_at and hashes,
// with the hash chain re-checked (StoreImpl::Restore).

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include "log/chain.h"
#include "log/format.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

Status StoreImpl::Restore(const std::function<bool(std::string* line)>& next_line) {
  ANNALS_RETURN_IF_ERROR(CheckWritable());
  Status s = RestoreEvents(next_line);
  return s;
}

Status StoreImpl::RestoreEvents(const std::function<bool(std::string* line)>& next_line) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (last_seq_ != 0) {
    const uint64_t n = last_seq_.load();
    return Status::InvalidArgument("restore needs an empty store; this one has " +
                                   std::to_string(n) + (n == 1 ? " event" : " events"));
  }
  rocksdb::WriteBatch batch;
  Hash prev{};
  uint64_t seq = 0;
  int64_t last_recorded = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>> streams;
  std::unordered_map<std::string, std::pair<uint64_t, std::shared_ptr<const EventRep>>> ids;
  std::set<uint64_t> retracted;
  std::map<std::string, std::string> bindings;  // stream -> vocabulary
  // Registrations in the export come before the events of their types: each one makes
  // the next lines' types known.
  std::shared_ptr<const Registry> types = registry();
  std::string line;
  uint64_t line_no = 0;
  while (next_line(&line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = "line " + std::to_string(line_no);
    auto parsed = ParseEventJson(line, JsonMode::kExport, *types);
    if (!parsed.ok()) return parsed.status().WithPrefix(where);
    std::shared_ptr<const EventRep> rep(std::move(parsed).value());
    auto r = rep->reader();
    ++seq;
    if (r.getSeq() != seq) {
      return Status::Corruption(where + ": seq " + std::to_string(r.getSeq()) + " where seq " +
                                std::to_string(seq) + " was expected (events missing or out "
                                "of order)");
    }
    const std::string id(View(r.getId()));
    if (id.empty()) return Status::InvalidArgument(where + ": missing field 'id'");
    Hash stated_prev, stated_hash;
    if (!ParseHex32(View(r.getPrevHash()), &stated_prev) ||
        !ParseHex32(View(r.getHash()), &stated_hash)) {
      return Status::InvalidArgument(where + ": prev_hash and hash must be 64 lower-case hex "
                                     "digits");
    }
    if (stated_prev != prev) {
      return Status::Corruption("seq " + std::to_string(seq) + " (" + where +
                                "): prev_hash does not match the previous event's hash "
                                "(chain broken)");
    }
    Hash computed = ChainHash(prev, rep->CanonicalWithoutHash());
    if (computed != stated_hash) {
      return Status::Corruption("seq " + std::to_string(seq) + " (" + where +
                                "): hash does not match the event's content (chain broken)");
    }
    prev = computed;
    if (rep->recorded_at_micros() < last_recorded) {
      return Status::Corruption("seq " + std::to_string(seq) + " (" + where +
                                "): recorded_at goes back in time");
    }
    last_recorded = rep->recorded_at_micros();
    const std::string stream(View(r.getStream()));
    auto& st = streams[stream];
    if (r.getVersion() != st.first + 1) {
      return Status::Corruption("seq " + std::to_string(seq) + " (" + where + "): version " +
                                std::to_string(r.getVersion()) + " of stream '" + stream +
                                "' where " + std::to_string(st.first + 1) + " was expected");
    }
    st = {st.first + 1, seq};
    if (!ids.emplace(id, std::make_pair(seq, rep)).second) {
      return Status::InvalidArgument(where + ": id '" + id + "' appears twice");
    }
    batch.Put(cfs_[kLog], SeqKey(seq), WordsSlice(rep->Canonical()));
    IndexPlace place;
    place.seq = seq;
    place.version = r.getVersion();
    const EventKind kind = rep->kind();
    if (IsMetaKind(kind)) {
      const std::string target_id(TargetOf(r));
      auto t = ids.find(target_id);
      if (t == ids.end() || View(t->second.second->reader().getStream()) != stream) {
        return Status::InvalidArgument(where + ": target '" + target_id +
                                       "' is not an earlier event of stream '" + stream + "'");
      }
      if (IsMetaKind(t->second.second->kind())) {
        return Status::InvalidArgument(where + ": target '" + target_id +
                                       "' is a correction or retraction");
      }
      if (kind == EventKind::kRetraction && !retracted.insert(t->second.first).second) {
        return Status::InvalidArgument(where + ": target '" + target_id +
                                       "' is retracted twice");
      }
      place.target_seq = t->second.first;
      place.moved_to = MovedTo(*rep);
    } else if (kind == EventKind::kDomain) {
      const std::string& vocabulary = rep->type().vocabulary;
      auto bound = bindings.emplace(stream, vocabulary);
      if (bound.second) {
        batch.Put(cfs_[kMeta], BindingKey(stream), BindingValue(seq, vocabulary));
      } else if (bound.first->second != vocabulary) {
        return Status::InvalidArgument(where + ": stream '" + stream + "' belongs to the "
                                       "vocabulary '" + bound.first->second + "', not '" +
                                       vocabulary + "'");
      }
    } else if (kind == EventKind::kVocabulary) {
      auto next = WithRegistration(*types, *rep);
      if (!next.ok()) return next.status().WithPrefix(where);
      types = std::move(next).value();
    }
    ForEachIndexEntry(*rep, place, [&](CfIndex cf, const std::string& key,
                                       const std::string& value) {
      batch.Put(cfs_[cf], key, value);
    });
  }
  if (seq == 0) return Status::InvalidArgument("the export is empty: nothing to restore");
  for (const auto& [name, state] : streams) {
    batch.Put(cfs_[kMeta], StreamMetaKey(name), StreamMetaValue(state.first, state.second));
  }
  batch.Put(cfs_[kMeta], kHeadKey, HeadValue(seq, prev, last_recorded));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  ANNALS_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "restore failed"));
  SetRegistryLocked(std::move(types));
  last_hash_ = prev;
  last_recorded_at_ = last_recorded;
  PublishHead(seq);
  return Status::OK();
}

}  // namespace internal
}  // namespace annals
