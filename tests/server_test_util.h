// Copyright annals authors.
//
// Helpers for the server tests: a server on a thread of the test program, and `annals
// serve` as a child process.

#ifndef ANNALS_TESTS_SERVER_TEST_UTIL_H_
#define ANNALS_TESTS_SERVER_TEST_UTIL_H_

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "annals/server.h"
#include "annals/store.h"

namespace annals {
namespace test {

// A server for one store, run by a thread of this process until destroyed.
class ServedStore {
 public:
  // Opens (creating it if missing) and serves the store at `path`; returns once it listens.
  static std::unique_ptr<ServedStore> Start(const std::string& path, ServeOptions options = {});
  ~ServedStore();  // stops the server gracefully and waits for it
  ServedStore(const ServedStore&) = delete;
  ServedStore& operator=(const ServedStore&) = delete;

  Server& server() { return *server_; }
  const std::vector<std::string>& addresses() const { return addresses_; }
  // A new client connection to it (through the store's record).
  std::unique_ptr<Store> Connect();
  // Stops it now (as the destructor does); returns what Run returned.
  Status Stop();

 private:
  ServedStore() = default;
  std::string path_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::vector<std::string> addresses_;
  Status run_status_;
  bool stopped_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  bool ready_ = false;  // mu_
};

// `annals serve` (with `args` after "serve", --format json) as a child process.
class ServeProcess {
 public:
  // Starts it and waits for the line naming its addresses (or for it to exit).
  ServeProcess(const std::string& db, const std::vector<std::string>& args = {},
               const std::vector<std::string>& global = {});
  ~ServeProcess();  // SIGKILL if still running
  pid_t pid() const { return pid_; }
  bool started() const { return !addresses_.empty(); }
  const std::vector<std::string>& addresses() const { return addresses_; }
  // The TCP address it listens on ("127.0.0.1:PORT"), or "".
  std::string tcp() const;
  // Sends `signal` and waits: the exit code (128 + signal if killed by one).
  int Signal(int signal);
  // Its exit code if it has exited (after start failed); waits for it.
  int Wait();
  // What it wrote to stderr (after it exited).
  std::string err();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string err_path_;
  std::vector<std::string> addresses_;
  int exit_code_ = -1;
};

// Polls `condition` every 5 ms for up to `seconds`; true once it holds.
bool Eventually(const std::function<bool()>& condition, double seconds = 10);

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_SERVER_TEST_UTIL_H_
