// Copyright annals authors.
//
// Events and their JSON form (SPEC §5): parsing input, printing the export shape, and
// corrections' data merges.
//
// Input is parsed by simdjson into a raw capnp::JsonValue (json_parse.h) and checked
// against the schema here (CheckObject), so that every rejection names the offending
// field in words a user can act on.  The envelope fields are then set directly; the data
// goes through Cap'n Proto's JsonCodec with the schema of the event's type (core types:
// event.capnp; vocabulary types: the vocabulary's file), which honours its $Json
// annotations.  Output is the same: the envelope written out field by field in the order
// JsonCodec wrote it when it encoded whole events, the data by the type's codec.
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

#include "codec/event_rep.h"
#include "codec/json_parse.h"
#include "util/json_text.h"

namespace annals {
namespace internal {

namespace {

constexpr double kMaxJsonInteger = 9007199254740992.0;  // 2^53

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

// Finds the first key of an object that repeats an earlier one, in member order.  Event
// objects have a handful of keys: those are compared in place, without allocating; past
// kSmall keys a set takes over, so a hostile object of many keys stays O(n log n).
class KeySeen {
 public:
  // False if `key` was inserted before.
  bool Insert(kj::StringPtr key) {
    if (n_ < kSmall) {
      for (size_t i = 0; i < n_; ++i) {
        if (small_[i] == key) return false;
      }
      small_[n_++] = key;
      return true;
    }
    if (large_.empty()) {
      for (size_t i = 0; i < n_; ++i) large_.emplace(small_[i].cStr(), small_[i].size());
    }
    return large_.emplace(key.cStr(), key.size()).second;
  }

 private:
  static constexpr size_t kSmall = 32;
  kj::StringPtr small_[kSmall];
  size_t n_ = 0;
  std::set<std::string_view> large_;  // views into the document, which outlives this
};

Status CheckString(const std::string& path, kj::StringPtr s) {
  if (s.size() > kMaxStringBytes) {
    return Status::InvalidArgument("field '" + path + "' is " + std::to_string(s.size()) +
                                   " bytes; the limit is 65536");
  }
  if (std::memchr(s.begin(), '\0', s.size()) != nullptr) {
    return Status::InvalidArgument("field '" + path + "' contains a NUL character");
  }
  if (!IsUtf8(std::string_view(s.cStr(), s.size()))) {
    return Status::InvalidArgument("field '" + path + "' is not valid UTF-8");
  }
  return Status::OK();
}

const char* JsonKind(capnp::JsonValue::Reader v) {
  switch (v.which()) {
    case capnp::JsonValue::NULL_: return "null";
    case capnp::JsonValue::BOOLEAN: return "a boolean";
    case capnp::JsonValue::NUMBER: return "a number";
    case capnp::JsonValue::STRING: return "a string";
    case capnp::JsonValue::ARRAY: return "an array";
    case capnp::JsonValue::OBJECT: return "an object";
    case capnp::JsonValue::CALL: return "a call";
  }
  return "a value";
}

// Checks any JSON value (used where the schema says Json.Value): strings and nesting.
Status CheckAnyValue(const std::string& path, capnp::JsonValue::Reader v) {
  switch (v.which()) {
    case capnp::JsonValue::STRING:
      return CheckString(path, v.getString());
    case capnp::JsonValue::ARRAY: {
      size_t i = 0;
      for (auto e : v.getArray()) {
        ANNALS_RETURN_IF_ERROR(CheckAnyValue(path + "." + std::to_string(i++), e));
      }
      return Status::OK();
    }
    case capnp::JsonValue::OBJECT: {
      KeySeen seen;
      for (auto f : v.getObject()) {
        std::string key = f.getName().cStr();
        ANNALS_RETURN_IF_ERROR(CheckString(path + " key", f.getName()));
        if (!seen.Insert(f.getName())) {
          return Status::InvalidArgument("field '" + path + "." + key + "' appears twice");
        }
        ANNALS_RETURN_IF_ERROR(CheckAnyValue(path + "." + key, f.getValue()));
      }
      return Status::OK();
    }
    case capnp::JsonValue::CALL:
      return Status::InvalidArgument("field '" + path + "' is not JSON");
    default:
      return Status::OK();
  }
}

Status WrongType(const std::string& path, const std::string& expected,
                 capnp::JsonValue::Reader v) {
  return Status::InvalidArgument("field '" + path + "' must be " + expected + ", got " +
                                 JsonKind(v));
}

// The type of the field called `key` in `fields`, or null if there is none.
const capnp::Type* FindField(const FieldTable& fields, kj::StringPtr key) {
  for (const auto& [name, type] : fields) {
    if (key == name.c_str()) return &type;
  }
  return nullptr;
}

Status CheckObject(const std::string& prefix, const FieldTable& fields,
                   capnp::JsonValue::Reader v);

bool IsInteger(double d, double lo, double hi) {
  return d >= lo && d <= hi && std::floor(d) == d;
}

// Checks that `v` fits a field of type `type`.
Status CheckValue(const std::string& path, capnp::Type type, capnp::JsonValue::Reader v) {
  using W = capnp::schema::Type;
  switch (type.which()) {
    case W::TEXT:
      if (!v.isString()) return WrongType(path, "a string", v);
      return CheckString(path, v.getString());
    case W::BOOL:
      if (!v.isBoolean()) return WrongType(path, "true or false", v);
      return Status::OK();
    case W::INT8: case W::INT16: case W::INT32: case W::INT64:
    case W::UINT8: case W::UINT16: case W::UINT32: case W::UINT64: {
      if (!v.isNumber()) return WrongType(path, "a number", v);
      const bool is_signed = type.which() <= W::INT64;
      const int bits = type.which() == W::INT8 || type.which() == W::UINT8     ? 8
                       : type.which() == W::INT16 || type.which() == W::UINT16 ? 16
                       : type.which() == W::INT32 || type.which() == W::UINT32 ? 32
                                                                              : 53;
      const double hi = bits == 53 ? kMaxJsonInteger : std::ldexp(1.0, bits - is_signed) - 1;
      const double lo = is_signed ? (bits == 53 ? -kMaxJsonInteger : -hi - 1) : 0;
      if (!IsInteger(v.getNumber(), lo, hi)) {
        return Status::InvalidArgument(
            "field '" + path + "' must be " +
            (is_signed ? std::string("an integer") : std::string("a non-negative integer")) +
            " from " + std::to_string(static_cast<int64_t>(lo)) + " to " +
            std::to_string(static_cast<int64_t>(hi)));
      }
      return Status::OK();
    }
    case W::FLOAT32: case W::FLOAT64:
      if (!v.isNumber()) return WrongType(path, "a number", v);
      return Status::OK();
    case W::ENUM: {
      if (v.isString()) {
        KJ_IF_MAYBE(e, type.asEnum().findEnumerantByName(v.getString())) {
          (void)e;
          return Status::OK();
        }
      }
      std::string allowed;  // only for the message
      for (auto e : type.asEnum().getEnumerants()) {
        if (!allowed.empty()) allowed += "|";
        allowed += e.getProto().getName().cStr();
      }
      if (!v.isString()) return WrongType(path, "one of " + allowed, v);
      return Status::InvalidArgument("field '" + path + "' must be one of " + allowed +
                                     ", got '" + std::string(v.getString().cStr()) + "'");
    }
    case W::LIST: {
      if (!v.isArray()) return WrongType(path, "an array", v);
      size_t i = 0;
      for (auto e : v.getArray()) {
        ANNALS_RETURN_IF_ERROR(
            CheckValue(path + "." + std::to_string(i++), type.asList().getElementType(), e));
      }
      return Status::OK();
    }
    case W::STRUCT:
      if (!v.isObject()) return WrongType(path, "an object", v);
      if (type.asStruct() == capnp::Schema::from<capnp::JsonValue>()) {
        return CheckAnyValue(path, v);
      }
      return CheckObject(path, MakeFieldTable(type.asStruct()), v);
    default:
      return Status::InvalidArgument("field '" + path + "' has an unsupported type");
  }
}

// Checks a JSON object against a struct's fields: known keys, no duplicates, right types.
Status CheckObject(const std::string& prefix, const FieldTable& fields,
                   capnp::JsonValue::Reader v) {
  KeySeen seen;
  for (auto f : v.getObject()) {
    const kj::StringPtr key = f.getName();
    std::string path = prefix.empty() ? std::string(key.cStr()) : prefix + "." + key.cStr();
    if (!seen.Insert(key)) {
      return Status::InvalidArgument("field '" + path + "' appears twice");
    }
    const capnp::Type* type = FindField(fields, key);
    if (type == nullptr) return Status::InvalidArgument("unknown field '" + path + "'");
    if (f.getValue().isNull()) continue;  // null means absent
    ANNALS_RETURN_IF_ERROR(CheckValue(path, *type, f.getValue()));
  }
  return Status::OK();
}

// Returns the value of key `name` in a JSON object, or a null reader if absent.
kj::Maybe<capnp::JsonValue::Reader> Member(capnp::JsonValue::Reader obj, kj::StringPtr name) {
  for (auto f : obj.getObject()) {
    if (f.getName() == name) return f.getValue();
  }
  return nullptr;
}

// Drops members whose value is null: JSON null means "not given", and JsonCodec would
// otherwise refuse null for Text fields.
void DropNulls(capnp::JsonValue::Builder obj, capnp::Orphanage orphanage) {
  if (!obj.isObject()) return;
  auto fields = obj.getObject();
  size_t keep = 0;
  for (auto f : fields) keep += !f.getValue().isNull();
  if (keep == fields.size()) {
    for (auto f : fields) {
      if (f.getValue().isObject()) DropNulls(f.getValue(), orphanage);
    }
    return;
  }
  auto list = orphanage.newOrphan<capnp::List<capnp::JsonValue::Field>>(keep);
  size_t i = 0;
  for (auto f : fields) {
    if (f.getValue().isNull()) continue;
    list.get().setWithCaveats(i++, f);
  }
  obj.adoptObject(kj::mv(list));
  for (auto f : obj.getObject()) {
    if (f.getValue().isObject()) DropNulls(f.getValue(), orphanage);
  }
}

// The data object's required members: present, not null, not an empty string.
Status CheckRequired(const EventTypeInfo& type, kj::Maybe<capnp::JsonValue::Reader> data,
                     const char* what) {
  for (const std::string& key : type.required) {
    bool present = false;
    KJ_IF_MAYBE(d, data) {
      KJ_IF_MAYBE(v, Member(*d, key.c_str())) {
        present = !v->isNull() && !(v->isString() && v->getString().size() == 0);
      }
    }
    if (!present) {
      if (what != nullptr) {
        return Status::InvalidArgument(std::string(what) + " required field 'data." + key + "'");
      }
      return Status::InvalidArgument("missing field 'data." + key + "' (required for " +
                                     type.name + ")");
    }
  }
  return Status::OK();
}

// In the order in which a missing one is reported.
constexpr const char* kStoreAssignedKeys[] = {"hash", "prev_hash", "recorded_at", "seq",
                                              "version"};

bool IsStoreAssignedKey(kj::StringPtr key) {
  for (const char* k : kStoreAssignedKeys) {
    if (key == k) return true;
  }
  return false;
}

bool IsStreamChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '/' || c == '-';
}

// The pointer slot of Event's union (every variant's data but `custom`'s).
unsigned UnionSlot() {
  static const unsigned slot = static_cast<unsigned>(
      capnp::Schema::from<schema::Event>().getUnionFields()[0].getProto().getSlot().getOffset());
  return slot;
}

// Sets `event`'s variant to `type` and returns its data struct, empty, of the type's schema.
capnp::DynamicStruct::Builder InitData(schema::Event::Builder event, const EventTypeInfo& type) {
  if (type.variant == CustomVariant()) {
    auto custom = event.initCustom();
    custom.setType(type.name);
    return custom.getData().initAs<capnp::DynamicStruct>(type.data);
  }
  capnp::DynamicStruct::Builder dyn = event;
  dyn.init(capnp::Schema::from<schema::Event>().getUnionFields()[static_cast<unsigned>(
      type.variant)]);
  return capnp::AnyStruct::Builder(schema::Event::Builder(event)).getPointerSection()[UnionSlot()]
      .initAs<capnp::DynamicStruct>(type.data);
}

std::string KnownTypes(const EventTypeResolver& types) {
  std::string known;
  for (const auto& t : types.All()) {
    if (t->kind == EventKind::kVocabulary) continue;
    known += (known.empty() ? "" : ", ") + t->name;
  }
  return known;
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
    if (mode == JsonMode::kImport && IsStoreAssignedKey(key)) {
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

void AppendField(std::string* out, const char* key) {
  if (out->size() > 1) out->push_back(',');
  AppendJsonQuoted(key, out);
  out->push_back(':');
}

void AppendText(std::string* out, const char* key, capnp::Text::Reader t) {
  AppendField(out, key);
  AppendJsonQuoted(std::string_view(t.cStr(), t.size()), out);
}

std::string EncodeData(const EventRep& event) {
  auto text = event.type().codec->encode(event.data_struct());
  std::string out(text.cStr(), text.size());
  MakeJsonOutputSafe(&out);
  return out;
}

}  // namespace

// ---- parse ---------------------------------------------------------------------------------

Result<std::unique_ptr<EventRep>> ParseEventJson(std::string_view json, JsonMode mode,
                                                 const EventTypeResolver& types) {
  if (json.size() > kMaxEventBytes) {
    return Status::InvalidArgument("event is " + std::to_string(json.size()) +
                                   " bytes; the limit is 1048576");
  }
  if (json.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("event contains a NUL byte");
  }
  // The first segment sized for this event rather than Cap'n Proto's default 8 KiB (zeroed
  // by calloc for every line, a sixth of the parse): the message takes about twice its
  // JSON's size, plus the fields the store sets on append (seq, version, recorded_at, both
  // hashes, maybe the id: under 512 bytes).  A bigger event just gets a second segment;
  // the stored bytes are canonical, whatever the segments were.  Callers also hold many
  // NewEvents at once (a batch, an import chunk), so unused memory adds up.
  auto builder = std::make_unique<capnp::MallocMessageBuilder>(
      static_cast<unsigned>(json.size() / sizeof(capnp::word) * 2 + 64));
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
  ANNALS_RETURN_IF_ERROR(ValidateContent(*rep));
  Status s = rep->Refresh();
  if (!s.ok()) return s.WithPrefix("field 'effective'");
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

// ---- print ---------------------------------------------------------------------------------

std::string EventToJson(const EventRep& event) {
  const schema::Event::Reader r = event.reader();
  std::string out = "{";
  if (r.hasId()) AppendText(&out, "id", r.getId());
  if (r.hasStream()) AppendText(&out, "stream", r.getStream());
  if (r.hasEffective()) AppendText(&out, "effective", r.getEffective());
  AppendField(&out, "confidence");
  switch (r.getConfidence()) {
    case schema::Confidence::CONFIRMED: out += "\"confirmed\""; break;
    case schema::Confidence::REPORTED: out += "\"reported\""; break;
    case schema::Confidence::RUMORED: out += "\"rumored\""; break;
  }
  if (r.hasSource()) {
    AppendField(&out, "source");
    auto text = EnvelopeCodec().encode(r.getSource());
    std::string source(text.cStr(), text.size());
    MakeJsonOutputSafe(&source);
    out += source;
  }
  if (r.hasRecordedBy()) AppendText(&out, "recorded_by", r.getRecordedBy());
  AppendField(&out, "seq");
  out += std::to_string(r.getSeq());
  AppendField(&out, "version");
  out += std::to_string(r.getVersion());
  if (r.hasRecordedAt()) AppendText(&out, "recorded_at", r.getRecordedAt());
  if (r.hasPrevHash()) AppendText(&out, "prev_hash", r.getPrevHash());
  if (r.hasHash()) AppendText(&out, "hash", r.getHash());
  if (r.hasImportedFrom()) {
    // By hand, as seq above: JsonCodec would write the UInt64 seq as a string.
    const auto from = r.getImportedFrom();
    AppendField(&out, "imported_from");
    std::string inner = "{";
    AppendText(&inner, "recorded_at", from.getRecordedAt());
    AppendField(&inner, "seq");
    inner += std::to_string(from.getSeq());
    AppendText(&inner, "hash", from.getHash());
    out += inner + "}";
  }
  AppendField(&out, "type");
  AppendJsonQuoted(event.type_name(), &out);
  AppendField(&out, "data");
  out += EncodeData(event);
  out.push_back('}');
  return out;
}

std::string EventDataToJson(const EventRep& event) { return EncodeData(event); }

// ---- content checks -----------------------------------------------------------------------

namespace {

bool IsLowerHex(capnp::Text::Reader t, size_t size) {
  if (t.size() != size) return false;
  for (char c : t) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The provenance of a re-recorded event names a recording: an instant, a seq and a hash.
Status CheckProvenance(schema::Provenance::Reader from) {
  auto at = ParseInstant(from.getRecordedAt().cStr());
  if (!at.ok()) return at.status().WithPrefix("field 'imported_from.recorded_at'");
  if (from.getSeq() == 0) return Status::InvalidArgument("field 'imported_from.seq' is 0");
  if (!IsLowerHex(from.getHash(), 64)) {
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
