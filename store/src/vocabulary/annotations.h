// Copyright annals authors.
//
// The ids of the annotations of schema/annals/vocabulary.capnp, the one place the engine
// names them (the file says they never change), and of json.capnp's `name`.

#ifndef ANNALS_STORE_SRC_VOCABULARY_ANNOTATIONS_H_
#define ANNALS_STORE_SRC_VOCABULARY_ANNOTATIONS_H_

#include <capnp/schema.capnp.h>

#include <cstdint>

namespace annals {
namespace internal {
namespace annotation {

constexpr uint64_t kVocabulary = 0x9e7790ab104f81c4ull;  // file :Text
constexpr uint64_t kEvent = 0x998eecab128f01f2ull;       // struct :Text
constexpr uint64_t kState = 0xa24f318629a37bd9ull;       // struct :Void
constexpr uint64_t kRequired = 0xf40578a24fb61e19ull;    // field :Void
constexpr uint64_t kDate = 0xa8e1788940585439ull;        // field :Void
constexpr uint64_t kSummary = 0xf0ba266ab67642a8ull;     // struct :Text
constexpr uint64_t kMap = 0xb37d4ddc52aade04ull;         // field :MapOptions
constexpr uint64_t kOn = 0xc1339525e94bf1ddull;          // struct :List(Effect)
constexpr uint64_t kDerive = 0xb8d4b749b2e8e84bull;      // field :List(Rule)
constexpr uint64_t kUnset = 0x8ba5687ce159b12full;       // field :Unset
constexpr uint64_t kLane = 0xe862c37ea1bbe441ull;        // field :Text (the picture)
constexpr uint64_t kJsonName = 0xfa5b1fd61c2e7c3dull;    // json.capnp: field :Text

// The value of annotation `id` in `annotations`, or null.
inline kj::Maybe<capnp::schema::Value::Reader> Find(
    capnp::List<capnp::schema::Annotation>::Reader annotations, uint64_t id) {
  for (auto a : annotations) {
    if (a.getId() == id) return a.getValue();
  }
  return nullptr;
}

}  // namespace annotation
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_ANNOTATIONS_H_
