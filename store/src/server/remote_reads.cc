// Copyright annals authors.
//
// RemoteStore's reads (remote_store.h), and how a client finds and reaches a server.

#include <capnp/rpc-twoparty.h>

#include <algorithm>
#include <utility>

#include "annals/server.h"
#include "codec/event_rep.h"
#include "server/address.h"
#include "server/remote_store.h"

namespace annals {
namespace internal {

namespace {

// Events per follow answer, and how long one waits when nobody asks to stop.
constexpr uint32_t kFollowEvents = 512;
constexpr uint32_t kFollowWaitMillis = 30000;

template <typename Response>
Result<Event> DecodeEvent(Response& r, const Registry& registry, bool* unknown) {
  Status s = OutcomeStatus(r.getOutcome());
  if (!s.ok()) return s;
  auto e = EventFromWire(r.getEvent(), registry);
  if (!e.ok() && e.status().IsNotFound()) *unknown = true;
  return e;
}

Result<std::vector<Event>> DecodeEvents(capnp::List<schema::Event>::Reader list,
                                        const Registry& registry, bool* unknown) {
  std::vector<Event> out;
  out.reserve(list.size());
  for (auto e : list) {
    auto ev = EventFromWire(e, registry);
    if (!ev.ok()) {
      if (ev.status().IsNotFound()) *unknown = true;
      return ev.status();
    }
    out.push_back(std::move(ev).value());
  }
  return out;
}

Result<ClientPage> DecodePage(capnp::Response<rpc::Cursor::NextResults>& r,
                              const Registry& registry, bool* unknown) {
  ClientPage page;
  page.done = r.getDone();
  if (page.done) page.status = OutcomeStatus(r.getOutcome());
  if (!r.hasPage()) return page;
  auto p = r.getPage();
  auto event = [&](schema::Event::Reader e) -> Result<Event> {
    auto ev = EventFromWire(e, registry);
    if (!ev.ok() && ev.status().IsNotFound()) *unknown = true;
    return ev;
  };
  switch (p.which()) {
    case rpc::Page::EVENTS: {
      auto events = DecodeEvents(p.getEvents(), registry, unknown);
      if (!events.ok()) return events.status();
      page.events = std::move(events).value();
      break;
    }
    case rpc::Page::HISTORY:
      for (auto h : p.getHistory()) {
        auto ev = event(h.getEvent());
        if (!ev.ok()) return ev.status();
        page.history.push_back(
            HistoryEntry{std::move(ev).value(), h.getCorrected(), h.getTentative()});
      }
      break;
    case rpc::Page::REPLAY:
      for (auto x : p.getReplay()) {
        auto ev = event(x.getEvent());
        if (!ev.ok()) return ev.status();
        page.replay.push_back(ReplayEntry{std::move(ev).value(), ChangesFromWire(x.getChanges())});
      }
      break;
    case rpc::Page::VERIFIED:
      page.verified = p.getVerified();
      break;
    case rpc::Page::REPORT:
      page.report = VerifyReportFromWire(p.getReport());
      break;
  }
  return page;
}

}  // namespace

// The loop thread's side of a paged read.
struct RemoteCursor {
  rpc::Cursor::Client cursor;
  kj::Maybe<kj::Promise<Result<ClientPage>>> next;
};

Status RemoteStore::Pages(
    const std::function<rpc::Cursor::Client(rpc::Annals::Client&)>& open,
    const std::function<bool(ClientPage&)>& visit) {
  std::unique_ptr<RemoteCursor> c;
  auto fetch = [this](RemoteCursor& cursor) {
    return cursor.cursor.nextRequest().send().then(
        [this](capnp::Response<rpc::Cursor::NextResults> r) {
          return Decode<ClientPage>(kj::mv(r), DecodePage);
        });
  };
  Result<bool> opened = Call<bool>([&]() {
    c.reset(new RemoteCursor{open(session_->annals), nullptr});
    c->next = fetch(*c);
    return true;
  });
  Status result = opened.status();
  while (result.ok()) {
    // Each page is asked for before the visitor sees the one before it.
    Result<ClientPage> page = Call<ClientPage>([&]() {
      // (Not KJ_ASSERT_NONNULL: a GNU statement expression, which clang -Wpedantic refuses.)
      kj::Promise<Result<ClientPage>> p = nullptr;
      KJ_IF_MAYBE(next, c->next) {
        p = kj::mv(*next);
      } else {
        KJ_FAIL_ASSERT("no page was asked for");
      }
      c->next = nullptr;
      return p.then([&c, fetch](Result<ClientPage> got) {
        if (got.ok() && !got->done) c->next = fetch(*c);
        return got;
      });
    });
    if (!page.ok()) {
      result = page.status();
      break;
    }
    const bool more = visit(*page);
    if (page->done) {
      result = page->status;
      break;
    }
    if (!more) break;
  }
  (void)Call<bool>([&]() {
    c = nullptr;  // releasing the cursor ends the read on the server
    return true;
  });
  return result;
}

Result<std::vector<VocabularyInfo>> RemoteStore::ListVocabularies() {
  return Call<std::vector<VocabularyInfo>>([&]() {
    return session_->annals.listVocabulariesRequest().send().then(
        [](capnp::Response<rpc::Annals::ListVocabulariesResults> r)
            -> Result<std::vector<VocabularyInfo>> {
          Status s = OutcomeStatus(r.getOutcome());
          if (!s.ok()) return s;
          std::vector<VocabularyInfo> out;
          for (auto v : r.getList()) out.push_back(VocabularyInfoFromWire(v));
          return out;
        });
  });
}

Result<VocabularyInfo> RemoteStore::GetVocabulary(const std::string& name, uint32_t version) {
  return Call<VocabularyInfo>([&]() {
    auto request = session_->annals.getVocabularyRequest();
    request.setName(name);
    request.setVersion(version);
    return request.send().then([](capnp::Response<rpc::Annals::GetVocabularyResults> r)
                                   -> Result<VocabularyInfo> {
      Status s = OutcomeStatus(r.getOutcome());
      if (!s.ok()) return s;
      return VocabularyInfoFromWire(r.getInfo());
    });
  });
}

EventTypes RemoteStore::Types() {
  auto fresh = Call<std::shared_ptr<const Registry>>([&]() {
    return Refresh().then(
        [](std::shared_ptr<const Registry> r) { return Result<std::shared_ptr<const Registry>>(r); });
  });
  // Types cannot fail; a lost connection shows in the call that follows.
  return EventTypes(fresh.ok() ? *fresh : registry());
}

Result<Event> RemoteStore::GetBySeq(uint64_t seq) {
  return Call<Event>([&]() {
    auto request = session_->annals.getBySeqRequest();
    request.setSeq(seq);
    return request.send().then([this](capnp::Response<rpc::Annals::GetBySeqResults> r) {
      return Decode<Event>(kj::mv(r), DecodeEvent<capnp::Response<rpc::Annals::GetBySeqResults>>);
    });
  });
}

Result<Event> RemoteStore::GetById(std::string_view id) {
  return Call<Event>([&]() {
    auto request = session_->annals.getByIdRequest();
    request.setId(capnp::Text::Reader(id.data(), id.size()));
    return request.send().then([this](capnp::Response<rpc::Annals::GetByIdResults> r) {
      return Decode<Event>(kj::mv(r), DecodeEvent<capnp::Response<rpc::Annals::GetByIdResults>>);
    });
  });
}

Status RemoteStore::ScanLog(const LogRange& range, const Visitor<Event>& visit) {
  return Pages(
      [&range](rpc::Annals::Client& annals) {
        auto request = annals.scanLogRequest();
        SetLogRange(range, request.initRange());
        return request.send().getCursor();
      },
      [&visit](ClientPage& page) {
        for (const Event& e : page.events) {
          if (!visit(e)) return false;
        }
        return true;
      });
}

Status RemoteStore::History(const TimeQuery& query, const Visitor<HistoryEntry>& visit) {
  return Pages(
      [&query](rpc::Annals::Client& annals) {
        auto request = annals.historyRequest();
        SetTimeQuery(query, request.initQuery());
        return request.send().getCursor();
      },
      [&visit](ClientPage& page) {
        for (const HistoryEntry& e : page.history) {
          if (!visit(e)) return false;
        }
        return true;
      });
}

Status RemoteStore::Replay(const LogRange& range, const Visitor<ReplayEntry>& visit) {
  return Pages(
      [&range](rpc::Annals::Client& annals) {
        auto request = annals.replayRequest();
        SetLogRange(range, request.initRange());
        return request.send().getCursor();
      },
      [&visit](ClientPage& page) {
        for (const ReplayEntry& e : page.replay) {
          if (!visit(e)) return false;
        }
        return true;
      });
}

Result<VerifyReport> RemoteStore::Verify(const VerifyOptions& options) {
  std::optional<VerifyReport> report;
  Status s = Pages(
      [&options](rpc::Annals::Client& annals) {
        auto request = annals.verifyRequest();
        request.setProgressEvery(options.progress ? std::max<uint64_t>(options.progress_every, 1)
                                                  : 0);
        return request.send().getCursor();
      },
      [&](ClientPage& page) {
        if (page.verified && options.progress) options.progress(*page.verified);
        if (page.report) report = std::move(page.report);
        return true;
      });
  if (!s.ok()) return s;
  if (!report) return Status::Unavailable("annals server at " + where_ + " ended a verify "
                                          "without its report");
  return std::move(*report);
}

Status RemoteStore::Follow(const LogRange& range, const Visitor<Event>& visit,
                           const FollowOptions& options) {
  struct Answer {
    std::vector<Event> events;
    uint64_t scanned_to = 0;
  };
  if (range.limit && *range.limit == 0) return Status::OK();
  uint64_t after = range.after_seq;
  uint64_t visited = 0;
  const uint32_t wait_millis =
      options.keep_going
          ? static_cast<uint32_t>(std::clamp<int64_t>(options.poll_micros / 1000, 1, 60000))
          : kFollowWaitMillis;
  for (;;) {
    Result<Answer> answer = Call<Answer>([&]() {
      auto request = session_->annals.followRequest();
      request.setStream(range.stream);
      request.setAfterSeq(after);
      request.setMaxEvents(kFollowEvents);
      request.setWaitMillis(wait_millis);
      return request.send().then([this](capnp::Response<rpc::Annals::FollowResults> r) {
        return Decode<Answer>(kj::mv(r), [](capnp::Response<rpc::Annals::FollowResults>& x,
                                            const Registry& registry, bool* unknown)
                                             -> Result<Answer> {
          Status s = OutcomeStatus(x.getOutcome());
          if (!s.ok()) return s;
          auto events = DecodeEvents(x.getEvents(), registry, unknown);
          if (!events.ok()) return events.status();
          return Answer{std::move(events).value(), x.getScannedTo()};
        });
      });
    });
    if (!answer.ok()) {
      return StatusOf(answer.status().code(),
                      answer.status().message() + "; following ended after seq " +
                          std::to_string(after) + " (resume with --after-seq " +
                          std::to_string(after) + ")");
    }
    for (const Event& e : answer->events) {
      after = e.seq();
      ++visited;
      if (!visit(e) || (range.limit && visited >= *range.limit)) return Status::OK();
    }
    after = std::max(after, answer->scanned_to);
    if (options.keep_going && !options.keep_going()) return Status::OK();
  }
}

Result<std::vector<StreamInfo>> RemoteStore::ListStreams() {
  return Call<std::vector<StreamInfo>>([&]() {
    return session_->annals.listStreamsRequest().send().then(
        [](capnp::Response<rpc::Annals::ListStreamsResults> r)
            -> Result<std::vector<StreamInfo>> {
          Status s = OutcomeStatus(r.getOutcome());
          if (!s.ok()) return s;
          std::vector<StreamInfo> out;
          for (auto i : r.getStreams()) out.push_back(StreamInfoFromWire(i));
          return out;
        });
  });
}

Result<StreamInfo> RemoteStore::GetStream(std::string_view stream) {
  return Call<StreamInfo>([&]() {
    auto request = session_->annals.getStreamRequest();
    request.setStream(capnp::Text::Reader(stream.data(), stream.size()));
    return request.send().then(
        [](capnp::Response<rpc::Annals::GetStreamResults> r) -> Result<StreamInfo> {
          Status s = OutcomeStatus(r.getOutcome());
          if (!s.ok()) return s;
          return StreamInfoFromWire(r.getInfo());
        });
  });
}

Result<State> RemoteStore::GetState(const TimeQuery& query) {
  return Call<State>([&]() {
    auto request = session_->annals.getStateRequest();
    SetTimeQuery(query, request.initQuery());
    return request.send().then([this](capnp::Response<rpc::Annals::GetStateResults> r) {
      return Decode<State>(kj::mv(r), [](capnp::Response<rpc::Annals::GetStateResults>& x,
                                         const Registry& registry, bool* unknown) -> Result<State> {
        Status s = OutcomeStatus(x.getOutcome());
        if (!s.ok()) return s;
        auto state = StateFromWire(x.getState(), registry);
        if (!state.ok() && state.status().IsNotFound()) *unknown = true;
        return state;
      });
    });
  });
}

Result<DiffResult> RemoteStore::Diff(const std::string& stream, const std::string& from,
                                     const std::string& to, const std::string& known_at) {
  return Call<DiffResult>([&]() {
    auto request = session_->annals.diffRequest();
    request.setStream(stream);
    request.setFrom(from);
    request.setTo(to);
    request.setKnownAt(known_at);
    return request.send().then(
        [](capnp::Response<rpc::Annals::DiffResults> r) -> Result<DiffResult> {
          Status s = OutcomeStatus(r.getOutcome());
          if (!s.ok()) return s;
          return DiffFromWire(r.getDiff());
        });
  });
}

}  // namespace internal

// ---- reaching a server ---------------------------------------------------------------------

namespace {

Result<std::unique_ptr<Store>> Connect(const internal::Address& address,
                                       const ClientOptions& options, bool* absent) {
  *absent = false;
  bool refused = false;
  auto fd = internal::ConnectSocket(address, &refused);
  if (!fd.ok()) {
    *absent = refused;
    return fd.status();
  }
  bool stopping = false;
  auto store = internal::RemoteStore::Open(*fd, options.token, address.ToString(), &stopping);
  if (!store.ok()) {
    *absent = stopping;
    return store.status();
  }
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace

Result<std::unique_ptr<Store>> ConnectToServer(const std::string& address,
                                               const ClientOptions& options) {
  auto a = internal::ParseAddress(address);
  if (!a.ok()) return a.status();
  bool absent = false;
  return Connect(*a, options, &absent);
}

Result<std::unique_ptr<Store>> ConnectToStoreServer(const std::string& path,
                                                    const ClientOptions& options) {
  auto record = internal::ReadRecord(path);
  // No record (or none this user may read): no server; direct use says what is wrong.
  if (!record.ok()) return std::unique_ptr<Store>();
  for (const auto& text : record->addresses) {
    auto a = internal::ParseAddress(text);
    if (!a.ok() || a->kind != internal::Address::kUnix) continue;
    bool absent = false;
    auto store = Connect(*a, options, &absent);
    // A server that died (the socket refuses) or is stopping: use the store directly.
    if (!store.ok() && absent) return std::unique_ptr<Store>();
    return store;
  }
  return std::unique_ptr<Store>();
}

bool IsRemoteStore(const Store& store) {
  return dynamic_cast<const internal::RemoteStore*>(&store) != nullptr;
}

}  // namespace annals
