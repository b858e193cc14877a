// Copyright annals authors.
//
// libFuzzer target: the server's handling of what a client sends, and the client's of what
// a server sends (store/src/server/wire.h), on arbitrary bytes read as Cap'n Proto messages
// (as the RPC layer hands them over, with the server's reader limits).
//
// The input is one message whose root is read as the parameters of Annals.append (the
// events an append or an import chunk carries).  Every event goes through
// NewEventFromWire, the server's only way in for a client's event, with the built-in
// vocabulary and the shipped `acquisition` registered.  Invariants:
//   * nothing crashes or throws: a bad event is an InvalidArgument, never an exception;
//   * an accepted event is what the schema describes: rebuilding it again accepts it and
//     gives the same canonical bytes (nothing hidden survived the first rebuild);
//   * the client-side decoders (EventFromWire, StateFromWire on the same bytes read as a
//     State) return a Status for anything, never crash.
//
// Seeds: ANNALS_FUZZ_SEEDS=DIR server_message_fuzz writes append messages made from the
// sample timeline into DIR and exits (scripts/ci-fuzz.sh does this).

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "annals/event.h"
#include "codec/event_rep.h"
#include "server/wire.h"
#include "vocabulary/vocabulary.h"

namespace {

using annals::internal::Registry;

const Registry& Types() {
  static const std::shared_ptr<const Registry> registry = [] {
    std::ifstream f(std::string(ANNALS_SOURCE_DIR) + "/schema/vocabularies/acquisition.capnp");
    std::stringstream ss;
    ss << f.rdbuf();
    annals::VocabularyInfo acquisition;
    acquisition.name = "acquisition";
    acquisition.version = 1;
    acquisition.seq = 1;
    acquisition.source = ss.str();
    auto r = annals::internal::WithRegistrations(Registry::BuiltIn(), {acquisition});
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  return *registry;
}

void WriteSeeds(const char* dir) {
  int n = 0;
  for (const char* file : {"/examples/apple-intelligence-cn.jsonl", "/examples/msft-atvi.jsonl"}) {
    std::ifstream in(std::string(ANNALS_SOURCE_DIR) + file);
    std::string line;
    while (std::getline(in, line)) {
      auto event = annals::NewEvent::FromJson(line, annals::EventTypes(
          std::shared_ptr<const Registry>(&Types(), [](const Registry*) {})));
      if (!event.ok()) continue;
      capnp::MallocMessageBuilder message;
      auto params = message.initRoot<annals::rpc::Annals::AppendParams>();
      params.initEvents(1).setWithCaveats(0, event->rep().reader());
      params.initLabels(1).set(0, "line 1");
      auto words = capnp::messageToFlatArray(message);
      auto bytes = words.asBytes();
      const std::string path = std::string(dir) + "/seed-" + std::to_string(n++);
      std::ofstream out(path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("ANNALS_FUZZ_SEEDS")) {
    WriteSeeds(dir);
    std::exit(0);
  }
  Types();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<capnp::word> words(size / sizeof(capnp::word) + 1);
  std::memcpy(words.data(), data, size);
  capnp::ReaderOptions options;
  options.traversalLimitInWords = 1 << 16;
  options.nestingLimit = 32;
  try {
    capnp::FlatArrayMessageReader message(kj::arrayPtr(words.data(), words.size()), options);
    auto params = message.getRoot<annals::rpc::Annals::AppendParams>();
    for (auto event : params.getEvents()) {
      auto rebuilt = annals::internal::NewEventFromWire(event, Types());
      if (rebuilt.ok()) {
        auto again = annals::internal::NewEventFromWire(rebuilt->rep().reader(), Types());
        if (!again.ok()) {
          std::fprintf(stderr, "accepted event refused when rebuilt: %s\n",
                       again.status().ToString().c_str());
          std::abort();
        }
        auto a = rebuilt->rep().CanonicalContent();
        auto b = again->rep().CanonicalContent();
        if (a.size() != b.size() ||
            std::memcmp(a.begin(), b.begin(), a.size() * sizeof(capnp::word)) != 0) {
          std::fprintf(stderr, "a rebuilt event changed when rebuilt again\n");
          std::abort();
        }
      }
      (void)annals::internal::EventFromWire(event, Types());
    }
    (void)annals::internal::StateFromWire(message.getRoot<annals::rpc::State>(), Types());
  } catch (const kj::Exception&) {
    // Reading the message itself (the list of events, the segment table) may throw, as it
    // does for the RPC layer, which then ends that connection.
  }
  return 0;
}
