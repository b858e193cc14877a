// Copyright annals authors.
//
// Events: the immutable facts of a timeline (SPEC §1-2, §5).
//
// An event is stored as a Cap'n Proto message (schema/event.capnp).  Two classes give
// access to it without exposing Cap'n Proto:
//
//   NewEvent: an event a caller wants to append, parsed from the JSON Lines shape of
//             SPEC §5 or built from fields; validated on construction.
//   Event:    an event read back from the store.  Cheap to copy (shared, immutable);
//             accessors return views into the stored message, valid while any copy of
//             the Event is alive.
//
// Thread-safety: both are immutable values after construction; copies may be used from
// any thread.

#ifndef ANNALS_EVENT_H_
#define ANNALS_EVENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "annals/fuzzy_date.h"
#include "annals/status.h"

namespace annals {

namespace internal {
class EventRep;
struct NewEventAccess;
}  // namespace internal

// What an event does (SPEC §2, §7).  Domain events are the event types of vocabularies;
// the others are the core types every store has.
enum class EventKind : int {
  kDomain,      // a vocabulary's event type: changes the state as its effects say
  kNote,        // core `note`: no state change; appears in history
  kFact,        // core `fact`: facts[key] = value (an empty value removes the key)
  kCorrection,  // core `correction`: replaces a target's effective and/or data fields
  kRetraction,  // core `retraction`: hides a target
  kVocabulary,  // `vocabulary`: the registration of a vocabulary version (SPEC §7)
};

// True for corrections and retractions, which act on other events.
inline bool IsMetaKind(EventKind k) {
  return k == EventKind::kCorrection || k == EventKind::kRetraction;
}

namespace internal {
class EventTypeResolver;
}  // namespace internal

// One field of an event type's data, for people (`annals help append`).
struct EventFieldInfo {
  std::string name;  // JSON name
  std::string type;  // "Text", "Bool", "enum Verdict (cleared|blocked)", "List(Text)", ...
  bool required = false;
  bool date = false;  // holds a fuzzy date
};

// One event type a store knows.
struct EventTypeSummary {
  std::string name;
  std::string vocabulary;  // empty for the core types
  EventKind kind = EventKind::kDomain;
  std::vector<EventFieldInfo> fields;
};

// The event types a store knows at one moment: the core types, the built-in vocabulary
// `deal` and the vocabularies registered in the store (SPEC §7).  Parsing an event needs
// them, since the data of a type is checked against its vocabulary's schema.  An immutable
// snapshot: cheap to copy, safe to share between threads.
class EventTypes {
 public:
  // The types of a store where no vocabulary was registered: the core types and `deal`.
  static const EventTypes& BuiltIn();

  explicit EventTypes(std::shared_ptr<const internal::EventTypeResolver> resolver);
  // Every type, core types first, then by vocabulary and name.
  std::vector<EventTypeSummary> List() const;

  // Implementation access for the store; not part of the stable API.
  const internal::EventTypeResolver& resolver() const { return *resolver_; }

 private:
  std::shared_ptr<const internal::EventTypeResolver> resolver_;
};

// Limits of SPEC §1/§5, enforced on every way in (append, import, restore).
constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxStreamBytes = 200;
constexpr size_t kMaxStringBytes = 64 * 1024;
constexpr size_t kMaxEventBytes = 1024 * 1024;

// Fields of an event given one by one (the CLI's `append` flags).  Empty strings mean
// "not given".  `data_json` is a JSON object with the type-specific data.
struct EventFields {
  std::string id;          // generated as a UUIDv7 on append when empty
  std::string stream;
  std::string type;        // an event type's name
  std::string effective;   // fuzzy date
  std::string confidence;  // confirmed | reported | rumored; empty = reported
  std::string source_publisher;
  std::string source_url;
  std::string source_published;
  std::string recorded_by;
  std::string data_json = "{}";
  // Members of data given as text (`--set NAME=VALUE`), added to (or replacing those of)
  // data_json, in order.  Each is converted by the type of the data field of that JSON
  // name: true/false for Bool, numbers for integers and floats, enumerant names; lists
  // and structs must come through data_json.
  std::vector<std::pair<std::string, std::string>> data_strings;
};

class NewEvent {
 public:
  // Parses one JSON Lines event in the import shape of SPEC §5, of one of `types`.
  // Rejects, with a message naming the field: malformed JSON, unknown fields, wrong types,
  // missing required fields, unknown event types, invalid dates, strings over 64 KiB,
  // events over 1 MiB, the store-assigned fields (seq, version, recorded_at, prev_hash,
  // hash), and `vocabulary` events (registered with Store::RegisterVocabulary).
  static Result<NewEvent> FromJson(std::string_view json, const EventTypes& types);
  static Result<NewEvent> FromJson(std::string_view json) {
    return FromJson(json, EventTypes::BuiltIn());
  }

  // Re-records one line of an export (the export shape of SPEC §5, e.g. of `export
  // --stream S` from another store) as a new event of this store: the line's own hash is
  // checked against its content and prev_hash (InvalidArgument names the mismatch, so a line
  // altered after export is refused), its store-assigned fields are dropped (the store
  // assigns new ones on append) and kept as the event's provenance, `imported_from`
  // {recorded_at, seq, hash}; an event that already carries a provenance keeps it (the
  // first recording).  Validated as FromJson; `vocabulary` events are refused (register
  // the vocabulary with `vocab add` first).  The provenance is not content: id
  // idempotency compares the rest.
  static Result<NewEvent> FromExportJson(std::string_view json, const EventTypes& types);

  // Builds an event from separate fields, validated as FromJson does.
  static Result<NewEvent> FromFields(const EventFields& fields, const EventTypes& types);
  static Result<NewEvent> FromFields(const EventFields& fields) {
    return FromFields(fields, EventTypes::BuiltIn());
  }

  NewEvent(NewEvent&&) noexcept;
  NewEvent& operator=(NewEvent&&) noexcept;
  NewEvent(const NewEvent&) = delete;
  NewEvent& operator=(const NewEvent&) = delete;
  ~NewEvent();

  std::string_view id() const;  // empty until the store assigns one
  std::string_view stream() const;
  std::string_view type_name() const;
  EventKind kind() const;
  const FuzzyDate& effective() const;

  // Implementation access for the store; not part of the stable API.
  internal::EventRep& rep() const { return *rep_; }

 private:
  friend struct internal::NewEventAccess;
  explicit NewEvent(std::unique_ptr<internal::EventRep> rep);
  std::unique_ptr<internal::EventRep> rep_;
};

class Event {
 public:
  Event() = default;  // an empty event; only assignment and valid() are meaningful
  explicit Event(std::shared_ptr<const internal::EventRep> rep) : rep_(std::move(rep)) {}

  bool valid() const { return rep_ != nullptr; }

  uint64_t seq() const;
  uint64_t version() const;
  std::string_view id() const;
  std::string_view stream() const;
  std::string_view type_name() const;
  EventKind kind() const;
  const FuzzyDate& effective() const;
  std::string_view recorded_at() const;   // RFC 3339 UTC, microseconds
  int64_t recorded_at_micros() const;
  std::string_view confidence() const;    // confirmed | reported | rumored
  std::string_view recorded_by() const;   // empty if not given
  std::string_view source_publisher() const;
  std::string_view source_url() const;
  std::string_view source_published() const;
  std::string_view prev_hash() const;     // lower-case hex
  std::string_view hash() const;          // lower-case hex

  // For corrections and retractions: the id of the event acted on; empty otherwise.
  std::string_view target() const;

  // The type-specific data as a compact JSON object.
  std::string DataJson() const;
  // The full export shape of SPEC §5 (all envelope fields and hashes), one line, no "\n".
  std::string ToJson() const;

  // Implementation access for the store; not part of the stable API.
  const internal::EventRep& rep() const { return *rep_; }
  const std::shared_ptr<const internal::EventRep>& shared_rep() const { return rep_; }

 private:
  std::shared_ptr<const internal::EventRep> rep_;
};

}  // namespace annals

#endif  // ANNALS_EVENT_H_
