// Copyright annals authors.

#include "server/wire.h"

#include <capnp/message.h>

#include <memory>
#include <string>
#include <utility>

#include "bitemporal/checkpoint_node.h"
#include "codec/event_rep.h"
#include "bitemporal/projection.h"
#include "vocabulary/vocabulary.h"

namespace annals {
namespace internal {

namespace {

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

// ---- events from clients: rebuilt through their schema ----

Status CopyStruct(capnp::DynamicStruct::Reader in, capnp::DynamicStruct::Builder out,
                  const std::string& path, int depth);

Status CopyList(capnp::DynamicList::Reader in, capnp::DynamicList::Builder out,
                const std::string& path, int depth) {
  using W = capnp::schema::Type;
  const capnp::Type element = in.getSchema().getElementType();
  for (unsigned i = 0; i < in.size(); ++i) {
    const std::string name = path + "." + std::to_string(i);
    switch (element.which()) {
      case W::TEXT: {
        auto t = in[i].as<capnp::Text>();
        ANNALS_RETURN_IF_ERROR(CheckEventText(name, t));
        out.set(i, t);
        break;
      }
      case W::DATA:
        out.set(i, in[i].as<capnp::Data>());
        break;
      case W::STRUCT:
        ANNALS_RETURN_IF_ERROR(CopyStruct(in[i].as<capnp::DynamicStruct>(),
                                          out[i].as<capnp::DynamicStruct>(), name, depth + 1));
        break;
      case W::LIST: {
        auto l = in[i].as<capnp::DynamicList>();
        ANNALS_RETURN_IF_ERROR(
            CopyList(l, out.init(i, l.size()).as<capnp::DynamicList>(), name, depth + 1));
        break;
      }
      case W::ANY_POINTER:
      case W::INTERFACE:
        return Status::InvalidArgument("field '" + name + "' cannot be sent");
      default:
        out.set(i, in[i]);
    }
  }
  return Status::OK();
}

Status CopyField(capnp::DynamicStruct::Reader in, capnp::DynamicStruct::Builder out,
                 capnp::StructSchema::Field field, const std::string& path, int depth) {
  using W = capnp::schema::Type;
  const std::string name = path + "." + field.getProto().getName().cStr();
  if (field.getProto().isGroup()) {
    return CopyStruct(in.get(field).as<capnp::DynamicStruct>(),
                      out.get(field).as<capnp::DynamicStruct>(), name, depth + 1);
  }
  switch (field.getType().which()) {
    case W::TEXT: {
      if (!in.has(field)) return Status::OK();
      auto t = in.get(field).as<capnp::Text>();
      ANNALS_RETURN_IF_ERROR(CheckEventText(name, t));
      out.set(field, t);
      return Status::OK();
    }
    case W::DATA:
      if (in.has(field)) out.set(field, in.get(field));
      return Status::OK();
    case W::STRUCT:
      if (!in.has(field)) return Status::OK();
      return CopyStruct(in.get(field).as<capnp::DynamicStruct>(),
                        out.init(field).as<capnp::DynamicStruct>(), name, depth + 1);
    case W::LIST: {
      if (!in.has(field)) return Status::OK();
      auto l = in.get(field).as<capnp::DynamicList>();
      return CopyList(l, out.init(field, l.size()).as<capnp::DynamicList>(), name, depth + 1);
    }
    case W::ANY_POINTER:
    case W::INTERFACE:
      if (in.has(field)) return Status::InvalidArgument("field '" + name + "' cannot be sent");
      return Status::OK();
    case W::VOID:
      out.set(field, capnp::VOID);  // selects a union member
      return Status::OK();
    default:
      out.set(field, in.get(field));
      return Status::OK();
  }
}

Status CopyStruct(capnp::DynamicStruct::Reader in, capnp::DynamicStruct::Builder out,
                  const std::string& path, int depth) {
  if (depth > 64) return Status::InvalidArgument("field '" + path + "' is nested too deeply");
  for (auto field : in.getSchema().getNonUnionFields()) {
    ANNALS_RETURN_IF_ERROR(CopyField(in, out, field, path, depth));
  }
  KJ_IF_MAYBE(field, in.which()) {
    ANNALS_RETURN_IF_ERROR(CopyField(in, out, *field, path, depth));
  }
  return Status::OK();
}

// The envelope fields a caller supplies, checked as JSON input is.
Status CopyEnvelope(schema::Event::Reader in, schema::Event::Builder out) {
  struct Text {
    const char* name;
    bool has;
    capnp::Text::Reader value;
  };
  const Text texts[] = {{"id", in.hasId(), in.getId()},
                        {"stream", in.hasStream(), in.getStream()},
                        {"effective", in.hasEffective(), in.getEffective()},
                        {"recorded_by", in.hasRecordedBy(), in.getRecordedBy()}};
  for (const Text& t : texts) {
    if (t.has) ANNALS_RETURN_IF_ERROR(CheckEventText(t.name, t.value));
  }
  if (in.hasId()) out.setId(in.getId());
  if (in.hasStream()) out.setStream(in.getStream());
  if (in.hasEffective()) out.setEffective(in.getEffective());
  if (in.hasRecordedBy()) out.setRecordedBy(in.getRecordedBy());
  out.setConfidence(in.getConfidence());
  if (in.hasSource()) {
    auto s = in.getSource();
    auto o = out.initSource();
    if (s.hasPublisher()) {
      ANNALS_RETURN_IF_ERROR(CheckEventText("source.publisher", s.getPublisher()));
      o.setPublisher(s.getPublisher());
    }
    if (s.hasUrl()) {
      ANNALS_RETURN_IF_ERROR(CheckEventText("source.url", s.getUrl()));
      o.setUrl(s.getUrl());
    }
    if (s.hasPublished()) {
      ANNALS_RETURN_IF_ERROR(CheckEventText("source.published", s.getPublished()));
      o.setPublished(s.getPublished());
    }
  }
  // The provenance of an event re-recorded from an export (NewEvent::FromExportJson, on
  // the client); ValidateContent checks its fields.
  if (in.hasImportedFrom()) {
    auto from = in.getImportedFrom();
    ANNALS_RETURN_IF_ERROR(CheckEventText("imported_from.recorded_at", from.getRecordedAt()));
    ANNALS_RETURN_IF_ERROR(CheckEventText("imported_from.hash", from.getHash()));
    auto o = out.initImportedFrom();
    o.setRecordedAt(from.getRecordedAt());
    o.setSeq(from.getSeq());
    o.setHash(from.getHash());
  }
  return Status::OK();
}

// Required data fields ($A.required): present, and not empty text.
Status CheckRequiredFields(const EventTypeInfo& type, capnp::DynamicStruct::Reader data) {
  for (const std::string& name : type.required) {
    bool present = true;
    KJ_IF_MAYBE(field, FieldByJsonName(data.getSchema(), name)) {
      const capnp::Type t = field->getType();
      if (t.isText()) {
        present = data.has(*field) && data.get(*field).as<capnp::Text>().size() > 0;
      } else if (t.isList() || t.isData() || t.isStruct()) {
        present = data.has(*field);
      }
    }
    if (!present) {
      return Status::InvalidArgument("missing field 'data." + name + "' (required for " +
                                     type.name + ")");
    }
  }
  return Status::OK();
}

Result<NewEvent> RebuildEvent(schema::Event::Reader in, const EventTypeResolver& types) {
  const uint64_t bytes = in.totalSize().wordCount * sizeof(capnp::word);
  if (bytes > 2 * kMaxEventBytes) {
    return Status::InvalidArgument("event is " + std::to_string(bytes) +
                                   " bytes; the limit is 1048576");
  }
  auto type = TypeOf(in, types);
  if (type == nullptr) {
    return Status::InvalidArgument("unknown event type '" + std::string(TypeNameOf(in)) +
                                   "' (known: " + KnownTypeNames(types) + ")");
  }
  if (type->kind == EventKind::kVocabulary) {
    return Status::InvalidArgument("events of type 'vocabulary' register vocabularies: use "
                                   "'annals vocab add'");
  }
  const std::pair<const char*, bool> assigned[] = {
      {"hash", in.hasHash()},           {"prev_hash", in.hasPrevHash()},
      {"recorded_at", in.hasRecordedAt()}, {"seq", in.getSeq() != 0},
      {"version", in.getVersion() != 0}};
  for (const auto& [name, set] : assigned) {
    if (set) {
      return Status::InvalidArgument("field '" + std::string(name) +
                                     "' is assigned by the store (restore takes a whole "
                                     "store's export; import --from-export re-records part "
                                     "of one)");
    }
  }
  // A copy of the message as sent finds the data where the type keeps it; the event is
  // then rebuilt from its fields alone.
  auto sent = std::make_unique<capnp::MallocMessageBuilder>(bytes / sizeof(capnp::word) + 8);
  sent->setRoot(in);
  const EventRep source(std::move(sent), type);
  auto builder = std::make_unique<capnp::MallocMessageBuilder>(bytes / sizeof(capnp::word) + 64);
  auto out = builder->initRoot<schema::Event>();
  ANNALS_RETURN_IF_ERROR(CopyEnvelope(in, out));
  auto data = InitEventData(out, *type);
  ANNALS_RETURN_IF_ERROR(CopyStruct(source.data_struct(), data, "data", 0));
  ANNALS_RETURN_IF_ERROR(CheckRequiredFields(*type, data.asReader()));
  if (type->kind == EventKind::kCorrection && out.getCorrection().hasData()) {
    ANNALS_RETURN_IF_ERROR(CheckJsonValue("data.data", out.getCorrection().getData()));
  }
  auto rep = std::make_unique<EventRep>(std::move(builder), std::move(type));
  ANNALS_RETURN_IF_ERROR(ValidateContent(*rep));
  Status s = rep->Refresh();
  if (!s.ok()) return s.WithPrefix("field 'effective'");
  return NewEventAccess::Make(std::move(rep));
}

}  // namespace

// ---- status ----

Status StatusOf(Status::Code code, std::string message) {
  switch (code) {
    case Status::Code::kOk: return Status::OK();
    case Status::Code::kNotFound: return Status::NotFound(std::move(message));
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(std::move(message));
    case Status::Code::kConflict: return Status::Conflict(std::move(message));
    case Status::Code::kCorruption: return Status::Corruption(std::move(message));
    case Status::Code::kUnavailable: return Status::Unavailable(std::move(message));
  }
  return Status::Unavailable(std::move(message));
}

void SetOutcome(const Status& status, rpc::Outcome::Builder out) {
  out.setCode(static_cast<uint8_t>(status.code()));
  if (!status.ok()) out.setMessage(status.message());
}

Status OutcomeStatus(rpc::Outcome::Reader in) {
  const uint8_t code = in.getCode();
  if (code == 0) return Status::OK();
  const auto c = code <= static_cast<uint8_t>(Status::Code::kUnavailable)
                     ? static_cast<Status::Code>(code)
                     : Status::Code::kUnavailable;
  return StatusOf(c, Str(in.getMessage()));
}

Status FromKj(const kj::Exception& e, Status::Code failed, std::string_view what) {
  const std::string prefix(what);
  std::string description = e.getDescription().cStr();
  switch (e.getType()) {
    case kj::Exception::Type::DISCONNECTED:
      return Status::Unavailable(prefix + ": the connection was lost (" + description + ")");
    case kj::Exception::Type::OVERLOADED:
      return Status::Unavailable(prefix + ": overloaded (" + description + ")");
    case kj::Exception::Type::UNIMPLEMENTED:
      return Status::Unavailable(prefix + ": not supported by the other side (another annals "
                                 "version?): " + description);
    default:
      return StatusOf(failed == Status::Code::kOk ? Status::Code::kUnavailable : failed,
                      prefix + ": " + description);
  }
}

// ---- events ----

Result<NewEvent> NewEventFromWire(schema::Event::Reader in, const EventTypeResolver& types) {
  try {
    return RebuildEvent(in, types);
  } catch (const kj::Exception& e) {
    return FromKj(e, Status::Code::kInvalidArgument, "malformed event");
  }
}

Result<Event> EventFromWire(schema::Event::Reader in, const EventTypeResolver& types) {
  try {
    if (TypeOf(in, types) == nullptr) {
      return Status::NotFound("unknown event type '" + std::string(TypeNameOf(in)) + "'");
    }
    const kj::Array<capnp::word> words = capnp::canonicalize(in);
    auto bytes = words.asBytes();
    auto rep = EventRep::FromStored(
        std::string_view(reinterpret_cast<const char*>(bytes.begin()), bytes.size()), types);
    if (!rep.ok()) return Status::Unavailable("the server sent a malformed event: " +
                                              rep.status().message());
    return Event(std::move(rep).value());
  } catch (const kj::Exception& e) {
    return FromKj(e, Status::Code::kUnavailable, "the server sent a malformed event");
  }
}

// ---- values ----

void SetLogRange(const LogRange& range, rpc::LogRange::Builder out) {
  out.setStream(range.stream);
  out.setAfterSeq(range.after_seq);
  out.setHasUntil(range.until_seq.has_value());
  out.setUntilSeq(range.until_seq.value_or(0));
  out.setHasLimit(range.limit.has_value());
  out.setLimit(range.limit.value_or(0));
}

LogRange LogRangeFromWire(rpc::LogRange::Reader in) {
  LogRange range;
  range.stream = Str(in.getStream());
  range.after_seq = in.getAfterSeq();
  if (in.getHasUntil()) range.until_seq = in.getUntilSeq();
  if (in.getHasLimit()) range.limit = in.getLimit();
  return range;
}

void SetTimeQuery(const TimeQuery& query, rpc::TimeQuery::Builder out) {
  out.setStream(query.stream);
  out.setAsOf(query.as_of);
  out.setKnownAt(query.known_at);
}

TimeQuery TimeQueryFromWire(rpc::TimeQuery::Reader in) {
  return TimeQuery{Str(in.getStream()), Str(in.getAsOf()), Str(in.getKnownAt())};
}

void SetChanges(const std::vector<Change>& changes, capnp::List<rpc::Change>::Builder out) {
  for (unsigned i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    auto o = out[i];
    o.setPath(c.path);
    o.setFromJson(c.from_json);
    o.setToJson(c.to_json);
    o.setFromText(c.from_text);
    o.setToText(c.to_text);
  }
}

std::vector<Change> ChangesFromWire(capnp::List<rpc::Change>::Reader in) {
  std::vector<Change> out;
  out.reserve(in.size());
  for (auto c : in) {
    out.push_back(Change{Str(c.getPath()), Str(c.getFromJson()), Str(c.getToJson()),
                         Str(c.getFromText()), Str(c.getToText())});
  }
  return out;
}

void SetVocabularyInfo(const VocabularyInfo& info, bool with_source,
                       rpc::VocabularyInfo::Builder out) {
  out.setName(info.name);
  out.setVersion(info.version);
  out.setSeq(info.seq);
  auto types = out.initTypes(static_cast<unsigned>(info.types.size()));
  for (unsigned i = 0; i < info.types.size(); ++i) types.set(i, info.types[i]);
  if (with_source) out.setSource(info.source);
  out.setExisted(info.existed);
}

VocabularyInfo VocabularyInfoFromWire(rpc::VocabularyInfo::Reader in) {
  VocabularyInfo info;
  info.name = Str(in.getName());
  info.version = in.getVersion();
  info.seq = in.getSeq();
  for (auto t : in.getTypes()) info.types.push_back(Str(t));
  info.source = Str(in.getSource());
  info.existed = in.getExisted();
  return info;
}

void SetStreamInfo(const StreamInfo& info, rpc::StreamInfo::Builder out) {
  out.setName(info.name);
  out.setEvents(info.events);
  out.setLastSeq(info.last_seq);
}

StreamInfo StreamInfoFromWire(rpc::StreamInfo::Reader in) {
  return StreamInfo{Str(in.getName()), in.getEvents(), in.getLastSeq()};
}

void SetVerifyReport(const VerifyReport& report, rpc::VerifyReport::Builder out) {
  out.setEvents(report.events);
  out.setStreams(report.streams);
  auto problems = out.initProblems(static_cast<unsigned>(report.problems.size()));
  for (unsigned i = 0; i < report.problems.size(); ++i) problems.set(i, report.problems[i]);
}

VerifyReport VerifyReportFromWire(rpc::VerifyReport::Reader in) {
  VerifyReport report;
  report.events = in.getEvents();
  report.streams = in.getStreams();
  for (auto p : in.getProblems()) report.problems.push_back(Str(p));
  return report;
}

void SetDiff(const DiffResult& diff, rpc::Diff::Builder out) {
  out.setStream(diff.stream);
  out.setFrom(diff.from);
  out.setTo(diff.to);
  out.setKnownAt(diff.known_at);
  SetChanges(diff.changes, out.initChanges(static_cast<unsigned>(diff.changes.size())));
}

DiffResult DiffFromWire(rpc::Diff::Reader in) {
  DiffResult diff;
  diff.stream = Str(in.getStream());
  diff.from = Str(in.getFrom());
  diff.to = Str(in.getTo());
  diff.known_at = Str(in.getKnownAt());
  diff.changes = ChangesFromWire(in.getChanges());
  return diff;
}

void SetState(const State& state, rpc::State::Builder out) {
  out.setStream(state.stream);
  out.setAsOf(state.as_of);
  out.setKnownAt(state.known_at);
  out.setVocabulary(state.vocabulary);
  out.setVocabularyVersion(state.vocabulary_version);
  auto facts = out.initFacts(static_cast<unsigned>(state.facts.size()));
  unsigned i = 0;
  for (const auto& [key, value] : state.facts) {
    facts[i].setKey(key);
    facts[i++].setValue(value);
  }
  out.setEventsApplied(state.events_applied);
  auto tentative = out.initTentative(static_cast<unsigned>(state.tentative.size()));
  for (unsigned k = 0; k < state.tentative.size(); ++k) tentative.set(k, state.tentative[k]);
  if (state.rep != nullptr) EncodeNode(state.rep->root, out.initRoot());
}

Result<State> StateFromWire(rpc::State::Reader in, const Registry& registry) {
  State state;
  state.stream = Str(in.getStream());
  state.as_of = Str(in.getAsOf());
  state.known_at = Str(in.getKnownAt());
  state.vocabulary = Str(in.getVocabulary());
  state.vocabulary_version = in.getVocabularyVersion();
  for (auto f : in.getFacts()) state.facts.emplace(Str(f.getKey()), Str(f.getValue()));
  state.events_applied = in.getEventsApplied();
  for (auto t : in.getTentative()) state.tentative.push_back(Str(t));
  if (in.hasRoot()) {
    std::shared_ptr<const Vocabulary> vocabulary;
    auto it = registry.versions().find(state.vocabulary);
    if (it != registry.versions().end()) {
      for (const auto& v : it->second) {
        if (v.version == state.vocabulary_version) vocabulary = v.vocabulary;
      }
    }
    if (vocabulary == nullptr) {
      return Status::NotFound("vocabulary '" + state.vocabulary + "' version " +
                              std::to_string(state.vocabulary_version) + " is not known here");
    }
    auto rep = std::make_shared<StateRep>();
    rep->vocabulary = std::move(vocabulary);
    try {
      rep->root = DecodeNode(in.getRoot(), 0);
    } catch (const kj::Exception& e) {
      return FromKj(e, Status::Code::kUnavailable, "the server sent a malformed state");
    }
    state.rep = std::move(rep);
  }
  return state;
}

Result<std::shared_ptr<const Registry>> WithRegistrations(
    std::shared_ptr<const Registry> base, const std::vector<VocabularyInfo>& registrations) {
  for (const VocabularyInfo& info : registrations) {
    auto compiled = CompileVocabulary(info.source, info.name + ".capnp");
    if (!compiled.ok()) {
      return Status::Unavailable("the server's vocabulary '" + info.name + "' version " +
                                 std::to_string(info.version) + " does not compile here: " +
                                 compiled.status().message());
    }
    VocabularyVersion version;
    version.name = info.name;
    version.version = info.version;
    version.seq = info.seq;
    version.vocabulary = std::move(compiled).value();
    auto next = base->With(std::move(version));
    if (!next.ok()) return next.status();
    base = std::move(next).value();
  }
  return base;
}

}  // namespace internal
}  // namespace annals
