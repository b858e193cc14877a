// Copyright annals authors.
//
// Tamper evidence (SPEC §6): the RocksDB store is edited directly, behind annals' back,
// and Verify() (and `annals verify`, exit 4) must notice and name the seq.
//   - every byte position of one stored event is flipped in turn;
//   - an event is deleted (in the middle, at the end), two are swapped, one is inserted
//     (with a self-consistent hash), and index entries are changed, removed or added.
// Counts are printed: made, detected.
//
// What a hash chain cannot show: a forger who rewrites every event from the edit to the end
// (recomputing each hash), the head and the indexes produces a store that verifies; only a
// copy of the last hash kept elsewhere (e.g. the last line of an export) reveals that.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "annals/store.h"
#include "log/coding.h"
#include "log/store_impl.h"
#include "log/chain.h"
#include "test_util.h"
#include "vocabulary/registry.h"

namespace annals {
namespace {

using internal::SeqKey;
using internal::StoreImpl;
using internal::TestHooks;
using test::RunAnnals;
using test::TempDir;

// True if some problem is about `seq` ("seq 7: ...", "seq 7 (line ..", "seq 5-7: ...").
bool NamesSeq(const VerifyReport& report, uint64_t seq) {
  const std::string s = std::to_string(seq);
  for (const auto& p : report.problems) {
    if (p.rfind("seq " + s + ":", 0) == 0 || p.rfind("seq " + s + " ", 0) == 0) return true;
    // Ranges: "seq A-B: ...".
    unsigned long long a = 0, b = 0;
    if (std::sscanf(p.c_str(), "seq %llu-%llu:", &a, &b) == 2 && a <= seq && seq <= b) {
      return true;
    }
  }
  return false;
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub("db");
    Reopen();
    // The sample timeline, then a few more events in a second stream, a correction and a
    // retraction (so that the acts index has entries).
    std::ifstream in(test::SampleTimelinePath());
    std::string line;
    std::vector<NewEvent> events;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto e = NewEvent::FromJson(line);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      events.push_back(std::move(e).value());
    }
    ASSERT_FALSE(events.empty());
    auto r = store_->Append(std::move(events), AppendOptions());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const char* j : {
             R"({"id":"x-1","stream":"other","type":"note","effective":"2025-03","data":{"text":"n"}})",
             R"({"id":"x-2","stream":"other","type":"fact","effective":"2025-03-02","data":{"key":"k","value":"v"}})",
             R"({"id":"x-3","stream":"other","type":"correction","data":{"target":"x-2","data":{"value":"w"},"reason":"typo"}})",
             R"({"id":"x-4","stream":"other","type":"retraction","data":{"target":"x-1","reason":"wrong"}})",
         }) {
      auto e = NewEvent::FromJson(j);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      std::vector<NewEvent> one;
      one.push_back(std::move(e).value());
      auto rr = store_->Append(std::move(one), AppendOptions());
      ASSERT_TRUE(rr.ok()) << rr.status().ToString();
    }
    last_ = store_->LastSeq();
    ASSERT_GE(last_, 10u);
    auto report = store_->Verify();
    ASSERT_TRUE(report.ok());
    ASSERT_TRUE(report->ok()) << report->ToJson();
  }

  void Reopen() {
    store_.reset();
    Options options;
    options.create_if_missing = true;
    auto s = StoreImpl::OpenImpl(path_, options, TestHooks());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  rocksdb::DB* db() { return store_->db(); }

  std::string Get(rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
    std::string v;
    rocksdb::Status s = db()->Get(rocksdb::ReadOptions(), cf, key, &v);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }
  void Put(rocksdb::ColumnFamilyHandle* cf, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(db()->Put(wo, cf, key, value).ok());
  }
  void Delete(rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(db()->Delete(wo, cf, key).ok());
  }

  VerifyReport VerifyNow() {
    auto report = store_->Verify();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport();
  }

  // Runs `annals verify` on the store (closing it meanwhile); returns the exit code.
  int CliVerify(std::string* out = nullptr) {
    store_.reset();
    auto r = RunAnnals({"--db", path_, "verify"});
    if (out) *out = r.out + r.err;
    Reopen();
    return r.exit_code;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<StoreImpl> store_;
  uint64_t last_ = 0;
};

// Flips every byte of one stored event in turn (XOR 0xff, and XOR 0x01 for the low bit):
// each flip is reported by Verify() naming that seq.  `annals verify` exits 4 for every
// flip of every 8th position (every position with ANNALS_LONG_TESTS=1), as a process
// start per flip is what dominates the runtime.
TEST_F(TamperTest, EveryByteFlipOfAStoredEventIsNamedBySeq) {
  const uint64_t target = 5;
  const std::string original = Get(store_->cf_log(), SeqKey(target));
  ASSERT_GT(original.size(), 100u);
  uint64_t made = 0, detected = 0, cli_made = 0, cli_detected = 0;
  const size_t cli_every = test::LongTests() ? 1 : 8;
  for (size_t pos = 0; pos < original.size(); ++pos) {
    for (unsigned char mask : {0xffu, 0x01u}) {
      std::string flipped = original;
      flipped[pos] = static_cast<char>(static_cast<unsigned char>(flipped[pos]) ^ mask);
      Put(store_->cf_log(), SeqKey(target), flipped);
      VerifyReport report = VerifyNow();
      ++made;
      if (!report.ok() && NamesSeq(report, target)) {
        ++detected;
      } else {
        ADD_FAILURE() << "flip of byte " << pos << " (mask " << int(mask)
                      << ") not named: " << report.ToJson();
      }
      if (mask == 0xff && pos % cli_every == 0) {
        std::string out;
        int code = CliVerify(&out);
        ++cli_made;
        if (code == 4 && out.find("seq " + std::to_string(target)) != std::string::npos) {
          ++cli_detected;
        } else {
          ADD_FAILURE() << "annals verify after flip of byte " << pos << ": exit " << code
                        << "\n" << out;
        }
      }
      Put(store_->cf_log(), SeqKey(target), original);
    }
  }
  std::printf("tamper: byte flips of seq %llu (%zu bytes): %llu made, %llu detected by "
              "Verify(); %llu checked with `annals verify`, %llu exit 4\n",
              static_cast<unsigned long long>(target), original.size(),
              static_cast<unsigned long long>(made), static_cast<unsigned long long>(detected),
              static_cast<unsigned long long>(cli_made),
              static_cast<unsigned long long>(cli_detected));
  EXPECT_EQ(detected, made);
  EXPECT_EQ(cli_detected, cli_made);
  // Untouched again: verifies.
  EXPECT_TRUE(VerifyNow().ok());
  EXPECT_EQ(CliVerify(), 0);
}

// The structural edits: each one is made on a fresh copy of the store contents (undone
// afterwards), must make Verify() name the expected seq, and `annals verify` exit 4.
TEST_F(TamperTest, RemovedSwappedInsertedEventsAndBadIndexEntriesAreNamed) {
  struct Edit {
    std::string name;
    uint64_t named_seq;                   // the seq Verify() must name
    std::function<void()> apply;
  };
  const std::string e3 = Get(store_->cf_log(), SeqKey(3));
  const std::string e4 = Get(store_->cf_log(), SeqKey(4));
  const std::string e_last = Get(store_->cf_log(), SeqKey(last_));
  const std::string id_of_2 = Get(store_->cf_id(), "aicn-02");

  // A forged event that is internally consistent: a copy of seq 3 with other data, its
  // hash recomputed over its own prev_hash (what a careless forger would do).
  auto forge = [&](uint64_t seq, const std::string& from_bytes) -> std::string {
    auto rep = internal::EventRep::FromStored(from_bytes, *internal::Registry::BuiltIn());
    EXPECT_TRUE(rep.ok());
    capnp::MallocMessageBuilder b;
    b.setRoot((*rep)->reader());
    auto ev = b.getRoot<schema::Event>();
    ev.setSeq(seq);
    ev.setRecordedBy("mallory");
    auto words = capnp::canonicalize(ev.asReader());
    auto forged = internal::EventRep::FromStored(
        std::string(reinterpret_cast<const char*>(words.begin()), words.size() * 8),
        *internal::Registry::BuiltIn());
    EXPECT_TRUE(forged.ok());
    internal::Hash prev{};
    // prev_hash as stated (hex) -> bytes.
    std::string hex((*forged)->reader().getPrevHash().cStr());
    for (size_t i = 0; i < 32; ++i) prev[i] = std::stoi(hex.substr(2 * i, 2), nullptr, 16);
    internal::Hash h = internal::ChainHash(prev, (*forged)->CanonicalWithoutHash());
    ev.setHash(internal::ToHex(h.data(), h.size()));
    auto out = capnp::canonicalize(ev.asReader());
    return std::string(reinterpret_cast<const char*>(out.begin()), out.size() * 8);
  };

  std::vector<Edit> edits = {
      {"delete seq 4 from the log", 4, [&] { Delete(store_->cf_log(), SeqKey(4)); }},
      {"delete the last event from the log", last_,
       [&] { Delete(store_->cf_log(), SeqKey(last_)); }},
      {"swap seq 3 and seq 4", 3,
       [&] {
         Put(store_->cf_log(), SeqKey(3), e4);
         Put(store_->cf_log(), SeqKey(4), e3);
       }},
      // The forged event is consistent in itself; the chain breaks at the next link.
      {"replace seq 3 by a forged event with a self-consistent hash", 4,
       [&] { Put(store_->cf_log(), SeqKey(3), forge(3, e3)); }},
      {"insert a forged event at seq 4, shifting the rest up", 4,
       [&] {
         std::vector<std::string> values;
         for (uint64_t s = 4; s <= last_; ++s) values.push_back(Get(store_->cf_log(), SeqKey(s)));
         for (uint64_t s = last_; s >= 4; --s) {
           Put(store_->cf_log(), SeqKey(s + 1), values[s - 4]);
         }
         Put(store_->cf_log(), SeqKey(4), forge(4, e3));
       }},
      {"append an extra event after the head", last_ + 1,
       [&] { Put(store_->cf_log(), SeqKey(last_ + 1), forge(last_ + 1, e_last)); }},
      {"point the id index of aicn-02 at seq 4", 2,
       [&] { Put(store_->cf_id(), "aicn-02", SeqKey(4)); }},
      {"delete the id index entry of aicn-02", 2, [&] { Delete(store_->cf_id(), "aicn-02"); }},
      {"add an id index entry for a missing event", 0,
       [&] { Put(store_->cf_id(), "ghost", id_of_2); }},
      {"delete the stream index entry of seq 2", 2,
       [&] {
         Delete(store_->cf_stream(), internal::StreamKey("apple-intelligence-cn", 2));
       }},
      {"point the stream index entry of version 2 at seq 3", 2,
       [&] {
         Put(store_->cf_stream(), internal::StreamKey("apple-intelligence-cn", 2),
             SeqKey(3));
       }},
      {"change the valid-time index entry of seq 1", 1,
       [&] {
         std::unique_ptr<rocksdb::Iterator> it(
             db()->NewIterator(rocksdb::ReadOptions(), store_->cf_valid()));
         for (it->SeekToFirst(); it->Valid(); it->Next()) {
           std::string k = it->key().ToString();
           if (k.substr(k.size() - 8) == SeqKey(1)) {
             std::string moved = k;
             moved[moved.size() - 9] ^= 0x01;  // another earliest instant
             Delete(store_->cf_valid(), k);
             Put(store_->cf_valid(), moved, "");
             return;
           }
         }
         ADD_FAILURE() << "no valid-time entry for seq 1";
       }},
      {"turn the correction in the acts index into a retraction", last_ - 1,
       [&] {
         std::unique_ptr<rocksdb::Iterator> it(
             db()->NewIterator(rocksdb::ReadOptions(), store_->cf_acts()));
         for (it->SeekToFirst(); it->Valid(); it->Next()) {
           if (it->value() == rocksdb::Slice("c")) {
             Put(store_->cf_acts(), it->key().ToString(), "r");
             return;
           }
         }
         ADD_FAILURE() << "no correction in the acts index";
       }},
      {"delete the acts entry of the retraction", last_,
       [&] {
         std::unique_ptr<rocksdb::Iterator> it(
             db()->NewIterator(rocksdb::ReadOptions(), store_->cf_acts()));
         for (it->SeekToFirst(); it->Valid(); it->Next()) {
           if (it->value() == rocksdb::Slice("r")) {
             Delete(store_->cf_acts(), it->key().ToString());
             return;
           }
         }
         ADD_FAILURE() << "no retraction in the acts index";
       }},
      {"change the stream record (event count) of 'other'", 0,
       [&] {
         std::string v = Get(store_->cf_meta(), "s/other");
         v[7] ^= 0x01;
         Put(store_->cf_meta(), "s/other", v);
       }},
  };

  // Snapshot of every column family, to undo each edit.
  // By column family number: the handles change when the store is reopened.
  auto cf_at = [&](int i) {
    rocksdb::ColumnFamilyHandle* all[] = {store_->cf_meta(), store_->cf_log(),
                                          store_->cf_stream(), store_->cf_valid(),
                                          store_->cf_id(), store_->cf_acts()};
    return all[i];
  };
  struct Saved {
    int cf;
    std::vector<std::pair<std::string, std::string>> kv;
  };
  auto save = [&] {
    std::vector<Saved> all;
    for (int i = 0; i < 6; ++i) {
      rocksdb::ColumnFamilyHandle* cf = cf_at(i);
      Saved s{i, {}};
      std::unique_ptr<rocksdb::Iterator> it(db()->NewIterator(rocksdb::ReadOptions(), cf));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        s.kv.emplace_back(it->key().ToString(), it->value().ToString());
      }
      all.push_back(std::move(s));
    }
    return all;
  };
  const std::vector<Saved> pristine = save();
  auto restore = [&] {
    rocksdb::WriteBatch batch;
    for (const auto& s : pristine) {
      rocksdb::ColumnFamilyHandle* cf = cf_at(s.cf);
      std::unique_ptr<rocksdb::Iterator> it(db()->NewIterator(rocksdb::ReadOptions(), cf));
      for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(cf, it->key());
      for (const auto& [k, v] : s.kv) batch.Put(cf, k, v);
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(db()->Write(wo, &batch).ok());
  };

  uint64_t made = 0, detected = 0;
  for (const auto& edit : edits) {
    SCOPED_TRACE(edit.name);
    edit.apply();
    ++made;
    VerifyReport report = VerifyNow();
    std::string out;
    const int code = CliVerify(&out);
    const bool named = edit.named_seq == 0 || NamesSeq(report, edit.named_seq);
    if (!report.ok() && named && code == 4) {
      ++detected;
    } else {
      ADD_FAILURE() << edit.name << ": verify exit " << code << ", report "
                    << report.ToJson() << " (expected seq " << edit.named_seq << " named)";
    }
    restore();
    ASSERT_TRUE(VerifyNow().ok()) << "undo of '" << edit.name << "' failed";
  }
  std::printf("tamper: %llu structural edits made, %llu detected and named\n",
              static_cast<unsigned long long>(made), static_cast<unsigned long long>(detected));
  EXPECT_EQ(detected, made);
}

}  // namespace
}  // namespace annals
