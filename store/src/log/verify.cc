// Copyright annals authors.
//
// Verify: the hash chain recomputed over the whole log, and every index entry checked
// against the log and every event against the indexes (StoreImpl::Verify).

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

Result<VerifyReport> StoreImpl::Verify(const VerifyOptions& options) {
  VerifyReport report;
  const uint64_t progress_every = std::max<uint64_t>(1, options.progress_every);
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct SnapshotReleaser {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~SnapshotReleaser() { db->ReleaseSnapshot(s); }
  } releaser{db_.get(), snapshot};
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.total_order_seek = true;  // whole column families are scanned, acts included
  auto problem = [&](std::string p) {
    if (report.problems.size() < 1000) report.problems.push_back(std::move(p));
  };

  // Expected index entries, as (hash of key and value, seq) per column family.
  std::vector<std::pair<size_t, uint64_t>> expected[kCfCount];
  auto expect = [&](CfIndex cf, const std::string& key, const std::string& value,
                    uint64_t seq) {
    expected[cf].emplace_back(std::hash<std::string>()(key + '\x01' + value), seq);
  };

  std::string head;
  ANNALS_RETURN_IF_ERROR(FromRocks(db_->Get(ro, cfs_[kMeta], kHeadKey, &head), "read head"));

  Hash prev{};
  uint64_t expected_seq = 1;
  int64_t last_recorded = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>> streams;
  // id -> seq, stream, kind
  struct Seen {
    uint64_t seq;
    std::string stream;
    EventKind kind;
  };
  std::unordered_map<std::string, Seen> ids;
  std::map<std::string, std::string> bindings;  // stream -> vocabulary
  // The event types as the log has registered them so far: an event of a type
  // registered after it does not decode.
  std::shared_ptr<const Registry> types = Registry::BuiltIn();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kLog]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) {
      problem("log key of " + std::to_string(it->key().size()) + " bytes is malformed");
      continue;
    }
    const uint64_t seq = GetU64(it->key().data());
    const std::string at = "seq " + std::to_string(seq);
    if (seq != expected_seq) {
      if (seq > expected_seq) {
        problem("seq " + std::to_string(expected_seq) +
                (seq - expected_seq > 1 ? "-" + std::to_string(seq - 1) : "") +
                ": missing from the log (removed)");
      }
      // The chain continues from the event actually found; its prev_hash will not match.
    }
    expected_seq = seq + 1;
    ++report.events;
    if (options.progress && report.events % progress_every == 0) options.progress(report.events);
    std::string_view bytes(it->value().data(), it->value().size());
    auto decoded = EventRep::FromStored(bytes, *types);
    if (!decoded.ok()) {
      problem(at + ": " + decoded.status().message());
      prev = Hash{};  // unknown; the next event will report a broken link too
      continue;
    }
    const EventRep& rep = **decoded;
    auto r = rep.reader();
    auto canonical = rep.Canonical();
    if (canonical.size() * sizeof(capnp::word) != bytes.size() ||
        std::memcmp(canonical.begin(), bytes.data(), bytes.size()) != 0) {
      problem(at + ": stored bytes are not the canonical encoding (modified)");
    }
    if (r.getSeq() != seq) {
      problem(at + ": event says seq " + std::to_string(r.getSeq()) + " (moved or reordered)");
    }
    Hash stated_prev, stated_hash;
    if (!ParseHex32(View(r.getPrevHash()), &stated_prev) ||
        !ParseHex32(View(r.getHash()), &stated_hash)) {
      problem(at + ": prev_hash/hash are not 64 hex digits");
    } else {
      if (stated_prev != prev) {
        problem(at + ": prev_hash does not match the hash of the event before it "
                "(chain broken: an event was changed, removed, inserted or reordered)");
      }
      Hash computed = ChainHash(stated_prev, rep.CanonicalWithoutHash());
      if (computed != stated_hash) {
        problem(at + ": hash does not match the event's content (modified)");
      }
      prev = stated_hash;
    }
    if (rep.recorded_at_micros() < last_recorded) {
      problem(at + ": recorded_at is earlier than the event before it");
    }
    last_recorded = rep.recorded_at_micros();
    Status content = ValidateContent(rep);
    if (!content.ok()) problem(at + ": " + content.message());

    const std::string stream(View(r.getStream()));
    const std::string id(View(r.getId()));
    auto& st = streams[stream];
    st.first += 1;
    st.second = seq;
    if (r.getVersion() != st.first) {
      problem(at + ": version " + std::to_string(r.getVersion()) + " of stream '" + stream +
              "' where " + std::to_string(st.first) + " was expected");
    }
    if (ids.count(id)) problem(at + ": id '" + id + "' is used by an earlier event too");
    IndexPlace place;
    place.seq = seq;
    place.version = r.getVersion();
    const EventKind kind = rep.kind();
    bool acts_known = true;
    if (IsMetaKind(kind)) {
      const std::string target(TargetOf(r));
      auto t = ids.find(target);
      if (t == ids.end() || t->second.stream != stream || IsMetaKind(t->second.kind)) {
        problem(at + ": acts on '" + target + "', which is not an earlier event of its stream");
        acts_known = false;
      } else {
        place.target_seq = t->second.seq;
        place.moved_to = MovedTo(rep);
      }
    } else if (kind == EventKind::kDomain) {
      const std::string& vocabulary = rep.type().vocabulary;
      auto bound = bindings.emplace(stream, vocabulary);
      if (bound.second) {
        expect(kMeta, BindingKey(stream), BindingValue(seq, vocabulary), seq);
      } else if (bound.first->second != vocabulary) {
        problem(at + ": a type of vocabulary '" + vocabulary + "' in stream '" + stream +
                "', which belongs to '" + bound.first->second + "'");
      }
    } else if (kind == EventKind::kVocabulary) {
      auto next = WithRegistration(*types, rep);
      if (next.ok()) {
        types = std::move(next).value();
      } else {
        problem(at + ": " + next.status().message());
      }
    }
    ForEachIndexEntry(rep, place, [&](CfIndex cf, const std::string& key,
                                      const std::string& value) {
      if (cf == kActs || cf == kMoved) {
        if (!acts_known) return;
      }
      expect(cf, key, value, seq);
    });
    ids.emplace(id, Seen{seq, stream, kind});
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read log"));
  for (const auto& [name, st] : streams) {
    expect(kMeta, StreamMetaKey(name), StreamMetaValue(st.first, st.second), st.second);
  }
  report.streams = streams.size();
  const uint64_t last = expected_seq - 1;
  if (head != HeadValue(last, prev, last_recorded)) {
    if (head.size() == 48 && GetU64(head.data()) > last) {
      problem("seq " + std::to_string(last + 1) + "-" + std::to_string(GetU64(head.data())) +
              ": missing from the end of the log (removed)");
    } else {
      problem("store head does not match the end of the log");
    }
  }

  // Every index entry must be expected, and every expected entry present.
  const char* names[kCfCount] = {"stream record", "log",        "stream index",
                                 "valid-time index", "id index", "acts index",
                                 "moved index", "checkpoint"};
  for (int cf : {kStream, kValid, kId, kActs, kMoved, kMeta}) {
    auto& exp = expected[cf];
    std::sort(exp.begin(), exp.end());
    std::vector<bool> seen(exp.size(), false);
    std::unique_ptr<rocksdb::Iterator> ix(db_->NewIterator(ro, cfs_[cf]));
    for (ix->SeekToFirst(); ix->Valid(); ix->Next()) {
      std::string key = ix->key().ToString();
      if (cf == kMeta && key.rfind(kStreamMetaPrefix, 0) != 0 &&
          key.rfind(kBindingPrefix, 0) != 0) {
        continue;
      }
      size_t h = std::hash<std::string>()(key + '\x01' + ix->value().ToString());
      auto pos = std::lower_bound(exp.begin(), exp.end(), std::make_pair(h, uint64_t{0}));
      if (pos == exp.end() || pos->first != h) {
        std::string shown;
        for (unsigned char c : key) {
          shown += (c >= 0x20 && c < 0x7f) ? std::string(1, static_cast<char>(c)) : "\\x" +
                   ToHex(&c, 1);
        }
        problem(std::string(names[cf]) + " entry '" + shown +
                "' does not match any event in the log");
      } else {
        seen[pos - exp.begin()] = true;
      }
    }
    ANNALS_RETURN_IF_ERROR(FromRocks(ix->status(), "read index"));
    for (size_t i = 0; i < exp.size(); ++i) {
      if (!seen[i]) {
        problem("seq " + std::to_string(exp[i].second) + ": its " + names[cf] +
                " entry is missing or wrong");
      }
    }
  }
  return report;
}

}  // namespace internal

std::string VerifyReport::ToJson() const {
  std::string out = "{\"ok\":" + std::string(ok() ? "true" : "false") +
                    ",\"events\":" + std::to_string(events) +
                    ",\"streams\":" + std::to_string(streams) + ",\"problems\":[";
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i) out += ",";
    out += internal::JsonQuote(problems[i]);
  }
  return out + "]}";
}

}  // namespace annals
