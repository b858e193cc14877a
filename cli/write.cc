// Copyright annals authors.
//
// Write commands: append, import, restore.  Each is one atomic store operation: on any
// error nothing is appended, and a store this command created is removed again (by the
// store library, under the store's lock: Options::create_if_missing).  Confirmations are
// printed after the store is given up.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "annals/json_lines.h"
#include "common.h"

namespace annals {
namespace cli {

namespace {

// Reads lines from a file or "-" (standard input).
class LineSource {
 public:
  static Result<std::unique_ptr<LineSource>> Open(const std::string& name) {
    std::unique_ptr<LineSource> src(new LineSource());
    if (name != "-") {
      std::error_code ec;
      if (std::filesystem::is_directory(name, ec)) {
        return Status::InvalidArgument("cannot read '" + name + "': it is a directory");
      }
      src->file_.open(name, std::ios::binary);
      if (!src->file_) {
        return Status::InvalidArgument("cannot read '" + name + "': no such file or not "
                                       "readable");
      }
    }
    src->in_ = name == "-" ? &std::cin : &src->file_;
    return src;
  }
  // The next line without its line ending; a UTF-8 byte-order mark at the very start of
  // the input (as some Windows editors write) is skipped.
  bool Next(std::string* line) {
    if (!std::getline(*in_, *line)) return false;
    if (!line->empty() && line->back() == '\r') line->pop_back();
    if (first_ && line->compare(0, 3, "\xEF\xBB\xBF") == 0) line->erase(0, 3);
    first_ = false;
    return true;
  }
  bool failed() const { return in_->bad(); }

 private:
  LineSource() = default;
  std::ifstream file_;
  std::istream* in_ = nullptr;
  bool first_ = true;
};

struct AppendArgs {
  EventFields fields;
  std::vector<std::string> sets;
  std::optional<uint64_t> expect_version;
};

int RunAppend(const GlobalOptions& global, AppendArgs& args) {
  for (const auto& kv : args.sets) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(Status::InvalidArgument("--set '" + kv + "' must be KEY=VALUE"));
    }
    args.fields.data_strings.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  AppendOptions options;
  if (args.expect_version) options.expected_versions[args.fields.stream] = *args.expect_version;
  Result<std::vector<AppendResult>> results = Status::Unavailable("not appended");
  {
    // The event is parsed as the store's event types say (its vocabularies), so the store
    // is opened first; a store this creates is removed again if nothing is written to it.
    auto store = OpenStore(global, Use::kWrite);
    if (!store.ok()) return Fail(store.status());
    auto event = NewEvent::FromFields(args.fields, (*store)->Types());
    if (!event.ok()) return Fail(event.status());
    std::vector<NewEvent> events;
    events.push_back(std::move(event).value());
    results = (*store)->Append(std::move(events), options);
  }
  if (!results.ok()) return Fail(results.status());
  const AppendResult& r = results->front();
  if (global.quiet) return 0;
  if (global.fmt() == Format::kJson) {
    std::printf("{\"seq\":%llu,\"version\":%llu,\"id\":%s,\"existed\":%s}\n",
                static_cast<unsigned long long>(r.seq),
                static_cast<unsigned long long>(r.version), JsonQuote(r.id).c_str(),
                r.existed ? "true" : "false");
  } else {
    std::printf("seq %llu  version %llu  id %s%s\n", static_cast<unsigned long long>(r.seq),
                static_cast<unsigned long long>(r.version), Printable(r.id).c_str(),
                r.existed ? "  (already recorded, nothing appended)" : "");
  }
  return 0;
}

int RunImport(const GlobalOptions& global, const std::string& file, bool from_export) {
  auto src = LineSource::Open(file);
  if (!src.ok()) return Fail(src.status());
  auto store = OpenStore(global, Use::kWrite);
  if (!store.ok()) return Fail(store.status());
  // Streamed: lines are parsed (ahead, on other threads) and written in chunks as they are
  // read, in bounded memory, and the import is still one transaction: a bad line means
  // nothing is appended.
  uint64_t events = 0;
  Progress progress(global, "import", "lines read");
  const EventTypes types = (*store)->Types();
  JsonLinesOptions reader_options;
  reader_options.types = &types;
  reader_options.from_export = from_export;
  JsonLinesReader reader([&](std::string* line) { return (*src)->Next(line); }, reader_options);
  auto summary = (*store)->Import([&](std::optional<NewEvent>* event, std::string* label) {
    uint64_t line_no = 0;
    ANNALS_RETURN_IF_ERROR(reader.Next(event, &line_no));
    if (event->has_value()) {
      progress.Update(line_no);
      *label = "line " + std::to_string(line_no);
      ++events;
      return Status::OK();
    }
    if ((*src)->failed()) return Status::Unavailable("error reading '" + file + "'");
    if (events == 0) {
      return Status::InvalidArgument("'" + file + "' holds no events to import");
    }
    return Status::OK();  // end of input
  });
  progress.Done();
  store->reset();
  if (!summary.ok()) return Fail(summary.status());
  const uint64_t added = summary->added, existed = summary->existed;
  const uint64_t first = summary->first_seq, last = summary->last_seq;
  if (global.quiet) return 0;
  if (global.fmt() == Format::kJson) {
    std::printf("{\"imported\":%llu,\"existing\":%llu,\"first_seq\":%llu,\"last_seq\":%llu}\n",
                static_cast<unsigned long long>(added), static_cast<unsigned long long>(existed),
                static_cast<unsigned long long>(first), static_cast<unsigned long long>(last));
  } else if (added) {
    std::printf("imported %s (seq %llu-%llu)%s\n", Count(added, "event").c_str(),
                static_cast<unsigned long long>(first), static_cast<unsigned long long>(last),
                existed ? (", " + std::to_string(existed) + " already recorded").c_str() : "");
  } else if (existed == 1) {
    std::printf("nothing imported: the event was already recorded\n");
  } else {
    std::printf("nothing imported: all %llu events were already recorded\n",
                static_cast<unsigned long long>(existed));
  }
  return 0;
}

int RunRestore(const GlobalOptions& global, const std::string& file) {
  auto src = LineSource::Open(file);
  if (!src.ok()) return Fail(src.status());
  uint64_t events = 0, streams = 0;
  {
    auto store = OpenStore(global, Use::kWrite);
    if (!store.ok()) return Fail(store.status());
    Progress progress(global, "restore", "events read");
    uint64_t lines = 0;
    Status s = (*store)->Restore([&](std::string* line) {
      if (!(*src)->Next(line)) return false;
      progress.Update(++lines);
      return true;
    });
    progress.Done();
    if (s.ok() && (*src)->failed()) s = Status::Unavailable("error reading '" + file + "'");
    if (!s.ok()) {
      store->reset();  // removes a store this command created
      return Fail(s);
    }
    auto list = (*store)->ListStreams();
    if (!list.ok()) return Fail(list.status());
    for (const auto& st : *list) events += st.events;
    streams = list->size();
  }
  if (global.quiet) return 0;
  if (global.fmt() == Format::kJson) {
    std::printf("{\"restored\":%llu,\"streams\":%llu}\n",
                static_cast<unsigned long long>(events), static_cast<unsigned long long>(streams));
  } else {
    std::printf("restored %s in %s; hash chain verified\n", Count(events, "event").c_str(),
                Count(streams, "stream").c_str());
  }
  return 0;
}

}  // namespace

void AddWriteCommands(CLI::App& app, GlobalOptions* global, int* exit_code) {
  auto append_args = std::make_shared<AppendArgs>();
  CLI::App* append = app.add_subcommand("append", "Append one event to a stream");
  append->footer(
      "Example:\n  annals append --stream apple-intelligence-cn --type partner_chosen "
      "--effective 2025-02~ --set partner=Alibaba --source 'The Information'");
  append->add_option("--stream", append_args->fields.stream, "Stream (timeline) name")
      ->required();
  append->add_option("--type", append_args->fields.type,
                     "Event type: a type of a vocabulary of the store (`annals help append` "
                     "lists them; the built-in `deal` has partner_talks, partner_chosen, "
                     "submission_filed, submission_decided, launch_target_set, launched), or "
                     "a core type: fact, note, correction, retraction")
      ->required();
  append->add_option("--effective", append_args->fields.effective,
                     "Valid time, a fuzzy date: 2025, 2025-04, 2025-04-15, 2025-Q1, "
                     "2025-04-15T09:30Z, with ~ ? %, or an interval A/B. Required for "
                     "domain events; optional for correction and retraction");
  append->add_option("--set", append_args->sets,
                     "A field of data by its JSON name: KEY=VALUE (repeat), converted by the "
                     "field's type (true/false, numbers, enumerant names)");
  append->add_option("--data", append_args->fields.data_json,
                     "The data as a JSON object (--set entries are added to it)");
  append->add_option("--id", append_args->fields.id,
                     "Event id (default: a new UUIDv7); re-appending an identical event with "
                     "the same id is a no-op");
  append->add_option("--expect-version", append_args->expect_version,
                     "Fail with exit 3 unless the stream has exactly N events (0: new stream)")
      ->check(WholeNumber());
  append->add_option("--confidence", append_args->fields.confidence,
                     "confirmed | reported | rumored (default: reported)");
  append->add_option("--source", append_args->fields.source_publisher, "Source publisher");
  append->add_option("--url", append_args->fields.source_url, "Source URL");
  append->add_option("--published", append_args->fields.source_published,
                     "When the source published it (fuzzy date)");
  append->add_option("--by", append_args->fields.recorded_by, "Who records this event");
  AddFormatOption(append, global);
  append->callback([global, exit_code, append_args] {
    *exit_code = RunAppend(*global, *append_args);
  });

  auto import_file = std::make_shared<std::string>();
  auto from_export = std::make_shared<bool>(false);
  CLI::App* import = app.add_subcommand(
      "import", "Append JSON Lines events atomically (any bad line: nothing appended)");
  import->footer("Example:\n  annals import examples/apple-intelligence-cn.jsonl\n"
                 "  cat events.jsonl | annals import -\n"
                 "  annals --db old export --stream S | annals --db new import --from-export -");
  import->add_option("file", *import_file, "JSON Lines file, or - for standard input")
      ->required();
  import->add_flag("--from-export", *from_export,
                   "The lines are an export (e.g. export --stream S of another store): each "
                   "line's hash is checked, the events are recorded anew (new seq, version, "
                   "recorded_at and hashes) and keep where they were first recorded as "
                   "imported_from {recorded_at, seq, hash}");
  AddFormatOption(import, global);
  import->callback([global, exit_code, import_file, from_export] {
    *exit_code = RunImport(*global, *import_file, *from_export);
  });

  auto restore_file = std::make_shared<std::string>();
  CLI::App* restore = app.add_subcommand(
      "restore", "Rebuild an empty store from an export, keeping seq, times and hashes");
  restore->footer("Example:\n  annals --db copy.db restore backup.jsonl");
  restore->add_option("file", *restore_file, "Export file, or - for standard input")
      ->required();
  AddFormatOption(restore, global);
  restore->callback([global, exit_code, restore_file] {
    *exit_code = RunRestore(*global, *restore_file);
  });
}

}  // namespace cli
}  // namespace annals
