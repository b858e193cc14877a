// Copyright annals authors.

#include "render/text.h"

#include <cctype>
#include <cstdio>

#include "annals/fuzzy_date.h"

namespace annals {
namespace internal {
namespace render {

std::string Xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t') break;
        if (c == 0x7f) break;
        out.push_back(ch);
    }
  }
  return out;
}

std::string Attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + Xml(value) + "\"";
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Truncate(std::string_view s, size_t max_chars) {
  if (Utf8Length(s) <= max_chars) return std::string(s);
  if (max_chars == 0) return "";
  size_t chars = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars - 1) break;
      ++chars;
    }
  }
  std::string out(s.substr(0, i));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "\xE2\x80\xA6";
}

double TextWidth(std::string_view s, double px, bool bold) {
  return static_cast<double>(Utf8Length(s)) * px * (bold ? 0.66 : 0.6);
}

std::string FitText(std::string_view s, double width, double px, bool bold) {
  const double per_char = px * (bold ? 0.66 : 0.6);
  const double chars = width / per_char;
  if (chars < 4) return "";
  return Truncate(s, static_cast<size_t>(chars));
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

std::string Words(std::string_view json_name) {
  std::string out;
  for (char c : json_name) out.push_back(c == '_' ? ' ' : c);
  return out;
}

std::string Upper(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::string Capitalized(std::string_view text) {
  std::string out(text);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string DayText(int64_t micros) {
  const std::string instant = FormatInstant(micros);  // any int64, every year
  return instant.substr(0, instant.find('T'));
}

}  // namespace render
}  // namespace internal
}  // namespace annals
