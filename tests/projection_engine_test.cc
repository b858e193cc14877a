// Copyright annals authors.
//
// The projection engine and the bitemporal queries (SPEC §2-3; projection_fixture.h):
// a second projection on the same engine, and the low-memory timeline that reads events
// back by seq.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "projection_fixture.h"

namespace annals {
namespace test {
namespace {

// ---- the engine and a second projection ------------------------------------------------

class VectorSource : public internal::EventSource {
 public:
  explicit VectorSource(internal::StoreImpl* s) : store_(s) {}
  Result<Event> BySeq(uint64_t seq) override { return store_->GetBySeq(seq); }
  Result<Event> ById(std::string_view id) override { return store_->GetById(id); }

 private:
  internal::StoreImpl* store_;
};

TEST_F(ProjectionTest, SecondProjectionCountsPublishersOnTheSameEngine) {
  Append({Ev("a", "note", "2024", "{\"text\":\"x\"}", "The Information"),
          Ev("b", "partner_talks", "2024", "{\"partner\":\"B\",\"status\":\"opened\"}",
             "The Information"),
          Ev("c", "partner_talks", "2025", "{\"partner\":\"B\",\"status\":\"ended\"}", "Reuters"),
          Ev("d", "fact", "2024", "{\"key\":\"k\",\"value\":\"v\"}"), Retract("r", "c")});
  for (auto mode : {internal::Timeline::Mode::kInMemory, internal::Timeline::Mode::kLowMemory}) {
    VectorSource source(store_.get());
    internal::Timeline timeline(mode, &source);
    ASSERT_OK(store_->ReadStream(kStream, store_->LastSeq(), [&](const Event& e) {
      EXPECT_TRUE(timeline.Add(e).ok());
      return true;
    }));
    internal::SourceCountsProjection counts;
    internal::StateProjection state(store_->registry()->Latest("deal")->vocabulary);
    auto stats = internal::Fold(&timeline, internal::kUnboundedValidTime, {&counts, &state});
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->applied, 3u);
    const auto& c = counts.counts();
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c.at("The Information").events, 2u);
    EXPECT_EQ(c.at("The Information").by_type.at("partner_talks"), 1u);
    EXPECT_EQ(c.at("The Information").by_confidence.at("reported"), 2u);
    EXPECT_EQ(c.at("").events, 1u);
    EXPECT_EQ(c.count("Reuters"), 0u);  // its only report was retracted
    EXPECT_EQ(test::FromState(state.ToState()).phase, "exploring");
  }
}

TEST_F(ProjectionTest, LowMemoryTimelineReportsWhenAnEventSortsLast) {
  Append({Note("n1", "2024-02"), Note("n2", "2024-03"), Note("n3", "2024-01"),
          Correct("k", "n1", "2024-04"), Retract("r", "n2")});
  VectorSource source(store_.get());
  internal::Timeline timeline(internal::Timeline::Mode::kLowMemory, &source);
  std::vector<internal::Timeline::Effect> effects;
  ASSERT_OK(store_->ReadStream(kStream, store_->LastSeq(), [&](const Event& e) {
    auto r = timeline.Add(e);
    EXPECT_TRUE(r.ok());
    effects.push_back(*r);
    return true;
  }));
  using E = internal::Timeline::Effect;
  EXPECT_EQ(effects, (std::vector<E>{E::kAppendedLast, E::kAppendedLast, E::kReordered,
                                     E::kReordered, E::kReordered}));
  std::vector<std::string> ids;
  ASSERT_OK(timeline.ForEach([&](const Event& e, bool) {
    ids.emplace_back(e.id());
    return true;
  }));
  EXPECT_EQ(ids, (std::vector<std::string>{"n3", "n1"}));
}

}  // namespace
}  // namespace test
}  // namespace annals
