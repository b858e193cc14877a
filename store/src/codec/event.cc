// Copyright annals authors.
//
// NewEvent and Event: the public face of event messages (annals/event.h).

#include <capnp/compat/json.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "annals/event.h"
#include "codec/event_rep.h"
#include "codec/json_parse.h"

namespace annals {

using internal::EventRep;

namespace {

// `text` as the JSON value a field of `type` takes (SPEC §7: `--set NAME=VALUE` converts
// by field type).  Text and enums stay strings (the schema check names a bad enumerant).
Status SetValue(const std::string& name, const std::string& text, const capnp::Type* type,
                capnp::JsonValue::Builder out) {
  using W = capnp::schema::Type;
  if (type == nullptr) {  // an unknown field: the schema check names it
    out.setString(text);
    return Status::OK();
  }
  switch (type->which()) {
    case W::BOOL:
      if (text != "true" && text != "false") {
        return Status::InvalidArgument("--set " + name + "=" + text + ": field '" + name +
                                       "' takes true or false");
      }
      out.setBoolean(text == "true");
      return Status::OK();
    case W::INT8: case W::INT16: case W::INT32: case W::INT64:
    case W::UINT8: case W::UINT16: case W::UINT32: case W::UINT64:
    case W::FLOAT32: case W::FLOAT64: {
      char* end = nullptr;
      errno = 0;
      const double d = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(d)) {
        return Status::InvalidArgument("--set " + name + "=" + text + ": field '" + name +
                                       "' takes a number");
      }
      out.setNumber(d);
      return Status::OK();
    }
    case W::LIST:
    case W::STRUCT:
      return Status::InvalidArgument("--set " + name + "=...: field '" + name +
                                     "' is a list or struct; give it with --data");
    default:
      out.setString(text);
      return Status::OK();
  }
}

}  // namespace

// ---- NewEvent ------------------------------------------------------------------------

NewEvent::NewEvent(std::unique_ptr<EventRep> rep) : rep_(std::move(rep)) {}
NewEvent::NewEvent(NewEvent&&) noexcept = default;
NewEvent& NewEvent::operator=(NewEvent&&) noexcept = default;
NewEvent::~NewEvent() = default;

Result<NewEvent> NewEvent::FromJson(std::string_view json, const EventTypes& types) {
  auto rep = internal::ParseEventJson(json, internal::JsonMode::kImport, types.resolver());
  if (!rep.ok()) return rep.status();
  return NewEvent(std::move(rep).value());
}

Result<NewEvent> NewEvent::FromFields(const EventFields& f, const EventTypes& types) {
  // Assemble the JSON document of SPEC §5 and parse it like any imported line, so both
  // ways in share one validation.
  capnp::JsonCodec codec;
  capnp::MallocMessageBuilder message;
  auto doc = message.initRoot<capnp::JsonValue>();
  capnp::MallocMessageBuilder data_message;
  auto data = data_message.initRoot<capnp::JsonValue>();
  Status parsed = internal::ParseJson(f.data_json, data);
  if (!parsed.ok()) return parsed.WithPrefix("--data");
  if (!data.isObject()) return Status::InvalidArgument("data must be a JSON object");
  if (!f.data_strings.empty()) {
    auto type = types.resolver().Find(f.type);
    std::vector<std::pair<std::string, capnp::JsonValue::Reader>> members;
    for (auto m : data.asReader().getObject()) members.emplace_back(m.getName().cStr(), m.getValue());
    capnp::MallocMessageBuilder strings_message;
    auto values = strings_message.initRoot<capnp::JsonValue>().initArray(
        static_cast<unsigned>(f.data_strings.size()));
    for (size_t k = 0; k < f.data_strings.size(); ++k) {
      const auto& [name, text] = f.data_strings[k];
      const capnp::Type* field_type = nullptr;
      if (type != nullptr) {
        for (const auto& [json_name, t] : type->fields) {
          if (json_name == name) field_type = &t;
        }
      }
      ANNALS_RETURN_IF_ERROR(SetValue(name, text, field_type, values[k]));
      bool replaced = false;
      for (auto& m : members) {
        if (m.first == name) {
          m.second = values[k].asReader();
          replaced = true;
        }
      }
      if (!replaced) members.emplace_back(name, values[k].asReader());
    }
    capnp::MallocMessageBuilder merged_message;
    auto merged = merged_message.initRoot<capnp::JsonValue>().initObject(
        static_cast<unsigned>(members.size()));
    for (size_t k = 0; k < members.size(); ++k) {
      merged[k].setName(members[k].first);
      merged[k].setValue(members[k].second);
    }
    data.setObject(merged.asReader());
  }
  std::vector<std::pair<const char*, const std::string*>> top = {
      {"id", &f.id},
      {"stream", &f.stream},
      {"type", &f.type},
      {"effective", &f.effective},
      {"confidence", &f.confidence},
      {"recorded_by", &f.recorded_by},
  };
  std::vector<std::pair<const char*, const std::string*>> source = {
      {"publisher", &f.source_publisher},
      {"url", &f.source_url},
      {"published", &f.source_published},
  };
  size_t n_top = 1;  // data
  for (auto& kv : top) n_top += !kv.second->empty();
  size_t n_source = 0;
  for (auto& kv : source) n_source += !kv.second->empty();
  auto fields = doc.initObject(n_top + (n_source ? 1 : 0));
  size_t i = 0;
  for (auto& kv : top) {
    if (kv.second->empty()) continue;
    fields[i].setName(kv.first);
    fields[i++].initValue().setString(*kv.second);
  }
  if (n_source) {
    fields[i].setName("source");
    auto obj = fields[i++].initValue().initObject(n_source);
    size_t j = 0;
    for (auto& kv : source) {
      if (kv.second->empty()) continue;
      obj[j].setName(kv.first);
      obj[j++].initValue().setString(*kv.second);
    }
  }
  fields[i].setName("data");
  fields[i].setValue(data.asReader());
  auto json = codec.encodeRaw(doc.asReader());
  return FromJson(std::string_view(json.cStr(), json.size()), types);
}

std::string_view NewEvent::id() const {
  auto id = rep_->reader().getId();
  return std::string_view(id.cStr(), id.size());
}
std::string_view NewEvent::stream() const {
  auto s = rep_->reader().getStream();
  return std::string_view(s.cStr(), s.size());
}
std::string_view NewEvent::type_name() const { return rep_->type_name(); }
EventKind NewEvent::kind() const { return rep_->kind(); }
const FuzzyDate& NewEvent::effective() const { return rep_->effective(); }

// ---- Event ---------------------------------------------------------------------------

namespace {
std::string_view View(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }
}  // namespace

uint64_t Event::seq() const { return rep_->reader().getSeq(); }
uint64_t Event::version() const { return rep_->reader().getVersion(); }
std::string_view Event::id() const { return View(rep_->reader().getId()); }
std::string_view Event::stream() const { return View(rep_->reader().getStream()); }
std::string_view Event::type_name() const { return rep_->type_name(); }
EventKind Event::kind() const { return rep_->kind(); }
const FuzzyDate& Event::effective() const { return rep_->effective(); }
std::string_view Event::recorded_at() const { return View(rep_->reader().getRecordedAt()); }
int64_t Event::recorded_at_micros() const { return rep_->recorded_at_micros(); }
std::string_view Event::confidence() const {
  switch (rep_->reader().getConfidence()) {
    case schema::Confidence::CONFIRMED: return "confirmed";
    case schema::Confidence::REPORTED: return "reported";
    case schema::Confidence::RUMORED: return "rumored";
  }
  return "reported";
}
std::string_view Event::recorded_by() const { return View(rep_->reader().getRecordedBy()); }
std::string_view Event::source_publisher() const {
  return View(rep_->reader().getSource().getPublisher());
}
std::string_view Event::source_url() const { return View(rep_->reader().getSource().getUrl()); }
std::string_view Event::source_published() const {
  return View(rep_->reader().getSource().getPublished());
}
std::string_view Event::prev_hash() const { return View(rep_->reader().getPrevHash()); }
std::string_view Event::hash() const { return View(rep_->reader().getHash()); }
std::string_view Event::target() const { return internal::TargetOf(rep_->reader()); }

std::string Event::DataJson() const { return internal::EventDataToJson(*rep_); }
std::string Event::ToJson() const { return internal::EventToJson(*rep_); }

}  // namespace annals
