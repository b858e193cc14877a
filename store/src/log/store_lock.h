// Copyright annals authors.
//
// StoreLock: who may use a store directory, taken before RocksDB opens it.
//
// Writers hold a store alone; readers share it with other readers.  A Store opened for
// writing takes the lock exclusive, one opened read-only takes it shared (RocksDB's
// OpenForReadOnly is safe only while no writer has the database open, which the
// exclusive lock guarantees).  A request that finds the store held waits, up to a
// deadline, and then fails naming the holders: every holder writes its pid and command
// line into the lock file.  The file format is documented in store_lock.cc.
//
// The locks are Linux open-file-description locks (fcntl F_OFD_*): they belong to one
// open of the file, so two Stores of one process exclude each other as two processes do,
// and the kernel releases them when a holder dies.

#ifndef ANNALS_STORE_SRC_STORE_LOCK_H_
#define ANNALS_STORE_SRC_STORE_LOCK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "annals/status.h"

namespace annals {
namespace internal {

// The lock file's name inside a store directory.
inline constexpr char kLockFileName[] = "annals.lock";

class StoreLock {
 public:
  enum class Mode { kShared, kExclusive };

  struct Request {
    Mode mode = Mode::kExclusive;
    // Create the directory (one level) and the lock file when missing.  Otherwise a
    // missing lock file is created only where a database already is (a store made before
    // annals had lock files), and a missing directory is Unavailable ("no annals store").
    bool create = false;
    // How long to wait for other holders, in microseconds; 0: do not wait.
    int64_t wait_micros = 0;
    // Called while waiting, with a description of the holders ("pid 12 (annals import
    // x.jsonl)"), when the wait begins and whenever that description changes.
    std::function<void(const std::string& holders)> waiting;
  };

  // Takes the lock of the store directory `dir`.  On success the caller holds it until
  // the StoreLock is destroyed.  A lock file that its holder removed while this request
  // waited (a store whose creation was undone) is noticed and the request starts over.
  // Errors (all Unavailable): the directory is missing (without `create`), cannot be
  // read or written as needed ("permission denied", "read-only"), or the deadline passed
  // while others held the store (the message names them: pid and command line).
  // A shared request in a directory that nobody can write and that has no lock file
  // succeeds without a lock: no writer can be using it.
  static Result<std::unique_ptr<StoreLock>> Acquire(const std::string& dir, const Request& request);

  ~StoreLock();  // releases the lock
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

  // True if Acquire created the store directory itself.
  bool created_dir() const { return created_dir_; }
  // True if Acquire created the lock file itself.
  bool created_file() const { return created_file_; }

  // Removes the lock file while the lock is still held (exclusive only), so that a waiter
  // that then gets the lock notices and starts over.  The lock is released on destruction.
  void RemoveFile();

  // The holders of the store at `dir` as people read them ("pid 12 (annals log)"), or
  // empty if none is recorded.  For tests and messages.
  static std::vector<std::string> Holders(const std::string& dir);

 private:
  StoreLock() = default;
  std::string dir_;
  int fd_ = -1;  // -1: no lock (a directory nobody can write)
  bool created_dir_ = false;
  bool created_file_ = false;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_STORE_LOCK_H_
