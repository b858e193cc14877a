// Copyright annals authors.
//
// Events printed as JSON (SPEC §5): EventToJson and EventDataToJson (event_rep.h).
//
// The envelope is written field by field in the order JsonCodec wrote it when it encoded
// whole events.  The data is written straight from the message through the type's
// JsonPlan (json_plan.h), as the type's JsonCodec writes it: a member per non-union field
// in schema order, pointer fields only when set, numbers through kj's formatting as the
// codec's encodeRaw(), strings quoted as its encodeString() under the output rule of util/json_text.h
// (AppendJsonQuoted: U+0085/U+2028/U+2029 escaped, never invalid UTF-8; what the codec
// writes goes through MakeJsonOutputSafe).  A type
// whose plan says the codec does more (plan.output false: corrections' Json.Value data,
// renamed enumerants, ...) is printed by the codec itself.  Tests compare the two on every
// kind of field (tests/json_direct_test.cc).

#include <capnp/compat/json.h>
#include <capnp/dynamic.h>
#include <kj/string.h>

#include <cmath>
#include <string>

#include "codec/event_rep.h"
#include "codec/json_plan.h"
#include "util/json_text.h"

namespace annals {
namespace internal {

namespace {

// `key` is one of the envelope's member names, which need no escaping.
void AppendField(std::string* out, const char* key) {
  if (out->size() > 1) out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":", 2);
}

void AppendText(std::string* out, const char* key, capnp::Text::Reader t) {
  AppendField(out, key);
  AppendJsonQuoted(std::string_view(t.cStr(), t.size()), out);
}

void AppendKj(const kj::String& s, std::string* out) { out->append(s.cStr(), s.size()); }

void AppendStruct(const JsonPlan& plan, capnp::DynamicStruct::Reader s, std::string* out);

void AppendValue(const JsonPlan::Value& v, capnp::DynamicValue::Reader value, std::string* out) {
  using W = capnp::schema::Type;
  switch (v.kind) {
    case JsonPlan::Value::kText: {
      auto t = value.as<capnp::Text>();
      AppendJsonQuoted(std::string_view(t.cStr(), t.size()), out);
      return;
    }
    case JsonPlan::Value::kBool:
      *out += value.as<bool>() ? "true" : "false";
      return;
    case JsonPlan::Value::kNumber:
      if (v.which == W::INT64) {
        out->push_back('"');
        AppendKj(kj::str(value.as<int64_t>()), out);
        out->push_back('"');
      } else if (v.which == W::UINT64) {
        out->push_back('"');
        AppendKj(kj::str(value.as<uint64_t>()), out);
        out->push_back('"');
      } else {
        const double d = value.as<double>();
        if (v.is_float() && std::isinf(d)) {
          *out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        } else if (v.is_float() && std::isnan(d)) {
          *out += "\"NaN\"";
        } else {
          AppendKj(kj::str(d), out);
        }
      }
      return;
    case JsonPlan::Value::kEnum: {
      const uint16_t raw = value.as<capnp::DynamicEnum>().getRaw();
      if (raw < v.enumerants.size()) {
        AppendJsonQuoted(v.enumerants[raw].first, out);
      } else {
        AppendKj(kj::str(static_cast<double>(raw)), out);
      }
      return;
    }
    case JsonPlan::Value::kStruct:
      AppendStruct(*v.structure, value.as<capnp::DynamicStruct>(), out);
      return;
    case JsonPlan::Value::kList: {
      auto list = value.as<capnp::DynamicList>();
      out->push_back('[');
      for (unsigned i = 0; i < list.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendValue(*v.element, list[i], out);
      }
      out->push_back(']');
      return;
    }
  }
}

void AppendStruct(const JsonPlan& plan, capnp::DynamicStruct::Reader s, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const JsonPlan::Field& f : plan.fields) {
    if (f.is_pointer && !s.has(f.field)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonQuoted(f.name, out);
    out->push_back(':');
    AppendValue(f.value, s.get(f.field), out);
  }
  out->push_back('}');
}

void AppendData(const EventRep& event, std::string* out) {
  const EventTypeInfo& type = event.type();
  if (type.json != nullptr && type.json->output) {
    AppendStruct(*type.json, event.data_struct(), out);
    return;
  }
  auto text = type.codec->encode(event.data_struct());
  std::string data(text.cStr(), text.size());
  MakeJsonOutputSafe(&data);
  *out += data;
}

// As the envelope's codec writes a Source: its set fields, in schema order.
void AppendSource(schema::Source::Reader source, std::string* out) {
  const size_t start = out->size();
  out->push_back('{');
  auto member = [&](const char* key, bool has, capnp::Text::Reader t) {
    if (!has) return;
    if (out->size() > start + 1) out->push_back(',');
    AppendJsonQuoted(key, out);
    out->push_back(':');
    AppendJsonQuoted(std::string_view(t.cStr(), t.size()), out);
  };
  member("publisher", source.hasPublisher(), source.getPublisher());
  member("url", source.hasUrl(), source.getUrl());
  member("published", source.hasPublished(), source.getPublished());
  out->push_back('}');
}

}  // namespace

std::string EventToJson(const EventRep& event) {
  const schema::Event::Reader r = event.reader();
  std::string out;
  out.reserve(512);
  out.push_back('{');
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
    AppendSource(r.getSource(), &out);
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
    const auto from = r.getImportedFrom();
    AppendField(&out, "imported_from");
    out += "{\"recorded_at\":";  // AppendText would put a comma before the first member
    AppendJsonQuoted(std::string_view(from.getRecordedAt().cStr(), from.getRecordedAt().size()),
                     &out);
    AppendField(&out, "seq");
    out += std::to_string(from.getSeq());
    AppendText(&out, "hash", from.getHash());
    out.push_back('}');
  }
  AppendField(&out, "type");
  AppendJsonQuoted(event.type_name(), &out);
  AppendField(&out, "data");
  AppendData(event, &out);
  out.push_back('}');
  return out;
}

std::string EventDataToJson(const EventRep& event) {
  std::string out;
  AppendData(event, &out);
  return out;
}

}  // namespace internal
}  // namespace annals
