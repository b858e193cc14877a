// Copyright annals authors.

#include "render/tone.h"

#include <cctype>
#include <cstdint>
#include <string>

namespace annals {
namespace internal {
namespace render {
namespace {

struct Word {
  const char* word;
  Tone tone;
};

// Lower case, '_' between words.
constexpr Word kLexicon[] = {
    {"open", Tone::kStart},          {"opened", Tone::kStart},
    {"started", Tone::kStart},       {"begun", Tone::kStart},
    {"initiated", Tone::kStart},     {"proposed", Tone::kStart},
    {"announced", Tone::kStart},     {"created", Tone::kStart},
    {"new", Tone::kStart},           {"ongoing", Tone::kActive},
    {"active", Tone::kActive},       {"in_progress", Tone::kActive},
    {"continuing", Tone::kActive},   {"resumed", Tone::kActive},
    {"running", Tone::kActive},      {"under_review", Tone::kActive},
    {"reviewing", Tone::kActive},    {"negotiating", Tone::kActive},
    {"appealed", Tone::kActive},     {"remanded", Tone::kActive},
    {"litigation", Tone::kActive},   {"stalled", Tone::kPaused},
    {"paused", Tone::kPaused},       {"suspended", Tone::kPaused},
    {"on_hold", Tone::kPaused},      {"delayed", Tone::kPaused},
    {"deferred", Tone::kPaused},     {"pending", Tone::kPending},
    {"filed", Tone::kPending},       {"submitted", Tone::kPending},
    {"awaiting", Tone::kPending},    {"waiting", Tone::kPending},
    {"requested", Tone::kPending},   {"scheduled", Tone::kPending},
    {"planned", Tone::kPending},     {"chosen", Tone::kSelected},
    {"selected", Tone::kSelected},   {"picked", Tone::kSelected},
    {"preferred", Tone::kSelected},  {"shortlisted", Tone::kSelected},
    {"nominated", Tone::kSelected},  {"awarded", Tone::kSelected},
    {"approved", Tone::kPositive},   {"cleared", Tone::kPositive},
    {"accepted", Tone::kPositive},   {"granted", Tone::kPositive},
    {"passed", Tone::kPositive},     {"allowed", Tone::kPositive},
    {"affirmed", Tone::kPositive},   {"completed", Tone::kPositive},
    {"complete", Tone::kPositive},   {"done", Tone::kPositive},
    {"closed", Tone::kPositive},     {"signed", Tone::kPositive},
    {"succeeded", Tone::kPositive},  {"resolved", Tone::kPositive},
    {"won", Tone::kPositive},        {"adopted", Tone::kPositive},
    {"confirmed", Tone::kPositive},  {"certified", Tone::kPositive},
    {"conditional", Tone::kConditional}, {"remedies", Tone::kConditional},
    {"partial", Tone::kConditional}, {"conditions", Tone::kConditional},
    {"qualified", Tone::kConditional}, {"rejected", Tone::kNegative},
    {"blocked", Tone::kNegative},    {"denied", Tone::kNegative},
    {"refused", Tone::kNegative},    {"dropped", Tone::kNegative},
    {"failed", Tone::kNegative},     {"lost", Tone::kNegative},
    {"cancelled", Tone::kNegative},  {"canceled", Tone::kNegative},
    {"abandoned", Tone::kNegative},  {"terminated", Tone::kNegative},
    {"vetoed", Tone::kNegative},     {"prohibited", Tone::kNegative},
    {"reversed", Tone::kNegative},   {"revoked", Tone::kNegative},
    {"declined", Tone::kNegative},   {"ended", Tone::kEnded},
    {"withdrawn", Tone::kEnded},     {"dismissed", Tone::kEnded},
    {"expired", Tone::kEnded},       {"stopped", Tone::kEnded},
    {"finished", Tone::kEnded},      {"lapsed", Tone::kEnded},
    {"inactive", Tone::kEnded},      {"archived", Tone::kEnded},
    {"removed", Tone::kEnded},       {"decided", Tone::kEnded},
    {"settled", Tone::kEnded},       {"superseded", Tone::kEnded},
};

// Colours for words outside the lexicon, none of them a tone's.
constexpr const char* kPalette[] = {"#7c3aed", "#db2777", "#0891b2", "#4f46e5",
                                    "#9333ea", "#c2410c", "#0f766e", "#be185d"};

std::string Normalized(std::string_view word) {
  std::string out;
  for (char c : word) {
    if (c == ' ' || c == '-') c = '_';
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

const char* ToneColour(Tone tone) {
  switch (tone) {
    case Tone::kStart:
    case Tone::kActive: return "#2563eb";
    case Tone::kPaused: return "#d97706";
    case Tone::kPending: return "#ca8a04";
    case Tone::kSelected:
    case Tone::kPositive: return "#16a34a";
    case Tone::kConditional: return "#0d9488";
    case Tone::kNegative: return "#dc2626";
    case Tone::kEnded: return "#6b7280";
    case Tone::kOther: break;
  }
  return colour::kMuted;
}

}  // namespace

Tone ToneOf(std::string_view word) {
  const std::string w = Normalized(word);
  for (const Word& entry : kLexicon) {
    if (w == entry.word) return entry.tone;
  }
  return Tone::kOther;
}

bool IsFinal(Tone tone) {
  return tone == Tone::kPositive || tone == Tone::kConditional || tone == Tone::kNegative ||
         tone == Tone::kEnded;
}

std::string ColourOf(std::string_view word) {
  const Tone tone = ToneOf(word);
  if (tone != Tone::kOther) return ToneColour(tone);
  if (word.empty()) return colour::kMuted;
  uint32_t h = 2166136261u;  // FNV-1a: the same word, the same colour, on every machine
  for (char c : Normalized(word)) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return kPalette[h % (sizeof(kPalette) / sizeof(kPalette[0]))];
}

Glyph GlyphOf(std::string_view word, bool first) {
  switch (ToneOf(word)) {
    case Tone::kStart: return first ? Glyph::kStart : Glyph::kActive;
    case Tone::kActive: return Glyph::kActive;
    case Tone::kPaused: return Glyph::kPaused;
    case Tone::kPending: return Glyph::kPending;
    case Tone::kSelected: return Glyph::kSelected;
    case Tone::kPositive: return Glyph::kPositive;
    case Tone::kConditional: return Glyph::kConditional;
    case Tone::kNegative: return Glyph::kNegative;
    case Tone::kEnded: return Glyph::kEnded;
    case Tone::kOther: break;
  }
  return first ? Glyph::kStart : Glyph::kActive;
}

}  // namespace render
}  // namespace internal
}  // namespace annals
