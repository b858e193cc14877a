// Copyright annals authors.

#include "server/client_loop.h"

#include <signal.h>

#include <condition_variable>
#include <mutex>

namespace annals {
namespace internal {

ClientLoop::ClientLoop() {
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  thread_ = std::thread([&] {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    struct sigaction before;
    sigaction(SIGPIPE, nullptr, &before);
    auto io = kj::setupAsyncIo();
    sigaction(SIGPIPE, &before, nullptr);
    auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
    {
      std::lock_guard<std::mutex> lock(mu);
      io_ = &io;
      executor_ = kj::getCurrentThreadExecutor().addRef();
      stop_ = kj::mv(paf.fulfiller);
      started = true;
    }
    cv.notify_one();
    paf.promise.wait(io.waitScope);
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return started; });
}

ClientLoop::~ClientLoop() {
  stop_->fulfill();
  thread_.join();
}

}  // namespace internal
}  // namespace annals
