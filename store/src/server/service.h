// Copyright annals authors.
//
// The server's side of schema/server.capnp: ServerState (service.cc: what every connection
// shares: the store, the worker threads, the head of the log and its followers, the writes
// in flight) and the capabilities a connection is given: the Gate (gate.cc), then Annals
// (store_calls.cc), Cursors (cursor.cc), import and restore inputs and jobs (streams.cc).
//
// THREADS.  Everything here runs on the server's one event-loop thread, except the store
// calls, which run on WorkerPool threads (Offload) and hand plain C++ results back; the
// loop builds every reply.  A call's parameters stay valid while its worker reads them:
// calls are not cancellable (Cap'n Proto 0.9 cancels only calls that allow it), except
// `follow`, which holds no worker while it waits.
//
// HEAD AND FOLLOWERS.  head() is the last seq the server knows durable: read once at start
// (the streams' last seqs), then raised by each write's result as it returns to the loop.
// Every event up to head() is durable and readable, so a follower that scans up to it and
// then waits for it to move misses nothing.  A waiting follower is a promise in a list,
// resolved when the head moves past it or the server stops; no page is queued for it.
//
// STOPPING.  Drain(): new calls are refused (Unavailable, nothing done); imports and
// restores still receiving input are aborted (nothing written); writes in flight finish
// and are answered; followers are answered "the server is stopping"; paged reads end with
// the same status; then the worker threads go idle.

#ifndef ANNALS_STORE_SRC_SERVER_SERVICE_H_
#define ANNALS_STORE_SRC_SERVER_SERVICE_H_

#include <kj/async.h>
#include <kj/timer.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "annals/store.h"
#include "server.capnp.h"
#include "server/channel.h"
#include "server/worker_pool.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

class HeadWaiter;

// An import or restore whose input is still arriving: aborted if the server stops first.
class StreamJob {
 public:
  virtual ~StreamJob() = default;
  // Aborts the job unless its client already sent the end of its input.
  virtual void AbortIfOpen() = 0;
};

// Where a server's calls go: the store itself (a plain server), or a cluster node
// (store/src/cluster/) that sends its writes through the cluster's log.
struct ServerBackend {
  Store* store = nullptr;  // every call but appends (reads, imports, vocabularies); not owned
  // Appends of a group, each atomic and failing alone (StoreImpl::AppendGroup's contract);
  // called on a worker thread.
  std::function<void(std::vector<StoreImpl::GroupAppend>*)> append_group;
  // If set, polled on the loop: the last seq durable in the store, which grows without the
  // server's own writes (a cluster node applies its peers' appends).
  std::function<uint64_t()> applied_head;
};

// The backend of a plain server: everything goes to `store`.
ServerBackend StoreBackend(StoreImpl& store);

class ServerState final : private kj::TaskSet::ErrorHandler {
 public:
  // `followers` counts the followers waiting now (for Server::TEST_followers).
  ServerState(ServerBackend backend, std::string store_path, std::string token,
              kj::Timer& timer, uint64_t head, std::atomic<size_t>* followers);
  ~ServerState();

  Store& store() { return *backend_.store; }
  WorkerPool& pool() { return pool_; }
  kj::Timer& timer() { return timer_; }
  const std::string& store_path() const { return store_path_; }
  // Constant-time comparison (of SHA-256 digests, so that the length leaks nothing either).
  bool TokenMatches(kj::ArrayPtr<const kj::byte> token) const;

  bool stopping() const { return stopping_; }
  // For a call that is refused while the server stops: whether it is stopping, counting
  // the call as refused if so (see refusals()).
  bool RefuseIfStopping() {
    if (stopping_) ++refusals_;
    return stopping_;
  }
  // How many calls were refused: while it still grows, clients are still calling (a
  // follower between two polls, a writer's next append) and are told "stopping".
  uint64_t refusals() const { return refusals_.load(); }
  static Status StoppingStatus();

  uint64_t head() const { return head_; }
  void AdvanceHead(uint64_t seq);
  // Resolves once head() > after, or the server stops.
  kj::Promise<void> HeadAfter(uint64_t after);

  void BeginWrite() { ++writes_; }
  void EndWrite();

  // An append from a client.  Its events are rebuilt from the message at once (on the
  // loop, while the store may be writing the group before), and it waits with the appends
  // that arrive while the store writes a group: they go to the store together as the next
  // group (StoreImpl::AppendGroup), one worker thread and one fsync for all of them.
  kj::Promise<Result<std::vector<AppendResult>>> Append(rpc::Annals::AppendParams::Reader params);

  void Track(const std::shared_ptr<Channel>& channel);
  void Track(const std::shared_ptr<StreamJob>& job);
  // Continuations that must run whatever happens to the call that started them.
  kj::TaskSet& tasks() { return tasks_; }

  // Stops taking calls and waits until everything in flight is answered (see the top).
  kj::Promise<void> Drain();

 private:
  friend class HeadWaiter;
  void WakeAll();
  void taskFailed(kj::Exception&& exception) override;

  // Starts the next group: at once when as many appends wait as were in flight when the
  // last group was written (its clients are back), else after at most kGroupWait.
  void NextGroup();
  void CommitPending();

  // Raises the head to what the backend applied, every few milliseconds until stopping.
  kj::Promise<void> PollAppliedHead();

  ServerBackend backend_;
  const std::string store_path_;
  std::optional<Hash> token_digest_;  // of the token; none: no token set
  kj::Timer& timer_;
  WorkerPool pool_;
  bool stopping_ = false;
  uint64_t head_ = 0;
  std::list<HeadWaiter*> waiters_;
  std::atomic<size_t>& followers_;
  std::atomic<uint64_t> refusals_{0};
  size_t writes_ = 0;
  kj::Own<kj::PromiseFulfiller<void>> writes_done_;
  struct PendingAppend {
    StoreImpl::GroupAppend append;  // converted on arrival
    kj::Own<kj::PromiseFulfiller<Result<std::vector<AppendResult>>>> done;
  };
  std::vector<PendingAppend> pending_;  // appends waiting for the next group
  bool committing_ = false;             // a group is being written or about to be
  bool gathering_ = false;              // NextGroup waits for the last group's clients
  uint64_t gather_ = 0;                 // counts those waits (a timer of an old one is void)
  size_t target_ = 0;                   // appends in flight when the last group was written
  std::vector<std::weak_ptr<Channel>> channels_;
  std::vector<std::weak_ptr<StreamJob>> jobs_;
  kj::TaskSet tasks_;
};

// The bootstrap capability of a connection (gate.cc).  `needs_token`: a TCP listener's.
capnp::Capability::Client NewGate(ServerState& state, bool needs_token);

// The store's calls, for a connection that passed the gate (store_calls.cc).
rpc::Annals::Client NewAnnals(ServerState& state);

// A paged read (cursor.cc): runs `read` on a worker thread, which writes pages through a
// PageWriter; the Cursor returned hands them to the client as it asks, then read's status.
// If the server is stopping, the read does not run and the Cursor ends with
// StoppingStatus().  Stopping cancels a read in flight (Drain).
rpc::Cursor::Client StartCursor(ServerState& state,
                                std::function<Status(Store&, PageWriter&)> read);

// An import or a restore: its input and its job (streams.cc).
void StartImport(ServerState& state, rpc::Annals::ImportResults::Builder results);
void StartRestore(ServerState& state, rpc::Annals::RestoreResults::Builder results);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_SERVICE_H_
