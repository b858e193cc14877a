// Copyright annals authors.
//
// Consumer of an installed annals (tests/consumer/run.sh): opens a store, appends, asks for
// the state as of a date, lists the history, verifies and draws the timeline, through the
// public headers only.  Exits 0 when every answer is the expected one.

#include <annals/store.h>
#include <annals/timeline.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

int Check(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer STORE_DIR\n");
    return 2;
  }
  annals::Options options;
  options.create_if_missing = true;
  auto store = annals::Store::Open(argv[1], options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::vector<annals::NewEvent> events;
  for (const char* json : {
           R"({"id":"c1","stream":"deal","type":"partner_talks","effective":"2024~","data":{"partner":"Acme","status":"opened"}})",
           R"({"id":"c2","stream":"deal","type":"partner_chosen","effective":"2025-02","data":{"partner":"Acme"}})"}) {
    auto e = annals::NewEvent::FromJson(json);
    if (!e.ok()) {
      std::fprintf(stderr, "event: %s\n", e.status().ToString().c_str());
      return 1;
    }
    events.push_back(std::move(e).value());
  }
  auto appended = (*store)->Append(std::move(events), {});
  int failures = Check(appended.ok() && appended->size() == 2 && (*appended)[1].seq == 2,
                       "append two events");

  // A field of the state by its JSON name, as text ("" if unset).
  auto field = [](const annals::State& s, const std::string& name) {
    for (const auto& [n, v] : s.Fields()) {
      if (n == name) return v.text;
    }
    return std::string();
  };
  auto before = (*store)->GetState({"deal", "2024-06", ""});
  failures += Check(before.ok() && field(*before, "phase") == "exploring", "state as of 2024-06");
  auto after = (*store)->GetState({"deal", "2025-03", ""});
  failures += Check(after.ok() && field(*after, "phase") == "partner_chosen" &&
                        field(*after, "chosen_partner") == "Acme",
                    "state as of 2025-03");

  std::vector<std::string> ids;
  annals::Status s = (*store)->History({"deal", "", ""}, [&](const annals::HistoryEntry& h) {
    ids.emplace_back(h.event.id());
    return true;
  });
  failures += Check(s.ok() && ids == std::vector<std::string>{"c1", "c2"}, "history");

  auto report = (*store)->Verify();
  failures += Check(report.ok() && report->ok() && report->events == 2, "verify");

  auto svg = annals::RenderTimelineSvg(**store, {"deal", "", ""});
  failures += Check(svg.ok() && svg->find("data-name=\"Acme\"") != std::string::npos,
                    "timeline svg");
  return failures == 0 ? 0 : 1;
}
