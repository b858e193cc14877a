// Copyright annals authors.
//
// Embedding annals: a program that records a small deal timeline through the library and
// asks it the questions the CLI asks.  Built as annals_example_embed; run it with a
// directory for the store (it is created, and must not hold another store's events):
//
//   build/annals_example_embed /tmp/embed.db
//
// Everything used here is in the public headers (annals/*.h); link annals::store.

#include <annals/store.h>
#include <annals/timeline.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

// Errors are values: every call returns a Status or a Result<T>.
void Die(const annals::Status& s, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "embed.db";

  // 1. Open (create on first use).  One process owns a store at a time.
  annals::Options options;
  options.create_if_missing = true;
  auto opened = annals::Store::Open(path, options);
  if (!opened.ok()) Die(opened.status(), "open");
  std::unique_ptr<annals::Store> store = std::move(opened).value();

  // 2. Append.  One Append call is one atomic, durable transaction; events may come from
  //    JSON Lines (the import shape) or from fields (the CLI's append flags).
  std::vector<annals::NewEvent> batch;
  for (const char* json : {
           R"({"id":"e1","stream":"deal","type":"partner_talks","effective":"2024~","data":{"partner":"Acme","status":"opened"}})",
           R"({"id":"e2","stream":"deal","type":"partner_talks","effective":"2024-Q4?","data":{"partner":"Acme","status":"ended","reason":"price"}})",
           R"({"id":"e3","stream":"deal","type":"partner_chosen","effective":"2025-02~","confidence":"rumored","data":{"partner":"Globex"}})"}) {
    auto e = annals::NewEvent::FromJson(json);
    if (!e.ok()) Die(e.status(), "parse");
    batch.push_back(std::move(e).value());
  }
  annals::EventFields fields;
  fields.id = "e4";
  fields.stream = "deal";
  fields.type = "launch_target_set";
  fields.effective = "2025-02";
  fields.data_strings = {{"target", "2025-Q3"}};
  auto target = annals::NewEvent::FromFields(fields);
  if (!target.ok()) Die(target.status(), "fields");
  batch.push_back(std::move(target).value());

  annals::AppendOptions append_options;
  append_options.expected_versions["deal"] = 0;  // optimistic concurrency: a new stream
  auto appended = store->Append(std::move(batch), append_options);
  if (!appended.ok() && !appended.status().IsConflict()) Die(appended.status(), "append");
  if (appended.ok()) {
    for (const auto& r : *appended) std::printf("appended %s as seq %llu\n", r.id.c_str(),
                                                static_cast<unsigned long long>(r.seq));
  } else {
    std::printf("stream 'deal' exists already; reading it\n");
  }

  // 3. State as of a valid time (and as known at a transaction time: "" = now, "@N").
  for (const char* as_of : {"2024-06", "2025-03"}) {
    auto state = store->GetState({"deal", as_of, ""});
    if (!state.ok()) Die(state.status(), "state");
    std::string phase = "-", chosen = "-";
    for (const auto& [name, value] : state->Fields()) {
      if (name == "phase") phase = value.text;
      if (name == "chosen_partner" && !value.text.empty()) chosen = value.text;
    }
    std::printf("as of %s: phase %s, chosen %s\n", as_of, phase.c_str(), chosen.c_str());
  }
  auto known_then = store->GetState({"deal", "", "@2"});
  if (!known_then.ok()) Die(known_then.status(), "state @2");
  std::printf("as known at @2: %s\n", known_then->ToJson().c_str());

  // 4. History: the visible events in valid-time order, corrections applied.
  annals::Status s = store->History({"deal", "", ""}, [](const annals::HistoryEntry& h) {
    std::printf("  %-10s %-18s %s%s\n", h.event.effective().text.c_str(),
                std::string(h.event.type_name()).c_str(), annals::DescribeEvent(h.event).c_str(),
                h.tentative ? " (tentative)" : "");
    return true;  // false stops the scan
  });
  if (!s.ok()) Die(s, "history");

  // 5. Audit replay: every event in seq order with the change it made.
  annals::LogRange range;
  range.stream = "deal";
  s = store->Replay(range, [](const annals::ReplayEntry& r) {
    std::printf("  seq %llu %s: %zu change(s)\n", static_cast<unsigned long long>(r.event.seq()),
                std::string(r.event.id()).c_str(), r.changes.size());
    return true;
  });
  if (!s.ok()) Die(s, "replay");

  // 6. Verify the hash chain and indexes (report.ok() is false on tampering).
  auto report = store->Verify();
  if (!report.ok()) Die(report.status(), "verify");
  std::printf("verify: %s\n", report->ToJson().c_str());

  // 7. A picture of the stream.
  auto svg = annals::RenderTimelineSvg(*store, {"deal", "", ""});
  if (!svg.ok()) Die(svg.status(), "timeline");
  std::ofstream(path + ".svg") << *svg;
  std::printf("timeline: %s.svg\n", path.c_str());
  return report->ok() ? 0 : 4;
}
