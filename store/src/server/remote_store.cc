// Copyright annals authors.

#include "server/remote_store.h"

#include <capnp/rpc-twoparty.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "annals/server.h"
#include "codec/event_rep.h"
#include "server/address.h"
#include "server/wire.h"

namespace annals {
namespace internal {

namespace {

// What a client sends per import or restore chunk.
constexpr size_t kChunkItems = 1024;
constexpr size_t kChunkBytes = 1 << 20;

}  // namespace

RemoteStore::RemoteStore(std::string where)
    : where_(std::move(where)), registry_(Registry::BuiltIn()) {}

RemoteStore::~RemoteStore() noexcept {
  try {
    loop_.Sync([this] { session_ = nullptr; });
  } catch (const kj::Exception&) {
    // The loop is gone with the connection; nothing is left to release.
  }
}

Result<std::unique_ptr<RemoteStore>> RemoteStore::Open(int fd, const std::string& token,
                                                       const std::string& where,
                                                       bool* stopping) {
  *stopping = false;
  std::unique_ptr<RemoteStore> store(new RemoteStore(where));
  RemoteStore* self = store.get();
  Result<bool> opened = self->Call<bool>([self, fd, &token]() {
    auto session = kj::heap<Session>();
    session->stream = self->loop_.io().lowLevelProvider->wrapSocketFd(
        fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP);
    session->client = kj::heap<capnp::TwoPartyClient>(*session->stream);
    auto request = session->client->bootstrap().castAs<rpc::Gate>().openRequest();
    request.setToken(
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(token.data()), token.size()));
    request.setProtocol(rpc::PROTOCOL);
    self->session_ = kj::mv(session);
    return request.send().then([self](capnp::Response<rpc::Gate::OpenResults> r) {
      Status s = OutcomeStatus(r.getOutcome());
      if (!s.ok()) return Result<bool>(s);
      self->session_->annals = r.getStore();
      return Result<bool>(true);
    });
  });
  if (!opened.ok()) {
    *stopping = opened.status().message().find("is stopping") != std::string::npos;
    return opened.status();
  }
  return store;
}

Status RemoteStore::FromKjHere(const kj::Exception& e) const {
  return FromKj(e, Status::Code::kUnavailable, "annals server at " + where_);
}

std::shared_ptr<const Registry> RemoteStore::registry() const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return registry_;
}

kj::Promise<std::shared_ptr<const Registry>> RemoteStore::Refresh() {
  uint64_t after;
  {
    std::lock_guard<std::mutex> lock(registry_mu_);
    after = registry_seq_;
  }
  auto request = session_->annals.registrationsRequest();
  request.setAfterSeq(after);
  return request.send().then(
      [this](capnp::Response<rpc::Annals::RegistrationsResults> r)
          -> std::shared_ptr<const Registry> {
        Status s = OutcomeStatus(r.getOutcome());
        std::vector<VocabularyInfo> list;
        for (auto v : r.getList()) list.push_back(VocabularyInfoFromWire(v));
        if (!s.ok() || list.empty()) return registry();
        // Refreshes run on the loop thread only: nothing else replaces registry_ meanwhile.
        auto next = WithRegistrations(registry(), list);
        if (!next.ok()) return registry();
        std::lock_guard<std::mutex> lock(registry_mu_);
        registry_ = std::move(next).value();
        registry_seq_ = list.back().seq;
        return registry_;
      });
}

// ---- writes ----------------------------------------------------------------------------

Result<std::vector<AppendResult>> RemoteStore::Append(std::vector<NewEvent> events,
                                                      const AppendOptions& options) {
  return Call<std::vector<AppendResult>>([&]() {
    auto request = session_->annals.appendRequest();
    auto list = request.initEvents(static_cast<unsigned>(events.size()));
    for (unsigned i = 0; i < events.size(); ++i) {
      list.setWithCaveats(i, events[i].rep().reader());
    }
    auto expected = request.initExpected(static_cast<unsigned>(options.expected_versions.size()));
    unsigned k = 0;
    for (const auto& [stream, version] : options.expected_versions) {
      expected[k].setStream(stream);
      expected[k++].setVersion(version);
    }
    auto labels = request.initLabels(static_cast<unsigned>(options.labels.size()));
    for (unsigned i = 0; i < options.labels.size(); ++i) labels.set(i, options.labels[i]);
    return request.send().then([](capnp::Response<rpc::Annals::AppendResults> r)
                                   -> Result<std::vector<AppendResult>> {
      Status s = OutcomeStatus(r.getOutcome());
      if (!s.ok()) return s;
      std::vector<AppendResult> out;
      for (auto a : r.getResults()) {
        out.push_back(AppendResult{a.getSeq(), a.getVersion(), a.getId().cStr(), a.getExisted()});
      }
      return out;
    });
  });
}

Result<ImportSummary> RemoteStore::Import(const ImportSource& next) {
  // The input stays referenced until `finish` has answered: Cap'n Proto 0.9 can cancel
  // streaming calls still in flight when their capability is released.
  std::unique_ptr<rpc::ImportInput::Client> input;
  std::unique_ptr<rpc::ImportJob::Client> job;
  Result<bool> started = Call<bool>([&]() {
    auto started_import = session_->annals.importRequest().send();
    input = std::make_unique<rpc::ImportInput::Client>(started_import.getInput());
    job = std::make_unique<rpc::ImportJob::Client>(started_import.getJob());
    return true;
  });
  if (!started.ok()) return started.status();
  Status end;
  bool streaming = true;
  uint64_t chunks = 0;
  std::vector<NewEvent> events;
  std::vector<std::string> labels;
  size_t bytes = 0;
  auto send = [&]() {
    Result<bool> sent = Call<bool>([&]() {
      auto request = input->chunkRequest();
      auto list = request.initEvents(static_cast<unsigned>(events.size()));
      auto names = request.initLabels(static_cast<unsigned>(labels.size()));
      for (unsigned i = 0; i < events.size(); ++i) {
        list.setWithCaveats(i, events[i].rep().reader());
        names.set(i, labels[i]);
      }
      return request.send().then([] { return true; });
    });
    ++chunks;
    events.clear();
    labels.clear();
    bytes = 0;
    // A refused chunk: the import has already ended on the server (it failed); `finish`
    // says how.
    streaming = sent.ok();
  };
  while (streaming) {
    std::optional<NewEvent> event;
    std::string label;
    Status s = next(&event, &label);
    if (!s.ok()) {
      end = s;
      break;
    }
    if (!event) break;
    bytes += event->rep().reader().totalSize().wordCount * sizeof(capnp::word);
    events.push_back(std::move(*event));
    labels.push_back(std::move(label));
    if (events.size() >= kChunkItems || bytes >= kChunkBytes) send();
  }
  if (streaming && !events.empty()) send();
  Result<ImportSummary> summary = Call<ImportSummary>([&]() {
    auto request = job->finishRequest();
    SetOutcome(end, request.initEnd());
    request.setChunks(chunks);
    return request.send().then([](capnp::Response<rpc::ImportJob::FinishResults> r)
                                   -> Result<ImportSummary> {
      Status s = OutcomeStatus(r.getOutcome());
      if (!s.ok()) return s;
      auto x = r.getSummary();
      return ImportSummary{x.getAdded(), x.getExisted(), x.getFirstSeq(), x.getLastSeq()};
    });
  });
  (void)Call<bool>([&]() {
    input = nullptr;
    job = nullptr;
    return true;
  });
  return summary;
}

Status RemoteStore::Restore(const std::function<bool(std::string* line)>& next_line) {
  std::unique_ptr<rpc::RestoreInput::Client> input;
  std::unique_ptr<rpc::RestoreJob::Client> job;
  Result<bool> started = Call<bool>([&]() {
    auto started_restore = session_->annals.restoreRequest().send();
    input = std::make_unique<rpc::RestoreInput::Client>(started_restore.getInput());
    job = std::make_unique<rpc::RestoreJob::Client>(started_restore.getJob());
    return true;
  });
  if (!started.ok()) return started.status();
  std::vector<std::string> lines;
  size_t bytes = 0;
  bool streaming = true;
  uint64_t chunks = 0;
  auto send = [&]() {
    Result<bool> sent = Call<bool>([&]() {
      auto request = input->linesRequest();
      auto list = request.initLines(static_cast<unsigned>(lines.size()));
      for (unsigned i = 0; i < lines.size(); ++i) list.set(i, lines[i]);
      return request.send().then([] { return true; });
    });
    ++chunks;
    lines.clear();
    bytes = 0;
    streaming = sent.ok();
  };
  std::string line;
  while (streaming && next_line(&line)) {
    bytes += line.size();
    lines.push_back(std::move(line));
    if (lines.size() >= kChunkItems || bytes >= kChunkBytes) send();
  }
  if (streaming && !lines.empty()) send();
  Result<bool> done = Call<bool>([&]() {
    auto request = job->finishRequest();
    request.setChunks(chunks);
    return request.send().then(
        [](capnp::Response<rpc::RestoreJob::FinishResults> r) -> Result<bool> {
          Status s = OutcomeStatus(r.getOutcome());
          if (!s.ok()) return s;
          return true;
        });
  });
  (void)Call<bool>([&]() {
    input = nullptr;
    job = nullptr;
    return true;
  });
  return done.status();
}

Result<VocabularyInfo> RemoteStore::RegisterVocabulary(const std::string& source,
                                                       const std::string& file_name) {
  return Call<VocabularyInfo>([&]() {
    auto request = session_->annals.registerVocabularyRequest();
    request.setSource(source);
    request.setFileName(file_name);
    return request.send().then(
        [&source](capnp::Response<rpc::Annals::RegisterVocabularyResults> r)
            -> Result<VocabularyInfo> {
          Status s = OutcomeStatus(r.getOutcome());
          if (!s.ok()) return s;
          VocabularyInfo info = VocabularyInfoFromWire(r.getInfo());
          info.source = source;
          return info;
        });
  });
}

}  // namespace internal
}  // namespace annals
