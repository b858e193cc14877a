// Copyright annals authors.
//
// Event messages: building, decoding stored bytes, canonical form (event_rep.h).
//
// kj::Exception is translated to Status here for stored bytes (FromStored) and in
// event_json.cc for JSON input: nowhere else.

#include "codec/event_rep.h"

#include <capnp/compat/json.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <utility>

namespace annals {
namespace internal {

namespace {

std::string KjDescription(const kj::Exception& e) { return e.getDescription().cStr(); }

// The pointer slot of Event's union, which holds the data of every variant but `custom`.
unsigned UnionSlot() {
  static const unsigned slot = [] {
    auto variants = capnp::Schema::from<schema::Event>().getUnionFields();
    return static_cast<unsigned>(variants[0].getProto().getSlot().getOffset());
  }();
  return slot;
}

// Follows every pointer of a data struct once, as its type's TouchPlan says, so that a
// corrupt stored message throws here (and becomes Corruption) and never later in a fold or
// in the JSON codec.  Unlike canonicalize() it copies nothing, and unlike totalSize() it
// checks pointer kinds (text where text is expected).
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

void Touch(capnp::AnyStruct::Reader s, const TouchPlan& plan) {
  auto pointers = s.getPointerSection();
  for (const TouchPlan::Pointer& p : plan.pointers) {
    if (p.slot >= pointers.size() || pointers[p.slot].isNull()) continue;
    capnp::AnyPointer::Reader ptr = pointers[p.slot];
    switch (p.kind) {
      case TouchPlan::kText: ptr.getAs<capnp::Text>(); break;
      case TouchPlan::kData: ptr.getAs<capnp::Data>(); break;
      case TouchPlan::kStruct: Touch(ptr.getAs<capnp::AnyStruct>(), *p.plan); break;
      case TouchPlan::kStructList:
        for (auto e : ptr.getAs<capnp::AnyList>().as<capnp::List<capnp::AnyStruct>>()) {
          Touch(e, *p.plan);
        }
        break;
      case TouchPlan::kTextList:
        for (auto e : ptr.getAs<capnp::List<capnp::Text>>()) (void)e;
        break;
      case TouchPlan::kOtherList:
        for (auto e : ptr.getAs<capnp::DynamicList>(p.type.asList())) (void)e;
        break;
      case TouchPlan::kJson: TouchJson(ptr.getAs<capnp::JsonValue>(), 0); break;
    }
  }
}

void TouchEnvelope(schema::Event::Reader e) {
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
  if (e.isCustom()) e.getCustom().getType();
}

// Whether every node of a JsonValue tree is of a kind JsonCodec prints.  Nesting is
// bounded by the reader's nesting limit (deeper reads throw, and Decode catches that).
bool KnownJsonValue(capnp::JsonValue::Reader v, int depth) {
  if (depth > 128) return false;
  switch (v.which()) {
    case capnp::JsonValue::NULL_:
    case capnp::JsonValue::BOOLEAN:
    case capnp::JsonValue::NUMBER:
    case capnp::JsonValue::STRING:
      return true;
    case capnp::JsonValue::ARRAY:
      for (auto e : v.getArray()) {
        if (!KnownJsonValue(e, depth + 1)) return false;
      }
      return true;
    case capnp::JsonValue::OBJECT:
      for (auto f : v.getObject()) {
        if (!KnownJsonValue(f.getValue(), depth + 1)) return false;
      }
      return true;
    case capnp::JsonValue::CALL:
      for (auto e : v.getCall().getParams()) {
        if (!KnownJsonValue(e, depth + 1)) return false;
      }
      return true;
  }
  return false;
}

}  // namespace

// ---- types -------------------------------------------------------------------------------

std::string_view TypeNameOf(schema::Event::Reader event) {
  if (event.isCustom()) {
    auto t = event.getCustom().getType();
    return std::string_view(t.cStr(), t.size());
  }
  static const std::vector<std::string>* names = [] {
    auto* n = new std::vector<std::string>();
    for (auto field : capnp::Schema::from<schema::Event>().getUnionFields()) {
      std::string name = field.getProto().getName().cStr();
      for (auto a : field.getProto().getAnnotations()) {
        if (a.getId() == 0xfa5b1fd61c2e7c3dull) name = a.getValue().getText().cStr();
      }
      n->push_back(std::move(name));
    }
    return n;
  }();
  const unsigned which = static_cast<unsigned>(event.which());
  return which < names->size() ? std::string_view((*names)[which]) : std::string_view();
}

std::shared_ptr<const EventTypeInfo> TypeOf(schema::Event::Reader event,
                                            const EventTypeResolver& types) {
  const std::string_view name = TypeNameOf(event);
  if (name.empty()) return nullptr;
  auto type = types.Find(name);
  if (type == nullptr) return nullptr;
  // A custom event must name a type stored as custom, and a variant a type of that variant.
  const int variant = event.isCustom() ? CustomVariant() : static_cast<int>(event.which());
  return type->variant == variant ? type : nullptr;
}

std::string_view TargetOf(schema::Event::Reader event) {
  capnp::Text::Reader t;
  if (event.isCorrection()) {
    t = event.getCorrection().getTarget();
  } else if (event.isRetraction()) {
    t = event.getRetraction().getTarget();
  } else {
    return {};
  }
  return std::string_view(t.cStr(), t.size());
}

// ---- EventRep ------------------------------------------------------------------------------

EventRep::EventRep(std::unique_ptr<capnp::MallocMessageBuilder> builder,
                   std::shared_ptr<const EventTypeInfo> type)
    : builder_(std::move(builder)), type_(std::move(type)) {
  reader_ = builder_->getRoot<schema::Event>().asReader();
}

EventRep::~EventRep() = default;

capnp::AnyPointer::Reader EventRep::data() const {
  if (type_->variant == CustomVariant()) return reader_.getCustom().getData();
  // A struct written by an older or corrupt writer can have fewer pointers than the
  // envelope has now (a null root has none): its data is then absent, not out of bounds
  // (found by fuzz/stored_event_fuzz.cc: a message whose root pointer is null).
  auto pointers = capnp::AnyStruct::Reader(reader_).getPointerSection();
  if (pointers.size() <= UnionSlot()) return capnp::AnyPointer::Reader();
  return pointers[UnionSlot()];
}

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

Result<std::shared_ptr<const EventRep>> EventRep::FromStored(std::string_view bytes,
                                                             const EventTypeResolver& types) {
  return FromStoredPinned(bytes, nullptr, types);
}

Result<std::shared_ptr<const EventRep>> EventRep::FromStoredPinned(
    std::string_view bytes, std::shared_ptr<void> pin, const EventTypeResolver& types) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return Status::Corruption("stored event has " + std::to_string(bytes.size()) +
                              " bytes, not a whole number of words");
  }
  auto rep = std::make_shared<EventRep>(Stored());
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
  return Decode(std::move(rep), words, types);
}

Result<std::shared_ptr<const EventRep>> EventRep::Decode(std::shared_ptr<EventRep> rep,
                                                         kj::ArrayPtr<const capnp::word> words,
                                                         const EventTypeResolver& types) {
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = kMaxEventBytes / sizeof(capnp::word) * 2;
    rep->segment_ = words;
    rep->message_.emplace(kj::arrayPtr(&rep->segment_, 1), options);
    rep->reader_ = rep->message_->getRoot<schema::Event>();
    TouchEnvelope(rep->reader_);
    rep->type_ = TypeOf(rep->reader_, types);
    if (rep->type_ == nullptr) {
      const std::string_view name = TypeNameOf(rep->reader_);
      return Status::Corruption(name.empty() ? std::string("stored event has an unknown type")
                                             : "stored event has type '" + std::string(name) +
                                                   "', which no vocabulary of this store has");
    }
    Touch(rep->data().getAs<capnp::AnyStruct>(), *rep->type_->touch);
    // A correction's data is a JsonValue: JsonCodec throws on a kind it does not know
    // (found by fuzz/stored_event_fuzz.cc: discriminant 15 in a flipped byte).
    if (rep->type_->kind == EventKind::kCorrection && rep->reader_.getCorrection().hasData() &&
        !KnownJsonValue(rep->reader_.getCorrection().getData(), 0)) {
      return Status::Corruption("stored event holds a JSON value of an unknown kind");
    }
    // The touches read the schema's fields only; a corrupt pointer elsewhere (found by
    // tests/tamper_test.cc: flipped bytes) would throw later, outside this one catch, from
    // Canonical() in Verify().  totalSize() bounds-checks every pointer without copying.
    // It also counts capability pointers, which no event holds and which canonical form
    // refuses (found by fuzz/stored_event_fuzz.cc: one flipped pointer-kind bit).
    if (rep->reader_.totalSize().capCount != 0) {
      return Status::Corruption("stored event holds a capability pointer");
    }
  } catch (const kj::Exception& e) {
    return Status::Corruption("stored event does not decode: " + KjDescription(e));
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
  // Slot 9 is importedFrom: null on most events, and canonical form truncates trailing
  // nulls, so hash is then the last slot.  When it is set, the encoding without the hash
  // has 10 slots and the check of `pointers` below takes the general path.
  static_assert(schema::Event::_capnpPrivate::pointerCount == 10,
                "Event gained a pointer field: revisit this derivation");
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
  e.disownImportedFrom();  // provenance, not content
  return Canonicalize(e.asReader());
}

}  // namespace internal
}  // namespace annals
