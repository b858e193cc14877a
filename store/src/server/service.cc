// Copyright annals authors.

#include "server/service.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "event_rep.h"
#include "server/wire.h"

namespace annals {
namespace internal {

namespace {

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

std::vector<unsigned char> Sha256(const void* data, size_t size) {
  std::vector<unsigned char> digest(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  EVP_Digest(data, size, digest.data(), &n, EVP_sha256(), nullptr);
  digest.resize(n);
  return digest;
}

// How long the next group of appends waits for the clients of the last one to come back.
constexpr kj::Duration kGroupWait = 500 * kj::MICROSECONDS;

// The most a follow call answers with, and the longest it waits.
constexpr uint32_t kMaxFollowEvents = 4096;
constexpr uint32_t kMaxFollowWaitMillis = 60000;

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
  if (!token.empty()) token_digest_ = Sha256(token.data(), token.size());
  if (backend_.applied_head) tasks_.add(PollAppliedHead());
}

kj::Promise<void> ServerState::PollAppliedHead() {
  if (stopping_) return kj::READY_NOW;
  AdvanceHead(backend_.applied_head());
  return timer_.afterDelay(10 * kj::MILLISECONDS).then([this] { return PollAppliedHead(); });
}

ServerState::~ServerState() = default;

bool ServerState::TokenMatches(kj::ArrayPtr<const kj::byte> token) const {
  if (token_digest_.empty()) return false;
  const std::vector<unsigned char> given = Sha256(token.begin(), token.size());
  return given.size() == token_digest_.size() &&
         CRYPTO_memcmp(given.data(), token_digest_.data(), given.size()) == 0;
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
  auto batch = std::make_shared<std::vector<PendingAppend>>(std::move(pending_));
  pending_.clear();
  auto* append_group = &backend_.append_group;
  // The worker appends the whole group; one hand-back to the loop for all of it.
  tasks_.add(Offload<bool>(pool_, [batch, append_group]() {
               std::vector<StoreImpl::GroupAppend> group;
               group.reserve(batch->size());
               for (PendingAppend& p : *batch) group.push_back(std::move(p.append));
               (*append_group)(&group);
               for (size_t i = 0; i < group.size(); ++i) {
                 (*batch)[i].append.result = std::move(group[i].result);
               }
               return true;
             }).then([this, batch](bool) {
               target_ = batch->size() + pending_.size();
               for (PendingAppend& p : *batch) p.done->fulfill(std::move(*p.append.result));
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

namespace {

// ---- pages -------------------------------------------------------------------------------

void SetPage(const PageData& page, rpc::Page::Builder out) {
  if (page.report) {
    SetVerifyReport(*page.report, out.initReport());
  } else if (page.verified) {
    out.setVerified(*page.verified);
  } else if (!page.history.empty()) {
    auto list = out.initHistory(static_cast<unsigned>(page.history.size()));
    for (unsigned i = 0; i < page.history.size(); ++i) {
      list[i].setEvent(page.history[i].event.rep().reader());
      list[i].setCorrected(page.history[i].corrected);
      list[i].setTentative(page.history[i].tentative);
    }
  } else if (!page.replay.empty()) {
    auto list = out.initReplay(static_cast<unsigned>(page.replay.size()));
    for (unsigned i = 0; i < page.replay.size(); ++i) {
      list[i].setEvent(page.replay[i].event.rep().reader());
      const auto& changes = page.replay[i].changes;
      SetChanges(changes, list[i].initChanges(static_cast<unsigned>(changes.size())));
    }
  } else {
    auto list = out.initEvents(static_cast<unsigned>(page.events.size()));
    for (unsigned i = 0; i < page.events.size(); ++i) {
      list.setWithCaveats(i, page.events[i].rep().reader());
    }
  }
}

class CursorImpl final : public rpc::Cursor::Server {
 public:
  explicit CursorImpl(std::shared_ptr<Channel> channel) : channel_(std::move(channel)) {}
  ~CursorImpl() noexcept(false) { channel_->Cancel(Status::Unavailable("the read was abandoned")); }

  kj::Promise<void> next(NextContext context) override {
    return channel_->Next().then([context](Channel::Item item) mutable {
      auto results = context.getResults();
      if (item.page) SetPage(*item.page, results.initPage());
      results.setDone(item.done);
      if (item.done) SetOutcome(item.status, results.initOutcome());
    });
  }

 private:
  std::shared_ptr<Channel> channel_;
};

// ---- follow ------------------------------------------------------------------------------

struct FollowArgs {
  std::string stream;
  uint64_t after = 0;
  uint32_t max_events = 1;
  kj::TimePoint deadline = kj::origin<kj::TimePoint>();
};

struct FollowAnswer {
  Status status;
  std::vector<Event> events;
  uint64_t scanned_to = 0;
};

kj::Promise<FollowAnswer> FollowStep(ServerState& state, FollowArgs args) {
  if (state.stopping()) {
    return FollowAnswer{Status::Unavailable("the annals server is stopping"), {}, args.after};
  }
  const uint64_t head = state.head();
  if (head > args.after) {
    Store& store = state.store();
    return Offload<FollowAnswer>(state.pool(), [&store, args, head]() {
             FollowAnswer answer;
             answer.scanned_to = head;
             LogRange range;
             range.stream = args.stream;
             range.after_seq = args.after;
             range.until_seq = head;
             size_t bytes = 0;
             answer.status = store.ScanLog(range, [&](const Event& e) {
               answer.events.push_back(e);
               bytes += e.rep().reader().totalSize().wordCount * sizeof(capnp::word);
               if (answer.events.size() >= args.max_events || bytes >= Channel::kPageBytes) {
                 answer.scanned_to = e.seq();
                 return false;
               }
               return true;
             });
             return answer;
           })
        .then([&state, args](FollowAnswer answer) mutable -> kj::Promise<FollowAnswer> {
          if (!answer.status.ok() || !answer.events.empty()) return kj::mv(answer);
          args.after = answer.scanned_to;
          return FollowStep(state, args);
        });
  }
  return state.HeadAfter(args.after)
      .then([] { return false; })
      .exclusiveJoin(state.timer().atTime(args.deadline).then([] { return true; }))
      .then([&state, args](bool timed_out) -> kj::Promise<FollowAnswer> {
        if (timed_out) return FollowAnswer{Status::OK(), {}, args.after};
        return FollowStep(state, args);
      });
}

// ---- the store ---------------------------------------------------------------------------

class AnnalsImpl final : public rpc::Annals::Server {
 public:
  explicit AnnalsImpl(ServerState& state) : state_(state) {}

  kj::Promise<void> append(AppendContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    state_.BeginWrite();
    ServerState& state = state_;
    return state_.Append(context.getParams())
        .then([&state, context](Result<std::vector<AppendResult>> r) mutable {
          state.EndWrite();
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (!r.ok()) return;
          auto list = results.initResults(static_cast<unsigned>(r->size()));
          uint64_t last = 0;
          for (unsigned i = 0; i < r->size(); ++i) {
            const AppendResult& a = (*r)[i];
            list[i].setSeq(a.seq);
            list[i].setVersion(a.version);
            list[i].setId(a.id);
            list[i].setExisted(a.existed);
            last = std::max(last, a.seq);
          }
          state.AdvanceHead(last);
        });
  }

  kj::Promise<void> import(ImportContext context) override {
    StartImport(state_, context.getResults());
    return kj::READY_NOW;
  }

  kj::Promise<void> restore(RestoreContext context) override {
    StartRestore(state_, context.getResults());
    return kj::READY_NOW;
  }

  kj::Promise<void> registerVocabulary(RegisterVocabularyContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    auto params = context.getParams();
    Store& store = state_.store();
    state_.BeginWrite();
    ServerState& state = state_;
    return Offload<Result<VocabularyInfo>>(state_.pool(), [&store, params]() {
             return store.RegisterVocabulary(Str(params.getSource()), Str(params.getFileName()));
           })
        .then([&state, context](Result<VocabularyInfo> r) mutable {
          state.EndWrite();
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (!r.ok()) return;
          SetVocabularyInfo(*r, false, results.initInfo());
          state.AdvanceHead(r->seq);
        });
  }

  kj::Promise<void> listVocabularies(ListVocabulariesContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    return Offload<Result<std::vector<VocabularyInfo>>>(
               state_.pool(), [&store]() { return store.ListVocabularies(); })
        .then([context](Result<std::vector<VocabularyInfo>> r) mutable {
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (!r.ok()) return;
          auto list = results.initList(static_cast<unsigned>(r->size()));
          for (unsigned i = 0; i < r->size(); ++i) SetVocabularyInfo((*r)[i], false, list[i]);
        });
  }

  kj::Promise<void> getVocabulary(GetVocabularyContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    const std::string name = Str(context.getParams().getName());
    const uint32_t version = context.getParams().getVersion();
    return Offload<Result<VocabularyInfo>>(
               state_.pool(), [&store, name, version]() { return store.GetVocabulary(name, version); })
        .then([context](Result<VocabularyInfo> r) mutable {
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (r.ok()) SetVocabularyInfo(*r, true, results.initInfo());
        });
  }

  kj::Promise<void> registrations(RegistrationsContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    const uint64_t after = context.getParams().getAfterSeq();
    return Offload<Result<std::vector<VocabularyInfo>>>(
               state_.pool(), [&store, after]() { return Registrations(store, after); })
        .then([context](Result<std::vector<VocabularyInfo>> r) mutable {
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (!r.ok()) return;
          auto list = results.initList(static_cast<unsigned>(r->size()));
          for (unsigned i = 0; i < r->size(); ++i) SetVocabularyInfo((*r)[i], true, list[i]);
        });
  }

  kj::Promise<void> getBySeq(GetBySeqContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    const uint64_t seq = context.getParams().getSeq();
    return SendEvent(context,
                     Offload<Result<Event>>(state_.pool(), [&store, seq]() { return store.GetBySeq(seq); }));
  }

  kj::Promise<void> getById(GetByIdContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    const std::string id = Str(context.getParams().getId());
    return SendEvent(context,
                     Offload<Result<Event>>(state_.pool(), [&store, id]() { return store.GetById(id); }));
  }

  kj::Promise<void> scanLog(ScanLogContext context) override {
    const LogRange range = LogRangeFromWire(context.getParams().getRange());
    context.getResults().setCursor(StartCursor([range](Store& store, PageWriter& out) {
      return store.ScanLog(range, [&out](const Event& e) { return out.Add(e); });
    }));
    return kj::READY_NOW;
  }

  kj::Promise<void> listStreams(ListStreamsContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    return Offload<Result<std::vector<StreamInfo>>>(state_.pool(),
                                                    [&store]() { return store.ListStreams(); })
        .then([context](Result<std::vector<StreamInfo>> r) mutable {
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (!r.ok()) return;
          auto list = results.initStreams(static_cast<unsigned>(r->size()));
          for (unsigned i = 0; i < r->size(); ++i) SetStreamInfo((*r)[i], list[i]);
        });
  }

  kj::Promise<void> getStream(GetStreamContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    const std::string stream = Str(context.getParams().getStream());
    return Offload<Result<StreamInfo>>(state_.pool(),
                                       [&store, stream]() { return store.GetStream(stream); })
        .then([context](Result<StreamInfo> r) mutable {
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (r.ok()) SetStreamInfo(*r, results.initInfo());
        });
  }

  kj::Promise<void> verify(VerifyContext context) override {
    const uint64_t every = context.getParams().getProgressEvery();
    context.getResults().setCursor(StartCursor([every](Store& store, PageWriter& out) {
      VerifyOptions options;
      if (every > 0) {
        options.progress_every = every;
        options.progress = [&out](uint64_t n) {
          out.Flush();
          PageData page;
          page.verified = n;
          page.items = 1;
          out.Push(std::move(page));
        };
      }
      auto report = store.Verify(options);
      if (!report.ok()) return report.status();
      PageData page;
      page.report = std::move(report).value();
      page.items = 1;
      out.Push(std::move(page));
      return Status::OK();
    }));
    return kj::READY_NOW;
  }

  kj::Promise<void> getState(GetStateContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    const TimeQuery query = TimeQueryFromWire(context.getParams().getQuery());
    return Offload<Result<State>>(state_.pool(), [&store, query]() { return store.GetState(query); })
        .then([context](Result<State> r) mutable {
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (r.ok()) SetState(*r, results.initState());
        });
  }

  kj::Promise<void> history(HistoryContext context) override {
    const TimeQuery query = TimeQueryFromWire(context.getParams().getQuery());
    context.getResults().setCursor(StartCursor([query](Store& store, PageWriter& out) {
      return store.History(query, [&out](const HistoryEntry& e) { return out.Add(e); });
    }));
    return kj::READY_NOW;
  }

  kj::Promise<void> diff(DiffContext context) override {
    if (Refused(context.getResults().initOutcome())) return kj::READY_NOW;
    Store& store = state_.store();
    auto p = context.getParams();
    const std::string stream = Str(p.getStream()), from = Str(p.getFrom()), to = Str(p.getTo()),
                      known_at = Str(p.getKnownAt());
    return Offload<Result<DiffResult>>(state_.pool(),
                                       [&store, stream, from, to, known_at]() {
                                         return store.Diff(stream, from, to, known_at);
                                       })
        .then([context](Result<DiffResult> r) mutable {
          auto results = context.getResults();
          SetOutcome(r.status(), results.initOutcome());
          if (r.ok()) SetDiff(*r, results.initDiff());
        });
  }

  kj::Promise<void> replay(ReplayContext context) override {
    const LogRange range = LogRangeFromWire(context.getParams().getRange());
    context.getResults().setCursor(StartCursor([range](Store& store, PageWriter& out) {
      return store.Replay(range, [&out](const ReplayEntry& e) { return out.Add(e); });
    }));
    return kj::READY_NOW;
  }

  kj::Promise<void> follow(FollowContext context) override {
    // A follower that goes away (its connection drops) cancels its wait: nothing of it
    // stays behind on the server.
    context.allowCancellation();
    auto p = context.getParams();
    FollowArgs args;
    args.stream = Str(p.getStream());
    args.after = p.getAfterSeq();
    args.max_events = std::clamp<uint32_t>(p.getMaxEvents(), 1, kMaxFollowEvents);
    args.deadline = state_.timer().now() +
                    static_cast<int64_t>(std::min(p.getWaitMillis(), kMaxFollowWaitMillis)) *
                        kj::MILLISECONDS;
    return FollowStep(state_, std::move(args)).then([context](FollowAnswer answer) mutable {
      auto results = context.getResults();
      SetOutcome(answer.status, results.initOutcome());
      results.setScannedTo(answer.scanned_to);
      auto list = results.initEvents(static_cast<unsigned>(answer.events.size()));
      for (unsigned i = 0; i < answer.events.size(); ++i) {
        list.setWithCaveats(i, answer.events[i].rep().reader());
      }
    });
  }

 private:
  bool Refused(rpc::Outcome::Builder outcome) {
    if (!state_.stopping()) return false;
    SetOutcome(ServerState::StoppingStatus(), outcome);
    return true;
  }

  // Every registered version with seq > after, with its source, in seq order.
  static Result<std::vector<VocabularyInfo>> Registrations(Store& store, uint64_t after) {
    auto latest = store.ListVocabularies();
    if (!latest.ok()) return latest.status();
    std::vector<VocabularyInfo> out;
    for (const auto& v : *latest) {
      for (uint32_t version = 1; version <= v.version; ++version) {
        auto info = store.GetVocabulary(v.name, version);
        if (!info.ok()) return info.status();
        if (info->seq > after) out.push_back(std::move(info).value());
      }
    }
    std::sort(out.begin(), out.end(),
              [](const VocabularyInfo& a, const VocabularyInfo& b) { return a.seq < b.seq; });
    return out;
  }

  template <typename Context>
  static kj::Promise<void> SendEvent(Context context, kj::Promise<Result<Event>> event) {
    return event.then([context](Result<Event> r) mutable {
      auto results = context.getResults();
      SetOutcome(r.status(), results.initOutcome());
      if (r.ok()) results.setEvent(r->rep().reader());
    });
  }

  rpc::Cursor::Client StartCursor(std::function<Status(Store&, PageWriter&)> read) {
    auto channel = std::make_shared<Channel>();
    if (state_.stopping()) {
      channel->Finish(ServerState::StoppingStatus());
    } else {
      state_.Track(channel);
      Store& store = state_.store();
      state_.pool().Submit([channel, read = std::move(read), &store]() {
        PageWriter out(*channel);
        Status s = read(store, out);
        if (s.ok()) out.Flush();
        channel->Finish(std::move(s));
      });
    }
    return kj::heap<CursorImpl>(std::move(channel));
  }

  ServerState& state_;
};

// ---- the gate ----------------------------------------------------------------------------

class GateImpl final : public rpc::Gate::Server {
 public:
  GateImpl(ServerState& state, bool needs_token) : state_(state), needs_token_(needs_token) {}

  kj::Promise<void> open(OpenContext context) override {
    auto params = context.getParams();
    auto results = context.getResults();
    Status refused;
    bool bad_token = false;
    if (params.getProtocol() != rpc::PROTOCOL) {
      refused = Status::Unavailable(
          "the annals server speaks protocol " + std::to_string(rpc::PROTOCOL) +
          " and this client " + std::to_string(params.getProtocol()) +
          ": use the same annals version on both sides");
    } else if (needs_token_ && !state_.TokenMatches(params.getToken())) {
      bad_token = true;
      refused = Status::Unavailable(
          "the annals server refused the token (wrong or missing: give it with $ANNALS_TOKEN "
          "or --token-file); nothing was done");
    } else if (state_.stopping()) {
      refused = ServerState::StoppingStatus();
    }
    SetOutcome(refused, results.initOutcome());
    if (!refused.ok()) {
      // A wrong token is answered late, which slows down guessing.
      if (bad_token) return state_.timer().afterDelay(200 * kj::MILLISECONDS);
      return kj::READY_NOW;
    }
    results.setStore(kj::heap<AnnalsImpl>(state_));
    auto info = results.initInfo();
    info.setPid(static_cast<uint32_t>(::getpid()));
    info.setStore(state_.store_path());
    info.setVersion(ANNALS_VERSION);
    return kj::READY_NOW;
  }

 private:
  ServerState& state_;
  const bool needs_token_;
};

}  // namespace

capnp::Capability::Client NewGate(ServerState& state, bool needs_token) {
  return kj::heap<GateImpl>(state, needs_token);
}

}  // namespace internal
}  // namespace annals
