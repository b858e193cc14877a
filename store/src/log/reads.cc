// Copyright annals authors.
//
// The store's reads by key: an event by seq or id, a stream's events, the log in seq order,
// the streams, and the resolution of --known-at.  The key layouts are at the top of
// store_impl.cc.

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "log/coding.h"
#include "log/format.h"
#include "log/store_impl.h"

namespace annals {
namespace internal {

// ---- reads ---------------------------------------------------------------------------

namespace {

// The log value of event `seq` decoded (in place if `pin` keeps `value` alive and it is
// word-aligned); errors name the seq.
Result<std::shared_ptr<const EventRep>> DecodeLogValue(uint64_t seq, const rocksdb::Slice& value,
                                                       const EventTypeResolver& types,
                                                       std::shared_ptr<void> pin = nullptr) {
  auto rep = EventRep::FromStoredPinned(std::string_view(value.data(), value.size()),
                                        std::move(pin), types);
  if (!rep.ok()) return rep.status().WithPrefix("seq " + std::to_string(seq));
  return rep;
}

}  // namespace

Result<std::shared_ptr<const EventRep>> StoreImpl::ReadEvent(uint64_t seq) {
  // The slice pins the block it was read from (or owns the copy RocksDB made): when the
  // value happens to be word-aligned the event is decoded in place and keeps the pin.
  auto value = std::make_shared<rocksdb::PinnableSlice>();
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kLog], SeqKey(seq), value.get());
  if (s.IsNotFound()) return Status::NotFound("no event with seq " + std::to_string(seq));
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read event"));
  const rocksdb::Slice bytes = *value;
  return DecodeLogValue(seq, bytes, *registry(), std::move(value));
}

StoreImpl::SeqReader::SeqReader(StoreImpl* store)
    : store_(store),
      types_(store->registry()),
      it_(store->db_->NewIterator(rocksdb::ReadOptions(), store->cfs_[kLog])) {}

Result<std::shared_ptr<const EventRep>> StoreImpl::SeqReader::Read(uint64_t seq) {
  // Stepping over up to this many other events costs less than a seek or a lookup.
  constexpr uint64_t kMaxSteps = 16;
  auto near_after = [&](uint64_t from) { return from < seq && seq - from <= kMaxSteps; };
  auto at = [&]() -> std::optional<uint64_t> {  // the seq the iterator is at
    if (!it_->Valid() || it_->key().size() != 8) return std::nullopt;
    return GetU64(it_->key().data());
  };
  const bool forward = last_read_ != 0 && near_after(last_read_);
  last_read_ = seq;
  std::optional<uint64_t> current = at();
  if (current && near_after(*current)) {
    while (current && *current < seq) {
      it_->Next();
      current = at();
    }
  } else if (forward) {
    it_->Seek(SeqKey(seq));
    current = at();
  } else {
    return store_->ReadEvent(seq);
  }
  if (current != seq) {
    ANNALS_RETURN_IF_ERROR(FromRocks(it_->status(), "read event"));
    if (it_->Valid() && it_->key().size() != 8) return Status::Corruption("log key is malformed");
    return Status::NotFound("no event with seq " + std::to_string(seq));
  }
  return DecodeLogValue(seq, it_->value(), *types_);
}

Result<Event> StoreImpl::GetBySeq(uint64_t seq) {
  if (seq == 0 || seq > last_seq_) {
    return Status::NotFound("no event with seq " + std::to_string(seq));
  }
  auto rep = ReadEvent(seq);
  if (!rep.ok()) return rep.status();
  return Event(std::move(rep).value());
}

Result<Event> StoreImpl::GetById(std::string_view id) {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cfs_[kId], rocksdb::Slice(id.data(),
                                                                                 id.size()),
                               &v);
  if (s.IsNotFound()) return Status::NotFound("no event with id '" + std::string(id) + "'");
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read id index"));
  if (v.size() != 8) return Status::Corruption("id index entry is malformed");
  return GetBySeq(GetU64(v.data()));
}

Status StoreImpl::ReadStream(std::string_view stream, uint64_t max_seq,
                             const Visitor<Event>& visit, uint64_t from_version) {
  const std::string prefix = StreamPrefix(stream);
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kStream]));
  SeqReader events(this);
  for (it->Seek(StreamKey(stream, from_version)); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (it->value().size() != 8) return Status::Corruption("stream index entry is malformed");
    uint64_t seq = GetU64(it->value().data());
    if (seq > max_seq) break;  // versions grow with seq within a stream
    auto rep = events.Read(seq);
    if (!rep.ok()) return rep.status();
    if (!visit(Event(std::move(rep).value()))) return Status::OK();
  }
  return FromRocks(it->status(), "read stream index");
}

Status StoreImpl::ScanLog(const LogRange& range, const Visitor<Event>& visit) {
  const uint64_t until = std::min<uint64_t>(range.until_seq.value_or(UINT64_MAX), last_seq_);
  const uint64_t limit = range.limit.value_or(UINT64_MAX);
  uint64_t count = 0;
  if (!range.stream.empty()) {
    auto from = FirstVersionAfter(range.stream, range.after_seq);
    if (!from.ok()) return from.status();
    return ReadStream(range.stream, until, [&](const Event& e) {
      if (count >= limit) return false;
      ++count;
      return visit(e);
    }, *from);
  }
  rocksdb::ReadOptions ro;
  const auto types = registry();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kLog]));
  for (it->Seek(SeqKey(range.after_seq + 1)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return Status::Corruption("log key is malformed");
    uint64_t seq = GetU64(it->key().data());
    if (seq > until) break;
    if (count >= limit) break;
    auto rep = DecodeLogValue(seq, it->value(), *types);
    if (!rep.ok()) return rep.status();
    ++count;
    if (!visit(Event(std::move(rep).value()))) break;
  }
  return FromRocks(it->status(), "read log");
}

Result<std::vector<StreamInfo>> StoreImpl::ListStreams() {
  std::vector<StreamInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kMeta]));
  for (it->Seek(kStreamMetaPrefix); it->Valid() && it->key().starts_with(kStreamMetaPrefix);
       it->Next()) {
    if (it->value().size() != 16) return Status::Corruption("stream record is malformed");
    StreamInfo info;
    info.name = it->key().ToString().substr(2);
    info.events = GetU64(it->value().data());
    info.last_seq = GetU64(it->value().data() + 8);
    out.push_back(std::move(info));
  }
  ANNALS_RETURN_IF_ERROR(FromRocks(it->status(), "read streams"));
  return out;
}

Result<StreamInfo> StoreImpl::GetStream(std::string_view stream) {
  std::string v;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cfs_[kMeta], StreamMetaKey(stream), &v);
  if (s.IsNotFound()) return Status::NotFound("no stream '" + std::string(stream) + "'");
  ANNALS_RETURN_IF_ERROR(FromRocks(s, "read stream"));
  if (v.size() != 16) return Status::Corruption("stream record is malformed");
  return StreamInfo{std::string(stream), GetU64(v.data()), GetU64(v.data() + 8)};
}

Result<uint64_t> StoreImpl::ResolveKnownAt(const std::string& known_at) {
  const uint64_t last = last_seq_;
  if (known_at.empty()) return last;
  if (known_at[0] == '@') {
    const std::string digits = known_at.substr(1);
    if (digits.empty() || digits.size() > 19 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return Status::InvalidArgument("invalid known-at '" + known_at +
                                     "': expected an instant or @SEQ");
    }
    return std::min<uint64_t>(std::stoull(digits), last);
  }
  auto t = ParseInstant(known_at);
  if (!t.ok()) return t.status();
  // recorded_at grows with seq: binary search the last event recorded at or before t.
  uint64_t lo = 0, hi = last;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    auto rep = ReadEvent(mid);
    if (!rep.ok()) return rep.status();
    if ((*rep)->recorded_at_micros() <= *t) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

}  // namespace internal
}  // namespace annals
