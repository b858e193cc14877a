// Copyright annals authors.
//
// The hash chain (SPEC §6): hash = SHA-256(prev_hash || canonical bytes of the event
// without its hash), prev_hash of seq 1 being 32 zero bytes; and the hex form the events
// carry.  Append, restore and verify all chain through here.

#ifndef ANNALS_STORE_SRC_CHAIN_H_
#define ANNALS_STORE_SRC_CHAIN_H_

#include <capnp/common.h>
#include <kj/array.h>
#include <rocksdb/slice.h>

#include <string_view>

#include "log/format.h"
#include "util/json_text.h"

namespace annals {
namespace internal {

// SHA-256(prev || bytes).
Hash ChainHash(const Hash& prev, kj::ArrayPtr<const capnp::word> bytes);
// SHA-256(data): the one digest of annals (a server's token, a cluster log message).
Hash Sha256(std::string_view data);

// Parses 64 lower-case hex digits.
bool ParseHex32(std::string_view hex, Hash* out);

// Sets a Text field of the event under construction to the lower-case hex of `hash`,
// without a temporary string: `init(n)` allocates the field (e.g. initHash).
template <typename InitText>
inline void SetHex(const Hash& hash, InitText init) {
  HexInto(hash.data(), hash.size(), init(2 * hash.size()).begin());
}


// The bytes of an encoded message, for RocksDB.
inline rocksdb::Slice WordsSlice(const kj::Array<capnp::word>& words) {
  return rocksdb::Slice(reinterpret_cast<const char*>(words.begin()),
                        words.size() * sizeof(capnp::word));
}

// A text field as a view.
inline std::string_view View(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_CHAIN_H_
