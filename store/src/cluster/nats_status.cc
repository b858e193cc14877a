// Copyright annals authors.

#include "cluster/nats_status.h"

#include <string>

namespace annals {
namespace internal {

Status FromNats(natsStatus s, std::string_view what, jsErrCode js_error) {
  if (s == NATS_OK) return Status::OK();
  std::string message(what);
  message += ": ";
  message += natsStatus_GetText(s);
  if (js_error != 0) message += " (JetStream error " + std::to_string(js_error) + ")";
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0' && last == s && message.find(detail) == std::string::npos) {
    message += ": ";
    message += detail;
  }
  return Status::Unavailable(std::move(message));
}

}  // namespace internal
}  // namespace annals
