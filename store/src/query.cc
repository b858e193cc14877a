// Copyright annals authors.
// Placeholder until the projection engine lands.
#include "store_impl.h"
namespace annals {
namespace internal {
Result<State> StoreImpl::GetState(const TimeQuery&) { return Status::Unavailable("not yet"); }
Status StoreImpl::History(const TimeQuery&, const Visitor<HistoryEntry>&) {
  return Status::Unavailable("not yet");
}
Result<DiffResult> StoreImpl::Diff(const std::string&, const std::string&, const std::string&,
                                   const std::string&) {
  return Status::Unavailable("not yet");
}
Status StoreImpl::Replay(const LogRange&, const Visitor<ReplayEntry>&) {
  return Status::Unavailable("not yet");
}
}  // namespace internal
}  // namespace annals
