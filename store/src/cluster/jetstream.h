// Copyright annals authors.
//
// The cluster's log of record on NATS JetStream (nats.c 3.4.1, nats-server 2.9.10): a
// connection, the stream, publishing with a dedupe id, and reading a message by its
// sequence.  Owns every NATS object it creates; errors through FromNats.
//
// Reading is by sequence (js_GetMsg), not through a consumer: the applier asks for
// exactly the message after the one it applied, so a leader change, a reconnect or a
// restart needs no consumer state to be mended, and a gap or a rewritten log shows.
//
// Thread-safety: the NATS client is thread-safe; every method may be called from any
// thread.

#ifndef ANNALS_STORE_SRC_CLUSTER_JETSTREAM_H_
#define ANNALS_STORE_SRC_CLUSTER_JETSTREAM_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <memory>
#include <optional>
#include <string>

#include "annals/status.h"

struct __natsConnection;
struct __natsSubscription;
struct __jsCtx;

namespace annals {
namespace internal {

// A message of the log.
struct LogMessage {
  uint64_t seq = 0;
  int64_t time_micros = 0;  // the stream leader's clock when it stored the message
  std::string payload;
};

// A counter that the log's doorbell (and the node's own publishers) ring, and the applier
// waits on.  Thread-safe.
class Doorbell {
 public:
  void Ring();
  // Returns once rung since *seen was taken (at once if it was meanwhile), or after
  // `timeout`; *seen becomes the current count.
  void Wait(uint64_t* seen, std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t rings_ = 0;  // mu_
};

class JetStream {
 public:
  // Connects to the servers (comma-separated URLs), reconnecting for ever after a loss.
  // Unavailable if none can be reached now.
  static Result<std::unique_ptr<JetStream>> Connect(const std::string& urls,
                                                    const std::string& client_name);
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  // Uses the stream `stream` (subject `subject`), creating it if missing: file storage,
  // `replicas` replicas, limits retention without limits (the log is never trimmed).
  Status EnsureStream(const std::string& stream, const std::string& subject, int replicas);

  // Publishes `payload` with Nats-Msg-Id `msg_id`, waiting up to `timeout_millis` for the
  // stream's acknowledgement; the sequence it was stored at (a duplicate within the
  // stream's dedupe window gives the first copy's sequence).
  Result<uint64_t> Publish(const std::string& subject, const std::string& msg_id,
                           const std::string& payload, int64_t timeout_millis);

  // The message at `seq`, or nullopt if the stream has none there (not yet, or deleted).
  Result<std::optional<LogMessage>> Get(const std::string& stream, uint64_t seq);

  // The stream's last sequence (0 for an empty stream).
  Result<uint64_t> LastSeq(const std::string& stream);

  // The server_name of the stream's leader ("" if it has none now).
  Result<std::string> Leader(const std::string& stream);

  // Rings `doorbell` whenever a message is published to `subject` (a core NATS
  // subscription: at most once, so a reader must still poll now and then; the message
  // itself is not used).  Removed, its calls finished, when this JetStream is destroyed.
  Status StartDoorbell(const std::string& subject, std::shared_ptr<Doorbell> doorbell);

  // For tests: deletes the stream (and every message in it).
  Status TEST_DeleteStream(const std::string& stream);

  // The largest message the servers accept, in bytes.
  int64_t MaxPayload();

 private:
  JetStream() = default;
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
  __natsSubscription* doorbell_ = nullptr;
};

}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_CLUSTER_JETSTREAM_H_
