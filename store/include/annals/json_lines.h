// Copyright annals authors.
//
// JsonLinesReader: the events of a JSON Lines input (the import shape of SPEC §5), parsed
// ahead of their consumer on background threads, in order, in bounded memory.
//
//   annals::JsonLinesReader reader([&](std::string* line) { return ReadLine(line); });
//   auto summary = store->Import([&](std::optional<NewEvent>* event, std::string* label) {
//     uint64_t line_no = 0;
//     ANNALS_RETURN_IF_ERROR(reader.Next(event, &line_no));
//     if (*event) *label = "line " + std::to_string(line_no);
//     return Status::OK();
//   });
//
// Parsing an event (NewEvent::FromJson) costs more CPU than storing it; this lets the two
// run at once.  Lines are read on the caller's thread, inside Next(), in batches; parser
// threads turn batches into events; Next() hands them out in input order.  If the oldest
// batch has not been picked up by a parser thread yet, Next() parses it itself rather than
// wait, so the reader works (without overlap) even with no threads at all.

#ifndef ANNALS_JSON_LINES_H_
#define ANNALS_JSON_LINES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "annals/event.h"
#include "annals/status.h"

namespace annals {

struct JsonLinesOptions {
  // The event types lines are parsed as (Store::Types()); null: EventTypes::BuiltIn().
  // Not owned: must outlive the reader.
  const EventTypes* types = nullptr;
  // Parser threads.  Default -1: one fewer than the machine's cores (the caller's thread
  // stores what the parsers produce), at least 1 and at most 3, beyond which the store,
  // not the parse, is the bottleneck.  0: no threads; Next() parses every line itself.
  int threads = -1;
  // Lines are export lines (SPEC §5's export shape) re-recorded as new events
  // (NewEvent::FromExportJson) instead of import lines (NewEvent::FromJson).
  bool from_export = false;
  // A batch (the unit of work of a parser thread) ends after this many lines or once it
  // holds this many bytes of text, whichever comes first.
  size_t batch_lines = 256;
  size_t batch_bytes = 256 << 10;
  // Batches read ahead of the consumer.  Memory is bounded by about batches_ahead ×
  // (batch_bytes + one line) of text and the events parsed from it, whatever the input's
  // size.  The default covers two of Store::Import's chunks (4096 events), so the parser
  // threads keep working while the store writes one.
  size_t batches_ahead = 32;
};

class JsonLinesReader {
 public:
  // Yields the next line of the input without its line ending ("\n"; the caller strips
  // "\r" if it wants to), or returns false at the end of the input (or on a read error,
  // which the caller tracks).  Called only on the thread that calls Next(), from within
  // Next(); never after Next() has returned the end or an error.
  using LineSource = std::function<bool(std::string* line)>;

  explicit JsonLinesReader(LineSource next_line, JsonLinesOptions options = {});
  // Stops the parser threads (waiting for each to finish the batch it is parsing) and
  // frees what was read ahead.  May be called before the input is exhausted.
  ~JsonLinesReader();
  JsonLinesReader(const JsonLinesReader&) = delete;
  JsonLinesReader& operator=(const JsonLinesReader&) = delete;

  // The next event, in input order.  Blank lines (nothing but spaces and tabs) are
  // skipped.  Returns ok with *event set and *line_no its 1-based line number; ok with
  // *event empty at the end of the input; or the error of the first line that is not a
  // valid event, as NewEvent::FromJson gives it, prefixed "line N: ", once every event of
  // the lines before it has been returned.  After the end or an error, every later call
  // returns the same again and reads nothing more.
  //
  // Thread-safety: one consumer thread; the reader runs its own threads.
  Status Next(std::optional<NewEvent>* event, uint64_t* line_no);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace annals

#endif  // ANNALS_JSON_LINES_H_
