#include "export/exporter.h"

#include <algorithm>

#include "common/log.h"

namespace otelhouse {

Exporter::Exporter(Sink& sink, ExporterOptions options) : sink_(sink), options_(options) {}

Exporter::~Exporter() { stop(); }

void Exporter::start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

Status Exporter::append(const std::string& table, std::string_view native, size_t rows) {
  if (rows == 0) return Status::ok();
  std::lock_guard lock(mu_);
  if (stopping_) return Status::unavailable("the gateway is shutting down");
  if (pending_bytes_ + in_flight_bytes_ + native.size() > options_.max_pending_bytes)
    return Status::exhausted("the export queue is full; retry later");
  Pending& p = pending_[table];
  if (p.rows == 0) p.first = std::chrono::steady_clock::now();
  p.native.append(native.data(), native.size());
  p.rows += rows;
  pending_bytes_ += native.size();
  if (p.rows >= options_.batch_rows || p.native.size() >= options_.batch_bytes) cv_.notify_one();
  return Status::ok();
}

void Exporter::flush() {
  std::unique_lock lock(mu_);
  if (!running_) return;
  uint64_t ticket = ++flush_requests_;
  cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return flush_done_ >= ticket; });
}

void Exporter::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stopping_ = true;
    ++flush_requests_;
  }
  cv_.notify_one();
  thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

ExporterStats Exporter::stats() {
  std::lock_guard lock(mu_);
  return stats_;
}

void Exporter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const bool flushing = flush_done_ < flush_requests_;
    // Pick the tables that are due; remember the next deadline otherwise.
    std::string due;
    auto next = now + options_.timeout;
    for (auto& [table, p] : pending_) {
      if (p.rows == 0) continue;
      if (flushing || p.rows >= options_.batch_rows || p.native.size() >= options_.batch_bytes ||
          now - p.first >= options_.timeout) {
        due = table;
        break;
      }
      next = std::min(next, p.first + options_.timeout);
    }
    if (!due.empty()) {
      Pending batch = std::move(pending_[due]);
      pending_[due] = Pending{};
      pending_bytes_ -= batch.native.size();
      in_flight_bytes_ += batch.native.size();
      lock.unlock();
      exportBatch(due, batch);
      lock.lock();
      in_flight_bytes_ -= batch.native.size();
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

void Exporter::exportBatch(const std::string& table, Pending& batch) {
  auto backoff = options_.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    Status st = sink_.insert(table, batch.native, "");
    if (st.isOk()) {
      std::lock_guard lock(mu_);
      stats_.rows_exported += batch.rows;
      ++stats_.batches_exported;
      LOG_DEBUG("exported %zu rows (%zu bytes) into %s", batch.rows, batch.native.size(),
                table.c_str());
      return;
    }
    if (attempt >= options_.max_attempts) {
      std::lock_guard lock(mu_);
      ++stats_.batches_failed;
      stats_.rows_dropped += batch.rows;
      LOG_ERROR("dropping %zu rows for %s after %d attempts: %s", batch.rows, table.c_str(),
                attempt, st.message().c_str());
      return;
    }
    LOG_WARN("insert into %s failed (attempt %d), retrying in %lld ms: %s", table.c_str(), attempt,
             static_cast<long long>(backoff.count()), st.message().c_str());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace otelhouse
