// Copyright annals authors.
//
// Bitemporal queries (SPEC §2-3): the state of a stream as of a valid time V and as known
// at a transaction time T, its history, the difference between two valid times, and the
// audit replay of the log.
//
// Visibility, for (V, T):
//   1. Only events recorded at or before T are considered (T is an instant, or "@N": the
//      events with seq <= N).
//   2. Corrections recorded by T replace their target's `effective` and/or the given fields
//      of its `data`.  They apply in seq order, each on top of the earlier ones, so for
//      every field the latest correction that gives it wins and fields it does not give
//      keep their earlier (corrected) value.  Retractions recorded by T hide their target;
//      a correction recorded after the retraction of its target changes nothing.
//   3. Domain events whose (possibly corrected) earliest instant is <= V are folded in
//      valid-time order (earliest, then seq).  Those whose latest instant is > V may not
//      have happened by V: their ids are listed in `tentative`.

#ifndef ANNALS_QUERY_H_
#define ANNALS_QUERY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "annals/event.h"
#include "annals/status.h"

namespace annals {

// A query point.  Strings are parsed by the store; a bad one gives InvalidArgument.
struct TimeQuery {
  std::string stream;
  // Valid time V in the fuzzy-date grammar, meaning the last instant of what it names
  // ("2025-03" = end of March 2025).  Empty: unbounded.
  std::string as_of;
  // Transaction time T: an ISO-8601 instant, or "@N" for global seq N.  Empty: now.
  std::string known_at;
};

namespace internal {
struct StateRep;
}  // namespace internal

// A value of a state, for people: what State::ToJson shows, as a tree (text output).
struct StateValue {
  enum class Kind { kNull, kText, kBool, kNumber, kList, kMap, kStruct };
  Kind kind = Kind::kNull;
  std::string text;  // kText (enumerants by name), kNumber ("42"), kBool ("true"/"false")
  std::vector<std::pair<std::string, StateValue>> members;  // kMap by key; kStruct fields
  std::vector<StateValue> items;                            // kList
};

// The state of a stream (SPEC §3): the fold of its vocabulary's effects (SPEC §7) over the
// visible events, plus the fields every state has.
struct State {
  std::string stream;
  std::string as_of;     // the query's as_of; empty = unbounded (JSON null)
  std::string known_at;  // the query's known_at; empty = now (JSON null)
  // The vocabulary the stream belongs to (of its first event that is not a core type) and
  // the version the fold used; empty and 0 while the stream has only core events.
  std::string vocabulary;
  uint32_t vocabulary_version = 0;
  std::map<std::string, std::string> facts;
  uint64_t events_applied = 0;           // visible events folded (notes included)
  std::vector<std::string> tentative;    // ids of folded events with latest > V
  // The vocabulary's state fields; null when the stream has no vocabulary.
  std::shared_ptr<const internal::StateRep> rep;

  // The JSON object of SPEC §3, one line, no "\n": stream, as_of, known_at, the
  // vocabulary's fields, facts, events_applied, tentative.
  std::string ToJson() const;
  // The vocabulary's fields, in order, by JSON name, as ToJson shows them.
  std::vector<std::pair<std::string, StateValue>> Fields() const;
};

// A field-level change between two states.  `path` is dotted by JSON names, map keys and
// list indexes ("reviews.FTC.status", "submissions.0.status", "facts.k"); `from`/`to` are
// JSON values ("null" when the field did not exist on that side).
struct Change {
  std::string path;
  std::string from_json;
  std::string to_json;
  // The same values for people: strings unquoted, lists joined with ", ", "-" for null.
  std::string from_text;
  std::string to_text;
};

// The changes that turn `before` into `after`, in path order.  Query echo fields
// (stream, as_of, known_at), events_applied and tentative are not compared.
std::vector<Change> DiffStates(const State& before, const State& after);

// One visible event of a history: the event as read at the query's T, with corrections
// applied (its effective and data are the corrected ones; id, seq, hashes are the
// original's).
struct HistoryEntry {
  Event event;
  bool corrected = false;
  bool tentative = false;  // latest > V

  // The export shape of SPEC §5 plus "corrected": bool.  One line.
  std::string ToJson() const;
};

struct DiffResult {
  std::string stream, from, to, known_at;
  std::vector<Change> changes;
  std::string ToJson() const;  // {"stream", "from", "to", "known_at", "changes": [...]}
};

// One step of an audit replay: an event in seq order and the change it made to its
// stream's latest-knowledge state (as_of unbounded, known_at = its own seq).  For a
// correction or retraction the changes are those it caused to its target's stream.
struct ReplayEntry {
  Event event;
  std::vector<Change> changes;
  std::string ToJson() const;  // export shape plus "changes": [...]
};

// A one-line summary of an event's data for people: its type's $summary with the data
// filled in ("FTC opens a review"), or, for core types, "key = value", the note's text,
// "corrects ID: ...", "retracts ID (reason)".
std::string DescribeEvent(const Event& event);

}  // namespace annals

#endif  // ANNALS_QUERY_H_
