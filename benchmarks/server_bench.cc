// Copyright annals authors.
//
// Durable appends from many clients: `annals serve` against the server a team would
// otherwise run, PostgreSQL 15, in the same run, with the same clients and the same bytes.
//
//   BM_ServeAppend/threads:N     N client threads, each with its own connection to the real
//                                `annals serve` (a child process, on its Unix socket), append
//                                one event at a time to a stream of their own (with its
//                                expected version); each append is acknowledged once durable
//                                (fsync; concurrent appends share fsyncs: group commit).
//   BM_PostgresInsert/threads:N  N client threads, each with its own libpq connection (TCP,
//                                loopback) to a PostgreSQL 15 the benchmark starts in a
//                                temporary directory (initdb, pg_ctl; as the `postgres` user
//                                when run as root, since PostgreSQL refuses root); one INSERT
//                                per durable append (autocommit, synchronous_commit=on) into
//                                events(stream, version, body bytea, UNIQUE (stream, version)),
//                                body being the event's JSON line annals parses.
//   BM_FollowLatency/threads:16  the 16-client annals load with one subscriber (Store::Follow,
//                                as `log --follow`): from the moment an appender calls Append
//                                to the moment the subscriber has the event, p50 and p99.
//
// items_per_second is durable appends per second over all clients.

#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "annals/server.h"
#include "annals/store.h"
#include "bench_util.h"

#ifndef ANNALS_CLI
#error "ANNALS_CLI must name the annals binary"
#endif

namespace {

constexpr char kPgBin[] = "/usr/lib/postgresql/15/bin";

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The event every client appends: the same bytes for annals and PostgreSQL (its `text`
// carries a number: the time it was sent, for the latency benchmark).
std::string EventLine(const std::string& stream, int64_t mark) {
  return R"({"stream":")" + stream +
         R"(","type":"partner_talks","effective":"2025-02-11~","confidence":"reported",)"
         R"("source":{"publisher":"The Information","url":"https://example.org/a/1"},)"
         R"("recorded_by":"analyst","data":{"partner":"Alibaba","status":"ongoing",)"
         R"("reason":"model provider for Apple Intelligence in China )" +
         std::to_string(mark) + R"("}})";
}

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

// ---- annals serve, a child process ----

class AnnalsServer {
 public:
  static AnnalsServer& Get() {
    static AnnalsServer server;
    return server;
  }
  const std::string& db() const { return db_; }
  bool ok() const { return pid_ >= 0; }

 private:
  AnnalsServer() {
    // ANNALS_BENCH_SERVE_DB: use the server already serving that store (for profiling it).
    if (const char* db = std::getenv("ANNALS_BENCH_SERVE_DB")) {
      db_ = db;
      pid_ = 0;
      return;
    }
    db_ = annals::bench::FreshPath("serve-bench");
    int out[2];
    if (::pipe(out) != 0) return;
    // No PR_SET_PDEATHSIG: it fires when the creating *thread* exits, and a benchmark
    // thread starts this server; the destructor stops it at exit.
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::execl(ANNALS_CLI, ANNALS_CLI, "--db", db_.c_str(), "--quiet", "serve", "--format", "json",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    char buf[4096];
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 20000) <= 0 || ::read(out[0], buf, sizeof(buf)) <= 0) pid_ = -1;
    ::close(out[0]);
  }
  ~AnnalsServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      std::filesystem::remove_all(db_);
    }
  }
  std::string db_;
  pid_t pid_ = -1;
};

std::unique_ptr<annals::Store> Connect(benchmark::State& state) {
  auto& server = AnnalsServer::Get();
  if (!server.ok()) {
    state.SkipWithError("annals serve did not start");
    return nullptr;
  }
  auto store = annals::ConnectToStoreServer(server.db(), annals::ClientOptions());
  if (!store.ok() || *store == nullptr) {
    state.SkipWithError(("cannot connect to annals serve: " +
                         (store.ok() ? std::string("no server recorded") : store.status().ToString()))
                            .c_str());
    return nullptr;
  }
  return std::move(store).value();
}

// One durable append of one event by one client.
bool AppendOne(annals::Store& store, const annals::EventTypes& types, const std::string& stream,
               uint64_t version, int64_t mark, benchmark::State& state) {
  auto event = annals::NewEvent::FromJson(EventLine(stream, mark), types);
  if (!event.ok()) {
    state.SkipWithError(event.status().ToString().c_str());
    return false;
  }
  std::vector<annals::NewEvent> events;
  events.push_back(std::move(event).value());
  annals::AppendOptions options;
  options.expected_versions[stream] = version - 1;
  auto r = store.Append(std::move(events), options);
  if (!r.ok()) {
    state.SkipWithError(r.status().ToString().c_str());
    return false;
  }
  return true;
}

std::string ThreadStream(const benchmark::State& state, const char* what) {
  static std::atomic<int> run{0};
  return std::string(what) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(state.threads()) + "-" + std::to_string(state.thread_index()) + "-" +
         std::to_string(run++);
}

void BM_ServeAppend(benchmark::State& state) {
  auto store = Connect(state);
  if (store == nullptr) return;
  const annals::EventTypes types = store->Types();
  const std::string stream = ThreadStream(state, "serve");
  uint64_t version = 0;
  for (auto _ : state) {
    if (!AppendOne(*store, types, stream, ++version, 0, state)) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(version));
}

// ---- PostgreSQL 15, started here ----

class Postgres {
 public:
  static Postgres& Get() {
    static Postgres pg;
    return pg;
  }
  const std::string& conninfo() const { return conninfo_; }
  const std::string& error() const { return error_; }

 private:
  Postgres() {
    if (::access((std::string(kPgBin) + "/initdb").c_str(), X_OK) != 0) {
      error_ = "PostgreSQL 15 is not installed (apt-get install postgresql libpq-dev)";
      return;
    }
    char templ[] = "/tmp/annals-bench-pg-XXXXXX";
    if (::mkdtemp(templ) == nullptr) {
      error_ = "mkdtemp failed";
      return;
    }
    dir_ = templ;
    // PostgreSQL refuses to run as root: then it runs as the `postgres` user (made by
    // Debian's package), else as `nobody`.
    if (::geteuid() == 0) {
      const char* user = ::getpwnam("postgres") != nullptr ? "postgres" : "nobody";
      as_ = std::string("runuser -u ") + user + " -- ";
      Sh("chown " + std::string(user) + " '" + dir_ + "'");
    }
    const int port = FreePort();
    const std::string data = dir_ + "/data";
    if (Sh(as_ + kPgBin + "/initdb -D '" + data + "' -U bench -A trust -E UTF8 --no-locale " +
           ">'" + dir_ + "/initdb.log' 2>&1") != 0) {
      error_ = "initdb failed (see " + dir_ + "/initdb.log)";
      return;
    }
    const std::string options = "-c port=" + std::to_string(port) +
                                " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" +
                                dir_ + " -c fsync=on -c synchronous_commit=on" +
                                " -c max_connections=200 -c shared_buffers=256MB";
    if (Sh(as_ + kPgBin + "/pg_ctl -D '" + data + "' -l '" + dir_ + "/server.log' -o '" +
           options + "' -w start >/dev/null") != 0) {
      error_ = "pg_ctl start failed (see " + dir_ + "/server.log)";
      return;
    }
    started_ = true;
    conninfo_ = "host=127.0.0.1 port=" + std::to_string(port) + " user=bench dbname=postgres";
    PGconn* c = PQconnectdb(conninfo_.c_str());
    PGresult* r = PQexec(c, "CREATE TABLE events (stream text NOT NULL, version bigint NOT NULL,"
                            " body bytea NOT NULL, UNIQUE (stream, version))");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error_ = PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }
  ~Postgres() {
    if (started_) {
      Sh(as_ + kPgBin + "/pg_ctl -D '" + dir_ + "/data' -m immediate stop >/dev/null 2>&1");
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  static int FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
  }

  std::string dir_, as_, conninfo_, error_;
  bool started_ = false;
};

void BM_PostgresInsert(benchmark::State& state) {
  static std::mutex setup;  // one Postgres, started by the first thread that needs it
  Postgres* pg;
  {
    std::lock_guard<std::mutex> lock(setup);
    pg = &Postgres::Get();
  }
  if (!pg->error().empty()) {
    state.SkipWithError(pg->error().c_str());
    return;
  }
  PGconn* c = PQconnectdb(pg->conninfo().c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    state.SkipWithError(PQerrorMessage(c));
    PQfinish(c);
    return;
  }
  PQclear(PQprepare(c, "append", "INSERT INTO events (stream, version, body) VALUES ($1, $2, $3)",
                    3, nullptr));
  const std::string stream = ThreadStream(state, "pg");
  uint64_t version = 0;
  for (auto _ : state) {
    const std::string v = std::to_string(++version);
    const std::string body = EventLine(stream, 0);
    const char* values[] = {stream.c_str(), v.c_str(), body.data()};
    const int lengths[] = {0, 0, static_cast<int>(body.size())};
    const int formats[] = {0, 0, 1};
    PGresult* r = PQexecPrepared(c, "append", 3, values, lengths, formats, 0);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
      state.SkipWithError(PQerrorMessage(c));
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(version));
  PQfinish(c);
}

// ---- subscription latency under the annals load ----

struct Subscriber {
  std::thread thread;
  std::atomic<bool> stop{false};
  std::vector<int64_t> latencies;  // ns, from the append call to delivery
};
Subscriber* subscriber = nullptr;

void BM_FollowLatency(benchmark::State& state) {
  auto store = Connect(state);
  if (store == nullptr) return;
  if (state.thread_index() == 0) {
    subscriber = new Subscriber();
    auto follower = Connect(state);
    auto head = follower->ListStreams();
    annals::LogRange range;
    for (const auto& s : *head) range.after_seq = std::max(range.after_seq, s.last_seq);
    subscriber->thread = std::thread([follower = std::move(follower), range]() mutable {
      annals::FollowOptions options;
      options.poll_micros = 50000;
      options.keep_going = [] { return !subscriber->stop.load(); };
      (void)follower->Follow(range, [](const annals::Event& e) {
        const std::string data = e.DataJson();
        const size_t digits = data.find_last_of(' ');
        subscriber->latencies.push_back(NowNanos() - std::atoll(data.c_str() + digits + 1));
        return !subscriber->stop.load();
      }, options);
    });
  }
  const annals::EventTypes types = store->Types();
  const std::string stream = ThreadStream(state, "follow");
  uint64_t version = 0;
  for (auto _ : state) {
    if (!AppendOne(*store, types, stream, ++version, NowNanos(), state)) break;
  }
  state.SetItemsProcessed(static_cast<int64_t>(version));
  if (state.thread_index() == 0) {
    // Every appender is done (the loop ends together); the last events arrive, then stop.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    subscriber->stop = true;
    subscriber->thread.join();
    auto& l = subscriber->latencies;
    std::sort(l.begin(), l.end());
    if (!l.empty()) {
      state.counters["p50_us"] = l[l.size() / 2] / 1000.0;
      state.counters["p99_us"] = l[std::min(l.size() - 1, l.size() * 99 / 100)] / 1000.0;
      state.counters["delivered"] = static_cast<double>(l.size());
    }
    delete subscriber;
    subscriber = nullptr;
  }
}

}  // namespace

BENCHMARK(BM_ServeAppend)->Threads(1)->Threads(4)->Threads(16)->Threads(64)->UseRealTime()
    ->MinTime(3);
BENCHMARK(BM_PostgresInsert)->Threads(1)->Threads(4)->Threads(16)->Threads(64)->UseRealTime()
    ->MinTime(3);
BENCHMARK(BM_FollowLatency)->Threads(16)->UseRealTime()->MinTime(3);

BENCHMARK_MAIN();
