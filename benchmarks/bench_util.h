// Copyright annals authors.
//
// Helpers shared by the benchmarks: temporary stores, synthetic streams, percentiles.
// Stores built for a benchmark are cached under $TMPDIR/annals-bench (keyed by what they
// hold), so a second run does not rebuild a million-event stream.

#ifndef ANNALS_BENCHMARKS_BENCH_UTIL_H_
#define ANNALS_BENCHMARKS_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "annals/store.h"

namespace annals {
namespace bench {

// ANNALS_BENCH_SCALE (default 1) divides the big sizes (1M events) for a quick run.
inline uint64_t Scaled(uint64_t n) {
  const char* s = std::getenv("ANNALS_BENCH_SCALE");
  const uint64_t div = s && *s ? std::max<uint64_t>(1, std::strtoull(s, nullptr, 10)) : 1;
  return std::max<uint64_t>(1000, n / div);
}

inline std::string BenchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = std::string(tmp && *tmp ? tmp : "/tmp") + "/annals-bench";
  std::filesystem::create_directories(base);
  return base;
}

inline std::string FreshPath(const std::string& name) {
  std::string path = BenchDir() + "/" + name;
  std::filesystem::remove_all(path);
  return path;
}

// The valid time of event i of a synthetic stream: one event a minute from 2020-01-01,
// and (unless `in_order`) every tenth one a whole day ("2020-03-04~"), so some are
// tentative at an as-of, and back-dated: a day starts before the minutes recorded so far.
inline std::string EffectiveOf(uint64_t i, bool in_order = false) {
  const int64_t base = 1577836800LL * 1000000;  // 2020-01-01T00:00:00Z
  std::string t = FormatInstant(base + static_cast<int64_t>(i) * 60 * 1000000);
  if (i % 10 == 3 && !in_order) return t.substr(0, 10) + "~";
  return t.substr(0, 16) + "Z";  // YYYY-MM-DDTHH:MMZ
}

inline int64_t ValidTimeOf(uint64_t i) {
  return 1577836800LL * 1000000 + static_cast<int64_t>(i) * 60 * 1000000;
}

// Event i of stream `stream` as a JSON line (import shape).
inline std::string EventLineAt(const std::string& stream, uint64_t i,
                               const std::string& effective) {
  static const char* kPartners[] = {"Baidu", "Tencent", "ByteDance", "Alibaba"};
  static const char* kStatus[] = {"opened", "ongoing", "stalled", "ended"};
  std::string id = stream + "-" + std::to_string(i);
  std::string head = R"({"id":")" + id + R"(","stream":")" + stream + R"(","effective":")" +
                     effective + R"(","source":{"publisher":"The Information"},)";
  switch (i % 4) {
    case 0:
    case 1:
      return head + R"("type":"partner_talks","data":{"partner":")" + kPartners[i % 4] +
             R"(","status":")" + kStatus[(i / 4) % 4] + R"(","reason":"data handling"}})";
    case 2:
      return head + R"("type":"fact","data":{"key":"k)" + std::to_string(i % 50) +
             R"(","value":"v)" + std::to_string(i) + R"("}})";
    default:
      return head + R"("type":"note","data":{"text":"analyst note )" + std::to_string(i) +
             R"("}})";
  }
}

inline std::string EventLine(const std::string& stream, uint64_t i, bool in_order = false) {
  return EventLineAt(stream, i, EffectiveOf(i, in_order));
}

// The valid times of a stream recorded in the order it was reported, not the order it
// happened: event i happened at minute order[i] of a random permutation (fixed seed).
inline std::vector<uint64_t> ReportOrder(uint64_t n) {
  std::vector<uint64_t> order(n);
  for (uint64_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(7);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

// A correction of event i of `stream` (new data; every third also moves it an hour).
inline std::string CorrectionLine(const std::string& stream, uint64_t i) {
  std::string target = stream + "-" + std::to_string(i);
  std::string data = (i % 4 == 2) ? R"({"value":"corrected"})" : R"({})";
  std::string eff = (i % 3 == 0) ? R"(,"effective":")" + EffectiveOf(i + 60) + R"(")" : "";
  if (data == "{}" && eff.empty()) eff = R"(,"effective":")" + EffectiveOf(i + 1) + R"(")";
  std::string out = R"({"stream":")" + stream + R"(","type":"correction","data":{"target":")" +
                    target + R"(")" + eff;
  if (data != "{}") out += R"(,"data":)" + data;
  return out + R"(,"reason":"fix"}})";
}

inline bool AppendLines(Store* store, const std::vector<std::string>& lines) {
  std::vector<NewEvent> events;
  events.reserve(lines.size());
  for (const auto& l : lines) {
    auto e = NewEvent::FromJson(l);
    if (!e.ok()) {
      std::fprintf(stderr, "bad benchmark event: %s\n%s\n", e.status().ToString().c_str(),
                   l.c_str());
      return false;
    }
    events.push_back(std::move(e).value());
  }
  auto r = store->Append(std::move(events), AppendOptions());
  if (!r.ok()) std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
  return r.ok();
}

// Opens (building it once) a store with stream "s" of `n` events, and corrections of
// `corrected_per_mille`/1000 of them appended after.
inline std::string StreamPath(uint64_t n, int corrected_per_mille, bool in_order = false) {
  return BenchDir() + "/stream-" + std::to_string(n) + "-c" +
         std::to_string(corrected_per_mille) + (in_order ? "-inorder" : "");
}

inline std::unique_ptr<Store> CachedStream(uint64_t n, int corrected_per_mille,
                                           bool in_order = false) {
  const std::string path = StreamPath(n, corrected_per_mille, in_order);
  Options options;
  options.create_if_missing = true;
  options.sync = false;
  const bool exists = std::filesystem::exists(path + "/DONE");
  if (!exists) std::filesystem::remove_all(path);
  auto store = Store::Open(path, options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return nullptr;
  }
  if (exists) return std::move(store).value();
  std::vector<std::string> lines;
  for (uint64_t i = 0; i < n; ++i) {
    lines.push_back(EventLine("s", i, in_order));
    if (lines.size() == 1000 || i + 1 == n) {
      if (!AppendLines(store->get(), lines)) return nullptr;
      lines.clear();
    }
  }
  if (corrected_per_mille > 0) {
    for (uint64_t i = 0; i < n; ++i) {
      if ((i * 7919) % 1000 < static_cast<uint64_t>(corrected_per_mille)) {
        lines.push_back(CorrectionLine("s", i));
      }
      if (lines.size() == 1000 || (i + 1 == n && !lines.empty())) {
        if (!AppendLines(store->get(), lines)) return nullptr;
        lines.clear();
      }
    }
  }
  std::FILE* f = std::fopen((path + "/DONE").c_str(), "w");
  if (f) std::fclose(f);
  return std::move(store).value();
}

// Opens (building it once) a store with stream "s" of `n` events with random valid times
// (ReportOrder).
inline std::string ShuffledPath(uint64_t n) {
  return BenchDir() + "/stream-" + std::to_string(n) + "-shuffled";
}

inline std::unique_ptr<Store> CachedShuffledStream(uint64_t n) {
  const std::string path = ShuffledPath(n);
  Options options;
  options.create_if_missing = true;
  options.sync = false;
  const bool exists = std::filesystem::exists(path + "/DONE");
  if (!exists) std::filesystem::remove_all(path);
  auto store = Store::Open(path, options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return nullptr;
  }
  if (exists) return std::move(store).value();
  const std::vector<uint64_t> order = ReportOrder(n);
  std::vector<std::string> lines;
  for (uint64_t i = 0; i < n; ++i) {
    lines.push_back(EventLineAt("s", i, EffectiveOf(order[i], /*in_order=*/true)));
    if (lines.size() == 1000 || i + 1 == n) {
      if (!AppendLines(store->get(), lines)) return nullptr;
      lines.clear();
    }
  }
  std::FILE* f = std::fopen((path + "/DONE").c_str(), "w");
  if (f) std::fclose(f);
  return std::move(store).value();
}

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

inline double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace bench
}  // namespace annals

#endif  // ANNALS_BENCHMARKS_BENCH_UTIL_H_
