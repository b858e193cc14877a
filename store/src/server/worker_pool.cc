// Copyright annals authors.

#include "server/worker_pool.h"

#include <utility>

namespace annals {
namespace internal {

WorkerPool::WorkerPool(size_t max_threads) : max_threads_(max_threads ? max_threads : 1) {}

WorkerPool::~WorkerPool() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

void WorkerPool::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(task));
  // Every queued task needs a thread of its own: an idle one, or a new one.
  if (idle_ > 0) cv_.notify_one();
  if (queue_.size() > idle_ && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Loop(); });
  }
}

size_t WorkerPool::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + running_;
}

void WorkerPool::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) return;
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      continue;
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // its captures die here, outside the lock
    lock.lock();
    --running_;
  }
}

}  // namespace internal
}  // namespace annals
