// Copyright annals authors.
//
// Event messages and their JSON form.
//
// JSON (SPEC §5) is parsed and printed by Cap'n Proto's JsonCodec, driven by the $Json
// annotations of schema/event.capnp.  Before a document reaches the codec it is parsed
// into a raw JsonValue and checked against the schema (CheckObject below), so that every
// rejection names the offending field in words a user can act on; the codec alone would
// report "Unknown field; name = zz" or silently pick the first union variant for an
// unknown "type".
//
// kj::Exception is translated to Status in exactly this file: ParseEventJson (malformed
// JSON), FromStored (corrupt stored bytes) and ApplyCorrection.

#include "event_rep.h"

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "json_parse.h"

namespace annals {
namespace internal {

namespace {

constexpr uint64_t kJsonNameAnnotationId = 0xfa5b1fd61c2e7c3dull;  // json.capnp `name`
constexpr double kMaxJsonInteger = 9007199254740992.0;            // 2^53

// seq and version are UInt64, which JsonCodec prints as strings (for JavaScript's sake);
// SPEC §5 wants plain numbers.  Values above 2^53 are refused on input.
class UInt64AsNumberHandler final : public capnp::JsonCodec::Handler<uint64_t> {
 public:
  void encode(const capnp::JsonCodec&, uint64_t input,
              capnp::JsonValue::Builder output) const override {
    output.setNumber(static_cast<double>(input));
  }
  uint64_t decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input) const override {
    KJ_REQUIRE(input.isNumber(), "expected a number");
    double d = input.getNumber();
    KJ_REQUIRE(d >= 0 && d <= kMaxJsonInteger && std::floor(d) == d,
               "expected a non-negative integer");
    return static_cast<uint64_t>(d);
  }
};

struct CodecHolder {
  UInt64AsNumberHandler uint64_handler;
  capnp::JsonCodec codec;
  CodecHolder() {
    codec.handleByAnnotation<schema::Event>();
    codec.setRejectUnknownFields(true);
    auto event = capnp::Schema::from<schema::Event>();
    codec.addFieldHandler(event.getFieldByName("seq"), uint64_handler);
    codec.addFieldHandler(event.getFieldByName("version"), uint64_handler);
  }
};

const capnp::JsonCodec& Codec() {
  static const CodecHolder* holder = new CodecHolder();  // never destroyed: used at exit
  return holder->codec;
}

std::string KjMessage(const kj::Exception& e) {
  std::string d = e.getDescription().cStr();
  // JsonCodec descriptions look like "expected <cond>; <what>; name = x"; keep the tail.
  auto pos = d.find("; ");
  if (d.rfind("expected ", 0) == 0 && pos != std::string::npos) d = d.substr(pos + 2);
  return d;
}

// The JSON name of a schema field: its $Json.name, else its Cap'n Proto name.
std::string JsonName(capnp::StructSchema::Field field) {
  for (auto a : field.getProto().getAnnotations()) {
    if (a.getId() == kJsonNameAnnotationId) return a.getValue().getText().cStr();
  }
  return field.getProto().getName().cStr();
}

// The non-union fields of a struct with their JSON names, for looking up the members of
// an object.  The tables of every struct reachable from Event are built once, on first
// use (thread-safe), and never change: before, each field's annotations were scanned
// again, and its name copied, for every member of every imported line.
using FieldTable = std::vector<std::pair<std::string, capnp::Type>>;
using FieldTables = std::vector<std::pair<capnp::StructSchema, FieldTable>>;

void AddFieldTables(capnp::StructSchema schema, FieldTables* tables) {
  if (schema == capnp::Schema::from<capnp::JsonValue>()) return;
  for (const auto& t : *tables) {
    if (t.first == schema) return;
  }
  FieldTable table;
  for (auto field : schema.getNonUnionFields()) table.emplace_back(JsonName(field), field.getType());
  tables->emplace_back(schema, std::move(table));
  for (auto field : schema.getFields()) {
    if (field.getType().isStruct()) AddFieldTables(field.getType().asStruct(), tables);
  }
}

const FieldTable& FieldsOf(capnp::StructSchema schema) {
  static const auto* tables = [] {
    auto* t = new FieldTables();
    AddFieldTables(capnp::Schema::from<schema::Event>(), t);
    return t;
  }();
  for (const auto& t : *tables) {  // a dozen structs, compared by pointer
    if (t.first == schema) return t.second;
  }
  KJ_FAIL_ASSERT("a struct not reachable from Event");
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

const char* kTypeNames[] = {
    "partner_talks", "partner_chosen", "submission_filed", "submission_decided",
    "launch_target_set", "launched", "fact", "note", "correction", "retraction",
};
constexpr int kTypeCount = sizeof(kTypeNames) / sizeof(kTypeNames[0]);

// Required keys of `data`, per type (SPEC §2, bold fields).
const std::vector<std::vector<const char*>>& RequiredDataKeys() {
  static const auto* keys = new std::vector<std::vector<const char*>>{
      {"partner", "status"},      // partner_talks
      {"partner"},                // partner_chosen
      {"regulator"},              // submission_filed
      {"regulator", "decision"},  // submission_decided
      {"target"},                 // launch_target_set
      {},                         // launched
      {"key"},                    // fact
      {"text"},                   // note
      {"target"},                 // correction
      {"target", "reason"},       // retraction
  };
  return *keys;
}

bool IsValidUtf8(kj::StringPtr s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.begin());
  const unsigned char* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++p;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    for (size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range code points are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

Status CheckString(const std::string& path, kj::StringPtr s) {
  if (s.size() > kMaxStringBytes) {
    return Status::InvalidArgument("field '" + path + "' is " + std::to_string(s.size()) +
                                   " bytes; the limit is 65536");
  }
  if (std::memchr(s.begin(), '\0', s.size()) != nullptr) {
    return Status::InvalidArgument("field '" + path + "' contains a NUL character");
  }
  if (!IsValidUtf8(s)) {
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

Status WrongType(const std::string& path, const char* expected, capnp::JsonValue::Reader v) {
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

Status CheckObject(const std::string& prefix, capnp::StructSchema schema,
                   capnp::JsonValue::Reader v);

// Checks that `v` fits a field of type `type`.
Status CheckValue(const std::string& path, capnp::Type type, capnp::JsonValue::Reader v) {
  switch (type.which()) {
    case capnp::schema::Type::TEXT:
      if (!v.isString()) return WrongType(path, "a string", v);
      return CheckString(path, v.getString());
    case capnp::schema::Type::BOOL:
      if (!v.isBoolean()) return WrongType(path, "true or false", v);
      return Status::OK();
    case capnp::schema::Type::UINT64: {
      if (!v.isNumber()) return WrongType(path, "a number", v);
      double d = v.getNumber();
      if (!(d >= 0 && d <= kMaxJsonInteger && std::floor(d) == d)) {
        return Status::InvalidArgument("field '" + path +
                                       "' must be a non-negative integer below 2^53");
      }
      return Status::OK();
    }
    case capnp::schema::Type::ENUM: {
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
      if (!v.isString()) return WrongType(path, ("one of " + allowed).c_str(), v);
      return Status::InvalidArgument("field '" + path + "' must be one of " + allowed +
                                     ", got '" + std::string(v.getString().cStr()) + "'");
    }
    case capnp::schema::Type::LIST: {
      if (!v.isArray()) return WrongType(path, "an array", v);
      size_t i = 0;
      for (auto e : v.getArray()) {
        ANNALS_RETURN_IF_ERROR(
            CheckValue(path + "." + std::to_string(i++), type.asList().getElementType(), e));
      }
      return Status::OK();
    }
    case capnp::schema::Type::STRUCT:
      if (type.asStruct() == capnp::Schema::from<capnp::JsonValue>()) {
        if (!v.isObject()) return WrongType(path, "an object", v);
        return CheckAnyValue(path, v);
      }
      if (!v.isObject()) return WrongType(path, "an object", v);
      return CheckObject(path, type.asStruct(), v);
    default:
      return Status::InvalidArgument("field '" + path + "' has an unsupported type");
  }
}

// Checks a JSON object against a struct schema without unions: known keys, no duplicates,
// right types.
Status CheckObject(const std::string& prefix, capnp::StructSchema schema,
                   capnp::JsonValue::Reader v) {
  const FieldTable& fields = FieldsOf(schema);
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

// In the order in which a missing one is reported.
constexpr const char* kStoreAssignedKeys[] = {"hash", "prev_hash", "recorded_at", "seq",
                                              "version"};

bool IsStoreAssignedKey(kj::StringPtr key) {
  for (const char* k : kStoreAssignedKeys) {
    if (key == k) return true;
  }
  return false;
}

// Checks the top level of an event document and the data of its type.
Status CheckEventDocument(capnp::JsonValue::Reader doc, JsonMode mode, int* type_index) {
  if (!doc.isObject()) return Status::InvalidArgument("an event must be a JSON object");
  auto event_schema = capnp::Schema::from<schema::Event>();

  KeySeen seen;
  kj::Maybe<capnp::JsonValue::Reader> type_member, data_member;
  for (auto f : doc.getObject()) {
    const kj::StringPtr key = f.getName();
    if (!seen.Insert(key)) {
      return Status::InvalidArgument("field '" + std::string(key.cStr()) + "' appears twice");
    }
    if (key == "type") type_member = f.getValue();
    if (key == "data") data_member = f.getValue();
    if (mode == JsonMode::kImport && IsStoreAssignedKey(key)) {
      return Status::InvalidArgument("field '" + std::string(key.cStr()) +
                                     "' is assigned by the store (use restore for exports)");
    }
  }
  if (mode == JsonMode::kExport) {
    for (const char* key : kStoreAssignedKeys) {
      if (Member(doc, key) == nullptr) {
        return Status::InvalidArgument("missing field '" + std::string(key) + "'");
      }
    }
  }

  // "type" selects the union variant; check it before the codec sees the document.
  capnp::JsonValue::Reader type_value;
  KJ_IF_MAYBE(t, type_member) {
    type_value = *t;
  } else {
    return Status::InvalidArgument("missing field 'type'");
  }
  if (!type_value.isString()) return WrongType("type", "a string", type_value);
  auto type = ParseEventType(type_value.getString().cStr());
  if (!type.ok()) return type.status();
  *type_index = static_cast<int>(*type);

  auto variant = event_schema.getUnionFields()[*type_index];
  const FieldTable& envelope = FieldsOf(event_schema);
  for (auto f : doc.getObject()) {
    const kj::StringPtr key = f.getName();
    if (key == "type") continue;
    if (key == "data") {
      if (!f.getValue().isObject()) return WrongType("data", "an object", f.getValue());
      ANNALS_RETURN_IF_ERROR(CheckObject("data", variant.getType().asStruct(), f.getValue()));
      continue;
    }
    const capnp::Type* field_type = FindField(envelope, key);
    if (field_type == nullptr) {
      return Status::InvalidArgument("unknown field '" + std::string(key.cStr()) + "'");
    }
    if (f.getValue().isNull()) continue;  // null means absent
    ANNALS_RETURN_IF_ERROR(CheckValue(key.cStr(), *field_type, f.getValue()));
  }

  // Required fields of the data (enums cannot be "absent" once decoded, so this is done
  // on the JSON).
  capnp::JsonValue::Reader data;
  bool has_data = false;
  KJ_IF_MAYBE(d, data_member) {
    data = *d;
    has_data = true;
  }
  for (const char* key : RequiredDataKeys()[*type_index]) {
    bool present = false;
    if (has_data) {
      KJ_IF_MAYBE(v, Member(data, key)) {
        present = !v->isNull() && !(v->isString() && v->getString().size() == 0);
      }
    }
    if (!present) {
      return Status::InvalidArgument("missing field 'data." + std::string(key) + "' (required for " +
                                     kTypeNames[*type_index] + ")");
    }
  }
  return Status::OK();
}

bool IsStreamChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '/' || c == '-';
}

// A message reader over one segment that owns its (one-entry) segment table.
class SingleSegmentReader final : public capnp::MessageReader {
 public:
  SingleSegmentReader(kj::ArrayPtr<const capnp::word> segment, capnp::ReaderOptions opts)
      : capnp::MessageReader(opts), segment_(segment) {}
  kj::ArrayPtr<const capnp::word> getSegment(uint id) override {
    return id == 0 ? segment_ : nullptr;
  }

 private:
  kj::ArrayPtr<const capnp::word> segment_;
};

}  // namespace

// ---- EventRep ------------------------------------------------------------------------

EventRep::EventRep(std::unique_ptr<capnp::MallocMessageBuilder> builder)
    : builder_(std::move(builder)) {
  reader_ = builder_->getRoot<schema::Event>().asReader();
}

EventRep::~EventRep() = default;

Status EventRep::Refresh() {
  if (builder_) reader_ = builder_->getRoot<schema::Event>().asReader();
  if (reader_.hasEffective()) {
    auto d = ParseFuzzyDate(reader_.getEffective().cStr());
    if (!d.ok()) return d.status();
    effective_ = std::move(d).value();
  } else {
    effective_ = FuzzyDate();
  }
  if (reader_.hasRecordedAt()) {
    auto t = ParseInstant(reader_.getRecordedAt().cStr());
    if (!t.ok()) return t.status();
    recorded_at_micros_ = *t;
  }
  return Status::OK();
}

void EventRep::AssignedByStore(int64_t recorded_at_micros) {
  if (builder_) reader_ = builder_->getRoot<schema::Event>().asReader();
  recorded_at_micros_ = recorded_at_micros;
}

namespace {

// Follows every pointer the schema declares once, through the typed getters, so that a
// corrupt stored message throws here (and becomes Corruption) and never later in a
// projection or in the JSON codec.  Unlike canonicalize() it copies nothing, and unlike
// totalSize() it checks pointer kinds (text where text is expected).
void TouchJson(capnp::JsonValue::Reader v, int depth) {
  KJ_REQUIRE(depth < 64, "JSON value nested too deeply");
  switch (v.which()) {
    case capnp::JsonValue::STRING:
      v.getString();
      break;
    case capnp::JsonValue::ARRAY:
      for (auto e : v.getArray()) TouchJson(e, depth + 1);
      break;
    case capnp::JsonValue::OBJECT:
      for (auto f : v.getObject()) {
        f.getName();
        TouchJson(f.getValue(), depth + 1);
      }
      break;
    case capnp::JsonValue::CALL: {
      auto c = v.getCall();
      c.getFunction();
      for (auto p : c.getParams()) TouchJson(p, depth + 1);
      break;
    }
    default:
      break;
  }
}

void TouchAll(schema::Event::Reader e) {
  e.getId();
  e.getStream();
  e.getEffective();
  e.getRecordedBy();
  auto src = e.getSource();
  src.getPublisher();
  src.getUrl();
  src.getPublished();
  e.getRecordedAt();
  e.getPrevHash();
  e.getHash();
  switch (e.which()) {
    case schema::Event::PARTNER_TALKS: {
      auto d = e.getPartnerTalks();
      d.getPartner();
      d.getReason();
      break;
    }
    case schema::Event::PARTNER_CHOSEN: {
      auto d = e.getPartnerChosen();
      d.getPartner();
      d.getRole();
      break;
    }
    case schema::Event::SUBMISSION_FILED: {
      auto d = e.getSubmissionFiled();
      d.getRegulator();
      d.getScope();
      for (auto w : d.getWith()) (void)w;
      break;
    }
    case schema::Event::SUBMISSION_DECIDED: {
      auto d = e.getSubmissionDecided();
      d.getRegulator();
      d.getConditions();
      break;
    }
    case schema::Event::LAUNCH_TARGET_SET: {
      auto d = e.getLaunchTargetSet();
      d.getTarget();
      d.getScope();
      break;
    }
    case schema::Event::LAUNCHED: {
      auto d = e.getLaunched();
      d.getScope();
      d.getRelease();
      break;
    }
    case schema::Event::FACT: {
      auto d = e.getFact();
      d.getKey();
      d.getValue();
      break;
    }
    case schema::Event::NOTE:
      e.getNote().getText();
      break;
    case schema::Event::CORRECTION: {
      auto d = e.getCorrection();
      d.getTarget();
      d.getEffective();
      d.getReason();
      if (d.hasData()) TouchJson(d.getData(), 0);
      break;
    }
    case schema::Event::RETRACTION: {
      auto d = e.getRetraction();
      d.getTarget();
      d.getReason();
      break;
    }
  }
}

}  // namespace

Result<std::shared_ptr<const EventRep>> EventRep::FromStored(std::string_view bytes) {
  return FromStoredPinned(bytes, nullptr);
}

Result<std::shared_ptr<const EventRep>> EventRep::FromStoredPinned(std::string_view bytes,
                                                                   std::shared_ptr<void> pin) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return Status::Corruption("stored event has " + std::to_string(bytes.size()) +
                              " bytes, not a whole number of words");
  }
  std::shared_ptr<EventRep> rep(new EventRep());
  kj::ArrayPtr<const capnp::word> words;
  if (pin != nullptr && reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    // In place: Cap'n Proto reads aligned memory directly.
    words = kj::ArrayPtr<const capnp::word>(reinterpret_cast<const capnp::word*>(bytes.data()),
                                            bytes.size() / sizeof(capnp::word));
    rep->pin_ = std::move(pin);
  } else {
    // Cap'n Proto refuses unaligned segments (undefined behaviour even on x86).
    rep->words_ = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
    std::memcpy(rep->words_.begin(), bytes.data(), bytes.size());
    words = rep->words_;
  }
  return Decode(std::move(rep), words);
}

Result<std::shared_ptr<const EventRep>> EventRep::Decode(std::shared_ptr<EventRep> rep,
                                                         kj::ArrayPtr<const capnp::word> words) {
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = kMaxEventBytes / sizeof(capnp::word) * 2;
    rep->message_ = std::make_unique<SingleSegmentReader>(words, options);
    rep->reader_ = rep->message_->getRoot<schema::Event>();
    if (static_cast<int>(rep->reader_.which()) >= kTypeCount) {
      return Status::Corruption("stored event has an unknown type");
    }
    TouchAll(rep->reader_);
    // TouchAll reads the schema's fields only; a corrupt pointer elsewhere (found by
    // tests/tamper_test.cc: flipped bytes) would throw later, outside this one catch, from
    // Canonical() in Verify().  totalSize() bounds-checks every pointer without copying.
    // It also counts capability pointers, which no event holds and which canonical form
    // refuses (found by fuzz/stored_event_fuzz.cc: one flipped pointer-kind bit).
    if (rep->reader_.totalSize().capCount != 0) {
      return Status::Corruption("stored event holds a capability pointer");
    }
  } catch (const kj::Exception& e) {
    return Status::Corruption("stored event does not decode: " + KjMessage(e));
  }
  Status s = rep->Refresh();
  if (!s.ok()) return Status::Corruption("stored event: " + s.message());
  return std::shared_ptr<const EventRep>(std::move(rep));
}

namespace {

// capnp::canonicalize() without its self-check.  In Cap'n Proto 0.9.2 it sizes a zeroed
// buffer from totalSize(), copies the struct in with PointerBuilder::setStruct(value,
// canonical = true), then asserts MessageBuilder::isCanonical() on the result, a second
// full walk that cost 40% of it (callgrind: 4.3k of 10k instructions for a typical event,
// on every append).  This is the same copy without that walk, through the same internal
// calls capnp::canonicalize makes from its header.  EventRepTest compares the two on
// 20,000 random events; debug builds still run the check.
kj::Array<capnp::word> Canonicalize(schema::Event::Reader event) {
  auto reader = capnp::_::PointerHelpers<schema::Event>::getInternalReader(event);
  auto backing = kj::heapArray<capnp::word>(reader.totalSize().wordCount + 1);
  std::memset(backing.begin(), 0, backing.asBytes().size());
  capnp::FlatMessageBuilder builder(backing);
  capnp::_::PointerHelpers<capnp::AnyPointer>::getInternalBuilder(
      builder.initRoot<capnp::AnyPointer>())
      .setStruct(reader, /*canonical=*/true);
  KJ_DASSERT(builder.isCanonical());
  auto output = builder.getSegmentsForOutput()[0];
  auto words = kj::heapArray<capnp::word>(output.size());
  std::memcpy(words.begin(), output.begin(), output.asBytes().size());
  return words;
}

}  // namespace

kj::Array<capnp::word> EventRep::Canonical() const { return Canonicalize(reader_); }

kj::Array<capnp::word> EventRep::CanonicalWithoutHash() const {
  // The append path hashes an event before its hash is set: no copy needed.
  if (!reader_.hasHash()) return Canonicalize(reader_);
  capnp::MallocMessageBuilder copy;
  copy.setRoot(reader_);
  copy.getRoot<schema::Event>().disownHash();
  return Canonicalize(copy.getRoot<schema::Event>().asReader());
}

// Canonical form (capnp layout.c++, canonicalize) is one segment: word 0 is the root
// struct pointer with offset 0, then the root's data section, then its pointer section
// (trailing null pointers truncated), then the objects the pointers reach, in pre-order
// of the pointer slots, each packed right after the previous one.  `hash` is the last
// pointer slot of Event (pointer 8; the static_assert below breaks the build if a field
// added to the schema moves it), so, given the encoding without the hash, whose pointer
// section ends with prevHash (8 slots), the encoding with it differs only in:
//   - the root pointer: 9 pointers instead of 8;
//   - one more pointer word after slot 7, so every object after the pointer section
//     moves one word further: the offsets of slots 0..7, which are relative to the end of
//     their own word, grow by one.  Not so for null pointers (all zero) and for pointers
//     to empty structs, which canonical form encodes as offset -1 and zero sizes whatever
//     follows.  Pointers inside the objects are relative to words that move with them;
//   - the hash text, appended after everything else (it is the last object in pre-order):
//     a byte list of its characters plus NUL, zero-padded to whole words, reached by
//     slot 8.
// Tests compare the result with capnp::canonicalize (EventRepTest).
kj::Array<capnp::word> EventRep::CanonicalFromWithoutHash(
    kj::ArrayPtr<const capnp::word> without_hash) const {
  static_assert(schema::Event::_capnpPrivate::pointerCount == 9,
                "Event's hash is no longer its last pointer slot: revisit this derivation");
  constexpr uint64_t kHashSlot = 8;
  constexpr uint64_t kLowMask = 0xffffffffull;
  auto load = [&](size_t i) {
    uint64_t w;
    std::memcpy(&w, without_hash.begin() + i, sizeof w);
    return w;  // capnp is little-endian; so is every platform annals builds on
  };
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "capnp words are little-endian");
  if (!reader_.hasHash() || without_hash.size() == 0) return Canonical();
  const uint64_t root = load(0);
  const uint64_t data_words = (root >> 32) & 0xffff;
  const uint64_t pointers = root >> 48;
  // Root struct pointer, offset 0, with exactly the slots before the hash.
  if ((root & kLowMask) != 0 || pointers != kHashSlot) return Canonical();
  const size_t slots_begin = 1 + data_words;
  const size_t slots_end = slots_begin + kHashSlot;
  const size_t n = without_hash.size();
  if (n < slots_end) return Canonical();

  const capnp::Text::Reader hash = reader_.getHash();
  const size_t text_words = (hash.size() + 1 + sizeof(capnp::word) - 1) / sizeof(capnp::word);
  auto out = kj::heapArray<capnp::word>(n + 1 + text_words);
  char* o = reinterpret_cast<char*>(out.begin());
  auto store = [&](size_t i, uint64_t w) { std::memcpy(o + i * sizeof w, &w, sizeof w); };

  std::memcpy(o, without_hash.begin(), slots_end * sizeof(capnp::word));
  store(0, root + (1ull << 48));
  for (size_t i = slots_begin; i < slots_end; ++i) {
    const uint64_t w = load(i);
    if (w == 0) continue;                                 // null
    const uint32_t kind = w & 3;
    if (kind == 0 && (w >> 32) == 0) continue;           // empty struct: offset -1 stays
    if (kind != 0 && kind != 1) return Canonical();      // far or capability: not ours
    const int32_t offset = static_cast<int32_t>(static_cast<uint32_t>(w)) >> 2;
    const uint32_t moved = (static_cast<uint32_t>(offset + 1) << 2) | kind;
    store(i, (w & ~kLowMask) | moved);
  }
  // Slot 8: a list of bytes (element size 2) of size+1 elements, right after the content.
  const uint64_t text_at = n + 1;
  const uint64_t offset = text_at - (slots_end + 1);
  store(slots_end, ((hash.size() + 1) << 35) | (2ull << 32) | (offset << 2) | 1);
  std::memcpy(o + (slots_end + 1) * sizeof(capnp::word), without_hash.begin() + slots_end,
              (n - slots_end) * sizeof(capnp::word));
  char* text = o + text_at * sizeof(capnp::word);
  std::memset(text, 0, text_words * sizeof(capnp::word));
  std::memcpy(text, hash.begin(), hash.size());
  return out;
}

kj::Array<capnp::word> EventRep::CanonicalContent() const {
  capnp::MallocMessageBuilder copy;
  copy.setRoot(reader_);
  auto e = copy.getRoot<schema::Event>();
  e.setSeq(0);
  e.setVersion(0);
  e.disownRecordedAt();
  e.disownPrevHash();
  e.disownHash();
  return Canonicalize(e.asReader());
}

// ---- types ---------------------------------------------------------------------------

EventType TypeOf(schema::Event::Reader event) {
  return static_cast<EventType>(static_cast<int>(event.which()));
}

// ---- JSON ----------------------------------------------------------------------------

Result<std::unique_ptr<EventRep>> ParseEventJson(std::string_view json, JsonMode mode) {
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
  try {
    // The raw document lives only during this call: it is built in a per-thread scratch
    // segment, which the builder zeroes again (only the part it used) when it is done.
    // (Nothing called from here parses another event, so one segment per thread does.)
    thread_local std::vector<capnp::word> scratch(4096);  // value-initialized: zero
    capnp::MallocMessageBuilder raw_message(kj::arrayPtr(scratch.data(), scratch.size()));
    auto raw = raw_message.initRoot<capnp::JsonValue>();
    ANNALS_RETURN_IF_ERROR(ParseJson(json, raw));
    int type_index = 0;
    ANNALS_RETURN_IF_ERROR(CheckEventDocument(raw.asReader(), mode, &type_index));
    DropNulls(raw, raw_message.getOrphanage());
    auto event = builder->initRoot<schema::Event>();
    // Select the variant first: the codec fills the union from "data".
    auto variant = capnp::Schema::from<schema::Event>().getUnionFields()[type_index];
    capnp::DynamicStruct::Builder dyn = event;
    dyn.init(variant);
    Codec().decode(raw.asReader(), dyn);
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("invalid event: " + KjMessage(e));
  }
  auto rep = std::make_unique<EventRep>(std::move(builder));
  ANNALS_RETURN_IF_ERROR(ValidateContent(rep->reader()));
  Status s = rep->Refresh();
  if (!s.ok()) return s.WithPrefix("field 'effective'");
  return rep;
}

std::string EventToJson(schema::Event::Reader event) {
  auto text = Codec().encode(event);
  return std::string(text.cStr(), text.size());
}

std::string EventDataToJson(schema::Event::Reader event) {
  capnp::DynamicStruct::Reader dyn = event;
  auto variant = capnp::Schema::from<schema::Event>().getUnionFields()[static_cast<int>(
      event.which())];
  auto value = dyn.get(variant);
  auto text = Codec().encode(value, variant.getType());
  return std::string(text.cStr(), text.size());
}

Status ValidateContent(schema::Event::Reader event) {
  if (!event.hasStream() || event.getStream().size() == 0) {
    return Status::InvalidArgument("missing field 'stream'");
  }
  auto stream = event.getStream();
  if (stream.size() > kMaxStreamBytes) {
    return Status::InvalidArgument("field 'stream' is " + std::to_string(stream.size()) +
                                   " bytes; the limit is 200");
  }
  for (char c : stream) {
    if (!IsStreamChar(c)) {
      return Status::InvalidArgument("field 'stream' ('" + std::string(stream.cStr()) +
                                     "') may only contain A-Z a-z 0-9 . _ / -");
    }
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
  EventType type = TypeOf(event);
  if (!IsMetaType(type)) {
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
  switch (type) {
    case EventType::kLaunchTargetSet: {
      auto d = ParseFuzzyDate(event.getLaunchTargetSet().getTarget().cStr());
      if (!d.ok()) return d.status().WithPrefix("field 'data.target'");
      break;
    }
    case EventType::kCorrection: {
      auto c = event.getCorrection();
      if (c.hasEffective()) {
        auto d = ParseFuzzyDate(c.getEffective().cStr());
        if (!d.ok()) return d.status().WithPrefix("field 'data.effective'");
      }
      if (c.hasData() && !c.getData().isObject()) {
        return Status::InvalidArgument("field 'data.data' must be an object");
      }
      if (!c.hasEffective() && !c.hasData()) {
        return Status::InvalidArgument(
            "a correction needs 'data.effective' or 'data.data' (what to change)");
      }
      break;
    }
    default:
      break;
  }
  return Status::OK();
}

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
  if (correction.hasEffective()) event.setEffective(correction.getEffective());
  if (correction.hasData()) {
    if (!correction.getData().isObject()) {
      return Status::InvalidArgument("correction data must be an object");
    }
    int type_index = static_cast<int>(target.reader().which());
    auto variant = capnp::Schema::from<schema::Event>().getUnionFields()[type_index];
    try {
      // Merge: the target's data as JSON, with the correction's members replacing.
      const auto json_words = static_cast<unsigned>(4 * (target_words + correction_words) + 64);
      capnp::MallocMessageBuilder merged_message(json_words);
      auto merged = merged_message.initRoot<capnp::JsonValue>();
      capnp::DynamicStruct::Reader dyn = target.reader();
      Codec().encode(dyn.get(variant), variant.getType(), merged);
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
      auto fields = out.initObject(members.size());
      for (size_t i = 0; i < members.size(); ++i) {
        fields[i].setName(members[i].first);
        fields[i].setValue(members[i].second);
      }
      ANNALS_RETURN_IF_ERROR(CheckObject("data", variant.getType().asStruct(), out.asReader()));
      for (const char* key : RequiredDataKeys()[type_index]) {
        bool present = false;
        KJ_IF_MAYBE(v, Member(out.asReader(), key)) {
          present = !v->isNull() && !(v->isString() && v->getString().size() == 0);
        }
        if (!present) {
          return Status::InvalidArgument("correction would remove required field 'data." +
                                         std::string(key) + "'");
        }
      }
      DropNulls(out, out_message.getOrphanage());
      capnp::DynamicStruct::Builder dyn_out = event;
      auto data = dyn_out.init(variant).as<capnp::DynamicStruct>();
      Codec().decode(out.asReader(), data);
    } catch (const kj::Exception& e) {
      return Status::InvalidArgument("correction data does not fit the target: " +
                                     KjMessage(e));
    }
  }
  auto rep = std::make_shared<EventRep>(std::move(builder));
  ANNALS_RETURN_IF_ERROR(ValidateContent(rep->reader()));
  ANNALS_RETURN_IF_ERROR(rep->Refresh());
  return std::shared_ptr<const EventRep>(std::move(rep));
}

}  // namespace internal

// ---- public names --------------------------------------------------------------------

std::string_view EventTypeName(EventType type) {
  int i = static_cast<int>(type);
  if (i < 0 || i >= internal::kTypeCount) return "unknown";
  return internal::kTypeNames[i];
}

Result<EventType> ParseEventType(std::string_view name) {
  for (int i = 0; i < internal::kTypeCount; ++i) {
    if (name == internal::kTypeNames[i]) return static_cast<EventType>(i);
  }
  std::string known;
  for (int i = 0; i < internal::kTypeCount; ++i) {
    known += (i ? ", " : "") + std::string(internal::kTypeNames[i]);
  }
  return Status::InvalidArgument("unknown event type '" + std::string(name) +
                                 "' (known: " + known + ")");
}

}  // namespace annals
