// Copyright annals authors.
//
// Fuzzes the stored-event decoder, EventRep::FromStored: the one place stored bytes become
// messages.  Corrupt bytes must give a Corruption Status, never a crash or an uncaught
// kj::Exception; an event that decodes must be usable by everything that reads stored
// events (JSON export, canonical forms, accessors) without throwing.
//
// Inputs: with the low bit of the first byte set, the rest is taken as raw stored bytes;
// otherwise it mutates a valid stored event built from the sample timeline (byte 1 picks
// the event, then (offset, xor) pairs), which reaches deep into well-formed structure
// that random bytes rarely do.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "annals/event.h"
#include "codec/event_rep.h"

namespace {

std::vector<std::string> BuildSeeds() {
  std::vector<std::string> seeds;
  std::ifstream in(std::string(ANNALS_SOURCE_DIR) + "/examples/apple-intelligence-cn.jsonl");
  std::string line;
  uint64_t seq = 0;
  while (std::getline(in, line)) {
    auto rep = annals::internal::ParseEventJson(line, annals::internal::JsonMode::kImport,
                                                annals::EventTypes::BuiltIn().resolver());
    if (!rep.ok()) continue;
    auto e = (*rep)->builder();
    e.setSeq(++seq);
    e.setVersion(seq);
    e.setRecordedAt("2025-02-11T08:00:00.000000Z");
    e.setPrevHash(std::string(64, '0'));
    e.setHash(std::string(64, 'a'));
    auto words = (*rep)->Canonical();
    seeds.emplace_back(reinterpret_cast<const char*>(words.begin()),
                       words.size() * sizeof(capnp::word));
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "no seed events (examples/ missing?)\n");
    std::abort();
  }
  return seeds;
}

void Exercise(const std::string& bytes) {
  auto rep = annals::internal::EventRep::FromStored(bytes, annals::EventTypes::BuiltIn().resolver());
  if (!rep.ok()) {
    if (!rep.status().IsCorruption()) std::abort();
    return;
  }
  // What export, verify and the projections do with a stored event.
  annals::Event event(*rep);
  (void)event.ToJson();
  (void)event.DataJson();
  (void)event.target();
  (void)event.effective();
  (void)(*rep)->Canonical();
  (void)(*rep)->CanonicalWithoutHash();
  (void)(*rep)->CanonicalContent();
  (void)annals::internal::ValidateContent(**rep);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string>* seeds = new std::vector<std::string>(BuildSeeds());
  if (size == 0) return 0;
  if (data[0] & 1) {
    Exercise(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
    return 0;
  }
  std::string bytes = size > 1 ? (*seeds)[data[1] % seeds->size()] : (*seeds)[0];
  for (size_t i = 2; i + 2 < size; i += 3) {
    size_t offset = (static_cast<size_t>(data[i]) << 8 | data[i + 1]) % bytes.size();
    bytes[offset] = static_cast<char>(bytes[offset] ^ data[i + 2]);
  }
  Exercise(bytes);
  return 0;
}
