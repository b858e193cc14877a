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
#include <optional>
#include <string>
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

struct PartnerState {
  std::string status;  // opened | ongoing | stalled | ended | chosen | dropped
  std::string since;   // effective text of the event that set the status
  std::string reason;  // empty if none
  std::string role;    // from partner_chosen; empty if none
};

struct Submission {
  std::string regulator;
  std::optional<std::string> filed;  // nullopt when a decision arrived with no filing
  std::string scope;
  std::vector<std::string> with;
  std::string status;                // pending | approved | rejected | conditional
  std::string decided;               // effective text of the decision; empty if pending
  std::string conditions;
};

struct LaunchTargetEntry {
  std::string target;  // fuzzy date text
  std::string scope;
  std::string set;     // effective text of the launch_target_set event
  bool internal = false;
};

struct LaunchTarget {
  LaunchTargetEntry current;
  std::vector<LaunchTargetEntry> previous;  // replaced targets, oldest first
};

struct LaunchedState {
  std::string on;  // effective text
  std::string scope;
  std::string release;
};

struct State {
  std::string stream;
  std::string as_of;     // the query's as_of; empty = unbounded (JSON null)
  std::string known_at;  // the query's known_at; empty = now (JSON null)
  std::string phase;     // launched | approved | submitted | rejected | partner_chosen |
                         // exploring | none
  std::map<std::string, PartnerState> partners;
  std::optional<std::string> chosen_partner;
  std::vector<Submission> submissions;  // in valid-time order of filing
  std::optional<LaunchTarget> launch_target;
  std::optional<LaunchedState> launched;
  std::map<std::string, std::string> facts;
  uint64_t events_applied = 0;           // domain events folded (notes included)
  std::vector<std::string> tentative;    // ids of folded events with latest > V

  // The JSON object of SPEC §3, one line, no "\n".
  std::string ToJson() const;
};

// A field-level change between two states.  `path` is dotted ("partners.Baidu.status",
// "submissions.0.status", "launch_target.target"); `from`/`to` are JSON values ("null"
// when the field did not exist on that side).
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

// A one-line summary of an event's data for people ("Baidu: ended (privacy concerns)",
// "CAC: approved", "retracts aicn-07 (misreported)").
std::string DescribeEvent(const Event& event);

}  // namespace annals

#endif  // ANNALS_QUERY_H_
