// Copyright annals authors.
//
// The model of the timeline picture: what is drawn, before any geometry.  A stream's
// history becomes sections of lanes; a lane holds marks (one per event that wrote it),
// bars (how long a thing stood in a status) and slips (a replaced value -> its
// replacement).
//
// HOW LANES ARE DERIVED (no rule names a vocabulary's fields or types): the history is
// replayed through a fold of the stream's vocabulary that tracks which parts of the state
// each event wrote (vocabulary/fold.h, LastParts), and the event goes on their lanes:
//   * a map entry (`partners.Baidu`): a lane per key, in a section named after the map;
//   * a list element (`submissions.0`): a lane per element, named by its first text field;
//     elements with the same name share the lane (a second filing to one regulator);
//   * a field whose replaced values a `set` keeps in a `history` list (launch targets,
//     outside dates): flags, at the date the value names (the struct's field set from an
//     event's `$A.date` field) or else at the event's date; a replaced flag is faded, with
//     an arrow to its replacement;
//   * any other struct field (`launched`, `closed`): a lane with a milestone per event;
//   * `$A.lane("x")` on top-level fields puts them on one lane "x" in a section "X"; other
//     whole-field lanes share a section named after the vocabulary;
//   * facts and notes, and events that wrote nothing drawn elsewhere: one lane, last.
// Which part is the event's own (its mark has the event's id and its label; the others get
// a derived mark, e.g. the partner dropped by another's choice): the first part whose key
// or element name is one of the event's data values, else the first part.  Scalar fields
// (`chosen_partner`) get a lane only for an event that wrote nothing else.
//
// The status of an entry is its field `status`, else the first field whose values come
// from enumerants or literals in the vocabulary's effects (a vote's `outcome`).  Its word
// gives the mark's colour and glyph (render/tone.h); bars run from each mark to the next
// while the status is not final, the last one open ("still running") to the as-of line or
// the end of the axis.

#ifndef ANNALS_STORE_SRC_RENDER_MODEL_H_
#define ANNALS_STORE_SRC_RENDER_MODEL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "annals/query.h"
#include "render/glyph.h"

namespace annals {
namespace internal {
namespace render {

struct Mark {
  std::string id;        // the event's id; empty for a derived mark
  std::string of;        // a derived mark: the id of the event it comes from
  std::string type;      // the event's type
  int64_t e0 = 0, e1 = 0;  // the valid-time range drawn (either end may be unbounded)
  Glyph glyph = Glyph::kNote;
  std::string colour;
  std::string status;    // the status word it shows, if any
  std::string legend;    // the text of its legend entry ("opened", "launch target")
  std::string value;     // a flag: the value it stands for ("target 2025-04")
  std::string label;     // visible text beside the mark; may be empty
  std::string detail;    // hover text
  bool rumored = false;
  bool tentative = false;
  bool corrected = false;
  bool replaced = false;  // a flag whose value was replaced later
  // Layout (render/svg.cc).
  int row = 0;
  std::string shown;     // the label as drawn (fitted); empty: none
  double label_x = 0;    // where it is anchored
  bool label_left = false;  // it ends at label_x (else starts there)
};

struct Bar {
  int64_t t0 = 0, t1 = 0;
  std::string colour;
  std::string status;
  bool open_end = false;  // still running: drawn to the as-of line or the axis end
  bool dashed = false;    // waiting (a pending status)
};

struct Lane {
  enum Kind { kMap, kList, kValue, kNotes };
  Kind kind = kNotes;
  std::string field;   // the JSON name of the (first) state field drawn on it
  std::string name;    // shown in the gutter
  std::string status;  // shown under the name: how it stands at the end
  std::string status_colour;
  std::vector<Bar> bars;
  std::vector<Mark> marks;
  std::vector<std::pair<size_t, size_t>> slips;  // mark index -> mark index
  bool pack = false;  // every mark labelled, labels packed into rows
  bool flags = false;  // holds flags (taller rows, for the slip arrows)
  int rows = 1;
};

struct Section {
  std::string title;
  std::vector<Lane> lanes;
};

// One sample of the legend: what a glyph / colour means here.
struct LegendEntry {
  Glyph glyph = Glyph::kNote;
  std::string colour;
  std::string text;
  bool bar = false;     // drawn on a span
  bool dashed = false;
};

struct Model {
  std::vector<Section> sections;
  std::vector<LegendEntry> legend;  // statuses, flags and milestones, as first drawn
  std::string subtitle_values;      // " · phase: submitted · chosen partner: Alibaba"
  bool any_slip = false, any_fact = false, any_note = false, any_rumored = false,
       any_tentative = false, any_corrected = false, any_open = false;
};

// Builds the model of `history` (a query's visible events, corrections applied, in
// valid-time order) under the vocabulary of `state` (the same query's state).
// `as_of_text` is how the hover text names the query's as-of ("now" when unbounded).
Model BuildModel(const std::vector<HistoryEntry>& history, const State& state,
                 const std::string& as_of_text);

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_MODEL_H_
