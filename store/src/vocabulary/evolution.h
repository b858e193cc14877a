// Copyright annals authors.
//
// CheckEvolution: whether a vocabulary file may become the next version of a registered
// one (SPEC §7 "Evolution").
//
// Stored events keep the bytes they were written with, and every version of the
// vocabulary reads them (a query with --known-at folds with the version known then, one
// without with the latest).  So what an event struct means on the wire and in its JSON may
// only grow: every event type keeps its name, every field reachable from an event's data
// keeps its name, ordinal, type and default, and every enumerant of an enum reachable from
// it keeps its name and place.  New event types, fields and enumerants may be added.  The
// state struct, effects, rules and summaries are derived and may change freely.
//
// Why not capnp::SchemaLoader: loading the newer node over the older one in Cap'n Proto
// 0.9.2 silently accepts a renamed field and reordered or removed enumerants (it keeps the
// older node), and throws on Text -> Data ("expected value.which() == replacement.which()"),
// checked on Debian 12's 0.9.2.  So this check compares the two files' schemas itself.
//
// Names.  A field's or enumerant's name is the one its JSON uses: `$Json.name` if given,
// else the Cap'n Proto name.  Names of struct and enum types are not on the wire nor in
// the JSON, so a renamed type with the same fields (or enumerants) is the same type.

#ifndef ANNALS_STORE_SRC_VOCABULARY_EVOLUTION_H_
#define ANNALS_STORE_SRC_VOCABULARY_EVOLUTION_H_

#include "annals/status.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

// Whether `newer` may replace `older` as the next version of the same vocabulary
// (SPEC §7 "Evolution").  OK if it may.  Otherwise InvalidArgument with one line per
// change that is not allowed (the first ten, then how many more), each naming the event
// type, the field (a dotted path for fields of nested structs) or enumerant, and the rule
// broken:
//   review_opened: field 'regulator' was removed (fields are never removed)
//   review_decided: field 'verdict': enum Verdict: enumerant 'blocked' moved from place 1
//     to 2 (enumerants keep their place)
// A vocabulary whose name differs is refused with a single line saying so.
// Pure function of its arguments; both must outlive the call.
Status CheckEvolution(const Vocabulary& older, const Vocabulary& newer);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_VOCABULARY_EVOLUTION_H_
