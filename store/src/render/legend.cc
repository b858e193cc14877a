// Copyright annals authors.
//
// The legend of the picture (render/svg.h).

#include <functional>
#include <vector>

#include "render/svg.h"
#include "render/text.h"
#include "render/tone.h"

namespace annals {
namespace internal {
namespace render {

std::string DrawLegend(const Model& model, double top, double left, double right,
                       double* height) {
  struct Sample {
    std::function<std::string(double, double)> draw;
    std::string text;
  };
  std::vector<Sample> samples;
  const std::string muted = colour::kMuted;
  for (const LegendEntry& e : model.legend) {
    samples.push_back({[e](double x, double y) {
                         std::string out;
                         if (e.bar) {
                           out += "<rect class=\"span\" x=\"" + Num(x) + "\" y=\"" +
                                  Num(y - 5) + "\" width=\"26\" height=\"10\" rx=\"5\" fill=\"" +
                                  e.colour + "\" fill-opacity=\"0.28\"" +
                                  (e.dashed ? " stroke=\"" + e.colour +
                                                  "\" stroke-dasharray=\"5 3\""
                                            : std::string()) +
                                  "/>";
                         }
                         return out + DrawGlyph(e.glyph, x + (e.bar ? 8 : 13), y, e.colour);
                       },
                       e.text});
  }
  if (model.any_slip) {
    samples.push_back({[](double x, double y) {
                         return "<g opacity=\"0.4\">" +
                                DrawGlyph(Glyph::kFlag, x, y + 4, colour::kFlag) + "</g>" +
                                DrawGlyph(Glyph::kFlag, x + 16, y + 4, colour::kFlag) +
                                "<path d=\"M" + Num(x + 2) + " " + Num(y - 10) + "Q" +
                                Num(x + 9) + " " + Num(y - 19) + " " + Num(x + 15) + " " +
                                Num(y - 10) + "\" stroke=\"" + colour::kFlag +
                                "\" fill=\"none\" stroke-dasharray=\"3 2\" " +
                                "marker-end=\"url(#arrow)\"/>";
                       },
                       "replaced (arrow to the new value)"});
  }
  samples.push_back({[muted](double x, double y) {
                       return "<rect class=\"range\" x=\"" + Num(x) + "\" y=\"" + Num(y - 8) +
                              "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"" + muted +
                              "\" fill-opacity=\"0.18\" stroke=\"" + muted + "\"/>";
                     },
                     "fuzzy date: earliest \xE2\x80\x93 latest"});
  if (model.any_open) {
    samples.push_back({[muted](double x, double y) {
                         return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y - 5) +
                                "\" width=\"22\" height=\"10\" fill=\"" + muted +
                                "\" fill-opacity=\"0.28\" mask=\"url(#fade-r)\"/><path d=\"M" +
                                Num(x + 21) + " " + Num(y - 6) + "L" + Num(x + 28) + " " +
                                Num(y) + "L" + Num(x + 21) + " " + Num(y + 6) + "Z\" fill=\"" +
                                muted + "\"/>";
                       },
                       "open end: still running, or no bound"});
  }
  if (model.any_rumored) {
    samples.push_back({[muted](double x, double y) {
                         return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y - 8) +
                                "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"" + muted +
                                "\" fill-opacity=\"0.18\" stroke=\"" + muted +
                                "\" stroke-dasharray=\"4 3\"/><rect class=\"hatch\" x=\"" +
                                Num(x) + "\" y=\"" + Num(y - 8) +
                                "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"url(#hatch)\"/>";
                       },
                       "rumored"});
  }
  if (model.any_tentative) {
    samples.push_back({[muted](double x, double y) {
                         return "<g opacity=\"0.55\"><rect x=\"" + Num(x) + "\" y=\"" +
                                Num(y - 8) + "\" width=\"26\" height=\"16\" rx=\"3\" fill=\"" +
                                muted + "\" fill-opacity=\"0.18\" stroke=\"" + muted +
                                "\" stroke-dasharray=\"4 3\"/>" +
                                DrawGlyph(Glyph::kActive, x + 13, y, muted) + "</g>";
                       },
                       "tentative at as-of"});
  }
  if (model.any_corrected) {
    samples.push_back({[](double x, double y) {
                         return "<path d=\"M" + Num(x + 10) + " " + Num(y + 5) + "L" +
                                Num(x + 16) + " " + Num(y - 1) + "\" stroke=\"" +
                                colour::kInk + "\" stroke-width=\"2\" stroke-linecap=\"round\"/>";
                       },
                       "corrected"});
  }
  std::string out = "<g class=\"legend\"><text x=\"16\" y=\"" + Num(top + 18) +
                    "\" font-size=\"11\" font-weight=\"bold\" letter-spacing=\"1\" fill=\"" +
                    colour::kMuted + "\">LEGEND</text>";
  double x = left, y = top + 14;
  for (const Sample& s : samples) {
    const std::string text = Truncate(s.text, 40);
    const double w = 36 + TextWidth(text, 11.5) + 20;
    if (x + w > right + 16 && x > left) {
      x = left;
      y += 28;
    }
    out += "<g class=\"legend-item\">" + s.draw(x, y) + "<text x=\"" + Num(x + 36) + "\" y=\"" +
           Num(y + 4) + "\" font-size=\"11.5\" fill=\"" + colour::kInk + "\">" + Xml(text) +
           "</text></g>";
    x += w;
  }
  out += "</g>";
  *height = y - top + 24;
  return out;
}

}  // namespace render
}  // namespace internal
}  // namespace annals
