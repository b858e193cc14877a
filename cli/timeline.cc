// Copyright annals authors.
//
// The timeline command: draws a stream as SVG, or as an HTML page with the SVG embedded.
// The picture is annals::RenderTimelineSvg / RenderTimelineHtml (annals/timeline.h); this
// file only parses arguments and writes the file.

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "annals/timeline.h"
#include "common.h"

namespace annals {
namespace cli {

namespace {

struct TimelineFlags {
  std::string stream;
  std::string as_of;
  std::string known_at;
  std::string out;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(),
                                                suffix) == 0;
}

// Writes `content` to `path` through a temporary file and a rename, so that a reader never
// sees half a picture.
Status WriteOut(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::InvalidArgument("cannot write '" + path + "'");
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    f.close();
    if (!f) {
      std::remove(tmp.c_str());
      return Status::InvalidArgument("cannot write '" + path + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::InvalidArgument("cannot write '" + path + "'");
  }
  return Status::OK();
}

int RunTimeline(const GlobalOptions& global, const TimelineFlags& f) {
  const bool html = EndsWith(f.out, ".html");
  std::string doc;
  // Drawn while the store is held; written after it is given up (RunRead), so that a
  // slow destination keeps no writer out.
  const int code = RunRead(global, Use::kQuery, [&](Store& store, std::FILE* out) -> Status {
    const TimeQuery query{f.stream, f.as_of, f.known_at};
    auto drawn = html ? RenderTimelineHtml(store, query) : RenderTimelineSvg(store, query);
    if (!drawn.ok()) return drawn.status();
    doc = std::move(drawn).value();
    if (f.out == "-" && std::fwrite(doc.data(), 1, doc.size(), out) != doc.size()) {
      return Status::Unavailable("cannot write to standard output");
    }
    return Status::OK();
  });
  if (code != 0 || f.out == "-") return code;
  Status s = WriteOut(f.out, doc);
  if (!s.ok()) return Fail(s);
  if (global.quiet) return 0;
  if (global.fmt() == Format::kJson) {
    std::printf("{\"out\":%s,\"format\":\"%s\",\"bytes\":%zu}\n", JsonQuote(f.out).c_str(),
                html ? "html" : "svg", doc.size());
  } else {
    std::printf("wrote %s (%s, %zu bytes)\n", Printable(f.out).c_str(), html ? "HTML" : "SVG", doc.size());
  }
  return 0;
}

}  // namespace

void AddTimelineCommand(CLI::App& app, GlobalOptions* global, int* exit_code) {
  auto flags = std::make_shared<TimelineFlags>();
  CLI::App* timeline = app.add_subcommand(
      "timeline", "Draw a stream as a picture: SVG, or an HTML page with details on hover");
  timeline->footer(
      "Lanes come from the state of the stream's vocabulary: one per map entry or list element\n"
      "(a deal's partners: talks as spans, the choice as a diamond), flags for a value whose\n"
      "earlier versions are kept (a slipped launch target is a faded flag with an arrow);\n"
      "fuzzy dates are bands from earliest to latest, rumored events are hatched.\n"
      "Example:\n  annals timeline --stream apple-intelligence-cn --as-of 2025-03 "
      "--out deal.svg\n"
      "  annals timeline --stream apple-intelligence-cn --known-at @11 --out deal.html");
  timeline->add_option("--stream", flags->stream, "The stream")->required();
  timeline->add_option("--as-of", flags->as_of,
                       "Valid time (fuzzy date; means its last instant); default: no bound");
  timeline->add_option("--known-at", flags->known_at,
                       "Transaction time: what was known then (ISO-8601 instant, or @SEQ); "
                       "default: now");
  timeline->add_option("--out", flags->out,
                       "Output file: FILE.svg, FILE.html (self-contained page), or - for SVG "
                       "on standard output; any other name is refused")
      ->required()
      ->check(CLI::Validator(
          [](std::string& out) {
            return out == "-" || EndsWith(out, ".svg") || EndsWith(out, ".html")
                       ? std::string()
                       : "'" + out + "' does not end in .svg or .html";
          },
          "FILE"));
  AddFormatOption(timeline, global);
  timeline->callback([global, exit_code, flags] {
    *exit_code = RunTimeline(*global, *flags);
  });
}

}  // namespace cli
}  // namespace annals
