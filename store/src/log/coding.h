// Copyright annals authors.
//
// Key encodings shared by the files that write RocksDB keys (store_impl.cc documents the
// layouts).  Integers are big-endian so that byte order is numeric order; valid-time
// instants are signed and stored with the sign bit flipped for the same reason.

#ifndef ANNALS_STORE_SRC_CODING_H_
#define ANNALS_STORE_SRC_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace annals {
namespace internal {

inline void PutU64(std::string* dst, uint64_t v) {
  for (int i = 7; i >= 0; --i) dst->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

inline std::string SeqKey(uint64_t seq) {
  std::string k;
  PutU64(&k, seq);
  return k;
}

// stream 0x00: stream names cannot contain 0x00, so this prefix is unambiguous.
inline std::string StreamPrefix(std::string_view stream) {
  std::string k(stream);
  k.push_back('\0');
  return k;
}

// stream 0x00 u64 (earliest ^ 2^63) u64 seq: a valid-time position in a stream (the valid,
// moved and checkpoint column families).
inline std::string PositionKey(std::string_view stream, int64_t earliest, uint64_t seq) {
  std::string k = StreamPrefix(stream);
  PutU64(&k, static_cast<uint64_t>(earliest) ^ (1ull << 63));
  PutU64(&k, seq);
  return k;
}

// stream 0x00 u64 version: the stream index.
inline std::string StreamKey(std::string_view stream, uint64_t version) {
  std::string k = StreamPrefix(stream);
  PutU64(&k, version);
  return k;
}

// The position a correction moves its target to, then the correction's seq (moved).
inline std::string MovedKey(std::string_view stream, int64_t earliest, uint64_t target_seq,
                            uint64_t seq) {
  std::string k = PositionKey(stream, earliest, target_seq);
  PutU64(&k, seq);
  return k;
}

inline int64_t DecodeEarliest(const char* p) {
  return static_cast<int64_t>(GetU64(p) ^ (1ull << 63));
}

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_CODING_H_
