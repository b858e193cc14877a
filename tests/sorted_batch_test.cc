// Copyright annals authors.
//
// SortBatchByKey: the same puts, by column family and key, repeated keys in their
// original order (so the last still wins); anything but puts is refused.  Checked on a
// real RocksDB database.

#include "log/sorted_batch.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace annals {
namespace internal {
namespace {

class Records final : public rocksdb::WriteBatch::Handler {
 public:
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    seen.push_back(std::to_string(cf) + "/" + key.ToString() + "=" + value.ToString());
    return rocksdb::Status::OK();
  }
  std::vector<std::string> seen;
};

class SortedBatchTest : public testing::Test {
 protected:
  void SetUp() override {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descs = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {"b", {}}};
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.Sub("db"), descs, &cfs_, &db).ok());
    db_.reset(db);
  }
  void TearDown() override {
    for (auto* cf : cfs_) (void)db_->DestroyColumnFamilyHandle(cf);
    db_.reset();
  }
  std::string Get(int cf, const std::string& key) {
    std::string v;
    return db_->Get(rocksdb::ReadOptions(), cfs_[cf], key, &v).ok() ? v : "(none)";
  }
  test::TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
};

TEST_F(SortedBatchTest, PutsComeOutByColumnFamilyAndKeyKeepingRepeatsInOrder) {
  rocksdb::WriteBatch in;
  ASSERT_TRUE(in.Put(cfs_[1], "m", "1").ok());
  ASSERT_TRUE(in.Put(cfs_[0], "z", "2").ok());
  ASSERT_TRUE(in.Put(cfs_[1], "a", "3").ok());
  ASSERT_TRUE(in.Put(cfs_[0], "k", "first").ok());
  ASSERT_TRUE(in.Put(cfs_[1], "ab", "4").ok());
  ASSERT_TRUE(in.Put(cfs_[0], "k", "last").ok());
  rocksdb::WriteBatch out;
  ASSERT_TRUE(SortBatchByKey(in, cfs_, &out));
  Records records;
  ASSERT_TRUE(out.Iterate(&records).ok());
  const uint32_t a = cfs_[0]->GetID(), b = cfs_[1]->GetID();
  ASSERT_LT(a, b);
  EXPECT_EQ(records.seen,
            (std::vector<std::string>{"0/k=first", "0/k=last", "0/z=2", "1/a=3", "1/ab=4",
                                      "1/m=1"}));
  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &out).ok());
  EXPECT_EQ(Get(0, "k"), "last");
  EXPECT_EQ(Get(1, "ab"), "4");
  EXPECT_EQ(Get(0, "z"), "2");
}

TEST_F(SortedBatchTest, ABatchWithAnythingButPutsIsRefused) {
  rocksdb::WriteBatch in;
  ASSERT_TRUE(in.Put(cfs_[1], "m", "1").ok());
  ASSERT_TRUE(in.Delete(cfs_[0], "z").ok());
  rocksdb::WriteBatch out;
  EXPECT_FALSE(SortBatchByKey(in, cfs_, &out));
  rocksdb::WriteBatch default_cf_delete;  // the default column family's deletes, too
  ASSERT_TRUE(default_cf_delete.Put(cfs_[0], "a", "1").ok());
  ASSERT_TRUE(default_cf_delete.Delete("b").ok());
  EXPECT_FALSE(SortBatchByKey(default_cf_delete, cfs_, &out));
}

}  // namespace
}  // namespace internal
}  // namespace annals
