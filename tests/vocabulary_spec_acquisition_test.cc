// Copyright annals authors.
//
// The vocabulary engine held to SPEC §7 without the store (vocabulary_spec_fixture.h):
// the shipped acquisition vocabulary compiles as it is in the source tree, and its sample
// (examples/msft-atvi.jsonl) folds to the story of the deal at every step.

#include <gtest/gtest.h>

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "annals/fuzzy_date.h"
#include "test_util.h"
#include "vocabulary/parse.h"
#include "vocabulary/vocabulary.h"
#include "vocabulary_spec_fixture.h"

namespace annals {
namespace test {
namespace {

using internal::Vocabulary;

// ---- the shipped acquisition vocabulary and its sample ----------------------------------

VocabularyPtr Acquisition() {
  const char* text = internal::EmbeddedFileText("vocabularies/acquisition.capnp");
  EXPECT_NE(text, nullptr) << "acquisition.capnp is not embedded";
  return text == nullptr ? nullptr : Compile(text, "acquisition.capnp");
}

TEST(VocabularySpecAcquisitionTest, ShippedFileIsTheOneInTheSourceTreeAndCompiles) {
  EXPECT_EQ(std::string(internal::EmbeddedFileText("vocabularies/acquisition.capnp")),
            test::ReadFile(std::string(ANNALS_SOURCE_DIR) +
                           "/schema/vocabularies/acquisition.capnp"));
  auto v = Acquisition();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->name(), "acquisition");
  std::vector<std::string> names;
  for (const auto& t : v->types()) {
    names.push_back(t.name);
    EXPECT_FALSE(t.summary.empty()) << t.name << " has no $summary";
    EXPECT_FALSE(t.effects.empty()) << t.name << " has no effect";
  }
  EXPECT_EQ(names, (std::vector<std::string>{
                       "acquisition_announced", "terms_revised", "outside_date_set",
                       "shareholder_vote", "review_opened", "review_decided", "lawsuit_filed",
                       "court_ruling", "appeal_filed", "appeal_decided", "lawsuit_ended",
                       "acquisition_closed", "acquisition_abandoned"}));
  Folder empty(v);
  EXPECT_EQ(empty.Json(), R"({"status":"none","acquirer":null,"target":null,"terms":null,)"
                          R"("outside_date":null,"reviews":{},"lawsuits":{},"appeals":[],)"
                          R"("votes":{},"closed":null,"abandoned":null})");
}

// One line of the sample, as the fold reads it.
struct SampleEvent {
  std::string id, type, effective;
  std::vector<std::pair<std::string, std::string>> data;  // field -> JSON text, in order
  int64_t earliest = 0;
  size_t seq = 0;
  bool retracted = false;
};

const capnp::JsonValue::Reader* Member(capnp::JsonValue::Reader object, const char* name,
                                       capnp::JsonValue::Reader* out) {
  if (!object.isObject()) return nullptr;
  for (auto field : object.getObject()) {
    if (field.getName() == name) {
      *out = field.getValue();
      return out;
    }
  }
  return nullptr;
}

std::string TextOf(capnp::JsonValue::Reader object, const char* name) {
  capnp::JsonValue::Reader v;
  if (Member(object, name, &v) == nullptr || !v.isString()) return "";
  return v.getString().cStr();
}

// Reads examples/msft-atvi.jsonl, checks each line as an import would (envelope, source,
// dates, data fields of the type, required fields), applies its corrections and
// retractions (all recorded at once: every one applies) and gives the visible domain
// events in valid-time order.
void ReadSample(const Vocabulary& v, std::vector<SampleEvent>* out) {
  const std::string path = std::string(ANNALS_SOURCE_DIR) + "/examples/msft-atvi.jsonl";
  std::vector<SampleEvent> events;
  capnp::JsonCodec json;
  const std::vector<std::string> lines = test::Lines(test::ReadFile(path));
  EXPECT_GE(lines.size(), 15u);
  EXPECT_LE(lines.size(), 40u);
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<capnp::JsonValue>();
    json.decodeRaw(kj::ArrayPtr<const char>(lines[i].data(), lines[i].size()), root);
    auto line = root.asReader();
    SampleEvent e;
    e.id = TextOf(line, "id");
    e.type = TextOf(line, "type");
    e.effective = TextOf(line, "effective");
    e.seq = i + 1;
    char expected_id[32];
    snprintf(expected_id, sizeof expected_id, "msft-atvi-%02zu", i + 1);
    EXPECT_EQ(e.id, expected_id);
    EXPECT_EQ(TextOf(line, "stream"), "msft-atvi");
    const std::string confidence = TextOf(line, "confidence");
    EXPECT_TRUE(confidence == "confirmed" || confidence == "reported" || confidence == "rumored")
        << confidence;
    auto effective = ParseFuzzyDate(e.effective);
    EXPECT_TRUE(effective.ok()) << e.effective;
    e.earliest = effective.ok() ? effective->earliest : 0;
    capnp::JsonValue::Reader source;
    ASSERT_NE(Member(line, "source", &source), nullptr);
    EXPECT_FALSE(TextOf(source, "publisher").empty());
    EXPECT_TRUE(ParseFuzzyDate(TextOf(source, "published")).ok());
    capnp::JsonValue::Reader data;
    EXPECT_NE(Member(line, "data", &data), nullptr);
    if (data.isObject()) {
      for (auto field : data.getObject()) {
        e.data.emplace_back(field.getName().cStr(), json.encodeRaw(field.getValue()).cStr());
      }
    }
    if (e.type == "correction") {
      SampleEvent* target = nullptr;
      for (auto& t : events) target = t.id == TextOf(data, "target") ? &t : target;
      ASSERT_NE(target, nullptr) << "correction of an unknown or later event";
      ASSERT_NE(target->type, "correction");
      EXPECT_FALSE(TextOf(data, "reason").empty());
      if (!TextOf(data, "effective").empty()) {
        target->effective = TextOf(data, "effective");
        target->earliest = ParseFuzzyDate(target->effective)->earliest;
      }
      capnp::JsonValue::Reader fix;
      if (Member(data, "data", &fix) != nullptr && fix.isObject()) {
        for (auto field : fix.getObject()) {
          const std::string name = field.getName().cStr();
          const std::string value = json.encodeRaw(field.getValue()).cStr();
          auto it = std::find_if(target->data.begin(), target->data.end(),
                                 [&](const auto& kv) { return kv.first == name; });
          if (it == target->data.end()) {
            target->data.emplace_back(name, value);
          } else {
            it->second = value;
          }
        }
      }
      continue;
    }
    if (e.type == "retraction") {
      SampleEvent* target = nullptr;
      for (auto& t : events) target = t.id == TextOf(data, "target") ? &t : target;
      ASSERT_NE(target, nullptr) << "retraction of an unknown or later event";
      EXPECT_FALSE(target->retracted) << "retracted twice";
      EXPECT_FALSE(TextOf(data, "reason").empty());
      target->retracted = true;
      continue;
    }
    if (e.type != "note" && e.type != "fact") {
      const internal::EventTypeDef* t = v.FindType(e.type);
      EXPECT_NE(t, nullptr) << e.type;
      if (t != nullptr) {
        for (const auto& [name, value] : e.data) {
          EXPECT_GE(t->data_shape->Find(name), 0) << e.type << " has no field " << name;
        }
        for (int r : t->required) {
          const std::string& name = t->data_shape->fields[r].json_name;
          auto it = std::find_if(e.data.begin(), e.data.end(),
                                 [&](const auto& kv) { return kv.first == name; });
          EXPECT_TRUE(it != e.data.end() && it->second != "\"\"")
              << e.type << " needs " << name;
        }
      }
    }
    events.push_back(std::move(e));
  }
  events.erase(std::remove_if(events.begin(), events.end(),
                              [](const SampleEvent& e) { return e.retracted; }),
               events.end());
  std::stable_sort(events.begin(), events.end(), [](const SampleEvent& a, const SampleEvent& b) {
    return a.earliest != b.earliest ? a.earliest < b.earliest : a.seq < b.seq;
  });
  *out = std::move(events);
}

// The sample's state as of the end of `as_of` ("" = unbounded).
std::string SampleStateAsOf(const VocabularyPtr& v, const std::vector<SampleEvent>& events,
                            const std::string& as_of) {
  const int64_t bound = as_of.empty() ? INT64_MAX : ParseFuzzyDate(as_of)->latest;
  Folder f(v);
  for (const auto& e : events) {
    if (e.earliest > bound) break;
    if (e.type == "note") {
      f.Note();
      continue;
    }
    std::string data = "{";
    for (const auto& [name, value] : e.data) {
      data += (data.size() > 1 ? "," : "") + ("\"" + name + "\":") + value;
    }
    f.Apply(e.type, e.effective, data + "}");
  }
  EXPECT_EQ(f.RestartedJson(), f.Json());
  return f.Json();
}

std::string StatusOf(const std::string& json) {
  const size_t at = json.find("\"status\":\"") + 10;
  return json.substr(at, json.find('"', at) - at);
}

TEST(VocabularySpecAcquisitionTest, SampleFoldsToTheStoryOfTheDeal) {
  auto v = Acquisition();
  ASSERT_NE(v, nullptr);
  std::vector<SampleEvent> events;
  ReadSample(*v, &events);
  ASSERT_FALSE(HasFailure());
  const std::vector<std::pair<std::string, std::string>> story = {
      {"2021-12", "none"},
      {"2022-03", "announced"},
      {"2022-08", "under_review"},         // CMA phase 1
      {"2022-12-31", "litigation"},        // the FTC's administrative complaint
      {"2023-05-01", "blocked"},           // the CMA's final report
      {"2023-06-14", "blocked"},           // ... and a temporary restraining order
      {"2023-07-20", "blocked"},           // the injunction denied; the CMA block stands
      {"2023-09", "litigation"},           // restructured deal under a new CMA review
      {"2023-10-13", "closed"},
      {"", "closed"}};
  for (const auto& [as_of, status] : story) {
    EXPECT_EQ(StatusOf(SampleStateAsOf(v, events, as_of)), status) << "as of " << as_of;
  }
  // The vote as corrected (2022-04-28, not 04-29); the retracted Microsoft vote is gone.
  EXPECT_NE(SampleStateAsOf(v, events, "2022-04-28").find(
                R"j("votes":{"Activision Blizzard":{"outcome":"approved","held":"2022-04-28"}})j"),
            std::string::npos);
  EXPECT_EQ(
      SampleStateAsOf(v, events, ""),
      R"j({"status":"closed","acquirer":"Microsoft","target":"Activision Blizzard",)j"
      R"j("terms":{"price":"$95.00 per share","value":"$68.7 billion","consideration":"cash",)j"
      R"j("set":"2023-08-22","change":"restructured for the CMA: cloud streaming rights to )j"
      R"j(current and new Activision Blizzard PC and console games outside the EEA sold to )j"
      R"j(Ubisoft for 15 years","previous":[{"price":"$95.00 per share","value":"$68.7 billion, )j"
      R"j(inclusive of Activision Blizzard's net cash","consideration":"cash",)j"
      R"j("set":"2022-01-18"}]},)j"
      R"j("outside_date":{"date":"2023-10-18","set":"2023-07-18","reason":"merger agreement )j"
      R"j(amended: end date extended, termination fee raised (up to $4.5 billion)",)j"
      R"j("previous":[{"date":"2023-01-18","set":"2022-01-18","reason":"merger agreement; two )j"
      R"j(automatic three-month extensions while regulatory approvals are pending"},)j"
      R"j({"date":"2023-04-18","set":"2023-01-18","reason":"first automatic extension: )j"
      R"j(regulatory approvals pending"},{"date":"2023-07-18","set":"2023-04-18",)j"
      R"j("reason":"second automatic extension: regulatory approvals pending"}]},)j"
      R"j("reviews":{"CADE":{"status":"cleared","decided":"2022-10~"},)j"
      R"j("CMA":{"phase":"phase1","status":"remedies","opened":"2023-08-22",)j"
      R"j("decided":"2023-10-13","remedies":"the sale of cloud streaming rights outside the )j"
      R"j(EEA to Ubisoft, with undertakings the CMA can enforce"},)j"
      R"j("European Commission":{"phase":"phase2","status":"remedies","opened":"2022-09-30",)j"
      R"j("phase2":"2022-11-08","decided":"2023-05-15","remedies":"ten-year licence for )j"
      R"j(consumers to stream, on any cloud gaming service, the Activision Blizzard PC and )j"
      R"j(console games they own, and a matching licence for cloud gaming providers",)j"
      R"j("reference":"M.10646"},)j"
      R"j("SAMR":{"status":"cleared","decided":"2023-05~"}},)j"
      R"j("lawsuits":{"FTC v. Microsoft (N.D. Cal.)":{"plaintiff":"FTC","court":"U.S. )j"
      R"j(District Court for the Northern District of California","seeks":"a temporary )j"
      R"j(restraining order and a preliminary injunction against closing",)j"
      R"j("filed":"2023-06-12","status":"affirmed","ruling":"allowed","ruled":"2023-07-11"},)j"
      R"j("FTC v. Microsoft (administrative)":{"plaintiff":"FTC","court":"FTC administrative )j"
      R"j(law judge (Docket 9412)","seeks":"to block the acquisition","filed":"2022-12-08",)j"
      R"j("status":"dismissed","ended":"2025-05-22","reason":"the FTC drops its own case after )j"
      R"j(losing the appeal on the preliminary injunction"}},)j"
      R"j("appeals":[{"lawsuit":"FTC v. Microsoft (N.D. Cal.)","court":"U.S. Court of Appeals )j"
      R"j(for the Ninth Circuit","appellant":"FTC","filed":"2023-07-12","status":"affirmed",)j"
      R"j("decided":"2025-05-07"}],)j"
      R"j("votes":{"Activision Blizzard":{"outcome":"approved","held":"2022-04-28"}},)j"
      R"j("closed":{"on":"2023-10-13"},"abandoned":null})j");
}

// The parts of the acquisition file the sample does not reach (a made-up deal).
TEST(VocabularySpecAcquisitionTest, RaisedOfferInterimOrderAppealAndAbandonment) {
  Folder f(Acquisition());
  f.Apply("acquisition_announced", "2020-09-13",
          R"j({"acquirer":"Acme","target":"Widget","price":"$40 per share",)j"
          R"j("consideration":"cash and stock","outside_date":"2022-03-13"})j");
  f.Apply("terms_revised", "2020-10", R"j({"price":"$42 per share","change":"offer raised"})j");
  f.Apply("outside_date_set", "2021-09", R"j({"date":"2022-09-13","reason":"extended"})j");
  f.Apply("lawsuit_filed", "2021-12-02",
          R"j({"lawsuit":"FTC v. Acme","plaintiff":"FTC","seeks":"to block"})j");
  EXPECT_EQ(StatusOf(f.Json()), "litigation");
  f.Apply("court_ruling", "2021-12-10",
          R"j({"lawsuit":"FTC v. Acme","outcome":"blocked","interim":true})j");
  EXPECT_EQ(StatusOf(f.Json()), "blocked");  // a temporary restraining order
  f.Apply("court_ruling", "2022-01-10", R"j({"lawsuit":"FTC v. Acme","outcome":"allowed"})j");
  EXPECT_EQ(StatusOf(f.Json()), "announced");  // decided: nothing pending
  f.Apply("appeal_filed", "2022-01-11", R"j({"lawsuit":"FTC v. Acme","court":"9th Cir.",)j"
                                        R"j("appellant":"FTC"})j");
  EXPECT_EQ(StatusOf(f.Json()), "litigation");
  f.Apply("appeal_decided", "2022-02", R"j({"lawsuit":"FTC v. Acme","court":"9th Cir.",)j"
                                       R"j("outcome":"remanded"})j");
  EXPECT_EQ(StatusOf(f.Json()), "litigation");
  // A decision whose appeal was never recorded: appended (orAppend).
  f.Apply("appeal_decided", "2022-03", R"j({"lawsuit":"FTC v. Acme","court":"Supreme Court",)j"
                                       R"j("outcome":"dismissed"})j");
  EXPECT_EQ(StatusOf(f.Json()), "announced");
  f.Apply("shareholder_vote", "2022-03", R"j({"company":"Widget","outcome":"rejected"})j");
  f.Apply("acquisition_abandoned", "2022-04-08",
          R"j({"reason":"shareholders said no","fee":"$1 billion"})j");
  EXPECT_EQ(
      f.Json(),
      R"j({"status":"abandoned","acquirer":"Acme","target":"Widget",)j"
      R"j("terms":{"price":"$42 per share","set":"2020-10","change":"offer raised",)j"
      R"j("previous":[{"price":"$40 per share","consideration":"cash and stock",)j"
      R"j("set":"2020-09-13"}]},)j"
      R"j("outside_date":{"date":"2022-09-13","set":"2021-09","reason":"extended",)j"
      R"j("previous":[{"date":"2022-03-13","set":"2020-09-13","reason":"merger agreement"}]},)j"
      R"j("reviews":{},"lawsuits":{"FTC v. Acme":{"plaintiff":"FTC","seeks":"to block",)j"
      R"j("filed":"2021-12-02","status":"dismissed","ruling":"allowed","ruled":"2022-01-10"}},)j"
      R"j("appeals":[{"lawsuit":"FTC v. Acme","court":"9th Cir.","appellant":"FTC",)j"
      R"j("filed":"2022-01-11","status":"remanded","decided":"2022-02"},)j"
      R"j({"lawsuit":"FTC v. Acme","court":"Supreme Court","status":"dismissed",)j"
      R"j("decided":"2022-03"}],"votes":{"Widget":{"outcome":"rejected","held":"2022-03"}},)j"
      R"j("closed":null,"abandoned":{"on":"2022-04-08","reason":"shareholders said no",)j"
      R"j("fee":"$1 billion"}})j");
}

}  // namespace
}  // namespace test
}  // namespace annals
