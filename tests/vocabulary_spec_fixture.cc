// Copyright annals authors.
//
// The helpers of vocabulary_spec_fixture.h.

#include "vocabulary_spec_fixture.h"

#include <gtest/gtest.h>

#include <capnp/any.h>
#include <capnp/message.h>

#include <string>

#include "vocabulary/parse.h"

namespace annals {
namespace test {
namespace {

// The state JSON object of a fold: the vocabulary's members only (the store adds stream,
// as_of, known_at, facts, events_applied and tentative around them).
std::string StateJson(const internal::Vocabulary& v, const internal::Node& root) {
  std::string out = "{";
  internal::WriteStateMembers(v.state(), root, &out);
  return out + "}";
}

}  // namespace

std::string File(const std::string& body, const std::string& name) {
  return "@0xd3b1c2f5a1e0b9d8;\n"
         "using A = import \"/annals/vocabulary.capnp\";\n"
         "using Json = import \"/capnp/compat/json.capnp\";\n"
         "$A.vocabulary(\"" + name + "\");\n" + body;
}

VocabularyPtr Compile(const std::string& source, const std::string& name) {
  auto v = internal::CompileVocabulary(source, name);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : nullptr;
}

std::string ErrorOf(const std::string& source, const std::string& name) {
  auto v = internal::CompileVocabulary(source, name);
  if (v.ok()) return "";
  EXPECT_TRUE(v.status().IsInvalidArgument()) << v.status().ToString();
  return v.status().message();
}

void Folder::Apply(const std::string& type, const std::string& effective,
                   const std::string& data) {
  const internal::EventTypeDef* t = v_->FindType(type);
  ASSERT_NE(t, nullptr) << "no event type " << type;
  capnp::MallocMessageBuilder message;
  auto root = message.getRoot<capnp::AnyPointer>();
  try {
    v_->data_codec().decode(kj::ArrayPtr<const char>(data.data(), data.size()),
                            root.initAs<capnp::DynamicStruct>(t->data));
  } catch (const kj::Exception& e) {
    FAIL() << type << " " << data << ": " << e.getDescription().cStr();
  }
  fold_.Apply(internal::FoldInput(t, effective, root.asReader()));
}

std::string Folder::Json() const { return StateJson(*v_, fold_.root()); }

std::string Folder::RestartedJson() const {
  internal::StateFold restarted(v_, fold_.root(), fold_.facts());
  return StateJson(*v_, restarted.root());
}

}  // namespace test
}  // namespace annals
