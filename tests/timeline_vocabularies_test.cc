// Copyright annals authors.
//
// The timeline picture (annals/timeline.h; timeline_fixture.h) for vocabularies other than the
// deal: the shipped acquisition sample and a small trip vocabulary, each drawn from the
// shape of its state alone.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "annals/vocabulary.h"
#include "test_util.h"
#include "timeline_fixture.h"

namespace annals {
namespace test {
namespace {

// ---- other vocabularies ------------------------------------------------------------------

// The shipped acquisition vocabulary, which names no lanes: its sample (Microsoft and
// Activision Blizzard, with a correction and a retraction) drawn from its shape alone.
TEST_F(TimelineTest, AcquisitionSampleIsDrawnFromItsShape) {
  auto source = ShippedVocabularySource("acquisition");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  Register(*source, "acquisition.capnp");
  Append(test::Lines(test::ReadFile(std::string(ANNALS_SOURCE_DIR) + "/examples/msft-atvi.jsonl")));
  const std::string full = Svg("", "", "msft-atvi");
  const std::string svg = Drawing(full);
  EXPECT_NE(svg.find("status: closed \xC2\xB7 acquirer: Microsoft \xC2\xB7 target: Activision "
                     "Blizzard \xC2\xB7 28 events"),
            std::string::npos);
  // Whole values first, in a section named after the vocabulary; then a section per map
  // and list, in the state's field order.
  EXPECT_EQ(SectionTitles(svg),
            (std::vector<std::string>{"ACQUISITION", "REVIEWS", "LAWSUITS", "APPEALS", "VOTES",
                                      "FACTS &amp; NOTES"}));
  for (const char* regulator : {"CMA", "European Commission", "CADE", "SAMR"}) {
    EXPECT_FALSE(LaneGroup(svg, "reviews", regulator).empty()) << regulator;
  }
  EXPECT_EQ(Count(svg, "data-field=\"reviews\""), 4u);
  EXPECT_EQ(Count(svg, "data-field=\"lawsuits\""), 2u);
  EXPECT_FALSE(LaneGroup(svg, "appeals", "FTC v. Microsoft (N.D. Cal.)").empty());
  // The retracted Microsoft vote is not drawn; the corrected one is marked.
  EXPECT_EQ(Count(svg, "data-field=\"votes\""), 1u);
  const std::string vote = LaneGroup(svg, "votes", "Activision Blizzard");
  EXPECT_NE(vote.find("<g class=\"ev corrected\" data-id=\"msft-atvi-03\""), std::string::npos);
  EXPECT_NE(vote.find("marker marker-positive"), std::string::npos);  // its outcome: approved
  EXPECT_EQ(svg.find("data-id=\"msft-atvi-04\""), std::string::npos);
  // Every visible event has its mark.
  EXPECT_EQ(Count(svg, "<g class=\"ev") - Count(svg, "<g class=\"ev derived"), 28u);
  // The CMA: opened, phase 2, blocked; a new review of the restructured deal, remedies.
  // No span runs from the block to the new review.
  const std::string cma = LaneGroup(svg, "reviews", "CMA");
  EXPECT_EQ(Count(cma, "class=\"span\" data-status=\"open\""), 3u);
  EXPECT_NE(EventGroup(cma, "msft-atvi-14").find("marker marker-negative"), std::string::npos);
  EXPECT_NE(EventGroup(cma, "msft-atvi-24").find("marker marker-start"), std::string::npos);
  EXPECT_NE(EventGroup(cma, "msft-atvi-26").find("marker marker-conditional"), std::string::npos);
  EXPECT_NE(cma.find(">remedies</text>"), std::string::npos);
  // The outside date slips three times: four flags at the dates they name, three faded,
  // each with an arrow to the next.
  const std::string outside = LaneGroup(svg, "outside_date", "Outside date");
  EXPECT_EQ(Count(outside, "marker marker-flag"), 4u);
  EXPECT_EQ(Count(outside, "<g class=\"ev slipped\""), 3u);
  EXPECT_EQ(Count(outside, "<path class=\"slip\""), 3u);
  EXPECT_NE(outside.find(">date 2023-01-18 (replaced)</text>"), std::string::npos);
  EXPECT_NE(outside.find(">date 2023-10-18</text>"), std::string::npos);
  // msft-atvi-02 was set on 2022-01-18 and stands at 2023-01-18, where msft-atvi-11 was set.
  const double first_flag = Ranges(EventGroup(outside, "msft-atvi-02")).at(0).first;
  EXPECT_GT(first_flag, Ranges(EventGroup(svg, "msft-atvi-01")).at(0).first + 100);
  // Revised terms are a flag replacing the announced ones; the closing is a milestone.
  const std::string terms = LaneGroup(svg, "terms", "Terms");
  EXPECT_EQ(Count(terms, "<path class=\"slip\""), 1u);
  EXPECT_NE(terms.find(">price $95.00 per share (replaced)</text>"), std::string::npos);
  EXPECT_NE(LaneGroup(svg, "closed", "Closed").find("marker marker-milestone"), std::string::npos);
  // An appeal filed marks its lawsuit too: a derived mark for the event on the appeal's lane.
  const std::string suit = LaneGroup(svg, "lawsuits", "FTC v. Microsoft (N.D. Cal.)");
  EXPECT_NE(suit.find("data-of=\"msft-atvi-20\""), std::string::npos);
  EXPECT_NE(suit.find(">affirmed</text>"), std::string::npos);
  // The legend names the vocabulary's own statuses.
  const std::string legend = full.substr(full.find("<g class=\"legend\">"));
  for (const char* text : {">blocked<", ">remedies<", ">cleared<", ">outside date<",
                           ">terms<", ">closed<", ">note<", ">corrected<"}) {
    EXPECT_NE(legend.find(text), std::string::npos) << text;
  }
  // As of June 2023: blocked by the CMA, litigation pending, the outside date in July.
  const std::string june = Drawing(Svg("2023-06-30", "", "msft-atvi"));
  EXPECT_NE(june.find("status: blocked"), std::string::npos);
  EXPECT_NE(LaneGroup(june, "reviews", "CMA").find(">blocked</text>"), std::string::npos);
  EXPECT_NE(LaneGroup(june, "outside_date", "Outside date").find(">date 2023-07-18</text>"),
            std::string::npos);
  EXPECT_EQ(june.find("data-field=\"closed\""), std::string::npos);
}

// A vocabulary written from SPEC §7 alone, unlike any shipped one: a map whose entries
// have no `status` (an enum-set field tells it), a value with a history and a $A.date
// field, and a scalar field.
constexpr const char* kTrip = R"(@0xf1d3b2c9e8a7d6c5;
using A = import "/annals/vocabulary.capnp";
$A.vocabulary("trip");
enum Mode { train @0; plane @1; }
struct LegBooked $A.event("leg_booked") $A.summary("{city} by {mode}")
    $A.on([(upsert = (path = "legs", key = "data.city",
                      fields = ["mode = data.mode", "booked = effective"]))]) {
  city @0 :Text $A.required;
  mode @1 :Mode $A.required;
}
struct LegCancelled $A.event("leg_cancelled") $A.summary("{city} cancelled")
    $A.on([(remove = (path = "legs", key = "data.city"))]) {
  city @0 :Text $A.required;
}
struct DepartureSet $A.event("departure_set") $A.summary("leave on {date}")
    $A.on([(set = (path = "departure", fields = ["date = data.date", "set = effective"],
                   history = "departure.previous"))]) {
  date @0 :Text $A.required $A.date;
}
struct MoodNoted $A.event("mood_noted") $A.summary("mood: {mood}")
    $A.on([(set = (path = "mood", value = "data.mood"))]) {
  mood @0 :Text $A.required;
}
struct State $A.state {
  legs @0 :List(Leg) $A.map(key = "city");
  departure @1 :Departure;
  mood @2 :Text;
  struct Leg { city @0 :Text; mode @1 :Text; booked @2 :Text; }
  struct Prior { date @0 :Text; set @1 :Text; }
  struct Departure { date @0 :Text; set @1 :Text; previous @2 :List(Prior); }
}
)";

TEST_F(TimelineTest, AnyVocabularyGetsLanesFromItsShape) {
  Register(kTrip, "trip.capnp");
  Append({R"({"id":"l1","stream":"t","type":"leg_booked","effective":"2025-01-10","data":{"city":"Lisbon","mode":"train"}})",
          R"({"id":"l2","stream":"t","type":"leg_booked","effective":"2025-01-12","data":{"city":"Porto","mode":"plane"}})",
          R"({"id":"d1","stream":"t","type":"departure_set","effective":"2025-01-05","data":{"date":"2025-03-01"}})",
          R"({"id":"d2","stream":"t","type":"departure_set","effective":"2025-02-01","data":{"date":"2025-03-15"}})",
          R"({"id":"c1","stream":"t","type":"leg_cancelled","effective":"2025-02-10","data":{"city":"Porto"}})",
          R"({"id":"m1","stream":"t","type":"mood_noted","effective":"2025-02-11","data":{"mood":"hopeful"}})"});
  const std::string svg = Drawing(Svg("", "", "t"));
  EXPECT_EQ(SectionTitles(svg), (std::vector<std::string>{"LEGS", "TRIP"}));
  EXPECT_EQ(LaneNames(svg),
            (std::vector<std::string>{"Lisbon", "Porto", "Departure", "Mood"}));
  // The entry's status is its `mode` (set from an enum); Lisbon's runs on, Porto's lane
  // ends where it was removed.
  const std::string lisbon = LaneGroup(svg, "legs", "Lisbon");
  EXPECT_NE(lisbon.find("class=\"span\" data-status=\"train\""), std::string::npos);
  EXPECT_EQ(Count(lisbon, "class=\"open-end\""), 1u);
  EXPECT_NE(lisbon.find(">train</text>"), std::string::npos);
  const std::string porto = LaneGroup(svg, "legs", "Porto");
  EXPECT_NE(porto.find(">removed</text>"), std::string::npos);
  EXPECT_EQ(Count(porto, "class=\"open-end\""), 0u);
  EXPECT_NE(EventGroup(porto, "c1").find("marker marker-ended"), std::string::npos);
  // A word outside the lexicon still gets a colour of its own: the span's is the mark's.
  const std::string span = lisbon.substr(lisbon.find("data-status=\"train\""));
  const std::string mark = EventGroup(lisbon, "l1");
  const std::string range = mark.substr(mark.find("<rect class=\"range\""));
  ASSERT_NE(span.find("fill=\"#"), std::string::npos);
  EXPECT_EQ(span.substr(span.find("fill=\"#"), 15), range.substr(range.find("fill=\"#"), 15));
  EXPECT_NE(span.substr(span.find("fill=\"#"), 15), "fill=\"#64748b\"");  // not muted
  // The departure is a flag at the date it names; the scalar a lane of its own, since the
  // event wrote nothing else.
  const std::string departure = LaneGroup(svg, "departure", "Departure");
  EXPECT_EQ(Count(departure, "marker marker-flag"), 2u);
  EXPECT_NE(EventGroup(departure, "d1").find(">date 2025-03-01 (replaced)</text>"),
            std::string::npos);
  EXPECT_GT(Ranges(EventGroup(departure, "d1")).at(0).first,
            Ranges(EventGroup(svg, "c1")).at(0).first);  // March is after February 10
  EXPECT_NE(LaneGroup(svg, "mood", "Mood").find(">mood: hopeful</text>"), std::string::npos);
}

}  // namespace
}  // namespace test
}  // namespace annals
