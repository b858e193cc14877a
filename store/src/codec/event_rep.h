// Copyright annals authors.
//
// EventRep: the Cap'n Proto message behind a NewEvent or an Event, with its type, and the
// one place that turns stored bytes into messages.
//
// Stored form: the log value of an event is capnp::canonicalize() of its Event struct with
// every field set (hash included): a single segment whose first word is the root pointer,
// with no padding that could hide data.  Canonical form is what makes `verify` able to
// detect a change to any byte of a stored value: decoding and re-canonicalising must give
// back the identical bytes, and the hash covers the canonical bytes without the hash.
//
// The data of an event is a struct of its type's schema (event_types.h): a variant of the
// union, or CustomEvent.data.  It is read through data() as the type's schema says.

#ifndef ANNALS_STORE_SRC_EVENT_REP_H_
#define ANNALS_STORE_SRC_EVENT_REP_H_

#include <capnp/any.h>
#include <capnp/dynamic.h>
#include <capnp/message.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "annals/event.h"
#include "annals/fuzzy_date.h"
#include "annals/status.h"
#include "event.capnp.h"
#include "codec/event_types.h"
#include "util/json_text.h"

namespace annals {
namespace internal {

class EventRep {
  struct Stored {};

 public:
  // A mutable event under construction (NewEvent, restore, corrected views) of `type`,
  // whose variant is already set in the builder's root.
  EventRep(std::unique_ptr<capnp::MallocMessageBuilder> builder,
           std::shared_ptr<const EventTypeInfo> type);

  // An immutable event decoded from stored bytes, which are copied into word-aligned
  // memory.  Its type is looked up in `types`.  Returns Corruption (never throws) if the
  // bytes are not a well-formed Event of a known type: every pointer of the envelope and
  // of the data (through the type's schema) is followed once here, so later reads cannot
  // throw.
  static Result<std::shared_ptr<const EventRep>> FromStored(std::string_view bytes,
                                                            const EventTypeResolver& types);
  // The same, but decodes in place, without a copy, when `bytes` is word-aligned: the
  // event then keeps `pin` (whatever keeps `bytes` alive, e.g. a RocksDB PinnableSlice or
  // an iterator with pinned blocks) until it is destroyed.  Unaligned bytes are copied.
  static Result<std::shared_ptr<const EventRep>> FromStoredPinned(std::string_view bytes,
                                                                  std::shared_ptr<void> pin,
                                                                  const EventTypeResolver& types);

  // An event decoded from stored bytes (only FromStoredPinned can name a Stored): public
  // for std::make_shared, which makes it and its count in one allocation.
  explicit EventRep(Stored) {}

  EventRep(const EventRep&) = delete;
  EventRep& operator=(const EventRep&) = delete;
  ~EventRep();

  schema::Event::Reader reader() const { return reader_; }
  // Only for events under construction; null otherwise.
  schema::Event::Builder builder() { return builder_->getRoot<schema::Event>(); }
  bool is_mutable() const { return builder_ != nullptr; }

  const EventTypeInfo& type() const { return *type_; }
  const std::shared_ptr<const EventTypeInfo>& shared_type() const { return type_; }
  std::string_view type_name() const { return type_->name; }
  EventKind kind() const { return type_->kind; }
  // The data struct (of type().data).
  capnp::AnyPointer::Reader data() const;
  capnp::DynamicStruct::Reader data_struct() const {
    return data().getAs<capnp::DynamicStruct>(type_->data);
  }

  const FuzzyDate& effective() const { return effective_; }
  int64_t recorded_at_micros() const { return recorded_at_micros_; }

  // Re-reads effective and recorded_at after the builder was changed; InvalidArgument if
  // the effective text does not parse.
  Status Refresh();
  // After the store set seq, version, recorded_at and hashes on the builder (effective
  // unchanged): re-reads the root and takes `recorded_at_micros` as the parsed value of
  // the recorded_at text just set, without parsing it again.
  void AssignedByStore(int64_t recorded_at_micros);

  // Canonical bytes of the event as stored (hash included).
  kj::Array<capnp::word> Canonical() const;
  // Canonical bytes of the event without its hash: what the chain hashes.
  kj::Array<capnp::word> CanonicalWithoutHash() const;
  // The same bytes as Canonical(), derived from `without_hash` (what CanonicalWithoutHash()
  // gave for this event before its hash was set; nothing else may have changed since)
  // instead of canonicalizing the whole event again.  Falls back to Canonical() when
  // `without_hash` is not laid out as expected (see the .cc for the layout argument).
  kj::Array<capnp::word> CanonicalFromWithoutHash(
      kj::ArrayPtr<const capnp::word> without_hash) const;
  // Canonical bytes of the caller-supplied content only (id, stream, type, effective,
  // data, confidence, source, recorded_by): what id idempotency compares.
  kj::Array<capnp::word> CanonicalContent() const;

 private:
  static Result<std::shared_ptr<const EventRep>> Decode(std::shared_ptr<EventRep> rep,
                                                        kj::ArrayPtr<const capnp::word> words,
                                                        const EventTypeResolver& types);

  std::unique_ptr<capnp::MallocMessageBuilder> builder_;
  kj::Array<capnp::word> words_;                      // stored form, aligned copy (or empty)
  std::shared_ptr<void> pin_;                         // keeps in-place stored bytes alive
  kj::ArrayPtr<const capnp::word> segment_;          // words_ or the pinned bytes
  std::optional<capnp::SegmentArrayMessageReader> message_;  // over segment_
  schema::Event::Reader reader_;
  std::shared_ptr<const EventTypeInfo> type_;
  FuzzyDate effective_;
  int64_t recorded_at_micros_ = 0;
};

// Builds NewEvents from reps (the store's own events: registrations).
struct NewEventAccess {
  static NewEvent Make(std::unique_ptr<EventRep> rep) { return NewEvent(std::move(rep)); }
};

// The name of the type of an event message: its variant's JSON name, or custom.type.
// Empty for a variant this build does not know.
std::string_view TypeNameOf(schema::Event::Reader event);
// The type of `event` in `types`, or null.
std::shared_ptr<const EventTypeInfo> TypeOf(schema::Event::Reader event,
                                            const EventTypeResolver& types);
// For corrections and retractions: the id of the event acted on; empty otherwise.
std::string_view TargetOf(schema::Event::Reader event);

// ---- JSON (event_json.cc) --------------------------------------------------------------
// JSON (SPEC §5).  `mode` decides whether the store-assigned fields are refused (import)
// or required (restore), and whether `vocabulary` events are accepted (restore only).
enum class JsonMode { kImport, kExport };
// How ParseEventJson builds the event: kAny tries the direct path (event_json_direct.h)
// and takes the general one when it declines; kGeneral takes only the general one (tests
// hold the two to each other).  The result is the same either way.
enum class JsonPath { kAny, kGeneral };
Result<std::unique_ptr<EventRep>> ParseEventJson(std::string_view json, JsonMode mode,
                                                 const EventTypeResolver& types,
                                                 JsonPath path = JsonPath::kAny);
// The checks and placement JSON input goes through, for events that arrive as Cap'n Proto
// messages instead (an annals server's clients, server/wire.cc): a text field's limits
// (64 KiB, no NUL, valid UTF-8), a Json.Value (strings, unique keys, no calls), the data
// struct of `type` set up in `event`, and the names of the known types for a message.
Status CheckEventText(const std::string& path, kj::StringPtr s);
Status CheckJsonValue(const std::string& path, capnp::JsonValue::Reader v);
capnp::DynamicStruct::Builder InitEventData(schema::Event::Builder event,
                                            const EventTypeInfo& type);
std::string KnownTypeNames(const EventTypeResolver& types);
// The export shape of SPEC §5, one line.
std::string EventToJson(const EventRep& event);
// Only the data of the event, as a JSON object.
std::string EventDataToJson(const EventRep& event);

// Validates the caller-supplied content of an event (limits, names, required fields,
// dates, correction shape).
Status ValidateContent(const EventRep& event);

// Builds a copy of `target` whose effective and/or data fields are replaced as
// `correction` says.  InvalidArgument if the correction's data does not fit the target's
// type (unknown field, wrong type, required field emptied).
Result<std::shared_ptr<const EventRep>> ApplyCorrection(const EventRep& target,
                                                        schema::Correction::Reader correction);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_EVENT_REP_H_
