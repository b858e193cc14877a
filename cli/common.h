// Copyright annals authors.
//
// Shared pieces of the annals CLI: global options, opening the store, the one table
// from Status codes to exit codes, and output helpers.  The CLI parses arguments and
// prints; all storage and query logic lives in the store library (annals/*.h).

#ifndef ANNALS_CLI_COMMON_H_
#define ANNALS_CLI_COMMON_H_

#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "annals/status.h"
#include "annals/store.h"
#include "annals/text.h"

namespace annals {
namespace cli {

enum class Format { kText, kJson };

struct GlobalOptions {
  std::string db;            // --db; empty: $ANNALS_DB, else ./annals.db
  std::string format = "text";  // --format text|json (per command)
  bool quiet = false;        // --quiet: no confirmations on stdout for write commands
  bool no_sync = false;      // --no-sync: do not fsync (benchmarks, bulk loads you can redo)
  double wait_seconds = 10;  // --wait: how long to wait for a store another command holds
  std::string server;        // --server ADDR; empty: $ANNALS_SERVER, else the store's own
  std::string token_file;    // --token-file F: a TCP server's token (client and `serve`)

  Format fmt() const { return format == "json" ? Format::kJson : Format::kText; }
  std::string DbPath() const;
};

// Exit codes of SPEC §4, one table for the whole CLI.
int ExitCode(const Status& status);

// Text output: every string that comes from the store or the user goes through
// Printable (annals/text.h) before it is printed, and JSON output through JsonQuote (or the
// library's ToJson), so neither can carry terminal controls or raw line breaks.

// Prints "annals: <message>" (Printable) to stderr and returns the exit code for `status`.
int Fail(const Status& status);

// What a command does with the store, which decides how it opens it (Options::Access).
enum class Use {
  kWrite,  // append, import, restore: alone, creating the store if missing
  kRead,   // reads only: shared with other readers, and works on a read-only store
  kQuery,  // reads, keeping checkpoints (state, diff, timeline): alone where the store can
           // be written, else as kRead
};

// Opens the store for `use`, waiting up to --wait seconds for other commands that hold it;
// while it waits, says who they are on stderr when that is a terminal (not with --quiet).
// Through a server (SPEC §8) when one is named (--server, $ANNALS_SERVER) or holds the
// store: then `use` does not matter, the server holds the store for every client.
Result<std::unique_ptr<Store>> OpenStore(const GlobalOptions& global, Use use);

// Runs a command that reads the store and prints: opens it for `use`, lets `body` print
// its results to the given stream, gives the store up, and only then copies the results
// to stdout.  So a slow reader of the output (a pager, a stalled pipe) never keeps a writer
// out: the results are held in memory up to 8 MiB, beyond that in an unlinked temporary
// file in $TMPDIR (or /tmp); when stdout is a regular file they go straight to it.  A
// non-ok Status from `body` is reported (Fail) after its results are written.
int RunRead(const GlobalOptions& global, Use use,
            const std::function<Status(Store& store, std::FILE* out)>& body);

// "1 event", "2 events": `count` and `noun`, with an "s" unless count is 1.
std::string Count(uint64_t count, const std::string& noun);

// Makes every option of `app` and its subcommands that takes a value refuse an empty one
// (exit 2), so that `--id ''` or `--db ''` never falls back to a default silently.  Call
// after every option is defined.
void RefuseEmptyValues(CLI::App* app);

// Validates a seq, version or count flag before CLI11 converts it: decimal digits only,
// at most 2^53 (CLI11 would wrap "-1" and huge values to 2^64-1).
CLI::Validator WholeNumber();

// Validates a number of seconds (--wait): a finite decimal number from 0 to 10^9.
CLI::Validator Seconds();

// Adds `--format text|json` to a subcommand.
void AddFormatOption(CLI::App* sub, GlobalOptions* global);

// ---- terminal output ----
// Colours are used only when `stream` is a terminal, $NO_COLOR is unset or empty, and
// $TERM is not "dumb"; $CLICOLOR_FORCE (non-empty, not "0") forces them on a pipe, unless
// NO_COLOR is set (https://no-color.org).
enum class Style { kBold, kDim, kRed, kGreen, kYellow, kCyan };
bool ColourEnabled(std::FILE* stream);
// `text` wrapped in the ANSI codes of `style` when colours are enabled for `stream`.
std::string Paint(std::string_view text, Style style, std::FILE* stream = stdout);

// Progress of a long command on stderr ("import: 20000 lines"), only when stderr is a
// terminal and --quiet is not given.  The line is rewritten in place and cleared when the
// Progress is destroyed, so that it never mixes with results or diagnostics.
class Progress {
 public:
  Progress(const GlobalOptions& global, std::string what, std::string unit,
           uint64_t every = 5000);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  // Reports `count` items done (shown when it crosses a multiple of `every`).
  void Update(uint64_t count);
  // Ends the progress line now (before printing results).
  void Done();

 private:
  bool enabled_;
  bool shown_ = false;
  std::string what_, unit_;
  uint64_t every_;
};

// Registration of the commands, one function per source file.  Each subcommand's
// callback stores its exit code in *exit_code.
void AddWriteCommands(CLI::App& app, GlobalOptions* global, int* exit_code);  // write.cc
void AddReadCommands(CLI::App& app, GlobalOptions* global, int* exit_code);   // read.cc
void AddQueryCommands(CLI::App& app, GlobalOptions* global, int* exit_code);  // query.cc
void AddTimelineCommand(CLI::App& app, GlobalOptions* global, int* exit_code);  // timeline.cc
void AddVocabCommands(CLI::App& app, GlobalOptions* global, int* exit_code);    // vocab.cc
void AddServeCommand(CLI::App& app, GlobalOptions* global, int* exit_code);     // serve.cc
// help, completion and the hidden man: generated from the commands registered before, so
// this is registered last.
void AddDocCommands(CLI::App& app, GlobalOptions* global, int* exit_code);  // docs.cc

}  // namespace cli
}  // namespace annals

#endif  // ANNALS_CLI_COMMON_H_
