// Copyright annals authors.
//
// Options for opening a store and for appending.  Plain structs; every field says its
// default and, where it has one, its effect on durability.

#ifndef ANNALS_OPTIONS_H_
#define ANNALS_OPTIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace annals {

struct Options {
  // If true, Open() of a path with no store creates an empty one there.  If false (the
  // default), Open() of a missing store returns Unavailable.
  bool create_if_missing = false;

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
