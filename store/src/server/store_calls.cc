// Copyright annals authors.
//
// The Annals capability (NewAnnals, service.h): every call of the store, given to a
// connection that passed the gate.  Store calls run on worker threads (Offload); paged reads
// go through cursors (cursor.cc); `follow` waits on the loop for the head to move, holding
// no worker while it waits.

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "codec/event_rep.h"
#include "server/service.h"
#include "server/wire.h"

namespace annals {
namespace internal {

namespace {

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

// The most a follow call answers with, and the longest it waits.
constexpr uint32_t kMaxFollowEvents = 4096;
constexpr uint32_t kMaxFollowWaitMillis = 60000;

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
  if (state.RefuseIfStopping()) {
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
    context.getResults().setCursor(StartCursor(state_, [range](Store& store, PageWriter& out) {
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
    context.getResults().setCursor(StartCursor(state_, [every](Store& store, PageWriter& out) {
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
    context.getResults().setCursor(StartCursor(state_, [query](Store& store, PageWriter& out) {
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
    context.getResults().setCursor(StartCursor(state_, [range](Store& store, PageWriter& out) {
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
    if (!state_.RefuseIfStopping()) return false;
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

  ServerState& state_;
};

}  // namespace

rpc::Annals::Client NewAnnals(ServerState& state) { return kj::heap<AnnalsImpl>(state); }

}  // namespace internal
}  // namespace annals
