// Copyright annals authors.
//
// A cluster node as the server sees it: an annals::Store whose reads go to the node's own
// store and whose writes go through the cluster's log (ClusterNode), and
// OpenClusterServer, which puts the two behind `annals serve`.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "annals/cluster.h"
#include "cluster/jetstream.h"
#include "cluster/node.h"
#include "server/open.h"

namespace annals {
namespace internal {

namespace {

class ClusterStore final : public Store {
 public:
  ClusterStore(StoreImpl& store, ClusterNode& node) : store_(store), node_(node) {}

  Result<std::vector<AppendResult>> Append(std::vector<NewEvent> events,
                                           const AppendOptions& options) override {
    std::vector<StoreImpl::GroupAppend> group(1);
    group[0].events = std::move(events);
    group[0].options = options;
    node_.AppendGroup(&group);
    return std::move(*group[0].result);
  }

  // One atomic append of every event: in one log message if they fit, else staged in
  // chunks of about half a message each and committed by a last message, so that an import
  // never half-appears (docs/DECISIONS.md).  The whole input is held in memory.
  Result<ImportSummary> Import(const ImportSource& next) override {
    const size_t budget = node_.MaxRequestBytes() / 2;
    std::vector<StoreImpl::GroupAppend> chunks(1);
    size_t bytes = 0, events = 0;
    while (true) {
      std::optional<NewEvent> event;
      std::string label;
      ANNALS_RETURN_IF_ERROR(next(&event, &label));
      if (!event) break;
      const size_t size = event->rep().reader().totalSize().wordCount * sizeof(capnp::word) +
                          label.size() + 64;
      if (bytes + size > budget && !chunks.back().events.empty()) {
        chunks.emplace_back();
        bytes = 0;
      }
      bytes += size;
      ++events;
      chunks.back().events.push_back(std::move(*event));
      chunks.back().options.labels.push_back(std::move(label));
    }
    if (events == 0) return Status::InvalidArgument("nothing to import");
    Result<std::vector<AppendResult>> results = Status::OK();
    if (chunks.size() == 1) {
      node_.AppendGroup(&chunks);
      results = std::move(*chunks[0].result);
    } else {
      results = node_.AppendStaged(&chunks);
    }
    if (!results.ok()) return results.status();
    ImportSummary summary;
    for (const AppendResult& r : *results) {
      if (r.existed) {
        ++summary.existed;
        continue;
      }
      ++summary.added;
      if (summary.first_seq == 0) summary.first_seq = r.seq;
      summary.last_seq = r.seq;
    }
    return summary;
  }

  Status Restore(const std::function<bool(std::string* line)>&) override {
    return Status::InvalidArgument(
        "restore is not possible through a cluster node: a cluster's events come from its "
        "log.  Restore into a plain store, or import the events (they get new seqs)");
  }

  Result<VocabularyInfo> RegisterVocabulary(const std::string& source,
                                            const std::string& file_name) override {
    return node_.Register(source, file_name);
  }

  Result<std::vector<VocabularyInfo>> ListVocabularies() override {
    return store_.ListVocabularies();
  }
  Result<VocabularyInfo> GetVocabulary(const std::string& name, uint32_t version) override {
    return store_.GetVocabulary(name, version);
  }
  EventTypes Types() override { return store_.Types(); }
  Result<Event> GetBySeq(uint64_t seq) override { return store_.GetBySeq(seq); }
  Result<Event> GetById(std::string_view id) override { return store_.GetById(id); }
  Status ScanLog(const LogRange& range, const Visitor<Event>& visit) override {
    return store_.ScanLog(range, visit);
  }
  using Store::Follow;
  Status Follow(const LogRange& range, const Visitor<Event>& visit,
                const FollowOptions& options) override {
    return store_.Follow(range, visit, options);
  }
  Result<std::vector<StreamInfo>> ListStreams() override { return store_.ListStreams(); }
  Result<StreamInfo> GetStream(std::string_view stream) override {
    return store_.GetStream(stream);
  }
  using Store::Verify;
  Result<VerifyReport> Verify(const VerifyOptions& options) override {
    return store_.Verify(options);
  }
  Result<State> GetState(const TimeQuery& query) override { return store_.GetState(query); }
  Status History(const TimeQuery& query, const Visitor<HistoryEntry>& visit) override {
    return store_.History(query, visit);
  }
  Result<DiffResult> Diff(const std::string& stream, const std::string& from,
                          const std::string& to, const std::string& known_at) override {
    return store_.Diff(stream, from, to, known_at);
  }
  Status Replay(const LogRange& range, const Visitor<ReplayEntry>& visit) override {
    return store_.Replay(range, visit);
  }

 private:
  StoreImpl& store_;
  ClusterNode& node_;
};

class ClusterBackend final : public BackendOwner {
 public:
  ClusterBackend(std::unique_ptr<ClusterNode> node, StoreImpl& store)
      : node_(std::move(node)), store_(store, *node_) {}
  ServerBackend backend() override {
    ServerBackend b;
    b.store = &store_;
    ClusterNode* node = node_.get();
    b.append_group = [node](std::vector<StoreImpl::GroupAppend>* group) {
      node->AppendGroup(group);
    };
    b.applied_head = [node] { return node->LastSeq(); };
    return b;
  }

 private:
  std::unique_ptr<ClusterNode> node_;
  ClusterStore store_;
};

bool ValidNodeName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

}  // namespace internal

Result<std::unique_ptr<Server>> OpenClusterServer(const std::string& path,
                                                  const ServeOptions& options,
                                                  const ClusterOptions& cluster) {
  if (cluster.urls.empty()) {
    return Status::InvalidArgument("--cluster needs the NATS servers' URLs");
  }
  if (!internal::ValidNodeName(cluster.node)) {
    return Status::InvalidArgument("--node needs a name of 1-64 letters, digits, '-' or '_' "
                                   "(unique in the cluster)");
  }
  if (cluster.stream.empty()) return Status::InvalidArgument("the cluster's stream needs a name");
  auto log = options.log;
  auto make = [cluster, log](internal::StoreImpl& store)
      -> Result<std::unique_ptr<internal::BackendOwner>> {
    auto js = internal::JetStream::Connect(cluster.urls, "annals " + cluster.node);
    if (!js.ok()) return js.status();
    int replicas = cluster.replicas;
    if (replicas <= 0) {
      replicas = 1 + static_cast<int>(std::count(cluster.urls.begin(), cluster.urls.end(), ','));
      replicas = std::min(replicas, 3);
    }
    // A JetStream cluster that has just started needs a few seconds to elect its meta
    // leader before a stream can be made or read: wait for it, a while.
    Status ready;
    for (int attempt = 0; attempt < 60; ++attempt) {
      ready = (*js)->EnsureStream(cluster.stream, cluster.stream + ".append", replicas);
      if (ready.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ANNALS_RETURN_IF_ERROR(ready);
    auto node = std::make_unique<internal::ClusterNode>(store, cluster, std::move(js).value(), log);
    ANNALS_RETURN_IF_ERROR(node->Start());
    if (log) log("cluster node '" + cluster.node + "' applies the log '" + cluster.stream + "'");
    return std::unique_ptr<internal::BackendOwner>(
        new internal::ClusterBackend(std::move(node), store));
  };
  return internal::OpenServer(path, options, make);
}

}  // namespace annals
