// Exporter: per-table batching between the pipeline and a Sink.
//
// The pipeline appends encoded Native blocks per table; a batch is their
// concatenation (a Native stream is a sequence of blocks), flushed to the
// sink when it reaches `batch_rows` rows or `batch_bytes` bytes, or when its
// oldest block is `timeout` old, whichever comes first. One export thread
// does every insert, so no I/O thread ever waits on the engine.
//
// This is the seam where the write-ahead log will sit: append() is the point
// where a request's rows leave the request, and a batch is a contiguous run
// of appended blocks.
//
// Memory is bounded: while more than `max_pending_bytes` wait for the sink,
// append() refuses with kResourceExhausted, and the receiver answers 429.
// Thread-safety: append() from any thread; start/flush/stop from one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "sinks/sink.h"

namespace otelhouse {

struct ExporterOptions {
  size_t batch_rows = 10000;                   // send_batch_size
  size_t batch_bytes = 32u << 20;              // a batch never grows much past this
  std::chrono::milliseconds timeout{5000};     // batch timeout
  size_t max_pending_bytes = 256u << 20;       // refuse new data beyond this
  int max_attempts = 5;                        // per batch, then it is dropped (loudly)
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
};

struct ExporterStats {
  uint64_t rows_exported = 0;
  uint64_t batches_exported = 0;
  uint64_t batches_failed = 0;
  uint64_t rows_dropped = 0;
};

class Exporter {
 public:
  Exporter(Sink& sink, ExporterOptions options);
  ~Exporter();

  void start();
  Status append(const std::string& table, std::string_view native, size_t rows);
  // Exports everything appended so far; returns when the sink has it.
  void flush();
  // Flushes, then stops the export thread.
  void stop();
  ExporterStats stats();

 private:
  struct Pending {
    std::string native;
    size_t rows = 0;
    std::chrono::steady_clock::time_point first;
  };
  void run();
  void exportBatch(const std::string& table, Pending& batch);

  Sink& sink_;
  const ExporterOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::map<std::string, Pending> pending_;
  size_t pending_bytes_ = 0;
  size_t in_flight_bytes_ = 0;
  uint64_t flush_requests_ = 0;
  uint64_t flush_done_ = 0;
  bool stopping_ = false;
  bool running_ = false;
  ExporterStats stats_;
  std::thread thread_;
};

}  // namespace otelhouse
