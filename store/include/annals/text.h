// Copyright annals authors.
//
// Text as annals writes it out: the two rules every output follows, for a program (JSON)
// and for a person (a terminal, a text report).

#ifndef ANNALS_TEXT_H_
#define ANNALS_TEXT_H_

#include <string>
#include <string_view>

namespace annals {

// A JSON string literal of `s`.  '"', '\\' and the control characters U+0000-U+001F are
// escaped, and so are U+0085, U+2028 and U+2029, which JSON allows raw but other readers
// take for line breaks (Python's str.splitlines() on a JSON Lines file, JavaScript before
// ES2019).  A byte sequence that is not UTF-8 becomes U+FFFD, so the output always parses
// (annals refuses such text on the way in; only text stored by an older annals or changed
// behind the store's back can have it).  Everything else is written as is.
std::string JsonQuote(std::string_view s);

// `s` safe to show a person: the characters that would move the cursor, recolour or
// rewrite the terminal, break a line of a table or reorder the text around them are shown
// as escapes instead: "\n", "\t", "\r", "\x1b" (other control characters U+0000-U+001F
// and U+007F), "\u0085" (U+0080-U+009F), "\u2028" and "\u2029", and the bidirectional
// controls ("\u202e": U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).  A byte that
// is not part of UTF-8 is shown as "\xff".  Everything else, including other non-ASCII
// text, is kept.  For exact text, read the JSON output.
std::string Printable(std::string_view s);

}  // namespace annals

#endif  // ANNALS_TEXT_H_
