// Copyright annals authors.
//
// Read commands: export, log, streams, verify.

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "annals/cluster.h"
#include "annals/server.h"
#include "common.h"

namespace annals {
namespace cli {

namespace {

// Checks that a named stream exists, so that a typo is "not found", not empty output.
Status CheckStream(Store& store, const std::string& stream) {
  if (stream.empty()) return Status::OK();
  auto info = store.GetStream(stream);
  return info.ok() ? Status::OK() : info.status();
}

void PrintLogLine(std::FILE* out, const Event& e) {
  std::fprintf(out, "%6llu  %s  %-s v%llu  %-18s %-14s %s  %s\n",
               static_cast<unsigned long long>(e.seq()), std::string(e.recorded_at()).c_str(),
               Printable(e.stream()).c_str(), static_cast<unsigned long long>(e.version()),
               Printable(e.type_name()).c_str(), e.effective().text.c_str(),
               Printable(e.id()).c_str(), Printable(DescribeEvent(e)).c_str());
}

int RunExport(const GlobalOptions& global, const std::string& stream) {
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) {
    ANNALS_RETURN_IF_ERROR(CheckStream(store, stream));
    LogRange range;
    range.stream = stream;
    return store.ScanLog(range, [out](const Event& e) {
      std::string line = e.ToJson();
      line.push_back('\n');
      return std::fwrite(line.data(), 1, line.size(), out) == line.size();
    });
  });
}

int RunLog(const GlobalOptions& global, const LogRange& range) {
  const bool json = global.fmt() == Format::kJson;
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) {
    ANNALS_RETURN_IF_ERROR(CheckStream(store, range.stream));
    return store.ScanLog(range, [json, out](const Event& e) {
      if (json) {
        std::fprintf(out, "%s\n", e.ToJson().c_str());
      } else {
        PrintLogLine(out, e);
      }
      return !std::ferror(out);
    });
  });
}

// `log --follow`: the matching events, then every new one as it is appended (SPEC §8),
// each line flushed at once, until interrupted (or --limit events).  It needs a server: a
// store used directly belongs to this one process, so nothing else could append to it.
int RunFollow(const GlobalOptions& global, const LogRange& range) {
  auto store = OpenStore(global, Use::kRead);
  if (!store.ok()) return Fail(store.status());
  if (!IsRemoteStore(**store)) {
    return Fail(Status::Unavailable(
        "log --follow needs an annals server holding the store, so that other commands can "
        "append meanwhile: start one with 'annals --db " + global.DbPath() +
        " serve', or name one with --server"));
  }
  Status s = CheckStream(**store, range.stream);
  if (!s.ok()) return Fail(s);
  const bool json = global.fmt() == Format::kJson;
  s = (*store)->Follow(range, [json](const Event& e) {
    if (json) {
      std::printf("%s\n", e.ToJson().c_str());
    } else {
      PrintLogLine(stdout, e);
    }
    return std::fflush(stdout) == 0 && !std::ferror(stdout);
  });
  return s.ok() ? 0 : Fail(s);
}

int RunStreams(const GlobalOptions& global) {
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) -> Status {
    auto streams = store.ListStreams();
    if (!streams.ok()) return streams.status();
    std::vector<std::string> names;  // as shown
    size_t width = 6;
    for (const auto& st : *streams) {
      names.push_back(Printable(st.name));
      width = std::max(width, names.back().size());
    }
    if (global.fmt() == Format::kText && !streams->empty()) {
      char header[256];
      std::snprintf(header, sizeof(header), "%-*s  %8s  %8s", static_cast<int>(width),
                    "STREAM", "EVENTS", "LAST SEQ");
      std::fprintf(out, "%s\n", Paint(header, Style::kBold).c_str());
    }
    for (size_t i = 0; i < streams->size(); ++i) {
      const StreamInfo& st = (*streams)[i];
      if (global.fmt() == Format::kJson) {
        std::fprintf(out, "{\"stream\":%s,\"events\":%llu,\"last_seq\":%llu}\n",
                     JsonQuote(st.name).c_str(), static_cast<unsigned long long>(st.events),
                     static_cast<unsigned long long>(st.last_seq));
      } else {
        std::fprintf(out, "%-*s  %8llu  %8llu\n", static_cast<int>(width), names[i].c_str(),
                     static_cast<unsigned long long>(st.events),
                     static_cast<unsigned long long>(st.last_seq));
      }
    }
    return Status::OK();
  });
}

int RunVerify(const GlobalOptions& global) {
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) -> Status {
    Progress progress(global, "verify", "events checked");
    VerifyOptions options;
    options.progress = [&progress](uint64_t n) { progress.Update(n); };
    auto report = store.Verify(options);
    progress.Done();
    if (!report.ok()) return report.status();
    if (global.fmt() == Format::kJson) {
      std::fprintf(out, "%s\n", report->ToJson().c_str());
    } else if (report->ok()) {
      // --quiet: the exit code says it all.
      if (!global.quiet) {
        std::fprintf(out, "%s: %s in %s; hash chain and indexes verified\n",
                     Paint("ok", Style::kGreen).c_str(), Count(report->events, "event").c_str(),
                     Count(report->streams, "stream").c_str());
      }
    } else {
      std::fprintf(out, "%s: %s in %s\n", Paint("FAILED", Style::kRed).c_str(),
                   Count(report->problems.size(), "problem").c_str(),
                   Count(report->events, "event").c_str());
      for (const auto& p : report->problems) std::fprintf(out, "  %s\n", Printable(p).c_str());
    }
    if (!report->ok()) {
      return Status::Corruption("verification failed: " + report->problems[0]);
    }
    return Status::OK();
  });
}

// `verify --peers A,B,…`: compares the nodes' heads (seq, hash) and names the first seq at
// which they hold different events (exit 4); a node that is only behind is not a failure.
int RunVerifyPeers(const GlobalOptions& global, const std::vector<std::string>& addresses) {
  ClientOptions client;
  if (!global.token_file.empty()) {
    auto token = ReadTokenFile(global.token_file);
    if (!token.ok()) return Fail(token.status());
    client.token = std::move(token).value();
  } else if (const char* token = std::getenv("ANNALS_TOKEN")) {
    client.token = token;
  }
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<std::pair<std::string, Store*>> peers;
  for (const auto& address : addresses) {
    auto store = ConnectToServer(address, client);
    if (!store.ok()) return Fail(store.status().WithPrefix(address));
    stores.push_back(std::move(store).value());
    peers.emplace_back(address, stores.back().get());
  }
  auto cmp = ComparePeers(peers);
  if (!cmp.ok()) return Fail(cmp.status());
  if (global.fmt() == Format::kJson) {
    std::printf("%s\n", cmp->ToJson().c_str());
  } else {
    for (const auto& h : cmp->heads) {
      std::printf("%-30s  seq %llu  %s\n", Printable(h.name).c_str(),
                  static_cast<unsigned long long>(h.seq), h.hash.empty() ? "-" : h.hash.c_str());
    }
    if (cmp->ok()) {
      if (!global.quiet) {
        std::printf("%s: the nodes agree on every seq they hold\n",
                    Paint("ok", Style::kGreen).c_str());
      }
    } else {
      std::printf("%s: %s\n", Paint("DIVERGED", Style::kRed).c_str(),
                  Printable(cmp->problem).c_str());
    }
  }
  std::fflush(stdout);
  if (!cmp->ok()) return Fail(Status::Corruption("the nodes diverge: " + cmp->problem));
  return 0;
}

}  // namespace

void AddReadCommands(CLI::App& app, GlobalOptions* global, int* exit_code) {
  auto export_stream = std::make_shared<std::string>();
  CLI::App* exp = app.add_subcommand(
      "export", "Print every event as full-fidelity JSON Lines (with hashes), in seq order");
  exp->footer("Example:\n  annals export > backup.jsonl\n"
              "  annals --db copy.db restore backup.jsonl");
  exp->add_option("--stream", *export_stream, "Only this stream");
  exp->callback([global, exit_code, export_stream] {
    *exit_code = RunExport(*global, *export_stream);
  });

  auto range = std::make_shared<LogRange>();
  CLI::App* log = app.add_subcommand(
      "log", "The raw log in seq order, corrections and retractions included");
  log->footer("Example:\n  annals log --stream apple-intelligence-cn --after-seq 10 --limit 5\n"
              "  annals log --follow --format json     # live, through 'annals serve'");
  log->add_option("--stream", range->stream, "Only this stream");
  log->add_option("--after-seq", range->after_seq, "Only events with a larger seq")
      ->check(WholeNumber());
  log->add_option("--limit", range->limit, "At most this many events (0: none)")
      ->check(WholeNumber());
  auto follow = std::make_shared<bool>(false);
  log->add_flag("--follow,-f", *follow,
                "Then keep printing new events as they are appended, until interrupted "
                "(needs 'annals serve'; with --limit, stop after that many)");
  AddFormatOption(log, global);
  log->callback([global, exit_code, range, follow] {
    *exit_code = *follow ? RunFollow(*global, *range) : RunLog(*global, *range);
  });

  CLI::App* streams = app.add_subcommand("streams", "Streams with event counts and last seq");
  streams->footer("Example:\n  annals streams --format json");
  AddFormatOption(streams, global);
  streams->callback([global, exit_code] { *exit_code = RunStreams(*global); });

  CLI::App* verify = app.add_subcommand(
      "verify", "Recompute the hash chain and check every index against the log (exit 4 if "
                "anything was changed)");
  verify->footer("Example:\n  annals verify && echo intact\n"
                 "  annals verify --peers 127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403");
  auto peers = std::make_shared<std::vector<std::string>>();
  verify->add_option("--peers", *peers,
                     "Instead, compare the heads (seq, hash) of these cluster nodes' servers "
                     "(ADDR,ADDR,...) and name the first seq where they differ")
      ->delimiter(',');
  AddFormatOption(verify, global);
  verify->callback([global, exit_code, peers] {
    *exit_code = peers->empty() ? RunVerify(*global) : RunVerifyPeers(*global, *peers);
  });
}

}  // namespace cli
}  // namespace annals
