// Copyright annals authors.
//
// THE LOCK FILE, <store>/annals.lock.  Its locks are byte-range locks (Linux
// open-file-description locks), not its content:
//
//   byte 0   the turnstile.  A writer holds it exclusive while it waits for byte 1, so that
//            readers arriving meanwhile queue behind the writer instead of starving it;
//            a reader holds it shared only for the moment it takes byte 1.
//   byte 1   the store: shared by readers, exclusive by a writer.
//
// Its content is the holders' records, so that a waiter can say who it waits for.  Slot i
// (0 <= i < 64) is the kSlotBytes bytes at offset kSlotBytes * (i + 1):
//
//   "annals-holder <pid> <read|write> <command line>\n", then NUL bytes to the slot's end
//
// A holder claims the first slot it can lock (write lock on the slot's range) once it holds
// the store, and writes its record there.  A record is current while its slot is locked;
// the bytes of a free slot are stale and ignored.  A holder that cannot write the file (a
// reader of another user's store) holds the store without a record.
//
// Waiting polls (try-lock, then sleep 1 ms doubling to 50 ms): fcntl's blocking wait has
// no timeout, and a poll lets the waiter report a change of holders.

#include "log/store_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace annals {
namespace internal {

namespace {

constexpr off_t kTurnstile = 0;
constexpr off_t kStoreByte = 1;
constexpr off_t kSlotBytes = 1024;
constexpr int kSlots = 64;
constexpr char kRecordTag[] = "annals-holder ";

off_t SlotOffset(int i) { return kSlotBytes * (i + 1); }

// A lock of `type` (F_RDLCK, F_WRLCK, F_UNLCK) on the bytes [start, start + len).
struct flock Range(short type, off_t start, off_t len) {
  struct flock fl;
  std::memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  return fl;
}

// Tries to take (F_RDLCK, F_WRLCK) or release (F_UNLCK) [start, start + len) without
// waiting.
bool TryLock(int fd, short type, off_t start, off_t len = 1) {
  struct flock fl = Range(type, start, len);
  return ::fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

// True if someone else holds a lock on [start, start + len).
bool HeldByOther(int fd, off_t start, off_t len) {
  struct flock fl = Range(F_WRLCK, start, len);
  if (::fcntl(fd, F_OFD_GETLK, &fl) != 0) return false;
  return fl.l_type != F_UNLCK;
}

// This process's command line, for its record: argv[0] without its directory, then the
// arguments, quoted where a shell would need it.  Control characters become '?'.
std::string CommandLine() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string raw = ss.str();
  std::string out;
  size_t start = 0;
  bool first = true;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    std::string arg = raw.substr(start, end - start);
    start = end + 1;
    if (first) {
      const size_t slash = arg.rfind('/');
      if (slash != std::string::npos) arg = arg.substr(slash + 1);
      first = false;
    }
    for (char& c : arg) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    const bool plain =
        !arg.empty() &&
        arg.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-") ==
            std::string::npos;
    if (!plain) {
      std::string quoted = "'";
      for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      arg = quoted + "'";
    }
    out += (out.empty() ? "" : " ") + arg;
  }
  return out.empty() ? "?" : out;
}

// The records of the current holders, as "pid N (command line)".
std::vector<std::string> ReadHolders(int fd) {
  std::vector<std::string> out;
  struct stat st;
  if (::fstat(fd, &st) != 0) return out;
  for (int i = 0; i < kSlots && SlotOffset(i) < st.st_size; ++i) {
    if (!HeldByOther(fd, SlotOffset(i), kSlotBytes)) continue;
    char buf[kSlotBytes];
    const ssize_t n = ::pread(fd, buf, sizeof(buf), SlotOffset(i));
    if (n <= 0) continue;
    std::string rec(buf, static_cast<size_t>(n));
    rec = rec.substr(0, rec.find_first_of(std::string("\n\0", 2)));
    if (rec.rfind(kRecordTag, 0) != 0) continue;
    std::istringstream in(rec.substr(sizeof(kRecordTag) - 1));
    std::string pid, mode, command;
    in >> pid >> mode;
    std::getline(in >> std::ws, command);
    out.push_back("pid " + pid + " (" + command + ")");
  }
  return out;
}

// Claims the first free slot and writes this process's record there.  A record is for
// people: without a free slot, or if the write fails, the holder simply goes unnamed.
void WriteRecord(int fd, bool exclusive) {
  for (int i = 0; i < kSlots; ++i) {
    if (!TryLock(fd, F_WRLCK, SlotOffset(i), kSlotBytes)) continue;
    std::string rec = std::string(kRecordTag) + std::to_string(::getpid()) +
                      (exclusive ? " write " : " read ") + CommandLine();
    if (rec.size() > static_cast<size_t>(kSlotBytes) - 1) {
      rec.resize(static_cast<size_t>(kSlotBytes) - 4);
      rec += "...";
    }
    rec += "\n";
    rec.resize(static_cast<size_t>(kSlotBytes), '\0');
    (void)!::pwrite(fd, rec.data(), rec.size(), SlotOffset(i));
    return;
  }
}

std::string DescribeHolders(const std::vector<std::string>& holders) {
  if (holders.empty()) return "another process";
  std::string out = holders[0];
  const size_t shown = std::min<size_t>(holders.size(), 3);
  for (size_t i = 1; i < shown; ++i) out += (i + 1 == shown ? " and " : ", ") + holders[i];
  if (holders.size() > shown) {
    out += " and " + std::to_string(holders.size() - shown) + " more";
  }
  return out;
}

std::string Seconds(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(micros) / 1e6);
  return buf;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool NotWritable(int err) { return err == EROFS || err == EACCES || err == EPERM; }

Status ErrnoStatus(int err, const std::string& what) {
  if (err == EACCES || err == EPERM) {
    return Status::Unavailable(what + ": permission denied");
  }
  return Status::Unavailable(what + ": " + std::strerror(err));
}

}  // namespace

Result<std::unique_ptr<StoreLock>> StoreLock::Acquire(const std::string& dir,
                                                      const Request& request) {
  using Clock = std::chrono::steady_clock;
  // At most about 31 years, so that the deadline cannot overflow the clock.
  constexpr int64_t kMaxWaitMicros = 1000000000000000;
  const int64_t wait = std::min(std::max<int64_t>(0, request.wait_micros), kMaxWaitMicros);
  const Clock::time_point deadline = Clock::now() + std::chrono::microseconds(wait);
  const std::string path = dir + "/" + kLockFileName;
  const bool exclusive = request.mode == Mode::kExclusive;
  std::string last_reported;
  bool made_dir = false;  // by this request, in any round
  // Rounds start over when the directory or the lock file was removed under this request
  // (a creation undone by its creator); the bound only stops a pathological loop.
  for (int round = 0;; ++round) {
    if (round == 1000) return Status::Unavailable("store '" + dir + "' keeps vanishing");
    std::unique_ptr<StoreLock> lock(new StoreLock());
    lock->dir_ = dir;
    bool writable = true;
    if (exclusive) {
      if (request.create) {
        if (::mkdir(dir.c_str(), 0777) == 0) {
          made_dir = true;
        } else if (errno != EEXIST) {
          return ErrnoStatus(errno, "cannot create store '" + dir + "'");
        }
      }
      if (::access(dir.c_str(), W_OK) != 0) {
        const int err = errno;
        if (err == ENOENT && request.create) continue;  // removed since the mkdir
        if (err == ENOENT) return Status::NotFound("no store directory '" + dir + "'");
        if (NotWritable(err)) {
          return Status::Unavailable("store '" + dir + "' is read-only (" + std::strerror(err) +
                                     "): it can be read, not written");
        }
        return ErrnoStatus(err, "cannot use store '" + dir + "'");
      }
      lock->fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
      if (lock->fd_ < 0 && errno == ENOENT) {
        if (!request.create && !Exists(dir + "/CURRENT")) {
          return Status::NotFound("no store at '" + dir + "'");
        }
        lock->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (lock->fd_ >= 0) {
          lock->created_file_ = true;
        } else if (errno == EEXIST || (errno == ENOENT && request.create)) {
          continue;  // made by another process just now, or the directory removed
        }
      }
      if (lock->fd_ < 0) return ErrnoStatus(errno, "cannot open '" + path + "'");
    } else {
      lock->fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
      if (lock->fd_ < 0 && errno == ENOENT) {
        if (!Exists(dir)) return Status::NotFound("no store directory '" + dir + "'");
        if (!Exists(dir + "/CURRENT")) return Status::NotFound("no store at '" + dir + "'");
        // A store made before annals had lock files.
        lock->fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (lock->fd_ >= 0) {
          lock->created_file_ = true;
        } else if (errno == EEXIST) {
          continue;
        } else if (NotWritable(errno)) {
          return lock;  // nobody who cannot write the directory can write the store
        }
      } else if (lock->fd_ < 0 && NotWritable(errno)) {
        writable = false;
        lock->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      }
      if (lock->fd_ < 0) return ErrnoStatus(errno, "cannot read '" + path + "'");
    }

    // Wait for the store.
    bool have_turnstile = false;
    auto backoff = std::chrono::milliseconds(1);
    for (;;) {
      bool got = false;
      if (exclusive) {
        if (!have_turnstile) have_turnstile = TryLock(lock->fd_, F_WRLCK, kTurnstile);
        if (have_turnstile && TryLock(lock->fd_, F_WRLCK, kStoreByte)) got = true;
      } else if (TryLock(lock->fd_, F_RDLCK, kTurnstile)) {
        got = TryLock(lock->fd_, F_RDLCK, kStoreByte);
        TryLock(lock->fd_, F_UNLCK, kTurnstile);
      }
      if (got) break;
      const std::string holders = DescribeHolders(ReadHolders(lock->fd_));
      if (Clock::now() >= deadline) {
        std::string msg = "store '" + dir + "' is in use by " + holders;
        if (request.wait_micros > 0) {
          msg += "; gave up after waiting " + Seconds(request.wait_micros) + " s";
        }
        return Status::Unavailable(msg);  // ~StoreLock closes the file, releasing all
      }
      if (request.waiting && holders != last_reported) {
        request.waiting(holders);
        last_reported = holders;
      }
      std::this_thread::sleep_for(std::min<Clock::duration>(backoff, deadline - Clock::now()));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
    }
    if (have_turnstile) TryLock(lock->fd_, F_UNLCK, kTurnstile);

    // The file may have been removed (and the store with it) by the holder we waited for.
    struct stat held, now;
    if (::fstat(lock->fd_, &held) != 0 || ::stat(path.c_str(), &now) != 0 ||
        held.st_dev != now.st_dev || held.st_ino != now.st_ino) {
      continue;  // start over: ~StoreLock releases this one
    }

    lock->created_dir_ = made_dir;
    if (writable) WriteRecord(lock->fd_, exclusive);
    return lock;
  }
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // releases every lock of this open file description
}

void StoreLock::RemoveFile() {
  if (fd_ >= 0) ::unlink((dir_ + "/" + kLockFileName).c_str());
}

std::vector<std::string> StoreLock::Holders(const std::string& dir) {
  const int fd = ::open((dir + "/" + kLockFileName).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::vector<std::string> out = ReadHolders(fd);
  ::close(fd);
  return out;
}

}  // namespace internal
}  // namespace annals
