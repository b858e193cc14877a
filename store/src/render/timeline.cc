// Copyright annals authors.
//
// The timeline picture of annals/timeline.h, in three steps: read the stream's history
// (Store::History, corrections applied) and state; build the model of what is drawn, lanes
// derived from the state's shape (render/model.h); lay it out on a time axis and write SVG
// (render/svg.h), or an HTML page around it (render/html.h).

#include "annals/timeline.h"

#include <string>
#include <vector>

#include "annals/store.h"
#include "render/html.h"
#include "render/model.h"
#include "render/svg.h"

namespace annals {
namespace {

struct Picture {
  std::string svg;
  std::vector<HistoryEntry> history;
};

Result<Picture> Render(Store& store, const TimeQuery& query) {
  auto state = store.GetState(query);
  if (!state.ok()) return state.status();
  Picture pic;
  Status s = store.History(query, [&](const HistoryEntry& h) {
    pic.history.push_back(h);
    return true;
  });
  ANNALS_RETURN_IF_ERROR(s);
  internal::render::Model model = internal::render::BuildModel(
      pic.history, *state, query.as_of.empty() ? "now" : query.as_of);
  internal::render::SvgQuery q;
  q.stream = query.stream;
  q.as_of = query.as_of;
  q.known_at = query.known_at;
  q.events = pic.history.size();
  pic.svg = internal::render::DrawSvg(std::move(model), q);
  return pic;
}

}  // namespace

Result<std::string> RenderTimelineSvg(Store& store, const TimeQuery& query) {
  auto pic = Render(store, query);
  if (!pic.ok()) return pic.status();
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + pic->svg;
}

Result<std::string> RenderTimelineHtml(Store& store, const TimeQuery& query) {
  auto pic = Render(store, query);
  if (!pic.ok()) return pic.status();
  return internal::render::HtmlPage(query.stream, pic->svg, pic->history);
}

}  // namespace annals
