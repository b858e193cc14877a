// Copyright annals authors.
//
// Vocabularies in a store (SPEC §7): registration as an event of the stream `$vocabulary`,
// the registry read back from those events on open, and which vocabulary (and version) a
// stream folds with as known at a seq.
//
// A registration is checked before it is written (it compiles, it is the next version of
// its name, it keeps the rules of evolution, its types are its own) and again by Open,
// Restore and Verify when they read it back, through the one function WithRegistration.

#include <rocksdb/write_batch.h>

#include <utility>

#include "log/chain.h"
#include "log/format.h"
#include "log/pending.h"
#include "log/store_impl.h"
#include "vocabulary/evolution.h"

namespace annals {
namespace internal {

namespace {

// The version `compiled` would be after `registry`'s latest of its name, checked.
Result<VocabularyVersion> NextVersion(const Registry& registry,
                                      std::shared_ptr<const Vocabulary> compiled) {
  const VocabularyVersion* latest = registry.Latest(compiled->name());
  VocabularyVersion next;
  next.name = compiled->name();
  next.version = latest ? latest->version + 1 : 1;
  if (latest != nullptr) {
    Status evolution = CheckEvolution(*latest->vocabulary, *compiled);
    if (!evolution.ok()) {
      return evolution.WithPrefix("vocabulary '" + next.name + "' version " +
                                  std::to_string(next.version) + " cannot follow version " +
                                  std::to_string(latest->version));
    }
  }
  next.vocabulary = std::move(compiled);
  return next;
}

VocabularyInfo InfoOf(const VocabularyVersion& v) {
  VocabularyInfo info;
  info.name = v.name;
  info.version = v.version;
  info.seq = v.seq;
  for (const auto& t : v.vocabulary->types()) info.types.push_back(t.name);
  info.source = v.vocabulary->source();
  return info;
}

}  // namespace

Result<std::shared_ptr<const Registry>> WithRegistration(const Registry& registry,
                                                         const EventRep& event) {
  auto r = event.reader().getVocabulary();
  const std::string name(View(r.getName()));
  auto compiled = CompileVocabulary(std::string(View(r.getSource())), name + ".capnp");
  if (!compiled.ok()) {
    return compiled.status().WithPrefix("vocabulary '" + name + "' does not compile");
  }
  if ((*compiled)->name() != name) {
    return Status::InvalidArgument("the registration of '" + name + "' holds the vocabulary '" +
                                   (*compiled)->name() + "'");
  }
  auto next = NextVersion(registry, std::move(compiled).value());
  if (!next.ok()) return next.status();
  if (next->version != r.getVersion()) {
    return Status::InvalidArgument("the registration of '" + name + "' says version " +
                                   std::to_string(r.getVersion()) + " where " +
                                   std::to_string(next->version) + " comes next");
  }
  next->seq = event.reader().getSeq();
  return registry.With(std::move(next).value());
}

std::shared_ptr<const Registry> StoreImpl::registry() const {
  std::lock_guard<std::mutex> lock(registry_mu_);
  return registry_;
}

void StoreImpl::SetRegistryLocked(std::shared_ptr<const Registry> registry) {
  std::lock_guard<std::mutex> lock(registry_mu_);
  registry_ = std::move(registry);
}

Status StoreImpl::LoadRegistry() {
  SetRegistryLocked(Registry::BuiltIn());
  std::shared_ptr<const Registry> types = Registry::BuiltIn();
  Status s = ReadStream(kVocabularyStream, last_seq_, [&](const Event& e) {
    if (e.kind() != EventKind::kVocabulary) return true;
    // A registration that no longer checks out (a tampered store) is left out here and
    // reported by Verify; the store still opens, so that it can be verified.
    auto next = WithRegistration(*types, e.rep());
    if (next.ok()) types = std::move(next).value();
    return true;
  });
  ANNALS_RETURN_IF_ERROR(s);
  SetRegistryLocked(std::move(types));
  return Status::OK();
}

Result<std::optional<std::pair<uint64_t, std::string>>> StoreImpl::BindingOf(
    const std::string& stream) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], BindingKey(stream), &v);
  if (s.IsNotFound()) return std::optional<std::pair<uint64_t, std::string>>();
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read stream vocabulary"));
  if (v.size() < 9) return Status::Corruption("vocabulary record of '" + stream + "' is malformed");
  return std::optional<std::pair<uint64_t, std::string>>(
      std::make_pair(GetU64(v.data()), v.substr(8)));
}

Result<std::optional<VocabularyVersion>> StoreImpl::VocabularyOf(const std::string& stream,
                                                                 uint64_t known_seq) {
  auto bound = BindingOf(stream);
  if (!bound.ok()) return bound.status();
  if (!*bound || (*bound)->first > known_seq) return std::optional<VocabularyVersion>();
  const VocabularyVersion* v = registry()->At((*bound)->second, known_seq);
  if (v == nullptr) {
    return Status::Corruption("stream '" + stream + "' belongs to the vocabulary '" +
                              (*bound)->second + "', which this store does not have");
  }
  return std::optional<VocabularyVersion>(*v);
}

Result<VocabularyInfo> StoreImpl::RegisterVocabulary(const std::string& source,
                                                     const std::string& file_name) {
  auto compiled = CompileVocabulary(source, file_name);
  if (!compiled.ok()) return compiled.status();
  std::lock_guard<std::mutex> lock(write_mu_);
  Pending p;
  std::optional<VocabularyVersion> next;
  auto info = AssembleRegistrationLocked(source, std::move(compiled).value(), "", &p, &next);
  if (!info.ok() || !next) return info;
  ANNALS_RETURN_IF_ERROR(WriteLocked(&p));
  auto registry = this->registry()->With(*next);
  if (!registry.ok()) return registry.status();
  SetRegistryLocked(std::move(registry).value());
  return info;
}

Result<VocabularyInfo> StoreImpl::AssembleRegistrationLocked(
    const std::string& source, std::shared_ptr<const Vocabulary> compiled,
    const std::string& event_id, Pending* pending, std::optional<VocabularyVersion>* registered) {
  Pending& p = *pending;
  const std::shared_ptr<const Registry> current = registry();
  if (const VocabularyVersion* latest = current->Latest(compiled->name())) {
    if (latest->vocabulary->source() == source) {
      VocabularyInfo info = InfoOf(*latest);
      info.existed = true;
      return info;
    }
  }
  auto next = NextVersion(*current, std::move(compiled));
  if (!next.ok()) return next.status();
  ANNALS_RETURN_IF_ERROR(current->With(*next).status());  // type names taken elsewhere

  // The registration event.
  auto builder = std::make_unique<capnp::MallocMessageBuilder>();
  auto event = builder->initRoot<schema::Event>();
  if (!event_id.empty()) event.setId(event_id);
  event.setStream(kVocabularyStream);
  event.setConfidence(schema::Confidence::CONFIRMED);
  auto data = event.initVocabulary();
  data.setName(next->name);
  data.setVersion(next->version);
  data.setSource(source);
  auto rep = std::make_unique<EventRep>(std::move(builder), CoreType("vocabulary"));
  ANNALS_RETURN_IF_ERROR(ValidateContent(*rep));
  ANNALS_RETURN_IF_ERROR(rep->Refresh());
  std::vector<NewEvent> events;
  events.push_back(NewEventAccess::Make(std::move(rep)));

  p.seq = last_seq_;
  p.prev = last_hash_;
  p.recorded_at = last_recorded_at_;
  p.registering = true;
  std::vector<AppendResult> results;
  std::vector<std::string> ids;
  std::vector<uint64_t> retracted;
  ANNALS_RETURN_IF_ERROR(AssembleLocked(&events, AppendOptions(), &p, &results, &ids, &retracted));
  next->seq = results.front().seq;
  *registered = *next;
  return InfoOf(*next);
}

void StoreImpl::ApplyRegistration(const std::string& source, const std::string& file_name,
                                  const std::string& event_id, const Replicated& replicated,
                                  Result<VocabularyInfo>* result, Status* written) {
  *written = CheckWritable();
  if (!written->ok()) return;
  auto compiled = CompileVocabulary(source, file_name);
  std::lock_guard<std::mutex> lock(write_mu_);
  std::optional<VocabularyVersion> next;
  auto p = std::make_unique<Pending>();
  p->replicated = &replicated;
  *result = compiled.ok() ? AssembleRegistrationLocked(source, std::move(compiled).value(),
                                                       event_id, p.get(), &next)
                          : Result<VocabularyInfo>(compiled.status());
  if (!next) {  // refused, or already registered: only the caller's records
    p = std::make_unique<Pending>();
    p->seq = last_seq_;
    p->prev = last_hash_;
    p->recorded_at = last_recorded_at_;
    p->replicated = &replicated;
  }
  if (replicated.also) replicated.also(&p->batch);
  *written = WriteLocked(p.get());
  if (!written->ok() || !next) return;
  auto registry = this->registry()->With(*next);
  if (!registry.ok()) {
    *written = registry.status();
    return;
  }
  SetRegistryLocked(std::move(registry).value());
}

Result<std::vector<VocabularyInfo>> StoreImpl::ListVocabularies() {
  std::vector<VocabularyInfo> out;
  for (const auto& [name, versions] : registry()->versions()) {
    if (!versions.empty()) out.push_back(InfoOf(versions.back()));
  }
  return out;
}

Result<VocabularyInfo> StoreImpl::GetVocabulary(const std::string& name, uint32_t version) {
  const auto current = registry();
  auto it = current->versions().find(name);
  if (it == current->versions().end()) {
    return Status::NotFound("no vocabulary '" + name + "'");
  }
  if (version == 0) return InfoOf(it->second.back());
  for (const auto& v : it->second) {
    if (v.version == version) return InfoOf(v);
  }
  return Status::NotFound("vocabulary '" + name + "' has no version " + std::to_string(version) +
                          " (it has 1 to " + std::to_string(it->second.back().version) + ")");
}

EventTypes StoreImpl::Types() { return EventTypes(registry()); }

}  // namespace internal
}  // namespace annals
