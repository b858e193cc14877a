// Copyright annals authors.
//
// Fuzzes the JSON event parser (NewEvent::FromJson, the import path, and the export/restore
// mode of ParseEventJson).  Any input must give a NewEvent or an InvalidArgument Status:
// never a crash, an uncaught exception, or undefined behaviour.  An accepted event must
// validate and print.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "annals/event.h"
#include "codec/event_rep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto event = annals::NewEvent::FromJson(json);
  if (event.ok()) {
    // An accepted event is valid content and prints (export shape) without throwing.
    const auto& rep = event->rep();
    if (!annals::internal::ValidateContent(rep).ok()) {
      std::fprintf(stderr, "accepted an event that does not validate\n");
      std::abort();
    }
    (void)annals::internal::EventToJson(rep);
    (void)annals::internal::EventDataToJson(rep);
    (void)rep.CanonicalContent();
  } else if (!event.status().IsInvalidArgument()) {
    std::fprintf(stderr, "unexpected status %s\n", event.status().ToString().c_str());
    std::abort();
  }
  auto exported = annals::internal::ParseEventJson(json, annals::internal::JsonMode::kExport,
                                                   annals::EventTypes::BuiltIn().resolver());
  (void)exported;
  return 0;
}
