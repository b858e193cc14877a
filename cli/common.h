// Copyright annals authors.
//
// Shared pieces of the annals CLI: global options, opening the store, the one table
// from Status codes to exit codes, and output helpers.  The CLI parses arguments and
// prints; all storage and query logic lives in the store library (annals/*.h).

#ifndef ANNALS_CLI_COMMON_H_
#define ANNALS_CLI_COMMON_H_

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "annals/status.h"
#include "annals/store.h"

namespace annals {
namespace cli {

enum class Format { kText, kJson };

struct GlobalOptions {
  std::string db;            // --db; empty: $ANNALS_DB, else ./annals.db
  std::string format = "text";  // --format text|json (per command)
  bool quiet = false;        // --quiet: no confirmations on stdout for write commands
  bool no_sync = false;      // --no-sync: do not fsync (benchmarks, bulk loads you can redo)

  Format fmt() const { return format == "json" ? Format::kJson : Format::kText; }
  std::string DbPath() const;
};

// Exit codes of SPEC §4, one table for the whole CLI.
int ExitCode(const Status& status);

// Prints "annals: <message>" to stderr and returns the exit code for `status`.
int Fail(const Status& status);

// Opens the store.  `create` is true for commands that write (append, import, restore).
Result<std::unique_ptr<Store>> OpenStore(const GlobalOptions& global, bool create);

// Adds `--format text|json` to a subcommand.
void AddFormatOption(CLI::App* sub, GlobalOptions* global);

// Quotes a string as a JSON string literal.
std::string JsonString(std::string_view s);

// Registration of the commands, one function per source file.  Each subcommand's
// callback stores its exit code in *exit_code.
void AddWriteCommands(CLI::App& app, GlobalOptions* global, int* exit_code);  // write.cc
void AddReadCommands(CLI::App& app, GlobalOptions* global, int* exit_code);   // read.cc
void AddQueryCommands(CLI::App& app, GlobalOptions* global, int* exit_code);  // query.cc
void AddTimelineCommand(CLI::App& app, GlobalOptions* global, int* exit_code);  // timeline.cc

}  // namespace cli
}  // namespace annals

#endif  // ANNALS_CLI_COMMON_H_
