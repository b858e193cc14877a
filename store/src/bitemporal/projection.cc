// Copyright annals authors.
//
// The projection engine: Timeline (visibility), Fold, and the two projections.

#include "bitemporal/projection.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "codec/event_rep.h"

namespace annals {
namespace internal {

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
    Spill();
    tree_.insert(key);
    return;
  }
  if (sorted_ && !order_.empty() && key < order_.back()) sorted_ = false;
  order_.push_back(key);
}

void Timeline::Remove(const TimelineKey& key) {
  if (mode_ == Mode::kLowMemory) {
    Spill();
    tree_.erase(key);
    return;
  }
  removed_.push_back(key);
}

void Timeline::Spill() {
  if (spilled_) return;
  tree_.insert(order_.begin(), order_.end());  // sorted: linear
  order_.clear();
  order_.shrink_to_fit();
  spilled_ = true;
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
  const EventKind kind = raw.kind();
  if (kind == EventKind::kVocabulary) return Effect::kNone;  // registrations fold nothing
  if (!IsMetaKind(kind)) {
    const TimelineKey key = KeyOf(raw);
    if (mode_ == Mode::kInMemory) {
      views_[raw.seq()] = View{raw, false};
      ids_[std::string(raw.id())] = raw.seq();
    }
    changed_from_ = key;
    changed_until_ = key;
    if (mode_ == Mode::kLowMemory && spilled_) {
      if (tree_.empty() || *tree_.rbegin() < key) {
        tree_.emplace_hint(tree_.end(), key);
        return Effect::kAppendedLast;
      }
    } else if (sorted_ && removed_.empty() && (order_.empty() || order_.back() < key)) {
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
    if (t->stream() != raw.stream() || t->seq() >= raw.seq() || IsMetaKind(t->kind())) {
      return Status::NotFound("seq " + std::to_string(raw.seq()) + ": target '" + target_id +
                              "' is not an earlier domain event of its stream");
    }
    target_seq = t->seq();
  }
  if (retracted_.count(target_seq)) return Effect::kNone;  // hidden for good
  auto current = Current(target_seq);
  if (!current.ok()) return current.status();
  const TimelineKey old_key = KeyOf(current->event);

  if (kind == EventKind::kRetraction) {
    retracted_.insert(target_seq);
    views_.erase(target_seq);
    Remove(old_key);
    changed_from_ = old_key;
    changed_until_ = old_key;
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
  changed_until_ = std::max(old_key, KeyOf(view));
  views_[target_seq] = View{std::move(view), true};
  return Effect::kReordered;
}

Status Timeline::ForEach(const Visitor& visit) {
  if (mode_ == Mode::kLowMemory && spilled_) return Visit(tree_.cbegin(), tree_.cend(), visit);
  Normalize();
  return Visit(order_.cbegin(), order_.cend(), visit);
}

Status Timeline::ForEachAfter(const TimelineKey& after, const Visitor& visit) {
  if (mode_ == Mode::kLowMemory && spilled_) {
    return Visit(tree_.upper_bound(after), tree_.cend(), visit);
  }
  Normalize();
  return Visit(std::upper_bound(order_.cbegin(), order_.cend(), after), order_.cend(), visit);
}

template <typename It>
Status Timeline::Visit(It from, It end, const Visitor& visit) {
  for (auto k = from; k != end; ++k) {
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

void StateProjection::Apply(const Event& event) {
  switch (event.kind()) {
    case EventKind::kNote:
      fold_.ApplyNote();
      return;
    case EventKind::kFact: {
      auto f = event.rep().reader().getFact();
      fold_.ApplyFact(std::string(f.getKey().cStr(), f.getKey().size()),
                      std::string(f.getValue().cStr(), f.getValue().size()));
      return;
    }
    case EventKind::kDomain: {
      const auto& vocabulary = fold_.vocabulary();
      if (!vocabulary) return;  // unreachable: a stream belongs to the vocabulary of its types
      const std::string_view name = event.type_name();
      const EventTypeDef* def = nullptr;
      for (const auto& [n, d] : types_) {
        if (n == name) def = d;
      }
      if (def == nullptr) {
        def = vocabulary->FindType(name);
        if (def == nullptr) return;  // a type of another vocabulary: refused on append
        types_.emplace_back(def->name, def);
      }
      fold_.Apply(FoldInput(def, event.effective().text, event.rep().data()));
      return;
    }
    default:
      return;
  }
}

State StateProjection::ToState() const {
  State state;
  state.facts = fold_.facts();
  if (const auto& v = fold_.vocabulary()) {
    state.vocabulary = v->name();
    auto rep = std::make_shared<StateRep>();
    rep->vocabulary = v;
    rep->root = fold_.root();
    state.rep = std::move(rep);
  }
  return state;
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
