// Copyright annals authors.
//
// The picture as SVG: lays out a Model (render/model.h) on a time axis (render/axis.h)
// and writes it.
//
// Invariants of the output: every event mark is a <g class="ev ..."> holding a <title>
// (the hover text) and a <rect class="range"> whose width is the event's [earliest,
// latest] on the axis (at least 2 px, so that precise dates stay visible; an unbounded
// end reaches the edge of the axis and fades, with an arrow); all text that comes from
// events or the vocabulary goes through Xml(); the output depends only on the model and
// the query (no wall-clock time, no recorded_at), so it can be committed and compared.

#ifndef ANNALS_STORE_SRC_RENDER_SVG_H_
#define ANNALS_STORE_SRC_RENDER_SVG_H_

#include <cstddef>
#include <string>

#include "render/model.h"

namespace annals {
namespace internal {
namespace render {

struct SvgQuery {
  std::string stream;
  std::string as_of;     // as the query gave it; empty: unbounded
  std::string known_at;  // empty: now
  size_t events = 0;     // visible events drawn
};

// The <svg> element (no XML declaration), ending with "\n".
std::string DrawSvg(Model model, const SvgQuery& query);

// The legend below the lanes: one sample per status, flag and milestone drawn, then the
// styles (fuzzy date, rumored, tentative, corrected, replaced, open end) that occur.
// `left`, `right`: the plot's x range; sets `*height`.
std::string DrawLegend(const Model& model, double top, double left, double right,
                       double* height);

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_SVG_H_
