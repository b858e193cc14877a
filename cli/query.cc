// Copyright annals authors.
//
// Query commands: state, history, diff, replay (SPEC §3-4).  Parsing and printing only;
// the queries are annals::Store's.
//
// Text output is for people: aligned columns, dates exactly as written, one line per event
// or per change.  JSON output is the store's: `state` and `diff` print one object,
// `history` and `replay` print JSON Lines.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common.h"

namespace annals {
namespace cli {

namespace {

struct QueryFlags {
  std::string stream;
  std::string as_of;
  std::string known_at;
  std::string from;
  std::string to;
  std::optional<uint64_t> until_seq;
};

bool Emit(std::FILE* out, const std::string& line) {
  std::string text = line;
  text.push_back('\n');
  return std::fwrite(text.data(), 1, text.size(), out) == text.size();
}

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

// A field name for people: "chosen_partner" -> "chosen partner".
std::string Label(const std::string& json_name) {
  std::string out = json_name;
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  return out;
}

// A value on one line: scalars as text, lists of scalars joined with ", ", a struct as its
// set fields ("status ended  since 2024-Q4?"); nested lists of structs counted.
std::string Inline(const StateValue& v) {
  switch (v.kind) {
    case StateValue::Kind::kNull: return "-";
    case StateValue::Kind::kList: {
      std::string text;
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (v.items[i].kind == StateValue::Kind::kStruct ||
            v.items[i].kind == StateValue::Kind::kMap) {
          return std::to_string(v.items.size()) + " entries";
        }
        text += (i ? ", " : "") + Inline(v.items[i]);
      }
      return text.empty() ? "-" : text;
    }
    case StateValue::Kind::kMap:
    case StateValue::Kind::kStruct: {
      std::string text;
      for (const auto& [name, member] : v.members) {
        if (member.kind == StateValue::Kind::kList && !member.items.empty() &&
            member.items[0].kind == StateValue::Kind::kStruct) {
          continue;  // shown on lines of their own
        }
        if (!text.empty()) text += "  ";
        text += (v.kind == StateValue::Kind::kMap ? Printable(name) : Label(name)) + " " +
                Inline(member);
      }
      return text.empty() ? "-" : text;
    }
    default:
      return Printable(v.text);
  }
}

// The lists of structs inside a struct, one line per element under the struct's line.
void EmitNestedLists(std::FILE* out, const StateValue& v, const std::string& indent) {
  if (v.kind != StateValue::Kind::kStruct) return;
  for (const auto& [name, member] : v.members) {
    if (member.kind != StateValue::Kind::kList || member.items.empty() ||
        member.items[0].kind != StateValue::Kind::kStruct) {
      continue;
    }
    for (const auto& item : member.items) Emit(out, indent + Label(name) + "  " + Inline(item));
  }
}

void PrintState(std::FILE* out, const State& st) {
  const size_t kLabel = 16;
  auto row = [&](const std::string& label, const std::string& value) {
    Emit(out, Pad(label, kLabel) + value);
  };
  row("stream", Printable(st.stream));
  row("as of", st.as_of.empty() ? "(unbounded)" : st.as_of);
  row("known at", st.known_at.empty() ? "now" : st.known_at);
  if (!st.vocabulary.empty()) {
    row("vocabulary", st.vocabulary + " (version " + std::to_string(st.vocabulary_version) + ")");
  }
  bool first_text = true;
  for (const auto& [name, value] : st.Fields()) {
    const std::string label = Label(name);
    const bool many = value.kind == StateValue::Kind::kMap ||
                      (value.kind == StateValue::Kind::kList && !value.items.empty() &&
                       value.items[0].kind == StateValue::Kind::kStruct);
    if (!many || (value.members.empty() && value.items.empty())) {
      // The first text field (a derived phase or status) stands out.
      std::string shown = Inline(value);
      if (first_text && value.kind == StateValue::Kind::kText) {
        shown = Paint(shown, Style::kCyan);
        first_text = false;
      }
      row(label, shown);
      EmitNestedLists(out, value, "  ");
      continue;
    }
    Emit(out, Paint(label, Style::kBold));
    if (value.kind == StateValue::Kind::kMap) {
      size_t key_w = 0;
      for (const auto& [key, element] : value.members) {
        key_w = std::max(key_w, Printable(key).size());
      }
      for (const auto& [key, element] : value.members) {
        Emit(out, "  " + Pad(Printable(key), key_w) + "  " + Inline(element));
        EmitNestedLists(out, element, "    ");
      }
    } else {
      for (const auto& element : value.items) {
        Emit(out, "  " + Inline(element));
        EmitNestedLists(out, element, "    ");
      }
    }
  }
  if (st.facts.empty()) {
    row("facts", "-");
  } else {
    Emit(out, Paint("facts", Style::kBold));
    size_t key_w = 0;
    for (const auto& [k, v] : st.facts) key_w = std::max(key_w, Printable(k).size());
    for (const auto& [k, v] : st.facts) {
      Emit(out, "  " + Pad(Printable(k), key_w) + "  " + Printable(v));
    }
  }
  row("events applied", std::to_string(st.events_applied));
  std::string tentative;
  for (size_t i = 0; i < st.tentative.size(); ++i) {
    tentative += (i ? ", " : "") + Printable(st.tentative[i]);
  }
  row("tentative", OrDash(tentative));
}

int RunState(const GlobalOptions& global, const QueryFlags& f) {
  return RunRead(global, Use::kQuery, [&](Store& store, std::FILE* out) -> Status {
    auto state = store.GetState(TimeQuery{f.stream, f.as_of, f.known_at});
    if (!state.ok()) return state.status();
    if (global.fmt() == Format::kJson) {
      Emit(out, state->ToJson());
    } else {
      PrintState(out, *state);
    }
    return Status::OK();
  });
}

int RunHistory(const GlobalOptions& global, const QueryFlags& f) {
  const bool json = global.fmt() == Format::kJson;
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) -> Status {
    std::vector<HistoryEntry> entries;  // text: buffered to align the columns
    ANNALS_RETURN_IF_ERROR(store.History(TimeQuery{f.stream, f.as_of, f.known_at},
                                         [&](const HistoryEntry& e) {
                                           if (json) return Emit(out, e.ToJson());
                                           entries.push_back(e);
                                           return true;
                                         }));
    if (json) return Status::OK();
    size_t eff_w = 9, seq_w = 3, type_w = 4, id_w = 2;
    for (const auto& e : entries) {
      eff_w = std::max(eff_w, e.event.effective().text.size());
      seq_w = std::max(seq_w, std::to_string(e.event.seq()).size());
      type_w = std::max(type_w, Printable(e.event.type_name()).size());
      id_w = std::max(id_w, Printable(e.event.id()).size());
    }
    Emit(out, Paint(Pad("EFFECTIVE", eff_w) + "  " + Pad("SEQ", seq_w) + "  " +
                        Pad("TYPE", type_w) + "  " + Pad("ID", id_w) + "  WHAT",
                    Style::kBold));
    for (const auto& e : entries) {
      std::string seq = std::to_string(e.event.seq());
      std::string line = Pad(e.event.effective().text, eff_w) + "  " +
                         std::string(seq_w - seq.size(), ' ') + seq + "  " +
                         Pad(Printable(e.event.type_name()), type_w) + "  " +
                         Pad(Printable(e.event.id()), id_w) + "  " +
                         Printable(DescribeEvent(e.event));
      if (e.corrected) line += "  [corrected]";
      if (e.tentative) line += "  [tentative]";
      Emit(out, line);
    }
    return Status::OK();
  });
}

void PrintChanges(std::FILE* out, const std::vector<Change>& changes,
                  const std::string& indent) {
  size_t path_w = 0, from_w = 0;
  for (const auto& c : changes) {
    path_w = std::max(path_w, Printable(c.path).size());
    from_w = std::max(from_w, Printable(c.from_text).size());
  }
  for (const auto& c : changes) {
    Emit(out, indent + Pad(Printable(c.path), path_w) + "  " +
                  Pad(Printable(c.from_text), from_w) + "  ->  " + Printable(c.to_text));
  }
}

int RunDiff(const GlobalOptions& global, const QueryFlags& f) {
  return RunRead(global, Use::kQuery, [&](Store& store, std::FILE* out) -> Status {
    auto diff = store.Diff(f.stream, f.from, f.to, f.known_at);
    if (!diff.ok()) return diff.status();
    if (global.fmt() == Format::kJson) {
      Emit(out, diff->ToJson());
      return Status::OK();
    }
    Emit(out, "stream " + Printable(diff->stream) + ": " + diff->from + " -> " + diff->to +
                  (diff->known_at.empty() ? "" : " (known at " + diff->known_at + ")"));
    if (diff->changes.empty()) {
      Emit(out, "no changes");
    } else {
      PrintChanges(out, diff->changes, "  ");
    }
    return Status::OK();
  });
}

int RunReplay(const GlobalOptions& global, const QueryFlags& f) {
  LogRange range;
  range.stream = f.stream;
  range.until_seq = f.until_seq;
  const bool json = global.fmt() == Format::kJson;
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) -> Status {
    Progress progress(global, "replay", "events replayed");
    uint64_t replayed = 0;
    Status s = store.Replay(range, [&](const ReplayEntry& r) {
      progress.Update(++replayed);
      if (json) return Emit(out, r.ToJson());
      const Event& e = r.event;
      bool ok = Emit(out, std::to_string(e.seq()) + "  " + Printable(e.stream()) + " v" +
                              std::to_string(e.version()) + "  " + Printable(e.type_name()) +
                              "  " +
                              (e.effective().text.empty() ? "" : e.effective().text + "  ") +
                              Printable(e.id()) + "  " + Printable(DescribeEvent(e)) +
                              (r.changes.empty() ? "  (no change)" : ""));
      PrintChanges(out, r.changes, "    ");
      return ok;
    });
    progress.Done();
    return s;
  });
}

void AddTimeFlags(CLI::App* sub, QueryFlags* f) {
  sub->add_option("--stream", f->stream, "The stream")->required();
  sub->add_option("--known-at", f->known_at,
                  "Transaction time: what was known then (ISO-8601 instant, or @SEQ); "
                  "default: now");
}

}  // namespace

void AddQueryCommands(CLI::App& app, GlobalOptions* global, int* exit_code) {
  auto flags = std::make_shared<QueryFlags>();

  CLI::App* state = app.add_subcommand(
      "state", "The state of a stream as of a valid time, as known at a transaction time");
  state->footer("Example:\n  annals state --stream apple-intelligence-cn --as-of 2025-03 "
                "--known-at @8 --format json");
  AddTimeFlags(state, flags.get());
  state->add_option("--as-of", flags->as_of,
                    "Valid time (fuzzy date; means its last instant); default: no bound");
  AddFormatOption(state, global);
  state->callback([global, exit_code, flags] { *exit_code = RunState(*global, *flags); });

  CLI::App* history = app.add_subcommand(
      "history", "The visible events in valid-time order, corrections applied");
  history->footer("Example:\n  annals history --stream apple-intelligence-cn --as-of 2024");
  AddTimeFlags(history, flags.get());
  history->add_option("--as-of", flags->as_of,
                      "Only events that may have happened by this valid time");
  AddFormatOption(history, global);
  history->callback([global, exit_code, flags] { *exit_code = RunHistory(*global, *flags); });

  CLI::App* diff = app.add_subcommand(
      "diff", "Field-level changes of a stream's state between two valid times");
  diff->footer("Example:\n  annals diff --stream apple-intelligence-cn --from 2024 "
               "--to 2025-03");
  AddTimeFlags(diff, flags.get());
  diff->add_option("--from", flags->from, "Earlier valid time (fuzzy date)")->required();
  diff->add_option("--to", flags->to, "Later valid time (fuzzy date)")->required();
  AddFormatOption(diff, global);
  diff->callback([global, exit_code, flags] { *exit_code = RunDiff(*global, *flags); });

  CLI::App* replay = app.add_subcommand(
      "replay", "Audit: every event in seq order with the change it made to its stream");
  replay->footer("Example:\n  annals replay --stream apple-intelligence-cn --until-seq 20");
  replay->add_option("--stream", flags->stream, "Only this stream");
  replay->add_option("--until-seq", flags->until_seq, "Stop after this seq (0: replay nothing)")
      ->check(WholeNumber());
  AddFormatOption(replay, global);
  replay->callback([global, exit_code, flags] { *exit_code = RunReplay(*global, *flags); });
}

}  // namespace cli
}  // namespace annals
