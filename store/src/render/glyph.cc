// Copyright annals authors.

#include "render/glyph.h"

#include "render/text.h"

namespace annals {
namespace internal {
namespace render {

const char* GlyphName(Glyph g) {
  switch (g) {
    case Glyph::kStart: return "start";
    case Glyph::kActive: return "active";
    case Glyph::kPaused: return "paused";
    case Glyph::kPending: return "pending";
    case Glyph::kSelected: return "selected";
    case Glyph::kPositive: return "positive";
    case Glyph::kConditional: return "conditional";
    case Glyph::kNegative: return "negative";
    case Glyph::kEnded: return "ended";
    case Glyph::kFlag: return "flag";
    case Glyph::kMilestone: return "milestone";
    case Glyph::kFact: return "fact";
    case Glyph::kNote: return "note";
  }
  return "event";
}

std::string DrawGlyph(Glyph g, double x, double y, const std::string& c) {
  const std::string cls = std::string("marker marker-") + GlyphName(g);
  const std::string X = Num(x), Y = Num(y);
  auto cross = [&](double r, const std::string& stroke) {
    return "<path d=\"M" + Num(x - r) + " " + Num(y - r) + "L" + Num(x + r) + " " +
           Num(y + r) + "M" + Num(x - r) + " " + Num(y + r) + "L" + Num(x + r) + " " +
           Num(y - r) + "\" stroke=\"" + stroke + "\" stroke-width=\"2.2\" " +
           "stroke-linecap=\"round\" fill=\"none\"/>";
  };
  switch (g) {
    case Glyph::kStart:
      return "<circle class=\"" + cls + "\" cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"5\" fill=\"#fff\" stroke=\"" + c + "\" stroke-width=\"2.2\"/>";
    case Glyph::kActive:
    case Glyph::kFact:
      return "<circle class=\"" + cls + "\" cx=\"" + X + "\" cy=\"" + Y + "\" r=\"5\" fill=\"" +
             c + "\" stroke=\"#fff\" stroke-width=\"1.5\"/>";
    case Glyph::kNote:
      return "<circle class=\"" + cls + "\" cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"4.5\" fill=\"#fff\" stroke=\"" + c + "\" stroke-width=\"2\"/>";
    case Glyph::kPaused:
      return "<g class=\"" + cls + "\"><circle cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"7\" fill=\"#fff\"/><rect x=\"" + Num(x - 4) + "\" y=\"" + Num(y - 5) +
             "\" width=\"3\" height=\"10\" fill=\"" + c + "\"/><rect x=\"" + Num(x + 1) +
             "\" y=\"" + Num(y - 5) + "\" width=\"3\" height=\"10\" fill=\"" + c + "\"/></g>";
    case Glyph::kEnded:
    case Glyph::kNegative:
      return "<g class=\"" + cls + "\"><circle cx=\"" + X + "\" cy=\"" + Y +
             "\" r=\"7\" fill=\"#fff\" stroke=\"" + c + "\" stroke-width=\"1.2\"/>" +
             cross(3.5, c) + "</g>";
    case Glyph::kSelected:
      return "<path class=\"" + cls + "\" d=\"M" + X + " " + Num(y - 8) + "L" + Num(x + 8) +
             " " + Y + "L" + X + " " + Num(y + 8) + "L" + Num(x - 8) + " " + Y +
             "Z\" fill=\"" + c + "\" stroke=\"#fff\" stroke-width=\"1.5\"/>";
    case Glyph::kPending:
      return "<path class=\"" + cls + "\" d=\"M" + Num(x - 5) + " " + Num(y - 7) + "H" +
             Num(x + 2) + "L" + Num(x + 5) + " " + Num(y - 4) + "V" + Num(y + 7) + "H" +
             Num(x - 5) + "Z\" fill=\"" + c + "\" stroke=\"#fff\" stroke-width=\"1.2\"/>";
    case Glyph::kPositive:
    case Glyph::kConditional: {
      std::string inner;
      if (g == Glyph::kPositive) {
        inner = "<path d=\"M" + Num(x - 3.5) + " " + Y + "L" + Num(x - 1) + " " +
                Num(y + 3) + "L" + Num(x + 4) + " " + Num(y - 3) +
                "\" stroke=\"#fff\" stroke-width=\"2\" fill=\"none\"/>";
      } else {
        inner = "<path d=\"M" + Num(x - 3.5) + " " + Y + "H" + Num(x + 3.5) +
                "\" stroke=\"#fff\" stroke-width=\"2\"/>";
      }
      return "<g class=\"" + cls + "\"><circle cx=\"" + X + "\" cy=\"" + Y + "\" r=\"7\" fill=\"" +
             c + "\"/>" + inner + "</g>";
    }
    case Glyph::kFlag:
      return "<g class=\"" + cls + "\"><path d=\"M" + X + " " + Num(y + 8) + "V" +
             Num(y - 13) + "\" stroke=\"" + c + "\" stroke-width=\"2\"/><path d=\"M" + X + " " +
             Num(y - 13) + "L" + Num(x + 13) + " " + Num(y - 8.5) + "L" + X + " " + Num(y - 4) +
             "Z\" fill=\"" + c + "\"/></g>";
    case Glyph::kMilestone:
      return "<path class=\"" + cls + "\" d=\"M" + X + " " + Num(y - 9) + "L" + Num(x + 8) +
             " " + Num(y + 6) + "L" + Num(x - 8) + " " + Num(y + 6) + "Z\" fill=\"" + c +
             "\" stroke=\"#fff\" stroke-width=\"1.2\"/>";
  }
  return "";
}

}  // namespace render
}  // namespace internal
}  // namespace annals
