// Copyright annals authors.
//
// Options for opening a store and for appending.  Plain structs; every field says its
// default and, where it has one, its effect on durability.

#ifndef ANNALS_OPTIONS_H_
#define ANNALS_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace annals {

struct Options {
  // What the Store will do with the store, which decides whom it shares it with.  Stores
  // (in this process or others) exclude each other through a lock file in the store's
  // directory, taken before the database is opened.
  enum class Access {
    // The default.  The Store is the store's only user while it is open: it may append,
    // and queries keep their checkpoints (derived data that speeds up later queries) up
    // to date.  Other Stores wait for it (wait_micros) or fail with Unavailable.
    kReadWrite,
    // Reading only.  Any number of read-only Stores may be open at once, and none with
    // kReadWrite.  Nothing is written: Append, Import and Restore return Unavailable and
    // queries take no checkpoints.  A store whose directory cannot be written (a
    // snapshot, a read-only mount, another user's archive) can be opened this way.
    kReadOnly,
    // kReadWrite where the store's directory can be written, else kReadOnly: for a
    // program that only queries and would keep the checkpoints where it can.
    kReadWriteIfWritable,
  };
  Access access = Access::kReadWrite;

  // If true, Open() of a path with no store creates an empty one there (not with
  // kReadOnly: InvalidArgument).  If false (the default), Open() of a missing store
  // returns Unavailable.  A store that Open() created is removed again, before the Store
  // gives up its lock, when the Store is destroyed with the store still empty (its first
  // write failed, or none was made): a failed first write leaves no store behind.  The
  // decision is taken under the store's lock, so a store that another Store created or
  // wrote is never removed.
  bool create_if_missing = false;

  // How long Open() waits while other Stores hold the store (a reader waits for a
  // writer, a writer for every other Store), in microseconds.  After that, Open() returns
  // Unavailable naming the holders (pid and command line).  Default 0: fail at once.
  int64_t wait_micros = 0;

  // Called by Open() while it waits, with who holds the store ("pid 12 (annals import
  // big.jsonl)"), when the wait begins and whenever the holders change; on the thread
  // that called Open().  Default: none.
  std::function<void(const std::string& holders)> waiting;

  // If true (the default), Append() and Restore() return only after the write-ahead log
  // holding the events has been fsync'd: an acknowledged event survives a crash of the
  // process, the OS or the machine.  If false, the events are written to the OS (write()
  // without fsync): they survive a crash of the process, but a power loss may drop the
  // most recent acknowledged appends (never part of one append: each stays atomic).
  bool sync = true;

  // Size of the RocksDB block cache shared by all column families, in bytes.
  // Default: 64 MiB.
  uint64_t block_cache_bytes = 64ull << 20;
};

struct AppendOptions {
  // Optimistic concurrency: for each stream named here, its current version (number of
  // events) must equal the value, or the whole append fails with Conflict and nothing is
  // written.  0 means "the stream must not exist yet".  Default: no expectations.
  std::map<std::string, uint64_t> expected_versions;

  // Names for the events in error messages, by input position (e.g. "line 12" for an
  // import).  Default (empty, or shorter than the input): "event N".
  std::vector<std::string> labels;
};

}  // namespace annals

#endif  // ANNALS_OPTIONS_H_
