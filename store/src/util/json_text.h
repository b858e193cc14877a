// Copyright annals authors.
//
// Small text helpers shared by every layer: JSON string quoting and lower-case hex.

#ifndef ANNALS_STORE_SRC_UTIL_JSON_TEXT_H_
#define ANNALS_STORE_SRC_UTIL_JSON_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace annals {
namespace internal {

// A JSON string literal for `s`: the same bytes as Cap'n Proto's JsonCodec writes for a
// Text ('"', '\\' and the control characters escaped, everything else, UTF-8 included, as
// is).  Written out because the codec builds a message per call.
std::string JsonQuote(std::string_view s);
// Appends JsonQuote(s) to `out`.
void AppendJsonQuoted(std::string_view s, std::string* out);

// Writes the 2n lower-case hex digits of data[0, n) at `out`.
void HexInto(const unsigned char* data, size_t n, char* out);
// Lower-case hex of bytes.
std::string ToHex(const unsigned char* data, size_t n);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_UTIL_JSON_TEXT_H_
