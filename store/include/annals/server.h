// Copyright annals authors.
//
// Sharing a store (SPEC §8): `annals serve` owns a store and serves it to many clients over
// Cap'n Proto RPC (schema/server.capnp); a client reaches it as an ordinary annals::Store.
//
//   // the server (its own process, or a thread)
//   auto server = annals::Server::Open("team.db", {});
//   (*server)->Run();                      // until Stop() or SIGTERM/SIGINT
//
//   // a client: the store's own server if one holds it, else nullptr
//   auto store = annals::ConnectToStoreServer("team.db", {});
//   if (store.ok() && *store) (*store)->Append(...);
//
// This part of annals is the library target annals::server (it links Cap'n Proto RPC and
// kj-async); annals::store alone does not need it.
//
// Thread-safety: a Server is driven by the thread that calls Run(); Stop() may be called
// from any thread.  A store returned by the Connect functions may be used from many
// threads, like any Store.

#ifndef ANNALS_SERVER_H_
#define ANNALS_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "annals/options.h"
#include "annals/status.h"
#include "annals/store.h"

namespace annals {

struct ServeOptions {
  // Addresses to listen on besides the store's own Unix socket (which is always served):
  // "unix:PATH", "HOST:PORT", "[V6ADDR]:PORT", or ":PORT" / "PORT" (loopback, 127.0.0.1).
  // A TCP address needs `token_file`.  Default: none.
  std::vector<std::string> listen;

  // The file holding the token TCP clients must give (its first line; at least 16
  // bytes).  Like ssh with a private key, a file that its group or others may read or
  // write is refused, as is one owned by another user.  Default: none (no TCP).
  std::string token_file;

  // How the store is opened (Options::sync decides whether appends are fsync'd before
  // they are acknowledged; default yes).  create_if_missing: a missing store is created.
  Options store;

  // If true, SIGTERM and SIGINT stop the server gracefully (Run returns OK).  Open() then
  // blocks both signals in the calling thread before anything else starts threads, so call
  // it before the process starts any thread.  Default: false (Stop() only).
  bool handle_signals = false;

  // Unanswered calls a connection may have in flight, in bytes of their messages
  // (Cap'n Proto's RpcSystem::setFlowLimit): beyond it the server stops reading that
  // connection until some are answered.  Default 8 MiB.
  uint64_t flow_limit_bytes = 8ull << 20;

  // Lines for the operator (addresses served, shutdown), without "\n".  Default: none.
  std::function<void(const std::string& line)> log;
};

class Server {
 public:
  // Takes the store at `path` for this server (exclusively, for as long as the Server
  // exists), reads and checks the token file, and checks every address.  Nothing listens
  // yet: Run() does.  Errors: InvalidArgument for a bad address, a TCP address without a
  // token file, or a token file that is missing, too short or readable by others;
  // Unavailable if the store cannot be opened (in use, missing, not an annals store).
  static Result<std::unique_ptr<Server>> Open(const std::string& path,
                                              const ServeOptions& options);

  virtual ~Server() = default;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens and serves on the calling thread until Stop() (or, with handle_signals, a
  // SIGTERM or SIGINT); then stops gracefully: new writes are refused, writes in flight
  // finish and are answered, subscribers are told, reads in progress end, the store is
  // closed and the socket and the record of the server are removed.  The store's own Unix
  // socket is <store>/serve/socket (0600, in a 0700 directory), or, when that path is
  // longer than a Unix socket allows, one under $XDG_RUNTIME_DIR (else /tmp); clients find
  // it in <store>/serve/record.  A socket left by a server that died is removed (the store
  // is ours, so it cannot be another live server's).  `ready` is called once the server
  // listens, with the addresses it serves ("unix:/...", "127.0.0.1:7000").
  // Errors: Unavailable if an address cannot be listened on (in use, permission denied).
  virtual Status Run(const std::function<void(const std::vector<std::string>& addresses)>&
                         ready = nullptr) = 0;

  // Asks Run() to stop gracefully, from any thread; a no-op once Run() has returned.
  virtual void Stop() = 0;

  // For tests: how many subscribers wait in a follow call now (any thread).
  virtual size_t TEST_followers() const = 0;

 protected:
  Server() = default;
};

// How a client reaches a server.
struct ClientOptions {
  // The token for a TCP server (ignored on a Unix socket).  Default: none.
  std::string token;
};

// The store at `path` through the server that holds it: nullptr (with OK) if no server
// holds it, or if the server recorded there no longer runs (the caller then uses the store
// directly).  Errors: Unavailable if the server refuses the client (another protocol) or
// cannot be reached for another reason (permission denied).
Result<std::unique_ptr<Store>> ConnectToStoreServer(const std::string& path,
                                                    const ClientOptions& options);

// The store served at `address` ("unix:PATH", "HOST:PORT").  Errors: Unavailable if it
// cannot be reached or refuses the token ("the server refused the token").
Result<std::unique_ptr<Store>> ConnectToServer(const std::string& address,
                                               const ClientOptions& options);

// Reads a token file as a server or client does: its first line, refused if the file can
// be read or written by its group or others, belongs to another user, or holds fewer than
// 16 bytes (InvalidArgument, naming the file and what to do).
Result<std::string> ReadTokenFile(const std::string& path);

// True if `store` reaches its store through a server (the CLI's `log --follow` needs one).
bool IsRemoteStore(const Store& store);

}  // namespace annals

#endif  // ANNALS_SERVER_H_
