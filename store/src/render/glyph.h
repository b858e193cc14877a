// Copyright annals authors.
//
// The marks of the picture: a small glyph per kind of event, drawn in SVG at a point.

#ifndef ANNALS_STORE_SRC_RENDER_GLYPH_H_
#define ANNALS_STORE_SRC_RENDER_GLYPH_H_

#include <string>

namespace annals {
namespace internal {
namespace render {

enum class Glyph {
  kStart,        // open ring: something starts (talks opened, a review opened)
  kActive,       // dot: it goes on
  kPaused,       // pause bars: stalled
  kPending,      // document: filed, waiting for an answer
  kSelected,     // diamond: chosen
  kPositive,     // check in a disc: approved, cleared
  kConditional,  // bar in a disc: approved with conditions, remedies
  kNegative,     // cross in a ring, red: rejected, blocked, dropped
  kEnded,        // cross in a ring, grey: ended, withdrawn
  kFlag,         // a flag: a value that may be replaced (a target date that slips)
  kMilestone,    // triangle: a one-off outcome (launched, closed)
  kFact,         // small disc: a core `fact`
  kNote,         // small ring: a core `note`
};

// Its name in class="marker marker-NAME": start, active, paused, pending, selected,
// positive, conditional, negative, ended, flag, milestone, fact, note.
const char* GlyphName(Glyph g);

// SVG for glyph `g` centred at (x, y) in `colour`.
std::string DrawGlyph(Glyph g, double x, double y, const std::string& colour);

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_GLYPH_H_
