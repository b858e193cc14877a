// Copyright annals authors.
//
// ComparePeers (annals/cluster.h): `annals verify --peers`.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "annals/cluster.h"
#include "annals/text.h"

namespace annals {

namespace {

// The hash of every peer's event `seq` (all hold it).
Result<std::vector<std::string>> HashesAt(
    const std::vector<std::pair<std::string, Store*>>& peers, uint64_t seq) {
  std::vector<std::string> out;
  for (const auto& [name, store] : peers) {
    auto e = store->GetBySeq(seq);
    if (!e.ok()) return e.status().WithPrefix(name);
    out.emplace_back(e->hash());
  }
  return out;
}

bool AllEqual(const std::vector<std::string>& v) {
  return std::all_of(v.begin(), v.end(), [&](const std::string& h) { return h == v.front(); });
}

}  // namespace

std::string PeerComparison::ToJson() const {
  std::string out = "{\"ok\": ";
  out += ok() ? "true" : "false";
  out += ", \"heads\": [";
  for (size_t i = 0; i < heads.size(); ++i) {
    if (i) out += ", ";
    out += "{\"peer\": " + JsonQuote(heads[i].name) + ", \"seq\": " +
           std::to_string(heads[i].seq) + ", \"hash\": " +
           (heads[i].hash.empty() ? std::string("null") : JsonQuote(heads[i].hash)) + "}";
  }
  out += "], \"first_divergence\": ";
  out += first_divergence ? std::to_string(first_divergence) : "null";
  out += ", \"problem\": ";
  out += problem.empty() ? std::string("null") : JsonQuote(problem);
  out += "}";
  return out;
}

Result<PeerComparison> ComparePeers(const std::vector<std::pair<std::string, Store*>>& peers) {
  PeerComparison out;
  uint64_t common = UINT64_MAX;
  for (const auto& [name, store] : peers) {
    PeerHead head;
    head.name = name;
    auto streams = store->ListStreams();
    if (!streams.ok()) return streams.status().WithPrefix(name);
    for (const auto& s : *streams) head.seq = std::max(head.seq, s.last_seq);
    if (head.seq > 0) {
      auto e = store->GetBySeq(head.seq);
      if (!e.ok()) return e.status().WithPrefix(name);
      head.hash = std::string(e->hash());
    }
    common = std::min(common, head.seq);
    out.heads.push_back(std::move(head));
  }
  if (peers.size() < 2 || common == 0) return out;
  auto at = HashesAt(peers, common);
  if (!at.ok()) return at.status();
  if (AllEqual(*at)) return out;  // a hash covers every event before it
  // The first seq whose hashes differ: they agree below it and differ from it on.
  uint64_t lo = 0, hi = common;  // agree at lo (0: nothing), differ at hi
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    auto h = HashesAt(peers, mid);
    if (!h.ok()) return h.status();
    (AllEqual(*h) ? lo : hi) = mid;
  }
  auto h = HashesAt(peers, hi);
  if (!h.ok()) return h.status();
  out.first_divergence = hi;
  out.problem = "the nodes hold different events at seq " + std::to_string(hi) + ":";
  for (size_t i = 0; i < peers.size(); ++i) {
    out.problem += (i ? ", " : " ") + peers[i].first + " has hash " + (*h)[i];
  }
  return out;
}

}  // namespace annals
