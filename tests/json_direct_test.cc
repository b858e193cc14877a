// Copyright annals authors.
//
// The direct path of JSON input (event_json_direct.h) against the general one: for valid
// events, invalid ones and seeded random mutations of both, ParseEventJson gives the same
// result whichever path built it (the same message, or the same canonical bytes), in
// import and export mode, for core types, the built-in vocabulary and a test vocabulary
// with every kind of field (integers of each width, floats, defaults, enums, nested
// structs, lists, $Json.name).  The direct path must also actually take most valid events.
// Every accepted event is also printed (EventToJson's direct writer) exactly as JsonCodec
// prints it.

#include <capnp/compat/json.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "codec/event_json_direct.h"
#include "codec/event_rep.h"
#include "util/json_text.h"
#include "vocabulary/registry.h"

namespace annals {
namespace internal {
namespace {

constexpr const char* kKinds = R"(@0xe5b4c3d2a1f0e9d8;
using A = import "/annals/vocabulary.capnp";
using Json = import "/capnp/compat/json.capnp";
$A.vocabulary("kinds");
enum Level { low @0; mid @1; high @2; }
struct Every $A.event("every") $A.summary("{name}")
    $A.on([(set = (path = "last", value = "data.name"))]) {
  name @0 :Text $A.required;
  flag @1 :Bool;
  i8 @2 :Int8;
  i16 @3 :Int16;
  i32 @4 :Int32 = 5;
  i64 @5 :Int64;
  u8 @6 :UInt8;
  u16 @7 :UInt16;
  u32 @8 :UInt32;
  u64 @9 :UInt64;
  f32 @10 :Float32;
  f64 @11 :Float64 = 1.5;
  level @12 :Level = mid;
  tags @13 :List(Text);
  levels @14 :List(Level);
  scores @15 :List(Float64);
  place @16 :Place $Json.name("where");
  stops @17 :List(Place);
  note @18 :Text = "none" $Json.name("the_note");
  when @19 :Text $A.date;
  struct Place { city @0 :Text; rank @1 :Int32; inner @2 :Inner; }
  struct Inner { on @0 :Bool; words @1 :List(Text); }
}
struct Level2 $A.event("leveled") $A.summary("{level}")
    $A.on([(set = (path = "last", value = "data.level"))]) {
  level @0 :Level $A.required;
  count @1 :UInt32 $A.required;
}
struct State $A.state { last @0 :Text; }
)";

std::shared_ptr<const Registry> Types() {
  static const std::shared_ptr<const Registry> types = [] {
    auto kinds = CompileVocabulary(kKinds, "kinds.capnp");
    EXPECT_TRUE(kinds.ok()) << kinds.status().ToString();
    auto r = Registry::BuiltIn()->With(VocabularyVersion{"kinds", 1, 1, *kinds});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }();
  return types;
}

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> seeds = {
      R"({"id":"a1","stream":"s","type":"partner_talks","effective":"2025-01-02","data":{"partner":"Baidu","status":"opened","reason":"talks"}})",
      R"({"stream":"s","type":"partner_chosen","effective":"2025-02~","confidence":"confirmed","source":{"publisher":"P","url":"https://x","published":"2025-02-03"},"recorded_by":"me","data":{"partner":"Alibaba","role":"partner"}})",
      R"({"id":"a3","stream":"s","type":"submission_filed","effective":"2025-Q1","data":{"regulator":"CAC","scope":"AI","with":["Alibaba","Apple"]}})",
      R"({"id":"a4","stream":"s","type":"submission_decided","effective":"2025-03-01T10:00Z","data":{"regulator":"CAC","decision":"approved","conditions":null}})",
      R"({"id":"a5","stream":"s","type":"launch_target_set","effective":"2025-01","data":{"target":"2025-04~","scope":"zh","internal":true}})",
      R"({"id":"a6","stream":"s","type":"launched","effective":"2025","data":{}})",
      R"({"id":"a7","stream":"s","type":"fact","effective":"2025-01","data":{"key":"k","value":""}})",
      R"({"id":"a8","stream":"s","type":"note","effective":"2025-01","source":{},"data":{"text":"caf\u00e9 \ud83d\ude00 \"q\""}})",
      R"({"id":"a9","stream":"s","type":"retraction","data":{"target":"a1","reason":"wrong"}})",
      R"({"id":"a10","stream":"s","type":"correction","data":{"target":"a1","effective":"2025-01-03","data":{"reason":null,"status":"ended"}}})",
      R"({"id":"k1","stream":"k","type":"every","effective":"2024-12-31T23:59:59Z","data":{"name":"n","flag":false,"i8":-128,"i16":32767,"i32":0,"i64":-9007199254740992,"u8":255,"u16":0,"u32":4294967295,"u64":9007199254740992,"f32":0.1,"f64":-2.5e-300,"level":"high","tags":["a","",""],"levels":["low","high"],"scores":[1,-0.0,2.5],"where":{"city":"Oslo","rank":-3,"inner":{"on":true,"words":[]}},"stops":[{"city":"A"},{"rank":2,"inner":{}}],"the_note":"x","when":"2025-05"}})",
      R"({"id":"k2","stream":"k","type":"every","effective":"2024","data":{"name":"m","where":{},"stops":[],"tags":[],"f32":1e39,"f64":0,"i32":null}})",
      R"({"id":"k3","stream":"k","type":"every","effective":"2024","data":{"name":"m","where":{"city":null,"inner":{"on":null}},"f64":-0}})",
      R"({"id":"k4","stream":"k","type":"leveled","effective":"2024","data":{"level":"low","count":0}})",
      R"({"id":"x1","stream":"s","type":"note","effective":"2025","seq":3,"version":1,"recorded_at":"2025-01-01T00:00:00.000000Z","prev_hash":"00","hash":"ff","data":{"text":"t"}})",
      R"({"stream":"$vocabulary","type":"vocabulary","seq":1,"version":1,"recorded_at":"2025-01-01T00:00:00.000000Z","prev_hash":"00","hash":"ff","data":{"name":"v","version":2,"source":"x"}})",
  };
  return seeds;
}

// The data and the source as Cap'n Proto's JsonCodec writes them (under the output rule), which EventToJson's
// direct writer must match byte for byte.
std::string CodecData(const EventRep& rep) {
  auto text = rep.type().codec->encode(rep.data_struct());
  std::string out(text.cStr(), text.size());
  MakeJsonOutputSafe(&out);
  return out;
}

std::string CodecSource(schema::Source::Reader source) {
  static const capnp::JsonCodec* codec = [] {
    auto* c = new capnp::JsonCodec();
    c->handleByAnnotation<schema::Event>();
    return c;
  }();
  auto text = codec->encode(source);
  std::string out(text.cStr(), text.size());
  MakeJsonOutputSafe(&out);
  return out;
}

void ExpectPrintedAsTheCodecDoes(const EventRep& rep, const std::string& context) {
  EXPECT_EQ(EventDataToJson(rep), CodecData(rep)) << context;
  const std::string json = EventToJson(rep);
  EXPECT_NE(json.find(",\"data\":" + CodecData(rep) + "}"), std::string::npos) << json;
  if (rep.reader().hasSource()) {
    EXPECT_NE(json.find(",\"source\":" + CodecSource(rep.reader().getSource()) + ","),
              std::string::npos)
        << json;
  }
}

std::string Bytes(const kj::Array<capnp::word>& words) {
  return std::string(reinterpret_cast<const char*>(words.begin()), words.size() * 8);
}

// Whether the direct path built `json` (and its content checks pass).
bool TakenDirectly(const std::string& json, JsonMode mode) {
  capnp::MallocMessageBuilder message;
  auto type = BuildEventDirect(json, mode, *Types(), message.initRoot<schema::Event>());
  return type != nullptr;
}

// The two paths agree on `json`; true if the result is an event.
bool ExpectSame(const std::string& json, JsonMode mode, const std::string& context) {
  auto general = ParseEventJson(json, mode, *Types(), JsonPath::kGeneral);
  auto any = ParseEventJson(json, mode, *Types(), JsonPath::kAny);
  EXPECT_EQ(general.ok(), any.ok()) << context << "\n" << json << "\ngeneral: "
                                    << general.status().ToString() << "\nany: "
                                    << any.status().ToString();
  if (general.ok() != any.ok()) return false;
  if (!general.ok()) {
    EXPECT_EQ(general.status().ToString(), any.status().ToString()) << context << "\n" << json;
    return false;
  }
  EXPECT_EQ((*general)->type_name(), (*any)->type_name()) << context << "\n" << json;
  EXPECT_EQ(Bytes((*general)->Canonical()), Bytes((*any)->Canonical())) << context << "\n"
                                                                       << json;
  EXPECT_EQ((*general)->effective().text, (*any)->effective().text) << context;
  ExpectPrintedAsTheCodecDoes(**any, context + "\n" + json);
  return true;
}

TEST(JsonDirectTest, SeedsBuildTheSameEventBothWays) {
  for (const std::string& seed : Seeds()) {
    const JsonMode mode =
        seed.find("\"seq\"") != std::string::npos ? JsonMode::kExport : JsonMode::kImport;
    EXPECT_TRUE(ExpectSame(seed, mode, "seed")) << seed;
  }
}

TEST(JsonDirectTest, TakesTheEventsOfAnImport) {
  // Every seed but the correction (Json.Value data) and those that exercise a difference
  // the direct path leaves to the general one (a float given -0 as an integer).
  int direct = 0;
  for (const std::string& seed : Seeds()) {
    const JsonMode mode =
        seed.find("\"seq\"") != std::string::npos ? JsonMode::kExport : JsonMode::kImport;
    direct += TakenDirectly(seed, mode);
  }
  EXPECT_GE(direct, static_cast<int>(Seeds().size()) - 3);
  EXPECT_TRUE(TakenDirectly(Seeds()[0], JsonMode::kImport));
  EXPECT_FALSE(TakenDirectly(Seeds()[9], JsonMode::kImport));  // correction
}

TEST(JsonDirectTest, EdgeValuesAgree) {
  const std::string head = R"({"id":"e","stream":"k","type":"every","effective":"2024","data":{"name":"n",)";
  const char* values[] = {
      R"("i8":-129)", R"("i8":127.0)", R"("i8":1.5)", R"("i8":"1")", R"("u8":-0)",
      R"("u8":256)", R"("i16":-32769)", R"("u32":4294967296)", R"("i64":9007199254740993)",
      R"("u64":-1)", R"("u64":1e15)", R"("f32":-0)", R"("f32":-0.0)", R"("f64":0)",
      R"("f64":-0)", R"("f64":1e308)", R"("f64":1e-320)", R"("f64":123456789012345678901234567890)",
      R"("f64":18446744073709551616)", R"("f64":-9223372036854775809)", R"("level":"LOW")",
      R"("level":1)", R"("level":null)", R"("levels":[null])", R"("levels":["mid","x"])",
      R"("tags":[1])", R"("tags":"a")", R"("stops":[{"city":null}])", R"("stops":[null])",
      R"("stops":[{"inner":{"on":null}}])", R"("stops":[{"rank":1,"rank":2}])",
      R"("where":{"city":"a","city":"b"})", R"("where":{"town":"a"})", R"("where":[])",
      R"("flag":1)", R"("flag":null)", R"("the_note":null)", R"("note":"x")",
      R"("when":"2025-13")", R"("when":"")", R"("scores":[1e400])", R"("name":"")",
      R"("name":null)", R"("name":"a\u0000b")", R"("name":"\ud800")", R"("u32":4294967295.0)",
      R"("i64":-9007199254740992)", R"("f32":3.4028235e38)", R"("f32":1e-46)",
      "\"name\":\"a\xc2\x85 b\xe2\x80\xa8 c\xe2\x80\xa9 \xc2\xa9 \xe2\x82\xac\"",
      R"("tags":["\u2028","x\u0085y"])"};
  for (const char* v : values) {
    ExpectSame(head + v + "}}", JsonMode::kImport, v);
    ExpectSame(head + R"("x":1,)" + v + "}}", JsonMode::kImport, v);
  }
}

// Seeded mutations: single edits of the seeds that keep most of them JSON.
std::string Mutate(const std::string& seed, std::mt19937_64* rng) {
  static const char* kTokens[] = {
      "\"", "\\", "{", "}", "[", "]", ",", ":", "null", "-0", "0", "1e400", "\"\"", "\"x\"",
      "true", " ", "\\u0000", "\xc3\xa9", "\xff", "-", "1.5", "[]", "{}", "\"low\"", "[null]",
      "{\"a\":null}", "\"2025\"", "\"seq\":1,", "\"id\":\"z\",", "\"type\":\"note\",",
      "\xe2\x80\xa8", "\xc2\x85", "\\u2029"};
  std::string s = seed;
  auto pick = [&](size_t n) { return static_cast<size_t>((*rng)() % n); };
  const int ops = pick(4) == 0 ? 2 : 1;
  for (int k = 0; k < ops && !s.empty(); ++k) {
    switch (pick(6)) {
      case 0:  // delete a character
        s.erase(pick(s.size()), 1);
        break;
      case 1:  // insert a token
        s.insert(pick(s.size() + 1), kTokens[pick(sizeof(kTokens) / sizeof(kTokens[0]))]);
        break;
      case 2: {  // replace the value after a colon
        size_t colon = s.find(':', pick(s.size()));
        if (colon == std::string::npos) break;
        size_t end = colon + 1;
        if (end < s.size() && s[end] == '"') {
          end = s.find('"', end + 1);
          end = end == std::string::npos ? s.size() : end + 1;
        } else {
          while (end < s.size() && s[end] != ',' && s[end] != '}' && s[end] != ']') ++end;
        }
        s.replace(colon + 1, end - colon - 1, kTokens[pick(sizeof(kTokens) / sizeof(kTokens[0]))]);
        break;
      }
      case 3: {  // duplicate a member's key
        size_t q = s.find(",\"", pick(s.size()));
        if (q == std::string::npos) break;
        size_t colon = s.find("\":", q);
        if (colon == std::string::npos) break;
        s.insert(q, s.substr(q, colon + 2 - q) + "\"d\"");
        break;
      }
      case 4: {  // rename a key
        size_t q = s.find("\":", pick(s.size()));
        if (q == std::string::npos) break;
        s.insert(q, "x");
        break;
      }
      default:  // drop a member
        size_t q = s.find(",\"", pick(s.size()));
        if (q == std::string::npos) break;
        size_t next = s.find(",\"", q + 1);
        if (next == std::string::npos) break;
        s.erase(q, next - q);
        break;
    }
  }
  return s;
}

TEST(JsonDirectTest, MutationsAgree) {
  const uint64_t seed = std::random_device()();
  std::mt19937_64 rng(seed);
  int accepted = 0, direct = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string& base = Seeds()[i % Seeds().size()];
    const std::string json = Mutate(base, &rng);
    const JsonMode mode = (i / 7) % 4 == 0 ? JsonMode::kExport : JsonMode::kImport;
    accepted += ExpectSame(json, mode, "seed " + std::to_string(seed));
    direct += TakenDirectly(json, mode);
    if (HasFailure()) {
      ADD_FAILURE() << "mutation " << i << " of seed " << seed;
      return;
    }
  }
  // The mutations also make valid events, most of which the direct path builds.
  EXPECT_GT(accepted, 1200);
  EXPECT_GT(direct, accepted / 2);
  std::printf("%d of 20000 mutations valid, %d taken directly\n", accepted, direct);
}

// AppendJsonQuoted checks eight bytes at a time and copies runs whole: every character it
// must escape, and the UTF-8 lead bytes it looks at twice, at every offset within a word
// and across word boundaries, must come out as the one-character-at-a-time rule says.
TEST(JsonQuoteWordTest, EscapesAtEveryOffset) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {std::string(1, '\0'), "\\u0000"},
      {"\x1f", "\\u001f"}, {"\xc2\x85", "\\u0085"}, {"\xe2\x80\xa8", "\\u2028"},
      {"\xe2\x80\xa9", "\\u2029"}, {"\xc2\xa9", "\xc2\xa9"}, {"\xe2\x82\xac", "\xe2\x82\xac"},
      {"\xe2\x80\xae", "\xe2\x80\xae"}, {"\x7f", "\x7f"}, {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"}};
  for (const auto& c : cases) {
    for (size_t before = 0; before < 17; ++before) {
      for (size_t after : {0, 1, 7, 8, 9}) {
        const std::string a(before, 'a'), z(after, 'z');
        EXPECT_EQ(JsonQuote(a + c.in + z + c.in), "\"" + a + c.out + z + c.out + "\"")
            << before << " " << after << " " << c.out;
      }
    }
  }
}

}  // namespace
}  // namespace internal
}  // namespace annals
