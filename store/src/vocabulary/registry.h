// Copyright annals authors.
//
// Registry: the vocabularies of a store at one moment, every version of each, and the
// event types they give (SPEC §7).  It is an immutable snapshot: registering a version
// makes a new Registry (With), which the store publishes for later readers, so a query
// keeps the snapshot it started with.
//
// Versions: the built-in `deal` is version 1 without a seq; every registration (an event
// of the stream `$vocabulary`) adds the next version of its name at its seq.  A query
// known at seq N folds with the latest version registered by N (At).  Event types are
// those of each vocabulary's latest version (a later version keeps every type and field of
// the earlier ones, so the latest reads every stored event of its vocabulary).
//
// Thread-safety: immutable; shared between threads through std::shared_ptr.

#ifndef ANNALS_STORE_SRC_VOCABULARY_REGISTRY_H_
#define ANNALS_STORE_SRC_VOCABULARY_REGISTRY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annals/status.h"
#include "codec/event_types.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

struct VocabularyVersion {
  std::string name;
  uint32_t version = 0;
  uint64_t seq = 0;  // the registration's seq; 0 for the built-in `deal`
  std::shared_ptr<const Vocabulary> vocabulary;
};

class Registry final : public EventTypeResolver {
 public:
  // The registry of a store where nothing was registered: the core types and `deal` v1.
  static std::shared_ptr<const Registry> BuiltIn();
  // The name and source of a vocabulary annals ships (`deal`, `acquisition`, ...), or null.
  static const char* ShippedSource(std::string_view name);
  static std::vector<std::string> ShippedNames();

  // This registry with `version` added as the latest version of its name.  InvalidArgument
  // if one of its event types belongs to another vocabulary.  The caller checked the
  // evolution from the previous version (evolution.h).
  Result<std::shared_ptr<const Registry>> With(VocabularyVersion version) const;

  // EventTypeResolver.
  std::shared_ptr<const EventTypeInfo> Find(std::string_view name) const override;
  std::vector<std::shared_ptr<const EventTypeInfo>> All() const override;

  // The latest version of `name`, or null.
  const VocabularyVersion* Latest(std::string_view name) const;
  // The latest version of `name` registered at or before `known_seq`, or null.
  const VocabularyVersion* At(std::string_view name, uint64_t known_seq) const;
  // Every version of every vocabulary, by name, oldest version first.
  const std::map<std::string, std::vector<VocabularyVersion>, std::less<>>& versions() const {
    return versions_;
  }

 private:
  Registry() = default;
  void AddTypes(const VocabularyVersion& latest);

  std::map<std::string, std::vector<VocabularyVersion>, std::less<>> versions_;
  // Type name -> type, for the latest version of each vocabulary (core types aside).
  std::map<std::string, std::shared_ptr<const EventTypeInfo>, std::less<>> types_;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_REGISTRY_H_
