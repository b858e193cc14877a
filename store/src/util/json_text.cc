// Copyright annals authors.

#include "util/json_text.h"

#include <cstdint>
#include <cstring>

namespace annals {
namespace internal {

namespace {

// Whether one of the 8 bytes at `p` is below 0x20, '"' or '\\' (bytes of 0x80 and above
// never are: multi-byte UTF-8 characters pass through as they are).
inline bool NeedsEscape8(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  const uint64_t ascii = ~w & kHigh;  // the bytes below 0x80
  const uint64_t below_space = (w - kOnes * 0x20) & ascii;
  const uint64_t q = w ^ (kOnes * '"');
  const uint64_t quote = (q - kOnes) & ~q & kHigh;
  const uint64_t b = w ^ (kOnes * '\\');
  const uint64_t backslash = (b - kOnes) & ~b & kHigh;
  return (below_space | quote | backslash) != 0;
}

}  // namespace

void AppendJsonQuoted(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  // Runs of characters that stand for themselves are copied whole; eight bytes at a time
  // are checked for one that does not (a control character, '"' or '\\').
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    while (i + 8 <= s.size() && !NeedsEscape8(s.data() + i)) i += 8;
    if (i == s.size()) break;
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (u) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        *out += "\\u00";
        out->push_back(kHex[u >> 4]);
        out->push_back(kHex[u & 0xF]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  AppendJsonQuoted(s, &out);
  return out;
}

void HexInto(const unsigned char* data, size_t n, char* out) {
  static const char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
}

std::string ToHex(const unsigned char* data, size_t n) {
  std::string out(n * 2, '0');
  HexInto(data, n, out.data());
  return out;
}

}  // namespace internal
}  // namespace annals
