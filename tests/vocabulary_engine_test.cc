// Copyright annals authors.
//
// Scratch test while the vocabulary engine is built: the deal vocabulary file, run by the
// engine, folds the sample timeline to the same state JSON as the hand-written fold.

#include <gtest/gtest.h>

#include <capnp/any.h>

#include "annals/store.h"
#include "bitemporal/projection.h"
#include "test_util.h"
#include "util/json_text.h"
#include "vocabulary/fold.h"
#include "vocabulary/parse.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace {

using internal::StateFold;

std::shared_ptr<const internal::Vocabulary> Deal() {
  auto v = internal::CompileVocabulary(internal::EmbeddedFileText("vocabularies/deal.capnp"),
                                       "deal.capnp");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : nullptr;
}

std::string EngineJson(const std::shared_ptr<const internal::Vocabulary>& deal,
                       internal::StoreImpl* store, const std::string& stream,
                       const std::string& as_of_text) {
  int64_t as_of = internal::kUnboundedValidTime;
  if (!as_of_text.empty()) as_of = ParseFuzzyDate(as_of_text)->latest;
  internal::Timeline timeline(internal::Timeline::Mode::kInMemory, nullptr);
  EXPECT_OK(store->ReadStream(stream, store->LastSeq(), [&](const Event& e) {
    EXPECT_TRUE(timeline.Add(e).ok());
    return true;
  }));
  StateFold fold(deal);
  uint64_t applied = 0;
  std::vector<std::string> tentative;
  EXPECT_OK(timeline.ForEach([&](const Event& e, bool) {
    if (e.effective().earliest > as_of) return false;
    ++applied;
    if (e.effective().latest > as_of) tentative.emplace_back(e.id());
    const std::string type(e.type_name());
    if (type == "note") {
      fold.ApplyNote();
    } else if (type == "fact") {
      auto f = e.rep().reader().getFact();
      fold.ApplyFact(f.getKey().cStr(), f.getValue().cStr());
    } else {
      const internal::EventTypeDef* def = deal->FindType(type);
      EXPECT_NE(def, nullptr) << type;
      fold.Apply(internal::FoldInput(
          def, e.effective().text,
          capnp::AnyStruct::Reader(e.rep().reader()).getPointerSection()[5]));
    }
    return true;
  }));
  std::string out = "{\"stream\":" + internal::JsonQuote(stream) + ",\"as_of\":" +
                    (as_of_text.empty() ? "null" : internal::JsonQuote(as_of_text)) +
                    ",\"known_at\":null,";
  internal::WriteStateMembers(deal->state(), fold.root(), &out);
  out += ",\"facts\":{";
  bool first = true;
  for (const auto& [k, v] : fold.facts()) {
    if (!first) out += ",";
    first = false;
    out += internal::JsonQuote(k) + ":" + internal::JsonQuote(v);
  }
  out += "},\"events_applied\":" + std::to_string(applied) + ",\"tentative\":[";
  for (size_t i = 0; i < tentative.size(); ++i) {
    out += (i ? "," : "") + internal::JsonQuote(tentative[i]);
  }
  return out + "]}";
}

TEST(VocabularyEngineTest, DealFileFoldsTheSampleLikeTheHandWrittenFold) {
  auto deal = Deal();
  ASSERT_NE(deal, nullptr);
  test::TempDir dir;
  int64_t clock = 1700000000000000;
  auto store = test::OpenWithClock(dir.Sub("db"), &clock);
  ASSERT_TRUE(store.ok());
  std::vector<NewEvent> events;
  for (const auto& line : test::Lines(test::ReadFile(test::SampleTimelinePath()))) {
    auto e = NewEvent::FromJson(line);
    ASSERT_TRUE(e.ok());
    events.push_back(std::move(e).value());
  }
  ASSERT_TRUE((*store)->Append(std::move(events), {}).ok());
  for (const char* as_of : {"", "2024-06", "2024-12", "2025-02-10", "2025-03-01", "2025-06"}) {
    auto old = (*store)->GetState(TimeQuery{"apple-intelligence-cn", as_of, ""});
    ASSERT_TRUE(old.ok());
    EXPECT_EQ(EngineJson(deal, store->get(), "apple-intelligence-cn", as_of), old->ToJson())
        << "as of " << as_of;
  }
}

}  // namespace
}  // namespace annals
