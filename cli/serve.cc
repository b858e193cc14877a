// Copyright annals authors.
//
// `annals serve` (SPEC §8): owns the store and serves it to many clients over Cap'n Proto
// RPC (annals/server.h), on the store's Unix socket and any --listen addresses, until
// SIGTERM or SIGINT.  Parsing and printing only.

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "annals/cluster.h"
#include "annals/server.h"
#include "annals/text.h"
#include "common.h"

namespace annals {
namespace cli {

namespace {

int RunServe(const GlobalOptions& global, const std::vector<std::string>& listen,
             const ClusterOptions& cluster) {
  ServeOptions options;
  options.listen = listen;
  options.token_file = global.token_file;
  options.store.create_if_missing = true;
  options.store.sync = !global.no_sync;
  // As any writer, it waits up to --wait for the commands that hold the store.
  options.store.wait_micros = static_cast<int64_t>(global.wait_seconds * 1e6);
  options.handle_signals = true;
  const bool quiet = global.quiet;
  options.log = [quiet](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "annals serve: %s\n", line.c_str());
  };
  const std::string path = global.DbPath();
  const bool clustered = !cluster.urls.empty() || !cluster.node.empty();
  auto server = clustered ? OpenClusterServer(path, options, cluster) : Server::Open(path, options);
  if (!server.ok()) return Fail(server.status());
  const bool json = global.fmt() == Format::kJson;
  Status s = (*server)->Run([&](const std::vector<std::string>& addresses) {
    // The addresses are the result (a port chosen by the system among them), on stdout.
    if (json) {
      std::string list;
      for (const auto& a : addresses) list += (list.empty() ? "" : ",") + JsonQuote(a);
      std::printf("{\"store\":%s,\"pid\":%d,\"addresses\":[%s]}\n", JsonQuote(path).c_str(),
                  static_cast<int>(::getpid()), list.c_str());
    } else if (!quiet) {
      for (const auto& a : addresses) {
        std::printf("serving %s on %s\n", Printable(path).c_str(), Printable(a).c_str());
      }
    }
    std::fflush(stdout);
    if (!quiet) {
      std::fprintf(stderr, "annals serve: pid %d; stop with Ctrl-C or SIGTERM\n",
                   static_cast<int>(::getpid()));
    }
  });
  return s.ok() ? 0 : Fail(s);
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions* global, int* exit_code) {
  auto listen = std::make_shared<std::vector<std::string>>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve the store to many clients: every command on it then runs through the "
               "server, and 'log --follow' works");
  serve->footer(
      "The store's own Unix socket (DIR/serve/socket, yours alone) is always served.\n"
      "TCP needs --token-file (a private file); it listens on loopback unless given a host.\n"
      "Clients find the server through the store (--db), or by --server or $ANNALS_SERVER.\n"
      "SIGTERM or Ctrl-C stops it: writes in flight finish, followers are told.\n"
      "Example:\n  annals --db team.db serve &\n"
      "  annals --db team.db log --follow\n"
      "  annals --db team.db serve --listen 127.0.0.1:7070 --token-file ~/.annals-token\n"
      "  ANNALS_TOKEN=$(cat ~/.annals-token) annals --server 127.0.0.1:7070 state --stream s\n"
      "  annals --db n1.db serve --cluster nats://h1:4222,nats://h2:4222 --node n1\n"
      "A cluster node answers reads from its own store and appends once it has applied them\n"
      "from the cluster's log (README, 'Cluster'); scripts/cluster starts one locally.");
  auto cluster = std::make_shared<ClusterOptions>();
  serve->add_option("--cluster", cluster->urls,
                    "Be one node of a cluster whose log is the NATS JetStream at these URLs "
                    "(nats://HOST:PORT,...; SPEC 9); needs --node");
  serve->add_option("--node", cluster->node, "This cluster node's name (unique in the cluster)");
  serve->add_option("--listen", *listen,
                    "Also listen on ADDR: unix:PATH, HOST:PORT or PORT (loopback; 0: any free "
                    "port); TCP needs --token-file");
  AddFormatOption(serve, global);
  serve->callback([global, exit_code, listen, cluster] {
    *exit_code = RunServe(*global, *listen, *cluster);
  });
}

}  // namespace cli
}  // namespace annals
