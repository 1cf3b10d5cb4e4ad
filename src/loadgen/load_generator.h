// LoadGenerator: sends OTLP/HTTP export requests to a gateway from N
// keep-alive connections (one thread each, Boost.Beast synchronous clients),
// flat out or at a target rate, and counts what came back.
//
// Payloads are built before the clock starts (a pool of templates per
// connection, compressed ahead when ids are not stamped) so the client spends
// its CPU on sockets, not on encoding. With unique ids on (the default), each
// send stamps fresh `loadgen.id` sequence numbers into a template and, when a
// Content-Encoding is asked for, compresses it at the fastest level; that CPU
// shows in the report's client_cpu_seconds.
//
// Outcomes per request: 200 acked; 429 / 503 refused (backpressure); anything
// else, or a connection error, failed. Latency is measured from the moment a
// request starts being written to the moment its response is read, for
// acked requests (at a target rate the schedule is not used as the start, so
// a stalled gateway shows as a lower rate, not as queueing latency).
//
// Thread-safety: run() is called once, from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "loadgen/payload_builder.h"

namespace otelhouse::loadgen {

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4318;
  PayloadOptions payload;
  std::string encoding;           // "", "gzip" or "zstd"
  size_t connections = 4;
  double rate = 0;                // items per second over all connections; 0 = flat out
  double duration_seconds = 10;   // stop after this long ...
  uint64_t max_requests = 0;      // ... or after this many requests (0 = no limit)
  size_t pool = 8;                // distinct payload templates per connection
  bool unique_ids = true;         // false: send the pool as built, ids repeat
};

struct LoadReport {
  std::string run_id;
  uint64_t sent_requests = 0, sent_items = 0, sent_bytes = 0;  // bytes: bodies as sent
  uint64_t acked_requests = 0, acked_items = 0;
  uint64_t refused_requests = 0, refused_items = 0;
  uint64_t failed_requests = 0, failed_items = 0;
  uint64_t first_seq = 0, last_seq = 0;  // acked ids lie in [first, last)
  double elapsed_seconds = 0;
  double client_cpu_seconds = 0;
  double latency_p50_ms = 0, latency_p90_ms = 0, latency_p99_ms = 0, latency_max_ms = 0;
  size_t request_bytes = 0;        // one uncompressed request body
  std::string first_error;         // of the first failed request
};

Result<LoadReport> runLoad(const LoadOptions& options);

// The report as one line of key=value pairs (for scripts), and as text.
std::string reportKeyValues(const LoadReport& report);
std::string reportText(const LoadReport& report);

}  // namespace otelhouse::loadgen
