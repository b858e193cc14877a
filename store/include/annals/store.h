// Copyright annals authors.
//
// Store: one annals store on disk (a RocksDB database in a directory).
//
//   auto store = annals::Store::Open("annals.db", options);
//   if (!store.ok()) { ... store.status() ... }
//   auto results = (*store)->Append(std::move(events), {});
//
// Thread-safety: a Store may be used from many threads at once; appends are serialised
// internally, reads see a consistent snapshot.
//
// Sharing (Options::access): a Store opened for writing is the store's only user; any
// number of read-only Stores may be open at once, in this process or others.  Open()
// waits up to Options::wait_micros for the Stores in its way, then fails with
// Unavailable naming them ("store 'db' is in use by pid 12 (annals import big.jsonl)").

#ifndef ANNALS_STORE_H_
#define ANNALS_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "annals/event.h"
#include "annals/options.h"
#include "annals/query.h"
#include "annals/status.h"

namespace annals {

struct AppendResult {
  uint64_t seq = 0;
  uint64_t version = 0;
  std::string id;
  bool existed = false;  // an identical event with this id was already stored (no-op)
};

// What an Import did.
struct ImportSummary {
  uint64_t added = 0;      // events appended
  uint64_t existed = 0;    // identical events already stored under their id (no-ops)
  uint64_t first_seq = 0;  // seq of the first and last appended event; 0 if none
  uint64_t last_seq = 0;
};

// Yields the next event of an import and a label for it in error messages ("line 12"),
// or leaves *event empty at the end of the input.  A non-ok Status aborts the import
// (nothing of it is appended) and is returned by Import as it is.
using ImportSource = std::function<Status(std::optional<NewEvent>* event, std::string* label)>;

struct StreamInfo {
  std::string name;
  uint64_t events = 0;    // current version
  uint64_t last_seq = 0;
};

// Which part of the log to read, in seq order.
struct LogRange {
  std::string stream;                 // empty: all streams
  uint64_t after_seq = 0;             // only events with seq > after_seq
  std::optional<uint64_t> until_seq;  // only events with seq <= until_seq; none: no bound
  std::optional<uint64_t> limit;      // at most this many events (0: none); none: no limit
};

struct VerifyReport {
  uint64_t events = 0;     // events checked
  uint64_t streams = 0;
  std::vector<std::string> problems;  // each names a seq and what is wrong; empty if ok
  bool ok() const { return problems.empty(); }
  std::string ToJson() const;  // {"ok": bool, "events": N, "streams": N, "problems": [...]}
};

// How Verify reports progress.  All fields are optional.
struct VerifyOptions {
  // Called from the verifying thread after every `progress_every` events checked, with the
  // number checked so far.  Default: no progress reports.
  std::function<void(uint64_t events_checked)> progress;
  uint64_t progress_every = 10000;  // 0 is treated as 1
};

// One version of a vocabulary (SPEC §7).
struct VocabularyInfo {
  std::string name;
  uint32_t version = 0;
  uint64_t seq = 0;                 // of its registration; 0 for the built-in `deal` v1
  std::vector<std::string> types;   // its event types
  std::string source;               // the vocabulary file's text
  bool existed = false;  // RegisterVocabulary: the same source is already the latest
                         // version of this name; nothing was written
};

// Visits one item; return false to stop the scan early (not an error).
template <typename T>
using Visitor = std::function<bool(const T&)>;

// How Store::Follow waits for new events.
struct FollowOptions {
  // Asked while Follow waits for new events, at least every `poll_micros`: Follow returns
  // OK as soon as it returns false.  Default (empty): follow until the visitor returns
  // false or an error ends it.
  std::function<bool()> keep_going;
  int64_t poll_micros = 200000;
};

class Store {
 public:
  // Opens (or, with options.create_if_missing, creates) the store at `path`, waiting up
  // to options.wait_micros for other Stores that hold it (see Options::access).
  // Errors: Unavailable if the store is missing (and not to be created), held by other
  // Stores past the wait (the message names their pids and command lines), not an annals
  // store, of a newer format, not readable ("permission denied"), read-only (for
  // kReadWrite: "is read-only"), or unreadable; InvalidArgument for create_if_missing
  // with kReadOnly.  A store that this Open creates is removed again if the Store is
  // destroyed still empty after a failed write (Options::create_if_missing).
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const Options& options);

  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // Appends `events` atomically, in order, as one transaction: all share one recorded_at,
  // strictly later than any earlier append's.  Events may belong to several streams.
  // On success every new event is durable (options.sync) and the result has one entry per
  // input event, in input order.  An event whose id already exists with identical content
  // is a no-op (existed = true, its stored seq and version).
  // Errors, with nothing written: InvalidArgument (bad event, a correction/retraction of a
  // correction/retraction, a second retraction), NotFound (correction/retraction target
  // unknown in its stream), Conflict (expected version mismatch, id reused with other
  // content: the message names the earlier event by its label when it is of the same
  // append or import, else by seq), Unavailable (I/O error; a Store opened read-only).
  virtual Result<std::vector<AppendResult>> Append(std::vector<NewEvent> events,
                                                   const AppendOptions& options) = 0;

  // Appends every event of `next` as ONE atomic transaction, as Append does (one
  // recorded_at, all durable before success or none visible), but in bounded memory: the
  // events are written in chunks beyond the store's head, invisible to readers, and the
  // last write moves the head over them.  Only each added event's label is kept (its
  // length plus 8 bytes), to name it should a later event repeat its id.  If the import
  // fails, or the process dies before that last write, the chunks are removed (on failure
  // at once, after a crash when the store is next opened).  Other appends wait until the
  // import is done.  Errors: those of Append, with the label of the offending event; an
  // empty input is InvalidArgument.
  virtual Result<ImportSummary> Import(const ImportSource& next) = 0;

  // Rebuilds an empty store from an export (SPEC §5 export shape, one event per line),
  // keeping seq, recorded_at and hashes.  `next_line` yields the lines and returns false at
  // end of input.  Errors: InvalidArgument (store not empty, bad line: named by number),
  // Corruption (hash chain broken: named by seq), Unavailable (I/O error; a Store opened
  // read-only).  Nothing is written on error.
  virtual Status Restore(const std::function<bool(std::string* line)>& next_line) = 0;

  // ---- vocabularies (SPEC §7) ----
  //
  // Registers `source`, the text of a vocabulary file (`file_name` names it in messages),
  // as the next version of the vocabulary it names: an event of type `vocabulary` in the
  // stream `$vocabulary`, durable and hash-chained like any other.  Registering the text
  // of the latest version again is a no-op (existed = true).  Errors, with nothing written:
  // InvalidArgument for a file the parser or the vocabulary checks refuse (file:line:column,
  // the event type, effect and ref or path), an event type that belongs to another
  // vocabulary, or a version that breaks the evolution rules (naming type, field, rule);
  // Unavailable for I/O errors.
  virtual Result<VocabularyInfo> RegisterVocabulary(const std::string& source,
                                                    const std::string& file_name) = 0;
  // The latest version of every vocabulary, by name (the built-in `deal` included).
  virtual Result<std::vector<VocabularyInfo>> ListVocabularies() = 0;
  // Version `version` of vocabulary `name` (0: the latest).  NotFound if there is none.
  virtual Result<VocabularyInfo> GetVocabulary(const std::string& name, uint32_t version) = 0;
  // The event types this store knows now: what NewEvent::FromJson needs to parse events
  // for it.  A snapshot: a later registration does not change it.
  virtual EventTypes Types() = 0;

  // Reads.  NotFound if no such event.
  virtual Result<Event> GetBySeq(uint64_t seq) = 0;
  virtual Result<Event> GetById(std::string_view id) = 0;

  // Visits the log in seq order.  Corrections and retractions are included.
  virtual Status ScanLog(const LogRange& range, const Visitor<Event>& visit) = 0;

  // A subscription (SPEC §8 `log --follow`): visits the events of `range` (its stream,
  // after its after_seq) as ScanLog does, and then every matching event appended later,
  // as soon as it is durable: in seq order, each exactly once, without gaps.  It returns
  // OK when the visitor returns false, when range.limit events (if set) were visited, or
  // when options.keep_going says so; until_seq is ignored.  A slow visitor delays nothing
  // else: events are read from the log when the visitor is ready for them.
  // A store opened in this process follows the appends made through it; a store reached
  // through `annals serve` (annals/server.h) follows every client's appends, and Follow
  // fails with Unavailable if the server stops or the connection is lost (the message
  // names the last seq visited, to resume after).
  virtual Status Follow(const LogRange& range, const Visitor<Event>& visit,
                        const FollowOptions& options) = 0;
  Status Follow(const LogRange& range, const Visitor<Event>& visit) {
    return Follow(range, visit, FollowOptions());
  }

  // All streams, by name.
  virtual Result<std::vector<StreamInfo>> ListStreams() = 0;
  // NotFound if the stream has no events.
  virtual Result<StreamInfo> GetStream(std::string_view stream) = 0;

  // Recomputes the hash chain over the whole log and checks every index entry against the
  // log and every event against the indexes.  Problems are reported in the VerifyReport
  // (its ok() is false); the Status is non-ok only if the check could not run.  It reads
  // one snapshot: appends that run meanwhile are neither checked nor blocked.
  // `options.progress`, if set, is called as the log is read (for long stores).
  virtual Result<VerifyReport> Verify(const VerifyOptions& options) = 0;
  Result<VerifyReport> Verify() { return Verify(VerifyOptions()); }

  // ---- bitemporal queries (annals/query.h) ----
  // All queries read a consistent snapshot and never block appends.  Visitors are called
  // synchronously on the calling thread, in the order stated; returning false stops the
  // scan early and the call still succeeds.  Entries (and the Events in them) may be copied
  // and kept: they stay valid after the call returns.
  //
  // The state of query.stream as of query.as_of, as known at query.known_at (SPEC §3).
  // NotFound if the stream has no event visible at known_at; InvalidArgument for a bad
  // as_of / known_at.
  virtual Result<State> GetState(const TimeQuery& query) = 0;
  // The visible events of query.stream whose earliest instant is <= as_of, in valid-time
  // order (earliest, then seq), corrections applied, retracted events left out.  Errors as
  // GetState.
  virtual Status History(const TimeQuery& query, const Visitor<HistoryEntry>& visit) = 0;
  // Changes of the state between as_of `from` and as_of `to`, both at query.known_at.
  virtual Result<DiffResult> Diff(const std::string& stream, const std::string& from,
                                  const std::string& to, const std::string& known_at) = 0;
  // Audit replay: every event of `range` in seq order (corrections and retractions
  // included) with the change it made to its stream's latest-knowledge state.  NotFound if
  // range.stream is given and has no events.
  virtual Status Replay(const LogRange& range, const Visitor<ReplayEntry>& visit) = 0;
};

}  // namespace annals

#endif  // ANNALS_STORE_H_
