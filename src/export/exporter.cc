#include "export/exporter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "common/log.h"

namespace otelhouse {
namespace {

bool writeFile(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == data.size() && ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Exporter::Exporter(Sink& sink, Wal& wal, ExporterOptions options)
    : sink_(sink), wal_(wal), options_(std::move(options)) {}

Exporter::~Exporter() { stop(); }

void Exporter::start(WalRecovery recovered) {
  std::lock_guard lock(mu_);
  if (running_) return;
  for (auto& b : recovered.batches) replay_.push_back(std::move(b));
  const auto now = std::chrono::steady_clock::now();
  started_ = now;
  for (auto& ref : recovered.unbatched) {
    TableQueue& q = queues_[ref.table];
    if (q.records.empty()) q.first = now;
    noteArrival(q, now);
    q.rows += ref.rows;
    q.bytes += ref.size;
    q.records.push_back(std::move(ref));
  }
  if (!replay_.empty() || !recovered.unbatched.empty())
    LOG_INFO("exporting what the last run left: %zu intended batches, %zu records",
             replay_.size(), recovered.unbatched.size());
  running_ = true;
  stopping_ = false;
  // What was left over is due now, not after a timeout.
  if (!recovered.unbatched.empty()) ++flush_requests_;
  thread_ = std::thread([this] { run(); });
}

Status Exporter::append(const std::vector<Wal::Entry>& entries) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !running_) return Status::unavailable("the gateway is shutting down");
  }
  std::vector<WalDataRef> refs;
  Status st = wal_.append(entries, &refs);
  if (!st.isOk()) {
    // Nothing was acked; whatever the WAL's trouble (disk full, an I/O
    // error), the client's data is fine and a retry may well succeed.
    if (st.code() == Code::kResourceExhausted || st.code() == Code::kUnavailable) return st;
    return Status::unavailable(st.message());
  }
  std::lock_guard lock(mu_);
  bool due = false;
  const auto now = std::chrono::steady_clock::now();
  for (auto& ref : refs) {
    if (ref.rows == 0) continue;
    TableQueue& q = queues_[ref.table];
    if (q.records.empty()) q.first = now;
    noteArrival(q, now);
    q.rows += ref.rows;
    q.bytes += ref.size;
    due = due || q.rows >= options_.batch_rows || q.bytes >= options_.batch_bytes;
    q.records.push_back(std::move(ref));
  }
  if (due) cv_.notify_one();
  return Status::ok();
}

void Exporter::noteArrival(TableQueue& q, std::chrono::steady_clock::time_point t) {
  if (!q.arrivals.empty() && q.arrivals.back().second == t) ++q.arrivals.back().first;
  else q.arrivals.emplace_back(1, t);
}

std::map<std::string, ExporterTableStats> Exporter::tableStats() const {
  std::lock_guard lock(table_stats_mu_);
  return table_stats_;
}

double Exporter::oldestUnexportedSeconds() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  auto oldest = now;
  if (exporting_) oldest = std::min(oldest, exporting_since_);
  if (!replay_.empty()) oldest = std::min(oldest, started_);
  for (auto& [table, q] : queues_)
    if (!q.arrivals.empty()) oldest = std::min(oldest, q.arrivals.front().second);
  return std::chrono::duration<double>(now - oldest).count();
}

uint64_t Exporter::backlogRows() {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (auto& [t, q] : queues_) n += q.rows;
  for (auto& b : replay_)
    for (auto& r : b.records) n += r.rows;
  return n;
}

void Exporter::flush() {
  std::unique_lock lock(mu_);
  if (!running_) return;
  uint64_t ticket = ++flush_requests_;
  cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return flush_done_ >= ticket || !running_; });
}

void Exporter::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + options_.shutdown_grace;
    ++flush_requests_;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
  flushed_cv_.notify_all();
}

bool Exporter::takeDue(bool flushing, WalBatch* batch, std::chrono::steady_clock::time_point* next) {
  const auto now = std::chrono::steady_clock::now();
  if (!replay_.empty()) {
    *batch = std::move(replay_.front());
    replay_.pop_front();
    exporting_ = true;
    exporting_since_ = started_;
    return true;
  }
  for (auto& [table, q] : queues_) {
    if (q.records.empty()) continue;
    if (flushing || q.rows >= options_.batch_rows || q.bytes >= options_.batch_bytes ||
        now - q.first >= options_.timeout) {
      batch->table = table;
      batch->records.clear();
      size_t rows = 0, bytes = 0;
      while (!q.records.empty()) {
        const WalDataRef& r = q.records.front();
        if (!batch->records.empty() &&
            (rows + r.rows > options_.batch_rows || bytes + r.size > options_.batch_bytes))
          break;
        rows += r.rows;
        bytes += r.size;
        batch->records.push_back(std::move(q.records.front()));
        q.records.pop_front();
      }
      q.rows -= rows;
      q.bytes -= bytes;
      q.first = now;
      exporting_ = true;
      exporting_since_ = q.arrivals.empty() ? now : q.arrivals.front().second;
      for (size_t taken = batch->records.size(); taken > 0 && !q.arrivals.empty();) {
        auto& front = q.arrivals.front();
        const size_t n = std::min(taken, front.first);
        front.first -= n;
        taken -= n;
        if (front.first == 0) q.arrivals.pop_front();
      }
      return true;
    }
    *next = std::min(*next, q.first + options_.timeout);
  }
  return false;
}

void Exporter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    const bool flushing = flush_done_ < flush_requests_;
    WalBatch batch;
    auto next = std::chrono::steady_clock::now() + options_.timeout;
    if (takeDue(flushing, &batch, &next)) {
      const bool keep_intent = batch.intent_lsn != 0;
      lock.unlock();
      bool finished = true;
      if (!keep_intent) {
        finished = retryWal("recording a batch intent", [&] {
          auto intent = wal_.appendIntent(batch.table, batch.records);
          if (intent.isOk()) batch.intent_lsn = intent.value();
          return intent.status();
        });
      }
      if (finished) finished = exportBatch(batch);
      if (finished && keep_intent) stats_.batches_resent++;
      lock.lock();
      exporting_ = false;
      if (!finished) {
        // Stopping with a failing sink: the batch stays in the WAL (as an
        // intent, if it got that far) for the next start.
        flush_done_ = flush_requests_;
        flushed_cv_.notify_all();
        return;
      }
      continue;
    }
    if (flushing) {
      flush_done_ = flush_requests_;
      flushed_cv_.notify_all();
      if (stopping_) return;
      continue;
    }
    cv_.wait_until(lock, next);
  }
}

bool Exporter::sleepUnlessStopping(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  auto until = std::chrono::steady_clock::now() + d;
  if (stopping_) until = std::min(until, stop_deadline_);
  cv_.wait_until(lock, until, [&] { return stopping_ && std::chrono::steady_clock::now() >= stop_deadline_; });
  return !(stopping_ && std::chrono::steady_clock::now() >= stop_deadline_);
}

template <class Op>
bool Exporter::retryWal(const char* what, Op&& op) {
  auto backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    Status st = op();
    if (st.isOk()) {
      if (attempt > 1) LOG_INFO("%s succeeded after %d attempts", what, attempt);
      return true;
    }
    stats_.wal_retries++;
    LOG_ERROR("%s in the WAL failed (attempt %d), retrying in %lld ms: %s", what, attempt,
              static_cast<long long>(backoff.count()), st.message().c_str());
    if (!sleepUnlessStopping(backoff)) return false;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

bool Exporter::exportBatch(WalBatch& batch) {
  std::string native;
  size_t rows = 0, bytes = 0;
  for (const auto& r : batch.records) {
    bytes += r.size;
    rows += r.rows;
  }
  const bool read = retryWal("reading a batch back", [&] {
    native.clear();
    native.reserve(bytes);  // one allocation: growing by doubling copied the batch again
    for (auto& r : batch.records)
      if (Status st = wal_.read(r, native); !st.isOk()) return st;
    return Status::ok();
  });
  if (!read) return false;
  const std::string token = walBatchToken(wal_.id(), batch);
  auto backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    InsertOutcome out = native.empty() ? InsertOutcome::ok() : sink_.insert(batch.table, native, token);
    bool stored = false;
    switch (out.verdict()) {
      case InsertVerdict::kOk: {
        stats_.rows_exported += rows;
        stats_.batches_exported++;
        stats_.last_retry_engine_code = 0;
        {
          std::lock_guard stats_lock(table_stats_mu_);
          ExporterTableStats& t = table_stats_[batch.table];
          t.rows_exported += rows;
          t.bytes_exported += native.size();
          t.batches_exported++;
        }
        if (attempt > 1)
          LOG_INFO("insert of %zu rows into %s succeeded after %d attempts", rows, batch.table.c_str(), attempt);
        LOG_DEBUG("exported %zu rows (%zu bytes) into %s", rows, native.size(), batch.table.c_str());
        struct stat crash;
        if (!options_.crash_after_insert_file.empty() &&
            ::stat(options_.crash_after_insert_file.c_str(), &crash) == 0) {
          LOG_WARN("testing: killing the process between insert and done");
          ::raise(SIGKILL);
        }
        stored = true;
        break;
      }
      case InsertVerdict::kRejected:
        if (deadLetter(batch, native, out)) {
          stats_.batches_dead_lettered++;
          stats_.rows_dead_lettered += rows;
          std::lock_guard stats_lock(table_stats_mu_);
          ExporterTableStats& t = table_stats_[batch.table];
          t.batches_dead_lettered++;
          t.rows_dead_lettered += rows;
          stored = true;
        } else {
          stats_.dead_letter_write_failures++;
          LOG_ERROR("%zu rows for %s stay in the WAL until their dead letter can be written; "
                    "retrying in %lld ms",
                    rows, batch.table.c_str(), static_cast<long long>(backoff.count()));
        }
        break;
      case InsertVerdict::kRetryLater:
        stats_.retries++;
        stats_.last_retry_engine_code = out.engineCode();
        {
          std::lock_guard stats_lock(table_stats_mu_);
          table_stats_[batch.table].retries++;
        }
        LOG_WARN("insert of %zu rows into %s failed (attempt %d), retrying in %lld ms: %s", rows,
                 batch.table.c_str(), attempt, static_cast<long long>(backoff.count()),
                 out.message().c_str());
        break;
    }
    if (stored) break;
    if (!sleepUnlessStopping(backoff)) {
      LOG_WARN("stopping: %zu rows for %s stay in the WAL for the next start", rows, batch.table.c_str());
      return false;
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  // Until the done record is durable the batch would be re-sent after a
  // restart (and deduplicated); retrying keeps its segment from being held
  // for the rest of the run.
  return retryWal("marking a batch done", [&] { return wal_.complete(batch); });
}

bool Exporter::deadLetter(const WalBatch& batch, const std::string& native, const InsertOutcome& error) {
  std::string dir = options_.dead_letter_dir.empty() ? wal_.options().dir + "/../dead-letters"
                                                     : options_.dead_letter_dir;
  ::mkdir(dir.c_str(), 0755);
  errno = 0;
  const std::string base = dir + "/" + batch.table + "-" + walBatchToken(wal_.id(), batch);
  std::string cause = error.message();
  if (error.engineCode() != 0) cause += " (engine code " + std::to_string(error.engineCode()) + ")";
  const bool ok = writeFile(base + ".native", native) && writeFile(base + ".error", cause + "\n");
  if (!ok) {
    const int err = errno;
    ::unlink((base + ".native").c_str());
    ::unlink((base + ".error").c_str());
    LOG_ERROR("the sink rejected %zu records for %s, and writing the dead letter %s.native failed (%s): %s",
              batch.records.size(), batch.table.c_str(), base.c_str(), strerror(err), cause.c_str());
    return false;
  }
  LOG_ERROR("the sink rejected %zu records for %s; moved to %s.native: %s", batch.records.size(),
            batch.table.c_str(), base.c_str(), cause.c_str());
  return true;
}

}  // namespace otelhouse
