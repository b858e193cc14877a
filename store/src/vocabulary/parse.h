// Copyright annals authors.
//
// ParseVocabularyFile: a vocabulary's Cap'n Proto source text into schemas, at run time.
//
// Cap'n Proto's own parser (capnp::SchemaParser, from libcapnpc) reads the file.  Imports
// are served from the files embedded in the binary (embedded_files.h): a vocabulary may
// import "/annals/vocabulary.capnp" and "/capnp/compat/json.capnp", and nothing is read
// from disk.  Each file gets a fresh parser (a reused one can lose annotations in 0.9.2),
// which the result owns, with every schema it loaded.

#ifndef ANNALS_STORE_SRC_VOCABULARY_PARSE_H_
#define ANNALS_STORE_SRC_VOCABULARY_PARSE_H_

#include <capnp/schema-parser.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annals/status.h"

namespace annals {
namespace internal {

class ParsedVocabularyFile {
 public:
  ParsedVocabularyFile(const ParsedVocabularyFile&) = delete;
  ParsedVocabularyFile& operator=(const ParsedVocabularyFile&) = delete;
  ~ParsedVocabularyFile();

  // The file's own node.
  capnp::ParsedSchema file() const { return file_; }
  // Every node declared in the file, nested ones included, in declaration order (each
  // parent before its children).  Cap'n Proto 0.9.2 has no getAllLoaded(), so they are
  // collected by walking nested declarations.
  const std::vector<capnp::ParsedSchema>& nodes() const { return nodes_; }
  // The file name used in messages ("merger.capnp").
  const std::string& display_name() const { return display_name_; }

 private:
  friend Result<std::unique_ptr<ParsedVocabularyFile>> ParseVocabularyFile(
      std::string source, std::string display_name);
  ParsedVocabularyFile() = default;

  std::string source_;
  std::string display_name_;
  std::unique_ptr<capnp::SchemaParser> parser_;  // owns the schemas below
  capnp::ParsedSchema file_;
  std::vector<capnp::ParsedSchema> nodes_;
};

// Parses `source`, named `display_name` in messages (a file's base name, "stdin.capnp" for
// standard input).  InvalidArgument with the parser's "name:line:column: message" for each
// problem the parser reports (the first ten), or "imports '/x.capnp', which annals does not
// provide" for an import of anything but the embedded files.
Result<std::unique_ptr<ParsedVocabularyFile>> ParseVocabularyFile(std::string source,
                                                                  std::string display_name);

// The text of an embedded file by its import path without the leading "/"
// ("annals/vocabulary.capnp"), or null.
const char* EmbeddedFileText(std::string_view name);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_PARSE_H_
