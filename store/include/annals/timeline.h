// Copyright annals authors.
//
// Timeline pictures: a stream drawn as an SVG image, for people who would rather look than
// read.
//
//   auto svg = annals::RenderTimelineSvg(*store, {"apple-intelligence-cn", "2025-03", ""});
//   if (svg.ok()) WriteFile("deal.svg", *svg);
//
// The picture shows the stream's history for the query (the same visible events as
// Store::History, corrections applied, retracted events left out), for any vocabulary,
// with lanes derived from the shape of its state (SPEC §7):
//   * a time axis whose ticks (months, quarters or years) fit the span of the events, any
//     year EDTF allows included; an open or unknown interval end reaches the edge of the
//     axis and fades out, with an arrow;
//   * a lane per map entry and per list element (the deal's partners, its submissions by
//     regulator), in a section named after the field: spans coloured by the entry's status
//     (talks open, chosen, a filing pending), a mark per event whose glyph says what the
//     status became (a choice is a diamond, a block or a rejection a red cross);
//   * a value whose replaced values are kept (a launch target, an outside date): flags at
//     the dates they name; a replaced one is faded and an arrow leads to its replacement;
//   * other struct values (a launch, a closing) as milestones; `$A.lane` in the vocabulary
//     may put several fields on one lane;
//   * a lane for facts and notes;
//   * every valid time drawn as the range [earliest, latest] of its fuzzy date, never as a
//     point; rumored events hatched with a dashed outline; events that are tentative at
//     the query's as_of (they may not have happened yet) faded and dashed;
//   * a title naming the stream, as_of, known_at and the state's text values (a phase, a
//     status), and a legend of the statuses and styles drawn.
// Each event carries an SVG <title> with its details (id, seq, type, dates, description,
// confidence, source), which browsers show on hover.
//
// The output is deterministic: the same events and query give the same bytes (it contains
// no recording times and no "now").  All text from events is escaped for XML.
//
// Thread-safety: as for the Store queries it calls (a Store may be shared by threads).

#ifndef ANNALS_TIMELINE_H_
#define ANNALS_TIMELINE_H_

#include <string>

#include "annals/query.h"
#include "annals/status.h"

namespace annals {

class Store;

// Renders the stream `query.stream` as seen at `query.as_of` / `query.known_at` (their
// grammar and defaults are those of TimeQuery) as a standalone SVG document (UTF-8, with
// an XML declaration).
// Errors: NotFound if the stream has no event visible at known_at; InvalidArgument for a
// bad as_of / known_at; Unavailable / Corruption as the store's reads report them.
Result<std::string> RenderTimelineSvg(Store& store, const TimeQuery& query);

// The same picture embedded in a self-contained HTML page (no external resources): hovering
// an event shows its details in a panel, and a table below lists every event drawn.
// Errors as RenderTimelineSvg.
Result<std::string> RenderTimelineHtml(Store& store, const TimeQuery& query);

}  // namespace annals

#endif  // ANNALS_TIMELINE_H_
