// Copyright annals authors.
//
// Paged reads (StartCursor, service.h): a read runs on a worker thread and writes its pages
// to a Channel; the client's Cursor takes them one `next` at a time.

#include <functional>
#include <memory>
#include <utility>

#include "codec/event_rep.h"
#include "server/service.h"
#include "server/wire.h"

namespace annals {
namespace internal {

namespace {

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

}  // namespace

rpc::Cursor::Client StartCursor(ServerState& state,
                                std::function<Status(Store&, PageWriter&)> read) {
  auto channel = std::make_shared<Channel>();
  if (state.RefuseIfStopping()) {
    channel->Finish(ServerState::StoppingStatus());
  } else {
    state.Track(channel);
    Store& store = state.store();
    state.pool().Submit([channel, read = std::move(read), &store]() {
      PageWriter out(*channel);
      Status s = read(store, out);
      if (s.ok()) out.Flush();
      channel->Finish(std::move(s));
    });
  }
  return kj::heap<CursorImpl>(std::move(channel));
}

}  // namespace internal
}  // namespace annals
