// Copyright annals authors.
//
// annals: the command-line interface.  Argument parsing and printing only; the work is
// done by the store library.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "common.h"

int main(int argc, char** argv) {
  using annals::cli::GlobalOptions;
  CLI::App app{
      "annals: a bitemporal timeline store.\n"
      "Record dated real-world events, ask what was true at any date and what was known at "
      "any moment, and audit who recorded what.",
      "annals"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  int exit_code = 0;
  app.add_option("--db", global.db,
                 "Store directory (default: $ANNALS_DB, else ./annals.db)");
  app.add_flag("--quiet,-q", global.quiet,
               "Print only requested data: no confirmations from append, import, restore and "
               "timeline, no 'ok' line from verify, no progress");
  app.add_flag("--no-sync", global.no_sync,
               "Do not fsync appends (faster; a power loss may drop the latest appends)");
  app.add_option("--wait", global.wait_seconds,
                 "How long to wait for a store that another command is using, in seconds "
                 "(default: 10); then exit 5, naming that command's pid and command line")
      ->check(annals::cli::Seconds());
  app.add_option("--server", global.server,
                 "Reach the store through the annals server at ADDR (unix:PATH or HOST:PORT; "
                 "default: $ANNALS_SERVER, else the server that holds the store, if any)");
  app.add_option("--token-file", global.token_file,
                 "File whose first line is the token of a TCP server (default: "
                 "$ANNALS_TOKEN); for 'serve', the token clients must give");
  app.set_version_flag("--version", std::string("annals ") + ANNALS_VERSION);
  app.footer("Exit codes: 0 ok, 1 not found, 2 invalid input or usage, 3 conflict, "
             "4 verification failed, 5 store unavailable.\n"
             "Run 'annals COMMAND --help' for a command's options and an example, "
             "'annals help' for the manual.");

  annals::cli::AddWriteCommands(app, &global, &exit_code);
  annals::cli::AddReadCommands(app, &global, &exit_code);
  annals::cli::AddQueryCommands(app, &global, &exit_code);
  annals::cli::AddTimelineCommand(app, &global, &exit_code);
  annals::cli::AddVocabCommands(app, &global, &exit_code);
  annals::cli::AddServeCommand(app, &global, &exit_code);
  annals::cli::AddDocCommands(app, &global, &exit_code);  // last: documents the commands above
  annals::cli::RefuseEmptyValues(&app);  // every option defined above

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A mistyped command reads better as such than as "a subcommand is required".
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--db" || arg == "--wait" || arg == "--server" || arg == "--token-file") {
        ++i;
        continue;
      }
      if (arg.empty() || arg[0] == '-') continue;
      bool known = false;
      for (const auto* sub : app.get_subcommands({})) known |= sub->get_name() == arg;
      if (!known) {
        std::fprintf(stderr, "annals: unknown command '%s'\nRun 'annals --help' for the list.\n",
                     arg.c_str());
        return 2;
      }
      break;
    }
    std::fprintf(stderr, "annals: %s\nRun 'annals --help' for usage.\n", e.what());
    return 2;
  }
  std::fflush(stdout);
  if (std::ferror(stdout)) {
    std::fprintf(stderr, "annals: cannot write to standard output\n");
    return exit_code ? exit_code : 5;
  }
  return exit_code;
}
