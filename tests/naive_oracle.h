// Copyright annals authors.
//
// The naive oracle of the seeded model test (oracle_test.cc): its own model of the deal's
// events, which it also writes as JSON lines for the real store, and a re-fold of every
// event from scratch for each (as_of, known_at) query.  It shares no code with the
// projection engine: it works on its model of the events, not on stored messages.  Also
// a reference flattening of states for diffs, and a description of every field of a state.

#ifndef ANNALS_TESTS_NAIVE_ORACLE_H_
#define ANNALS_TESTS_NAIVE_ORACLE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deal_oracle.h"

namespace annals {
namespace test {

// One event of the model: a domain event of the deal, a correction or a retraction.
struct ModelEvent {
  uint64_t seq = 0;
  int64_t recorded = 0;
  std::string id;
  std::string stream;
  std::string type;
  std::string effective;  // domain events
  std::map<std::string, std::string> fields;  // string data fields
  std::vector<std::string> with;               // submission_filed
  bool internal = false;                       // launch_target_set
  // correction / retraction
  std::string target;
  std::optional<std::string> new_effective;
  std::map<std::string, std::string> new_fields;

  bool meta() const { return type == "correction" || type == "retraction"; }
};

// The event as a JSON line of the import shape, for NewEvent::FromJson.
std::string ToJsonLine(const ModelEvent& e);

// What the oracle answers to one query.
struct OracleResult {
  bool exists = false;
  DealState state;
  std::vector<std::string> history;  // "id effective corrected tentative" per event
};

// The stream's state and history as of valid time `v` (µs; its last instant) with what
// was known at seq `n`, re-folded from every event of `log` (in seq order).
OracleResult Oracle(const std::vector<ModelEvent>& log, const std::string& stream, int64_t v,
                    uint64_t n);

// DiffStates as the reference leaves give it: "path=from>to", in path order.
std::vector<std::string> ReferenceDiff(const DealState& before, const DealState& after);

// Every field of a state, one per line, written independently of DealState::ToJson.
std::string Describe(const DealState& s);

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_NAIVE_ORACLE_H_
