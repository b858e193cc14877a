// Copyright annals authors.
//
// StoreImpl: the RocksDB-backed implementation of annals::Store.  Key layouts are
// documented at the top of store_impl.cc, which writes them.

#ifndef ANNALS_STORE_SRC_STORE_IMPL_H_
#define ANNALS_STORE_SRC_STORE_IMPL_H_

#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "annals/store.h"
#include "event_rep.h"

namespace annals {
namespace internal {

using Hash = std::array<unsigned char, 32>;

// SHA-256(prev || bytes).
Hash ChainHash(const Hash& prev, kj::ArrayPtr<const capnp::word> bytes);

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
  ~StoreImpl() override;

  Result<std::vector<AppendResult>> Append(std::vector<NewEvent> events,
                                           const AppendOptions& options) override;
  Status Restore(const std::function<bool(std::string* line)>& next_line) override;
  Result<Event> GetBySeq(uint64_t seq) override;
  Result<Event> GetById(std::string_view id) override;
  Status ScanLog(const LogRange& range, const Visitor<Event>& visit) override;
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

  // ---- for the query engine and tests ----

  // Visits the events of `stream` with seq <= max_seq in version (= seq) order, including
  // corrections and retractions.
  Status ReadStream(std::string_view stream, uint64_t max_seq, const Visitor<Event>& visit);
  // The last assigned seq (0 for an empty store).
  uint64_t LastSeq();
  // Resolves a known_at ("" = now, "@N", or an instant) to the largest visible seq.
  Result<uint64_t> ResolveKnownAt(const std::string& known_at);

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf_log() { return cfs_[kLog]; }
  rocksdb::ColumnFamilyHandle* cf_stream() { return cfs_[kStream]; }
  rocksdb::ColumnFamilyHandle* cf_valid() { return cfs_[kValid]; }
  rocksdb::ColumnFamilyHandle* cf_id() { return cfs_[kId]; }
  rocksdb::ColumnFamilyHandle* cf_acts() { return cfs_[kActs]; }
  rocksdb::ColumnFamilyHandle* cf_meta() { return cfs_[kMeta]; }

 private:
  enum CfIndex { kMeta = 0, kLog, kStream, kValid, kId, kActs, kCfCount };

  StoreImpl() = default;
  Status LoadHead();
  int64_t NowMicros() const;
  Result<std::shared_ptr<const EventRep>> ReadEvent(uint64_t seq);

  Options options_;
  TestHooks hooks_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // owned by db_; destroyed before it

  // Serialises writers; readers do not take it (the log is append-only).
  std::mutex write_mu_;
  // The head of the log: guarded by write_mu_ for writes, read atomically.
  std::atomic<uint64_t> last_seq_{0};
  Hash last_hash_{};
  int64_t last_recorded_at_ = 0;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_STORE_IMPL_H_
