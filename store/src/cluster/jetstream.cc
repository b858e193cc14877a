// Copyright annals authors.

#include "cluster/jetstream.h"

#include <nats/nats.h>

#include <sstream>
#include <vector>

#include "cluster/nats_status.h"

namespace annals {
namespace internal {

namespace {

// How long a JetStream API request (stream info, get) waits for its answer.
constexpr int64_t kApiWaitMillis = 2000;

std::vector<std::string> SplitUrls(const std::string& urls) {
  std::vector<std::string> out;
  std::stringstream in(urls);
  std::string url;
  while (std::getline(in, url, ',')) {
    if (!url.empty()) out.push_back(url);
  }
  return out;
}

// The doorbell's closure: its own reference to the Doorbell, freed by nats.c's completion
// callback once the subscription is closed and its last message handler has returned.
void OnDoorbell(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  natsMsg_Destroy(msg);
  (*static_cast<std::shared_ptr<Doorbell>*>(closure))->Ring();
}

void OnDoorbellDone(void* closure) { delete static_cast<std::shared_ptr<Doorbell>*>(closure); }

}  // namespace

void Doorbell::Ring() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++rings_;
  }
  cv_.notify_all();
}

void Doorbell::Wait(uint64_t* seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return rings_ != *seen; });
  *seen = rings_;
}

Status JetStream::StartDoorbell(const std::string& subject, std::shared_ptr<Doorbell> doorbell) {
  auto* closure = new std::shared_ptr<Doorbell>(std::move(doorbell));
  natsSubscription* sub = nullptr;
  natsStatus s = natsConnection_Subscribe(&sub, nc_, subject.c_str(), OnDoorbell, closure);
  if (s != NATS_OK) {
    delete closure;
    return FromNats(s, "cannot subscribe to the log's subject");
  }
  s = natsSubscription_SetOnCompleteCB(sub, OnDoorbellDone, closure);
  if (s != NATS_OK) {
    // Without the completion callback the closure cannot be freed safely: keep it.
    return FromNats(s, "cannot set up the log's doorbell");
  }
  doorbell_ = sub;
  return Status::OK();
}

Result<std::unique_ptr<JetStream>> JetStream::Connect(const std::string& urls,
                                                      const std::string& client_name) {
  const std::vector<std::string> list = SplitUrls(urls);
  if (list.empty()) return Status::InvalidArgument("no NATS server URL given (--cluster URLS)");
  std::vector<const char*> servers;
  for (const auto& u : list) servers.push_back(u.c_str());
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetName(opts, client_name.c_str());
  // Never give up on the log: a node without it serves reads and refuses appends.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2000);
  // A server that stops answering (not only one whose socket closed) is noticed in ~3 s.
  if (s == NATS_OK) s = natsOptions_SetPingInterval(opts, 1000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts, 3);
  std::unique_ptr<JetStream> out(new JetStream());
  if (s == NATS_OK) s = natsConnection_Connect(&out->nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) return FromNats(s, "cannot connect to the cluster's NATS servers (" + urls + ")");
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = kApiWaitMillis;
  s = natsConnection_JetStream(&out->js_, out->nc_, &jo);
  if (s != NATS_OK) return FromNats(s, "cannot use JetStream");
  return out;
}

JetStream::~JetStream() {
  if (doorbell_ != nullptr) {
    (void)natsSubscription_Unsubscribe(doorbell_);
    natsSubscription_Destroy(doorbell_);
  }
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

Status JetStream::EnsureStream(const std::string& stream, const std::string& subject,
                               int replicas) {
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::OK();
  }
  if (jerr != JSStreamNotFoundErr && s != NATS_NOT_FOUND) {
    return FromNats(s, "cannot read the cluster's stream '" + stream + "'", jerr);
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = stream.c_str();
  const char* subjects[] = {subject.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = replicas;
  jerr = static_cast<jsErrCode>(0);
  s = js_AddStream(&info, js_, &cfg, nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::OK();
  }
  if (jerr == JSStreamNameExistErr) return Status::OK();  // another node made it first
  return FromNats(s, "cannot create the cluster's stream '" + stream + "'", jerr);
}

Result<uint64_t> JetStream::Publish(const std::string& subject, const std::string& msg_id,
                                    const std::string& payload, int64_t timeout_millis) {
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, payload.data(),
                                static_cast<int>(payload.size()));
  if (s != NATS_OK) return FromNats(s, "cannot make a log message");
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = msg_id.c_str();
  po.MaxWait = timeout_millis;
  jsPubAck* ack = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack, js_, msg, &po, &jerr);
  natsMsg_Destroy(msg);
  if (s != NATS_OK) return FromNats(s, "the cluster's log did not take the append", jerr);
  const uint64_t seq = ack->Sequence;
  jsPubAck_Destroy(ack);
  return seq;
}

Result<std::optional<LogMessage>> JetStream::Get(const std::string& stream, uint64_t seq) {
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetMsg(&msg, js_, stream.c_str(), seq, nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) return std::optional<LogMessage>();
  if (s != NATS_OK) {
    return FromNats(s, "cannot read message " + std::to_string(seq) + " of the log", jerr);
  }
  LogMessage out;
  out.seq = natsMsg_GetSequence(msg);
  out.time_micros = natsMsg_GetTime(msg) / 1000;
  out.payload.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  return std::optional<LogMessage>(std::move(out));
}

Result<uint64_t> JetStream::LastSeq(const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &jerr);
  if (s != NATS_OK) return FromNats(s, "cannot read the cluster's stream '" + stream + "'", jerr);
  const uint64_t last = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  return last;
}

Result<std::string> JetStream::Leader(const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, &jerr);
  if (s != NATS_OK) return FromNats(s, "cannot read the cluster's stream '" + stream + "'", jerr);
  std::string leader;
  if (info->Cluster != nullptr && info->Cluster->Leader != nullptr) leader = info->Cluster->Leader;
  jsStreamInfo_Destroy(info);
  return leader;
}

Status JetStream::TEST_DeleteStream(const std::string& stream) {
  jsErrCode jerr = static_cast<jsErrCode>(0);
  return FromNats(js_DeleteStream(js_, stream.c_str(), nullptr, &jerr),
                  "cannot delete stream '" + stream + "'", jerr);
}

int64_t JetStream::MaxPayload() { return natsConnection_GetMaxPayload(nc_); }

}  // namespace internal
}  // namespace annals
