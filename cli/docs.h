// Copyright annals authors.
//
// Documentation generated from the CLI11 definition (docs.cc adds the commands that print
// it).  Every form walks the same model, collected from the command tree:
//   docs_model.cc       the model: global options, every visible subcommand with its
//                       description, options (value placeholders, choices of CLI::IsMember
//                       checks, required or repeatable) and footer (its examples), and the
//                       fixed parts of the manual (environment, exit status)
//   docs_help.cc        the manual as text (`annals help [COMMAND]`)
//   docs_man.cc         the manual as a troff man page (`annals man`, installed as annals(1))
//   docs_completion.cc  the bash and zsh completion scripts (`annals completion bash|zsh`)

#ifndef ANNALS_CLI_DOCS_H_
#define ANNALS_CLI_DOCS_H_

#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

namespace annals {
namespace cli {
namespace docs {

struct OptionDoc {
  std::vector<std::string> names;  // "-q", "--quiet"; empty for positionals
  std::string value;               // placeholder ("STREAM", "FILE"); empty for flags
  std::vector<std::string> choices;
  std::string description;
  bool required = false;
  bool positional = false;
  bool repeatable = false;

  // "--stream STREAM", "-q, --quiet", "FILE".
  std::string Flags() const;
  // The synopsis form: "--stream STREAM", "[--as-of DATE]", "[--set KEY=VALUE]...".
  std::string Usage() const;
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

// ---- the model (docs_model.cc) ----

// The manual of `app`: its global options (not --help-all) and its visible subcommands
// (those in a group), in definition order.
Manual Collect(CLI::App& app);
// The command named `name`, or nullptr.  Points into `m`.
const CommandDoc* FindCommand(const Manual& m, const std::string& name);
// "annals [GLOBAL OPTIONS] append --stream STREAM ... [--as-of DATE]": required options
// first, in definition order, then the optional ones.
std::string Synopsis(const CommandDoc& c);
std::string Upper(std::string s);

// Fixed parts of the manual, shared by the text and troff forms.
inline constexpr char kSummary[] = "a bitemporal timeline store";
const std::vector<std::pair<std::string, std::string>>& Environment();  // variable, meaning
const std::vector<std::pair<std::string, std::string>>& ExitStatus();   // code, meaning

// ---- the forms ----

std::string ManualText(const Manual& m);         // docs_help.cc: the whole manual
std::string CommandText(const CommandDoc& c);    // docs_help.cc: one command
std::string ManualRoff(const Manual& m);         // docs_man.cc
std::string BashCompletion(const Manual& m);     // docs_completion.cc
std::string ZshCompletion(const Manual& m);      // docs_completion.cc

}  // namespace docs
}  // namespace cli
}  // namespace annals

#endif  // ANNALS_CLI_DOCS_H_
