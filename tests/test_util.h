// Copyright annals authors.
//
// Test helpers: temporary directories, ASSERT_OK, and running the real annals binary.

#ifndef ANNALS_TESTS_TEST_UTIL_H_
#define ANNALS_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "annals/event.h"
#include "annals/status.h"
#include "log/store_impl.h"

#define ASSERT_OK(expr)                                   \
  do {                                                    \
    const ::annals::Status _s = (expr);                   \
    ASSERT_TRUE(_s.ok()) << _s.ToString();                \
  } while (0)
#define EXPECT_OK(expr)                                   \
  do {                                                    \
    const ::annals::Status _s = (expr);                   \
    EXPECT_TRUE(_s.ok()) << _s.ToString();                \
  } while (0)

namespace annals {
namespace test {

// A fresh directory under $TMPDIR, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Opens (creating it if missing) the store at `path` with a clock that reads
// `*clock_micros` on every append, so that a test sets recorded_at by moving it.
Result<std::unique_ptr<internal::StoreImpl>> OpenWithClock(const std::string& path,
                                                           const int64_t* clock_micros);

// Events parsed from JSON (the import shape); a failure to parse fails the test.
std::vector<NewEvent> Events(const std::vector<std::string>& json);

// The arguments of `annals --db DB --wait WAIT append` of a note with `text` to `stream`.
std::vector<std::string> AppendNoteArgs(const std::string& db, const std::string& stream,
                                        const std::string& text, const std::string& wait);

// Seconds since `t0`.
double SecondsSince(std::chrono::steady_clock::time_point t0);

// Writes `content` to `path` (binary).
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

struct RunResult {
  int exit_code = -1;  // -1 if the process did not exit normally
  std::string out;
  std::string err;
};

// Runs the annals binary with `args` (no shell), feeding `stdin_data` on standard input.
// ANNALS_DB is removed from the environment; pass --db explicitly.
//
// With ANNALS_TEST_VIA_SERVER=1 in the environment (CTest's cli_via_server), a command on
// an existing store (--db DIR) runs through an `annals serve` that RunAnnals starts for
// that store and keeps (until the TempDir holding it is destroyed, or the test program
// ends): the CLI tests then check that a served store gives the same stdout, stderr and
// exit code as direct use.  A command on a missing store runs directly (it creates it).
RunResult RunAnnals(const std::vector<std::string>& args, const std::string& stdin_data = "");

// As RunAnnals, calling `in_child` in the forked child just before the binary starts (to
// change its user, for instance).
RunResult RunAnnalsWith(const std::function<void()>& in_child,
                        const std::vector<std::string>& args,
                        const std::string& stdin_data = "");
// True when RunAnnals goes through servers (ANNALS_TEST_VIA_SERVER).
bool ViaServer();
// Stops (SIGTERM, then waits) the servers RunAnnals started for stores under `dir`.
void StopTestServers(const std::string& dir);

// In a forked child: replaces the process with the annals binary and `args`; exits 127
// if that fails.
[[noreturn]] void ExecAnnals(const std::vector<std::string>& args);

// Starts the annals binary with `args` in the background: standard input from /dev/null,
// standard output to `out_fd` (-1: /dev/null), standard error to the file `err_path`
// ("": /dev/null).  ANNALS_DB is removed from its environment.  Returns its pid.
pid_t StartAnnals(const std::vector<std::string>& args, int out_fd = -1,
                  const std::string& err_path = "");
// Waits for `pid` to end; its exit code, or -1 if it did not exit normally.
int WaitExit(pid_t pid);
// True if `pid` (a child of this process) has not ended yet.
bool StillRunning(pid_t pid);

// True if ANNALS_LONG_TESTS is set (and not "0"): the crash, kill and tamper tests then
// run their exhaustive variants.
bool LongTests();

// The order of diff paths, read plainly from its contract: split on '.', compare segment
// by segment (numbers by value when both are numbers), a path before its extensions.
// A reference for internal::PathLess.
bool ReferencePathLess(const std::string& a, const std::string& b);

// Splits text into lines (without the "\n"); a final empty line is dropped.
std::vector<std::string> Lines(const std::string& text);

// The sample timeline shipped in examples/.
std::string SampleTimelinePath();

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_TEST_UTIL_H_
