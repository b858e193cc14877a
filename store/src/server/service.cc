// Copyright annals authors.
//
// ServerState (service.h): what every connection of a server shares: the token, the head
// of the log and its followers, appends gathered into groups, and the reads, jobs and
// writes in flight that stopping waits for.

#include "server/service.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <utility>

#include "codec/event_rep.h"
#include "log/chain.h"
#include "server/wire.h"

namespace annals {
namespace internal {

namespace {

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

// How long the next group of appends waits for the clients of the last one to come back.
constexpr kj::Duration kGroupWait = 500 * kj::MICROSECONDS;

}  // namespace

// ---- ServerState -------------------------------------------------------------------------

// A follower waiting for the head to move: listed in ServerState::waiters_ until it is
// woken, or until its promise is dropped (its call cancelled: the connection went away).
class HeadWaiter {
 public:
  HeadWaiter(kj::PromiseFulfiller<void>& fulfiller, ServerState& state)
      : fulfiller_(fulfiller),
        state_(state),
        it_(state.waiters_.insert(state.waiters_.end(), this)) {
    ++state_.followers_;
  }
  ~HeadWaiter() {
    if (listed_) state_.waiters_.erase(it_);
    --state_.followers_;
  }
  HeadWaiter(const HeadWaiter&) = delete;
  HeadWaiter& operator=(const HeadWaiter&) = delete;

  // Called with the waiter already taken out of the list.
  void Wake() {
    listed_ = false;
    fulfiller_.fulfill();
  }

 private:
  kj::PromiseFulfiller<void>& fulfiller_;
  ServerState& state_;
  std::list<HeadWaiter*>::iterator it_;
  bool listed_ = true;
};

ServerState::ServerState(ServerBackend backend, std::string store_path, std::string token,
                         kj::Timer& timer, uint64_t head, std::atomic<size_t>* followers)
    : backend_(std::move(backend)),
      store_path_(std::move(store_path)),
      timer_(timer),
      pool_(256),
      head_(head),
      followers_(*followers),
      tasks_(*this) {
  if (!token.empty()) token_digest_ = Sha256(token);
  if (backend_.applied_head) tasks_.add(PollAppliedHead());
}

kj::Promise<void> ServerState::PollAppliedHead() {
  if (stopping_) return kj::READY_NOW;
  AdvanceHead(backend_.applied_head());
  return timer_.afterDelay(10 * kj::MILLISECONDS).then([this] { return PollAppliedHead(); });
}

ServerState::~ServerState() = default;

bool ServerState::TokenMatches(kj::ArrayPtr<const kj::byte> token) const {
  if (!token_digest_) return false;
  const Hash given =
      Sha256(std::string_view(reinterpret_cast<const char*>(token.begin()), token.size()));
  return CRYPTO_memcmp(given.data(), token_digest_->data(), given.size()) == 0;
}

Status ServerState::StoppingStatus() {
  return Status::Unavailable("the annals server is stopping; nothing was done (run the "
                             "command again: it uses the store directly once the server "
                             "has stopped)");
}

void ServerState::AdvanceHead(uint64_t seq) {
  if (seq <= head_) return;
  head_ = seq;
  // Wakes every follower: each one scans from where it is (those of other streams find
  // nothing and wait again; the scan is a few index reads).
  WakeAll();
}

void ServerState::WakeAll() {
  std::list<HeadWaiter*> waiters;
  waiters.swap(waiters_);
  for (HeadWaiter* w : waiters) w->Wake();
}

kj::Promise<void> ServerState::HeadAfter(uint64_t after) {
  if (stopping_ || head_ > after) return kj::READY_NOW;
  return kj::newAdaptedPromise<void, HeadWaiter>(*this);
}

namespace {

// A client's append as the store takes it: its events rebuilt from the message, its
// expected versions and labels.  InvalidArgument (named by its label) for a bad event.
Status ToGroupAppend(rpc::Annals::AppendParams::Reader params, const EventTypes& types,
                     StoreImpl::GroupAppend* out) {
  for (auto l : params.getLabels()) out->options.labels.push_back(Str(l));
  for (auto e : params.getExpected()) {
    out->options.expected_versions[Str(e.getStream())] = e.getVersion();
  }
  auto wire = params.getEvents();
  out->events.reserve(wire.size());
  for (unsigned i = 0; i < wire.size(); ++i) {
    auto event = NewEventFromWire(wire[i], types.resolver());
    if (!event.ok()) {
      return event.status().WithPrefix(i < out->options.labels.size()
                                           ? out->options.labels[i]
                                           : "event " + std::to_string(i + 1));
    }
    out->events.push_back(std::move(event).value());
  }
  return Status::OK();
}

}  // namespace

kj::Promise<Result<std::vector<AppendResult>>> ServerState::Append(
    rpc::Annals::AppendParams::Reader params) {
  StoreImpl::GroupAppend append;
  Status converted = ToGroupAppend(params, store().Types(), &append);
  if (!converted.ok()) return Result<std::vector<AppendResult>>(std::move(converted));
  auto paf = kj::newPromiseAndFulfiller<Result<std::vector<AppendResult>>>();
  pending_.push_back(PendingAppend{std::move(append), kj::mv(paf.fulfiller)});
  if (!committing_ || (gathering_ && pending_.size() >= target_)) CommitPending();
  return kj::mv(paf.promise);
}

void ServerState::NextGroup() {
  if (pending_.empty()) {
    committing_ = false;
    return;
  }
  // Closed-loop clients come back a round trip after their answer: a group started with
  // those already waiting would leave the ones just answered for the group after, and the
  // groups would settle into halves, each fsync carrying half the clients.  So wait,
  // briefly, until as many wait as were in flight (the group just written and those that
  // waited meanwhile).  A lone client never waits.
  if (pending_.size() >= target_ || stopping_) {
    CommitPending();
    return;
  }
  gathering_ = true;
  const uint64_t gather = ++gather_;
  tasks_.add(timer_.afterDelay(kGroupWait).then([this, gather] {
    if (gathering_ && gather == gather_) CommitPending();
  }));
}

void ServerState::CommitPending() {
  committing_ = true;
  gathering_ = false;
  if (pending_.empty()) {  // all answered meanwhile (a wait that found nothing to do)
    committing_ = false;
    return;
  }
  // The worker appends the whole group; one hand-back to the loop for all of it.  The
  // worker holds only the appends: the fulfillers stay with the loop's continuation, so
  // that they are fulfilled, or dropped if the server goes first, on the loop's thread
  // (a kj fulfiller is not thread-safe: one dropped on a worker while the loop dropped its
  // promise leaked, found by LeakSanitizer in CI).
  auto group = std::make_shared<std::vector<StoreImpl::GroupAppend>>();
  std::vector<kj::Own<kj::PromiseFulfiller<Result<std::vector<AppendResult>>>>> done;
  group->reserve(pending_.size());
  done.reserve(pending_.size());
  for (PendingAppend& p : pending_) {
    group->push_back(std::move(p.append));
    done.push_back(kj::mv(p.done));
  }
  pending_.clear();
  auto* append_group = &backend_.append_group;
  tasks_.add(Offload<bool>(pool_, [group, append_group]() {
               (*append_group)(group.get());
               return true;
             }).then([this, group, done = kj::mv(done)](bool) mutable {
               target_ = done.size() + pending_.size();
               for (size_t i = 0; i < done.size(); ++i) {
                 done[i]->fulfill(std::move(*(*group)[i].result));
               }
               NextGroup();
             }));
}

void ServerState::EndWrite() {
  if (--writes_ == 0 && writes_done_.get() != nullptr) writes_done_->fulfill();
}

void ServerState::Track(const std::shared_ptr<Channel>& channel) {
  channels_.erase(std::remove_if(channels_.begin(), channels_.end(),
                                 [](const std::weak_ptr<Channel>& c) { return c.expired(); }),
                  channels_.end());
  channels_.push_back(channel);
}

void ServerState::Track(const std::shared_ptr<StreamJob>& job) {
  jobs_.erase(std::remove_if(jobs_.begin(), jobs_.end(),
                             [](const std::weak_ptr<StreamJob>& j) { return j.expired(); }),
              jobs_.end());
  jobs_.push_back(job);
}

kj::Promise<void> ServerState::Drain() {
  stopping_ = true;
  for (const auto& j : jobs_) {
    if (auto job = j.lock()) job->AbortIfOpen();
  }
  for (const auto& c : channels_) {
    if (auto channel = c.lock()) channel->Cancel(StoppingStatus());
  }
  WakeAll();
  kj::Promise<void> writes = kj::READY_NOW;
  if (writes_ > 0) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    writes_done_ = kj::mv(paf.fulfiller);
    writes = kj::mv(paf.promise);
  }
  // Then every worker task (reads ending, cancelled scans) returns, and the loop runs the
  // continuations that answer them.
  struct Idle {
    static kj::Promise<void> Wait(ServerState& s) {
      if (s.pool_.busy() == 0) return kj::evalLast([] {});
      return s.timer_.afterDelay(5 * kj::MILLISECONDS).then([&s] { return Wait(s); });
    }
  };
  return writes.then([this] { return Idle::Wait(*this); });
}

void ServerState::taskFailed(kj::Exception&& exception) {
  KJ_LOG(ERROR, "annals server task failed", exception);
}

}  // namespace internal
}  // namespace annals
