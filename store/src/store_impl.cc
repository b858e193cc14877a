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
//     "import"          -> u64 first seq of an import in progress (see StoreImpl::Import);
//                          absent otherwise
//   log
//     u64 seq           -> canonical Cap'n Proto Event (schema/event.capnp), hash set
//   stream
//     stream 0x00 u64 version -> u64 seq
//   valid                (domain events only, by their *original* effective)
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
// Stream names cannot contain 0x00, so "stream 0x00" is an unambiguous prefix.
//
// Every append writes all of its events and index entries and the new head in one
// WriteBatch: RocksDB applies a batch atomically, and with sync the WAL record holding
// it is fsync'd before Write() returns.  Recovery therefore sees either the whole append
// or none of it.  Concurrent appends in one process share one batch and one fsync (group
// commit, see Append), each still all-or-nothing.

#include "store_impl.h"

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

#include "coding.h"
#include "sorted_batch.h"

namespace annals {
namespace internal {

namespace {

constexpr char kFormatKey[] = "format";
constexpr char kFormatValue[] = "annals-1";
constexpr char kHeadKey[] = "head";
constexpr char kStreamMetaPrefix[] = "s/";
// Present while an import is in progress: u64 seq of its first event.  Events from there
// on, beyond the head, are uncommitted chunks; Open removes them (StoreImpl::Import).
constexpr char kImportKey[] = "import";

const char* const kCfNames[] = {"default", "log",   "stream", "valid",
                                "id",      "acts",  "moved",  "checkpoint"};
// Column families derived from the log that a store made before they existed lacks.
constexpr size_t kBaseCfCount = 6;

std::string ActsKey(uint64_t target_seq, uint64_t seq) {
  std::string k;
  PutU64(&k, target_seq);
  PutU64(&k, seq);
  return k;
}

std::string StreamMetaKey(std::string_view stream) {
  return std::string(kStreamMetaPrefix) + std::string(stream);
}

std::string StreamMetaValue(uint64_t version, uint64_t last_seq) {
  std::string v;
  PutU64(&v, version);
  PutU64(&v, last_seq);
  return v;
}

std::string HeadValue(uint64_t seq, const Hash& hash, int64_t recorded_at) {
  std::string v;
  PutU64(&v, seq);
  v.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  PutU64(&v, static_cast<uint64_t>(recorded_at));
  return v;
}

std::string_view View(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }

rocksdb::Slice WordsSlice(const kj::Array<capnp::word>& words) {
  return rocksdb::Slice(reinterpret_cast<const char*>(words.begin()),
                        words.size() * sizeof(capnp::word));
}

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

// Sets a Text field of the event under construction to the lower-case hex of `hash`,
// without a temporary string: `init(n)` allocates the field (e.g. initHash).
template <typename InitText>
void SetHex(const Hash& hash, InitText init) {
  HexInto(hash.data(), hash.size(), init(2 * hash.size()).begin());
}

bool ParseHex32(std::string_view hex, Hash* out) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (int j = 0; j < 2; ++j) {
      char c = hex[2 * i + j];
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    (*out)[i] = static_cast<unsigned char>(v);
  }
  return true;
}

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

Hash ChainHash(const Hash& prev, kj::ArrayPtr<const capnp::word> bytes) {
  // One digest context per thread, reused: creating a context and looking the algorithm
  // up again for every event cost as much as hashing it.  The algorithm is fetched once
  // (OpenSSL 3): EVP_sha256() is a legacy handle that every EVP_DigestInit_ex would look
  // up in the provider tables again.  Fetched handles live until exit.
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  static const EVP_MD* const kSha256 = [] {
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return md ? md : EVP_sha256();
  }();
  thread_local Ctx holder;
  Hash out{};
  unsigned int len = 0;
  EVP_DigestInit_ex(holder.ctx, kSha256, nullptr);
  EVP_DigestUpdate(holder.ctx, prev.data(), prev.size());
  EVP_DigestUpdate(holder.ctx, bytes.begin(), bytes.size() * sizeof(capnp::word));
  EVP_DigestFinal_ex(holder.ctx, out.data(), &len);
  return out;
}

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
  store->created_ = !has_db;
  store->remove_if_empty_ = store->created_;  // until Open succeeds

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
  store->remove_if_empty_ = false;
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
  if (created_ && remove_if_empty_ && last_seq_ == 0) {
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

// ---- append --------------------------------------------------------------------------

namespace {

// What an append knows about an event id: stored, or earlier in the same batch.
struct KnownEvent {
  uint64_t seq;
  uint64_t version;
  std::string stream;
  EventType type;
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

bool SameWords(const kj::Array<capnp::word>& a, const kj::Array<capnp::word>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.begin(), b.begin(), a.size() * sizeof(capnp::word)) == 0;
}

}  // namespace

Result<std::shared_ptr<const EventRep>> StoreImpl::ReadEvent(uint64_t seq) {
  // The slice pins the block it was read from (or owns the copy RocksDB made): when the
  // value happens to be word-aligned the event is decoded in place and keeps the pin.
  auto value = std::make_shared<rocksdb::PinnableSlice>();
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kLog], SeqKey(seq), value.get());
  if (s.IsNotFound()) return Status::NotFound("no event with seq " + std::to_string(seq));
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read event"));
  const std::string_view bytes(value->data(), value->size());
  auto rep = EventRep::FromStoredPinned(bytes, std::move(value));
  if (!rep.ok()) return rep.status().WithPrefix("seq " + std::to_string(seq));
  return rep;
}

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
  std::map<std::string, std::pair<uint64_t, uint64_t>> streams;  // version, last seq
  std::unordered_map<std::string, KnownEvent> batch_ids;
  std::set<uint64_t> retracted;
  // Per stream, the smallest valid-time key (earliest, seq) whose fold this batch changes:
  // checkpoints at or after it are no longer valid from this batch on.
  std::map<std::string, CheckpointKey> touched;
  rocksdb::WriteBatch batch;
  ImportLabels import_labels;  // an import's earlier chunks
};

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
  if (!result.ok()) remove_if_empty_ = true;
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
  if (self.done) return std::move(*self.result);

  // The leader.  A group stops growing at kMaxGroupEvents events, so that small appends
  // queued behind a big one are not delayed by a huge batch (the leader's own append is
  // always taken whole).
  constexpr size_t kMaxGroupEvents = 4096;
  std::vector<Writer*> group;
  size_t group_events = 0;
  for (Writer* w : writers_) {
    if (!group.empty() && group_events + w->events->size() > kMaxGroupEvents) break;
    group.push_back(w);
    group_events += w->events->size();
  }
  queue_lock.unlock();
  {
    std::lock_guard<std::mutex> write_lock(write_mu_);
    CommitGroupLocked(group, group_events);
  }
  queue_lock.lock();
  for (Writer* w : group) {
    writers_.pop_front();
    if (w != &self) {
      w->done = true;
      w->cv.notify_one();
    }
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return std::move(*self.result);
}

void StoreImpl::CommitGroupLocked(const std::vector<Writer*>& group, size_t events) {
  // About what an event takes in the batch: its log value (~0.5-1 KiB for typical events)
  // and four or five index entries.  Only an estimate: a batch outgrowing it still grows.
  constexpr size_t kReserveBytesPerEvent = 1024;
  Pending p(events * kReserveBytesPerEvent);
  p.seq = last_seq_;
  p.prev = last_hash_;
  p.recorded_at = last_recorded_at_;
  std::vector<Writer*> written;
  for (Writer* w : group) {
    // Undo information: everything AssembleLocked changes in `p` besides the batch.
    const uint64_t seq = p.seq;
    const Hash prev = p.prev;
    const int64_t recorded_at = p.recorded_at;
    auto streams = p.streams;
    auto touched = p.touched;
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
      for (const auto& id : ids) p.batch_ids.erase(id);
      for (uint64_t r : retracted) p.retracted.erase(r);
      w->result = std::move(s);
      continue;
    }
    (void)p.batch.PopSavePoint();
    w->result = std::move(results);
    if (p.seq != seq) written.push_back(w);
  }
  if (written.empty()) return;  // every append failed or was an idempotent repeat

  for (const auto& [name, state] : p.streams) {
    if (state.second > last_seq_) {
      p.batch.Put(cfs_[kMeta], StreamMetaKey(name), StreamMetaValue(state.first, state.second));
    }
  }
  Status s = InvalidateCheckpointsLocked(p.touched, &p.batch);
  if (s.ok()) {
    p.batch.Put(cfs_[kMeta], kHeadKey, HeadValue(p.seq, p.prev, p.recorded_at));
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    s = FromRocks(db_->Write(wo, &p.batch), "append failed");
  }
  if (!s.ok()) {
    for (Writer* w : written) w->result = s;
    return;
  }
  last_hash_ = p.prev;
  last_recorded_at_ = p.recorded_at;
  last_seq_ = p.seq;
}

Status StoreImpl::AssembleLocked(std::vector<NewEvent>* events_in, const AppendOptions& options,
                                 Pending* p, std::vector<AppendResult>* results_out,
                                 std::vector<std::string>* added_ids,
                                 std::vector<uint64_t>* added_retracted) {
  std::vector<NewEvent>& events = *events_in;
  const int64_t recorded_at = p->fixed_recorded_at
                                  ? p->fixed_recorded_at
                                  : std::max(NowMicros(), p->recorded_at + 1);
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
                                                std::string(View(r.getStream())), TypeOf(r),
                                                *rep});
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
    if (!event.hasId()) event.setId(NewUuidV7(recorded_at, &ids_));
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

    const EventType type = TypeOf(event);
    std::optional<KnownEvent> target;
    std::optional<int64_t> moved_to;  // a correction's new earliest
    if (IsMetaType(type)) {
      std::string target_id(type == EventType::kCorrection
                                ? View(event.getCorrection().getTarget())
                                : View(event.getRetraction().getTarget()));
      auto t = lookup(target_id);
      if (!t.ok()) return t.status();
      if (!t->has_value() || (*t)->stream != stream) {
        return Status::NotFound(where() + "event '" + target_id + "' not found in stream '" +
                                stream + "'");
      }
      target = **t;
      if (IsMetaType(target->type)) {
        return Status::InvalidArgument(where() + "event '" + target_id + "' is a " +
                                       std::string(EventTypeName(target->type)) +
                                       "; only domain events can be corrected or retracted");
      }
      if (type == EventType::kRetraction) {
        auto r = is_retracted(target->seq);
        if (!r.ok()) return r.status();
        if (r->has_value()) {
          return Status::InvalidArgument(where() + "event '" + target_id +
                                         "' is already retracted");
        }
        p->retracted.insert(target->seq);
        added_retracted->push_back(target->seq);
      } else {
        auto corrected = ApplyCorrection(target->get(), event.getCorrection().asReader());
        if (!corrected.ok()) return corrected.status().WithPrefix(where() + "correction of '" +
                                                                  target_id + "'");
        if (event.getCorrection().hasEffective()) moved_to = (*corrected)->effective().earliest;
      }
      // The fold changes from the target's earliest position on: its original one, any
      // position an earlier correction moved it to, and the new one.
      auto from = EarliestPositionLocked(target->seq, target->get().effective().earliest);
      if (!from.ok()) return from.status();
      touch(stream, *from);
      if (moved_to) touch(stream, CheckpointKey{*moved_to, target->seq});
    } else {
      touch(stream, CheckpointKey{rep.effective().earliest, seq + 1});
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
    batch.Put(cfs_[kStream], StreamKey(stream, version), SeqKey(seq));
    batch.Put(cfs_[kId], id, SeqKey(seq));
    if (IsMetaType(type)) {
      batch.Put(cfs_[kActs], ActsKey(target->seq, seq),
                type == EventType::kRetraction ? "r" : "c");
      if (moved_to) batch.Put(cfs_[kMoved], MovedKey(stream, *moved_to, target->seq, seq), "");
    } else {
      batch.Put(cfs_[kValid], PositionKey(stream, rep.effective().earliest, seq), "");
    }
    batch_ids.emplace(id, KnownEvent{seq, version, stream, type, nullptr, &rep, &options, i});
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

// ---- import -------------------------------------------------------------------------

// An import is one transaction too, but too big for one WriteBatch: chunks of events are
// written (not synced) beyond the head, with a marker naming the first seq, and a last
// synced batch writes the stream records and the head and drops the marker.  Until then
// readers see nothing of it (every read is bounded by the head: ReadStream, ScanLog,
// GetBySeq, the checkpointed fold; stream records are written last).  Validation of a
// chunk sees the earlier chunks through the indexes, as one Append would.
Result<ImportSummary> StoreImpl::Import(const ImportSource& next) {
  ANNALS_RETURN_IF_ERROR(CheckWritable());
  auto result = ImportEvents(next);
  if (!result.ok()) remove_if_empty_ = true;
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
  last_seq_ = p.seq;
  return summary;
}

Status StoreImpl::RemoveUncommittedLocked(uint64_t from) {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kLog]));
  for (it->Seek(SeqKey(std::max(from, last_seq_.load() + 1))); it->Valid(); it->Next()) {
    if (it->key().size() != 8) continue;
    const uint64_t seq = GetU64(it->key().data());
    batch.Delete(cfs_[kLog], it->key());
    auto rep = EventRep::FromStored(std::string_view(it->value().data(), it->value().size()));
    if (!rep.ok()) continue;  // nothing more to find of it
    auto r = (*rep)->reader();
    const std::string stream(View(r.getStream()));
    batch.Delete(cfs_[kStream], StreamKey(stream, r.getVersion()));
    std::string at;
    if (db_->Get(rocksdb::ReadOptions(), cfs_[kId], View(r.getId()), &at).ok() &&
        at == SeqKey(seq)) {
      batch.Delete(cfs_[kId], View(r.getId()));
    }
    const EventType type = TypeOf(r);
    if (IsMetaType(type)) {
      // The acts and moved keys start with the target's seq / the stream: find the target.
      std::string target_id(type == EventType::kCorrection
                                ? View(r.getCorrection().getTarget())
                                : View(r.getRetraction().getTarget()));
      std::string target;
      if (db_->Get(rocksdb::ReadOptions(), cfs_[kId], target_id, &target).ok() &&
          target.size() == 8) {
        const uint64_t target_seq = GetU64(target.data());
        batch.Delete(cfs_[kActs], ActsKey(target_seq, seq));
        if (type == EventType::kCorrection && r.getCorrection().hasEffective()) {
          auto d = ParseFuzzyDate(r.getCorrection().getEffective().cStr());
          if (d.ok()) batch.Delete(cfs_[kMoved], MovedKey(stream, d->earliest, target_seq, seq));
        }
      }
    } else {
      batch.Delete(cfs_[kValid], PositionKey(stream, (*rep)->effective().earliest, seq));
    }
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read log"));
  batch.Delete(cfs_[kMeta], kImportKey);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &batch), "remove an unfinished import");
}

// ---- restore -------------------------------------------------------------------------

Status StoreImpl::Restore(const std::function<bool(std::string* line)>& next_line) {
  ANNALS_RETURN_IF_ERROR(CheckWritable());
  Status s = RestoreEvents(next_line);
  if (!s.ok()) remove_if_empty_ = true;
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
  std::string line;
  uint64_t line_no = 0;
  while (next_line(&line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = "line " + std::to_string(line_no);
    auto parsed = ParseEventJson(line, JsonMode::kExport);
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
    batch.Put(cfs_[kStream], StreamKey(stream, r.getVersion()), SeqKey(seq));
    batch.Put(cfs_[kId], id, SeqKey(seq));
    const EventType type = TypeOf(r);
    if (IsMetaType(type)) {
      std::string target_id(type == EventType::kCorrection ? View(r.getCorrection().getTarget())
                                                           : View(r.getRetraction().getTarget()));
      auto t = ids.find(target_id);
      if (t == ids.end() || View(t->second.second->reader().getStream()) != stream) {
        return Status::InvalidArgument(where + ": target '" + target_id +
                                       "' is not an earlier event of stream '" + stream + "'");
      }
      if (IsMetaType(TypeOf(t->second.second->reader()))) {
        return Status::InvalidArgument(where + ": target '" + target_id +
                                       "' is a correction or retraction");
      }
      if (type == EventType::kRetraction && !retracted.insert(t->second.first).second) {
        return Status::InvalidArgument(where + ": target '" + target_id +
                                       "' is retracted twice");
      }
      batch.Put(cfs_[kActs], ActsKey(t->second.first, seq),
                type == EventType::kRetraction ? "r" : "c");
      if (type == EventType::kCorrection && r.getCorrection().hasEffective()) {
        auto d = ParseFuzzyDate(r.getCorrection().getEffective().cStr());
        if (!d.ok()) return d.status().WithPrefix(where + ": field 'data.effective'");
        batch.Put(cfs_[kMoved], MovedKey(stream, d->earliest, t->second.first, seq), "");
      }
    } else {
      batch.Put(cfs_[kValid], PositionKey(stream, rep->effective().earliest, seq), "");
    }
  }
  if (seq == 0) return Status::InvalidArgument("the export is empty: nothing to restore");
  for (const auto& [name, state] : streams) {
    batch.Put(cfs_[kMeta], StreamMetaKey(name), StreamMetaValue(state.first, state.second));
  }
  batch.Put(cfs_[kMeta], kHeadKey, HeadValue(seq, prev, last_recorded));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  ANNALS_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "restore failed"));
  last_hash_ = prev;
  last_recorded_at_ = last_recorded;
  last_seq_ = seq;
  return Status::OK();
}

// ---- reads ---------------------------------------------------------------------------

Result<Event> StoreImpl::GetBySeq(uint64_t seq) {
  if (seq == 0 || seq > last_seq_) {
    return Status::NotFound("no event with seq " + std::to_string(seq));
  }
  auto rep = ReadEvent(seq);
  if (!rep.ok()) return rep.status();
  return Event(std::move(rep).value());
}

Result<Event> StoreImpl::GetById(std::string_view id) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kId], rocksdb::Slice(id.data(),
                                                                                 id.size()),
                               &v);
  if (s.IsNotFound()) return Status::NotFound("no event with id '" + std::string(id) + "'");
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read id index"));
  if (v.size() != 8) return Status::Corruption("id index entry is malformed");
  return GetBySeq(GetU64(v.data()));
}

Status StoreImpl::ReadStream(std::string_view stream, uint64_t max_seq,
                             const Visitor<Event>& visit) {
  const std::string prefix = StreamPrefix(stream);
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kStream]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->value().size() != 8) return Status::Corruption("stream index entry is malformed");
    uint64_t seq = GetU64(it->value().data());
    if (seq > max_seq) break;  // versions grow with seq within a stream
    auto rep = ReadEvent(seq);
    if (!rep.ok()) return rep.status();
    if (!visit(Event(std::move(rep).value()))) return Status::OK();
  }
  return FromRocks(it->status(), "read stream index");
}

Status StoreImpl::ScanLog(const LogRange& range, const Visitor<Event>& visit) {
  const uint64_t until = std::min<uint64_t>(range.until_seq.value_or(UINT64_MAX), last_seq_);
  const uint64_t limit = range.limit.value_or(UINT64_MAX);
  uint64_t count = 0;
  if (!range.stream.empty()) {
    return ReadStream(range.stream, until, [&](const Event& e) {
      if (e.seq() <= range.after_seq) return true;
      if (count >= limit) return false;
      ++count;
      return visit(e);
    });
  }
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kLog]));
  for (it->Seek(SeqKey(range.after_seq + 1)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return Status::Corruption("log key is malformed");
    uint64_t seq = GetU64(it->key().data());
    if (seq > until) break;
    if (count >= limit) break;
    auto rep = EventRep::FromStored(std::string_view(it->value().data(), it->value().size()));
    if (!rep.ok()) return rep.status().WithPrefix("seq " + std::to_string(seq));
    ++count;
    if (!visit(Event(std::move(rep).value()))) break;
  }
  return FromRocks(it->status(), "read log");
}

Result<std::vector<StreamInfo>> StoreImpl::ListStreams() {
  std::vector<StreamInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kMeta]));
  for (it->Seek(kStreamMetaPrefix); it->Valid() && it->key().starts_with(kStreamMetaPrefix);
       it->Next()) {
    if (it->value().size() != 16) return Status::Corruption("stream record is malformed");
    StreamInfo info;
    info.name = it->key().ToString().substr(2);
    info.events = GetU64(it->value().data());
    info.last_seq = GetU64(it->value().data() + 8);
    out.push_back(std::move(info));
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read streams"));
  return out;
}

Result<StreamInfo> StoreImpl::GetStream(std::string_view stream) {
  std::string v;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], StreamMetaKey(stream), &v);
  if (s.IsNotFound()) return Status::NotFound("no stream '" + std::string(stream) + "'");
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read stream"));
  if (v.size() != 16) return Status::Corruption("stream record is malformed");
  return StreamInfo{std::string(stream), GetU64(v.data()), GetU64(v.data() + 8)};
}

Result<uint64_t> StoreImpl::ResolveKnownAt(const std::string& known_at) {
  const uint64_t last = last_seq_;
  if (known_at.empty()) return last;
  if (known_at[0] == '@') {
    const std::string digits = known_at.substr(1);
    if (digits.empty() || digits.size() > 19 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return Status::InvalidArgument("invalid known-at '" + known_at +
                                     "': expected an instant or @SEQ");
    }
    return std::min<uint64_t>(std::stoull(digits), last);
  }
  auto t = ParseInstant(known_at);
  if (!t.ok()) return t.status();
  // recorded_at grows with seq: binary search the last event recorded at or before t.
  uint64_t lo = 0, hi = last;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    auto rep = ReadEvent(mid);
    if (!rep.ok()) return rep.status();
    if ((*rep)->recorded_at_micros() <= *t) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

// ---- verify --------------------------------------------------------------------------

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
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> ids;  // id -> seq, stream
  std::vector<std::pair<uint64_t, std::pair<std::string, EventType>>> acts;  // seq, target, type
  // seq, target, (stream, new earliest): corrections that move their target
  std::vector<std::pair<uint64_t, std::pair<std::string, std::pair<std::string, int64_t>>>> moved;
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
    auto decoded = EventRep::FromStored(bytes);
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
    Status content = ValidateContent(r);
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
    expect(kStream, StreamKey(stream, r.getVersion()), SeqKey(seq), seq);
    expect(kId, id, SeqKey(seq), seq);
    if (!ids.emplace(id, std::make_pair(seq, stream)).second) {
      problem(at + ": id '" + id + "' is used by an earlier event too");
    }
    const EventType type = TypeOf(r);
    if (IsMetaType(type)) {
      std::string target(type == EventType::kCorrection ? View(r.getCorrection().getTarget())
                                                        : View(r.getRetraction().getTarget()));
      acts.push_back({seq, {target, type}});
      if (type == EventType::kCorrection && r.getCorrection().hasEffective()) {
        auto d = ParseFuzzyDate(r.getCorrection().getEffective().cStr());
        if (d.ok()) moved.push_back({seq, {target, {stream, d->earliest}}});
      }
    } else {
      expect(kValid, PositionKey(stream, rep.effective().earliest, seq), "", seq);
    }
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read log"));
  for (const auto& [seq, act] : acts) {
    auto t = ids.find(act.first);
    if (t == ids.end() || t->second.first >= seq) {
      problem("seq " + std::to_string(seq) + ": acts on '" + act.first +
              "', which is not an earlier event");
      continue;
    }
    expect(kActs, ActsKey(t->second.first, seq),
           act.second == EventType::kRetraction ? "r" : "c", seq);
  }
  for (const auto& [seq, m] : moved) {
    auto t = ids.find(m.first);
    if (t == ids.end() || t->second.first >= seq) continue;  // reported above
    expect(kMoved, MovedKey(m.second.first, m.second.second, t->second.first, seq), "", seq);
  }
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
      if (cf == kMeta && key.rfind(kStreamMetaPrefix, 0) != 0) continue;
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

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const Options& options) {
  auto impl = internal::StoreImpl::OpenImpl(path, options, internal::TestHooks());
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<Store>(std::move(impl).value());
}

}  // namespace annals
