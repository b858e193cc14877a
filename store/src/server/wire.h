// Copyright annals authors.
//
// Conversions between annals' C++ values and the messages of schema/server.capnp, on both
// sides of a connection, and the one place where a kj::Exception (a broken connection, a
// malformed message) becomes a Status in the server module.
//
// Events from clients are untrusted: NewEventFromWire rebuilds each one field by field
// through its type's schema into a fresh message (so that nothing the schema does not
// describe is stored and hashed), with the checks JSON input gets (text limits, required
// fields, store-assigned fields refused, dates, names), and never throws.

#ifndef ANNALS_STORE_SRC_SERVER_WIRE_H_
#define ANNALS_STORE_SRC_SERVER_WIRE_H_

#include <kj/exception.h>

#include <string>
#include <string_view>
#include <vector>

#include "annals/query.h"
#include "annals/store.h"
#include "server.capnp.h"
#include "vocabulary/registry.h"

namespace annals {
namespace internal {

// ---- status ----
void SetOutcome(const Status& status, rpc::Outcome::Builder out);
Status OutcomeStatus(rpc::Outcome::Reader in);
// A Status with `code` (any, ok included) and `message`.
Status StatusOf(Status::Code code, std::string message);
// A kj::Exception as a Status: a lost connection, an overloaded or outdated peer are
// Unavailable; any other failure gets `failed` (InvalidArgument for a malformed request,
// Unavailable for a server that failed).  `what` starts the message.
Status FromKj(const kj::Exception& e, Status::Code failed, std::string_view what);

// ---- events ----
// Server side: an event a client sent to append or import.  InvalidArgument naming what is
// wrong (never throws).
Result<NewEvent> NewEventFromWire(schema::Event::Reader in, const EventTypeResolver& types);
// Client side: an event the server sent.  NotFound if its type is not in `types` (a
// vocabulary registered after the client read them: refresh and retry); Unavailable if it
// is malformed.
Result<Event> EventFromWire(schema::Event::Reader in, const EventTypeResolver& types);

// ---- values ----
void SetLogRange(const LogRange& range, rpc::LogRange::Builder out);
LogRange LogRangeFromWire(rpc::LogRange::Reader in);
void SetTimeQuery(const TimeQuery& query, rpc::TimeQuery::Builder out);
TimeQuery TimeQueryFromWire(rpc::TimeQuery::Reader in);
void SetChanges(const std::vector<Change>& changes, capnp::List<rpc::Change>::Builder out);
std::vector<Change> ChangesFromWire(capnp::List<rpc::Change>::Reader in);
void SetVocabularyInfo(const VocabularyInfo& info, bool with_source,
                       rpc::VocabularyInfo::Builder out);
VocabularyInfo VocabularyInfoFromWire(rpc::VocabularyInfo::Reader in);
void SetStreamInfo(const StreamInfo& info, rpc::StreamInfo::Builder out);
StreamInfo StreamInfoFromWire(rpc::StreamInfo::Reader in);
void SetVerifyReport(const VerifyReport& report, rpc::VerifyReport::Builder out);
VerifyReport VerifyReportFromWire(rpc::VerifyReport::Reader in);
void SetDiff(const DiffResult& diff, rpc::Diff::Builder out);
DiffResult DiffFromWire(rpc::Diff::Reader in);
void SetState(const State& state, rpc::State::Builder out);
// NotFound if `registry` lacks the state's vocabulary version (refresh and retry).
Result<State> StateFromWire(rpc::State::Reader in, const Registry& registry);

// A registry with the registrations (VocabularyInfo with sources, in seq order) added to
// `base`, each compiled here as the store compiled it.  Unavailable if one does not compile
// (a client older than the server's vocabulary language).
Result<std::shared_ptr<const Registry>> WithRegistrations(
    std::shared_ptr<const Registry> base, const std::vector<VocabularyInfo>& registrations);

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_SERVER_WIRE_H_
