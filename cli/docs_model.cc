// Copyright annals authors.
//
// The model every generated document walks (docs.h): collected from the CLI11 command tree,
// so that the documents never drift from the commands.

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "docs.h"

namespace annals {
namespace cli {
namespace docs {

std::string OptionDoc::Flags() const {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  if (!value.empty()) out += (out.empty() ? "" : " ") + value;
  return out;
}

std::string OptionDoc::Usage() const {
  std::string u = positional ? value : names.back() + (value.empty() ? "" : " " + value);
  if (!required) u = "[" + u + "]";
  if (repeatable) u += "...";
  return u;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

namespace {

// A readable placeholder for an option's value.
std::string Placeholder(const std::string& name) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"db", "DIR"},          {"as-of", "DATE"},    {"from", "DATE"},  {"to", "DATE"},
      {"effective", "DATE"},  {"published", "DATE"}, {"known-at", "TIME"},
      {"after-seq", "N"},     {"until-seq", "N"},   {"limit", "N"},    {"expect-version", "N"},
      {"set", "KEY=VALUE"},   {"data", "JSON"},     {"out", "FILE"},   {"source", "PUBLISHER"},
      {"by", "WHO"},          {"confidence", "LEVEL"},  {"server", "ADDR"},
      {"listen", "ADDR"},     {"token-file", "FILE"}, {"wait", "SECONDS"},
  };
  for (const auto& [n, p] : kNames) {
    if (name == n) return p;
  }
  return Upper(name);
}

OptionDoc DescribeOption(const CLI::Option* opt) {
  OptionDoc d;
  d.description = opt->get_description();
  d.required = opt->get_required();
  d.positional = opt->get_positional();
  d.repeatable = opt->get_expected_max() > 1;
  const std::string type = opt->get_type_name();  // "TEXT:{text,json}" for IsMember
  const size_t open = type.find('{'), close = type.rfind('}');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    std::string list = type.substr(open + 1, close - open - 1);
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string item = list.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(' '));
      if (!item.empty()) d.choices.push_back(item);
      start = comma + 1;
    }
  }
  if (d.positional) {
    d.value = Upper(opt->get_name());
    return d;
  }
  for (const auto& s : opt->get_snames()) d.names.push_back("-" + s);
  for (const auto& l : opt->get_lnames()) d.names.push_back("--" + l);
  if (opt->get_expected_max() > 0) {  // flags expect no value
    if (!d.choices.empty()) {
      for (size_t i = 0; i < d.choices.size(); ++i) d.value += (i ? "|" : "") + d.choices[i];
    } else {
      d.value = Placeholder(opt->get_lnames().empty() ? opt->get_name() : opt->get_lnames()[0]);
    }
  }
  return d;
}

}  // namespace

Manual Collect(CLI::App& app) {
  Manual m;
  m.description = app.get_description();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt == app.get_help_all_ptr()) continue;
    m.global.push_back(DescribeOption(opt));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return !s->get_group().empty(); })) {
    CommandDoc c;
    c.name = sub->get_name();
    c.description = sub->get_description();
    c.footer = sub->get_footer();
    for (const CLI::Option* opt : sub->get_options()) {
      if (opt == sub->get_help_ptr() || opt == sub->get_help_all_ptr()) continue;
      c.options.push_back(DescribeOption(opt));
    }
    m.commands.push_back(std::move(c));
  }
  return m;
}

const CommandDoc* FindCommand(const Manual& m, const std::string& name) {
  for (const auto& c : m.commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string Synopsis(const CommandDoc& c) {
  std::string s = "annals [GLOBAL OPTIONS] " + c.name;
  // Required options first, in definition order, then the optional ones.
  for (bool required : {true, false}) {
    for (const auto& o : c.options) {
      if (o.required == required) s += " " + o.Usage();
    }
  }
  return s;
}

const std::vector<std::pair<std::string, std::string>>& Environment() {
  static const std::vector<std::pair<std::string, std::string>> kEnv = {
      {"ANNALS_DB", "The store directory when --db is not given (default: ./annals.db)."},
      {"NO_COLOR", "When set and not empty, output is never coloured. Colours are otherwise "
                   "used only when the output is a terminal."},
      {"CLICOLOR_FORCE", "When set, not empty and not 0, output is coloured even on a pipe "
                         "(NO_COLOR still wins)."},
      {"TMPDIR", "Where a read command keeps its output beyond 8 MiB until it has given up "
                 "the store (default: /tmp)."},
  };
  return kEnv;
}
const std::vector<std::pair<std::string, std::string>>& ExitStatus() {
  static const std::vector<std::pair<std::string, std::string>> kExit = {
      {"0", "Success."},
      {"1", "Not found: no such stream or event id."},
      {"2", "Invalid input or usage; nothing was written."},
      {"3", "Conflict: expected version mismatch or id reused with other content; nothing "
            "was written."},
      {"4", "Verification failed: tampering or corruption detected."},
      {"5", "Store unavailable: still in use by another command after --wait (the message "
            "names it), read-only (for a write), not readable, I/O error, or not an annals "
            "store."},
  };
  return kExit;
}

}  // namespace docs
}  // namespace cli
}  // namespace annals
