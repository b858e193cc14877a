// Copyright annals authors.
//
// WorkerPool: the threads a server runs store calls on, and Offload, which runs a call
// there and hands its result back to the event loop through a cross-thread promise.
//
// The pool grows on demand (an idle thread is reused, else a new one is started, up to
// max_threads; beyond that tasks queue).  Store calls block (an append waits for its fsync,
// a paged read waits for its reader), so a fixed small pool would serialise them: with a
// thread per concurrent append, concurrent appends reach the store together and share an
// fsync through its group commit.
//
// Thread-safety: Submit, busy and the destructor may be called from any thread.

#ifndef ANNALS_STORE_SRC_SERVER_WORKER_POOL_H_
#define ANNALS_STORE_SRC_SERVER_WORKER_POOL_H_

#include <kj/async.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace annals {
namespace internal {

class WorkerPool {
 public:
  explicit WorkerPool(size_t max_threads);
  // Runs the queued tasks, then joins every thread.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);
  // Tasks queued or running.
  size_t busy() const;

 private:
  void Loop();

  const size_t max_threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // mu_
  size_t idle_ = 0;                          // mu_
  size_t running_ = 0;                       // mu_
  bool stopping_ = false;                    // mu_
  std::vector<std::thread> threads_;         // mu_
};

// Runs `work` on `pool` and resolves, on the calling thread's event loop, with its result.
// `work` must not throw; it must not touch objects of the event loop's thread (build
// replies from its result, on the loop).  If the promise is dropped, `work` still runs to
// its end and its result is discarded.  The loop must outlive every task (the server joins
// the pool before its loop ends).
template <typename T>
kj::Promise<T> Offload(WorkerPool& pool, std::function<T()> work) {
  auto paf = kj::newPromiseAndCrossThreadFulfiller<T>();
  auto fulfiller =
      std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<T>>>(kj::mv(paf.fulfiller));
  pool.Submit([fulfiller, work = std::move(work)]() { (*fulfiller)->fulfill(work()); });
  return kj::mv(paf.promise);
}

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_WORKER_POOL_H_
