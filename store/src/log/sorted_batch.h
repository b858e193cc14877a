// Copyright annals authors.
//
// SortedBatch: a RocksDB WriteBatch of puts, reordered by column family and key.
//
// A memtable is a skip list per column family.  An import chunk puts thousands of keys in
// the order of its events, which for every index but the log is scattered across the
// keyspace: each insert searches the skip list from the top and misses the cache on the
// way down.  Inserted in key order, each insert starts where the previous one ended (the
// memtable keeps that position) and touches the same cache lines.  The written state is
// the same: a batch is applied atomically and, within a batch, only the order of puts of
// one key matters, which the sort keeps (it is stable).

#ifndef ANNALS_STORE_SRC_SORTED_BATCH_H_
#define ANNALS_STORE_SRC_SORTED_BATCH_H_

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <vector>

namespace annals {
namespace internal {

// Fills `out` (cleared first) with the records of `in` sorted by column family id and
// key.  `cfs` must hold the handle of every column family `in` writes to.  Returns false,
// leaving `out` unspecified, if `in` holds anything but puts (deletes, merges, save
// points...): the caller then writes `in` as it is.
bool SortBatchByKey(const rocksdb::WriteBatch& in,
                    const std::vector<rocksdb::ColumnFamilyHandle*>& cfs,
                    rocksdb::WriteBatch* out);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SORTED_BATCH_H_
