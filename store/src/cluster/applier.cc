// Copyright annals authors.
//
// ClusterNode, the applying half (see node.h).

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <chrono>
#include <optional>
#include <cstring>
#include <utility>

#include "cluster.capnp.h"
#include "cluster/node.h"
#include "log/chain.h"
#include "log/coding.h"
#include "log/format.h"
#include "server/wire.h"
#include "util/json_text.h"

namespace annals {
namespace internal {

namespace {

using Clock = std::chrono::steady_clock;

// Messages applied between two fsyncs, at most (a catch-up applies runs of this size).
constexpr int kMaxRun = 512;
// How often an idle applier asks the log for the next message when no doorbell rang (the
// doorbell is at most once: a ring lost in a reconnect costs this much).
constexpr auto kIdlePoll = std::chrono::milliseconds(50);
// A doorbell rings when a message is published, which is before JetStream has stored it:
// for a while after a ring the applier polls every kEagerPoll.
constexpr auto kEagerPoll = std::chrono::milliseconds(1);
constexpr auto kEagerWindow = std::chrono::milliseconds(25);
// How often the applier checks that the log still holds what it applied (LogProblem), and
// how many checks in a row must find a problem before the node stops applying.
constexpr auto kLogCheck = std::chrono::seconds(1);
constexpr int kSuspicions = 3;

std::string Str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

std::string AppliedValue(uint64_t seq, const std::array<unsigned char, 32>& hash) {
  std::string v = SeqKey(seq);
  v.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return v;
}

std::string Bytes(capnp::MallocMessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

std::string RegistrationOutcomeBytes(const Result<VocabularyInfo>& result) {
  capnp::MallocMessageBuilder message;
  auto out = message.initRoot<cluster::Outcome>();
  SetOutcome(result.status(), out.initOutcome());
  if (result.ok()) SetVocabularyInfo(*result, false, out.initVocabulary());
  return Bytes(message);
}

std::string OutcomeBytes(const Result<std::vector<AppendResult>>& result) {
  capnp::MallocMessageBuilder message;
  auto out = message.initRoot<cluster::Outcome>();
  SetOutcome(result.status(), out.initOutcome());
  if (result.ok()) {
    auto list = out.initResults(static_cast<unsigned>(result->size()));
    for (unsigned i = 0; i < list.size(); ++i) {
      const AppendResult& r = (*result)[i];
      list[i].setSeq(r.seq);
      list[i].setVersion(r.version);
      list[i].setId(r.id);
      list[i].setExisted(r.existed);
    }
  }
  return Bytes(message);
}

std::string StageKey(const std::string& import_id, uint64_t chunk) {
  return kClusterStagePrefix + import_id + "/" + SeqKey(chunk);
}

// Adds the events of `a` (rebuilt through `types`, as a server rebuilds its clients'),
// its labels and its expected versions to `out`.  InvalidArgument naming a bad event.
Status AddEvents(cluster::Append::Reader a, const EventTypes& types, StoreImpl::GroupAppend* out) {
  const size_t first = out->events.size();
  for (auto l : a.getLabels()) out->options.labels.push_back(Str(l));
  for (auto e : a.getExpected()) {
    out->options.expected_versions[Str(e.getStream())] = e.getVersion();
  }
  auto events = a.getEvents();
  for (unsigned i = 0; i < events.size(); ++i) {
    auto event = NewEventFromWire(events[i], types.resolver());
    if (!event.ok()) {
      const size_t at = first + i;
      return event.status().WithPrefix(at < out->options.labels.size()
                                           ? out->options.labels[at]
                                           : "event " + std::to_string(at + 1));
    }
    out->events.push_back(std::move(event).value());
  }
  return Status::OK();
}

}  // namespace

Status ClusterNode::DivergedStatus() {
  return Status::Corruption("cluster node '" + options_.node + "' stopped applying the "
                            "cluster's log and refuses appends: " + diverged_ +
                            " (reads still answer from what it applied; see docs/DECISIONS.md "
                            "on divergence)");
}

void ClusterNode::Diverge(const std::string& problem) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!diverged_.empty()) return;
    diverged_ = problem;
  }
  applied_cv_.notify_all();
  if (log_) log_("DIVERGED: " + problem + "; this node no longer applies the log and refuses "
                 "appends (reads are still served)");
}

Status ClusterNode::Start() {
  std::string value;
  rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), store_.cf_meta(),
                                       kClusterAppliedKey, &value);
  if (s.ok()) {
    if (value.size() != 8 + 32) return Status::Corruption("the applied position is malformed");
    applied_ = GetU64(value.data());
    std::memcpy(applied_hash_.data(), value.data() + 8, 32);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "read the applied position");
  } else if (store_.LastSeq() != 0) {
    return Status::InvalidArgument("store has events but was never a cluster node's: a "
                                   "cluster node starts from an empty store (or its own)");
  }
  durable_ = applied_;
  // Without a doorbell the applier still polls the log: slower to see peers' appends.
  Status rung = js_->StartDoorbell(subject_, doorbell_);
  if (!rung.ok() && log_) log_(rung.message() + " (the log is polled instead)");
  applier_ = std::thread([this] { RunApplier(); });
  return Status::OK();
}

Result<std::string> ClusterNode::LogProblem() {
  if (applied_ == 0) return std::string();
  auto last = js_->LastSeq(options_.stream);
  if (!last.ok()) return last.status();
  if (*last < applied_) {
    return "the cluster's log ends at sequence " + std::to_string(*last) + " but this node "
           "applied up to " + std::to_string(applied_) + " (the log lost messages, or the "
           "stream was recreated)";
  }
  auto m = js_->Get(options_.stream, applied_);
  if (!m.ok()) return m.status();
  if (!m->has_value() || Sha256((*m)->payload) != applied_hash_) {
    return "the cluster's log holds another message at sequence " + std::to_string(applied_) +
           " than the one this node applied there (the stream was recreated, or lost "
           "messages and took others)";
  }
  return std::string();
}

Status ClusterNode::ApplyMessage(const LogMessage& message) {
  const auto hash = Sha256(message.payload);
  std::vector<StoreImpl::GroupAppend> appends;
  std::vector<std::string> request_ids;                        // of `appends`
  std::vector<std::pair<std::string, Status>> refused;         // refused before the store
  // Staged import chunks: their records, the request ids (answered OK), and the chunks a
  // commit consumes.
  std::vector<std::pair<std::string, std::string>> stage_puts;
  std::vector<std::string> staged_ids, stage_deletes;
  // A vocabulary registration (alone in its message): request id, source, file, event id.
  std::optional<std::array<std::string, 4>> registration;
  if (message.payload.size() % sizeof(capnp::word) != 0) {
    // Not ours: applied as nothing (every node decides the same), so the log moves on.
    if (log_) log_("log message " + std::to_string(message.seq) + " is not an annals request; skipped");
  } else {
    kj::Array<capnp::word> words =
        kj::heapArray<capnp::word>(message.payload.size() / sizeof(capnp::word));
    std::memcpy(words.begin(), message.payload.data(), message.payload.size());
    try {
      capnp::FlatArrayMessageReader reader(words);
      auto request = reader.getRoot<cluster::Request>();
      if (request.getRules() > cluster::RULES) {
        Diverge("log message " + std::to_string(message.seq) + " needs validation rules v" +
                std::to_string(request.getRules()) + "; this node applies v" +
                std::to_string(cluster::RULES) + " (upgrade it)");
        return DivergedStatus();
      }
      const EventTypes types = store_.Types();
      for (auto a : request.getAppends()) {
        const std::string id = Str(a.getRequestId());
        std::string ignored;
        rocksdb::Status known = store_.db()->Get(rocksdb::ReadOptions(), store_.cf_meta(),
                                                 kClusterRequestPrefix + id, &ignored);
        if (known.ok()) continue;  // a copy beyond the dedupe window: applied once already
        if (!known.IsNotFound()) return FromRocks(known, "read an append's outcome");
        if (a.hasRegistration()) {
          auto r = a.getRegistration();
          if (request.getAppends().size() == 1) {
            registration = {id, Str(r.getSource()), Str(r.getFileName()), Str(r.getEventId())};
          } else {
            refused.emplace_back(id, Status::InvalidArgument(
                                         "a vocabulary registration must be alone in its message"));
          }
          continue;
        }
        if (a.hasStage()) {
          // Stored, not applied: nothing of an import is visible before its commit.
          capnp::MallocMessageBuilder copy;
          copy.setRoot(a);
          stage_puts.emplace_back(StageKey(Str(a.getStage().getImportId()), a.getStage().getChunk()),
                                  Bytes(copy));
          staged_ids.push_back(id);
          continue;
        }
        StoreImpl::GroupAppend append;
        Status converted;
        if (a.hasCommit()) {
          // Every staged chunk, in order, as one append (labels and expectations included).
          const std::string import_id = Str(a.getCommit().getImportId());
          const uint64_t chunks = a.getCommit().getChunks();
          for (uint64_t k = 0; k < chunks && converted.ok(); ++k) {
            const std::string key = StageKey(import_id, k);
            stage_deletes.push_back(key);
            std::string bytes;
            rocksdb::Status got = store_.db()->Get(rocksdb::ReadOptions(), store_.cf_meta(), key,
                                                   &bytes);
            if (got.IsNotFound()) {
              converted = Status::InvalidArgument("import '" + import_id + "': chunk " +
                                                  std::to_string(k + 1) + " of " +
                                                  std::to_string(chunks) + " never arrived");
              break;
            }
            if (!got.ok()) return FromRocks(got, "read a staged import chunk");
            kj::Array<capnp::word> chunk_words =
                kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
            std::memcpy(chunk_words.begin(), bytes.data(), chunk_words.size() * sizeof(capnp::word));
            capnp::ReaderOptions limits;
            limits.traversalLimitInWords = 1ull << 30;
            capnp::FlatArrayMessageReader chunk(chunk_words, limits);
            converted = AddEvents(chunk.getRoot<cluster::Append>(), types, &append);
          }
        }
        if (converted.ok()) converted = AddEvents(a, types, &append);
        if (!converted.ok()) {
          refused.emplace_back(id, converted);
        } else {
          appends.push_back(std::move(append));
          request_ids.push_back(id);
        }
      }
    } catch (const kj::Exception& e) {
      appends.clear();
      request_ids.clear();
      refused.clear();
      stage_puts.clear();
      staged_ids.clear();
      stage_deletes.clear();
      if (log_) {
        log_("log message " + std::to_string(message.seq) + " is malformed; skipped: " +
             FromKj(e, Status::Code::kInvalidArgument, "decode").message());
      }
    }
  }
  StoreImpl::Replicated replicated;
  replicated.clock_micros = message.time_micros;
  replicated.also = [&](rocksdb::WriteBatch* batch) {
    for (size_t i = 0; i < appends.size(); ++i) {
      batch->Put(store_.cf_meta(), kClusterRequestPrefix + request_ids[i],
                 OutcomeBytes(*appends[i].result));
    }
    for (const auto& [id, status] : refused) {
      batch->Put(store_.cf_meta(), kClusterRequestPrefix + id,
                 OutcomeBytes(Result<std::vector<AppendResult>>(status)));
    }
    for (const auto& [key, value] : stage_puts) batch->Put(store_.cf_meta(), key, value);
    for (const auto& id : staged_ids) {
      batch->Put(store_.cf_meta(), kClusterRequestPrefix + id,
                 OutcomeBytes(std::vector<AppendResult>()));
    }
    for (const auto& key : stage_deletes) batch->Delete(store_.cf_meta(), key);
    batch->Put(store_.cf_meta(), kClusterAppliedKey, AppliedValue(message.seq, hash));
  };
  Status written;
  if (registration) {
    Result<VocabularyInfo> info = Status::OK();
    StoreImpl::Replicated with_outcome = replicated;
    with_outcome.also = [&](rocksdb::WriteBatch* batch) {
      batch->Put(store_.cf_meta(), kClusterRequestPrefix + (*registration)[0],
                 RegistrationOutcomeBytes(info));
      replicated.also(batch);
    };
    const std::string& event_id = (*registration)[3];
    if (event_id.empty()) {
      info = Status::InvalidArgument("a replicated registration needs an event id");
      StoreImpl::Replicated only = with_outcome;
      store_.ApplyReplicated(&appends, only, &written);
    } else {
      store_.ApplyRegistration((*registration)[1], (*registration)[2], event_id, with_outcome,
                               &info, &written);
    }
  } else {
    store_.ApplyReplicated(&appends, replicated, &written);
  }
  if (!written.ok()) return written;
  applied_ = message.seq;
  applied_hash_ = hash;
  return Status::OK();
}

void ClusterNode::RunApplier() {
  auto next_check = Clock::now() + kLogCheck;
  std::string last_error;
  bool checked = false;  // the log agrees with the applied position (LogProblem)
  int suspicions = 0;    // consecutive checks that found a problem
  uint64_t rings_seen = 0;
  auto eager_until = Clock::now();
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_ || !diverged_.empty()) return;
    }
    // At start, after trouble reading the log, and every kLogCheck: does the log still
    // hold what this node applied?  Only a problem seen kSuspicions times in a row, a
    // second apart, is a divergence: a stream between leaders may answer oddly for a moment.
    if (Clock::now() >= next_check) checked = false;
    if (!checked) {
      auto problem = LogProblem();
      if (!problem.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      if (!problem->empty()) {
        if (++suspicions >= kSuspicions) {
          Diverge(*problem);
          return;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      suspicions = 0;
      checked = true;
      next_check = Clock::now() + kLogCheck;
    }
    // A run of messages, applied and then fsync'd once.
    int run = 0;
    Status error;
    while (run < kMaxRun) {
      auto m = js_->Get(options_.stream, applied_ + 1);
      if (!m.ok()) {
        error = m.status();
        break;
      }
      if (!m->has_value()) break;
      if ((*m)->seq != applied_ + 1) {
        error = Status::Unavailable("the log answered message " + std::to_string((*m)->seq) +
                                    " for " + std::to_string(applied_ + 1));
        break;
      }
      Status applied = ApplyMessage(**m);
      if (!applied.ok()) {
        error = applied;
        break;
      }
      ++run;
    }
    if (run > 0) {
      Status synced = store_.SyncLog();
      if (synced.ok()) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          durable_ = applied_;
        }
        applied_cv_.notify_all();
      } else {
        error = synced;
      }
    }
    if (!error.ok()) {
      if (error.message() != last_error && log_) log_("applying the log: " + error.message());
      last_error = error.message();
      checked = false;  // the log may have changed under us meanwhile
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    last_error.clear();
    if (run > 0) continue;
    // Nothing new: wait for the doorbell (a message was published to the log, or a
    // publisher of this node waits for its message), or poll.
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (wanted_ > applied_ || stop_) continue;
    }
    const uint64_t before = rings_seen;
    doorbell_->Wait(&rings_seen, Clock::now() < eager_until ? kEagerPoll : kIdlePoll);
    if (rings_seen != before) eager_until = Clock::now() + kEagerWindow;
  }
}

ClusterNode::~ClusterNode() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  doorbell_->Ring();
  applied_cv_.notify_all();
  if (applier_.joinable()) applier_.join();
}

}  // namespace internal
}  // namespace annals
