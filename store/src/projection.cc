// Copyright annals authors.
//
// The projection engine: Timeline (visibility), Fold, and the two projections.

#include "projection.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "event_rep.h"

namespace annals {
namespace internal {

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

// ---- Timeline ------------------------------------------------------------------------

Timeline::Timeline(Mode mode, EventSource* source) : mode_(mode), source_(source) {}

Result<Timeline::View> Timeline::Current(uint64_t seq) {
  auto it = views_.find(seq);
  if (it != views_.end()) return it->second;
  if (mode_ == Mode::kInMemory || source_ == nullptr) {
    return Status::NotFound("event with seq " + std::to_string(seq) + " is not in the timeline");
  }
  auto e = source_->BySeq(seq);
  if (!e.ok()) return e.status();
  return View{std::move(e).value(), false};
}

void Timeline::Insert(const TimelineKey& key) {
  if (mode_ == Mode::kLowMemory) {
    order_.insert(std::lower_bound(order_.begin(), order_.end(), key), key);
    return;
  }
  if (sorted_ && !order_.empty() && key < order_.back()) sorted_ = false;
  order_.push_back(key);
}

void Timeline::Remove(const TimelineKey& key) {
  if (mode_ == Mode::kLowMemory) {
    auto it = std::lower_bound(order_.begin(), order_.end(), key);
    if (it != order_.end() && *it == key) order_.erase(it);
    return;
  }
  removed_.push_back(key);
}

void Timeline::Normalize() {
  if (!sorted_) {
    std::sort(order_.begin(), order_.end());
    sorted_ = true;
  }
  if (!removed_.empty()) {
    std::sort(removed_.begin(), removed_.end());
    std::vector<TimelineKey> kept;
    kept.reserve(order_.size());
    std::set_difference(order_.begin(), order_.end(), removed_.begin(), removed_.end(),
                        std::back_inserter(kept));
    order_.swap(kept);
    removed_.clear();
  }
}

Result<Timeline::Effect> Timeline::Add(const Event& raw) {
  ++raw_events_;
  const EventType type = raw.type();
  if (!IsMetaType(type)) {
    const TimelineKey key = KeyOf(raw);
    if (mode_ == Mode::kInMemory) {
      views_[raw.seq()] = View{raw, false};
      ids_[std::string(raw.id())] = raw.seq();
    }
    changed_from_ = key;
    if (sorted_ && removed_.empty() && (order_.empty() || order_.back() < key)) {
      order_.push_back(key);
      return Effect::kAppendedLast;
    }
    Insert(key);
    return Effect::kReordered;
  }

  // A correction or retraction: find its target (an earlier domain event of this stream;
  // the store checked that on append).
  const std::string target_id(raw.target());
  uint64_t target_seq = 0;
  if (mode_ == Mode::kInMemory) {
    auto it = ids_.find(target_id);
    if (it == ids_.end()) {
      return Status::NotFound("seq " + std::to_string(raw.seq()) + ": target '" + target_id +
                              "' is not an earlier domain event of its stream");
    }
    target_seq = it->second;
  } else {
    auto t = source_->ById(target_id);
    if (!t.ok()) return t.status();
    if (t->stream() != raw.stream() || t->seq() >= raw.seq() || IsMetaType(t->type())) {
      return Status::NotFound("seq " + std::to_string(raw.seq()) + ": target '" + target_id +
                              "' is not an earlier domain event of its stream");
    }
    target_seq = t->seq();
  }
  if (retracted_.count(target_seq)) return Effect::kNone;  // hidden for good
  auto current = Current(target_seq);
  if (!current.ok()) return current.status();
  const TimelineKey old_key = KeyOf(current->event);

  if (type == EventType::kRetraction) {
    retracted_.insert(target_seq);
    views_.erase(target_seq);
    Remove(old_key);
    changed_from_ = old_key;
    return Effect::kReordered;
  }
  // Corrections apply on top of the view so far: each replaces the fields it gives.
  auto corrected = ApplyCorrection(current->event.rep(), raw.rep().reader().getCorrection());
  if (!corrected.ok()) {
    return Status::Corruption("seq " + std::to_string(raw.seq()) + ": stored correction of '" +
                              target_id + "' does not apply: " + corrected.status().message());
  }
  Event view(std::move(corrected).value());
  Remove(old_key);
  Insert(KeyOf(view));
  changed_from_ = std::min(old_key, KeyOf(view));
  views_[target_seq] = View{std::move(view), true};
  return Effect::kReordered;
}

Status Timeline::ForEach(const Visitor& visit) {
  Normalize();
  return Visit(order_.begin(), visit);
}

Status Timeline::ForEachAfter(const TimelineKey& after, const Visitor& visit) {
  Normalize();
  return Visit(std::upper_bound(order_.begin(), order_.end(), after), visit);
}

Status Timeline::Visit(std::vector<TimelineKey>::const_iterator from, const Visitor& visit) {
  for (auto k = from; k != order_.end(); ++k) {
    const TimelineKey& key = *k;
    auto it = views_.find(key.second);
    if (it != views_.end()) {
      if (!visit(it->second.event, it->second.corrected)) break;
      continue;
    }
    auto v = Current(key.second);
    if (!v.ok()) return v.status();
    if (!visit(v->event, v->corrected)) break;
  }
  return Status::OK();
}

// ---- Fold ----------------------------------------------------------------------------

Result<FoldStats> Fold(Timeline* timeline, int64_t as_of,
                       const std::vector<Projection*>& projections) {
  FoldStats stats;
  Status s = timeline->ForEach([&](const Event& e, bool) {
    const FuzzyDate& d = e.effective();
    if (d.earliest > as_of) return false;  // sorted by earliest: nothing later qualifies
    for (Projection* p : projections) p->Apply(e);
    ++stats.applied;
    if (d.latest > as_of) stats.tentative.emplace_back(e.id());
    return true;
  });
  if (!s.ok()) return s;
  return stats;
}

// ---- StateProjection -----------------------------------------------------------------

StateProjection::StateProjection(State state) : state_(std::move(state)) {
  // The derived indexes: a regulator's latest submission is its last one in the list,
  // since Apply only ever appends submissions.
  for (size_t i = 0; i < state_.submissions.size(); ++i) {
    ++submission_status_counts_[state_.submissions[i].status];
    latest_submission_[state_.submissions[i].regulator] = i;
  }
  UpdatePhase();
}

void StateProjection::Apply(const Event& event) {
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
      PartnerState p;
      p.status = "chosen";
      p.since = when;
      p.role = Str(d.getRole());
      state_.partners[partner] = std::move(p);
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
      break;
  }
  UpdatePhase();
}

void StateProjection::UpdatePhase() {
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

DiffScope StateProjection::ScopeOf(const Event& event) const {
  DiffScope scope;
  const schema::Event::Reader r = event.rep().reader();
  switch (r.which()) {
    case schema::Event::PARTNER_TALKS:
      scope.partners.push_back(Str(r.getPartnerTalks().getPartner()));
      scope.chosen_partner = true;
      break;
    case schema::Event::PARTNER_CHOSEN:
      scope.partners.push_back(Str(r.getPartnerChosen().getPartner()));
      if (state_.chosen_partner && *state_.chosen_partner != scope.partners.back()) {
        scope.partners.push_back(*state_.chosen_partner);  // the one it replaces
      }
      scope.chosen_partner = true;
      break;
    case schema::Event::SUBMISSION_FILED:
      scope.submissions.push_back(state_.submissions.size());
      break;
    case schema::Event::SUBMISSION_DECIDED: {
      auto it = latest_submission_.find(Str(r.getSubmissionDecided().getRegulator()));
      scope.submissions.push_back(it == latest_submission_.end() ? state_.submissions.size()
                                                                 : it->second);
      break;
    }
    case schema::Event::LAUNCH_TARGET_SET:
      scope.launch_target = true;
      if (state_.launch_target) {
        scope.previous_targets.push_back(state_.launch_target->previous.size());
      }
      break;
    case schema::Event::LAUNCHED:
      scope.launched = true;
      break;
    case schema::Event::FACT:
      scope.facts.push_back(Str(r.getFact().getKey()));
      break;
    default:
      break;
  }
  return scope;
}

// ---- SourceCountsProjection ----------------------------------------------------------

void SourceCountsProjection::Apply(const Event& event) {
  PublisherCounts& c = counts_[std::string(event.source_publisher())];
  ++c.events;
  ++c.by_type[std::string(event.type_name())];
  ++c.by_confidence[std::string(event.confidence())];
}

}  // namespace internal
}  // namespace annals
