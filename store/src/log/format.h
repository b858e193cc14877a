// Copyright annals authors.
//
// The on-disk format of a store: column families, the literals of the meta keys, the
// encodings of records, and the one derivation of an event's index entries.  The layout
// of every key is documented at the top of store_impl.cc; append, import, restore, verify
// and the backfill of a new index all derive entries through ForEachIndexEntry, so they
// cannot disagree.

#ifndef ANNALS_STORE_SRC_FORMAT_H_
#define ANNALS_STORE_SRC_FORMAT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "log/coding.h"
#include "codec/event_rep.h"

namespace annals {
namespace internal {

using Hash = std::array<unsigned char, 32>;

// Column families, in the order of kCfNames.  DO NOT CHANGE the names: they are on disk.
enum CfIndex { kMeta = 0, kLog, kStream, kValid, kId, kActs, kMoved, kCheckpoint, kCfCount };
extern const char* const kCfNames[kCfCount];
// Column families derived from the log that a store made before they existed lacks
// (moved, checkpoint): Open adds them.
constexpr size_t kBaseCfCount = 6;

// Meta keys (column family "default").
constexpr char kFormatKey[] = "format";
constexpr char kFormatValue[] = "annals-1";
constexpr char kHeadKey[] = "head";
constexpr char kStreamMetaPrefix[] = "s/";
constexpr char kBindingPrefix[] = "v/";
constexpr char kImportKey[] = "import";
// A cluster node's place in its log of record (store/src/cluster/, SPEC §9).  Both are
// written in the same WriteBatch as the events of the message they describe.
//   "cluster/applied"      -> u64 JetStream sequence of the last applied message | 32 bytes
//                             SHA-256 of that message's payload (to notice a log that was
//                             rewritten under the node)
//   "cluster/r/" request id -> the outcome of that append request (schema/cluster.capnp
//                             Outcome, unpacked), so that a retried request is answered
//                             without being applied again beyond JetStream's dedupe window
//   "cluster/s/" import id "/" u64 chunk -> a staged chunk of an import larger than one
//                             message (schema/cluster.capnp Append, unpacked); deleted by
//                             the message that commits the import
constexpr char kClusterAppliedKey[] = "cluster/applied";
constexpr char kClusterRequestPrefix[] = "cluster/r/";
constexpr char kClusterStagePrefix[] = "cluster/s/";

// The stream of vocabulary registrations (SPEC §7); user stream names cannot hold '$'.
constexpr char kVocabularyStream[] = "$vocabulary";

// "s/" stream -> u64 version | u64 seq of its last event.
std::string StreamMetaKey(std::string_view stream);
std::string StreamMetaValue(uint64_t version, uint64_t last_seq);
// "v/" stream -> u64 seq of its first domain event | the vocabulary's name.
std::string BindingKey(std::string_view stream);
std::string BindingValue(uint64_t seq, std::string_view vocabulary);
// "head" -> u64 last_seq | 32 bytes last hash | i64 last recorded_at (µs).
std::string HeadValue(uint64_t seq, const Hash& hash, int64_t recorded_at);
// acts: u64 target seq | u64 seq.
std::string ActsKey(uint64_t target_seq, uint64_t seq);
// The acts value of a correction ("c") or a retraction ("r").
inline const char* ActsValue(EventKind kind) {
  return kind == EventKind::kRetraction ? "r" : "c";
}

// Whether an event of this kind has a valid-time position (the valid index): those a fold
// visits.  Corrections and retractions act on other events; registrations fold nothing.
inline bool HasValidTimePosition(EventKind kind) {
  return !IsMetaKind(kind) && kind != EventKind::kVocabulary;
}

// Where an event sits in the indexes, besides its own seq and version: for a correction
// or retraction the seq of its target, and for a correction that gives a new effective
// the earliest instant it moves the target to.
struct IndexPlace {
  uint64_t seq = 0;
  uint64_t version = 0;
  uint64_t target_seq = 0;
  std::optional<int64_t> moved_to;
};

// Calls emit(CfIndex, key, value) for each index entry of a stored event (everything but
// its log value and the per-stream records): stream, id, and valid (events with a
// valid-time position) or acts and moved (corrections and retractions).
template <typename Emit>
void ForEachIndexEntry(const EventRep& event, const IndexPlace& place, Emit&& emit) {
  const auto r = event.reader();
  const std::string_view stream(r.getStream().cStr(), r.getStream().size());
  emit(kStream, StreamKey(stream, place.version), SeqKey(place.seq));
  emit(kId, std::string(r.getId().cStr(), r.getId().size()), SeqKey(place.seq));
  if (IsMetaKind(event.kind())) {
    emit(kActs, ActsKey(place.target_seq, place.seq), std::string(ActsValue(event.kind())));
    if (place.moved_to) {
      emit(kMoved, MovedKey(stream, *place.moved_to, place.target_seq, place.seq), std::string());
    }
  } else if (HasValidTimePosition(event.kind())) {
    emit(kValid, PositionKey(stream, event.effective().earliest, place.seq), std::string());
  }
}

// The earliest instant a correction moves its target to, if it gives a new effective.
std::optional<int64_t> MovedTo(const EventRep& correction);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_FORMAT_H_
