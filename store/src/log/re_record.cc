// Copyright annals authors.
//
// NewEvent::FromExportJson: an export line re-recorded as a new event (`import
// --from-export`).  It lives in the log layer because it checks the line's hash with the
// chain's own rule (log/chain.h).

#include <memory>
#include <string>
#include <string_view>

#include "annals/event.h"
#include "codec/event_rep.h"
#include "log/chain.h"

namespace annals {

Result<NewEvent> NewEvent::FromExportJson(std::string_view json, const EventTypes& types) {
  using internal::JsonMode;
  auto parsed = internal::ParseEventJson(json, JsonMode::kExport, types.resolver());
  if (!parsed.ok()) return parsed.status();
  std::unique_ptr<internal::EventRep> rep = std::move(parsed).value();
  if (rep->kind() == EventKind::kVocabulary) {
    return Status::InvalidArgument(
        "events of type 'vocabulary' are not re-recorded: register the vocabulary with "
        "'annals vocab add' first, then import the events that use it");
  }
  auto event = rep->builder();
  // The line must be the recording it claims to be: its hash covers everything but itself.
  internal::Hash prev;
  internal::Hash stated;
  if (!internal::ParseHex32(internal::View(event.getPrevHash()), &prev) ||
      !internal::ParseHex32(internal::View(event.getHash()), &stated)) {
    return Status::InvalidArgument("fields 'prev_hash' and 'hash' must be SHA-256 in "
                                   "lower-case hex");
  }
  if (internal::ChainHash(prev, rep->CanonicalWithoutHash()) != stated) {
    return Status::InvalidArgument("the event's hash does not match its content (seq " +
                              std::to_string(event.getSeq()) +
                              " was changed after it was exported)");
  }
  if (!event.hasImportedFrom()) {
    auto from = event.initImportedFrom();
    from.setRecordedAt(event.getRecordedAt());
    from.setSeq(event.getSeq());
    from.setHash(event.getHash());
  }
  event.setSeq(0);
  event.setVersion(0);
  event.disownRecordedAt();
  event.disownPrevHash();
  event.disownHash();
  ANNALS_RETURN_IF_ERROR(rep->Refresh());
  ANNALS_RETURN_IF_ERROR(internal::ValidateContent(*rep));
  return internal::NewEventAccess::Make(std::move(rep));
}

}  // namespace annals
