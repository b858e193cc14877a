// Copyright annals authors.
//
// Vocabulary commands (SPEC §7): `vocab add FILE|-|NAME`, `vocab list`, `vocab show NAME`.
// Parsing and printing only; registration and its checks are the store's.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "annals/vocabulary.h"
#include "common.h"

namespace annals {
namespace cli {

namespace {

struct Source {
  std::string text;
  std::string name;  // for messages: the file's name, "stdin.capnp", or "NAME.capnp"
};

// FILE (a path to an existing file), "-" (standard input), or the name of a vocabulary
// annals ships.
Result<Source> ReadSource(const std::string& what) {
  Source src;
  std::error_code ec;
  if (what == "-") {
    std::ostringstream in;
    in << std::cin.rdbuf();
    src.text = in.str();
    src.name = "stdin.capnp";
    return src;
  }
  if (std::filesystem::is_regular_file(what, ec)) {
    std::ifstream f(what, std::ios::binary);
    if (!f) return Status::InvalidArgument("cannot read '" + what + "'");
    src.text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    src.name = std::filesystem::path(what).filename().string();
    return src;
  }
  if (std::filesystem::exists(what, ec)) {
    return Status::InvalidArgument("cannot read '" + what + "': not a regular file");
  }
  auto shipped = ShippedVocabularySource(what);
  if (!shipped.ok()) {
    return Status::InvalidArgument("no file '" + what + "', and " + shipped.status().message());
  }
  src.text = std::move(shipped).value();
  src.name = what + ".capnp";
  return src;
}

std::string Types(const VocabularyInfo& v, const char* sep) {
  std::string out;
  for (const auto& t : v.types) out += (out.empty() ? "" : sep) + t;
  return out;
}

std::string TypesJson(const VocabularyInfo& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.types.size(); ++i) out += (i ? "," : "") + JsonQuote(v.types[i]);
  return out + "]";
}

std::string InfoJson(const VocabularyInfo& v, bool with_source) {
  std::string out = "{\"name\":" + JsonQuote(v.name) +
                    ",\"version\":" + std::to_string(v.version) +
                    ",\"seq\":" + (v.seq ? std::to_string(v.seq) : "null") +
                    ",\"types\":" + TypesJson(v);
  if (with_source) out += ",\"source\":" + JsonQuote(v.source);
  return out + "}";
}

int RunAdd(const GlobalOptions& global, const std::string& what) {
  auto src = ReadSource(what);
  if (!src.ok()) return Fail(src.status());
  Result<VocabularyInfo> info = Status::Unavailable("not registered");
  {
    auto store = OpenStore(global, Use::kWrite);
    if (!store.ok()) return Fail(store.status());
    info = (*store)->RegisterVocabulary(src->text, src->name);
  }
  if (!info.ok()) return Fail(info.status());
  if (global.quiet) return 0;
  if (global.fmt() == Format::kJson) {
    std::string j = InfoJson(*info, false);
    j.pop_back();
    std::printf("%s,\"existed\":%s}\n", j.c_str(), info->existed ? "true" : "false");
  } else if (info->existed) {
    std::printf("%s version %u is already registered (nothing written): %s\n",
                info->name.c_str(), info->version, Types(*info, ", ").c_str());
  } else {
    std::printf("registered %s version %u (seq %llu): %s\n", info->name.c_str(), info->version,
                static_cast<unsigned long long>(info->seq), Types(*info, ", ").c_str());
  }
  return 0;
}

int RunList(const GlobalOptions& global) {
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) -> Status {
    auto list = store.ListVocabularies();
    if (!list.ok()) return list.status();
    if (global.fmt() == Format::kJson) {
      for (const auto& v : *list) std::fprintf(out, "%s\n", InfoJson(v, false).c_str());
      return Status::OK();
    }
    size_t width = 10;
    for (const auto& v : *list) width = std::max(width, v.name.size());
    char header[256];
    std::snprintf(header, sizeof(header), "%-*s  %7s  %8s  %s", static_cast<int>(width),
                  "VOCABULARY", "VERSION", "SEQ", "EVENT TYPES");
    std::fprintf(out, "%s\n", Paint(header, Style::kBold).c_str());
    for (const auto& v : *list) {
      std::fprintf(out, "%-*s  %7u  %8s  %s\n", static_cast<int>(width), v.name.c_str(),
                   v.version, v.seq ? std::to_string(v.seq).c_str() : "-",
                   Types(v, " ").c_str());
    }
    return Status::OK();
  });
}

int RunShow(const GlobalOptions& global, const std::string& name, uint64_t version) {
  return RunRead(global, Use::kRead, [&](Store& store, std::FILE* out) -> Status {
    auto info = store.GetVocabulary(name, static_cast<uint32_t>(version));
    if (!info.ok()) return info.status();
    if (global.fmt() == Format::kJson) {
      std::fprintf(out, "%s\n", InfoJson(*info, true).c_str());
    } else {
      std::fwrite(info->source.data(), 1, info->source.size(), out);
      if (!info->source.empty() && info->source.back() != '\n') std::fprintf(out, "\n");
    }
    return Status::OK();
  });
}

}  // namespace

void AddVocabCommands(CLI::App& app, GlobalOptions* global, int* exit_code) {
  CLI::App* vocab = app.add_subcommand(
      "vocab", "Vocabularies: event types users bring, as annotated Cap'n Proto schemas");
  vocab->require_subcommand(1);
  vocab->footer("Example:\n  annals vocab add merger_review.capnp\n  annals vocab add acquisition\n"
                "  annals vocab list\n  annals vocab show deal");

  auto file = std::make_shared<std::string>();
  CLI::App* add = vocab->add_subcommand(
      "add", "Register a vocabulary file, or the next version of one (a shipped one by name)");
  add->footer("Example:\n  annals vocab add merger_review.capnp\n"
              "  annals vocab add acquisition       # a vocabulary annals ships\n"
              "  capnp compile -I/usr/include -o- my.capnp   # check a file first");
  add->add_option("file", *file, "Vocabulary file, - for standard input, or a shipped name")
      ->required();
  AddFormatOption(add, global);
  add->callback([global, exit_code, file] { *exit_code = RunAdd(*global, *file); });

  CLI::App* list = vocab->add_subcommand("list", "The vocabularies of the store, latest versions");
  list->footer("Example:\n  annals vocab list --format json");
  AddFormatOption(list, global);
  list->callback([global, exit_code] { *exit_code = RunList(*global); });

  auto name = std::make_shared<std::string>();
  auto version = std::make_shared<uint64_t>(0);
  CLI::App* show = vocab->add_subcommand("show", "Print a vocabulary's source file");
  show->footer("Example:\n  annals vocab show deal\n  annals vocab show merger_review --version 1");
  show->add_option("name", *name, "Vocabulary name")->required();
  show->add_option("--version", *version, "This version (default: the latest)")
      ->check(WholeNumber());
  AddFormatOption(show, global);
  show->callback([global, exit_code, name, version] {
    *exit_code = RunShow(*global, *name, *version);
  });
}

}  // namespace cli
}  // namespace annals
