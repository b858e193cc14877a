// Copyright annals authors.
//
// The store: append, optimistic concurrency, id idempotency, atomic batches, reopen,
// recorded_at monotonicity, the hash chain, restore.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "annals/store.h"
#include "log/store_impl.h"
#include "log/chain.h"
#include "test_util.h"
#include "vocabulary/registry.h"

namespace annals {
namespace {

using test::TempDir;

class StoreTest : public testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto s = test::OpenWithClock(dir_.Sub("db"), &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  static NewEvent Make(const std::string& json) {
    auto e = NewEvent::FromJson(json);
    EXPECT_TRUE(e.ok()) << e.status().ToString() << " for " << json;
    return std::move(e).value();
  }

  static std::string Talks(const std::string& stream, const std::string& partner,
                           const std::string& effective, const std::string& id = "") {
    return std::string("{") + (id.empty() ? "" : "\"id\":\"" + id + "\",") + "\"stream\":\"" +
           stream + "\",\"type\":\"partner_talks\",\"effective\":\"" + effective +
           "\",\"data\":{\"partner\":\"" + partner + "\",\"status\":\"opened\"}}";
  }

  Result<std::vector<AppendResult>> Append(std::vector<std::string> jsons,
                                           AppendOptions options = {}) {
    std::vector<NewEvent> events;
    for (const auto& j : jsons) events.push_back(Make(j));
    return store_->Append(std::move(events), options);
  }

  std::vector<Event> Log() {
    std::vector<Event> out;
    EXPECT_OK(store_->ScanLog(LogRange(), [&](const Event& e) {
      out.push_back(e);
      return true;
    }));
    return out;
  }

  TempDir dir_;
  int64_t clock_ = 1735689600000000;  // 2025-01-01T00:00:00Z
  std::unique_ptr<internal::StoreImpl> store_;
};

TEST_F(StoreTest, AppendAssignsSeqVersionAndId) {
  auto r = Append({Talks("a", "Baidu", "2024"), Talks("b", "Tencent", "2024"),
                   Talks("a", "ByteDance", "2024-05")});
  ASSERT_OK(r.status());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].seq, 1u);
  EXPECT_EQ((*r)[0].version, 1u);
  EXPECT_EQ((*r)[1].seq, 2u);
  EXPECT_EQ((*r)[1].version, 1u);
  EXPECT_EQ((*r)[2].seq, 3u);
  EXPECT_EQ((*r)[2].version, 2u);
  EXPECT_EQ((*r)[0].id.size(), 36u);  // UUIDv7 text
  EXPECT_EQ((*r)[0].id[14], '7');     // version nibble
  auto e = store_->GetById((*r)[2].id);
  ASSERT_OK(e.status());
  EXPECT_EQ(e->seq(), 3u);
  EXPECT_EQ(e->stream(), "a");
  EXPECT_EQ(e->effective().text, "2024-05");
}

TEST_F(StoreTest, GeneratedIdsAreUuidV7AndIncrease) {
  // Ids the store generates increase (within a millisecond too), so that they go to the
  // end of the id index; they stay well-formed UUIDv7 text.
  std::vector<std::string> ids;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> batch;
    for (int i = 0; i < 50; ++i) batch.push_back(Talks("s" + std::to_string(i % 3), "X", "2024"));
    auto r = Append(std::move(batch));
    ASSERT_OK(r.status());
    for (const auto& a : *r) ids.push_back(a.id);
    if (round == 1) clock_ += 5000;  // the next append in a later millisecond
  }
  ASSERT_EQ(ids.size(), 150u);
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[18], '-');
    EXPECT_EQ(id[23], '-');
    EXPECT_EQ(id[14], '7') << id;                                    // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // variant
    if (i > 0) {
      EXPECT_LT(ids[i - 1], id);
    }
  }
}

TEST_F(StoreTest, OneAppendSharesOneRecordedAtAndLaterAppendsAreStrictlyLater) {
  ASSERT_OK(Append({Talks("a", "X", "2024"), Talks("a", "Y", "2024")}).status());
  clock_ -= 1000000;  // the wall clock steps back one second
  ASSERT_OK(Append({Talks("a", "Z", "2024")}).status());
  clock_ -= 5000000;
  Reopen();  // the last recorded_at survives a reopen
  ASSERT_OK(Append({Talks("a", "W", "2024")}).status());
  auto log = Log();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].recorded_at(), log[1].recorded_at());
  EXPECT_LT(log[1].recorded_at_micros(), log[2].recorded_at_micros());
  EXPECT_LT(log[2].recorded_at_micros(), log[3].recorded_at_micros());
  EXPECT_EQ(log[0].recorded_at(), "2025-01-01T00:00:00.000000Z");
}

TEST_F(StoreTest, AppendWithStaleVersionIsRejected) {
  ASSERT_OK(Append({Talks("a", "X", "2024")}).status());
  AppendOptions options;
  options.expected_versions["a"] = 0;
  auto r = Append({Talks("a", "Y", "2024")}, options);
  ASSERT_TRUE(r.status().IsConflict()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("version 1, expected 0"), std::string::npos);
  options.expected_versions["a"] = 1;
  ASSERT_OK(Append({Talks("a", "Y", "2024")}, options).status());
  options.expected_versions.clear();
  options.expected_versions["new-stream"] = 0;
  ASSERT_OK(Append({Talks("new-stream", "Y", "2024")}, options).status());
  EXPECT_EQ(Log().size(), 3u);
}

TEST_F(StoreTest, SameIdSameContentIsANoOp) {
  auto first = Append({Talks("a", "X", "2024", "ev-1")});
  ASSERT_OK(first.status());
  clock_ += 1000;
  auto again = Append({Talks("a", "X", "2024", "ev-1")});
  ASSERT_OK(again.status());
  EXPECT_TRUE((*again)[0].existed);
  EXPECT_EQ((*again)[0].seq, 1u);
  EXPECT_EQ(Log().size(), 1u);
}

TEST_F(StoreTest, SameIdOtherContentIsAConflictAndWritesNothing) {
  ASSERT_OK(Append({Talks("a", "X", "2024", "ev-1")}).status());
  auto r = Append({Talks("a", "Z", "2024", "ok-2"), Talks("a", "Y", "2024", "ev-1")});
  ASSERT_TRUE(r.status().IsConflict()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("ev-1"), std::string::npos);
  EXPECT_EQ(Log().size(), 1u);
  EXPECT_TRUE(store_->GetById("ok-2").status().IsNotFound());
}

TEST_F(StoreTest, RetriedAppendWithExpectVersionSucceeds) {
  AppendOptions options;
  options.expected_versions["a"] = 0;
  ASSERT_OK(Append({Talks("a", "X", "2024", "ev-1")}, options).status());
  auto again = Append({Talks("a", "X", "2024", "ev-1")}, options);
  ASSERT_OK(again.status());
  EXPECT_TRUE((*again)[0].existed);
}

TEST_F(StoreTest, BatchIsAtomicWhenOneEventFails) {
  ASSERT_OK(Append({Talks("a", "X", "2024")}).status());
  auto r = Append({Talks("a", "Y", "2024"), Talks("b", "Y", "2024"),
                   R"({"stream":"a","type":"retraction","data":{"target":"nope","reason":"x"}})"});
  ASSERT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_EQ(Log().size(), 1u);
  EXPECT_TRUE(store_->GetStream("b").status().IsNotFound());
  auto info = store_->GetStream("a");
  ASSERT_OK(info.status());
  EXPECT_EQ(info->events, 1u);
}

TEST_F(StoreTest, CorrectionAndRetractionRules) {
  ASSERT_OK(Append({Talks("a", "X", "2024", "t1"), Talks("b", "X", "2024", "other")}).status());
  // Target in another stream: not found in this stream.
  auto r = Append({R"({"stream":"a","type":"retraction","data":{"target":"other","reason":"x"}})"});
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  ASSERT_OK(Append({R"({"id":"c1","stream":"a","type":"correction","data":{"target":"t1","effective":"2023"}})"})
                .status());
  // A correction cannot be corrected or retracted.
  r = Append({R"({"stream":"a","type":"retraction","data":{"target":"c1","reason":"x"}})"});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  // Correction data must fit the target's type.
  r = Append({R"({"stream":"a","type":"correction","data":{"target":"t1","data":{"regulator":"CAC"}}})"});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  r = Append({R"({"stream":"a","type":"correction","data":{"target":"t1","data":{"status":"bogus"}}})"});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  ASSERT_OK(Append({R"({"stream":"a","type":"retraction","data":{"target":"t1","reason":"wrong"}})"})
                .status());
  r = Append({R"({"stream":"a","type":"retraction","data":{"target":"t1","reason":"again"}})"});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("already retracted"), std::string::npos);
  // Two retractions of one target in one batch are refused too.
  ASSERT_OK(Append({Talks("a", "Y", "2024", "t2")}).status());
  r = Append({R"({"stream":"a","type":"retraction","data":{"target":"t2","reason":"1"}})",
              R"({"stream":"a","type":"retraction","data":{"target":"t2","reason":"2"}})"});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
}

TEST_F(StoreTest, ReopenKeepsEverythingAndTheChainContinues) {
  ASSERT_OK(Append({Talks("a", "X", "2024"), Talks("b", "Y", "2024")}).status());
  Reopen();
  clock_ += 10;
  ASSERT_OK(Append({Talks("a", "Z", "2024")}).status());
  auto log = Log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].prev_hash(), std::string(64, '0'));
  EXPECT_EQ(log[1].prev_hash(), log[0].hash());
  EXPECT_EQ(log[2].prev_hash(), log[1].hash());
  EXPECT_EQ(log[2].version(), 2u);
  auto report = store_->Verify();
  ASSERT_OK(report.status());
  EXPECT_TRUE(report->ok()) << report->ToJson();
  EXPECT_EQ(report->events, 3u);
  EXPECT_EQ(report->streams, 2u);
}

TEST_F(StoreTest, HashIsSha256OfPrevHashAndCanonicalBytesWithoutHash) {
  ASSERT_OK(Append({Talks("a", "X", "2024")}).status());
  auto e = store_->GetBySeq(1);
  ASSERT_OK(e.status());
  internal::Hash zero{};
  internal::Hash h = internal::ChainHash(zero, e->rep().CanonicalWithoutHash());
  EXPECT_EQ(internal::ToHex(h.data(), h.size()), e->hash());
  // The stored bytes are exactly the canonical encoding.
  rocksdb::PinnableSlice raw;
  std::string key(8, '\0');
  key[7] = 1;
  ASSERT_TRUE(store_->db()->Get(rocksdb::ReadOptions(), store_->cf_log(), key, &raw).ok());
  auto canonical = e->rep().Canonical();
  ASSERT_EQ(raw.size(), canonical.size() * sizeof(capnp::word));
  EXPECT_EQ(0, memcmp(raw.data(), canonical.begin(), raw.size()));
}

TEST_F(StoreTest, ScanLogFiltersByStreamAfterSeqAndLimit) {
  ASSERT_OK(Append({Talks("a", "1", "2024"), Talks("b", "2", "2024"), Talks("a", "3", "2024"),
                    Talks("a", "4", "2024")})
                .status());
  std::vector<uint64_t> seqs;
  LogRange range;
  range.stream = "a";
  range.after_seq = 1;
  range.limit = 1;
  ASSERT_OK(store_->ScanLog(range, [&](const Event& e) {
    seqs.push_back(e.seq());
    return true;
  }));
  EXPECT_EQ(seqs, std::vector<uint64_t>({3}));
  seqs.clear();
  range = LogRange();
  range.after_seq = 2;
  ASSERT_OK(store_->ScanLog(range, [&](const Event& e) {
    seqs.push_back(e.seq());
    return true;
  }));
  EXPECT_EQ(seqs, std::vector<uint64_t>({3, 4}));
}

TEST_F(StoreTest, KnownAtResolvesSeqsAndInstants) {
  ASSERT_OK(Append({Talks("a", "1", "2024")}).status());
  clock_ += 60000000;  // one minute later
  ASSERT_OK(Append({Talks("a", "2", "2024"), Talks("a", "3", "2024")}).status());
  EXPECT_EQ(*store_->ResolveKnownAt(""), 3u);
  EXPECT_EQ(*store_->ResolveKnownAt("@2"), 2u);
  EXPECT_EQ(*store_->ResolveKnownAt("@99"), 3u);
  EXPECT_EQ(*store_->ResolveKnownAt("2025-01-01T00:00:30Z"), 1u);
  EXPECT_EQ(*store_->ResolveKnownAt("2024-12-31T23:59:59Z"), 0u);
  EXPECT_EQ(*store_->ResolveKnownAt("2025-01-01"), 3u);  // end of that day
  EXPECT_TRUE(store_->ResolveKnownAt("@x").status().IsInvalidArgument());
  EXPECT_TRUE(store_->ResolveKnownAt("yesterday").status().IsInvalidArgument());
}

TEST_F(StoreTest, RestoreRebuildsAnIdenticalStoreAndRefusesABrokenChain) {
  ASSERT_OK(Append({Talks("a", "1", "2024", "x1"), Talks("b", "2", "2024-Q2")}).status());
  ASSERT_OK(Append({R"({"stream":"a","type":"correction","data":{"target":"x1","data":{"status":"stalled"}}})"})
                .status());
  std::vector<std::string> lines;
  for (const auto& e : Log()) lines.push_back(e.ToJson());

  auto restore_into = [&](const std::string& path, std::vector<std::string> input) {
    Options options;
    options.create_if_missing = true;
    auto other = Store::Open(path, options);
    EXPECT_OK(other.status());
    size_t i = 0;
    Status s = (*other)->Restore([&](std::string* line) {
      if (i >= input.size()) return false;
      *line = input[i++];
      return true;
    });
    std::vector<std::string> out;
    EXPECT_OK((*other)->ScanLog(LogRange(), [&](const Event& e) {
      out.push_back(e.ToJson());
      return true;
    }));
    return std::make_pair(s, out);
  };
  auto [ok, copy] = restore_into(dir_.Sub("copy"), lines);
  ASSERT_OK(ok);
  EXPECT_EQ(copy, lines);

  auto tampered = lines;
  auto pos = tampered[1].find("2024-Q2");
  ASSERT_NE(pos, std::string::npos);
  tampered[1].replace(pos, 7, "2024-Q3");
  auto [broken, nothing] = restore_into(dir_.Sub("copy2"), tampered);
  EXPECT_TRUE(broken.IsCorruption()) << broken.ToString();
  EXPECT_NE(broken.message().find("seq 2"), std::string::npos) << broken.message();
  EXPECT_TRUE(nothing.empty());

  auto [not_empty, unused] = restore_into(dir_.Sub("copy"), lines);
  EXPECT_TRUE(not_empty.IsInvalidArgument()) << not_empty.ToString();
}

TEST(StoreOpenTest, MissingStoreIsUnavailableUnlessCreated) {
  TempDir dir;
  auto s = Store::Open(dir.Sub("nope"), Options());
  EXPECT_TRUE(s.status().IsUnavailable());
  EXPECT_NE(s.status().message().find("no annals store"), std::string::npos);
  test::WriteFile(dir.Sub("file"), "x");
  Options create;
  create.create_if_missing = true;
  s = Store::Open(dir.Sub("file"), create);
  EXPECT_TRUE(s.status().IsUnavailable());
  EXPECT_NE(s.status().message().find("not an annals store"), std::string::npos);
}

TEST(StoreOpenTest, SecondOpenInOneProcessIsUnavailable) {
  TempDir dir;
  Options create;
  create.create_if_missing = true;
  auto first = Store::Open(dir.Sub("db"), create);
  ASSERT_OK(first.status());
  auto second = Store::Open(dir.Sub("db"), create);
  EXPECT_TRUE(second.status().IsUnavailable());
  EXPECT_NE(second.status().message().find("in use"), std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace annals
