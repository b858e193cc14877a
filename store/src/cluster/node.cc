// Copyright annals authors.
//
// ClusterNode, the publishing half (see node.h).

#include "cluster/node.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "cluster.capnp.h"
#include "log/format.h"
#include "server/wire.h"
#include "util/json_text.h"

namespace annals {
namespace internal {

namespace {

using Clock = std::chrono::steady_clock;

// Room left in a message for its headers and the Request's own fields.
constexpr size_t kHeaderRoom = 4096;

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

// The bytes of a Request made of `appends[from, to)`, their request ids in `ids`.
// `decorate`, if set, is called on each Append with its index in `appends`.
std::string EncodeRequest(
    const std::string& node, std::vector<StoreImpl::GroupAppend>& appends,
    const std::vector<std::string>& ids, size_t from, size_t to,
    const std::function<std::string()>& new_id,
    const std::function<void(cluster::Append::Builder, size_t)>& decorate = nullptr) {
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<cluster::Request>();
  request.setRules(cluster::RULES);
  request.setNode(node);
  auto list = request.initAppends(static_cast<unsigned>(to - from));
  for (size_t a = from; a < to; ++a) {
    auto out = list[static_cast<unsigned>(a - from)];
    const auto& append = appends[a];
    out.setRequestId(ids[a]);
    auto events = out.initEvents(static_cast<unsigned>(append.events.size()));
    for (unsigned i = 0; i < events.size(); ++i) {
      events.setWithCaveats(i, append.events[i].rep().reader());
      // Ids are chosen here, once, so that every node stores the same one.
      if (!events[i].hasId() || events[i].getId().size() == 0) events[i].setId(new_id());
    }
    auto expected = out.initExpected(static_cast<unsigned>(append.options.expected_versions.size()));
    unsigned e = 0;
    for (const auto& [stream, version] : append.options.expected_versions) {
      expected[e].setStream(stream);
      expected[e].setVersion(version);
      ++e;
    }
    auto labels = out.initLabels(static_cast<unsigned>(append.options.labels.size()));
    for (unsigned l = 0; l < labels.size(); ++l) labels.set(l, append.options.labels[l]);
    if (decorate) decorate(out, a);
  }
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

}  // namespace

ClusterNode::ClusterNode(StoreImpl& store, ClusterOptions options, std::unique_ptr<JetStream> js,
                         std::function<void(const std::string&)> log)
    : store_(store),
      options_(std::move(options)),
      subject_(options_.stream + ".append"),
      js_(std::move(js)),
      log_(std::move(log)) {
  std::random_device seed;
  rng_.seed((static_cast<uint64_t>(seed()) << 32) ^ seed());
  const uint64_t boot = rng_();
  boot_ = ToHex(reinterpret_cast<const unsigned char*>(&boot), 6);
  const int64_t max = js_->MaxPayload();
  max_request_bytes_ = max > static_cast<int64_t>(2 * kHeaderRoom)
                           ? static_cast<size_t>(max) - kHeaderRoom
                           : kHeaderRoom;
}

std::string ClusterNode::NextRequestId() {
  std::lock_guard<std::mutex> lock(id_mu_);
  return options_.node + "-" + boot_ + "-" + std::to_string(++counter_);
}

// A UUIDv7 (RFC 9562): 48-bit Unix ms, version 7, 74 random bits.
std::string ClusterNode::NewEventId() {
  unsigned char b[16];
  {
    std::lock_guard<std::mutex> lock(id_mu_);
    const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    last_ms_ = std::max(last_ms_, ms);
    const uint64_t r1 = rng_(), r2 = rng_();
    for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(static_cast<uint64_t>(last_ms_) >> (8 * (5 - i)));
    for (int i = 0; i < 8; ++i) b[6 + i] = static_cast<unsigned char>(r1 >> (8 * i));
    b[14] = static_cast<unsigned char>(r2);
    b[15] = static_cast<unsigned char>(r2 >> 8);
  }
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));
  const std::string hex = ToHex(b, 16);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Result<uint64_t> ClusterNode::PublishUntil(const std::string& msg_id, const std::string& payload,
                                           Clock::time_point deadline) {
  Status last;
  for (int attempt = 0;; ++attempt) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (attempt > 0 && left.count() <= 0) break;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!diverged_.empty()) return DivergedStatus();
    }
    // Each try waits for a JetStream answer for a while; the same Nats-Msg-Id makes a
    // retry harmless if an earlier try was stored after all.
    const int64_t wait = std::max<int64_t>(100, std::min<int64_t>(5000, left.count()));
    auto seq = js_->Publish(subject_, msg_id, payload, wait);
    if (seq.ok()) return seq;
    last = seq.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Unavailable("the cluster's log did not take the append in time (" +
                             last.message() + "); its outcome is unknown: it may still be "
                             "applied, and retrying it with the same event ids is safe");
}

Status ClusterNode::WaitApplied(uint64_t seq, Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (seq > wanted_) wanted_ = seq;
  doorbell_->Ring();
  while (durable_ < seq && diverged_.empty()) {
    if (applied_cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
        durable_ < seq && diverged_.empty()) {
      return Status::Unavailable("this node has not applied the append (log sequence " +
                                 std::to_string(seq) + ") in time; it is in the cluster's log "
                                 "and will be applied: look for its events later");
    }
  }
  if (durable_ < seq) return DivergedStatus();
  return Status::OK();
}

// Reads the outcome recorded for `request_id` and hands it to `read`.
template <typename T, typename Read>
Result<T> ReadOutcomeRecord(StoreImpl& store, const std::string& request_id, const Read& read) {
  std::string value;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), store.cf_meta(),
                                      kClusterRequestPrefix + request_id, &value);
  if (s.IsNotFound()) {
    return Status::Unavailable("the cluster applied request '" + request_id +
                               "' but this node has no outcome for it");
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read an append's outcome"));
  if (value.size() % sizeof(capnp::word) != 0) {
    return Status::Corruption("the outcome of request '" + request_id + "' is malformed");
  }
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(value.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), value.data(), value.size());
  try {
    capnp::FlatArrayMessageReader reader(words);
    auto outcome = reader.getRoot<cluster::Outcome>();
    Status status = OutcomeStatus(outcome.getOutcome());
    if (!status.ok()) return status;
    return read(outcome);
  } catch (const kj::Exception& e) {
    return FromKj(e, Status::Code::kCorruption, "the outcome of request '" + request_id + "'");
  }
}

Result<std::vector<AppendResult>> ClusterNode::ReadOutcome(const std::string& request_id) {
  return ReadOutcomeRecord<std::vector<AppendResult>>(
      store_, request_id, [](cluster::Outcome::Reader outcome) {
        std::vector<AppendResult> results;
        for (auto r : outcome.getResults()) {
          results.push_back(
              AppendResult{r.getSeq(), r.getVersion(), Str(r.getId()), r.getExisted()});
        }
        return results;
      });
}

Result<VocabularyInfo> ClusterNode::Register(const std::string& source,
                                             const std::string& file_name) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.append_timeout_millis);
  const std::string id = NextRequestId();
  capnp::MallocMessageBuilder message;
  auto request = message.initRoot<cluster::Request>();
  request.setRules(cluster::RULES);
  request.setNode(options_.node);
  auto append = request.initAppends(1)[0];
  append.setRequestId(id);
  auto registration = append.initRegistration();
  registration.setSource(source);
  registration.setFileName(file_name);
  registration.setEventId(NewEventId());
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  const std::string payload(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  if (payload.size() > max_request_bytes_) {
    return Status::InvalidArgument("this vocabulary is too large for one message of the "
                                   "cluster's log (" + std::to_string(max_request_bytes_) +
                                   " bytes)");
  }
  auto seq = PublishUntil(id, payload, deadline);
  if (!seq.ok()) return seq.status();
  ANNALS_RETURN_IF_ERROR(WaitApplied(*seq, deadline));
  auto info = ReadOutcomeRecord<VocabularyInfo>(store_, id, [](cluster::Outcome::Reader outcome) {
    return VocabularyInfoFromWire(outcome.getVocabulary());
  });
  if (!info.ok()) return info;
  // The types, with the source, as the store has them now.
  auto stored = store_.GetVocabulary(info->name, info->version);
  if (!stored.ok()) return stored.status();
  stored->existed = info->existed;
  return stored;
}

Result<std::vector<AppendResult>> ClusterNode::AppendStaged(
    std::vector<StoreImpl::GroupAppend>* chunks) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.append_timeout_millis);
  const std::string import_id = NextRequestId();
  std::vector<std::string> ids;
  for (size_t k = 0; k < chunks->size(); ++k) ids.push_back(import_id + "/" + std::to_string(k));
  auto new_id = [this] { return NewEventId(); };
  for (size_t k = 0; k < chunks->size(); ++k) {
    const std::string payload = EncodeRequest(
        options_.node, *chunks, ids, k, k + 1, new_id,
        [&](cluster::Append::Builder out, size_t index) {
          auto stage = out.initStage();
          stage.setImportId(import_id);
          stage.setChunk(index);
        });
    if (payload.size() > max_request_bytes_) {
      return Status::InvalidArgument("an import chunk is over one message of the cluster's log "
                                     "(an event too large?): nothing was imported");
    }
    auto seq = PublishUntil(ids[k], payload, deadline);
    if (!seq.ok()) return seq.status();
  }
  std::vector<StoreImpl::GroupAppend> commit(1);
  std::vector<std::string> commit_id{import_id};
  const std::string payload = EncodeRequest(
      options_.node, commit, commit_id, 0, 1, new_id, [&](cluster::Append::Builder out, size_t) {
        auto c = out.initCommit();
        c.setImportId(import_id);
        c.setChunks(chunks->size());
      });
  auto seq = PublishUntil(import_id, payload, deadline);
  if (!seq.ok()) return seq.status();
  ANNALS_RETURN_IF_ERROR(WaitApplied(*seq, deadline));
  return ReadOutcome(import_id);
}

void ClusterNode::AppendGroup(std::vector<StoreImpl::GroupAppend>* appends) {
  auto& group = *appends;
  if (group.empty()) return;
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.append_timeout_millis);
  std::vector<std::string> ids;
  for (size_t i = 0; i < group.size(); ++i) ids.push_back(NextRequestId());
  auto new_id = [this] { return NewEventId(); };
  // Messages: as many appends each as fit; one append too big for a message fails alone.
  struct Message {
    size_t from, to;
    std::string payload;
  };
  std::vector<Message> messages;
  size_t from = 0;
  while (from < group.size()) {
    size_t to = group.size();
    std::string payload = EncodeRequest(options_.node, group, ids, from, to, new_id);
    while (payload.size() > max_request_bytes_ && to > from + 1) {
      to = from + (to - from) / 2;
      payload = EncodeRequest(options_.node, group, ids, from, to, new_id);
    }
    if (payload.size() > max_request_bytes_) {
      group[from].result = Status::InvalidArgument(
          "this append is " + std::to_string(payload.size()) + " bytes as a cluster log "
          "message; the cluster's NATS servers take at most " +
          std::to_string(max_request_bytes_) + " (their max_payload): split it");
    } else {
      messages.push_back(Message{from, to, std::move(payload)});
    }
    from = to;
  }
  for (const Message& m : messages) {
    auto seq = PublishUntil(ids[m.from], m.payload, deadline);
    Status waited = seq.ok() ? WaitApplied(*seq, deadline) : seq.status();
    for (size_t a = m.from; a < m.to; ++a) {
      if (!waited.ok()) {
        group[a].result = waited;
      } else {
        group[a].result = ReadOutcome(ids[a]);
      }
    }
  }
}

}  // namespace internal
}  // namespace annals
