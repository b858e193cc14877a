// Copyright annals authors.
//
// The one place where the NATS C client's errors (natsStatus, jsErrCode) become a Status.

#ifndef ANNALS_STORE_SRC_CLUSTER_NATS_STATUS_H_
#define ANNALS_STORE_SRC_CLUSTER_NATS_STATUS_H_

#include <nats/nats.h>

#include <string_view>

#include "annals/status.h"

namespace annals {
namespace internal {

// OK for NATS_OK; otherwise Unavailable ("`what`: <the client's text> (JetStream error N)"):
// every failure of the log (no server, no leader yet, a timeout, a closed connection) is
// one the caller may retry.  The client's last error text is included when it says more.
Status FromNats(natsStatus s, std::string_view what, jsErrCode js_error = static_cast<jsErrCode>(0));

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_CLUSTER_NATS_STATUS_H_
