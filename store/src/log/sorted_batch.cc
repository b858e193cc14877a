// Copyright annals authors.
//
// SortBatchByKey (sorted_batch.h).

#include "log/sorted_batch.h"

#include <algorithm>
#include <cstdint>

namespace annals {
namespace internal {

namespace {

struct Record {
  uint32_t cf;
  rocksdb::Slice key;    // into the input batch, which outlives the sort
  rocksdb::Slice value;
};

class Collector final : public rocksdb::WriteBatch::Handler {
 public:
  explicit Collector(std::vector<Record>* records) : records_(records) {}
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    records_->push_back(Record{cf, key, value});
    return rocksdb::Status::OK();
  }
  // Any other record type keeps the default handling, which fails the iteration for
  // types this handler does not implement; those are reported as "not sortable".

 private:
  std::vector<Record>* records_;
};

}  // namespace

bool SortBatchByKey(const rocksdb::WriteBatch& in,
                    const std::vector<rocksdb::ColumnFamilyHandle*>& cfs,
                    rocksdb::WriteBatch* out) {
  std::vector<Record> records;
  records.reserve(in.Count());
  Collector collector(&records);
  if (!in.Iterate(&collector).ok() || records.size() != in.Count()) return false;
  std::vector<rocksdb::ColumnFamilyHandle*> by_id;
  for (auto* cf : cfs) {
    if (cf->GetID() >= by_id.size()) by_id.resize(cf->GetID() + 1, nullptr);
    by_id[cf->GetID()] = cf;
  }
  std::stable_sort(records.begin(), records.end(), [](const Record& a, const Record& b) {
    if (a.cf != b.cf) return a.cf < b.cf;
    return a.key.compare(b.key) < 0;
  });
  out->Clear();
  for (const Record& r : records) {
    if (r.cf >= by_id.size() || by_id[r.cf] == nullptr) return false;
    if (!out->Put(by_id[r.cf], r.key, r.value).ok()) return false;
  }
  return true;
}

}  // namespace internal
}  // namespace annals
