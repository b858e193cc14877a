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

// Every JSON annals writes follows one rule, here: '"', '\\' and the control characters
// U+0000-U+001F are escaped (as Cap'n Proto's JsonCodec escapes them), and so are U+0085,
// U+2028 and U+2029, which JSON allows raw but other readers take for line breaks (a JSON
// Lines file split by Python's str.splitlines(), a JavaScript engine before ES2019); a byte
// sequence that is not UTF-8 becomes U+FFFD, so that the output always parses.  Everything
// else, UTF-8 included, is written as is.

// A JSON string literal for `s`.  Written out because the codec builds a message per call.
std::string JsonQuote(std::string_view s);
// Appends JsonQuote(s) to `out`.
void AppendJsonQuoted(std::string_view s, std::string* out);
// Applies the rule to JSON that Cap'n Proto's JsonCodec wrote (escaping the line breakers
// and repairing what is not UTF-8); the bytes concerned can only be inside its strings.
void MakeJsonOutputSafe(std::string* json);

// Whether `s` is UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsUtf8(std::string_view s);

// Writes the 2n lower-case hex digits of data[0, n) at `out`.
void HexInto(const unsigned char* data, size_t n, char* out);
// Lower-case hex of bytes.
std::string ToHex(const unsigned char* data, size_t n);
// Decodes exactly 2n lower-case hex digits into n bytes; false for anything else.
bool ParseLowerHex(std::string_view hex, unsigned char* out, size_t n);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_UTIL_JSON_TEXT_H_
