// Copyright annals authors.
//
// ClientLoop: the thread a RemoteStore talks to its server from.  It owns a kj event loop
// (kj::setupAsyncIo) and everything of Cap'n Proto's that lives on it; any thread calls
// Sync(f), which runs f on the loop thread and waits for the promise f returns.  So a
// RemoteStore may be used from many threads, as a Store may, and its visitors run on the
// caller's thread.
//
// SIGPIPE.  kj ignores SIGPIPE for the whole process when it sets up an event loop.  A
// client must not change how the program it lives in reacts to a closed stdout (the CLI
// dies of SIGPIPE under `| head`, whether it uses a store directly or through a server),
// so the loop thread blocks SIGPIPE for itself (its writes to a dead server get EPIPE) and
// the process's disposition is put back.

#ifndef ANNALS_STORE_SRC_SERVER_CLIENT_LOOP_H_
#define ANNALS_STORE_SRC_SERVER_CLIENT_LOOP_H_

#include <kj/async-io.h>

#include <thread>
#include <utility>

namespace annals {
namespace internal {

class ClientLoop {
 public:
  ClientLoop();
  // Stops the loop thread.  Objects of the loop must have been released (through Sync).
  ~ClientLoop();
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  // Runs `f` on the loop thread; returns what it returns (or what the promise it returns
  // resolves to).  Exceptions thrown there (kj::Exception) are rethrown here.
  template <typename F>
  auto Sync(F&& f) {
    return executor_->executeSync(std::forward<F>(f));
  }

  // Only on the loop thread.
  kj::AsyncIoContext& io() { return *io_; }

 private:
  void Run();

  std::thread thread_;
  kj::Own<const kj::Executor> executor_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop_;
  kj::AsyncIoContext* io_ = nullptr;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_CLIENT_LOOP_H_
