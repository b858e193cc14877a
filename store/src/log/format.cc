// Copyright annals authors.
//
// Record encodings of the store (format.h); the layouts are documented at the top of
// store_impl.cc.

#include "log/format.h"

namespace annals {
namespace internal {

const char* const kCfNames[kCfCount] = {"default", "log",  "stream", "valid",
                                        "id",      "acts", "moved",  "checkpoint"};

std::string StreamMetaKey(std::string_view stream) {
  return std::string(kStreamMetaPrefix) + std::string(stream);
}

std::string StreamMetaValue(uint64_t version, uint64_t last_seq) {
  std::string v;
  PutU64(&v, version);
  PutU64(&v, last_seq);
  return v;
}

std::string BindingKey(std::string_view stream) {
  return std::string(kBindingPrefix) + std::string(stream);
}

std::string BindingValue(uint64_t seq, std::string_view vocabulary) {
  std::string v;
  PutU64(&v, seq);
  v.append(vocabulary.data(), vocabulary.size());
  return v;
}

std::string HeadValue(uint64_t seq, const Hash& hash, int64_t recorded_at) {
  std::string v;
  PutU64(&v, seq);
  v.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  PutU64(&v, static_cast<uint64_t>(recorded_at));
  return v;
}

std::string ActsKey(uint64_t target_seq, uint64_t seq) {
  std::string k;
  PutU64(&k, target_seq);
  PutU64(&k, seq);
  return k;
}

std::optional<int64_t> MovedTo(const EventRep& correction) {
  if (correction.kind() != EventKind::kCorrection) return std::nullopt;
  auto c = correction.reader().getCorrection();
  if (!c.hasEffective()) return std::nullopt;
  auto d = ParseFuzzyDate(c.getEffective().cStr());
  if (!d.ok()) return std::nullopt;
  return d->earliest;
}

}  // namespace internal
}  // namespace annals
