// Copyright annals authors.

#include "log/chain.h"

#include <openssl/evp.h>

#include <initializer_list>

namespace annals {
namespace internal {

namespace {

// SHA-256 of the concatenated `parts`.  One digest context per thread, reused: creating a
// context and looking the algorithm up again for every event cost as much as hashing it.
// The algorithm is fetched once (OpenSSL 3): EVP_sha256() is a legacy handle that every
// EVP_DigestInit_ex would look up in the provider tables again.  Fetched handles live
// until exit.
Hash Digest(std::initializer_list<std::string_view> parts) {
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  static const EVP_MD* const kSha256 = [] {
    const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return md ? md : EVP_sha256();
  }();
  thread_local Ctx holder;
  Hash out{};
  unsigned int len = 0;
  EVP_DigestInit_ex(holder.ctx, kSha256, nullptr);
  for (std::string_view part : parts) EVP_DigestUpdate(holder.ctx, part.data(), part.size());
  EVP_DigestFinal_ex(holder.ctx, out.data(), &len);
  return out;
}

}  // namespace

Hash ChainHash(const Hash& prev, kj::ArrayPtr<const capnp::word> bytes) {
  return Digest({std::string_view(reinterpret_cast<const char*>(prev.data()), prev.size()),
                 std::string_view(reinterpret_cast<const char*>(bytes.begin()),
                                  bytes.size() * sizeof(capnp::word))});
}

Hash Sha256(std::string_view data) { return Digest({data}); }

bool ParseHex32(std::string_view hex, Hash* out) {
  return ParseLowerHex(hex, out->data(), out->size());
}

}  // namespace internal
}  // namespace annals
