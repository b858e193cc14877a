// Copyright annals authors.
//
// The Gate (NewGate, service.h): the bootstrap capability of a connection, which checks the
// client's protocol and, on a TCP listener, its token before it gives out the store.

#include <unistd.h>

#include <string>

#include "server/service.h"
#include "server/wire.h"

namespace annals {
namespace internal {

namespace {

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
    } else if (state_.RefuseIfStopping()) {
      refused = ServerState::StoppingStatus();
    }
    SetOutcome(refused, results.initOutcome());
    if (!refused.ok()) {
      // A wrong token is answered late, which slows down guessing.
      if (bad_token) return state_.timer().afterDelay(200 * kj::MILLISECONDS);
      return kj::READY_NOW;
    }
    results.setStore(NewAnnals(state_));
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
