// Copyright annals authors.
//
// ParseJson (json_parse.h): simdjson's On Demand parser walks the document once, and each
// value is built as a capnp::JsonValue as it is reached.  On Demand decodes a string only
// when asked for it, so an invalid escape is found at the field that holds it and named by
// its path ("data.text"); a DOM parse would refuse the whole document without saying
// where.  Objects and arrays are built as orphans first (a Cap'n Proto list has a fixed
// size, and On Demand gives members one by one), then adopted into their list.

#include "codec/json_parse.h"

#include <simdjson.h>

#include <string>
#include <vector>

namespace annals {
namespace internal {

namespace {

namespace od = simdjson::ondemand;

class Converter {
 public:
  explicit Converter(capnp::Orphanage orphanage) : orphanage_(orphanage) {}

  // The member names (or array indexes) from the document to the value being read.
  std::vector<std::string> path;

  Status Value(od::value v, capnp::JsonValue::Builder out, int depth) {
    od::json_type type;
    if (auto e = v.type().get(type)) return Error(e);
    switch (type) {
      case od::json_type::object: {
        od::object obj;
        if (auto e = v.get_object().get(obj)) return Error(e);
        return Object(obj, out, depth);
      }
      case od::json_type::array: {
        od::array arr;
        if (auto e = v.get_array().get(arr)) return Error(e);
        return Array(arr, out, depth);
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return Error(e);
        out.setString(capnp::Text::Reader(s.data(), s.size()));
        return Status::OK();
      }
      case od::json_type::number: {
        double d;
        if (auto e = v.get_double().get(d)) return Error(e);
        out.setNumber(d);
        return Status::OK();
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return Error(e);
        out.setBoolean(b);
        return Status::OK();
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return Error(e);
        if (!is_null) return Error(simdjson::N_ATOM_ERROR);
        out.setNull();
        return Status::OK();
      }
    }
    return Error(simdjson::INCORRECT_TYPE);
  }

  Status Object(od::object obj, capnp::JsonValue::Builder out, int depth) {
    if (depth >= kMaxJsonDepth) return TooDeep();
    std::vector<capnp::Orphan<capnp::JsonValue::Field>> fields;
    for (auto member : obj) {
      od::field field;
      if (auto e = std::move(member).get(field)) return Error(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return Error(e);
      auto orphan = orphanage_.newOrphan<capnp::JsonValue::Field>();
      orphan.get().setName(capnp::Text::Reader(key.data(), key.size()));
      path.emplace_back(key);
      ANNALS_RETURN_IF_ERROR(Value(field.value(), orphan.get().initValue(), depth + 1));
      path.pop_back();
      fields.push_back(kj::mv(orphan));
    }
    auto list = out.initObject(static_cast<unsigned>(fields.size()));
    for (size_t i = 0; i < fields.size(); ++i) {
      list.adoptWithCaveats(static_cast<unsigned>(i), kj::mv(fields[i]));
    }
    return Status::OK();
  }

  Status Array(od::array arr, capnp::JsonValue::Builder out, int depth) {
    if (depth >= kMaxJsonDepth) return TooDeep();
    std::vector<capnp::Orphan<capnp::JsonValue>> items;
    for (auto element : arr) {
      od::value v;
      if (auto e = std::move(element).get(v)) return Error(e);
      auto orphan = orphanage_.newOrphan<capnp::JsonValue>();
      path.push_back(std::to_string(items.size()));
      ANNALS_RETURN_IF_ERROR(Value(v, orphan.get(), depth + 1));
      path.pop_back();
      items.push_back(kj::mv(orphan));
    }
    auto list = out.initArray(static_cast<unsigned>(items.size()));
    for (size_t i = 0; i < items.size(); ++i) {
      list.adoptWithCaveats(static_cast<unsigned>(i), kj::mv(items[i]));
    }
    return Status::OK();
  }

  std::string Where() const {
    std::string p;
    for (const auto& s : path) p += (p.empty() ? "" : ".") + s;
    return p;
  }

  Status Error(simdjson::error_code e) const {
    const std::string where = Where();
    if (e == simdjson::STRING_ERROR) {
      return Status::InvalidArgument(
          (where.empty() ? std::string("a string") : "field '" + where + "'") +
          " has an invalid escape: a lone UTF-16 surrogate, or an unknown escape");
    }
    if (e == simdjson::UTF8_ERROR) {
      return Status::InvalidArgument("the JSON text is not valid UTF-8");
    }
    if (e == simdjson::NUMBER_ERROR) {
      return Status::InvalidArgument(
          (where.empty() ? std::string("a number") : "field '" + where + "'") +
          " is not a number annals can represent (out of range or malformed)");
    }
    std::string msg = "malformed JSON";
    if (!where.empty()) msg += " at field '" + where + "'";
    return Status::InvalidArgument(msg + ": " + simdjson::error_message(e));
  }

  Status TooDeep() const {
    return Status::InvalidArgument("field '" + Where() + "' is nested deeper than " +
                                   std::to_string(kMaxJsonDepth) + " levels");
  }

 private:
  capnp::Orphanage orphanage_;
};

}  // namespace

Status ParseJson(std::string_view json, capnp::JsonValue::Builder out) {
  // On Demand reads up to SIMDJSON_PADDING bytes past the end of the input: parse a padded
  // copy (per thread, reused, so that a line costs no allocation once it has grown).
  thread_local od::parser parser;
  thread_local std::string padded;
  padded.assign(json.data(), json.size());
  padded.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  Converter converter(capnp::Orphanage::getForMessageContaining(out));

  od::document doc;
  if (auto e = parser.iterate(padded.data(), json.size(), padded.capacity()).get(doc)) {
    return converter.Error(e);
  }
  // A scalar document is read through the document itself; containers as values.
  od::json_type type;
  if (auto e = doc.type().get(type)) return converter.Error(e);
  Status s;
  switch (type) {
    case od::json_type::object: {
      od::object obj;
      if (auto e = doc.get_object().get(obj)) return converter.Error(e);
      s = converter.Object(obj, out, 0);
      break;
    }
    case od::json_type::array: {
      od::array arr;
      if (auto e = doc.get_array().get(arr)) return converter.Error(e);
      s = converter.Array(arr, out, 0);
      break;
    }
    case od::json_type::string: {
      std::string_view str;
      if (auto e = doc.get_string().get(str)) return converter.Error(e);
      out.setString(capnp::Text::Reader(str.data(), str.size()));
      break;
    }
    case od::json_type::number: {
      double d;
      if (auto e = doc.get_double().get(d)) return converter.Error(e);
      out.setNumber(d);
      break;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = doc.get_bool().get(b)) return converter.Error(e);
      out.setBoolean(b);
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = doc.is_null().get(is_null)) return converter.Error(e);
      if (!is_null) return converter.Error(simdjson::N_ATOM_ERROR);
      out.setNull();
      break;
    }
  }
  ANNALS_RETURN_IF_ERROR(s);
  // A container root does not check what follows it; a token still in bounds is extra.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return Status::InvalidArgument("malformed JSON: more text after the end of the value");
  }
  return Status::OK();
}

}  // namespace internal
}  // namespace annals
