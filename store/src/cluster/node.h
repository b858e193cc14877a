// Copyright annals authors.
//
// ClusterNode: one node of a cluster (SPEC §9, annals/cluster.h).  Two halves:
//
// PUBLISHING (node.cc).  An append that reaches this node (from its clients, through the
// server's group commit) is published to the log as a Request (schema/cluster.capnp):
// the appends gathered meanwhile share one message; each has a request id
// (node-boot-counter) and every event an id (a UUIDv7 chosen here when the client gave
// none), so that nothing is left for the appliers to choose.  The message's Nats-Msg-Id is
// its first request id, so a publish retried after a timeout is stored once within
// JetStream's dedupe window.  The node then waits until ITS OWN applier has applied the
// message's sequence and fsync'd the store, and answers with the outcome the applier
// recorded for each request id.
//
// APPLYING (applier.cc).  One thread reads the log by sequence, from the one after the
// applied position recorded in the store, and applies every message in order through
// StoreImpl::ApplyReplicated: the store's ordinary validation, recorded_at from the
// message's timestamp, and in the SAME batch the new applied position (sequence and the
// SHA-256 of the payload) and one outcome record per request id.  A request id already
// recorded (a copy stored beyond the dedupe window) is not applied again.  After a run of
// messages the store is fsync'd once, and then the waiting appends are woken.
//
// DIVERGENCE.  Before it applies anything, after any trouble reading the log, and every
// second, the applier checks that the log still holds, at the applied position, the message
// it applied (same SHA-256), and is not shorter.  If not, three checks in a row
// (JetStream lost acknowledged writes, or the stream was recreated), it stops applying for
// good: reads are still served, appends fail with Corruption naming the problem, and the
// server's log says so.
//
// Thread-safety: AppendGroup may be called from many threads at once.

#ifndef ANNALS_STORE_SRC_CLUSTER_NODE_H_
#define ANNALS_STORE_SRC_CLUSTER_NODE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "annals/cluster.h"
#include "cluster/jetstream.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

class ClusterNode {
 public:
  // `log` gets lines for the operator (may be empty).
  ClusterNode(StoreImpl& store, ClusterOptions options, std::unique_ptr<JetStream> js,
              std::function<void(const std::string&)> log);
  ~ClusterNode();  // stops the applier
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Reads the applied position, checks it against the log and starts the applier.
  // Errors: Unavailable/Corruption reading the store.  A divergence found here is not an
  // error: the node then serves reads only.
  Status Start();

  // Publishes each append and answers it once applied here (see the top).  Results as
  // StoreImpl::AppendGroup's, and Unavailable when the log cannot be reached within the
  // append timeout ("outcome unknown": the append may still be applied later; retrying it
  // with the same event ids is safe), Corruption once the node has diverged.
  void AppendGroup(std::vector<StoreImpl::GroupAppend>* appends);

  // Appends the events of every chunk (each fitting in one message) as ONE atomic append:
  // each chunk is staged by a message of its own, and a last message commits them (node.h
  // top, schema/cluster.capnp).  Errors as AppendGroup's; a failure leaves nothing visible.
  Result<std::vector<AppendResult>> AppendStaged(std::vector<StoreImpl::GroupAppend>* chunks);

  // Registers a vocabulary through the log (Store::RegisterVocabulary's contract), alone in
  // its message; errors as AppendGroup's.
  Result<VocabularyInfo> Register(const std::string& source, const std::string& file_name);

  // The largest request payload this node publishes, in bytes.
  size_t MaxRequestBytes() const { return max_request_bytes_; }

  // The last seq of the store (what the applier has written).
  uint64_t LastSeq() { return store_.LastSeq(); }

 private:
  // ---- publishing (node.cc) ----
  std::string NextRequestId();
  std::string NewEventId();
  // Publishes `payload`, retrying while the log is unavailable, until `deadline`.
  Result<uint64_t> PublishUntil(const std::string& msg_id, const std::string& payload,
                                std::chrono::steady_clock::time_point deadline);
  // Waits until the applier has applied and synced `seq`.
  Status WaitApplied(uint64_t seq, std::chrono::steady_clock::time_point deadline);
  // The outcome the applier recorded for `request_id`.
  Result<std::vector<AppendResult>> ReadOutcome(const std::string& request_id);

  // ---- applying (applier.cc) ----
  void RunApplier();
  // "" if the log holds, at the applied position, the message applied there; else what is
  // wrong.  Errors: the log cannot be read now.
  Result<std::string> LogProblem();
  // Applies one message (not synced).  An error means nothing of it was written.
  Status ApplyMessage(const LogMessage& message);
  void Diverge(const std::string& problem);
  Status DivergedStatus();

  StoreImpl& store_;
  const ClusterOptions options_;
  const std::string subject_;
  std::unique_ptr<JetStream> js_;
  // Rung by the log (a message was published) and by this node's publishers: the applier
  // looks at the log now rather than at its next poll.
  std::shared_ptr<Doorbell> doorbell_ = std::make_shared<Doorbell>();
  std::function<void(const std::string&)> log_;
  size_t max_request_bytes_ = 0;

  std::mutex id_mu_;
  std::mt19937_64 rng_;          // id_mu_; seeded from the OS
  std::string boot_;             // random per process: request ids never repeat across restarts
  uint64_t counter_ = 0;         // id_mu_
  int64_t last_ms_ = 0;          // id_mu_

  std::mutex mu_;
  std::condition_variable applied_cv_;  // durable_ moved, or divergence
  uint64_t durable_ = 0;         // mu_: applied and fsync'd
  uint64_t wanted_ = 0;          // mu_: highest sequence a publisher waits for
  std::string diverged_;         // mu_: empty unless the node stopped applying
  bool stop_ = false;            // mu_
  uint64_t applied_ = 0;         // applier thread: applied (maybe not yet synced)
  std::array<unsigned char, 32> applied_hash_{};  // applier thread
  std::thread applier_;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_CLUSTER_NODE_H_
