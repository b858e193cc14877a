// Copyright annals authors.
//
// Channel: the pages of one paged read (a Cursor of schema/server.capnp), from the worker
// thread that runs the store's scan to the event loop that answers Cursor.next.
//
// FLOW CONTROL.  The producer blocks while kPagesAhead pages wait unread, so a reader that
// stops reading holds one worker thread and at most kPagesAhead pages (each at most
// kPageItems items or about kPageBytes bytes): the server never buffers a read without
// bound.  When the reader goes away (the Cursor is released, its connection drops, or the
// server stops), Cancel() wakes the producer, whose visitor then returns false, and the
// store's scan ends.
//
// Thread-safety: Push, Finish and cancelled() on the producer's thread; Next and Cancel
// on the event loop's thread.

#ifndef ANNALS_STORE_SRC_SERVER_CHANNEL_H_
#define ANNALS_STORE_SRC_SERVER_CHANNEL_H_

#include <kj/async.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "annals/query.h"
#include "annals/store.h"

namespace annals {
namespace internal {

// One page as the producer made it; the loop turns it into a schema Page.
struct PageData {
  std::vector<Event> events;
  std::vector<HistoryEntry> history;
  std::vector<ReplayEntry> replay;
  std::optional<uint64_t> verified;      // Verify's progress
  std::optional<VerifyReport> report;    // Verify's result
  size_t items = 0;
  size_t bytes = 0;                      // an estimate of its size on the wire
};

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  static constexpr size_t kPagesAhead = 2;
  static constexpr size_t kPageItems = 512;
  static constexpr size_t kPageBytes = 1 << 20;

  // ---- producer ----
  // Queues a page, waiting while kPagesAhead pages are unread.  False if the reader went
  // away: stop producing.
  bool Push(PageData page);
  // The read is over, with `status` (its last page already pushed).
  void Finish(Status status);
  bool cancelled() const;

  // ---- consumer (event loop) ----
  struct Item {
    std::optional<PageData> page;  // absent when the read ended without another page
    bool done = false;
    Status status;                 // with done
  };
  kj::Promise<Item> Next();
  // The reader went away, or the server stops (`status` is what a pending Next answers).
  void Cancel(Status status);

 private:
  void WakeLocked(std::unique_lock<std::mutex>* lock);

  mutable std::mutex mu_;
  std::condition_variable space_;
  std::deque<PageData> pages_;
  bool finished_ = false;
  bool cancelled_ = false;
  Status status_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> waiter_;  // a Next waiting for a page
};

// Collects a producer's items into pages and pushes each page when it is full.
class PageWriter {
 public:
  explicit PageWriter(Channel& channel) : channel_(channel) {}
  // False if the reader went away.
  bool Add(const Event& event);
  bool Add(const HistoryEntry& entry);
  bool Add(const ReplayEntry& entry);
  // Pushes what is collected (if anything); false if the reader went away.
  bool Flush();
  // Pushes what is collected, then `page` on its own (Verify's progress and report).
  bool Push(PageData page);

 private:
  bool Added(size_t bytes);
  Channel& channel_;
  PageData page_;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_CHANNEL_H_
