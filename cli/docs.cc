// Copyright annals authors.
//
// The commands that print documentation generated from the CLI11 definition (docs.h), so
// that it never drifts from the commands: `annals help [COMMAND]` (the manual as text), the
// hidden `annals man` (the same manual as a troff man page, installed as annals(1)), and
// `annals completion bash|zsh`.

#include <cstdio>
#include <memory>
#include <string>

#include "annals/event.h"
#include "common.h"
#include "docs.h"

namespace annals {
namespace cli {

using docs::CommandDoc;
using docs::Manual;

namespace {

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
    const Manual m = docs::Collect(*root);
    if (topic->empty()) {
      Print(docs::ManualText(m));
      return;
    }
    const CommandDoc* c = docs::FindCommand(m, *topic);
    if (c == nullptr) {
      std::fprintf(stderr, "annals: unknown command '%s'\nRun 'annals help' for the list.\n",
                   topic->c_str());
      *exit_code = 2;
      return;
    }
    Print(docs::CommandText(*c));
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
    const Manual m = docs::Collect(*root);
    Print(*shell == "bash" ? docs::BashCompletion(m) : docs::ZshCompletion(m));
  });

  // Hidden: the build generates the installed man page with it.
  CLI::App* man = app.add_subcommand("man", "Print the manual as a troff man page");
  man->group("");
  man->callback([root] { Print(docs::ManualRoff(docs::Collect(*root))); });
}

}  // namespace cli
}  // namespace annals
