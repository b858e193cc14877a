// Copyright annals authors.
//
// FaultFs: a rocksdb::FileSystemWrapper for crash, power-loss and I/O-error tests (the idea
// of leveldb's db/fault_injection_test.cc; the Debian RocksDB 7.8 package ships no public
// FaultInjectionTestFS).
//
// What it models:
//   - Per file written through it: the bytes appended and the length made durable by the
//     last Sync()/Fsync().  RangeSync() and Close() make nothing durable.
//   - Per directory: the entries created (new files, rename targets) since that directory's
//     last FSDirectory::Fsync().  Such an entry is lost by a power loss: a new file
//     disappears, a rename target gets its previous contents back (or disappears if it did
//     not exist before).
//   - Crash points: CrashAtOp(n) makes the n-th mutating operation from now (create, append,
//     truncate, sync, rename, delete, link, directory fsync) and every later one fail with
//     an IOError without touching the disk: the machine "stopped" just before it.
//   - PowerLoss(): applied to the disk after the store is closed: drops the lost directory
//     entries and truncates every file to its synced length (optionally keeping a random
//     part of the unsynced tail, as a torn write does).
//   - Injected I/O errors (disk full, EIO) on appends or syncs of chosen files.
// Simplifications (documented, conservative for the store under test): deletions and
// renames of files that were already durable are treated as durable at once; files not
// written through this FileSystem (e.g. RocksDB's info LOG via NewLogger) are untouched.
//
// Thread-safety: all methods may be called from any thread (RocksDB background threads
// use the files too).

#ifndef ANNALS_TESTS_FAULT_ENV_H_
#define ANNALS_TESTS_FAULT_ENV_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace annals {
namespace test {

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFs(std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());
  ~FaultFs() override;

  static const char* kClassName() { return "AnnalsFaultFs"; }
  const char* Name() const override { return kClassName(); }

  // ---- crash points ----
  // Mutating operations performed so far.
  uint64_t ops() const;
  // The n-th (1-based) mutating operation from now fails, and so does every later one.
  // 0 disables.
  void CrashAtOp(uint64_t n);
  // True once a crash point was reached: the disk no longer changes.
  bool crashed() const;

  // ---- power loss ----
  enum class TailMode {
    kDropUnsynced,  // every unsynced byte is lost
    kTornTail,      // a random prefix of each file's unsynced bytes survives
  };
  // Applies a power loss to the disk.  Call with the store closed.  Afterwards all that is
  // left on disk is durable and the tracking state is cleared; returns the number of bytes
  // dropped and files removed (for reporting).
  struct LossStats {
    uint64_t bytes_dropped = 0;
    uint64_t files_removed = 0;
    uint64_t renames_undone = 0;
  };
  LossStats PowerLoss(TailMode mode, std::mt19937_64* rng);

  // ---- injected I/O errors ----
  enum class FaultOp { kAppend, kSync };
  // Appends (or syncs) of files whose name ends in `suffix` fail with `status` (nothing is
  // written by a failing append) while the rule is set.  `status` is e.g.
  // IOStatus::NoSpace() or IOStatus::IOError().
  void SetErrorRule(const std::string& suffix, FaultOp op, rocksdb::IOStatus status);
  void ClearErrorRule();
  uint64_t errors_injected() const;

  // ---- FileSystem ----
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t,
                               const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& s, const std::string& t,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& f, size_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& d, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override;

  // ---- used by the file wrappers ----
  // Counts a mutating operation; false if it must fail (crashed).
  bool Tick();
  // The injected error for `op` on `fname`, or ok.
  rocksdb::IOStatus InjectedError(const std::string& fname, FaultOp op);
  void OnAppend(const std::string& fname, uint64_t new_size);
  void OnSync(const std::string& fname);
  void OnDirSync(const std::string& dir);
  // The error of every operation after a crash point.
  static rocksdb::IOStatus Dead();

 private:
  struct FileState {
    uint64_t size = 0;    // bytes written through us
    uint64_t synced = 0;  // bytes made durable
  };
  // A directory entry created since the directory's last fsync: the contents the name had
  // before (nullopt: it did not exist).
  using PendingEntries = std::map<std::string, std::optional<std::string>>;

  void TrackNewEntry(const std::string& fname, bool existed_before);

  mutable std::mutex mu_;
  uint64_t ops_ = 0;
  uint64_t crash_at_ = 0;  // absolute op number; 0 = never
  bool crashed_ = false;
  std::map<std::string, FileState> files_;
  std::map<std::string, PendingEntries> pending_;  // dir -> name -> previous contents

  bool rule_set_ = false;
  std::string rule_suffix_;
  FaultOp rule_op_ = FaultOp::kAppend;
  rocksdb::IOStatus rule_status_;
  uint64_t errors_injected_ = 0;
};

// An Env over a FaultFs (RocksDB's composite Env: default threads and clock).
struct FaultEnv {
  std::shared_ptr<FaultFs> fs;
  std::unique_ptr<rocksdb::Env> env;
  FaultEnv();
};

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_FAULT_ENV_H_
