// Copyright annals authors.
//
// Where a server listens and how clients find it: addresses, the Unix socket of a store,
// the record of a running server in the store directory, sockets opened with precise
// errors, and token files.
//
// FILES.  A server keeps what concerns it in <store>/serve, a directory of mode 0700:
//   serve/socket   the store's Unix socket (0600), when its path fits (107 bytes);
//                  otherwise the socket is <runtime>/annals-XXXXXX/socket, where
//                  <runtime> is $XDG_RUNTIME_DIR or /tmp and the directory is 0700
//   serve/record   written (atomically, by rename) once the server listens, removed when
//                  it stops: "pid N" and then one address per line, the Unix socket first:
//                      pid 4242
//                      unix:/home/a/team.db/serve/socket
//                      127.0.0.1:7000
// A server killed with SIGKILL leaves both behind; a client that finds the socket refusing
// connections uses the store directly, and the next server, once it holds the store,
// removes them (and a fallback socket directory the record names).

#ifndef ANNALS_STORE_SRC_SERVER_ADDRESS_H_
#define ANNALS_STORE_SRC_SERVER_ADDRESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "annals/status.h"

namespace annals {
namespace internal {

struct Address {
  enum Kind { kUnix, kTcp };
  Kind kind = kUnix;
  std::string path;  // kUnix
  std::string host;  // kTcp: as given ("127.0.0.1", "::1", "example.org")
  uint16_t port = 0;
  std::string ToString() const;  // "unix:PATH", "HOST:PORT", "[V6]:PORT"
};

// The longest path a Unix socket address holds (sun_path less its NUL).
constexpr size_t kMaxUnixPath = 107;

// Parses "unix:PATH", "HOST:PORT", "[V6ADDR]:PORT", ":PORT" or "PORT" (the last two mean
// 127.0.0.1).  InvalidArgument naming the address and the accepted forms.
Result<Address> ParseAddress(const std::string& text);

// <store>/serve, <store>/serve/socket, <store>/serve/record.
std::string ServeDir(const std::string& store);
std::string RecordPath(const std::string& store);

// What a record says.
struct ServerRecord {
  int64_t pid = 0;
  std::vector<std::string> addresses;  // the Unix socket first
};
// Reads the record of the server of `store`.  NotFound if there is none; Unavailable if it
// cannot be read.
Result<ServerRecord> ReadRecord(const std::string& store);
// Writes it atomically (a temporary file and a rename).
Status WriteRecord(const std::string& store, const ServerRecord& record);

// A Unix socket path for the store's server: <store>/serve/socket if it fits, otherwise
// a fresh 0700 directory under $XDG_RUNTIME_DIR (else /tmp) with a socket in it.  Creates
// <store>/serve (0700) either way.  `*fallback_dir` is set to the directory made for a
// fallback (empty otherwise), for the server to remove when it stops.
Result<std::string> StoreSocketPath(const std::string& store, std::string* fallback_dir);

// Removes what a dead server left in `store`: the socket, the record, and a fallback
// socket directory the record names.  Only called by a server that holds the store.
void RemoveServerLeftovers(const std::string& store);

// A listening socket (bound, listening, close-on-exec, non-blocking) for `address`; a
// Unix socket is made 0600.  Unavailable naming the address and the reason.
Result<int> ListenSocket(const Address& address);
// A connected socket (blocking connect, then non-blocking).  `*refused` is set when
// nobody listens there (ECONNREFUSED, or no socket file): a server that died.
Result<int> ConnectSocket(const Address& address, bool* refused);

// Token files: see annals::ReadTokenFile (annals/server.h).
Result<std::string> ReadToken(const std::string& path);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_ADDRESS_H_
