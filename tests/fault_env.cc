// Copyright annals authors.

#include "fault_env.h"

#include <unistd.h>

#include <rocksdb/system_clock.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace annals {
namespace test {

namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string Normalize(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::pair<std::string, std::string> DirAndName(const std::string& path) {
  std::string p = Normalize(path);
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return {".", p};
  return {slash == 0 ? "/" : p.substr(0, slash), p.substr(slash + 1)};
}

std::string Join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

// A writable file that reports its appends and syncs to the FaultFs and stops writing at a
// crash point or on an injected error.
class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> target, std::string name,
                    FaultFs* fs, uint64_t size)
      : FSWritableFileOwnerWrapper(std::move(target)),
        name_(std::move(name)),
        fs_(fs),
        size_(size) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
    if (!fs_->Tick()) return FaultFs::Dead();
    IOStatus e = fs_->InjectedError(name_, FaultFs::FaultOp::kAppend);
    if (!e.ok()) return e;
    IOStatus s = FSWritableFileOwnerWrapper::Append(data, o, dbg);
    if (s.ok()) {
      size_ += data.size();
      fs_->OnAppend(name_, size_);
    }
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& o,
                  const rocksdb::DataVerificationInfo& /*info*/, IODebugContext* dbg) override {
    return Append(data, o, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            IODebugContext* dbg) override {
    if (!fs_->Tick()) return FaultFs::Dead();
    IOStatus e = fs_->InjectedError(name_, FaultFs::FaultOp::kAppend);
    if (!e.ok()) return e;
    IOStatus s = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, dbg);
    if (s.ok()) {
      size_ = std::max<uint64_t>(size_, offset + data.size());
      fs_->OnAppend(name_, size_);
    }
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo& /*info*/,
                            IODebugContext* dbg) override {
    return PositionedAppend(data, offset, o, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* dbg) override {
    if (!fs_->Tick()) return FaultFs::Dead();
    IOStatus s = FSWritableFileOwnerWrapper::Truncate(size, o, dbg);
    if (s.ok()) {
      size_ = size;
      fs_->OnAppend(name_, size_);
    }
    return s;
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    return DoSync([&] { return FSWritableFileOwnerWrapper::Sync(o, dbg); });
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    return DoSync([&] { return FSWritableFileOwnerWrapper::Fsync(o, dbg); });
  }
  // RangeSync (sync_file_range) promises nothing about durability: not counted as a sync.
  // Close makes nothing durable; it is let through after a crash so descriptors are freed
  // (Posix Close only trims preallocated space, which does not change the contents).

 private:
  template <typename F>
  IOStatus DoSync(F&& sync) {
    if (!fs_->Tick()) return FaultFs::Dead();
    IOStatus e = fs_->InjectedError(name_, FaultFs::FaultOp::kSync);
    if (!e.ok()) return e;
    IOStatus s = sync();
    if (s.ok()) fs_->OnSync(name_);
    return s;
  }

  std::string name_;
  FaultFs* fs_;
  uint64_t size_;
};

class FaultDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> target, std::string name, FaultFs* fs)
      : FSDirectoryWrapper(std::move(target)), name_(std::move(name)), fs_(fs) {}

  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    if (!fs_->Tick()) return FaultFs::Dead();
    IOStatus s = FSDirectoryWrapper::Fsync(o, dbg);
    if (s.ok()) fs_->OnDirSync(name_);
    return s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& opts) override {
    if (!fs_->Tick()) return FaultFs::Dead();
    IOStatus s = FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, opts);
    if (s.ok()) fs_->OnDirSync(name_);
    return s;
  }

 private:
  std::string name_;
  FaultFs* fs_;
};

}  // namespace

FaultFs::FaultFs(std::shared_ptr<rocksdb::FileSystem> base) : FileSystemWrapper(base) {}
FaultFs::~FaultFs() = default;

// Marked as data loss: RocksDB then treats it as unrecoverable and does not start its
// background auto-recovery (which retries every second and would make each crash point
// cost a second on close).  The machine is off; nothing is retried.
IOStatus FaultFs::Dead() {
  IOStatus s = IOStatus::IOError("fault injection: machine stopped");
  s.SetDataLoss(true);
  return s;
}

uint64_t FaultFs::ops() const {
  std::lock_guard<std::mutex> l(mu_);
  return ops_;
}

void FaultFs::CrashAtOp(uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  crash_at_ = n == 0 ? 0 : ops_ + n;
}

bool FaultFs::crashed() const {
  std::lock_guard<std::mutex> l(mu_);
  return crashed_;
}

bool FaultFs::Tick() {
  std::lock_guard<std::mutex> l(mu_);
  if (crashed_) return false;
  ++ops_;
  if (crash_at_ != 0 && ops_ >= crash_at_) {
    crashed_ = true;
    return false;
  }
  return true;
}

void FaultFs::SetErrorRule(const std::string& suffix, FaultOp op, IOStatus status) {
  std::lock_guard<std::mutex> l(mu_);
  rule_set_ = true;
  rule_suffix_ = suffix;
  rule_op_ = op;
  rule_status_ = std::move(status);
}

void FaultFs::ClearErrorRule() {
  std::lock_guard<std::mutex> l(mu_);
  rule_set_ = false;
}

uint64_t FaultFs::errors_injected() const {
  std::lock_guard<std::mutex> l(mu_);
  return errors_injected_;
}

IOStatus FaultFs::InjectedError(const std::string& fname, FaultOp op) {
  std::lock_guard<std::mutex> l(mu_);
  if (!rule_set_ || op != rule_op_) return IOStatus::OK();
  if (fname.size() < rule_suffix_.size() ||
      fname.compare(fname.size() - rule_suffix_.size(), rule_suffix_.size(), rule_suffix_) !=
          0) {
    return IOStatus::OK();
  }
  ++errors_injected_;
  return rule_status_;
}

void FaultFs::OnAppend(const std::string& fname, uint64_t new_size) {
  std::lock_guard<std::mutex> l(mu_);
  FileState& f = files_[Normalize(fname)];
  f.size = new_size;
  if (f.synced > new_size) f.synced = new_size;
}

void FaultFs::OnSync(const std::string& fname) {
  std::lock_guard<std::mutex> l(mu_);
  FileState& f = files_[Normalize(fname)];
  f.synced = f.size;
}

void FaultFs::OnDirSync(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  pending_.erase(Normalize(dir));
}

// Records that `fname` became a directory entry not yet made durable.  Called without mu_.
void FaultFs::TrackNewEntry(const std::string& fname, bool existed_before) {
  std::optional<std::string> previous;
  if (existed_before) {
    std::string content;
    // Small files only (CURRENT, IDENTITY, OPTIONS): what a rename may replace.
    if (rocksdb::ReadFileToString(target(), fname, &content).ok()) previous = content;
  }
  auto [dir, name] = DirAndName(fname);
  std::lock_guard<std::mutex> l(mu_);
  auto& entries = pending_[dir];
  if (!entries.count(name)) entries[name] = std::move(previous);
}

IOStatus FaultFs::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                  std::unique_ptr<rocksdb::FSWritableFile>* r,
                                  IODebugContext* dbg) {
  if (!Tick()) return Dead();
  const bool existed = target()->FileExists(f, IOOptions(), nullptr).ok();
  if (!existed) TrackNewEntry(f, false);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> l(mu_);
    // NewWritableFile truncates: an existing file's old contents are gone at once
    // (conservative: real file systems might still show them after a crash).
    files_[Normalize(f)] = FileState{};
  }
  r->reset(new FaultWritableFile(std::move(file), Normalize(f), this, 0));
  return s;
}

IOStatus FaultFs::ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                     std::unique_ptr<rocksdb::FSWritableFile>* r,
                                     IODebugContext* dbg) {
  if (!Tick()) return Dead();
  const bool existed = target()->FileExists(f, IOOptions(), nullptr).ok();
  if (!existed) TrackNewEntry(f, false);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  IOStatus s = target()->ReopenWritableFile(f, o, &file, dbg);
  if (!s.ok()) return s;
  uint64_t size = 0;
  target()->GetFileSize(f, IOOptions(), &size, nullptr);
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(Normalize(f));
    if (it == files_.end()) files_[Normalize(f)] = FileState{size, size};  // durable so far
  }
  r->reset(new FaultWritableFile(std::move(file), Normalize(f), this, size));
  return s;
}

IOStatus FaultFs::ReuseWritableFile(const std::string& f, const std::string& old,
                                    const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    IODebugContext* dbg) {
  // WAL recycling is off in annals; model it as rename + new file.
  IOStatus s = RenameFile(old, f, IOOptions(), dbg);
  if (!s.ok()) return s;
  return NewWritableFile(f, o, r, dbg);
}

IOStatus FaultFs::NewDirectory(const std::string& name, const IOOptions& o,
                               std::unique_ptr<rocksdb::FSDirectory>* r, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = target()->NewDirectory(name, o, &dir, dbg);
  if (!s.ok()) return s;
  r->reset(new FaultDirectory(std::move(dir), Normalize(name), this));
  return s;
}

IOStatus FaultFs::DeleteFile(const std::string& f, const IOOptions& o, IODebugContext* dbg) {
  if (!Tick()) return Dead();
  IOStatus s = target()->DeleteFile(f, o, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    files_.erase(Normalize(f));
    auto [dir, name] = DirAndName(f);
    auto it = pending_.find(dir);
    if (it != pending_.end()) it->second.erase(name);
  }
  return s;
}

IOStatus FaultFs::RenameFile(const std::string& s, const std::string& t, const IOOptions& o,
                             IODebugContext* dbg) {
  if (!Tick()) return Dead();
  const bool target_existed = target()->FileExists(t, IOOptions(), nullptr).ok();
  // Read the previous contents before the rename replaces them.
  std::optional<std::string> previous;
  if (target_existed) {
    std::string content;
    if (rocksdb::ReadFileToString(target(), t, &content).ok()) previous = content;
  }
  IOStatus st = target()->RenameFile(s, t, o, dbg);
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normalize(s));
  if (it != files_.end()) {
    files_[Normalize(t)] = it->second;
    files_.erase(it);
  } else {
    files_.erase(Normalize(t));
  }
  auto [sdir, sname] = DirAndName(s);
  auto sp = pending_.find(sdir);
  if (sp != pending_.end()) sp->second.erase(sname);
  auto [tdir, tname] = DirAndName(t);
  auto& entries = pending_[tdir];
  if (!entries.count(tname)) entries[tname] = std::move(previous);
  return st;
}

IOStatus FaultFs::LinkFile(const std::string& s, const std::string& t, const IOOptions& o,
                           IODebugContext* dbg) {
  if (!Tick()) return Dead();
  IOStatus st = target()->LinkFile(s, t, o, dbg);
  if (st.ok()) TrackNewEntry(t, false);
  return st;
}

IOStatus FaultFs::Truncate(const std::string& f, size_t size, const IOOptions& o,
                           IODebugContext* dbg) {
  if (!Tick()) return Dead();
  IOStatus s = target()->Truncate(f, size, o, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(Normalize(f));
    if (it != files_.end()) {
      it->second.size = std::min<uint64_t>(it->second.size, size);
      it->second.synced = std::min<uint64_t>(it->second.synced, size);
    }
  }
  return s;
}

IOStatus FaultFs::CreateDir(const std::string& d, const IOOptions& o, IODebugContext* dbg) {
  if (!Tick()) return Dead();
  return target()->CreateDir(d, o, dbg);
}

IOStatus FaultFs::CreateDirIfMissing(const std::string& d, const IOOptions& o,
                                     IODebugContext* dbg) {
  if (!Tick()) return Dead();
  return target()->CreateDirIfMissing(d, o, dbg);
}

FaultFs::LossStats FaultFs::PowerLoss(TailMode mode, std::mt19937_64* rng) {
  LossStats stats;
  std::map<std::string, FileState> files;
  std::map<std::string, PendingEntries> pending;
  {
    std::lock_guard<std::mutex> l(mu_);
    files.swap(files_);
    pending.swap(pending_);
    crashed_ = false;
    crash_at_ = 0;
  }
  rocksdb::FileSystem* fs = target();
  // 1. Directory entries never made durable.
  for (const auto& [dir, entries] : pending) {
    for (const auto& [name, previous] : entries) {
      const std::string path = Join(dir, name);
      files.erase(path);
      if (previous) {
        rocksdb::WriteStringToFile(fs, *previous, path, /*should_sync=*/true);
        ++stats.renames_undone;
      } else if (fs->DeleteFile(path, IOOptions(), nullptr).ok()) {
        ++stats.files_removed;
      }
    }
  }
  // 2. File contents never made durable.
  for (const auto& [path, st] : files) {
    uint64_t size = 0;
    if (!fs->GetFileSize(path, IOOptions(), &size, nullptr).ok()) continue;
    uint64_t keep = std::min(st.synced, size);
    if (mode == TailMode::kTornTail && size > keep && rng != nullptr) {
      keep += (*rng)() % (size - keep + 1);
    }
    if (keep < size) {
      // rocksdb's default FileSystem does not implement Truncate(): use POSIX.
      if (::truncate(path.c_str(), static_cast<off_t>(keep)) != 0) {
        std::fprintf(stderr, "FaultFs: cannot truncate %s: %s\n", path.c_str(),
                     std::strerror(errno));
        std::abort();
      }
      stats.bytes_dropped += size - keep;
    }
  }
  return stats;
}

namespace {

// RocksDB sleeps a second after a failed background flush or compaction before retrying
// ("in case this is an environmental problem"); at a crash point every flush fails, and
// DB::Close waits for that sleep.  This clock caps sleeps at a millisecond so that
// hundreds of crash points run in seconds.  Nothing else is changed.
class ShortSleepClock final : public rocksdb::SystemClockWrapper {
 public:
  explicit ShortSleepClock(const std::shared_ptr<rocksdb::SystemClock>& t)
      : SystemClockWrapper(t) {}
  const char* Name() const override { return "AnnalsShortSleepClock"; }
  void SleepForMicroseconds(int micros) override {
    SystemClockWrapper::SleepForMicroseconds(std::min(micros, 1000));
  }
};

class FaultEnvImpl final : public rocksdb::EnvWrapper {
 public:
  explicit FaultEnvImpl(std::unique_ptr<rocksdb::Env>&& composite)
      : EnvWrapper(std::move(composite)) {
    system_clock_ = std::make_shared<ShortSleepClock>(system_clock_);
  }
  const char* Name() const override { return "AnnalsFaultEnv"; }
};

}  // namespace

FaultEnv::FaultEnv()
    : fs(std::make_shared<FaultFs>()),
      env(std::make_unique<FaultEnvImpl>(rocksdb::NewCompositeEnv(fs))) {}

}  // namespace test
}  // namespace annals
