// Copyright annals authors.
//
// What the tests of the vocabulary engine against SPEC §7 (vocabulary_spec_*_test.cc)
// share: vocabulary files made from a body, compiling them, and folding events given as
// JSON through one vocabulary without the store.

#ifndef ANNALS_TESTS_VOCABULARY_SPEC_FIXTURE_H_
#define ANNALS_TESTS_VOCABULARY_SPEC_FIXTURE_H_

#include <memory>
#include <string>
#include <utility>

#include "vocabulary/fold.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace test {

using VocabularyPtr = std::shared_ptr<const internal::Vocabulary>;

// A vocabulary file: the header every test file shares (4 lines), then `body`.
std::string File(const std::string& body, const std::string& name = "t");

// The compiled `source`; a compile error fails the test and gives null.
VocabularyPtr Compile(const std::string& source, const std::string& name = "t.capnp");

// The registration error of `source` ("" if it compiles).
std::string ErrorOf(const std::string& source, const std::string& name = "t.capnp");

// Folds events given as (type, effective, data JSON) through one vocabulary.
class Folder {
 public:
  explicit Folder(VocabularyPtr v) : v_(std::move(v)), fold_(v_) {}

  // Applies one event of `type` whose data is the JSON object `data`; a type the
  // vocabulary lacks or data it cannot decode fails the test.
  void Apply(const std::string& type, const std::string& effective, const std::string& data);
  void Note() { fold_.ApplyNote(); }

  // The state JSON object of the fold: the vocabulary's members only (the store adds
  // stream, as_of, known_at, facts, events_applied and tentative around them).
  std::string Json() const;
  // The same state continued in a new fold (as from a checkpoint): everything the fold
  // keeps incrementally (the `any` counters) is recomputed from scratch there.
  std::string RestartedJson() const;

 private:
  VocabularyPtr v_;
  internal::StateFold fold_;
};

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_VOCABULARY_SPEC_FIXTURE_H_
