// Copyright annals authors.
//
// Documentation generated from the CLI11 definition, so that it never drifts from the
// commands: `annals help [COMMAND]` (the manual as text), the hidden `annals man` (the same
// manual as a troff man page, installed as annals(1)), and `annals completion bash|zsh`.
//
// All three walk the same model: the global options and every visible subcommand with its
// description, options (value placeholders, choices of CLI::IsMember checks, required or
// repeatable) and footer (its examples).

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "annals/event.h"
#include "common.h"

namespace annals {
namespace cli {

namespace {

struct OptionDoc {
  std::vector<std::string> names;  // "-q", "--quiet"; empty for positionals
  std::string value;               // placeholder ("STREAM", "FILE"); empty for flags
  std::vector<std::string> choices;
  std::string description;
  bool required = false;
  bool positional = false;
  bool repeatable = false;

  // "--stream STREAM", "-q, --quiet", "FILE".
  std::string Flags() const {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    if (!value.empty()) out += (out.empty() ? "" : " ") + value;
    return out;
  }
  // The synopsis form: "--stream STREAM", "[--as-of DATE]", "[--set KEY=VALUE]...".
  std::string Usage() const {
    std::string u = positional ? value : names.back() + (value.empty() ? "" : " " + value);
    if (!required) u = "[" + u + "]";
    if (repeatable) u += "...";
    return u;
  }
};

struct CommandDoc {
  std::string name;
  std::string description;
  std::string footer;
  std::vector<OptionDoc> options;
};

struct Manual {
  std::string description;
  std::vector<OptionDoc> global;
  std::vector<CommandDoc> commands;
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

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

// Fixed parts of the manual, shared by the text and troff forms.
constexpr const char* kSummary = "a bitemporal timeline store";
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

// ---- text ----------------------------------------------------------------------------------

// Wraps `text` at `width` columns, every line indented by `indent` spaces.
std::string Wrap(const std::string& text, size_t indent, size_t width = 79) {
  std::string out, line;
  const std::string pad(indent, ' ');
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of(" \n", start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && pad.size() + line.size() + 1 + word.size() > width) {
      out += pad + line + "\n";
      line.clear();
    }
    if (!word.empty()) line += (line.empty() ? "" : " ") + word;
    if (end < text.size() && text[end] == '\n') {
      out += pad + line + "\n";
      line.clear();
    }
    start = end + 1;
  }
  if (!line.empty()) out += pad + line + "\n";
  return out;
}

std::string OptionText(const OptionDoc& o) {
  std::string head = "  " + Paint(o.Flags(), Style::kBold);
  if (o.required) head += "  (required)";
  if (o.repeatable && o.description.find("repeat") == std::string::npos) {
    head += "  (repeatable)";
  }
  return head + "\n" + Wrap(o.description, 6);
}

std::string CommandText(const CommandDoc& c) {
  std::string out = Paint("annals " + c.name, Style::kBold) + " - " + c.description + "\n\n";
  out += Wrap(Synopsis(c), 2) + "\n";
  if (!c.options.empty()) {
    out += "  Options:\n";
    for (const auto& o : c.options) out += "  " + OptionText(o);
  }
  if (!c.footer.empty()) out += "\n" + c.footer + "\n";
  return out;
}

std::string Heading(const std::string& h) { return Paint(h, Style::kBold) + "\n"; }

std::string ManualText(const Manual& m) {
  std::string out = Heading("NAME") + "  annals - " + kSummary + "\n\n";
  out += Heading("SYNOPSIS") +
         "  annals [--db DIR] [-q] [--no-sync] [--wait SECONDS] COMMAND [OPTIONS]\n"
         "  annals help [COMMAND]\n\n";
  out += Heading("DESCRIPTION") + Wrap(m.description, 2) + "\n";
  out += Heading("GLOBAL OPTIONS");
  for (const auto& o : m.global) out += OptionText(o);
  out += "\n" + Heading("COMMANDS");
  size_t w = 0;
  for (const auto& c : m.commands) w = std::max(w, c.name.size());
  for (const auto& c : m.commands) {
    out += "  " + c.name + std::string(w - c.name.size() + 2, ' ') + c.description + "\n";
  }
  for (const auto& c : m.commands) out += "\n" + CommandText(c);
  out += "\n" + Heading("ENVIRONMENT");
  for (const auto& [k, v] : Environment()) out += "  " + k + "\n" + Wrap(v, 6);
  out += "\n" + Heading("EXIT STATUS");
  for (const auto& [k, v] : ExitStatus()) out += "  " + k + "  " + v + "\n";
  return out;
}

// ---- troff ---------------------------------------------------------------------------------

// Escapes text for troff: backslashes, minus signs, and a leading '.' or '\'' on any line.
std::string Roff(const std::string& s) {
  std::string out;
  bool line_start = true;
  for (char c : s) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string OptionRoff(const OptionDoc& o) {
  std::string head;
  if (o.positional) {
    head = "\\fI" + Roff(o.value) + "\\fR";
  } else {
    for (const auto& n : o.names) head += (head.empty() ? "" : ", ") + ("\\fB" + Roff(n) + "\\fR");
    if (!o.value.empty()) head += " \\fI" + Roff(o.value) + "\\fR";
  }
  std::string desc = o.description;
  if (o.required) desc += " (required)";
  if (o.repeatable && desc.find("repeat") == std::string::npos) desc += " (repeatable)";
  return ".TP\n" + head + "\n" + Roff(desc) + "\n";
}

// A footer: prose lines as paragraphs, indented lines (examples) as literal blocks.
std::string FooterRoff(const std::string& footer) {
  std::string out, block;
  bool literal = false;
  size_t start = 0;
  while (start <= footer.size()) {
    size_t end = footer.find('\n', start);
    if (end == std::string::npos) end = footer.size();
    const std::string line = footer.substr(start, end - start);
    const bool example = line.rfind("  ", 0) == 0;
    if (example && !literal) out += ".PP\n.RS 4\n.nf\n";
    if (!example && literal) out += ".fi\n.RE\n";
    literal = example;
    if (example) {
      out += Roff(line.substr(2)) + "\n";
    } else if (!line.empty()) {
      out += ".PP\n" + Roff(line) + "\n";
    }
    start = end + 1;
  }
  if (literal) out += ".fi\n.RE\n";
  return out;
}

std::string ManualRoff(const Manual& m) {
  std::string out = ".\\\" Generated by 'annals man' from the CLI definition; do not edit.\n";
  out += ".TH ANNALS 1 \"\" \"annals " + std::string(ANNALS_VERSION) + "\" \"annals manual\"\n";
  out += ".SH NAME\nannals \\- " + Roff(kSummary) + "\n";
  out += ".SH SYNOPSIS\n.B annals\n[\\fB\\-\\-db\\fR \\fIDIR\\fR] [\\fB\\-q\\fR] "
         "[\\fB\\-\\-no\\-sync\\fR] [\\fB\\-\\-wait\\fR \\fISECONDS\\fR] "
         "\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n.br\n.B annals help\n"
         "[\\fICOMMAND\\fR]\n";
  out += ".SH DESCRIPTION\n" + Roff(m.description) + "\n";
  out += ".SH GLOBAL OPTIONS\n";
  for (const auto& o : m.global) out += OptionRoff(o);
  out += ".SH COMMANDS\n";
  for (const auto& c : m.commands) {
    out += ".SS \"" + Roff(c.name) + "\"\n" + Roff(c.description) + "\n.PP\n" +
           Roff(Synopsis(c)) + "\n";
    for (const auto& o : c.options) out += OptionRoff(o);
    out += FooterRoff(c.footer);
  }
  out += ".SH ENVIRONMENT\n";
  for (const auto& [k, v] : Environment()) out += ".TP\n.B " + Roff(k) + "\n" + Roff(v) + "\n";
  out += ".SH EXIT STATUS\n";
  for (const auto& [k, v] : ExitStatus()) out += ".TP\n.B " + k + "\n" + Roff(v) + "\n";
  out += ".SH SEE ALSO\nThe project's README.md and docs/DECISIONS.md.\n";
  return out;
}

// ---- completion ----------------------------------------------------------------------------

// The types every store knows (a store's own vocabularies add more).
std::vector<std::string> BuiltInTypes() {
  std::vector<std::string> out;
  for (const auto& t : annals::EventTypes::BuiltIn().List()) out.push_back(t.name);
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep = " ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// How the value of an option is completed: "choices:a b", "dirs", "files", "streams",
// "commands", or "" (free text).
std::string ValueKind(const OptionDoc& o) {
  if (!o.choices.empty()) return "choices:" + Join(o.choices);
  const std::string n = o.names.empty() ? "" : o.names.back();
  if (n == "--db") return "dirs";
  if (n == "--out") return "files";
  if (n == "--stream") return "streams";
  if (n == "--type") return "choices:" + Join(BuiltInTypes());
  if (n == "--confidence") return "choices:confirmed reported rumored";
  if (o.positional && o.value == "FILE") return "files";
  if (o.positional && o.value == "COMMAND") return "commands";
  if (o.positional && o.value == "SHELL") return "choices:bash zsh";
  return "";
}

constexpr const char* kListStreams =
    "streams --format json 2>/dev/null | sed -n 's/^{\"stream\":\"\\([^\"]*\\)\".*/\\1/p'";

std::string BashCompletion(const Manual& m) {
  std::vector<std::string> commands, global;
  for (const auto& c : m.commands) commands.push_back(c.name);
  for (const auto& o : m.global) {
    for (const auto& n : o.names) global.push_back(n);
  }
  std::string out =
      "# bash completion for annals.  Generated by 'annals completion bash' from the CLI\n"
      "# definition; install as share/bash-completion/completions/annals.\n"
      "_annals() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local cmd=\"\" db=\"\" i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"${COMP_WORDS[i]}\" in\n"
      "      --db) db=\"${COMP_WORDS[i+1]}\"; ((i++)) ;;\n"
      "      -*) ;;\n"
      "      *) [ -z \"$cmd\" ] && cmd=\"${COMP_WORDS[i]}\" ;;\n"
      "    esac\n"
      "  done\n"
      "  local commands=\"" + Join(commands) + "\"\n"
      "  case \"$prev\" in\n";
  // Option values: the same option name completes the same way in every command.
  std::vector<std::pair<std::string, std::string>> kinds;
  auto add_kinds = [&](const std::vector<OptionDoc>& opts) {
    for (const auto& o : opts) {
      if (o.positional || o.value.empty()) continue;
      const std::string kind = ValueKind(o);
      for (const auto& n : o.names) {
        if (std::none_of(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == n; })) {
          kinds.emplace_back(n, kind);
        }
      }
    }
  };
  add_kinds(m.global);
  for (const auto& c : m.commands) add_kinds(c.options);
  auto reply = [](const std::string& kind, const std::string& indent) {
    if (kind.rfind("choices:", 0) == 0) {
      return indent + "COMPREPLY=($(compgen -W \"" + kind.substr(8) + "\" -- \"$cur\"))";
    }
    if (kind == "dirs") return indent + "COMPREPLY=($(compgen -d -- \"$cur\"))";
    if (kind == "files") return indent + "COMPREPLY=($(compgen -f -- \"$cur\"))";
    if (kind == "commands") return indent + "COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))";
    if (kind == "streams") {
      return indent + "COMPREPLY=($(compgen -W \"$(annals ${db:+--db \"$db\"} " + kListStreams +
             ")\" -- \"$cur\"))";
    }
    return indent + "COMPREPLY=()";
  };
  for (const auto& [name, kind] : kinds) {
    out += "    " + name + ")\n" + reply(kind, "      ") + "\n      return ;;\n";
  }
  out += "  esac\n"
         "  case \"$cmd\" in\n"
         "    \"\")\n"
         "      COMPREPLY=($(compgen -W \"$commands " + Join(global) + "\" -- \"$cur\")) ;;\n";
  for (const auto& c : m.commands) {
    std::vector<std::string> names;
    std::string positional;
    for (const auto& o : c.options) {
      if (o.positional) positional = ValueKind(o);
      for (const auto& n : o.names) names.push_back(n);
    }
    names.push_back("--help");
    out += "    " + c.name + ")\n";
    if (!positional.empty()) {
      out += "      if [[ \"$cur\" != -* ]]; then\n" + reply(positional, "        ") +
             "\n        return\n      fi\n";
    }
    out += "      COMPREPLY=($(compgen -W \"" + Join(names) + "\" -- \"$cur\")) ;;\n";
  }
  out += "  esac\n"
         "}\n"
         "complete -F _annals annals\n";
  return out;
}

// A description for zsh: one clause, no characters that end a spec or a quote.
std::string ZshText(const std::string& s) {
  std::string first = s.substr(0, s.find_first_of(";(\n"));
  while (!first.empty() && (first.back() == ' ' || first.back() == ',' || first.back() == ':')) {
    first.pop_back();
  }
  std::string out;
  for (char c : first) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[') {
      out += '(';
    } else if (c == ']') {
      out += ')';
    } else if (c == ':') {
      out += " -";
    } else if (c == '\\') {
      out += '/';
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string ZshAction(const OptionDoc& o) {
  const std::string kind = ValueKind(o);
  if (kind.rfind("choices:", 0) == 0) return "(" + kind.substr(8) + ")";
  if (kind == "dirs") return "_files -/";
  if (kind == "files") return "_files";
  if (kind == "streams") return "_annals_streams";
  if (kind == "commands") return "_annals_commands";
  return " ";
}

std::string ZshSpec(const OptionDoc& o) {
  const std::string desc = "[" + ZshText(o.description) + "]";
  const std::string value =
      o.value.empty() ? "" : ":" + ZshText(Upper(o.value)) + ":" + ZshAction(o);
  if (o.positional) return "'" + std::string(o.repeatable ? "*" : "1") + value + "'";
  std::string names;
  if (o.names.size() == 1) {
    names = (o.repeatable ? "*" : "") + o.names[0];
    return "'" + names + desc + value + "'";
  }
  // '(-q --quiet)'{-q,--quiet}'[...]'
  return "'(" + Join(o.names) + ")'{" + Join(o.names, ",") + "}'" + desc + value + "'";
}

std::string ZshCompletion(const Manual& m) {
  std::string out =
      "#compdef annals\n"
      "# zsh completion for annals.  Generated by 'annals completion zsh' from the CLI\n"
      "# definition; install as _annals in a directory of $fpath\n"
      "# (share/zsh/site-functions).\n\n"
      "_annals_streams() {\n"
      "  local -a streams\n"
      "  local db=${opt_args[--db]}\n"
      "  streams=(${(f)\"$(annals ${db:+--db $db} " + std::string(kListStreams) + ")\"})\n"
      "  _describe -t streams 'stream' streams\n"
      "}\n\n"
      "_annals_commands() {\n"
      "  local -a commands\n"
      "  commands=(\n";
  for (const auto& c : m.commands) {
    out += "    '" + c.name + ":" + ZshText(c.description) + "'\n";
  }
  out += "  )\n"
         "  _describe -t commands 'annals command' commands\n"
         "}\n\n"
         "_annals() {\n"
         "  local curcontext=\"$curcontext\" state line ret=1\n"
         "  typeset -A opt_args\n"
         "  _arguments -C \\\n";
  for (const auto& o : m.global) out += "    " + ZshSpec(o) + " \\\n";
  out += "    '1:command:_annals_commands' \\\n"
         "    '*::argument:->argument' && ret=0\n"
         "  case $state in\n"
         "    argument)\n"
         "      curcontext=\"${curcontext%:*:*}:annals-$words[1]:\"\n"
         "      case $words[1] in\n";
  for (const auto& c : m.commands) {
    out += "        " + c.name + ")\n          _arguments \\\n";
    for (const auto& o : c.options) out += "            " + ZshSpec(o) + " \\\n";
    out += "            '(- *)--help[Show help]' && ret=0 ;;\n";
  }
  out += "      esac ;;\n"
         "  esac\n"
         "  return ret\n"
         "}\n\n"
         "_annals \"$@\"\n";
  return out;
}

bool Print(const std::string& text) {
  return std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
}

// The event types `append --type` takes in the store of `global` (its vocabularies), or in
// any store when there is none there yet, with their data fields.
std::string EventTypesText(const GlobalOptions& global) {
  auto store = OpenStore(global, Use::kRead);
  const EventTypes types = store.ok() ? (*store)->Types() : EventTypes::BuiltIn();
  std::string out = "\nEVENT TYPES (" +
                    (store.ok() ? "of the store " + global.DbPath()
                                : std::string("of every store; register more with 'annals vocab add'")) +
                    ")\n";
  std::string vocabulary = "-";
  for (const auto& t : types.List()) {
    const std::string v = t.vocabulary.empty() ? "core types" : "vocabulary " + t.vocabulary;
    if (v != vocabulary) {
      out += "  " + v + "\n";
      vocabulary = v;
    }
    std::string fields;
    for (const auto& f : t.fields) {
      fields += (fields.empty() ? "" : ", ") + f.name + " (" + f.type +
                (f.date ? ", a date" : "") + (f.required ? ", required" : "") + ")";
    }
    out += "    " + t.name + std::string(t.name.size() < 22 ? 22 - t.name.size() : 1, ' ') +
           fields + "\n";
  }
  return out;
}

}  // namespace

void AddDocCommands(CLI::App& app, GlobalOptions* global, int* exit_code) {
  CLI::App* root = &app;
  auto topic = std::make_shared<std::string>();
  CLI::App* help = app.add_subcommand(
      "help", "The manual: every command with its options and examples (as 'man annals')");
  help->footer("Example:\n  annals help\n  annals help timeline");
  help->add_option("command", *topic, "Only this command");
  help->callback([root, topic, global, exit_code] {
    const Manual m = Collect(*root);
    if (topic->empty()) {
      Print(ManualText(m));
      return;
    }
    const CommandDoc* c = FindCommand(m, *topic);
    if (c == nullptr) {
      std::fprintf(stderr, "annals: unknown command '%s'\nRun 'annals help' for the list.\n",
                   topic->c_str());
      *exit_code = 2;
      return;
    }
    Print(CommandText(*c));
    if (c->name == "append") Print(EventTypesText(*global));
  });

  auto shell = std::make_shared<std::string>();
  CLI::App* completion = app.add_subcommand(
      "completion", "Print a shell completion script (bash or zsh)");
  completion->footer(
      "Example:\n  annals completion bash > ~/.local/share/bash-completion/completions/annals\n"
      "  source <(annals completion bash)\n"
      "  annals completion zsh > ~/.zfunc/_annals   # with fpath+=(~/.zfunc)");
  completion->add_option("shell", *shell, "The shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([root, shell] {
    const Manual m = Collect(*root);
    Print(*shell == "bash" ? BashCompletion(m) : ZshCompletion(m));
  });

  // Hidden: the build generates the installed man page with it.
  CLI::App* man = app.add_subcommand("man", "Print the manual as a troff man page");
  man->group("");
  man->callback([root] { Print(ManualRoff(Collect(*root))); });
}

}  // namespace cli
}  // namespace annals
