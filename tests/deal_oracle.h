// Copyright annals authors.
//
// The oracle of the deal vocabulary: the hand-written fold of annals before vocabularies
// (SPEC §2), its State struct, JSON and field-level diffs, kept here so that the engine
// running schema/vocabularies/deal.capnp can be compared with it byte for byte
// (oracle_test.cc), and so that tests can read the engine's deal states as structs
// (FromState).  One change from the code it was: partner_chosen keeps the partner's
// reason (docs/DECISIONS.md).

#ifndef ANNALS_TESTS_DEAL_ORACLE_H_
#define ANNALS_TESTS_DEAL_ORACLE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "annals/query.h"
#include "bitemporal/projection.h"

namespace annals {
namespace test {

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

struct DealState {
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

  // The JSON of the state before vocabularies, one line.
  std::string ToJson() const;
};

// Which parts of a State one event may change: lets a replay compare only those.
struct DiffScope {
  bool chosen_partner = false;
  bool launch_target = false;                // target, scope, set, internal
  std::vector<size_t> previous_targets;      // launch_target.previous.<i>
  bool launched = false;
  std::vector<std::string> partners;
  std::vector<size_t> submissions;
  std::vector<std::string> facts;
  // phase is always in scope.  Each key is listed once.
};

// The parts of a State in a DiffScope, copied before the event is applied (the fold
// changes the State in place).  Vectors are parallel to the scope's.
struct ScopedParts {
  std::string phase;
  std::optional<std::string> chosen_partner;
  std::vector<std::optional<PartnerState>> partners;
  std::vector<std::optional<Submission>> submissions;
  std::optional<LaunchTargetEntry> launch_target;    // the current one
  std::vector<std::optional<LaunchTargetEntry>> previous_targets;
  std::optional<LaunchedState> launched;
  std::vector<std::optional<std::string>> facts;
};
// The domain projection of SPEC §2.  Where SPEC §2 is silent:
//   - partner_talks replaces the partner's whole entry (a role from an earlier choice
//     goes); partner_chosen sets {chosen, since, role} without an earlier reason; a
//     partner dropped by a new choice keeps reason and role, `since` = the new choice.
//   - a decision applies to its regulator's latest submission so far in the fold, even
//     one already decided (a later decision overrides the earlier one).
//   - "exploring" means the state has any partner entry, whatever its status.
class DealFold final : public internal::Projection {
 public:
  DealFold() { state_.phase = "none"; }
  // Continues a fold from `state` (a checkpoint's): the same as having applied the events
  // that made it.
  explicit DealFold(DealState state);
  void Apply(const Event& event) override;

  // The folded state with its phase; stream, as_of, known_at, events_applied and
  // tentative are the caller's.
  const DealState& state() const { return state_; }


 private:
  void UpdatePhase();
  DealState state_;
  // Submissions by status, so that the phase is O(1) after each event (looked up by
  // name without building a string).
  std::map<std::string, uint64_t, std::less<>> submission_status_counts_;
  // Regulator -> index of its latest submission in state_.submissions.
  std::unordered_map<std::string, size_t> latest_submission_;
};


// The field-level changes between two deal states (the diff annals had before
// vocabularies), in path order.
std::vector<Change> DiffDealStates(const DealState& before, const DealState& after);
// The engine's state of a deal stream, read back into the old struct through its JSON.
DealState FromState(const State& state);

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_DEAL_ORACLE_H_
