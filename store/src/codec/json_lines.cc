// Copyright annals authors.
//
// JsonLinesReader (annals/json_lines.h).
//
// Batches live in `batches_`, oldest first, from the moment the consumer reads them until
// it has handed out their last event; only the consumer's thread touches that deque.  A
// batch is parsed exactly once, by whoever takes it off `queue_` (a parser thread, or the
// consumer when the batch it needs next is still there).  The state of a batch and
// `queue_` are guarded by `mu_`; a batch's lines and results belong to the thread that
// took it off the queue until it marks the batch done, then to the consumer.

#include "annals/json_lines.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace annals {

namespace {

struct Batch {
  enum class State { kQueued, kParsing, kDone };
  State state = State::kQueued;  // guarded by Rep::mu
  bool seen_done = false;        // consumer only: state was kDone when it last looked

  std::vector<std::string> lines;  // input, freed once parsed
  std::vector<uint64_t> line_nos;  // of lines (events[i] is from line line_nos[i])
  std::vector<NewEvent> events;    // parsed from the lines before the first bad one
  Status error;                    // of the first bad line, with its "line N: " prefix
  size_t next = 0;                 // consumer only: the next event to hand out
};

void Parse(Batch* b, const JsonLinesOptions& options) {
  const EventTypes& types = *options.types;
  b->events.reserve(b->lines.size());
  for (size_t i = 0; i < b->lines.size(); ++i) {
    auto parsed = options.from_export ? NewEvent::FromExportJson(b->lines[i], types)
                                      : NewEvent::FromJson(b->lines[i], types);
    if (!parsed.ok()) {
      b->error = parsed.status().WithPrefix("line " + std::to_string(b->line_nos[i]));
      break;
    }
    b->events.push_back(std::move(parsed).value());
  }
  std::vector<std::string>().swap(b->lines);
}

int DefaultThreads() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores - 1, 1, 3);
}

}  // namespace

struct JsonLinesReader::Rep {
  LineSource next_line;
  JsonLinesOptions options;

  std::mutex mu;
  std::condition_variable work_cv;  // parser threads: a batch was queued, or stop
  std::condition_variable done_cv;  // consumer: a batch is done
  std::deque<Batch*> queue;         // guarded by mu: batches nobody parses yet, oldest first
  bool stop = false;                // guarded by mu
  std::vector<std::thread> threads;

  // Consumer only.
  std::deque<std::unique_ptr<Batch>> batches;
  bool input_done = false;
  uint64_t lines_read = 0;
  bool finished = false;
  Status final_status;

  void Work() {
    for (;;) {
      Batch* b;
      {
        std::unique_lock<std::mutex> lock(mu);
        work_cv.wait(lock, [&] { return stop || !queue.empty(); });
        if (stop) return;
        b = queue.front();
        queue.pop_front();
        b->state = Batch::State::kParsing;
      }
      Parse(b, options);
      {
        std::lock_guard<std::mutex> lock(mu);
        b->state = Batch::State::kDone;
      }
      done_cv.notify_one();
    }
  }

  // Reads batches until `batches_ahead` are waiting or the input ends.
  void Fill() {
    std::string line;
    while (!input_done && batches.size() < options.batches_ahead) {
      auto b = std::make_unique<Batch>();
      size_t bytes = 0;
      while (b->lines.size() < options.batch_lines && bytes < options.batch_bytes) {
        if (!next_line(&line)) {
          input_done = true;
          break;
        }
        ++lines_read;
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        bytes += line.size();
        b->lines.push_back(std::move(line));
        b->line_nos.push_back(lines_read);
      }
      if (b->lines.empty()) continue;
      {
        std::lock_guard<std::mutex> lock(mu);
        queue.push_back(b.get());
      }
      batches.push_back(std::move(b));
      work_cv.notify_one();
    }
  }

  // Waits until the oldest batch is parsed, parsing it here if no thread has taken it.
  void AwaitFront() {
    Batch* b = batches.front().get();
    if (b->seen_done) return;
    std::unique_lock<std::mutex> lock(mu);
    if (b->state == Batch::State::kQueued) {
      // The queue is in input order and every batch before b is consumed: b is first.
      queue.pop_front();
      b->state = Batch::State::kParsing;
      lock.unlock();
      Parse(b, options);
      lock.lock();
      b->state = Batch::State::kDone;
    }
    done_cv.wait(lock, [&] { return b->state == Batch::State::kDone; });
    b->seen_done = true;
  }

  void StopThreads() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    work_cv.notify_all();
    for (auto& t : threads) t.join();
    threads.clear();
  }
};

JsonLinesReader::JsonLinesReader(LineSource next_line, JsonLinesOptions options)
    : rep_(std::make_unique<Rep>()) {
  rep_->next_line = std::move(next_line);
  options.batch_lines = std::max<size_t>(1, options.batch_lines);
  options.batch_bytes = std::max<size_t>(1, options.batch_bytes);
  options.batches_ahead = std::max<size_t>(1, options.batches_ahead);
  if (options.threads < 0) options.threads = DefaultThreads();
  if (options.types == nullptr) options.types = &EventTypes::BuiltIn();
  rep_->options = options;
  for (int i = 0; i < options.threads; ++i) {
    rep_->threads.emplace_back([rep = rep_.get()] { rep->Work(); });
  }
}

JsonLinesReader::~JsonLinesReader() { rep_->StopThreads(); }

Status JsonLinesReader::Next(std::optional<NewEvent>* event, uint64_t* line_no) {
  Rep& r = *rep_;
  event->reset();
  while (!r.finished) {
    r.Fill();
    if (r.batches.empty()) {  // end of input, every event handed out
      r.finished = true;
      break;
    }
    r.AwaitFront();
    Batch& b = *r.batches.front();
    if (b.next < b.events.size()) {
      *line_no = b.line_nos[b.next];
      event->emplace(std::move(b.events[b.next++]));
      return Status::OK();
    }
    if (!b.error.ok()) {
      r.finished = true;
      r.final_status = b.error;
      break;
    }
    r.batches.pop_front();
  }
  // Nothing more will be needed: let the threads go and drop what was read ahead.
  r.StopThreads();
  r.batches.clear();
  return r.final_status;
}

}  // namespace annals
