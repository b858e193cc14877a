// Copyright annals authors.
//
// The server (annals::Server, annals/server.h): listeners and connections on one kj event
// loop, and the graceful stop.
//
// CONNECTIONS.  Each accepted socket gets its own TwoPartyVatNetwork and RpcSystem, whose
// bootstrap is a Gate that knows whether the listener needs a token (TCP) or not (the
// store's Unix socket).  capnp::TwoPartyServer (0.9.2) would do the accepting, but offers
// no way to set a connection's flow limit (RpcSystem::setFlowLimit) or reader options, so
// this file does what it does (network, RpcSystem, run until disconnect) with both set.
// A connection that sends garbage or a truncated message fails its own RpcSystem only:
// its network reports the error, the connection is dropped, the others go on.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>

#include <algorithm>
#include <atomic>
#include <list>
#include <mutex>
#include <utility>

#include "annals/server.h"
#include "server/address.h"
#include "server/open.h"
#include "server/service.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

namespace {

struct Listener {
  Address address;
  kj::Own<kj::ConnectionReceiver> receiver;
  bool tcp = false;
};

// One client connection, alive until it disconnects (or the server stops).
class Connection {
 public:
  Connection(kj::Own<kj::AsyncIoStream> stream, capnp::Capability::Client gate,
             uint64_t flow_limit_bytes, std::list<Connection*>* all)
      : stream_(kj::mv(stream)),
        network_(*stream_, capnp::rpc::twoparty::Side::SERVER, ReaderOptions()),
        rpc_(capnp::makeRpcServer(network_, kj::mv(gate))),
        all_(all),
        it_(all->insert(all->end(), this)) {
    rpc_.setFlowLimit(flow_limit_bytes / sizeof(capnp::word));
  }
  ~Connection() { all_->erase(it_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  kj::Promise<void> onDisconnect() { return network_.onDisconnect(); }
  size_t queued_bytes() { return network_.getCurrentQueueSize(); }
  // Ends what the server sends (after everything queued) while still reading, so that the
  // client reads every answer, then the end, and closes first: closing with the client's
  // last messages unread would reset the connection, and a reset can overtake answers the
  // client has not read yet.
  void ShutdownWrite() {
    if (!shut_) stream_->shutdownWrite();
    shut_ = true;
  }

 private:
  static capnp::ReaderOptions ReaderOptions() {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = 32ull << 20 >> 3;  // 32 MiB per message
    return options;
  }

  kj::Own<kj::AsyncIoStream> stream_;
  capnp::TwoPartyVatNetwork network_;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc_;
  std::list<Connection*>* all_;
  std::list<Connection*>::iterator it_;
  bool shut_ = false;
};

class QuietErrors final : public kj::TaskSet::ErrorHandler {
 public:
  void taskFailed(kj::Exception&&) override {}  // a connection's own failure ends it alone
};

class ServerImpl final : public Server {
 public:
  ServerImpl(std::string path, ServeOptions options, std::vector<Address> extra,
             std::string token, std::unique_ptr<StoreImpl> store, const BackendMaker& make)
      : path_(std::move(path)),
        options_(std::move(options)),
        extra_(std::move(extra)),
        token_(std::move(token)),
        store_(std::move(store)),
        make_backend_(make) {}
  ~ServerImpl() noexcept override = default;

  Status Run(const std::function<void(const std::vector<std::string>&)>& ready) override;
  void Stop() override;
  size_t TEST_followers() const override { return followers_.load(); }

 private:
  void Log(const std::string& line) {
    if (options_.log) options_.log(line);
  }
  Result<std::vector<Listener>> Listen(kj::AsyncIoContext& io, std::string* fallback_dir);
  kj::Promise<void> Accept(ServerState& state, Listener& listener);
  // Whether every answer written has left (no connection has bytes queued).
  bool Flushed() const;

  const std::string path_;
  const ServeOptions options_;
  const std::vector<Address> extra_;
  const std::string token_;
  std::unique_ptr<StoreImpl> store_;
  const BackendMaker make_backend_;  // null: a plain server

  std::mutex stop_mu_;
  bool stop_requested_ = false;                               // stop_mu_
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop_;       // stop_mu_; set while Run runs

  std::list<Connection*> connections_;  // the loop's
  std::atomic<size_t> followers_{0};
  QuietErrors quiet_;
  kj::Maybe<kj::TaskSet> open_connections_;
};

Result<std::vector<Listener>> ServerImpl::Listen(kj::AsyncIoContext& io,
                                                 std::string* fallback_dir) {
  std::vector<Address> addresses;
  auto own = StoreSocketPath(path_, fallback_dir);
  if (!own.ok()) return own.status();
  Address unix_address;
  unix_address.path = *own;
  addresses.push_back(unix_address);
  addresses.insert(addresses.end(), extra_.begin(), extra_.end());
  std::vector<Listener> listeners;
  for (Address& a : addresses) {
    auto fd = ListenSocket(a);
    if (!fd.ok()) return fd.status();
    if (a.kind == Address::kTcp && a.port == 0) {  // a port the system chose
      sockaddr_storage ss;
      socklen_t len = sizeof(ss);
      if (::getsockname(*fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
        a.port = ntohs(ss.ss_family == AF_INET6
                           ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                           : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
      }
    }
    Listener l;
    l.address = a;
    l.tcp = a.kind == Address::kTcp;
    l.receiver = io.lowLevelProvider->wrapListenSocketFd(
        *fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP |
                 kj::LowLevelAsyncIoProvider::ALREADY_CLOEXEC |
                 kj::LowLevelAsyncIoProvider::ALREADY_NONBLOCK);
    listeners.push_back(kj::mv(l));
  }
  return listeners;
}

kj::Promise<void> ServerImpl::Accept(ServerState& state, Listener& listener) {
  return listener.receiver->accept().then(
      [this, &state, &listener](kj::Own<kj::AsyncIoStream> stream) {
        auto connection = kj::heap<Connection>(kj::mv(stream), NewGate(state, listener.tcp),
                                               options_.flow_limit_bytes, &connections_);
        auto ended = connection->onDisconnect();
        KJ_IF_MAYBE(tasks, open_connections_) {
          tasks->add(ended.attach(kj::mv(connection)));
        }
        return Accept(state, listener);
      },
      [this, &state, &listener](kj::Exception&& e) {
        // Out of file descriptors, say: keep listening, a little later.
        Log("accept on " + listener.address.ToString() + " failed: " +
            e.getDescription().cStr());
        return state.timer().afterDelay(100 * kj::MILLISECONDS).then([this, &state, &listener] {
          return Accept(state, listener);
        });
      });
}

bool ServerImpl::Flushed() const {
  size_t queued = 0;
  for (Connection* c : connections_) queued += c->queued_bytes();
  return queued == 0;
}

namespace {

// Resolves once `done` holds, asked every `period` (the first time after one), or once
// `deadline` has passed.
kj::Promise<void> PollUntil(kj::Timer& timer, kj::TimePoint deadline, kj::Duration period,
                            kj::Function<bool()> done) {
  return timer.afterDelay(period).then(
      [&timer, deadline, period, done = kj::mv(done)]() mutable -> kj::Promise<void> {
        if (done() || timer.now() >= deadline) return kj::READY_NOW;
        return PollUntil(timer, deadline, period, kj::mv(done));
      });
}

}  // namespace

Status ServerImpl::Run(const std::function<void(const std::vector<std::string>&)>& ready) {
  auto io = kj::setupAsyncIo();
  kj::Promise<void> stop = nullptr;
  {
    auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (stop_requested_) paf.fulfiller->fulfill();
    stop_ = kj::mv(paf.fulfiller);
    stop = kj::mv(paf.promise);
  }
  if (options_.handle_signals) {
    kj::UnixEventPort::captureSignal(SIGTERM);
    kj::UnixEventPort::captureSignal(SIGINT);
    stop = stop.exclusiveJoin(io.unixEventPort.onSignal(SIGTERM).ignoreResult())
               .exclusiveJoin(io.unixEventPort.onSignal(SIGINT).ignoreResult());
  }
  // A cluster node's backend (its applier) lives while the server runs, and goes before
  // the store it writes.
  std::unique_ptr<BackendOwner> owner;
  ServerBackend backend = StoreBackend(*store_);
  if (make_backend_) {
    auto made = make_backend_(*store_);
    if (!made.ok()) return made.status();
    owner = std::move(made).value();
    backend = owner->backend();
  }
  auto streams = store_->ListStreams();
  if (!streams.ok()) return streams.status();
  uint64_t head = 0;
  for (const auto& s : *streams) head = std::max(head, s.last_seq);

  // The store is ours: whatever a dead server left here is stale.
  RemoveServerLeftovers(path_);
  std::string fallback_dir;
  std::vector<Listener> listeners;
  {
    auto l = Listen(io, &fallback_dir);
    if (!l.ok()) {
      RemoveServerLeftovers(path_);
      if (!fallback_dir.empty()) ::rmdir(fallback_dir.c_str());
      return l.status();
    }
    listeners = std::move(l).value();
  }
  ServerRecord record;
  record.pid = ::getpid();
  for (const auto& l : listeners) record.addresses.push_back(l.address.ToString());
  Status recorded = WriteRecord(path_, record);
  if (!recorded.ok()) return recorded;

  {
    ServerState state(backend, path_, token_, io.provider->getTimer(), head, &followers_);
    open_connections_.emplace(quiet_);
    {
      kj::TaskSet accepting(quiet_);
      for (auto& l : listeners) accepting.add(Accept(state, l));
      if (ready) ready(record.addresses);
      stop.wait(io.waitScope);
      // Leaving this scope stops accepting; the sockets go with the listeners.
    }
    for (const auto& l : listeners) {
      if (l.address.kind == Address::kUnix) ::unlink(l.address.path.c_str());
    }
    listeners.clear();
    Log("stopping: finishing the writes in flight");
    state.Drain().wait(io.waitScope);
    auto& timer = io.provider->getTimer();
    auto flushed = [this] { return Flushed(); };
    PollUntil(timer, timer.now() + 2 * kj::SECONDS, 5 * kj::MILLISECONDS, flushed)
        .wait(io.waitScope);
    // Clients between two calls (a follower between polls, a writer between appends) are
    // told "stopping" when they call next: keep answering until no call came for 100 ms.
    PollUntil(timer, timer.now() + 2 * kj::SECONDS, 100 * kj::MILLISECONDS,
              [this, &state, seen = state.refusals()]() mutable {
                const uint64_t now = state.refusals();
                const bool quiet = connections_.empty() || now == seen;
                seen = now;
                return quiet;
              })
        .wait(io.waitScope);
    PollUntil(timer, timer.now() + 1 * kj::SECONDS, 5 * kj::MILLISECONDS, flushed)
        .wait(io.waitScope);
    for (Connection* c : connections_) c->ShutdownWrite();
    PollUntil(timer, timer.now() + 1 * kj::SECONDS, 5 * kj::MILLISECONDS,
              [this] { return connections_.empty(); })
        .wait(io.waitScope);
    open_connections_ = nullptr;  // closes the connections left
  }  // ~ServerState: the worker threads are joined
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = nullptr;
  }
  owner.reset();   // a cluster node's applier stops before its store closes
  store_.reset();  // the store is closed before its record goes
  RemoveServerLeftovers(path_);
  if (!fallback_dir.empty()) ::rmdir(fallback_dir.c_str());
  Log("stopped; the store is closed");
  return Status::OK();
}

void ServerImpl::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  stop_requested_ = true;
  if (stop_.get() != nullptr) stop_->fulfill();
}

}  // namespace

}  // namespace internal

Result<std::unique_ptr<Server>> Server::Open(const std::string& path,
                                             const ServeOptions& options) {
  return internal::OpenServer(path, options, nullptr);
}

namespace internal {

ServerBackend StoreBackend(StoreImpl& store) {
  ServerBackend backend;
  backend.store = &store;
  backend.append_group = [&store](std::vector<StoreImpl::GroupAppend>* group) {
    store.AppendGroup(group);
  };
  return backend;
}

Result<std::unique_ptr<Server>> OpenServer(const std::string& path, const ServeOptions& options,
                                           const BackendMaker& make_backend) {
  if (options.handle_signals) {
    // Blocked before the store starts its threads, so that they inherit the mask and the
    // signals reach only the event loop (kj::UnixEventPort::captureSignal).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }
  std::vector<Address> extra;
  bool tcp = false;
  for (const auto& text : options.listen) {
    auto a = internal::ParseAddress(text);
    if (!a.ok()) return a.status();
    tcp |= a->kind == Address::kTcp;
    extra.push_back(*a);
  }
  if (tcp && options.token_file.empty()) {
    return Status::InvalidArgument("a TCP listener needs a token: give --token-file FILE (a "
                                   "private file whose first line is the token)");
  }
  std::string token;
  if (!options.token_file.empty()) {
    auto t = internal::ReadToken(options.token_file);
    if (!t.ok()) return t.status();
    token = std::move(t).value();
  }
  // Opened as Store::Open does; the server uses StoreImpl's group commit directly.
  auto store = internal::StoreImpl::OpenImpl(path, options.store, internal::TestHooks());
  if (!store.ok()) return store.status();
  return std::unique_ptr<Server>(new internal::ServerImpl(path, options, std::move(extra),
                                                          std::move(token),
                                                          std::move(store).value(),
                                                          make_backend));
}

}  // namespace internal

Result<std::string> ReadTokenFile(const std::string& path) { return internal::ReadToken(path); }

}  // namespace annals
