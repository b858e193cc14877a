// Copyright annals authors.
//
// Events from JSON (SPEC §5): the general path of input, the content checks, and
// corrections' data merges.  (Printing is in event_json_write.cc.)
//
// ParseEventJson first offers the text to the direct path (event_json_direct.h), which
// builds most imported events straight from simdjson's DOM.  Whatever it declines takes
// the general path, which defines what input means and words every rejection: the text
// is parsed by simdjson into a raw capnp::JsonValue (json_parse.h) and checked against
// the schema (CheckObject, event_json_rules.h), so that every rejection names the
// offending field in words a user can act on.  The envelope fields are then set
// directly; the data goes through Cap'n Proto's JsonCodec with the schema of the event's
// type (core types: event.capnp; vocabulary types: the vocabulary's file), which honours
// its $Json annotations.
//
// kj::Exception from JsonCodec is translated to Status in this file only.

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>
#include <capnp/schema.h>
#include <kj/exception.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/event_json_direct.h"
#include "codec/event_json_rules.h"
#include "codec/event_rep.h"
#include "codec/json_parse.h"
#include "util/json_text.h"

namespace annals {
namespace internal {

namespace {

std::string KjMessage(const kj::Exception& e) {
  std::string d = e.getDescription().cStr();
  // JsonCodec descriptions look like "expected <cond>; <what>; name = x"; keep the tail.
  auto pos = d.find("; ");
  if (d.rfind("expected ", 0) == 0 && pos != std::string::npos) d = d.substr(pos + 2);
  return d;
}

// The codec for the envelope's own structs (Source) and the core types' data.
const capnp::JsonCodec& EnvelopeCodec() {
  static const capnp::JsonCodec* codec = [] {
    auto* c = new capnp::JsonCodec();  // never destroyed: used at exit
    c->handleByAnnotation<schema::Event>();
    c->setRejectUnknownFields(true);
    return c;
  }();
  return *codec;
}

const FieldTable& EnvelopeFields() {
  static const auto* table = new FieldTable(MakeFieldTable(capnp::Schema::from<schema::Event>()));
  return *table;
}

// The message of an event parsed from `json_size` bytes of JSON.  Its first segment is
// sized for the event rather than Cap'n Proto's default 8 KiB (zeroed by calloc for every
// line, a sixth of the parse): the message takes about twice its JSON's size, plus the
// fields the store sets on append (seq, version, recorded_at, both hashes, maybe the id:
// under 512 bytes).  A bigger event just gets a second segment; the stored bytes are
// canonical, whatever the segments were.  Callers also hold many NewEvents at once (a
// batch, an import chunk), so unused memory adds up.
std::unique_ptr<capnp::MallocMessageBuilder> NewEventBuilder(size_t json_size) {
  return std::make_unique<capnp::MallocMessageBuilder>(
      static_cast<unsigned>(json_size / sizeof(capnp::word) * 2 + 64));
}

// The checks of a built event's content, and its parsed dates.
Status FinishParsedEvent(EventRep* rep) {
  ANNALS_RETURN_IF_ERROR(ValidateContent(*rep));
  Status s = rep->Refresh();
  if (!s.ok()) return s.WithPrefix("field 'effective'");
  return Status::OK();
}

bool IsStreamChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '/' || c == '-';
}

// Checks the document of an event and builds it into `builder`.
Result<std::shared_ptr<const EventTypeInfo>> BuildEvent(capnp::JsonValue::Builder doc_builder,
                                                        capnp::Orphanage raw_orphanage,
                                                        JsonMode mode,
                                                        const EventTypeResolver& types,
                                                        schema::Event::Builder event) {
  capnp::JsonValue::Reader doc = doc_builder.asReader();
  if (!doc.isObject()) return Status::InvalidArgument("an event must be a JSON object");

  KeySeen seen;
  kj::Maybe<capnp::JsonValue::Reader> type_member;
  kj::Maybe<capnp::JsonValue::Builder> data_member;
  for (auto f : doc_builder.getObject()) {
    const kj::StringPtr key = f.getName();
    if (!seen.Insert(key)) {
      return Status::InvalidArgument("field '" + std::string(key.cStr()) + "' appears twice");
    }
    if (key == "type") type_member = f.getValue().asReader();
    if (key == "data") data_member = f.getValue();
    if (mode == JsonMode::kImport &&
        IsStoreAssignedKey(std::string_view(key.cStr(), key.size()))) {
      return Status::InvalidArgument("field '" + std::string(key.cStr()) +
                                     "' is assigned by the store (restore takes a whole "
                                     "store's export; import --from-export re-records part "
                                     "of one)");
    }
    if (mode == JsonMode::kImport && key == "imported_from") {
      return Status::InvalidArgument(
          "field 'imported_from' is set by the store (use import --from-export for exports)");
    }
  }
  if (mode == JsonMode::kExport) {
    for (const char* key : kStoreAssignedKeys) {
      if (Member(doc, key) == nullptr) {
        return Status::InvalidArgument("missing field '" + std::string(key) + "'");
      }
    }
  }

  capnp::JsonValue::Reader type_value;
  KJ_IF_MAYBE(t, type_member) {
    type_value = *t;
  } else {
    return Status::InvalidArgument("missing field 'type'");
  }
  if (!type_value.isString()) return WrongType("type", "a string", type_value);
  const std::string type_name = type_value.getString().cStr();
  auto type = types.Find(type_name);
  if (type == nullptr) {
    return Status::InvalidArgument("unknown event type '" + type_name + "' (known: " +
                                   KnownTypes(types) + ")");
  }
  if (type->kind == EventKind::kVocabulary && mode == JsonMode::kImport) {
    return Status::InvalidArgument("events of type 'vocabulary' register vocabularies: use "
                                   "'annals vocab add'");
  }

  // The envelope.
  for (auto f : doc.getObject()) {
    const kj::StringPtr key = f.getName();
    if (key == "type" || key == "data") continue;
    const capnp::Type* field_type = FindField(EnvelopeFields(), key);
    if (field_type == nullptr) {
      return Status::InvalidArgument("unknown field '" + std::string(key.cStr()) + "'");
    }
    const auto v = f.getValue();
    if (v.isNull()) continue;  // null means absent
    ANNALS_RETURN_IF_ERROR(CheckValue(key.cStr(), *field_type, v));
    if (key == "id") {
      event.setId(v.getString());
    } else if (key == "stream") {
      event.setStream(v.getString());
    } else if (key == "effective") {
      event.setEffective(v.getString());
    } else if (key == "confidence") {
      KJ_IF_MAYBE(e, field_type->asEnum().findEnumerantByName(v.getString())) {
        event.setConfidence(static_cast<schema::Confidence>(e->getOrdinal()));
      }
    } else if (key == "source") {
      EnvelopeCodec().decode(v, event.initSource());
    } else if (key == "recorded_by") {
      event.setRecordedBy(v.getString());
    } else if (key == "seq") {
      event.setSeq(static_cast<uint64_t>(v.getNumber()));
    } else if (key == "version") {
      event.setVersion(static_cast<uint64_t>(v.getNumber()));
    } else if (key == "recorded_at") {
      event.setRecordedAt(v.getString());
    } else if (key == "prev_hash") {
      event.setPrevHash(v.getString());
    } else if (key == "hash") {
      event.setHash(v.getString());
    } else if (key == "imported_from") {
      EnvelopeCodec().decode(v, event.initImportedFrom());
    }
  }

  // The data, through the type's schema.
  kj::Maybe<capnp::JsonValue::Reader> data_reader;
  KJ_IF_MAYBE(d, data_member) {
    if (!d->isNull()) {
      if (!d->isObject()) return WrongType("data", "an object", d->asReader());
      ANNALS_RETURN_IF_ERROR(CheckObject("data", type->fields, d->asReader()));
      data_reader = d->asReader();
    }
  }
  ANNALS_RETURN_IF_ERROR(CheckRequired(*type, data_reader, nullptr));
  auto data = InitData(event, *type);
  KJ_IF_MAYBE(d, data_member) {
    if (!d->isNull()) {
      DropNulls(*d, raw_orphanage);
      type->codec->decode(d->asReader(), data);
    }
  }
  return type;
}

}  // namespace

// ---- parse ---------------------------------------------------------------------------------

Result<std::unique_ptr<EventRep>> ParseEventJson(std::string_view json, JsonMode mode,
                                                 const EventTypeResolver& types,
                                                 JsonPath path) {
  if (json.size() > kMaxEventBytes) {
    return Status::InvalidArgument("event is " + std::to_string(json.size()) +
                                   " bytes; the limit is 1048576");
  }
  if (json.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("event contains a NUL byte");
  }
  if (path == JsonPath::kAny) {
    auto builder = NewEventBuilder(json.size());
    std::shared_ptr<const EventTypeInfo> type;
    try {
      type = BuildEventDirect(json, mode, types, builder->initRoot<schema::Event>());
    } catch (const kj::Exception&) {
      type = nullptr;  // the general path says what is wrong
    }
    if (type != nullptr) {
      auto rep = std::make_unique<EventRep>(std::move(builder), std::move(type));
      if (FinishParsedEvent(rep.get()).ok()) return rep;
    }
  }
  auto builder = NewEventBuilder(json.size());
  std::shared_ptr<const EventTypeInfo> type;
  try {
    // The raw document lives only during this call: it is built in a per-thread scratch
    // segment, which the builder zeroes again (only the part it used) when it is done.
    // (Nothing called from here parses another event, so one segment per thread does.)
    thread_local std::vector<capnp::word> scratch(4096);  // value-initialized: zero
    capnp::MallocMessageBuilder raw_message(kj::arrayPtr(scratch.data(), scratch.size()));
    auto raw = raw_message.initRoot<capnp::JsonValue>();
    ANNALS_RETURN_IF_ERROR(ParseJson(json, raw));
    auto built = BuildEvent(raw, raw_message.getOrphanage(), mode, types,
                            builder->initRoot<schema::Event>());
    if (!built.ok()) return built.status();
    type = std::move(built).value();
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("invalid event: " + KjMessage(e));
  }
  auto rep = std::make_unique<EventRep>(std::move(builder), std::move(type));
  ANNALS_RETURN_IF_ERROR(FinishParsedEvent(rep.get()));
  return rep;
}

// ---- for events that arrive as messages (server/wire.cc) ----------------------------------

Status CheckEventText(const std::string& path, kj::StringPtr s) { return CheckString(path, s); }
Status CheckJsonValue(const std::string& path, capnp::JsonValue::Reader v) {
  return CheckAnyValue(path, v);
}
capnp::DynamicStruct::Builder InitEventData(schema::Event::Builder event,
                                            const EventTypeInfo& type) {
  return InitData(event, type);
}
std::string KnownTypeNames(const EventTypeResolver& types) { return KnownTypes(types); }

// ---- content checks -----------------------------------------------------------------------

namespace {

// The provenance of a re-recorded event names a recording: an instant, a seq and a hash.
Status CheckProvenance(schema::Provenance::Reader from) {
  auto at = ParseInstant(from.getRecordedAt().cStr());
  if (!at.ok()) return at.status().WithPrefix("field 'imported_from.recorded_at'");
  if (from.getSeq() == 0) return Status::InvalidArgument("field 'imported_from.seq' is 0");
  unsigned char hash[32];
  if (!ParseLowerHex(std::string_view(from.getHash().cStr(), from.getHash().size()), hash,
                     sizeof hash)) {
    return Status::InvalidArgument("field 'imported_from.hash' is not a SHA-256 in lower-case hex");
  }
  return Status::OK();
}

}  // namespace

Status ValidateContent(const EventRep& rep) {
  const schema::Event::Reader event = rep.reader();
  const EventTypeInfo& type = rep.type();
  if (!event.hasStream() || event.getStream().size() == 0) {
    return Status::InvalidArgument("missing field 'stream'");
  }
  auto stream = event.getStream();
  if (stream.size() > kMaxStreamBytes) {
    return Status::InvalidArgument("field 'stream' is " + std::to_string(stream.size()) +
                                   " bytes; the limit is 200");
  }
  const bool registration = type.kind == EventKind::kVocabulary;
  for (char c : stream) {
    if (!IsStreamChar(c) && !(registration && c == '$')) {
      return Status::InvalidArgument("field 'stream' ('" + std::string(stream.cStr()) +
                                     "') may only contain A-Z a-z 0-9 . _ / -");
    }
  }
  if (registration && stream != "$vocabulary") {
    return Status::InvalidArgument("a vocabulary event belongs to the stream '$vocabulary'");
  }
  if (event.hasId()) {
    auto id = event.getId();
    if (id.size() == 0) return Status::InvalidArgument("field 'id' is empty");
    if (id.size() > kMaxIdBytes) {
      return Status::InvalidArgument("field 'id' is " + std::to_string(id.size()) +
                                     " bytes; the limit is 128");
    }
    for (unsigned char c : id) {
      if (c < 0x21 || c > 0x7e) {
        return Status::InvalidArgument(
            "field 'id' may only contain printable ASCII characters without spaces");
      }
    }
  }
  if (!type.is_meta() && !registration) {
    if (!event.hasEffective() || event.getEffective().size() == 0) {
      return Status::InvalidArgument("missing field 'effective'");
    }
  }
  if (event.hasEffective()) {
    auto d = ParseFuzzyDate(event.getEffective().cStr());
    if (!d.ok()) return d.status().WithPrefix("field 'effective'");
  }
  if (event.hasSource() && event.getSource().hasPublished()) {
    auto d = ParseFuzzyDate(event.getSource().getPublished().cStr());
    if (!d.ok()) return d.status().WithPrefix("field 'source.published'");
  }
  if (event.hasImportedFrom()) {
    ANNALS_RETURN_IF_ERROR(CheckProvenance(event.getImportedFrom()));
  }
  const capnp::DynamicStruct::Reader data = rep.data_struct();
  for (const std::string& name : type.dates) {
    KJ_IF_MAYBE(field, FieldByJsonName(data.getSchema(), name)) {
      if (!data.has(*field)) continue;
      auto text = data.get(*field).as<capnp::Text>();
      if (text.size() == 0) continue;
      auto d = ParseFuzzyDate(text.cStr());
      if (!d.ok()) return d.status().WithPrefix("field 'data." + name + "'");
    }
  }
  if (type.kind == EventKind::kCorrection) {
    auto c = event.getCorrection();
    if (c.hasData() && !c.getData().isObject()) {
      return Status::InvalidArgument("field 'data.data' must be an object");
    }
    if (!c.hasEffective() && !c.hasData()) {
      return Status::InvalidArgument(
          "a correction needs 'data.effective' or 'data.data' (what to change)");
    }
  }
  return Status::OK();
}

// ---- corrections ---------------------------------------------------------------------------

Result<std::shared_ptr<const EventRep>> ApplyCorrection(const EventRep& target,
                                                        schema::Correction::Reader correction) {
  // Messages sized for the event rather than Cap'n Proto's default first segment of 8 KiB,
  // which calloc zeroes each time: a query folds every corrected event through here.
  const auto target_words = target.reader().totalSize().wordCount;
  const auto correction_words = correction.totalSize().wordCount;
  auto builder = std::make_unique<capnp::MallocMessageBuilder>(
      static_cast<unsigned>(target_words + correction_words + 16));
  builder->setRoot(target.reader());
  auto event = builder->getRoot<schema::Event>();
  const EventTypeInfo& type = target.type();
  if (correction.hasEffective()) event.setEffective(correction.getEffective());
  if (correction.hasData()) {
    if (!correction.getData().isObject()) {
      return Status::InvalidArgument("correction data must be an object");
    }
    try {
      // Merge: the target's data as JSON, with the correction's members replacing.
      const auto json_words = static_cast<unsigned>(4 * (target_words + correction_words) + 64);
      capnp::MallocMessageBuilder merged_message(json_words);
      auto merged = merged_message.initRoot<capnp::JsonValue>();
      type.codec->encode(target.data_struct(), merged);
      std::vector<std::pair<std::string, capnp::JsonValue::Reader>> members;
      for (auto f : merged.asReader().getObject()) {
        members.emplace_back(f.getName().cStr(), f.getValue());
      }
      for (auto f : correction.getData().getObject()) {
        std::string key = f.getName().cStr();
        bool replaced = false;
        for (auto& m : members) {
          if (m.first == key) {
            m.second = f.getValue();
            replaced = true;
          }
        }
        if (!replaced) members.emplace_back(key, f.getValue());
      }
      capnp::MallocMessageBuilder out_message(json_words);
      auto out = out_message.initRoot<capnp::JsonValue>();
      auto fields = out.initObject(static_cast<unsigned>(members.size()));
      for (size_t i = 0; i < members.size(); ++i) {
        fields[i].setName(members[i].first);
        fields[i].setValue(members[i].second);
      }
      ANNALS_RETURN_IF_ERROR(CheckObject("data", type.fields, out.asReader()));
      ANNALS_RETURN_IF_ERROR(
          CheckRequired(type, out.asReader(), "correction would remove"));
      DropNulls(out, out_message.getOrphanage());
      type.codec->decode(out.asReader(), InitData(event, type));
    } catch (const kj::Exception& e) {
      return Status::InvalidArgument("correction data does not fit the target: " +
                                     KjMessage(e));
    }
  }
  auto rep = std::make_shared<EventRep>(std::move(builder), target.shared_type());
  ANNALS_RETURN_IF_ERROR(ValidateContent(*rep));
  ANNALS_RETURN_IF_ERROR(rep->Refresh());
  return std::shared_ptr<const EventRep>(std::move(rep));
}

}  // namespace internal
}  // namespace annals
