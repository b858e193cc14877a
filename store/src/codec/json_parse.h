// Copyright annals authors.
//
// ParseJson: JSON text into a Cap'n Proto JsonValue, decoded exactly.
//
// Every JSON input of annals (imported lines, `append --data`, correction data, restored
// exports) goes through here.  The text is parsed by simdjson, which decodes every
// `\uXXXX` escape (surrogate pairs joined) and validates UTF-8; the result is built as a
// capnp::JsonValue, which the schema checks and Cap'n Proto's JsonCodec then map onto
// events.  (Cap'n Proto 0.9.2's own JSON parser reads the hex digits a-f of `\u` escapes
// as 0-5 and accepts lone surrogates: it never sees input text.)

#ifndef ANNALS_STORE_SRC_JSON_PARSE_H_
#define ANNALS_STORE_SRC_JSON_PARSE_H_

#include <capnp/compat/json.h>
#include <capnp/orphan.h>

#include <string_view>

#include "annals/status.h"

namespace annals {
namespace internal {

// The deepest nesting of arrays and objects accepted.
constexpr int kMaxJsonDepth = 64;

// Parses one JSON document (surrounding whitespace allowed, nothing else after it) into
// `out`, whose message also holds the intermediate objects.  InvalidArgument, naming the
// field by its dotted path where there is one, for: malformed JSON ("malformed JSON: ..."),
// a string with an invalid escape or a lone UTF-16 surrogate, invalid UTF-8, a number
// out of double range, nesting deeper than kMaxJsonDepth.  `out` is unspecified on error.
// Thread-safety: any number of threads may parse at once (each uses its own parser).
Status ParseJson(std::string_view json, capnp::JsonValue::Builder out);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_JSON_PARSE_H_
