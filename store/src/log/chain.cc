// Copyright annals authors.

#include "log/chain.h"

#include <openssl/evp.h>

namespace annals {
namespace internal {

Hash ChainHash(const Hash& prev, kj::ArrayPtr<const capnp::word> bytes) {
  // One digest context per thread, reused: creating a context and looking the algorithm
  // up again for every event cost as much as hashing it.  The algorithm is fetched once
  // (OpenSSL 3): EVP_sha256() is a legacy handle that every EVP_DigestInit_ex would look
  // up in the provider tables again.  Fetched handles live until exit.
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
  EVP_DigestUpdate(holder.ctx, prev.data(), prev.size());
  EVP_DigestUpdate(holder.ctx, bytes.begin(), bytes.size() * sizeof(capnp::word));
  EVP_DigestFinal_ex(holder.ctx, out.data(), &len);
  return out;
}

bool ParseHex32(std::string_view hex, Hash* out) {
  return ParseLowerHex(hex, out->data(), out->size());
}

}  // namespace internal
}  // namespace annals
