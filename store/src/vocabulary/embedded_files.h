// Copyright annals authors.
//
// The schema files annals parses at run time, embedded in the binary at build time
// (cmake/embed_files.cmake writes the table): the annotations of vocabularies
// ("annals/vocabulary.capnp"), the Cap'n Proto files a vocabulary may import
// ("capnp/compat/json.capnp" and "capnp/c++.capnp", which it imports), and the
// vocabularies annals ships ("vocabularies/<name>.capnp").

#ifndef ANNALS_STORE_SRC_VOCABULARY_EMBEDDED_FILES_H_
#define ANNALS_STORE_SRC_VOCABULARY_EMBEDDED_FILES_H_

#include <cstddef>

namespace annals {
namespace internal {

struct EmbeddedFile {
  const char* name;  // path relative to the import root, e.g. "annals/vocabulary.capnp"
  const char* text;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_EMBEDDED_FILES_H_
