// Copyright annals authors.
//
// EventRep's canonical encodings: the stored bytes that the append path derives from the
// hash-less encoding (CanonicalFromWithoutHash) must be exactly capnp::canonicalize of the
// event with its hash, for every shape an event can take (absent, empty and long fields,
// empty structs, lists, nested JSON, zero data sections); and EventRep's own canonicalize
// (without Cap'n Proto's self-check) must give exactly capnp::canonicalize's words.

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "codec/event_rep.h"
#include "vocabulary/registry.h"
#include "vocabulary/registry.h"

namespace annals {
namespace internal {
namespace {

class EventRepTest : public testing::Test {
 protected:
  // A text of a length chosen to hit every padding case (0..17 bytes) or a longer one.
  std::string RandomText() {
    static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789 -~\xc3\xa9";
    size_t n = rng_() % 4 == 0 ? rng_() % 200 : rng_() % 18;
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(kChars[rng_() % (sizeof(kChars) - 1)]);
    return s;
  }
  // Sets a text field to absent (null pointer), empty, or some text.
  template <typename Setter>
  void MaybeSet(Setter set) {
    switch (rng_() % 4) {
      case 0:
        break;
      case 1:
        set("");
        break;
      default:
        set(RandomText());
    }
  }

  void FillJson(capnp::JsonValue::Builder v, int depth) {
    switch (depth > 2 ? rng_() % 4 : rng_() % 6) {
      case 0:
        v.setNull();
        break;
      case 1:
        v.setBoolean(rng_() % 2);
        break;
      case 2:
        v.setNumber(static_cast<double>(rng_() % 1000) / 8);
        break;
      case 3:
        v.setString(RandomText());
        break;
      case 4: {
        auto a = v.initArray(rng_() % 3);
        for (auto e : a) FillJson(e, depth + 1);
        break;
      }
      default: {
        auto o = v.initObject(rng_() % 3);
        for (auto f : o) {
          f.setName(RandomText());
          FillJson(f.initValue(), depth + 1);
        }
      }
    }
  }

  // A random event, shaped as the append path has it just before the hash is set
  // (prevHash set unless `with_prev_hash` is false).
  std::unique_ptr<EventRep> RandomEvent(bool with_prev_hash) {
    // Half of the events are built across several segments (a tiny first segment), as a
    // big event is (ParseEventJson sizes the first segment from the JSON).
    auto builder = std::make_unique<capnp::MallocMessageBuilder>(rng_() % 2 ? 8 : 1024);
    auto e = builder->initRoot<schema::Event>();
    MaybeSet([&](const std::string& s) { e.setId(s); });
    MaybeSet([&](const std::string& s) { e.setStream(s); });
    MaybeSet([&](const std::string& s) { e.setEffective(s); });
    e.setConfidence(static_cast<schema::Confidence>(rng_() % 3));
    switch (rng_() % 3) {
      case 0:
        break;
      case 1:
        e.initSource();  // an empty struct: canonical form gives it offset -1
        break;
      default: {
        auto src = e.initSource();
        MaybeSet([&](const std::string& s) { src.setPublisher(s); });
        MaybeSet([&](const std::string& s) { src.setUrl(s); });
        MaybeSet([&](const std::string& s) { src.setPublished(s); });
      }
    }
    MaybeSet([&](const std::string& s) { e.setRecordedBy(s); });
    switch (rng_() % 11) {
      case 0: {
        auto d = e.initPartnerTalks();
        MaybeSet([&](const std::string& s) { d.setPartner(s); });
        d.setStatus(static_cast<schema::TalksStatus>(rng_() % 4));
        MaybeSet([&](const std::string& s) { d.setReason(s); });
        break;
      }
      case 1:
        e.initPartnerChosen();  // empty
        break;
      case 2: {
        auto d = e.initSubmissionFiled();
        MaybeSet([&](const std::string& s) { d.setRegulator(s); });
        if (rng_() % 3) {
          auto with = d.initWith(rng_() % 4);  // possibly an empty list
          for (uint32_t i = 0; i < with.size(); ++i) with.set(i, RandomText());
        }
        break;
      }
      case 3: {
        auto d = e.initSubmissionDecided();
        d.setDecision(static_cast<schema::Decision>(rng_() % 3));
        MaybeSet([&](const std::string& s) { d.setConditions(s); });
        break;
      }
      case 4: {
        auto d = e.initLaunchTargetSet();
        MaybeSet([&](const std::string& s) { d.setTarget(s); });
        d.setInternal(rng_() % 2);
        break;
      }
      case 5: {
        auto d = e.initLaunched();
        MaybeSet([&](const std::string& s) { d.setRelease(s); });
        break;
      }
      case 6: {
        auto d = e.initFact();
        MaybeSet([&](const std::string& s) { d.setKey(s); });
        MaybeSet([&](const std::string& s) { d.setValue(s); });
        break;
      }
      case 7: {
        auto d = e.initNote();
        MaybeSet([&](const std::string& s) { d.setText(s); });
        break;
      }
      case 8: {
        auto d = e.initCorrection();
        MaybeSet([&](const std::string& s) { d.setTarget(s); });
        MaybeSet([&](const std::string& s) { d.setEffective(s); });
        if (rng_() % 2) FillJson(d.initData(), 0);
        MaybeSet([&](const std::string& s) { d.setReason(s); });
        break;
      }
      case 9: {
        auto d = e.initRetraction();
        MaybeSet([&](const std::string& s) { d.setTarget(s); });
        break;
      }
      default:
        break;  // no union member set: partnerTalks, null
    }
    // Zero seq and version (and default confidence) truncate the data section.
    e.setSeq(rng_() % 3 == 0 ? 0 : rng_());
    e.setVersion(rng_() % 3 == 0 ? 0 : rng_() % 1000);
    MaybeSet([&](const std::string& s) { e.setRecordedAt(s); });
    if (with_prev_hash) e.setPrevHash(rng_() % 4 ? std::string(64, 'b') : RandomText());
    // The type only says where the data is; canonical form does not look at it.
    auto type = TypeOf(builder->getRoot<schema::Event>().asReader(), *Registry::BuiltIn());
    return std::make_unique<EventRep>(
        std::move(builder), type ? type : Registry::BuiltIn()->Find("partner_talks"));
  }

  static std::string Bytes(const kj::Array<capnp::word>& words) {
    return std::string(reinterpret_cast<const char*>(words.begin()),
                       words.size() * sizeof(capnp::word));
  }

  // Sets the hash and checks the derived stored bytes against capnp::canonicalize.
  void ExpectDerivedEqualsCanonical(EventRep* rep, const std::string& hash) {
    auto without = rep->CanonicalWithoutHash();
    ASSERT_EQ(Bytes(without), Bytes(capnp::canonicalize(rep->reader())));
    rep->builder().setHash(hash);
    rep->AssignedByStore(0);
    auto derived = rep->CanonicalFromWithoutHash(without);
    auto expected = capnp::canonicalize(rep->reader());
    ASSERT_EQ(Bytes(derived), Bytes(expected)) << "hash '" << hash << "'";
    // Canonical() skips capnp::canonicalize's self-check; it must give the same words.
    ASSERT_EQ(Bytes(rep->Canonical()), Bytes(expected));
    // And the stored bytes read back with that hash.
    // (Stored form is a bare segment, without a segment table.)
    kj::ArrayPtr<const capnp::word> segments[1] = {derived.asPtr()};
    capnp::SegmentArrayMessageReader back(kj::arrayPtr(segments, 1));
    EXPECT_EQ(std::string(back.getRoot<schema::Event>().getHash().cStr()), hash);
  }

  std::mt19937_64 rng_{20251124};
};

TEST_F(EventRepTest, DerivedStoredBytesEqualCanonicalizeForRandomEvents) {
  for (int i = 0; i < 20000; ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    auto rep = RandomEvent(/*with_prev_hash=*/true);
    const std::string hash = i % 2 ? std::string(64, 'f') : RandomText();
    ExpectDerivedEqualsCanonical(rep.get(), hash);
    if (HasFatalFailure()) return;
  }
}

TEST_F(EventRepTest, DerivedStoredBytesFallBackWhenThePrevHashIsAbsent) {
  // Without prevHash the hash-less pointer section is shorter than slot 8: the derivation
  // does not apply and the result must still be canonical.
  for (int i = 0; i < 500; ++i) {
    auto rep = RandomEvent(/*with_prev_hash=*/false);
    ExpectDerivedEqualsCanonical(rep.get(), std::string(64, 'c'));
    if (HasFatalFailure()) return;
  }
}

TEST_F(EventRepTest, DerivedStoredBytesForEveryHashLength) {
  // Every padding of the hash text, including the empty text.
  for (size_t n = 0; n <= 72; ++n) {
    auto rep = RandomEvent(/*with_prev_hash=*/true);
    ExpectDerivedEqualsCanonical(rep.get(), std::string(n, '7'));
    if (HasFatalFailure()) return;
  }
}

TEST_F(EventRepTest, DerivedStoredBytesOfAnEmptyEventWithPrevHash) {
  auto builder = std::make_unique<capnp::MallocMessageBuilder>();
  auto e = builder->initRoot<schema::Event>();
  e.setConfidence(schema::Confidence::REPORTED);  // the default: data section all zero
  e.setPrevHash("");
  EventRep rep(std::move(builder), Registry::BuiltIn()->Find("partner_talks"));
  ExpectDerivedEqualsCanonical(&rep, std::string(64, '0'));
}

}  // namespace
}  // namespace internal
}  // namespace annals
