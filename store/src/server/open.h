// Copyright annals authors.
//
// A server over another backend than its store alone: what `annals serve --cluster`
// (store/src/cluster/) builds on.  Internal to annals.

#ifndef ANNALS_STORE_SRC_SERVER_OPEN_H_
#define ANNALS_STORE_SRC_SERVER_OPEN_H_

#include <functional>
#include <memory>
#include <string>

#include "annals/server.h"
#include "server/service.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

// Owns what a ServerBackend points into (a cluster node and its applier); destroyed
// before the store closes.
class BackendOwner {
 public:
  virtual ~BackendOwner() = default;
  virtual ServerBackend backend() = 0;
};

// Called by Run() with the server's open store, before it listens.
using BackendMaker = std::function<Result<std::unique_ptr<BackendOwner>>(StoreImpl& store)>;

// Server::Open, with the calls going to what `make_backend` makes (null: the store).
Result<std::unique_ptr<Server>> OpenServer(const std::string& path, const ServeOptions& options,
                                           const BackendMaker& make_backend);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_OPEN_H_
