// Copyright annals authors.
//
// What a status word looks like in the picture.  A vocabulary's statuses are its own
// words (SPEC §7: `status = 'pending'`, `status = data.verdict`), so the picture reads the
// word itself: a small lexicon of the words people use for how things stand sorts it into
// a tone (starting, going on, paused, waiting, chosen, a good, conditional, bad or neutral
// end), and the tone gives the colour, the glyph and whether the thing is over.  A word
// outside the lexicon is drawn as something going on, in a colour of its own picked from a
// palette by the word, so that different unknown statuses still look different and the
// same one always looks the same.

#ifndef ANNALS_STORE_SRC_RENDER_TONE_H_
#define ANNALS_STORE_SRC_RENDER_TONE_H_

#include <string>
#include <string_view>

#include "render/glyph.h"

namespace annals {
namespace internal {
namespace render {

enum class Tone {
  kOther,        // a word outside the lexicon
  kStart,        // opened, open, started, proposed, announced
  kActive,       // ongoing, active, under_review, appealed
  kPaused,       // stalled, paused, suspended, on_hold
  kPending,      // pending, filed, submitted, awaiting
  kSelected,     // chosen, selected, preferred
  kPositive,     // approved, cleared, accepted, closed, completed
  kConditional,  // conditional, remedies, partial
  kNegative,     // rejected, blocked, dropped, abandoned, cancelled
  kEnded,        // ended, withdrawn, dismissed, expired, removed
};

// The tone of a status word; case, spaces and hyphens are ignored ("On hold" = on_hold).
Tone ToneOf(std::string_view word);
// Whether a thing with this status is over: nothing runs on from it (a span stops).
bool IsFinal(Tone tone);
// The colour of a status word (its tone's, or the palette's for kOther).
std::string ColourOf(std::string_view word);
// The glyph of an event that left a thing in `word`; `first`: the first event of its lane.
Glyph GlyphOf(std::string_view word, bool first);

// Colours of what is not a status.
namespace colour {
inline constexpr const char* kFlag = "#7c3aed";
inline constexpr const char* kMilestone = "#db2777";
inline constexpr const char* kFact = "#0891b2";
inline constexpr const char* kNote = "#64748b";
inline constexpr const char* kInk = "#0f172a";
inline constexpr const char* kMuted = "#64748b";
inline constexpr const char* kAsOf = "#dc2626";
}  // namespace colour

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_TONE_H_
