// Copyright annals authors.
//
// NewEvent and Event: the public face of event messages (annals/event.h).

#include <capnp/compat/json.h>

#include <utility>
#include <vector>

#include "annals/event.h"
#include "event_rep.h"
#include "json_parse.h"

namespace annals {

using internal::EventRep;

// ---- NewEvent ------------------------------------------------------------------------

NewEvent::NewEvent(std::unique_ptr<EventRep> rep) : rep_(std::move(rep)) {}
NewEvent::NewEvent(NewEvent&&) noexcept = default;
NewEvent& NewEvent::operator=(NewEvent&&) noexcept = default;
NewEvent::~NewEvent() = default;

Result<NewEvent> NewEvent::FromJson(std::string_view json) {
  auto rep = internal::ParseEventJson(json, internal::JsonMode::kImport);
  if (!rep.ok()) return rep.status();
  return NewEvent(std::move(rep).value());
}

Result<NewEvent> NewEvent::FromFields(const EventFields& f) {
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
    std::vector<std::pair<std::string, capnp::JsonValue::Reader>> members;
    for (auto m : data.asReader().getObject()) members.emplace_back(m.getName().cStr(), m.getValue());
    capnp::MallocMessageBuilder strings_message;
    auto strings = strings_message.initRoot<capnp::JsonValue>().initArray(
        static_cast<unsigned>(f.data_strings.size()));
    for (size_t k = 0; k < f.data_strings.size(); ++k) {
      strings[k].setString(f.data_strings[k].second);
      bool replaced = false;
      for (auto& m : members) {
        if (m.first == f.data_strings[k].first) {
          m.second = strings[k].asReader();
          replaced = true;
        }
      }
      if (!replaced) members.emplace_back(f.data_strings[k].first, strings[k].asReader());
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
  return FromJson(std::string_view(json.cStr(), json.size()));
}

std::string_view NewEvent::id() const {
  auto id = rep_->reader().getId();
  return std::string_view(id.cStr(), id.size());
}
std::string_view NewEvent::stream() const {
  auto s = rep_->reader().getStream();
  return std::string_view(s.cStr(), s.size());
}
EventType NewEvent::type() const { return internal::TypeOf(rep_->reader()); }
const FuzzyDate& NewEvent::effective() const { return rep_->effective(); }

// ---- Event ---------------------------------------------------------------------------

namespace {
std::string_view View(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }
}  // namespace

uint64_t Event::seq() const { return rep_->reader().getSeq(); }
uint64_t Event::version() const { return rep_->reader().getVersion(); }
std::string_view Event::id() const { return View(rep_->reader().getId()); }
std::string_view Event::stream() const { return View(rep_->reader().getStream()); }
EventType Event::type() const { return internal::TypeOf(rep_->reader()); }
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

std::string_view Event::target() const {
  auto r = rep_->reader();
  switch (r.which()) {
    case schema::Event::CORRECTION: return View(r.getCorrection().getTarget());
    case schema::Event::RETRACTION: return View(r.getRetraction().getTarget());
    default: return {};
  }
}

std::string Event::DataJson() const { return internal::EventDataToJson(rep_->reader()); }
std::string Event::ToJson() const { return internal::EventToJson(rep_->reader()); }

}  // namespace annals
