// Copyright annals authors.
//
// Helpers for the cluster tests: real nats-server processes clustered with JetStream on
// free loopback ports in a temporary directory, and `annals serve --cluster` nodes.

#ifndef ANNALS_TESTS_CLUSTER_TEST_UTIL_H_
#define ANNALS_TESTS_CLUSTER_TEST_UTIL_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "annals/store.h"
#include "server_test_util.h"
#include "test_util.h"

namespace annals {
namespace test {

// The nats-server binary, or "" if it is not installed.
std::string NatsServerPath();

// Three nats-server processes forming one JetStream cluster, in `dir`.
class NatsCluster {
 public:
  explicit NatsCluster(const std::string& dir, int size = 3);
  ~NatsCluster();  // SIGKILLs what still runs
  // "nats://127.0.0.1:P1,..."
  std::string urls() const;
  void Start(int i);   // (re)starts server i with its data
  void Kill9(int i);
  // Until JetStream answers and the stream `stream` exists (made with `replicas`):
  // false after `seconds`.
  bool WaitReady(const std::string& stream, int replicas, double seconds);

 private:
  std::string dir_;
  std::vector<int> client_ports_, route_ports_;
  std::vector<pid_t> pids_;
};

// One annals node: `annals serve --cluster ... --node NAME --listen 127.0.0.1:0`.
class ClusterNodeProcess {
 public:
  ClusterNodeProcess(const std::string& db, const std::string& urls, const std::string& name,
                     const std::string& token_file);
  void Start();          // (re)starts it; the test fails if it does not come up
  void Kill9();
  void Stop();           // SIGTERM
  const std::string& address() const { return address_; }
  const std::string& db() const { return db_; }
  // A new client connection to it (the test fails on error).
  std::unique_ptr<Store> Connect() const;

 private:
  std::string db_, urls_, name_, token_file_, token_;
  std::string address_;
  std::unique_ptr<ServeProcess> process_;
};

// A free TCP port on 127.0.0.1 (free when asked).
int FreePort();

// The last seq of `store` (0 on error).
uint64_t HeadOf(Store& store);

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_CLUSTER_TEST_UTIL_H_
