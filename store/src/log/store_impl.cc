// Copyright annals authors.
//
// The annals store on RocksDB.
//
// ON-DISK FORMAT (format version 1).  One RocksDB database per store, with these column
// families.  All integers are big-endian so that byte order is numeric order.
//
//   default ("meta")
//     "format"          -> "annals-1"  (written when the store is created; a store
//                          without it is not an annals store, a different value is
//                          refused as a newer or unknown format)
//     "head"            -> u64 last_seq | 32 bytes last hash | i64 last recorded_at (µs)
//     "s/" stream       -> u64 version (events in the stream) | u64 seq of its last event
//     "v/" stream       -> u64 seq of its first domain event | the name of the vocabulary
//                          it thereby belongs to (SPEC §7); absent while it has none
//     "import"          -> u64 first seq of an import in progress (see StoreImpl::Import);
//                          absent otherwise
//     "cluster/applied" -> u64 JetStream sequence | 32 bytes SHA-256 of that message
//     "cluster/r/" id   -> Outcome (schema/cluster.capnp) of an append request
//     "cluster/s/" import id "/" u64 chunk -> a staged chunk of a large import
//                          (only in a cluster node's store; see format.h)
//   log
//     u64 seq           -> canonical Cap'n Proto Event (schema/event.capnp), hash set
//   stream
//     stream 0x00 u64 version -> u64 seq
//   valid                (events a fold visits: domain events, notes, facts; by their
//                         *original* effective)
//     stream 0x00 u64 (earliest ^ 2^63) u64 seq -> "" (empty)
//   id
//     id bytes          -> u64 seq
//   acts                 (corrections and retractions, by the event they act on)
//     u64 target seq | u64 seq -> "c" (correction) or "r" (retraction)
//   moved                (corrections that give a new effective: where they move their
//                         target in valid time; lets a fold read only a range of positions)
//     stream 0x00 u64 (new earliest ^ 2^63) u64 target seq u64 seq -> "" (empty)
//   checkpoint           (derived, disposable: folded states, see checkpoint.cc for the
//                         value; deleted when an append changes the fold before them)
//     stream 0x00 u64 (earliest ^ 2^63) u64 seq -> Checkpoint (validFrom inside)
//
// Stream names cannot contain 0x00, so "stream 0x00" is an unambiguous prefix.  The key
// literals and the derivation of an event's index entries are in format.h/.cc.
//
// Vocabulary registrations (SPEC §7) are ordinary events of the stream "$vocabulary";
// Open reads them back to know the store's event types (vocabulary_store.cc).
//
// Every append writes all of its events and index entries and the new head in one
// WriteBatch: RocksDB applies a batch atomically, and with sync the WAL record holding
// it is fsync'd before Write() returns.  Recovery therefore sees either the whole append
// or none of it.  Concurrent appends in one process share one batch and one fsync (group
// commit, see Append), each still all-or-nothing.

#include "log/store_impl.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <unordered_map>
#include <utility>

#include "log/chain.h"
#include "log/coding.h"
#include "log/format.h"

namespace annals {
namespace internal {

namespace {

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// True if this process can write into the directory `path`.
bool Writable(const std::string& path) { return ::access(path.c_str(), W_OK) == 0; }

std::string NoStore(const std::string& path) {
  return "no annals store at '" + path +
         "' (a store is created by the first append, import or restore)";
}

// A stat() or directory listing of the store's path failed with `err`.
Status PathError(int err, const std::string& path) {
  if (err == EACCES || err == EPERM) {
    return Status::Unavailable("cannot open store '" + path + "': permission denied");
  }
  return Status::Unavailable("cannot open store '" + path + "': " + std::strerror(err));
}

// Discards RocksDB's informational log: a read-only open creates no file.
class NullLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// True if no column family of `db` holds a key.
bool AllEmpty(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& cfs) {
  for (auto* cf : cfs) {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) return false;
  }
  return true;
}

// True for the files RocksDB (and the store's lock, store_lock.h) writes into a database
// directory before CURRENT exists.  A directory holding only these is a store whose
// creation was cut short (a crash during the first append): creating the store there again
// is safe and must not be refused.
bool IsRocksDbFile(const std::string& name) {
  auto starts = [&](const char* p) { return name.rfind(p, 0) == 0; };
  auto ends = [&](const char* s) {
    const size_t n = std::strlen(s);
    return name.size() >= n && name.compare(name.size() - n, n, s) == 0;
  };
  return name == kLockFileName || name == "LOCK" || name == "IDENTITY" || name == "LOG" ||
         starts("LOG.old.") || starts("MANIFEST-") || starts("OPTIONS-") || ends(".log") ||
         ends(".sst") || ends(".dbtmp");
}

// The "stream 0x00" prefix of a key of the stream column family: memtable insert hints
// per stream.  Only a hint for where RocksDB starts searching; it never changes a result.
class StreamHintPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "annals.StreamPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* nul = std::memchr(key.data(), '\0', key.size());
    return rocksdb::Slice(key.data(), static_cast<const char*>(nul) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

// RocksDB options for an append-mostly log with point reads by key and short prefix scans.
rocksdb::ColumnFamilyOptions CfOptions(const Options& options,
                                       const std::shared_ptr<rocksdb::Cache>& cache,
                                       std::string_view name) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point lookups (id index, log by seq, stream records) dominate appends and
  // verification: a bloom filter turns most misses (new ids) into no disk read.  The
  // other column families are only ever read by prefix scans, which a whole-key filter
  // cannot answer, so they build none.
  if (name == "id" || name == "log" || name == "stream" || name == "default" ||
      name == "acts") {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  }
  // acts is only searched by prefix (see below): its filter holds prefixes, not keys.
  if (name == "acts") table.whole_key_filtering = false;
  // Index and filter blocks go through the block cache, loaded when first needed, rather
  // than read whole when the store opens: a one-shot CLI query on a million-event store
  // otherwise reads every table's megabyte-sized filter before answering.  The newest
  // (L0) tables' blocks stay pinned, since every lookup consults them.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Events are read whole; 16 KiB blocks hold a few events each and halve index size.
  table.block_size = 16 * 1024;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Event text (partner names, sources, URLs) repeats across events; LZ4 costs little
  // CPU on the append path and is in Debian's RocksDB build.
  cf.compression = rocksdb::kLZ4Compression;
  if (name == "log") {
    // Every log read is a Get of a seq known to exist (from an index or the head): the
    // bottom level's bloom filters would never answer "no", so they are not built.
    cf.optimize_filters_for_hits = true;
  } else if (name == "stream") {
    // An append adds each stream's next version: right after that stream's last entry,
    // which, with events of many streams interleaved, is not where the previous insert
    // went.  A hint per stream lets the memtable start its search there.
    cf.memtable_insert_with_hint_prefix_extractor = std::make_shared<StreamHintPrefix>();
  } else if (name == "acts") {
    // A fold asks, for every event it folds, whether anything corrected or retracted it:
    // a seek to the event's seq (the key's first 8 bytes), which almost always finds
    // nothing.  A bloom filter over those prefixes, in the tables and the memtable,
    // answers most of these seeks without searching any block.  Seeks are confined to
    // one prefix; a scan of the whole column family must set total_order_seek.
    cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
    cf.memtable_prefix_bloom_size_ratio = 0.05;
  } else if (name == "id") {
    // Each appended event looks its id up, and new ids miss: a bloom filter over the
    // memtable answers those misses without walking the skip list.
    cf.memtable_whole_key_filtering = true;
    cf.memtable_prefix_bloom_size_ratio = 0.05;
  }
  (void)options;
  return cf;
}

}  // namespace

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::Unavailable(msg);
}

// ---- open ----------------------------------------------------------------------------

Result<std::unique_ptr<StoreImpl>> StoreImpl::OpenImpl(const std::string& path,
                                                       const Options& options,
                                                       const TestHooks& hooks) {
  using Access = Options::Access;
  bool read_only = options.access == Access::kReadOnly;
  if (read_only && options.create_if_missing) {
    return Status::InvalidArgument("a store opened read-only cannot be created");
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return PathError(errno, path);
    if (!options.create_if_missing) return Status::Unavailable(NoStore(path));
  } else {
    if (!S_ISDIR(st.st_mode)) {
      return Status::Unavailable("'" + path + "' is not an annals store (not a directory)");
    }
    if (options.access == Access::kReadWriteIfWritable && !Writable(path) &&
        (errno == EROFS || errno == EACCES || errno == EPERM)) {
      read_only = true;
    }
    if (::stat((path + "/CURRENT").c_str(), &st) != 0) {
      if (errno != ENOENT) return PathError(errno, path);
      if (!options.create_if_missing) return Status::Unavailable(NoStore(path));
    }
  }

  for (int round = 0;; ++round) {
    StoreLock::Request request;
    request.mode = read_only ? StoreLock::Mode::kShared : StoreLock::Mode::kExclusive;
    request.create = options.create_if_missing;
    request.wait_micros = options.wait_micros;
    request.waiting = options.waiting;
    auto lock = StoreLock::Acquire(path, request);
    if (!lock.ok()) {
      if (lock.status().IsNotFound()) return Status::Unavailable(NoStore(path));
      return lock.status();
    }
    bool repair = false;
    auto store = OpenLocked(path, options, hooks, read_only, std::move(lock).value(), &repair);
    if (!repair || round > 0) return store;
    // A read-only open found what only a writer may mend (an import cut short by a crash,
    // a store made before some column families existed): open it once for writing, which
    // mends it, and read it then.
    Options writer = options;
    writer.access = Access::kReadWrite;
    writer.create_if_missing = false;
    auto mended = OpenImpl(path, writer, hooks);
    if (!mended.ok()) return mended.status();
  }
}

Result<std::unique_ptr<StoreImpl>> StoreImpl::OpenLocked(const std::string& path,
                                                         const Options& options,
                                                         const TestHooks& hooks,
                                                         bool read_only,
                                                         std::unique_ptr<StoreLock> lock,
                                                         bool* repair) {
  std::unique_ptr<StoreImpl> store(new StoreImpl());
  store->options_ = options;
  store->hooks_ = hooks;
  store->path_ = path;
  store->read_only_ = read_only;
  store->lock_ = std::move(lock);
  // Decided under the lock: no other Store can create or fill the store meanwhile.
  const bool has_db = PathExists(path + "/CURRENT");
  if (!has_db) {
    if (!options.create_if_missing) return Status::Unavailable(NoStore(path));
    // Refuse to scatter a database into a directory that already holds other files.
    // Checked under the lock, where no other Store can be creating a store here.
    rocksdb::Env* env = hooks.env ? hooks.env : rocksdb::Env::Default();
    std::vector<std::string> children;
    rocksdb::Status listed = env->GetChildren(path, &children);
    if (!listed.ok()) {
      if (listed.ToString().find("ermission denied") != std::string::npos) {
        return PathError(EACCES, path);
      }
      return FromRocks(listed, "cannot open store '" + path + "'");
    }
    for (const auto& c : children) {
      if (c != "." && c != ".." && !IsRocksDbFile(c)) {
        return Status::Unavailable("'" + path + "' is not an annals store (a non-empty "
                                   "directory without a database)");
      }
    }
  }
  // A store this Open creates is removed again if it is still empty when the Store closes:
  // whatever failed (Open itself, the first write, the parsing of what was to be written)
  // left nothing behind.
  store->created_ = !has_db;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !has_db;
  db_options.create_missing_column_families = !has_db;
  if (hooks.env) db_options.env = hooks.env;
  if (read_only) db_options.info_log = std::make_shared<NullLogger>();
  // A crash while a store is being created can leave a database with only some of the
  // column families, and no data.  That is completed on the next write rather than
  // refused forever as "not an annals store" (it holds nothing; a foreign database with
  // other column families or any data is still refused, and not touched).
  std::vector<std::string> existing;
  const bool listed =
      has_db && rocksdb::DB::ListColumnFamilies(db_options, path, &existing).ok();
  auto has = [&](const char* n) {
    return std::find(existing.begin(), existing.end(), n) != existing.end();
  };
  bool base = listed;
  for (size_t i = 0; i < kBaseCfCount; ++i) base = base && has(kCfNames[i]);
  if (read_only) {
    // OpenForReadOnly opens a subset of the column families without complaint: a
    // database with other ones is not a store, one without the derived ones (moved,
    // checkpoint) is a store of an earlier annals that a writer must first complete.
    const bool foreign =
        std::any_of(existing.begin(), existing.end(), [](const std::string& n) {
          return std::find(std::begin(kCfNames), std::end(kCfNames), n) == std::end(kCfNames);
        });
    if (!base || foreign) {
      return Status::Unavailable("'" + path + "' is not an annals store (it lacks the "
                                 "column families of one)");
    }
    if (existing.size() < kCfCount) {
      if (Writable(path)) {
        *repair = true;
        return Status::Unavailable("store '" + path + "' must be completed by a writer");
      }
      return Status::Unavailable("store '" + path + "' was made by an earlier annals and "
                                 "must be opened once by a command that writes, but its "
                                 "directory cannot be written");
    }
  } else if (listed && options.create_if_missing) {
    if (existing.size() < kCfCount &&
        std::all_of(existing.begin(), existing.end(), [](const std::string& n) {
          return std::find(std::begin(kCfNames), std::end(kCfNames), n) != std::end(kCfNames);
        })) {
      std::vector<rocksdb::ColumnFamilyDescriptor> have;
      for (const auto& n : existing) have.emplace_back(n, rocksdb::ColumnFamilyOptions());
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      rocksdb::DB* ro = nullptr;
      if (rocksdb::DB::OpenForReadOnly(db_options, path, have, &handles, &ro).ok()) {
        std::unique_ptr<rocksdb::DB> ro_db(ro);
        db_options.create_missing_column_families = AllEmpty(ro_db.get(), handles);
        for (auto* h : handles) ro_db->DestroyColumnFamilyHandle(h);
      }
    }
  }
  // A store made before the derived column families (moved, checkpoint) existed: add them.
  // Only a database that has every base column family qualifies.
  bool backfill_moved = false;
  if (!read_only && listed && !db_options.create_missing_column_families && base &&
      existing.size() < kCfCount) {
    db_options.create_missing_column_families = true;
    backfill_moved = !has("moved");
  }
  // Durability comes from syncing the WAL on each write (WriteOptions::sync); the WAL is
  // never disabled.  Recovery: stop at the first corrupt record rather than skipping it,
  // so a torn tail is dropped and nothing after a gap is replayed.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Flushes and compactions hand their output to the disk every MiB instead of in one
  // burst at the end, so an fsync of the WAL (an append) never queues behind a large
  // write-back.  Durability is unchanged: it comes from the WAL sync.
  db_options.bytes_per_sync = 1 << 20;
  // Opening loads each table's metadata; RocksDB's default of 16 threads per column
  // family started over a hundred threads per open, which cost a one-shot CLI command
  // more than the query it ran.
  db_options.max_file_opening_threads = 1;

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kCfNames) {
    descriptors.emplace_back(name, CfOptions(options, cache, name));
  }
  rocksdb::DB* raw = nullptr;
  // OpenForReadOnly beside a writer is undefined in RocksDB 7.8; the shared lock keeps
  // every writer out while a read-only Store is open.
  rocksdb::Status s =
      read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &store->cfs_, &raw)
          : rocksdb::DB::Open(db_options, path, descriptors, &store->cfs_, &raw);
  std::unique_ptr<rocksdb::DB> db(raw);  // own it at once
  if (!s.ok()) {
    std::string text = s.ToString();
    if (s.IsIOError() && (text.find("lock") != std::string::npos ||
                          text.find("Resource temporarily unavailable") != std::string::npos)) {
      // RocksDB's own lock, held by an annals older than the store's lock file.
      return Status::Unavailable("store '" + path + "' is in use by another process");
    }
    if (s.IsInvalidArgument() && text.find("olumn famil") != std::string::npos) {
      return Status::Unavailable("'" + path + "' is not an annals store (" + text + ")");
    }
    return FromRocks(s, "cannot open store '" + path + "'");
  }
  store->db_ = std::move(db);

  std::string format;
  s = store->db_->Get(rocksdb::ReadOptions(), store->cfs_[kMeta], kFormatKey, &format);
  if (s.IsNotFound()) {
    // Without a format marker only an empty database (a creation cut short by a crash) is
    // made a store, and only by a write.
    if (has_db && !(options.create_if_missing && AllEmpty(store->db_.get(), store->cfs_))) {
      return Status::Unavailable("'" + path + "' is not an annals store (no format marker)");
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::WriteBatch batch;
    batch.Put(store->cfs_[kMeta], kFormatKey, kFormatValue);
    batch.Put(store->cfs_[kMeta], kHeadKey, HeadValue(0, Hash{}, 0));
    ANNALS_RETURN_IF_ERROR(FromRocks(store->db_->Write(wo, &batch), "cannot create store"));
  } else if (!s.ok()) {
    return FromRocks(s, "cannot read store format");
  } else if (format != kFormatValue) {
    return Status::Unavailable("'" + path + "' has store format '" + format +
                               "', which this annals does not read (it reads " +
                               kFormatValue + ")");
  }
  ANNALS_RETURN_IF_ERROR(store->LoadHead());
  ANNALS_RETURN_IF_ERROR(store->LoadRegistry());
  {
    std::string from;
    s = store->db_->Get(rocksdb::ReadOptions(), store->cfs_[kMeta], kImportKey, &from);
    if (s.ok() && from.size() == 8) {
      if (!read_only) {
        ANNALS_RETURN_IF_ERROR(store->RemoveUncommittedLocked(GetU64(from.data())));
      } else if (Writable(path)) {
        *repair = true;
        return Status::Unavailable("store '" + path + "' must be mended by a writer");
      }
      // Else the chunks stay: every read is bounded by the head, and they lie beyond it.
    } else if (!s.ok() && !s.IsNotFound()) {
      return FromRocks(s, "read import marker");
    }
  }
  if (backfill_moved) ANNALS_RETURN_IF_ERROR(store->BackfillMovedIndex());
  {
    uint64_t seed[4] = {0, 0, 0, 0};
    if (RAND_bytes(reinterpret_cast<unsigned char*>(seed), sizeof(seed)) != 1) {
      seed[0] = static_cast<uint64_t>(store->NowMicros());  // ids need only be unique
      seed[1] = reinterpret_cast<uintptr_t>(store.get());
    }
    std::vector<uint32_t> words;
    for (uint64_t x : seed) {
      words.push_back(static_cast<uint32_t>(x));
      words.push_back(static_cast<uint32_t>(x >> 32));
    }
    std::seed_seq seq(words.begin(), words.end());
    store->ids_.rng.seed(seq);
  }
  store->opened_ = true;
  return store;
}

StoreImpl::~StoreImpl() {
  if (db_) {
    if (opened_ && !read_only_) FlushLargeWal();
    for (auto* cf : cfs_) db_->DestroyColumnFamilyHandle(cf);
    cfs_.clear();
    db_->Close();
    db_.reset();
  }
  if (lock_ == nullptr) return;
  if (created_ && last_seq_ == 0) {
    // Still under the exclusive lock: no other Store has seen this store.  A waiter that
    // then gets the removed lock file starts over (StoreLock::Acquire).
    rocksdb::Options o;
    if (hooks_.env) o.env = hooks_.env;
    (void)rocksdb::DestroyDB(path_, o);
    lock_->RemoveFile();
    if (lock_->created_dir()) ::rmdir(path_.c_str());
  } else if (!opened_ && !created_ && lock_->created_file()) {
    lock_->RemoveFile();  // not a store after all, or unreadable: leave it as it was
  }
  lock_.reset();
}

void StoreImpl::FlushLargeWal() {
  // Read-only opens (OpenForReadOnly) replay the WAL into memory every time: after an
  // import of 300,000 events that cost each reader 0.9 s.  A writer that leaves more than
  // this in the WAL flushes the memtables to tables before it closes, as the next
  // read-write open would otherwise do during its recovery; small appends flush nothing.
  constexpr uint64_t kMaxWalBytes = 4 << 20;
  rocksdb::VectorLogPtr wals;
  if (!db_->GetSortedWalFiles(wals).ok()) return;
  uint64_t bytes = 0;
  for (const auto& w : wals) bytes += w->SizeFileBytes();
  if (bytes <= kMaxWalBytes) return;
  // A failure leaves the WAL to the next open, as before.
  (void)db_->Flush(rocksdb::FlushOptions(), cfs_);
}

Status StoreImpl::LoadHead() {
  std::string head;
  ANNALS_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], kHeadKey, &head), "read head"));
  if (head.size() != 8 + 32 + 8) return Status::Corruption("store head record is malformed");
  last_seq_ = GetU64(head.data());
  std::memcpy(last_hash_.data(), head.data() + 8, 32);
  last_recorded_at_ = static_cast<int64_t>(GetU64(head.data() + 40));
  return Status::OK();
}

int64_t StoreImpl::NowMicros() const {
  if (hooks_.now_micros) return hooks_.now_micros();
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t StoreImpl::LastSeq() { return last_seq_.load(); }

}  // namespace internal

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const Options& options) {
  auto impl = internal::StoreImpl::OpenImpl(path, options, internal::TestHooks());
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<Store>(std::move(impl).value());
}

}  // namespace annals
