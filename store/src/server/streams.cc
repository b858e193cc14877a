// Copyright annals authors.
//
// Import and restore through a server: the client streams its input in chunks (`-> stream`
// calls, so the client sends only as fast as the connection's window allows); a worker
// thread runs ONE Store::Import (or Restore) whose source takes the chunks in order.
//
// A chunk call is answered once the worker has taken the chunk (and converted it): until
// then its message stays alive, and the connection's flow limit bounds the chunks in
// flight, so the server holds at most a few chunks of an import at a time.
//
// The client ends its input with `finish`, giving the status its own source ended with
// (a malformed line: the import fails there, exactly where Store::Import would have failed
// reading it directly).  A client that goes away before `finish` (killed, disconnected)
// aborts the job: Store::Import then fails, and removes what it had written, so nothing of
// the import stays; Restore is handed a line that cannot parse, so it writes nothing.

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "server/service.h"
#include "server/wire.h"

namespace annals {
namespace internal {

namespace {

// The input of one import or restore, from the loop (chunks, the end) to the worker.
template <typename Params, typename Item>
class InputJob final : public StreamJob {
 public:
  // Turns a chunk into items, on the worker thread.
  using Convert = std::function<void(Params params, std::deque<Item>* out)>;

  explicit InputJob(Convert convert) : convert_(std::move(convert)) {}

  // ---- event loop ----
  kj::Promise<void> Add(Params params) {
    std::lock_guard<std::mutex> lock(mu_);
    if (over_ || aborted_) {
      return KJ_EXCEPTION(FAILED, "the input has ended; its outcome is finish()'s");
    }
    auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
    chunks_.push_back(Chunk{params, kj::mv(paf.fulfiller)});
    ++received_;
    cv_.notify_one();
    return kj::mv(paf.promise);
  }
  // The end of the input, after `chunks` chunks (which may still be on their way).
  void End(Status end, uint64_t chunks) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!end_) {
      end_ = std::move(end);
      expected_ = chunks;
    }
    cv_.notify_one();
  }
  void Abort(Status why) {
    std::lock_guard<std::mutex> lock(mu_);
    if (end_ || aborted_) return;
    aborted_ = true;
    abort_status_ = std::move(why);
    cv_.notify_one();
  }
  void AbortIfOpen() override { Abort(ServerState::StoppingStatus()); }

  // ---- worker ----
  // The next item, or nothing at the end of the input: then *end is the status the input
  // ended with (the client's, or why the job was aborted).
  std::optional<Item> Next(Status* end) {
    while (ready_.empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return aborted_ || !chunks_.empty() || Ended(); });
      if (aborted_) {
        *end = abort_status_;
        return std::nullopt;
      }
      if (chunks_.empty()) {
        *end = *end_;
        return std::nullopt;
      }
      Chunk chunk = std::move(chunks_.front());
      chunks_.pop_front();
      lock.unlock();
      convert_(chunk.params, &ready_);  // the chunk's message lives until `taken` fires
      chunk.taken->fulfill();
    }
    Item item = std::move(ready_.front());
    ready_.pop_front();
    return item;
  }
  bool aborted() const {
    std::lock_guard<std::mutex> lock(mu_);
    return aborted_;
  }
  // The store call returned: chunks still queued are refused.
  void Over() {
    std::deque<Chunk> left;
    {
      std::lock_guard<std::mutex> lock(mu_);
      over_ = true;
      left.swap(chunks_);
    }
    for (auto& c : left) c.taken->reject(KJ_EXCEPTION(FAILED, "the input has ended"));
  }

 private:
  struct Chunk {
    Params params;
    kj::Own<kj::CrossThreadPromiseFulfiller<void>> taken;
  };
  // mu_ held: the end was announced and every chunk before it has arrived.
  bool Ended() const { return end_.has_value() && received_ >= expected_; }

  const Convert convert_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> chunks_;        // mu_
  std::optional<Status> end_;       // mu_
  uint64_t expected_ = 0;           // mu_: chunks before the end
  uint64_t received_ = 0;           // mu_
  bool aborted_ = false;            // mu_
  Status abort_status_;             // mu_
  bool over_ = false;               // mu_
  std::deque<Item> ready_;          // the worker's
};

// ---- import ----

struct ImportOutcome {
  Status status;
  ImportSummary summary;
};

using ImportItem = std::pair<Result<NewEvent>, std::string>;  // the event (or why not), label
using ImportJob = InputJob<rpc::ImportInput::ChunkParams::Reader, ImportItem>;

class ImportInputImpl final : public rpc::ImportInput::Server {
 public:
  explicit ImportInputImpl(std::shared_ptr<ImportJob> job) : job_(std::move(job)) {}
  kj::Promise<void> chunk(ChunkContext context) override { return job_->Add(context.getParams()); }

 private:
  std::shared_ptr<ImportJob> job_;
};

class ImportJobImpl final : public rpc::ImportJob::Server {
 public:
  ImportJobImpl(std::shared_ptr<ImportJob> job, kj::ForkedPromise<ImportOutcome> outcome)
      : job_(std::move(job)), outcome_(kj::mv(outcome)) {}
  ~ImportJobImpl() noexcept(false) {
    job_->Abort(Status::Unavailable("the client of the import went away; nothing was imported"));
  }

  kj::Promise<void> finish(FinishContext context) override {
    job_->End(OutcomeStatus(context.getParams().getEnd()), context.getParams().getChunks());
    return outcome_.addBranch().then([context](ImportOutcome o) mutable {
      auto results = context.getResults();
      SetOutcome(o.status, results.initOutcome());
      auto s = results.initSummary();
      s.setAdded(o.summary.added);
      s.setExisted(o.summary.existed);
      s.setFirstSeq(o.summary.first_seq);
      s.setLastSeq(o.summary.last_seq);
    });
  }

 private:
  std::shared_ptr<ImportJob> job_;
  kj::ForkedPromise<ImportOutcome> outcome_;
};

// ---- restore ----

using RestoreJob = InputJob<rpc::RestoreInput::LinesParams::Reader, std::string>;

struct RestoreOutcome {
  Status status;
  uint64_t head = 0;  // the restored store's last seq
};

class RestoreInputImpl final : public rpc::RestoreInput::Server {
 public:
  explicit RestoreInputImpl(std::shared_ptr<RestoreJob> job) : job_(std::move(job)) {}
  kj::Promise<void> lines(LinesContext context) override { return job_->Add(context.getParams()); }

 private:
  std::shared_ptr<RestoreJob> job_;
};

class RestoreJobImpl final : public rpc::RestoreJob::Server {
 public:
  RestoreJobImpl(std::shared_ptr<RestoreJob> job, kj::ForkedPromise<RestoreOutcome> outcome)
      : job_(std::move(job)), outcome_(kj::mv(outcome)) {}
  ~RestoreJobImpl() noexcept(false) {
    job_->Abort(Status::Unavailable("the client of the restore went away; nothing was restored"));
  }

  kj::Promise<void> finish(FinishContext context) override {
    job_->End(Status::OK(), context.getParams().getChunks());
    return outcome_.addBranch().then([context](RestoreOutcome o) mutable {
      SetOutcome(o.status, context.getResults().initOutcome());
    });
  }

 private:
  std::shared_ptr<RestoreJob> job_;
  kj::ForkedPromise<RestoreOutcome> outcome_;
};

}  // namespace

void StartImport(ServerState& state, rpc::Annals::ImportResults::Builder results) {
  Store& store = state.store();
  const EventTypes types = store.Types();
  auto counter = std::make_shared<uint64_t>(0);  // events converted (labels of unlabelled ones)
  auto job = std::make_shared<ImportJob>(
      [types, counter](rpc::ImportInput::ChunkParams::Reader params, std::deque<ImportItem>* out) {
        auto events = params.getEvents();
        auto labels = params.getLabels();
        for (unsigned i = 0; i < events.size(); ++i) {
          ++*counter;
          std::string label =
              i < labels.size() ? std::string(labels[i].cStr()) : "event " + std::to_string(*counter);
          auto event = NewEventFromWire(events[i], types.resolver());
          if (!event.ok()) event = event.status().WithPrefix(label);
          out->emplace_back(std::move(event), std::move(label));
        }
      });
  kj::Promise<ImportOutcome> done = nullptr;
  if (state.RefuseIfStopping()) {
    job->Abort(ServerState::StoppingStatus());
    done = ImportOutcome{ServerState::StoppingStatus(), {}};
  } else {
    state.Track(job);
    state.BeginWrite();
    done = Offload<ImportOutcome>(state.pool(), [job, &store]() {
      auto r = store.Import([&job](std::optional<NewEvent>* event, std::string* label) {
        Status end;
        auto item = job->Next(&end);
        if (!item) return end;  // ok: the end of the input
        if (!item->first.ok()) return item->first.status();
        *event = std::move(item->first).value();
        *label = std::move(item->second);
        return Status::OK();
      });
      job->Over();
      ImportOutcome o;
      o.status = r.status();
      if (r.ok()) o.summary = *r;
      return o;
    });
  }
  auto forked = done.fork();
  if (!state.stopping()) {
    state.tasks().add(forked.addBranch().then([&state](ImportOutcome o) {
      state.EndWrite();
      state.AdvanceHead(o.summary.last_seq);
    }));
  }
  results.setInput(kj::heap<ImportInputImpl>(job));
  results.setJob(kj::heap<ImportJobImpl>(std::move(job), kj::mv(forked)));
}

void StartRestore(ServerState& state, rpc::Annals::RestoreResults::Builder results) {
  Store& store = state.store();
  auto job = std::make_shared<RestoreJob>(
      [](rpc::RestoreInput::LinesParams::Reader params, std::deque<std::string>* out) {
        for (auto line : params.getLines()) out->emplace_back(line.cStr(), line.size());
      });
  kj::Promise<RestoreOutcome> done = nullptr;
  if (state.RefuseIfStopping()) {
    job->Abort(ServerState::StoppingStatus());
    done = RestoreOutcome{ServerState::StoppingStatus(), 0};
  } else {
    state.Track(job);
    state.BeginWrite();
    done = Offload<RestoreOutcome>(state.pool(), [job, &store]() {
      Status end;
      bool aborted = false;
      RestoreOutcome o;
      o.status = store.Restore([&](std::string* line) {
        auto next = job->Next(&end);
        if (next) {
          *line = std::move(*next);
          return true;
        }
        if (end.ok()) return false;
        // Aborted: a line no export holds makes Restore refuse, and write nothing.
        aborted = true;
        *line = "\x01 restore aborted";
        return true;
      });
      job->Over();
      if (aborted) o.status = end;
      if (o.status.ok()) {
        auto streams = store.ListStreams();
        if (streams.ok()) {
          for (const auto& st : *streams) o.head = std::max(o.head, st.last_seq);
        }
      }
      return o;
    });
  }
  auto forked = done.fork();
  if (!state.stopping()) {
    state.tasks().add(forked.addBranch().then([&state](RestoreOutcome o) {
      state.EndWrite();
      state.AdvanceHead(o.head);
    }));
  }
  results.setInput(kj::heap<RestoreInputImpl>(job));
  results.setJob(kj::heap<RestoreJobImpl>(std::move(job), kj::mv(forked)));
}

}  // namespace internal
}  // namespace annals
