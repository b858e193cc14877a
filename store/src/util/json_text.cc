// Copyright annals authors.

#include "util/json_text.h"

#include "annals/text.h"

#include <simdjson.h>

#include <cstdint>
#include <cstring>

namespace annals {
namespace internal {

namespace {

// Whether one of the 8 bytes at `p` may need more than copying: a byte below 0x20, '"',
// '\\', or 0xC2 / 0xE2 (the lead bytes of U+0085 and U+2028/U+2029).  Other bytes of 0x80
// and above never do: the rest of UTF-8 passes through as it is.  False positives are
// allowed (the caller looks at the bytes one by one), false negatives are not.
inline bool MayNeedEscape8(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  const auto has_byte = [&](unsigned char c) {
    const uint64_t x = w ^ (kOnes * c);
    return (x - kOnes) & ~x & kHigh;
  };
  const uint64_t ascii = ~w & kHigh;  // the bytes below 0x80
  const uint64_t below_space = (w - kOnes * 0x20) & ascii;
  return (below_space | has_byte('"') | has_byte('\\') | has_byte(0xC2) | has_byte(0xE2)) != 0;
}

// Whether every byte of `s` is below 0x80 (and so UTF-8): most of what annals prints
// (ids, dates, hashes, names), checked without the call into simdjson's validator.
bool IsAscii(std::string_view s) {
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof w);
    any |= w;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ull) == 0;
}

// The UTF-8 of the characters JSON allows raw but that other readers take for line
// breaks: U+0085 (NEL) and U+2028/U+2029 (line and paragraph separators).  Python's
// str.splitlines() splits a JSON Lines file at each of them, and JavaScript before ES2019
// refuses them in string literals.
bool IsLineBreakingSequence(std::string_view s, size_t i, size_t* length) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (b(0) == 0xC2 && i + 1 < s.size() && b(1) == 0x85) {
    *length = 2;
    return true;
  }
  if (b(0) == 0xE2 && i + 2 < s.size() && b(1) == 0x80 && (b(2) == 0xA8 || b(2) == 0xA9)) {
    *length = 3;
    return true;
  }
  return false;
}

// Appends the \uXXXX escape of the character of `length` bytes at s[i].
void AppendEscapeOf(std::string_view s, size_t i, size_t length, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  uint32_t cp = length == 2 ? (s[i + 1] & 0x3F) | ((s[i] & 0x1F) << 6)
                            : (s[i + 2] & 0x3F) | ((s[i + 1] & 0x3F) << 6) | ((s[i] & 0x0F) << 12);
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(cp >> shift) & 0xF]);
}

// `s` with every byte sequence that is not UTF-8 replaced by U+FFFD.  Stored text is
// checked on every way in (store.h), so this only happens with text that was stored
// before those checks, or changed behind the store's back (which verify reports).
std::string Utf8Repaired(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    size_t n = 1;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xC2 && c <= 0xF4) n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + n <= s.size() && simdjson::validate_utf8(s.data() + i, n)) {
      out.append(s.data() + i, n);
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      n = 1;
    }
    i += n;
  }
  return out;
}

}  // namespace

void AppendJsonQuoted(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  std::string repaired;
  if (!IsAscii(s) && !simdjson::validate_utf8(s.data(), s.size())) {
    repaired = Utf8Repaired(s);
    s = repaired;
  }
  out->push_back('"');
  // Runs of characters that stand for themselves are copied whole; eight bytes at a time
  // are checked for one that may not (MayNeedEscape8).
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    while (i + 8 <= s.size() && !MayNeedEscape8(s.data() + i)) i += 8;
    if (i == s.size()) break;
    const auto u = static_cast<unsigned char>(s[i]);
    size_t length = 1;
    if (u == 0xC2 || u == 0xE2) {
      if (!IsLineBreakingSequence(s, i, &length)) continue;
      out->append(s.data() + run, i - run);
      AppendEscapeOf(s, i, length, out);
      i += length - 1;
      run = i + 1;
      continue;
    }
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

void MakeJsonOutputSafe(std::string* json) {
  if (!simdjson::validate_utf8(json->data(), json->size())) *json = Utf8Repaired(*json);
  if (json->find('\xC2') == std::string::npos && json->find('\xE2') == std::string::npos) return;
  std::string out;
  out.reserve(json->size() + 16);
  const std::string_view s(*json);
  for (size_t i = 0; i < s.size(); ++i) {
    size_t length;
    const auto u = static_cast<unsigned char>(s[i]);
    if ((u == 0xC2 || u == 0xE2) && IsLineBreakingSequence(s, i, &length)) {
      AppendEscapeOf(s, i, length, &out);
      i += length - 1;
    } else {
      out.push_back(s[i]);
    }
  }
  *json = std::move(out);
}

bool IsUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

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

bool ParseLowerHex(std::string_view hex, unsigned char* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  for (size_t i = 0; i < n; ++i) {
    int v = 0;
    for (int j = 0; j < 2; ++j) {
      char c = hex[2 * i + j];
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out[i] = static_cast<unsigned char>(v);
  }
  return true;
}

}  // namespace internal

std::string JsonQuote(std::string_view s) { return internal::JsonQuote(s); }

namespace {

// Whether the code point is shown escaped by Printable.
bool ShownEscaped(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string Printable(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 1;
    if (c >= 0xC2 && c <= 0xF4) n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c >= 0x80 && (n == 1 || i + n > s.size() || !simdjson::validate_utf8(s.data() + i, n))) {
      out += "\\x";  // not UTF-8: the byte itself
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    uint32_t cp = c;
    if (n == 2) cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
    if (n == 3) cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    if (n == 4) cp = 0x10000;  // never escaped
    if (!ShownEscaped(cp)) {
      out.append(s.data() + i, n);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp <= 0x7F) {
      out += "\\x";
      out.push_back(kHex[cp >> 4]);
      out.push_back(kHex[cp & 0xF]);
    } else {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(cp >> shift) & 0xF]);
    }
    i += n;
  }
  return out;
}

}  // namespace annals
