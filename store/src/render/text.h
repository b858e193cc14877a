// Copyright annals authors.
//
// Text for the picture (render/): XML escaping, widths and truncation of UTF-8 text in the
// picture's font, numbers as SVG writes them, and the names of state fields made readable.

#ifndef ANNALS_STORE_SRC_RENDER_TEXT_H_
#define ANNALS_STORE_SRC_RENDER_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace annals {
namespace internal {
namespace render {

// The font stack of every text of the picture.
inline constexpr const char* kFont =
    "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

// Escapes text for XML character data and attribute values.  Control characters that XML
// 1.0 forbids are dropped; newlines and tabs are kept.
std::string Xml(std::string_view s);
// ` name="value"`, the value escaped.
std::string Attr(const char* name, std::string_view value);

// Code points in `s`.
size_t Utf8Length(std::string_view s);
// At most `max_chars` code points, with "…" when shortened; never splits a UTF-8 sequence.
std::string Truncate(std::string_view s, size_t max_chars);
// A rough width of `s` in the sans-serif font at `px` (DejaVu Sans averages ~0.6 em; bold
// ~0.66 em).
double TextWidth(std::string_view s, double px, bool bold = false);
// The longest prefix of `s` (shortened with "…") no wider than `width` at `px`; "" when
// not even a few characters fit.
std::string FitText(std::string_view s, double width, double px, bool bold = false);

// A coordinate or length for SVG: one decimal, no trailing ".0".
std::string Num(double v);

// A state field's JSON name for people: "launch_target" -> "launch target".
std::string Words(std::string_view json_name);
// ... as a section title: "LAUNCH TARGET".
std::string Upper(std::string_view text);
// ... as a lane name: "Launch target".
std::string Capitalized(std::string_view text);

// The date part of an instant ("2025-04-15", "-0044-03-15", "+012345-01-01").
std::string DayText(int64_t micros);

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_TEXT_H_
