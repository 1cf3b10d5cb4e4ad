// Exporter: from the write-ahead log into a Sink, in batches, exactly once.
//
// append() writes a request's blocks to the WAL and returns once they are
// durable; that is when the receiver acks. The export thread groups each
// table's records into batches (send_batch_size rows, batch_bytes, or the
// batch timeout, whichever comes first), makes the batch's intent durable,
// reads the blocks back (a Native stream is their concatenation), inserts
// them with the batch's deduplication token, and then marks the batch done.
// After a crash, intended batches are re-sent unchanged (same token, stored
// once) before new records are batched.
//
// Failures: the sink says what an insert's failure is (sinks/insert_outcome.h);
// nothing here reads error text. Retry-later (space, memory, too many parts,
// timeouts, a store that is down) is retried with exponential backoff capped
// at max_backoff, for as long as it takes: acked data is never given up for a
// condition that passes, and export resumes by itself when it does (while the
// WAL fills, and past its budget requests get 429). Rejected batches (the data
// itself is bad) move to the dead-letter folder, loudly, so one bad batch
// never blocks the rest; a dead letter that cannot be written leaves the batch
// in the WAL (not done), and the insert and the dead letter are tried again
// later. WAL trouble while exporting (an intent, a read-back, a done record
// that cannot be written) is retried the same way; the export thread never
// gives up while the process runs.
//
// Thread-safety: append() from any thread; start/flush/stop from one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "sinks/sink.h"
#include "wal/wal.h"

namespace otelhouse {

struct ExporterOptions {
  size_t batch_rows = 10000;                   // send_batch_size
  size_t batch_bytes = 32u << 20;              // a batch never grows past this (but one record)
  std::chrono::milliseconds timeout{5000};     // batch timeout
  std::chrono::milliseconds initial_backoff{5000};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds shutdown_grace{10000};  // stop(): how long to keep trying a failing sink
  std::string dead_letter_dir;                 // empty: <wal dir>/../dead-letters
  // Testing aid: while this file exists, the process kills itself (SIGKILL)
  // right after an insert succeeds and before the batch is marked done, the
  // moment where only the deduplication token prevents a second copy.
  std::string crash_after_insert_file;
};

struct ExporterStats {
  std::atomic<uint64_t> rows_exported{0};
  std::atomic<uint64_t> batches_exported{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> batches_dead_lettered{0};
  std::atomic<uint64_t> rows_dead_lettered{0};
  std::atomic<uint64_t> batches_resent{0};  // intended by the last run, sent again at start
  std::atomic<uint64_t> dead_letter_write_failures{0};  // rejected batches kept in the WAL
  std::atomic<uint64_t> wal_retries{0};  // intent / read-back / done record failed, retried
  std::atomic<int> last_retry_engine_code{0};  // of the insert being retried now (0: none or no code)
};

// One destination table's share of ExporterStats (a snapshot), plus the
// Native bytes inserted; for the per-table self-metrics.
struct ExporterTableStats {
  uint64_t rows_exported = 0;
  uint64_t bytes_exported = 0;
  uint64_t batches_exported = 0;
  uint64_t retries = 0;
  uint64_t batches_dead_lettered = 0;
  uint64_t rows_dead_lettered = 0;
};

class Exporter {
 public:
  Exporter(Sink& sink, Wal& wal, ExporterOptions options);
  ~Exporter();

  // Starts the export thread; `recovered` is what the WAL still owed at open.
  void start(WalRecovery recovered = {});
  // Durably appends one request's blocks; the request may be acked on OK.
  // A refusal is always one the client may retry: kResourceExhausted when
  // the WAL is over its budget, kUnavailable for any other WAL failure (disk
  // full, I/O error) or while shutting down.
  Status append(const std::vector<Wal::Entry>& entries);
  // Exports everything appended so far; returns when the sink has it (or
  // the batch failed for good).
  void flush();
  // Flushes for at most shutdown_grace, then stops; what is left stays in
  // the WAL for the next start.
  void stop();
  const ExporterStats& stats() const { return stats_; }
  std::map<std::string, ExporterTableStats> tableStats() const;
  // Seconds since the oldest record not yet exported was appended (records
  // recovered from the WAL count from start()); 0 when nothing is pending.
  double oldestUnexportedSeconds();
  // Rows appended but not yet exported.
  uint64_t backlogRows();

 private:
  struct TableQueue {
    std::deque<WalDataRef> records;
    size_t rows = 0;
    size_t bytes = 0;
    std::chrono::steady_clock::time_point first;
    // (record count, append time) per append, oldest first: the age of the
    // oldest pending record survives batches that take part of the queue.
    std::deque<std::pair<size_t, std::chrono::steady_clock::time_point>> arrivals;
  };
  static void noteArrival(TableQueue& q, std::chrono::steady_clock::time_point t);
  void run();
  bool takeDue(bool flushing, WalBatch* batch, std::chrono::steady_clock::time_point* next);
  // false when stopping cut the retries short (the batch stays in the WAL).
  bool exportBatch(WalBatch& batch);
  // Runs op until it succeeds, backing off between tries; false when
  // stopping cut it short.
  template <class Op>
  bool retryWal(const char* what, Op&& op);
  // false when the dead letter could not be written (the batch stays).
  bool deadLetter(const WalBatch& batch, const std::string& native, const InsertOutcome& error);
  bool sleepUnlessStopping(std::chrono::milliseconds d);

  Sink& sink_;
  Wal& wal_;
  const ExporterOptions options_;
  ExporterStats stats_;
  mutable std::mutex table_stats_mu_;
  std::map<std::string, ExporterTableStats> table_stats_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_cv_;
  std::map<std::string, TableQueue> queues_;
  std::deque<WalBatch> replay_;
  uint64_t flush_requests_ = 0;
  uint64_t flush_done_ = 0;
  bool stopping_ = false;
  bool running_ = false;
  std::chrono::steady_clock::time_point started_;
  bool exporting_ = false;  // a batch taken from the queues is being exported
  std::chrono::steady_clock::time_point exporting_since_;  // its oldest record
  std::chrono::steady_clock::time_point stop_deadline_;
  std::thread thread_;
};

}  // namespace otelhouse
