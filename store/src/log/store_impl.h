// Copyright annals authors.
//
// StoreImpl: the RocksDB-backed implementation of annals::Store.  Key layouts are
// documented at the top of store_impl.cc, which writes them.

#ifndef ANNALS_STORE_SRC_STORE_IMPL_H_
#define ANNALS_STORE_SRC_STORE_IMPL_H_

#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <utility>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "annals/store.h"
#include "codec/event_rep.h"
#include "log/format.h"
#include "log/store_lock.h"
#include "vocabulary/registry.h"

namespace annals {
namespace internal {

// A position in a stream's valid-time order: (earliest instant, seq).  Checkpoints are
// taken after the event at such a position (checkpoint.cc).
using CheckpointKey = std::pair<int64_t, uint64_t>;

// What a store needs to generate UUIDv7 ids for events without one (NewUuidV7 in
// store_impl.cc): its random generator, and the last id's millisecond and random bits.
struct UuidV7Generator {
  std::mt19937_64 rng;  // seeded from the OS CSPRNG
  int64_t ms = -1;
  uint64_t rand_a = 0;  // 12 bits
  uint64_t rand_b = 0;  // 62 bits
};

// `registry` with the vocabulary version that `event` (a `vocabulary` event, stored or
// about to be) registers: its source compiles, its version is the next of its name, it
// keeps the rules of evolution and its types belong to no other vocabulary.
// InvalidArgument naming what is wrong (vocabulary_store.cc).
Result<std::shared_ptr<const Registry>> WithRegistration(const Registry& registry,
                                                         const EventRep& event);

// Translates a RocksDB status (the one place this happens).
Status FromRocks(const rocksdb::Status& s, std::string_view what);

// Options only tests need: a custom Env (fault injection) and a fixed clock.
struct TestHooks {
  rocksdb::Env* env = nullptr;                  // not owned; must outlive the store
  std::function<int64_t()> now_micros;          // default: the system clock
};

class StoreImpl final : public Store {
 public:
  static Result<std::unique_ptr<StoreImpl>> OpenImpl(const std::string& path,
                                                     const Options& options,
                                                     const TestHooks& hooks);
  // Closes the database; then, if this Store created the store and it is still empty
  // (after a failed write, or a failed Open), removes it; then releases the lock.
  ~StoreImpl() override;

  Result<std::vector<AppendResult>> Append(std::vector<NewEvent> events,
                                           const AppendOptions& options) override;
  Result<ImportSummary> Import(const ImportSource& next) override;
  Status Restore(const std::function<bool(std::string* line)>& next_line) override;
  Result<VocabularyInfo> RegisterVocabulary(const std::string& source,
                                            const std::string& file_name) override;
  Result<std::vector<VocabularyInfo>> ListVocabularies() override;
  Result<VocabularyInfo> GetVocabulary(const std::string& name, uint32_t version) override;
  EventTypes Types() override;
  Result<Event> GetBySeq(uint64_t seq) override;
  Result<Event> GetById(std::string_view id) override;
  Status ScanLog(const LogRange& range, const Visitor<Event>& visit) override;
  using Store::Follow;
  Status Follow(const LogRange& range, const Visitor<Event>& visit,
                const FollowOptions& options) override;
  Result<std::vector<StreamInfo>> ListStreams() override;
  Result<StreamInfo> GetStream(std::string_view stream) override;
  using Store::Verify;
  Result<VerifyReport> Verify(const VerifyOptions& options) override;

  // Queries: implemented in query.cc.
  Result<State> GetState(const TimeQuery& query) override;
  Status History(const TimeQuery& query, const Visitor<HistoryEntry>& visit) override;
  Result<DiffResult> Diff(const std::string& stream, const std::string& from,
                          const std::string& to, const std::string& known_at) override;
  Status Replay(const LogRange& range, const Visitor<ReplayEntry>& visit) override;

  // One of the independent appends of AppendGroup.
  struct GroupAppend {
    std::vector<NewEvent> events;
    AppendOptions options;
    std::optional<Result<std::vector<AppendResult>>> result;  // set by AppendGroup
  };
  // Appends each of `appends` exactly as Append would (each atomic on its own, failing
  // alone, with its own recorded_at), queued together so that they share the group
  // commit's next durable write: one fsync for all of them (up to 4096 events per write).
  // What a server does with the appends its clients sent meanwhile (annals::server).
  void AppendGroup(std::vector<GroupAppend>* appends);

  // ---- for a cluster's applier (store/src/cluster/), not for users ----
  //
  // How one message of a cluster's log of record is applied.
  struct Replicated {
    // The message's timestamp in µs: each append takes recorded_at = max(clock_micros,
    // previous recorded_at + 1), the same on every node.
    int64_t clock_micros = 0;
    // Called once every append's result is set, to add the caller's records (the applied
    // position, the outcomes) to the same WriteBatch.
    std::function<void(rocksdb::WriteBatch* batch)> also;
  };
  // Validates and assembles each of `appends` as AppendGroup would (each failing alone;
  // results in appends[i].result; an event without an id fails: a cluster's ids are chosen
  // by the node that publishes), then writes them and `replicated.also`'s records in ONE
  // batch, also when every append failed.  The write is NOT fsync'd: call SyncLog before
  // answering anyone.  *written is the write's status (Unavailable on an I/O error: then
  // nothing was written, whatever the results say).
  void ApplyReplicated(std::vector<GroupAppend>* appends, const Replicated& replicated,
                       Status* written);
  // Registers a vocabulary as RegisterVocabulary does, with `event_id` as the registration
  // event's id and `replicated`'s clock, and writes `replicated.also`'s records in the same
  // batch, also when the registration is refused or already done (then only them).
  // *result: the registration's outcome; *written: the write's status.  Not fsync'd.
  void ApplyRegistration(const std::string& source, const std::string& file_name,
                         const std::string& event_id, const Replicated& replicated,
                         Result<VocabularyInfo>* result, Status* written);
  // fsyncs every write made so far (RocksDB's WAL).
  Status SyncLog();

  // ---- for the query engine and tests ----

  // Visits the events of `stream` with seq <= max_seq in version (= seq) order, including
  // corrections and retractions, from version `from_version` on.
  Status ReadStream(std::string_view stream, uint64_t max_seq, const Visitor<Event>& visit,
                    uint64_t from_version = 1);
  // The first version of `stream` whose seq is > after_seq (one past its last version if
  // none): a binary search over the stream index, so that a scan of a long stream's newest
  // events does not read its older ones.
  Result<uint64_t> FirstVersionAfter(std::string_view stream, uint64_t after_seq);
  // The last assigned seq (0 for an empty store).
  uint64_t LastSeq();
  // Resolves a known_at ("" = now, "@N", or an instant) to the largest visible seq.
  Result<uint64_t> ResolveKnownAt(const std::string& known_at);
  // The store's vocabularies and event types now (an immutable snapshot).
  std::shared_ptr<const Registry> registry() const;
  // The vocabulary version `stream` folds with as known at `known_seq` (SPEC §7): the
  // latest version by then of the vocabulary of its first domain event, if that event is
  // known by then; nullopt for a stream with only core events by then.
  Result<std::optional<VocabularyVersion>> VocabularyOf(const std::string& stream,
                                                        uint64_t known_seq);

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf_log() { return cfs_[kLog]; }
  rocksdb::ColumnFamilyHandle* cf_stream() { return cfs_[kStream]; }
  rocksdb::ColumnFamilyHandle* cf_valid() { return cfs_[kValid]; }
  rocksdb::ColumnFamilyHandle* cf_id() { return cfs_[kId]; }
  rocksdb::ColumnFamilyHandle* cf_acts() { return cfs_[kActs]; }
  rocksdb::ColumnFamilyHandle* cf_meta() { return cfs_[kMeta]; }
  rocksdb::ColumnFamilyHandle* cf_moved() { return cfs_[kMoved]; }
  rocksdb::ColumnFamilyHandle* cf_checkpoint() { return cfs_[kCheckpoint]; }

  // ---- checkpoints (checkpoint.cc) ----

  // The state of `stream` as of `as_of` (last instant; kUnboundedValidTime for none) known
  // at global seq `known_seq`, folded from the nearest usable checkpoint; takes new
  // checkpoints along the way when `known_seq` is the stream's latest knowledge.
  // NotFound if the stream has no event by known_seq.
  Result<State> FoldStateWithCheckpoints(const std::string& stream, int64_t as_of,
                                         uint64_t known_seq);
  // Fold without checkpoints (the reference the checkpointed path must equal).
  Result<State> FoldStateNaive(const std::string& stream, int64_t as_of, uint64_t known_seq);
  // Whether GetState uses checkpoints (default true); for benchmarks and tests.
  void set_use_checkpoints(bool on) { use_checkpoints_ = on; }
  // Events folded between checkpoints (default 512); for tests.
  void set_checkpoint_interval(uint64_t n) { checkpoint_interval_ = n ? n : 1; }
  // Number of checkpoints stored for `stream`; for tests.
  Result<uint64_t> CountCheckpoints(const std::string& stream);

 private:
  struct Pending;
  struct Writer;

  StoreImpl() = default;
  // The part of OpenImpl done under the store's lock (which the new Store then owns).
  // Sets *repair, and fails, when a read-only open finds what a writer must mend first.
  static Result<std::unique_ptr<StoreImpl>> OpenLocked(const std::string& path,
                                                       const Options& options,
                                                       const TestHooks& hooks,
                                                       bool read_only,
                                                       std::unique_ptr<StoreLock> lock,
                                                       bool* repair);
  // Flushes the memtables if the WAL holds more than a few MiB (see store_impl.cc).
  void FlushLargeWal();
  // Unavailable if the Store was opened read-only.
  Status CheckWritable() const;
  // Append, Import and Restore once the Store is known to be writable.
  Result<std::vector<AppendResult>> GroupCommit(std::vector<NewEvent>* events,
                                                const AppendOptions& options);
  Result<ImportSummary> ImportEvents(const ImportSource& next);
  Status RestoreEvents(const std::function<bool(std::string* line)>& next_line);
  Status LoadHead();
  // Reads the vocabulary registrations back from the log (vocabulary_store.cc).
  Status LoadRegistry();
  // Validates the registration of `compiled` (the text `source`) and assembles its event
  // into `p` (set up from the head here); `registered` gets the new version, unless the
  // same source is already the latest (then the result says existed).  write_mu_ held.
  Result<VocabularyInfo> AssembleRegistrationLocked(const std::string& source,
                                                    std::shared_ptr<const Vocabulary> compiled,
                                                    const std::string& event_id, Pending* p,
                                                    std::optional<VocabularyVersion>* registered);
  // Publishes a new registry snapshot; write_mu_ held.
  void SetRegistryLocked(std::shared_ptr<const Registry> registry);
  // The vocabulary stream `stream` is bound to and the seq of the binding, if any; looks
  // at `p`'s bindings first (events of the same group).
  Result<std::optional<std::pair<uint64_t, std::string>>> BindingOf(const std::string& stream);
  int64_t NowMicros() const;
  // Moves the head of the log to `seq` (the write holding it is durable) and wakes Follow.
  void PublishHead(uint64_t seq);
  Result<std::shared_ptr<const EventRep>> ReadEvent(uint64_t seq);
  // Reads events by seq, for folds, which read theirs mostly in seq order.  A point lookup
  // (ReadEvent) searches the index each time; an iterator over the log reaches the next
  // few entries by stepping, but its seek costs more than a lookup (every level is
  // searched).  So a seq a few entries after the iterator's is stepped to; one a few
  // entries after the last seq read (reads going forward) seeks the iterator there; any
  // other is looked up, leaving the iterator where it was.  The iterator sees the log as
  // it was when the reader was made: make it after the index iterators whose seqs it reads.
  class SeqReader {
   public:
    explicit SeqReader(StoreImpl* store);
    Result<std::shared_ptr<const EventRep>> Read(uint64_t seq);

   private:
    StoreImpl* store_;
    std::shared_ptr<const Registry> types_;
    std::unique_ptr<rocksdb::Iterator> it_;
    uint64_t last_read_ = 0;  // the seq of the last Read, 0 before the first
  };

  // Append: group commit.  CommitGroupLocked assembles and writes the appends of `group`,
  // `events` events in all; AssembleLocked validates one append into `p` (undo info in
  // added_*).  write_mu_ held.
  void CommitGroupLocked(const std::vector<Writer*>& group, size_t events);
  // Assembles each writer of `group` into `p` (set up from the head here), failing ones
  // rolled back; `written` gets those that add events.  write_mu_ held.
  void AssembleGroupLocked(const std::vector<Writer*>& group, Pending* p,
                           std::vector<Writer*>* written);
  // The writer at the front of writers_ leads: takes the group from the front, commits it
  // (queue_mu_ released meanwhile), marks its writers done and wakes the next leader.
  // queue_mu_ held on entry and exit.
  void LeadGroupLocked(std::unique_lock<std::mutex>* queue_lock);
  // Writes an assembled group: its stream records, checkpoint invalidations and the new
  // head, in one synced batch; then moves the head.  write_mu_ held.
  Status WriteLocked(Pending* p);
  Status AssembleLocked(std::vector<NewEvent>* events, const AppendOptions& options,
                        Pending* p, std::vector<AppendResult>* results,
                        std::vector<std::string>* added_ids,
                        std::vector<uint64_t>* added_retracted);
  // The smallest valid-time position event `target_seq` has had: its original earliest or
  // one a stored correction moved it to.  write_mu_ held.
  Result<CheckpointKey> EarliestPositionLocked(uint64_t target_seq, int64_t original_earliest);
  // Deletes, in `batch`, every checkpoint of each stream at or after its touched position.
  Status InvalidateCheckpointsLocked(const std::map<std::string, CheckpointKey>& touched,
                                     rocksdb::WriteBatch* batch);
  // Writes the moved index for corrections stored before it existed.
  Status BackfillMovedIndex();
  // Removes the chunks of an import that never committed (events from seq `from` on,
  // beyond the head, and their index entries).  write_mu_ held or store not yet shared.
  Status RemoveUncommittedLocked(uint64_t from);

  Options options_;
  TestHooks hooks_;
  std::string path_;
  std::unique_ptr<StoreLock> lock_;  // released after db_ is closed
  bool read_only_ = false;           // opened with RocksDB's OpenForReadOnly
  bool created_ = false;  // this Store's Open created the store: removed on close if empty
  bool opened_ = false;              // Open finished
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // owned by db_; destroyed before it

  // Group commit queue (Append): the front writer leads.
  std::mutex queue_mu_;
  std::deque<Writer*> writers_;
  // Serialises writers (a group leader, Restore, checkpoint writes); readers do not take
  // it (the log is append-only).
  std::mutex write_mu_;
  UuidV7Generator ids_;  // write_mu_
  std::atomic<bool> use_checkpoints_{true};
  uint64_t checkpoint_interval_ = 512;
  // The head of the log: guarded by write_mu_ for writes, read atomically.
  std::atomic<uint64_t> last_seq_{0};
  // Follow waits on head_cv_ for last_seq_ to move (PublishHead).
  std::mutex head_mu_;
  std::condition_variable head_cv_;
  Hash last_hash_{};
  int64_t last_recorded_at_ = 0;

  // The vocabularies: replaced (under write_mu_ and registry_mu_) by a registration,
  // read by taking a copy of the pointer under registry_mu_.
  mutable std::mutex registry_mu_;
  std::shared_ptr<const Registry> registry_;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_STORE_IMPL_H_
