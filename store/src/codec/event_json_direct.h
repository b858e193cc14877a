// Copyright annals authors.
//
// The direct path of JSON event input: simdjson's DOM of a line straight into the event
// message, through the field handles of the type's JsonPlan (json_plan.h), with no
// intermediate capnp::JsonValue and no JsonCodec.  It is the fast path for what imports are made of;
// the general path (ParseEventJson in event_json.cc) stays the definition of what JSON
// input means and of every message a rejection gives.
//
// The contract between the two: the direct path builds an event only when the general
// path would accept the same text, and then builds the same message content (so the same
// canonical bytes, hash and stored value); in every other case (any error, and anything
// it does not handle) it declines, and the general path runs from the start.  Tests hold
// the two paths to each other on valid, invalid and mutated inputs
// (tests/json_direct_test.cc).

#ifndef ANNALS_STORE_SRC_EVENT_JSON_DIRECT_H_
#define ANNALS_STORE_SRC_EVENT_JSON_DIRECT_H_

#include <memory>
#include <string_view>

#include "event.capnp.h"
#include "codec/event_types.h"

namespace annals {
namespace internal {

enum class JsonMode;

// Builds the event of the JSON document `json` (at most kMaxEventBytes, no NUL byte) into
// `event`, the root of a fresh message, and returns its type; or returns null, with
// `event` in an unspecified state, when the general path must decide (see above).  The
// content checks of ValidateContent are not made here.  Thread-safe (a parser per thread).
std::shared_ptr<const EventTypeInfo> BuildEventDirect(std::string_view json, JsonMode mode,
                                                      const EventTypeResolver& types,
                                                      schema::Event::Builder event);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_EVENT_JSON_DIRECT_H_
