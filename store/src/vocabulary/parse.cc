// Copyright annals authors.
//
// ParseVocabularyFile (parse.h).  Source files are served to Cap'n Proto's parser through
// its SchemaFile interface: the vocabulary's text from memory, imports from the embedded
// files, and errors collected with their positions (the parser's disk files throw with the
// message alone, without the line and column a user needs).

#include "vocabulary/parse.h"

#include <kj/exception.h>

#include <cstring>
#include <functional>
#include <utility>

#include "vocabulary/embedded_files.h"

namespace annals {
namespace internal {

namespace {

// Problems reported by the parser, shared by a file and everything it imports.
struct ErrorSink {
  std::vector<std::string> errors;
  std::vector<std::string> missing_imports;
};

class MemorySchemaFile final : public capnp::SchemaFile {
 public:
  MemorySchemaFile(std::string name, const char* text, size_t size,
                   std::shared_ptr<ErrorSink> sink)
      : name_(std::move(name)), text_(text), size_(size), sink_(std::move(sink)) {}

  kj::StringPtr getDisplayName() const override {
    return kj::StringPtr(name_.c_str(), name_.size());
  }
  kj::Array<const char> readContent() const override {
    auto copy = kj::heapArray<char>(size_);
    std::memcpy(copy.begin(), text_, size_);
    return copy.releaseAsBytes().releaseAsChars();
  }
  kj::Maybe<kj::Own<SchemaFile>> import(kj::StringPtr path) const override {
    std::string_view p(path.cStr(), path.size());
    if (!p.empty() && p[0] == '/') p.remove_prefix(1);
    const char* text = EmbeddedFileText(p);
    if (text == nullptr) {
      sink_->missing_imports.emplace_back(path.cStr());
      return nullptr;
    }
    return kj::Own<SchemaFile>(
        kj::heap<MemorySchemaFile>("/" + std::string(p), text, std::strlen(text), sink_));
  }
  bool operator==(const SchemaFile& other) const override {
    return getDisplayName() == other.getDisplayName();
  }
  bool operator!=(const SchemaFile& other) const override { return !(*this == other); }
  size_t hashCode() const override { return std::hash<std::string>()(name_); }
  void reportError(SourcePos start, SourcePos, kj::StringPtr message) const override {
    sink_->errors.push_back(name_ + ":" + std::to_string(start.line + 1) + ":" +
                            std::to_string(start.column + 1) + ": " + message.cStr());
  }

 private:
  std::string name_;
  const char* text_;
  size_t size_;
  std::shared_ptr<ErrorSink> sink_;
};

void Collect(capnp::ParsedSchema node, std::vector<capnp::ParsedSchema>* out) {
  out->push_back(node);
  for (auto nested : node.getProto().getNestedNodes()) {
    KJ_IF_MAYBE(child, node.findNested(nested.getName())) { Collect(*child, out); }
  }
}

}  // namespace

const char* EmbeddedFileText(std::string_view name) {
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (name == kEmbeddedFiles[i].name) return kEmbeddedFiles[i].text;
  }
  return nullptr;
}

ParsedVocabularyFile::~ParsedVocabularyFile() = default;

Result<std::unique_ptr<ParsedVocabularyFile>> ParseVocabularyFile(std::string source,
                                                                  std::string display_name) {
  std::unique_ptr<ParsedVocabularyFile> parsed(new ParsedVocabularyFile());
  parsed->source_ = std::move(source);
  parsed->display_name_ = std::move(display_name);
  parsed->parser_ = std::make_unique<capnp::SchemaParser>();
  auto sink = std::make_shared<ErrorSink>();
  auto report = [&](std::string extra) -> Status {
    std::string msg;
    for (const auto& missing : sink->missing_imports) {
      msg += (msg.empty() ? "" : "\n") + parsed->display_name_ + ": imports '" + missing +
             "', which annals does not provide (a vocabulary may import only "
             "/annals/vocabulary.capnp and /capnp/compat/json.capnp)";
    }
    for (size_t i = 0; i < sink->errors.size() && i < 10; ++i) {
      msg += (msg.empty() ? "" : "\n") + sink->errors[i];
    }
    if (msg.empty()) msg = parsed->display_name_ + ": " + extra;
    return Status::InvalidArgument(msg);
  };
  try {
    parsed->file_ = parsed->parser_->parseFile(kj::heap<MemorySchemaFile>(
        parsed->display_name_, parsed->source_.data(), parsed->source_.size(), sink));
    if (!sink->errors.empty() || !sink->missing_imports.empty()) return report("");
    Collect(parsed->file_, &parsed->nodes_);
  } catch (const kj::Exception& e) {
    return report(e.getDescription().cStr());
  }
  return parsed;
}

}  // namespace internal
}  // namespace annals
