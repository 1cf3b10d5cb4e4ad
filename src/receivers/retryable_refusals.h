// RetryableRefusals: the log line behind the refusals a client is told to
// retry (HTTP 429 / 503 with Retry-After, gRPC RESOURCE_EXHAUSTED /
// UNAVAILABLE with RetryInfo), at most one per interval, so a full disk under
// load costs one line per interval, not one per request. The counts by reason
// are ops/metered_ingest's otelhouse_receiver_refused_requests_total.
//
// Reasons follow the Status code the pipeline answered with:
//   overloaded   kResourceExhausted: the WAL over its disk budget, the
//                decode memory budget (the store is behind or load too high)
//   unavailable  kUnavailable: the WAL cannot write (disk full, I/O error),
//                the gateway is shutting down
// Thread-safe: one mutex, taken only for a retryable refusal.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "common/status.h"

namespace otelhouse {

class RetryableRefusals {
 public:
  explicit RetryableRefusals(const char* receiver,
                             std::chrono::milliseconds log_interval = std::chrono::seconds(10))
      : receiver_(receiver), interval_(log_interval) {}

  // Logs `why` when it is a retryable refusal (kResourceExhausted,
  // kUnavailable) and no line was written within the interval; true when it
  // was one.
  bool note(const Status& why);
  // Lines written so far (for tests of the rate limit).
  uint64_t linesLogged() const { return lines_.load(); }

 private:
  const char* receiver_;
  std::chrono::milliseconds interval_;
  std::atomic<uint64_t> lines_{0};
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_line_{};
  uint64_t suppressed_ = 0;
};

}  // namespace otelhouse
