// Copyright annals authors.
//
// The state of appends while they are assembled into one WriteBatch (append.cc, import.cc,
// vocabulary_store.cc).

#ifndef ANNALS_STORE_SRC_PENDING_H_
#define ANNALS_STORE_SRC_PENDING_H_

#include <rocksdb/write_batch.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "log/store_impl.h"

namespace annals {
namespace internal {

// What an append knows about an event id: stored, or earlier in the same batch.
struct KnownEvent {
  uint64_t seq;
  uint64_t version;
  std::string stream;
  std::shared_ptr<const EventRep> rep;  // null for events of this batch
  const EventRep* batch_rep = nullptr;  // for events of this batch
  // For events of this batch: the append they came with and their index in it.
  const AppendOptions* append = nullptr;
  size_t index = 0;
  const EventRep& get() const { return rep ? *rep : *batch_rep; }
};

// The labels of the events that an import added in its earlier chunks, by seq
// (consecutive from the first), so that an id repeated later names the line it repeats.
// Compact: the label bytes and one end offset per event.
class ImportLabels {
 public:
  void Add(uint64_t seq, const std::string& label) {
    if (ends_.empty()) first_seq_ = seq;
    if (seq != first_seq_ + ends_.size()) return;  // not in turn: not kept
    text_ += label;
    ends_.push_back(text_.size());
  }
  // The label of `seq`, or "" if it is not an event that this import added.
  std::string Find(uint64_t seq) const {
    if (ends_.empty() || seq < first_seq_ || seq - first_seq_ >= ends_.size()) return "";
    const size_t i = static_cast<size_t>(seq - first_seq_);
    const size_t begin = i ? ends_[i - 1] : 0;
    return text_.substr(begin, ends_[i] - begin);
  }

 private:
  uint64_t first_seq_ = 0;
  std::string text_;
  std::vector<uint64_t> ends_;
};

// The state of a group of appends (or of one append) while it is assembled into one
// WriteBatch: positions, chain head, streams and ids so far.  Guarded by write_mu_.
struct StoreImpl::Pending {
  // `reserve_bytes`: room to make in the batch up front.  A WriteBatch that grows by
  // doubling copies its whole buffer (and faults in fresh pages) at every step; for a
  // batch of 1000 events that was a third of the assembling time.
  explicit Pending(size_t reserve_bytes = 0) : batch(reserve_bytes) {}

  uint64_t seq = 0;
  Hash prev{};
  int64_t recorded_at = 0;
  int64_t fixed_recorded_at = 0;  // an import: every chunk shares it; 0 = take the clock
  bool registering = false;       // a vocabulary registration: its event is allowed
  // A cluster's applier (ApplyReplicated): its clock, no generated ids, no sync per write.
  const Replicated* replicated = nullptr;
  std::map<std::string, std::pair<uint64_t, uint64_t>> streams;  // version, last seq
  std::map<std::string, std::string> bindings;  // streams bound to a vocabulary here
  std::unordered_map<std::string, KnownEvent> batch_ids;
  std::set<uint64_t> retracted;
  // Per stream, the smallest valid-time key (earliest, seq) whose fold this batch changes:
  // checkpoints at or after it are no longer valid from this batch on.
  std::map<std::string, CheckpointKey> touched;
  rocksdb::WriteBatch batch;
  ImportLabels import_labels;  // an import's earlier chunks
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_PENDING_H_
