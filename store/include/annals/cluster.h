// Copyright annals authors.
//
// Cluster (SPEC §9): one store on several machines.  `annals serve --cluster URLS --node
// NAME` makes a server one node of a cluster whose log of record is a replicated NATS
// JetStream stream of append requests.  Every node applies that log, in order, into its
// own store with the store's ordinary validation, so every node has the same seq,
// recorded_at and hash for every event; reads are answered from the local store; an
// append is answered once this node has applied it and fsync'd its store.
//
//   annals::ClusterOptions cluster;
//   cluster.urls = "nats://127.0.0.1:4222,nats://127.0.0.1:4223,nats://127.0.0.1:4224";
//   cluster.node = "n1";
//   auto server = annals::OpenClusterServer("n1.db", serve_options, cluster);
//   (*server)->Run();
//
// This part of annals is the library annals::cluster (it links the NATS C client); the
// `annals` binary is its user.

#ifndef ANNALS_CLUSTER_H_
#define ANNALS_CLUSTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "annals/server.h"
#include "annals/status.h"
#include "annals/store.h"

namespace annals {

struct ClusterOptions {
  // The NATS servers, comma-separated ("nats://h1:4222,nats://h2:4222").  Required.
  std::string urls;
  // This node's name, unique in the cluster ([A-Za-z0-9_-], 1-64 bytes).  Required: it
  // names the node in messages and in the request ids it publishes.
  std::string node;
  // The JetStream stream that is the log of record (created by the first node if missing,
  // file storage, replicas below).  Default "ANNALS"; its subject is "<stream>.append".
  std::string stream = "ANNALS";
  // Replicas of a stream this node creates: 0 (the default) means the number of URLs given,
  // at most 3.  An existing stream is used as it is.
  int replicas = 0;
  // How long an append waits for the log (publishing, while a NATS leader is elected)
  // and then for this node to apply it, in milliseconds, before failing with Unavailable
  // ("outcome unknown: retry with the same ids").  Default 30 s.
  int64_t append_timeout_millis = 30000;
};

// A server (annals/server.h) that is one node of a cluster.  Errors: those of
// Server::Open, and InvalidArgument for missing or malformed cluster options.  Run()
// fails with Unavailable if the NATS servers cannot be reached at start.
Result<std::unique_ptr<Server>> OpenClusterServer(const std::string& path,
                                                  const ServeOptions& options,
                                                  const ClusterOptions& cluster);

// ---- comparing nodes (annals verify --peers) ----

struct PeerHead {
  std::string name;       // as the caller named it (an address)
  uint64_t seq = 0;       // its last seq
  std::string hash;       // the hash of that event (hex); empty for an empty store
};

struct PeerComparison {
  std::vector<PeerHead> heads;
  // 0 if the nodes agree on every seq that they all hold; else the first seq at which two
  // of them hold different events (different hashes).
  uint64_t first_divergence = 0;
  std::string problem;    // names the divergence (seq, the nodes and their hashes)
  bool ok() const { return first_divergence == 0; }
  std::string ToJson() const;
};

// Compares the stores' heads and finds the first seq they disagree on (a binary search
// over the hash chain: a hash covers every event before it).  A node behind the others
// (a shorter log that agrees) is not a divergence.  Errors: a store's read errors.
Result<PeerComparison> ComparePeers(const std::vector<std::pair<std::string, Store*>>& peers);

}  // namespace annals

#endif  // ANNALS_CLUSTER_H_
