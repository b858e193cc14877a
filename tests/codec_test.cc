// Copyright annals authors.
//
// The JSON codec of events (SPEC §5): every type round trips JSON -> Cap'n Proto -> JSON,
// and every kind of bad input is refused with a message naming the field.

#include <capnp/any.h>
#include <capnp/compat/json.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "annals/event.h"
#include "codec/event_rep.h"
#include "vocabulary/registry.h"
#include "test_util.h"

namespace annals {
namespace {

struct Sample {
  const char* type;
  const char* data;
};

const Sample kSamples[] = {
    {"partner_talks", R"({"partner":"Baidu","status":"ended","reason":"privacy concerns"})"},
    {"partner_chosen", R"({"partner":"Alibaba","role":"model provider"})"},
    {"submission_filed", R"({"regulator":"CAC","scope":"AI features","with":["Apple","Alibaba"]})"},
    {"submission_decided", R"({"regulator":"CAC","decision":"conditional","conditions":"local data"})"},
    {"launch_target_set", R"({"target":"2025-04","scope":"zh-Hans","internal":true})"},
    {"launched", R"({"scope":"zh-Hans","release":"iOS 18.4"})"},
    {"fact", R"({"key":"price","value":"free"})"},
    {"note", R"({"text":"analysts doubt the date"})"},
    {"correction", R"({"target":"ev-1","effective":"2025-01","data":{"partner":"Tencent"},"reason":"misread"})"},
    {"retraction", R"({"target":"ev-1","reason":"false report"})"},
};

std::string Doc(const Sample& s) {
  return std::string(R"({"id":"ev-9","stream":"s","effective":"2025-02~","confidence":"rumored",)") +
         R"("source":{"publisher":"The Information","url":"https://example.com/a","published":"2025-02-11"},)" +
         R"("recorded_by":"analyst","type":")" + s.type + R"(","data":)" + s.data + "}";
}

class CodecTest : public testing::TestWithParam<Sample> {};

TEST_P(CodecTest, RoundTripsEveryField) {
  const Sample& s = GetParam();
  auto e = NewEvent::FromJson(Doc(s));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->type_name(), s.type);
  std::string json = internal::EventToJson(e->rep());
  // Every input member is in the output, with the same value.
  for (const char* piece :
       {R"("id":"ev-9")", R"("stream":"s")", R"("effective":"2025-02~")",
        R"("confidence":"rumored")", R"("publisher":"The Information")",
        R"("published":"2025-02-11")", R"("recorded_by":"analyst")"}) {
    EXPECT_NE(json.find(piece), std::string::npos) << piece << " missing in " << json;
  }
  EXPECT_NE(json.find(std::string(R"("type":")") + s.type + "\""), std::string::npos) << json;
  EXPECT_NE(json.find(std::string(R"("data":)") + s.data), std::string::npos) << json;
  EXPECT_EQ(internal::EventDataToJson(e->rep()), s.data);

  // With the store-assigned fields set, the printed form parses back (export mode) to
  // the identical canonical message.
  auto b = e->rep().builder();
  b.setSeq(7);
  b.setVersion(3);
  b.setRecordedAt("2025-03-01T10:00:00.000000Z");
  b.setPrevHash(std::string(64, '0'));
  b.setHash(std::string(64, 'a'));
  std::string exported = internal::EventToJson(e->rep());
  auto back = internal::ParseEventJson(exported, internal::JsonMode::kExport,
                                           *internal::Registry::BuiltIn());
  ASSERT_TRUE(back.ok()) << back.status().ToString() << " for " << exported;
  EXPECT_EQ(internal::EventToJson(**back), exported);
  auto x = e->rep().Canonical();
  auto y = (*back)->Canonical();
  ASSERT_EQ(x.size(), y.size());
  EXPECT_EQ(0, memcmp(x.begin(), y.begin(), x.size() * sizeof(capnp::word)));
}

INSTANTIATE_TEST_SUITE_P(AllTypes, CodecTest, testing::ValuesIn(kSamples),
                         [](const testing::TestParamInfo<Sample>& p) {
                           return std::string(p.param.type);
                         });

TEST(CodecTest, DefaultsConfidenceToReported) {
  auto e = NewEvent::FromJson(
      R"({"stream":"s","type":"note","effective":"2025","data":{"text":"x"}})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_NE(internal::EventToJson(e->rep()).find(R"("confidence":"reported")"),
            std::string::npos);
}

TEST(CodecTest, NullMembersMeanAbsent) {
  auto e = NewEvent::FromJson(
      R"({"stream":"s","type":"partner_talks","effective":"2025","recorded_by":null,"data":{"partner":"X","status":"opened","reason":null}})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_FALSE(e->rep().reader().hasRecordedBy());
}

struct Bad {
  const char* json;
  const char* expected;  // a piece of the message
};

const Bad kBad[] = {
    {R"({"stream":"s","type":"note","effective":"2025","data":{"text":"x"})", "malformed JSON"},
    {R"([1,2])", "must be a JSON object"},
    {R"({"stream":"s","type":"nope","effective":"2025","data":{}})", "unknown event type 'nope'"},
    {R"({"stream":"s","effective":"2025","data":{"text":"x"}})", "missing field 'type'"},
    {R"({"stream":"s","type":5,"effective":"2025","data":{}})", "field 'type' must be a string"},
    {R"({"stream":"s","type":"note","effective":"2025","data":{"text":"x"},"colour":"red"})",
     "unknown field 'colour'"},
    {R"({"stream":"s","type":"note","effective":"2025","data":{"text":"x","size":1}})",
     "unknown field 'data.size'"},
    {R"({"stream":"s","type":"note","effective":"2025","data":{"text":5}})",
     "field 'data.text' must be a string, got a number"},
    {R"({"stream":"s","type":"note","effective":"2025","data":{}})", "missing field 'data.text'"},
    {R"({"stream":"s","type":"partner_talks","effective":"2025","data":{"partner":"X"}})",
     "missing field 'data.status'"},
    {R"({"stream":"s","type":"partner_talks","effective":"2025","data":{"partner":"X","status":"done"}})",
     "must be one of opened|ongoing|stalled|ended"},
    {R"({"stream":"s","type":"note","effective":"2025-13","data":{"text":"x"}})", "2025-13"},
    {R"({"stream":"s","type":"note","data":{"text":"x"}})", "missing field 'effective'"},
    {R"({"type":"note","effective":"2025","data":{"text":"x"}})", "missing field 'stream'"},
    {R"({"stream":"bad stream","type":"note","effective":"2025","data":{"text":"x"}})",
     "field 'stream'"},
    {R"({"stream":"s","type":"note","effective":"2025","confidence":"sure","data":{"text":"x"}})",
     "confirmed|reported|rumored"},
    {R"({"stream":"s","type":"note","effective":"2025","seq":4,"data":{"text":"x"}})",
     "assigned by the store"},
    {R"({"stream":"s","stream":"t","type":"note","effective":"2025","data":{"text":"x"}})",
     "appears twice"},
    {R"({"stream":"s","type":"note","effective":"2025","data":{"text":"a\u0000b"}})", "NUL"},
    {R"({"stream":"s","type":"launch_target_set","effective":"2025","data":{"target":"soon"}})",
     "data.target"},
    {R"({"stream":"s","type":"launch_target_set","effective":"2025","data":{"target":"2025","internal":"yes"}})",
     "true or false"},
    {R"({"stream":"s","type":"submission_filed","effective":"2025","data":{"regulator":"CAC","with":"Apple"}})",
     "must be an array"},
    {R"({"stream":"s","type":"correction","data":{"target":"x"}})", "a correction needs"},
    {R"({"stream":"s","type":"correction","data":{"target":"x","data":[1]}})", "must be an object"},
    {R"({"id":"has space","stream":"s","type":"note","effective":"2025","data":{"text":"x"}})",
     "field 'id'"},
    {R"({"stream":"s","type":"note","effective":"2025","source":{"publisher":"x","page":3},"data":{"text":"x"}})",
     "unknown field 'source.page'"},
};

TEST(CodecTest, RejectsBadInputNamingTheProblem) {
  for (const Bad& b : kBad) {
    auto e = NewEvent::FromJson(b.json);
    ASSERT_FALSE(e.ok()) << "accepted: " << b.json;
    EXPECT_TRUE(e.status().IsInvalidArgument()) << e.status().ToString();
    EXPECT_NE(e.status().message().find(b.expected), std::string::npos)
        << "message '" << e.status().message() << "' lacks '" << b.expected << "' for "
        << b.json;
  }
}

TEST(CodecTest, RejectsOversizedStringsAndEvents) {
  std::string big(64 * 1024 + 1, 'a');
  auto e = NewEvent::FromJson(R"({"stream":"s","type":"note","effective":"2025","data":{"text":")" +
                              big + "\"}}");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("data.text"), std::string::npos) << e.status().message();
  std::string huge(1024 * 1024 + 10, ' ');
  e = NewEvent::FromJson(huge);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("limit is 1048576"), std::string::npos);
}

TEST(CodecTest, RejectsInvalidUtf8) {
  std::string doc = R"({"stream":"s","type":"note","effective":"2025","data":{"text":"a)";
  doc += "\xc3\x28";
  doc += R"("}})";
  auto e = NewEvent::FromJson(doc);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("UTF-8"), std::string::npos) << e.status().message();
}

TEST(CodecTest, FromFieldsMergesStringsIntoData) {
  EventFields f;
  f.stream = "s";
  f.type = "partner_talks";
  f.effective = "2025-02";
  f.data_json = R"({"partner":"A","status":"opened"})";
  f.data_strings = {{"partner", "B"}, {"reason", "why"}};
  f.source_publisher = "Reuters";
  auto e = NewEvent::FromFields(f);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(internal::EventDataToJson(e->rep()),
            R"({"partner":"B","status":"opened","reason":"why"})");
  EXPECT_EQ(std::string(e->rep().reader().getSource().getPublisher().cStr()), "Reuters");
  f.data_json = "{not json";
  EXPECT_TRUE(NewEvent::FromFields(f).status().IsInvalidArgument());
}

TEST(CodecTest, CorruptStoredBytesAreCorruptionNotACrash) {
  auto e = NewEvent::FromJson(Doc(kSamples[2]));
  ASSERT_TRUE(e.ok());
  auto words = e->rep().Canonical();
  std::string bytes(reinterpret_cast<const char*>(words.begin()),
                    words.size() * sizeof(capnp::word));
  ASSERT_TRUE(internal::EventRep::FromStored(bytes, *internal::Registry::BuiltIn()).ok());
  EXPECT_TRUE(internal::EventRep::FromStored(bytes.substr(0, 5), *internal::Registry::BuiltIn()).status().IsCorruption());
  std::string garbage(bytes.size(), '\xff');
  EXPECT_TRUE(internal::EventRep::FromStored(garbage, *internal::Registry::BuiltIn()).status().IsCorruption());
}

// A capability pointer in a slot the schema does not read: the union says retraction (two
// pointers) over a submission_filed struct (three), and the third slot holds a capability.
// Nothing reads that slot, but canonical form refuses capabilities, so an event that decoded
// would throw later from Verify().  The decoder must call it corrupt up front.
TEST(CodecTest, CapabilityInAnUnreadSlotIsCorruption) {
  auto e = NewEvent::FromJson(Doc(kSamples[2]));
  ASSERT_TRUE(e.ok());
  capnp::MallocMessageBuilder message;
  message.setRoot(e->rep().reader());
  auto event = message.getRoot<schema::Event>();
  ASSERT_EQ(event.which(), schema::Event::SUBMISSION_FILED);
  auto filed = capnp::AnyStruct::Builder(event.getSubmissionFiled());
  ASSERT_EQ(filed.getPointerSection().size(), 3u);
  // A struct's pointer section follows its data section; a capability pointer with index 0
  // is the single word 3 (capnp encoding spec, "Capabilities").
  kj::byte* third = filed.getDataSection().end() + 2 * sizeof(capnp::word);
  const uint64_t kCapabilityZero = 3;
  std::memcpy(third, &kCapabilityZero, sizeof(kCapabilityZero));
  auto node = capnp::Schema::from<schema::Event>().getProto().getStruct();
  auto root = capnp::AnyStruct::Builder(message.getRoot<schema::Event>()).getDataSection();
  const uint16_t kRetraction = schema::Event::RETRACTION;
  std::memcpy(root.begin() + node.getDiscriminantOffset() * 2, &kRetraction, sizeof(kRetraction));
  ASSERT_EQ(event.which(), schema::Event::RETRACTION);

  ASSERT_EQ(message.getSegmentsForOutput().size(), 1u);
  auto segment = message.getSegmentsForOutput()[0];
  std::string bytes(reinterpret_cast<const char*>(segment.begin()),
                    segment.size() * sizeof(capnp::word));
  auto rep = internal::EventRep::FromStored(bytes, *internal::Registry::BuiltIn());
  ASSERT_FALSE(rep.ok());
  EXPECT_TRUE(rep.status().IsCorruption()) << rep.status().ToString();
  EXPECT_NE(rep.status().message().find("capability"), std::string::npos)
      << rep.status().message();
}

// JsonQuote is written out for speed; it must print exactly what JsonCodec prints for the
// same Text: every single byte, and random strings mixing escapes, UTF-8 and plain text.
// JsonQuote writes what the codec writes for UTF-8 text, except for the line breakers it
// also escapes (annals/text.h; output_text_test.cc).
TEST(CodecTest, JsonQuoteMatchesJsonCodec) {
  capnp::JsonCodec codec;
  auto reference = [&](const std::string& s) {
    auto text = codec.encode(capnp::Text::Reader(s.c_str(), s.size()));
    return std::string(text.cStr(), text.size());
  };
  for (int c = 0; c < 128; ++c) {
    const std::string s(1, static_cast<char>(c));
    EXPECT_EQ(internal::JsonQuote(s), reference(s)) << "byte " << c;
  }
  EXPECT_EQ(internal::JsonQuote(""), "\"\"");
  std::mt19937 rng(7);
  const std::vector<std::string> alphabet = {
      "a", "b", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x7f",
      "\xc3\xa9", "\xe5\x8f\xb0", "\xc2\xa0", "\xe2\x80\xae", "\xf0\x9f\x98\x80"};
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    for (size_t n = rng() % 24; n > 0; --n) s += alphabet[rng() % alphabet.size()];
    ASSERT_EQ(internal::JsonQuote(s), reference(s)) << "input of " << s.size() << " bytes";
  }
}

}  // namespace
}  // namespace annals
