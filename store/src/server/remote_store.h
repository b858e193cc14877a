// Copyright annals authors.
//
// RemoteStore: annals::Store over a connection to `annals serve` (schema/server.capnp), so
// that a program (the CLI above all) uses a served store exactly as it uses one directly:
// every result and every Status is the one the server's store gave.
//
//   * Event types: the client compiles the store's vocabularies itself (from their sources,
//     Annals.registrations), so that it parses JSON, decodes events and gives states their
//     meaning exactly as the store does.  It asks again when an event or a state names a
//     vocabulary version it does not know yet.
//   * Paged reads (ScanLog, History, Replay, Verify) fetch one page ahead of the visitor;
//     visitors run on the calling thread.
//   * Import and Restore stream their input in chunks and end it with `finish`; the
//     server runs one atomic store call over all of it.
//   * Follow long-polls the server.
//
// Thread-safety: as Store.  Calls from several threads share the one connection.

#ifndef ANNALS_STORE_SRC_SERVER_REMOTE_STORE_H_
#define ANNALS_STORE_SRC_SERVER_REMOTE_STORE_H_

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "annals/store.h"
#include "server.capnp.h"
#include "server/client_loop.h"
#include "server/wire.h"
#include "vocabulary/registry.h"

namespace annals {
namespace internal {

// A page of a paged read, as the client decoded it.
struct ClientPage {
  std::vector<Event> events;
  std::vector<HistoryEntry> history;
  std::vector<ReplayEntry> replay;
  std::optional<uint64_t> verified;
  std::optional<VerifyReport> report;
  bool done = false;
  Status status;
};

class RemoteStore final : public Store {
 public:
  // Speaks to the server on the connected socket `fd` (taken over): the handshake
  // (Gate.open with `token`).  `where` names the server in messages ("unix:/x/serve/socket").
  // Errors: Unavailable if the server refuses (token, protocol, stopping: *stopping set) or
  // the connection fails.
  static Result<std::unique_ptr<RemoteStore>> Open(int fd, const std::string& token,
                                                   const std::string& where, bool* stopping);
  ~RemoteStore() noexcept override;

  Result<std::vector<AppendResult>> Append(std::vector<NewEvent> events,
                                           const AppendOptions& options) override;
  Result<ImportSummary> Import(const ImportSource& next) override;
  Status Restore(const std::function<bool(std::string* line)>& next_line) override;
  Result<VocabularyInfo> RegisterVocabulary(const std::string& source,
                                            const std::string& file_name) override;
  Result<std::vector<VocabularyInfo>> ListVocabularies() override;
  Result<VocabularyInfo> GetVocabulary(const std::string& name, uint32_t version) override;
  EventTypes Types() override;
  Result<Event> GetBySeq(uint64_t seq) override;
  Result<Event> GetById(std::string_view id) override;
  Status ScanLog(const LogRange& range, const Visitor<Event>& visit) override;
  using Store::Follow;
  Status Follow(const LogRange& range, const Visitor<Event>& visit,
                const FollowOptions& options) override;
  Result<std::vector<StreamInfo>> ListStreams() override;
  Result<StreamInfo> GetStream(std::string_view stream) override;
  using Store::Verify;
  Result<VerifyReport> Verify(const VerifyOptions& options) override;
  Result<State> GetState(const TimeQuery& query) override;
  Status History(const TimeQuery& query, const Visitor<HistoryEntry>& visit) override;
  Result<DiffResult> Diff(const std::string& stream, const std::string& from,
                          const std::string& to, const std::string& known_at) override;
  Status Replay(const LogRange& range, const Visitor<ReplayEntry>& visit) override;

 private:
  // The loop thread's objects: the connection and the store's capability.
  struct Session {
    kj::Own<kj::AsyncIoStream> stream;
    kj::Own<capnp::TwoPartyClient> client;
    rpc::Annals::Client annals = nullptr;
  };

  explicit RemoteStore(std::string where);

  // Runs `f` (returning a kj::Promise<Result<T>> or Result<T>) on the loop thread; a
  // kj::Exception (a lost connection) becomes Unavailable.
  template <typename T, typename F>
  Result<T> Call(F&& f);
  Status FromKjHere(const kj::Exception& e) const;

  // The registry this client knows; Refresh asks the server for registrations since.
  std::shared_ptr<const Registry> registry() const;
  kj::Promise<std::shared_ptr<const Registry>> Refresh();  // loop thread
  // Decodes with the current registry, refreshing it once if something is unknown.
  template <typename T, typename Response, typename Decode>
  kj::Promise<Result<T>> Decode(Response response, Decode decode);

  // A paged read: `open` makes the cursor (loop thread); `visit` sees each page on this
  // thread and returns false to stop.
  Status Pages(const std::function<rpc::Cursor::Client(rpc::Annals::Client&)>& open,
               const std::function<bool(ClientPage&)>& visit);

  const std::string where_;
  ClientLoop loop_;
  kj::Own<Session> session_;  // the loop thread's

  mutable std::mutex registry_mu_;
  std::shared_ptr<const Registry> registry_;  // registry_mu_
  uint64_t registry_seq_ = 0;                 // registry_mu_: the last registration known
};

// ---- templates ----

template <typename T, typename F>
Result<T> RemoteStore::Call(F&& f) {
  try {
    return loop_.Sync(std::forward<F>(f));
  } catch (const kj::Exception& e) {
    return FromKjHere(e);
  }
}

template <typename T, typename Response, typename DecodeFn>
kj::Promise<Result<T>> RemoteStore::Decode(Response response, DecodeFn decode) {
  bool unknown = false;
  Result<T> first = decode(response, *registry(), &unknown);
  if (!unknown) return kj::mv(first);
  return Refresh().then([response = kj::mv(response), decode](
                            std::shared_ptr<const Registry> registry) mutable -> Result<T> {
    bool still = false;
    Result<T> again = decode(response, *registry, &still);
    if (still) {
      return Status::Unavailable("the server sent an event or a state of a vocabulary it "
                                 "does not list: " + again.status().message());
    }
    return again;
  });
}

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_REMOTE_STORE_H_
