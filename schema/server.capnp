# annals server interface: the Cap'n Proto RPC protocol of `annals serve` (SPEC §8).
#
# A connection's bootstrap capability is a Gate.  Gate.open checks the client's token (TCP
# listeners need one; a Unix socket is protected by its file permissions) and hands out
# the Annals capability, whose methods mirror annals::Store (store/include/annals/store.h)
# one for one, so that a RemoteStore can implement Store over them.
#
#   * Events travel as `Event` structs of schema/event.capnp, never as JSON.  A client
#     parses JSON itself, with the event types of the store: it compiles the store's
#     vocabularies (Annals.registrations) as the store does.
#   * Every result carries an Outcome (an annals::Status: code and message), so that a
#     client reports exactly what direct use reports.  A call never fails with an
#     exception for a store error; exceptions mean the connection or the server broke.
#   * Reads that return many items are paged: the call returns a Cursor, and the server
#     produces at most two pages ahead of the client's Cursor.next calls.
#   * Import and restore are streamed from the client (`-> stream` calls, flow-controlled)
#     into one atomic store operation on the server (ImportInput and ImportJob below).  A
#     restore's input travels as the lines of the export (JSON text): restore keeps the
#     export's bytes, hashes and line numbers, which only the parse of those lines gives
#     (docs/DECISIONS.md).
#   * Subscriptions are long polls (Annals.follow): the server answers from the log as
#     soon as matching events exist, and holds nothing for a slow subscriber.
#
# COMPATIBILITY: ordinals are never renumbered or reused; fields and methods are only
# added at the end.  A client and a server agree on `protocol` in Gate.open.

@0x97d6b3d467a72ef5;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("annals::rpc");

using Event = import "event.capnp".Event;
using Checkpoint = import "checkpoint.capnp".Checkpoint;

# The protocol version a client states in Gate.open; a server refuses any other.
const protocol :UInt32 = 1;

# An annals::Status: code 0 is ok; otherwise annals::Status::Code and the message.
struct Outcome {
  code @0 :UInt8;
  message @1 :Text;
}

struct ServerInfo {
  pid @0 :UInt32;
  store @1 :Text;         # the store directory, as the server opened it
  version @2 :Text;       # annals version of the server
}

interface Gate {
  # Refused (Outcome Unavailable, no `store`) for a wrong or missing token on a listener
  # that needs one, or another protocol version.
  open @0 (token :Data, protocol :UInt32) -> (outcome :Outcome, store :Annals, info :ServerInfo);
}

# ---- values ------------------------------------------------------------------------------

struct LogRange {
  stream @0 :Text;        # empty: all streams
  afterSeq @1 :UInt64;
  untilSeq @2 :UInt64;    # when hasUntil
  limit @3 :UInt64;       # when hasLimit
  hasUntil @4 :Bool;      # false: no bound
  hasLimit @5 :Bool;      # false: no limit
}

struct TimeQuery {
  stream @0 :Text;
  asOf @1 :Text;
  knownAt @2 :Text;
}

struct ExpectedVersion {
  stream @0 :Text;
  version @1 :UInt64;
}

struct AppendResult {
  seq @0 :UInt64;
  version @1 :UInt64;
  id @2 :Text;
  existed @3 :Bool;
}

struct ImportSummary {
  added @0 :UInt64;
  existed @1 :UInt64;
  firstSeq @2 :UInt64;
  lastSeq @3 :UInt64;
}

struct StreamInfo {
  name @0 :Text;
  events @1 :UInt64;
  lastSeq @2 :UInt64;
}

struct VocabularyInfo {
  name @0 :Text;
  version @1 :UInt32;
  seq @2 :UInt64;
  types @3 :List(Text);
  source @4 :Text;
  existed @5 :Bool;
}

struct VerifyReport {
  events @0 :UInt64;
  streams @1 :UInt64;
  problems @2 :List(Text);
}

struct Change {
  path @0 :Text;
  fromJson @1 :Text;
  toJson @2 :Text;
  fromText @3 :Text;
  toText @4 :Text;
}

struct Fact {
  key @0 :Text;
  value @1 :Text;
}

# An annals::State.  `root` is the vocabulary's state tree (absent: the stream has no
# vocabulary yet); the client gives it meaning with its own compiled copy of
# `vocabulary` version `vocabularyVersion`.
struct State {
  stream @0 :Text;
  asOf @1 :Text;
  knownAt @2 :Text;
  vocabulary @3 :Text;
  vocabularyVersion @4 :UInt32;
  facts @5 :List(Fact);
  eventsApplied @6 :UInt64;
  tentative @7 :List(Text);
  root @8 :Checkpoint.Node;
}

struct Diff {
  stream @0 :Text;
  from @1 :Text;
  to @2 :Text;
  knownAt @3 :Text;
  changes @4 :List(Change);
}

struct HistoryEntry {
  event @0 :Event;        # as read at the query's known_at: corrections applied
  corrected @1 :Bool;
  tentative @2 :Bool;
}

struct ReplayEntry {
  event @0 :Event;
  changes @1 :List(Change);
}

# One page of a Cursor.
struct Page {
  union {
    events @0 :List(Event);
    history @1 :List(HistoryEntry);
    replay @2 :List(ReplayEntry);
    verified @3 :UInt64;          # Verify's progress: events checked so far
    report @4 :VerifyReport;      # Verify's result (the last page)
  }
}

# ---- capabilities ------------------------------------------------------------------------

interface Cursor {
  # The next page, in order.  `done` with the last one; `outcome` is the status of the
  # whole read (set with `done`).  Releasing a Cursor stops the read on the server.
  next @0 () -> (page :Page, done :Bool, outcome :Outcome);
}

# An import or a restore takes two capabilities: the input (streamed calls) and the job,
# which ends the input and gives the outcome.  Two, because once a streamed call fails
# (the import already ended, with an error) Cap'n Proto 0.9 fails every later call on the
# same capability; the job's `finish` still says why.  Releasing the job before `finish` has
# answered (the client went away) aborts it: nothing is written.
interface ImportInput {
  # Events of an import, in order, with their labels ("line 12") for error messages.
  chunk @0 (events :List(Event), labels :List(Text)) -> stream;
}

interface ImportJob {
  # The end of the input, with the status the client's source ended with (ok: the input
  # ended; otherwise the import fails with it at this point, as Store::Import does), and
  # the number of chunks sent before it (calls on two capabilities are not ordered: the
  # end applies once that many chunks have arrived).
  finish @0 (end :Outcome, chunks :UInt64) -> (outcome :Outcome, summary :ImportSummary);
}

interface RestoreInput {
  lines @0 (lines :List(Text)) -> stream;
}

interface RestoreJob {
  finish @0 (chunks :UInt64) -> (outcome :Outcome);
}

# The store (annals::Store), as one client sees it.
interface Annals {
  append @0 (events :List(Event), expected :List(ExpectedVersion), labels :List(Text))
      -> (outcome :Outcome, results :List(AppendResult));
  import @1 () -> (input :ImportInput, job :ImportJob);
  restore @2 () -> (input :RestoreInput, job :RestoreJob);
  registerVocabulary @3 (source :Text, fileName :Text) -> (outcome :Outcome, info :VocabularyInfo);
  listVocabularies @4 () -> (outcome :Outcome, list :List(VocabularyInfo));
  getVocabulary @5 (name :Text, version :UInt32) -> (outcome :Outcome, info :VocabularyInfo);
  # Every registered vocabulary version with a seq > afterSeq, with its source, in seq
  # order: what a client compiles to know the store's event types.
  registrations @6 (afterSeq :UInt64) -> (outcome :Outcome, list :List(VocabularyInfo));
  getBySeq @7 (seq :UInt64) -> (outcome :Outcome, event :Event);
  getById @8 (id :Text) -> (outcome :Outcome, event :Event);
  scanLog @9 (range :LogRange) -> (cursor :Cursor);
  listStreams @10 () -> (outcome :Outcome, streams :List(StreamInfo));
  getStream @11 (stream :Text) -> (outcome :Outcome, info :StreamInfo);
  verify @12 (progressEvery :UInt64) -> (cursor :Cursor);
  getState @13 (query :TimeQuery) -> (outcome :Outcome, state :State);
  history @14 (query :TimeQuery) -> (cursor :Cursor);
  diff @15 (stream :Text, from :Text, to :Text, knownAt :Text) -> (outcome :Outcome, diff :Diff);
  replay @16 (range :LogRange) -> (cursor :Cursor);
  # A long poll: the events of `stream` (empty: all) with seq > afterSeq, at most
  # maxEvents, as soon as there are any; after waitMillis with none, an empty answer.
  # `scannedTo`: the seq up to which the log was read (the next call's afterSeq).
  follow @17 (stream :Text, afterSeq :UInt64, maxEvents :UInt32, waitMillis :UInt32)
      -> (outcome :Outcome, events :List(Event), scannedTo :UInt64);
}
