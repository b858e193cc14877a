// Copyright annals authors.

#include "server/channel.h"

#include <utility>

#include "codec/event_rep.h"

namespace annals {
namespace internal {

namespace {

size_t EventBytes(const Event& event) {
  return event.rep().reader().totalSize().wordCount * sizeof(capnp::word);
}

size_t ChangesBytes(const std::vector<Change>& changes) {
  size_t n = 0;
  for (const auto& c : changes) {
    n += c.path.size() + c.from_json.size() + c.to_json.size() + c.from_text.size() +
         c.to_text.size() + 48;
  }
  return n;
}

}  // namespace

void Channel::WakeLocked(std::unique_lock<std::mutex>* lock) {
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> waiter = kj::mv(waiter_);
  lock->unlock();
  if (waiter.get() != nullptr) waiter->fulfill();
}

bool Channel::Push(PageData page) {
  std::unique_lock<std::mutex> lock(mu_);
  space_.wait(lock, [this] { return cancelled_ || pages_.size() < kPagesAhead; });
  if (cancelled_) return false;
  pages_.push_back(std::move(page));
  WakeLocked(&lock);
  return true;
}

void Channel::Finish(Status status) {
  std::unique_lock<std::mutex> lock(mu_);
  finished_ = true;
  if (!cancelled_) status_ = std::move(status);
  WakeLocked(&lock);
}

bool Channel::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

kj::Promise<Channel::Item> Channel::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!pages_.empty()) {
    Item item;
    item.page = std::move(pages_.front());
    pages_.pop_front();
    if (pages_.empty() && finished_) {
      item.done = true;
      item.status = status_;
    }
    lock.unlock();
    space_.notify_one();
    return kj::mv(item);
  }
  if (finished_ || cancelled_) {
    Item item;
    item.done = true;
    item.status = status_;
    return kj::mv(item);
  }
  auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
  waiter_ = kj::mv(paf.fulfiller);
  lock.unlock();
  return paf.promise.then([self = shared_from_this()]() { return self->Next(); });
}

void Channel::Cancel(Status status) {
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> waiter;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!finished_ && !cancelled_) status_ = std::move(status);
    cancelled_ = true;
    pages_.clear();
    waiter = kj::mv(waiter_);
  }
  space_.notify_all();
  if (waiter.get() != nullptr) waiter->fulfill();  // the pending Next answers status_
}

bool PageWriter::Added(size_t bytes) {
  ++page_.items;
  page_.bytes += bytes;
  if (page_.items < Channel::kPageItems && page_.bytes < Channel::kPageBytes) return true;
  return Flush();
}

bool PageWriter::Add(const Event& event) {
  page_.events.push_back(event);
  return Added(EventBytes(event));
}

bool PageWriter::Add(const HistoryEntry& entry) {
  page_.history.push_back(entry);
  return Added(EventBytes(entry.event) + 16);
}

bool PageWriter::Add(const ReplayEntry& entry) {
  page_.replay.push_back(entry);
  return Added(EventBytes(entry.event) + ChangesBytes(entry.changes));
}

bool PageWriter::Push(PageData page) {
  return Flush() && channel_.Push(std::move(page));
}

bool PageWriter::Flush() {
  if (page_.items == 0) return !channel_.cancelled();
  PageData page = std::move(page_);
  page_ = PageData();
  return channel_.Push(std::move(page));
}

}  // namespace internal
}  // namespace annals
