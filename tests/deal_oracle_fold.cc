// Copyright annals authors.
//
// The fold of the deal oracle (deal_oracle.h): DealFold, SPEC §2's event table applied to
// a DealState as annals did before vocabularies, with partner_chosen keeping the partner's
// reason.

#include "deal_oracle.h"

#include <string>
#include <utility>

#include "codec/event_rep.h"

namespace annals {
namespace test {
namespace {

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

const char* TalksStatusName(schema::TalksStatus s) {
  switch (s) {
    case schema::TalksStatus::OPENED: return "opened";
    case schema::TalksStatus::ONGOING: return "ongoing";
    case schema::TalksStatus::STALLED: return "stalled";
    case schema::TalksStatus::ENDED: return "ended";
  }
  return "opened";
}

const char* DecisionName(schema::Decision d) {
  switch (d) {
    case schema::Decision::APPROVED: return "approved";
    case schema::Decision::REJECTED: return "rejected";
    case schema::Decision::CONDITIONAL: return "conditional";
  }
  return "approved";
}

}  // namespace

DealFold::DealFold(DealState state) : state_(std::move(state)) {
  // The derived indexes: a regulator's latest submission is its last one in the list,
  // since Apply only ever appends submissions.
  for (size_t i = 0; i < state_.submissions.size(); ++i) {
    ++submission_status_counts_[state_.submissions[i].status];
    latest_submission_[state_.submissions[i].regulator] = i;
  }
  UpdatePhase();
}

void DealFold::Apply(const Event& event) {
  const schema::Event::Reader r = event.rep().reader();
  const std::string& when = event.effective().text;
  switch (r.which()) {
    case schema::Event::PARTNER_TALKS: {
      auto d = r.getPartnerTalks();
      const std::string partner = Str(d.getPartner());
      PartnerState p;
      p.status = TalksStatusName(d.getStatus());
      p.since = when;
      p.reason = Str(d.getReason());
      state_.partners[partner] = std::move(p);
      if (d.getStatus() == schema::TalksStatus::ENDED && state_.chosen_partner == partner) {
        state_.chosen_partner.reset();
      }
      break;
    }
    case schema::Event::PARTNER_CHOSEN: {
      auto d = r.getPartnerChosen();
      const std::string partner = Str(d.getPartner());
      if (state_.chosen_partner && *state_.chosen_partner != partner) {
        PartnerState& old = state_.partners[*state_.chosen_partner];
        old.status = "dropped";
        old.since = when;
      }
      PartnerState& p = state_.partners[partner];  // keeps its reason
      p.status = "chosen";
      p.since = when;
      p.role = Str(d.getRole());
      state_.chosen_partner = partner;
      break;
    }
    case schema::Event::SUBMISSION_FILED: {
      auto d = r.getSubmissionFiled();
      Submission s;
      s.regulator = Str(d.getRegulator());
      s.filed = when;
      s.scope = Str(d.getScope());
      for (auto w : d.getWith()) s.with.push_back(Str(w));
      s.status = "pending";
      ++submission_status_counts_[s.status];
      latest_submission_[s.regulator] = state_.submissions.size();
      state_.submissions.push_back(std::move(s));
      break;
    }
    case schema::Event::SUBMISSION_DECIDED: {
      auto d = r.getSubmissionDecided();
      const std::string regulator = Str(d.getRegulator());
      const std::string decision = DecisionName(d.getDecision());
      auto it = latest_submission_.find(regulator);
      if (it == latest_submission_.end()) {
        // History may arrive late: the decision stands for a filing not yet recorded.
        Submission s;
        s.regulator = regulator;
        latest_submission_[regulator] = state_.submissions.size();
        state_.submissions.push_back(std::move(s));
        it = latest_submission_.find(regulator);
      } else {
        --submission_status_counts_[state_.submissions[it->second].status];
      }
      Submission& s = state_.submissions[it->second];
      s.status = decision;
      s.decided = when;
      s.conditions = Str(d.getConditions());
      ++submission_status_counts_[decision];
      break;
    }
    case schema::Event::LAUNCH_TARGET_SET: {
      auto d = r.getLaunchTargetSet();
      LaunchTargetEntry entry;
      entry.target = Str(d.getTarget());
      entry.scope = Str(d.getScope());
      entry.set = when;
      entry.internal = d.getInternal();
      if (state_.launch_target) {
        state_.launch_target->previous.push_back(std::move(state_.launch_target->current));
        state_.launch_target->current = std::move(entry);
      } else {
        state_.launch_target = LaunchTarget{std::move(entry), {}};
      }
      break;
    }
    case schema::Event::LAUNCHED: {
      auto d = r.getLaunched();
      state_.launched = LaunchedState{when, Str(d.getScope()), Str(d.getRelease())};
      break;
    }
    case schema::Event::FACT: {
      auto d = r.getFact();
      std::string key = Str(d.getKey());
      if (d.getValue().size() == 0) {
        state_.facts.erase(key);
      } else {
        state_.facts[key] = Str(d.getValue());
      }
      break;
    }
    case schema::Event::NOTE:
    case schema::Event::CORRECTION:
    case schema::Event::RETRACTION:
    case schema::Event::CUSTOM:
    case schema::Event::VOCABULARY:
      break;
  }
  UpdatePhase();
}

void DealFold::UpdatePhase() {
  auto count = [&](const char* status) {
    auto it = submission_status_counts_.find(status);
    return it == submission_status_counts_.end() ? 0 : it->second;
  };
  if (state_.launched) {
    state_.phase = "launched";
  } else if (count("approved") + count("conditional") > 0) {
    state_.phase = "approved";
  } else if (count("pending") > 0) {
    state_.phase = "submitted";
  } else if (count("rejected") > 0) {
    state_.phase = "rejected";
  } else if (state_.chosen_partner) {
    state_.phase = "partner_chosen";
  } else if (!state_.partners.empty()) {
    state_.phase = "exploring";
  } else {
    state_.phase = "none";
  }
}

}  // namespace test
}  // namespace annals
