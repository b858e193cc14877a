// Copyright annals authors.
//
// The general fuzzy-date grammar over the whole text (SPEC §1, EDTF levels 0 and 1 plus
// quarters; fuzzy_date.h gives it in full): the bytes it may hold, an interval and its
// ends, and a point with its qualifier.  The fields of a point are read in
// fuzzy_date_fields.cc; the common shapes take a fast path in fuzzy_date.cc first.
//
// Parsing goes interval → end → point → core.  Where the text takes an EDTF level 2 form
// that annals does not support, the parser names the feature instead of failing as a bare
// syntax error: here set notation ([..], {..}) and qualifiers inside a date (partial and
// group qualification); forms of the superseded 2012 draft ('u', "open", "unknown") are
// named too.

#include "dates/fuzzy_date_internal.h"

#include <cstdio>
#include <string>
#include <string_view>

#include "annals/fuzzy_date.h"

namespace annals {
namespace internal {
namespace edtf {
namespace {

constexpr size_t kMaxTextLength = 96;

constexpr char kLevel2Set[] =
    "EDTF level 2 set notation ([..] one of a set, {..} all of a set) is not supported";
constexpr char kLevel2Partial[] =
    "EDTF level 2 qualification of part of a date is not supported; level 1 puts one "
    "qualifier (~, ? or %) at the end of a date";

bool IsQualifier(char c) { return c == '~' || c == '?' || c == '%'; }

// Parses one bounded end (core plus optional qualifier) that makes up all of `s`.
bool ParsePoint(std::string_view s, Mode mode, Point* out, std::string* error) {
  *out = Point();
  if (s == "open" || s == "unknown") {
    *error = "'" + std::string(s) + "' is the 2012 EDTF draft's; an open end is now '..', " +
             "an unknown one is left empty";
    return false;
  }
  if (s.find('u') != std::string_view::npos) {
    *error = "'u' for an unspecified digit is the 2012 EDTF draft's; write 'X'";
    return false;
  }
  if (!s.empty() && IsQualifier(s.back())) {
    out->qualifier = s.back();
    s.remove_suffix(1);
    if (!s.empty() && IsQualifier(s.back())) {
      *error = "more than one qualifier (~, ? or %; % is both ~ and ?)";
      return false;
    }
  }
  if (s == "..") {
    *error = "an open end ('..') takes no qualifier";
    return false;
  }
  for (const char c : s) {
    if (IsQualifier(c)) {
      *error = kLevel2Partial;
      return false;
    }
  }
  if (s.empty()) {
    *error = kExpectedForms;
    return false;
  }
  return ParseCore(s, mode, out->qualifier != 0, out, error);
}

// Parses one end of an interval: a point, ".." (open) or "" (unknown).  `which` is "start"
// or "end"; errors name the end.
bool ParseEnd(std::string_view s, const char* which, Mode mode, Point* out, std::string* error) {
  *out = Point();
  if (s.empty() || s == "..") {
    out->kind = s.empty() ? DateEnd::kUnknown : DateEnd::kOpen;
    out->earliest = kUnboundedEarliest;
    out->latest = kUnboundedLatest;
    return true;
  }
  if (ParsePoint(s, mode, out, error)) return true;
  *error = "interval " + std::string(which) + " '" + Quote(s) + "': " + *error;
  return false;
}

void SetQualifier(char q, bool* approximate, bool* uncertain) {
  *approximate = q == '~' || q == '%';
  *uncertain = q == '?' || q == '%';
}

}  // namespace

// `text` as it is safe to put between quotes in a message: printable ASCII verbatim,
// anything else as \xNN, cut at kMaxTextLength bytes.
std::string Quote(std::string_view text) {
  std::string out;
  const size_t n = text.size() < kMaxTextLength ? text.size() : kMaxTextLength;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    }
  }
  if (n < text.size()) out += "...";
  return out;
}

// Parses the whole grammar.  On failure returns false with `error` set to the problem
// alone (without the value), so callers can say "date" or "instant".
bool ParseDate(std::string_view text, Mode mode, FuzzyDate* out, std::string* error) {
  if (text.size() > kMaxTextLength) {
    *error = "longer than " + std::to_string(kMaxTextLength) + " bytes";
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      *error = "unexpected whitespace at offset " + std::to_string(i);
      return false;
    }
    if (c < 0x20 || c >= 0x7f) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "unexpected byte 0x%02X at offset %zu", c, i);
      *error = buf;
      return false;
    }
  }
  if (text.find_first_of("[]{}") != std::string_view::npos) {
    *error = kLevel2Set;
    return false;
  }

  const size_t slash = text.find('/');
  Point start, end;
  if (slash == std::string_view::npos) {
    if (text == "..") {
      *error = "'..' (open) is only an interval end, as in 1985/.. or ../1985";
      return false;
    }
    if (!ParsePoint(text, mode, &start, error)) return false;
    end = start;
  } else {
    const std::string_view a = text.substr(0, slash);
    const std::string_view b = text.substr(slash + 1);
    if (b.find('/') != std::string_view::npos) {
      *error = "more than one '/'";
      return false;
    }
    if (!ParseEnd(a, "start", mode, &start, error)) return false;
    if (!ParseEnd(b, "end", mode, &end, error)) return false;
    if (start.kind != DateEnd::kBounded && end.kind != DateEnd::kBounded) {
      *error = "an interval needs a date at one end at least";
      return false;
    }
    if (start.earliest > end.latest) {
      *error = "interval start '" + Quote(a) + "' is after its end '" + Quote(b) + "'";
      return false;
    }
  }

  out->text = std::string(text);
  out->earliest = start.earliest;
  out->latest = end.latest;
  out->start = start.kind;
  out->end = end.kind;
  SetQualifier(start.qualifier, &out->start_approximate, &out->start_uncertain);
  SetQualifier(end.qualifier, &out->end_approximate, &out->end_uncertain);
  out->approximate = out->start_approximate || out->end_approximate;
  out->uncertain = out->start_uncertain || out->end_uncertain;
  return true;
}

}  // namespace edtf
}  // namespace internal
}  // namespace annals
