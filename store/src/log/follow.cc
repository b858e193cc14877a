// Copyright annals authors.
//
// Follow (SPEC §8 `log --follow`) on a store opened in this process: the head of the log
// is published by every write that moves it (append, import, registration, restore), and
// a follower scans the log after the last seq it visited, up to the head it saw, then waits
// for the head to move.  Each scan is bounded by a head whose writes are all durable and
// visible, so a follower never skips an event that a later scan would find before it.

#include <algorithm>
#include <chrono>
#include <string>

#include "log/coding.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

void StoreImpl::PublishHead(uint64_t seq) {
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    last_seq_ = seq;
  }
  head_cv_.notify_all();
}

Result<uint64_t> StoreImpl::FirstVersionAfter(std::string_view stream, uint64_t after_seq) {
  if (after_seq == 0) return uint64_t{1};
  auto info = GetStream(stream);
  if (!info.ok()) return info.status().IsNotFound() ? Result<uint64_t>(uint64_t{1})
                                                    : Result<uint64_t>(info.status());
  // Versions grow with seq: the smallest version in [1, events + 1) whose seq > after_seq.
  uint64_t lo = 1, hi = info->events + 1;
  if (info->last_seq <= after_seq) return hi;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    std::string v;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cfs_[kStream], StreamKey(stream, mid), &v);
    ANNALS_RETURN_IF_ERROR(FromRocks(s, "read stream index"));
    if (v.size() != 8) return Status::Corruption("stream index entry is malformed");
    if (GetU64(v.data()) > after_seq) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

Status StoreImpl::Follow(const LogRange& range, const Visitor<Event>& visit,
                         const FollowOptions& options) {
  if (range.limit && *range.limit == 0) return Status::OK();
  LogRange next = range;
  next.limit.reset();
  uint64_t visited = 0;
  const auto poll = std::chrono::microseconds(std::max<int64_t>(options.poll_micros, 1000));
  for (;;) {
    const uint64_t head = last_seq_.load();
    next.until_seq = head;
    bool stopped = false;
    Status s = ScanLog(next, [&](const Event& e) {
      next.after_seq = e.seq();
      ++visited;
      if (!visit(e) || (range.limit && visited >= *range.limit)) {
        stopped = true;
        return false;
      }
      return true;
    });
    ANNALS_RETURN_IF_ERROR(s);
    if (stopped) return Status::OK();
    next.after_seq = std::max(next.after_seq, head);
    std::unique_lock<std::mutex> lock(head_mu_);
    while (last_seq_.load() <= next.after_seq) {
      head_cv_.wait_for(lock, poll);
      if (options.keep_going && last_seq_.load() <= next.after_seq) {
        lock.unlock();
        if (!options.keep_going()) return Status::OK();
        lock.lock();
      }
    }
  }
}

}  // namespace internal
}  // namespace annals
