// Copyright annals authors.
//
// The picture as a self-contained HTML page (annals/timeline.h, RenderTimelineHtml): the
// SVG, a panel that shows the details of the event under the pointer, and a table of
// every event drawn.  No external resources.

#ifndef ANNALS_STORE_SRC_RENDER_HTML_H_
#define ANNALS_STORE_SRC_RENDER_HTML_H_

#include <string>
#include <vector>

#include "annals/query.h"

namespace annals {
namespace internal {
namespace render {

// `svg`: the <svg> element (DrawSvg); `history`: the events it draws.
std::string HtmlPage(const std::string& stream, const std::string& svg,
                     const std::vector<HistoryEntry>& history);

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_HTML_H_
