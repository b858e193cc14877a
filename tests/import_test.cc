// Copyright annals authors.
//
// Store::Import: a streamed import (written in chunks beyond the head) is still one
// transaction.  A failure after chunks were written removes them; a process that dies
// mid-import leaves nothing visible, and the next Open removes its chunks.  Also: group
// commit keeps every concurrent append atomic and every event in the chain.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "annals/store.h"
#include "test_util.h"

namespace annals {
namespace {

using test::TempDir;

std::string Line(uint64_t i, const std::string& stream = "s") {
  return R"({"id":"i)" + std::to_string(i) + R"(","stream":")" + stream +
         R"(","type":"fact","effective":"2024-01-01T00:00Z","data":{"key":"k","value":"v)" +
         std::to_string(i) + R"("}})";
}

// Yields events 0..n-1, then fails with `error` if given, or calls `at_end`.
ImportSource Source(uint64_t n, std::optional<Status> error = std::nullopt) {
  auto i = std::make_shared<uint64_t>(0);
  return [=](std::optional<NewEvent>* event, std::string* label) -> Status {
    if (*i == n) return error ? *error : Status::OK();
    auto e = NewEvent::FromJson(Line(*i));
    if (!e.ok()) return e.status();
    event->emplace(std::move(e).value());
    *label = "line " + std::to_string(++*i);
    return Status::OK();
  };
}

class ImportTest : public testing::Test {
 protected:
  std::unique_ptr<Store> Open() {
    Options options;
    options.create_if_missing = true;
    auto s = Store::Open(dir_.Sub("db"), options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static uint64_t Events(Store* store) {
    auto streams = store->ListStreams();
    uint64_t n = 0;
    for (const auto& st : *streams) n += st.events;
    return n;
  }
  TempDir dir_;
};

TEST_F(ImportTest, ALargeImportIsOneTransaction) {
  auto store = Open();
  ASSERT_TRUE(store);
  auto r = store->Import(Source(10000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->added, 10000u);
  EXPECT_EQ(r->first_seq, 1u);
  EXPECT_EQ(r->last_seq, 10000u);
  auto first = store->GetBySeq(1);
  auto last = store->GetBySeq(10000);
  ASSERT_TRUE(first.ok() && last.ok());
  EXPECT_EQ(first->recorded_at(), last->recorded_at());  // one transaction, one instant
  // Importing it again is a no-op (every id already recorded).
  auto again = store->Import(Source(10000));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0u);
  EXPECT_EQ(again->existed, 10000u);
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToJson();
}

TEST_F(ImportTest, AFailureAfterChunksWereWrittenLeavesNothing) {
  auto store = Open();
  ASSERT_TRUE(store);
  std::vector<NewEvent> one;
  one.push_back(std::move(NewEvent::FromJson(Line(99999, "other"))).value());
  ASSERT_TRUE(store->Append(std::move(one), {}).ok());
  auto r = store->Import(Source(9000, Status::InvalidArgument("line 9001: bad")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "line 9001: bad");
  EXPECT_EQ(Events(store.get()), 1u);
  EXPECT_TRUE(store->GetById("i5").status().IsNotFound());
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToJson();
  // The store goes on from where it was.
  auto next = store->Import(Source(10));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->first_seq, 2u);
}

TEST_F(ImportTest, AProcessKilledMidImportLeavesNothingVisible) {
  {
    auto store = Open();
    ASSERT_TRUE(store);
    std::vector<NewEvent> one;
    one.push_back(std::move(NewEvent::FromJson(Line(99999, "other"))).value());
    ASSERT_TRUE(store->Append(std::move(one), {}).ok());
  }
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child imports and dies after two chunks were written, before the commit.
    Options options;
    auto s = Store::Open(dir_.Sub("db"), options);
    if (!s.ok()) _exit(3);
    auto inner = Source(100000);
    uint64_t n = 0;
    (void)(*s)->Import([&](std::optional<NewEvent>* e, std::string* label) {
      if (++n == 9000) _exit(0);
      return inner(e, label);
    });
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(Events(store.get()), 1u);
  EXPECT_TRUE(store->GetById("i5").status().IsNotFound());
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToJson();
  auto next = store->Import(Source(10));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->first_seq, 2u);
}

TEST_F(ImportTest, ConcurrentAppendsShareCommitsAndStayAtomic) {
  auto store = Open();
  ASSERT_TRUE(store);
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<NewEvent> batch;
        // Two events per append; every fifth append reuses an id with other content and
        // must fail as a whole without disturbing the others in its group.
        const std::string stream = "t" + std::to_string(t);
        batch.push_back(std::move(NewEvent::FromJson(Line(t * 1000 + i, stream))).value());
        const uint64_t second = (i % 5 == 4) ? t * 1000 : t * 1000 + 500 + i;
        std::string line = Line(second, stream);
        if (i % 5 == 4) line.replace(line.find(":\"v"), 3, ":\"w");
        batch.push_back(std::move(NewEvent::FromJson(line)).value());
        auto r = store->Append(std::move(batch), {});
        if (!r.ok()) {
          EXPECT_TRUE(r.status().IsConflict()) << r.status().ToString();
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(conflicts.load(), kThreads * kPerThread / 5);
  EXPECT_EQ(Events(store.get()), static_cast<uint64_t>(kThreads * kPerThread / 5 * 4 * 2));
  for (int t = 0; t < kThreads; ++t) {
    // A failed append left neither of its events.
    EXPECT_TRUE(store->GetById("i" + std::to_string(t * 1000 + 4)).status().IsNotFound());
  }
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->ToJson();
}

}  // namespace
}  // namespace annals
