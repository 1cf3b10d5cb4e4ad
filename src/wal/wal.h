// Wal: the write-ahead log between the receivers and the export.
//
// A request's rows (one Native block per table) are appended as data records
// and fsynced before the request is acknowledged; concurrent appends share
// one write and one fdatasync (group commit, on the WAL's own writer thread).
// The exporter turns data records into batches: it makes an intent record
// (table + the exact data LSNs) durable before it inserts, and a done record
// after, so after a crash the same batch is re-sent with the same
// deduplication token and stored once.
//
// Segments are deleted oldest first once every data record and intent in
// them is done. Recovery reads every segment, cuts a torn or corrupt tail,
// and reports what is still to export: batches that were intended but not
// done, and data records in no batch yet.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "wal/wal_io.h"

namespace otelhouse {

struct WalOptions {
  std::string dir;
  bool fsync = true;                        // durability: fsync | none
  size_t segment_bytes = 64u << 20;
  uint64_t max_bytes = 10ull << 30;         // disk budget; appends refused beyond it
  WalIo* io = nullptr;                      // file-system calls; nullptr: the real ones
  std::string dead_letter_dir;              // quarantined records; "": dir/../dead-letters
};

// Where a data record's Native block lives.
struct WalDataRef {
  uint64_t lsn = 0;
  uint64_t segment = 0;   // segment sequence number
  uint64_t offset = 0;    // of the Native block within the segment file
  uint32_t size = 0;      // of the Native block
  uint32_t rows = 0;
  std::string table;
};

struct WalBatch {
  uint64_t intent_lsn = 0;  // names the batch; part of its dedup token
  std::string table;
  std::vector<WalDataRef> records;
};

// Bytes recovery could not read in the middle of the log: at most one record
// (or a stretch of unreadable head), copied to the dead-letter folder.
struct WalQuarantined {
  uint64_t segment = 0;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  std::string path;  // of the copy; empty if it could not be written
};

struct WalRecovery {
  std::vector<WalDataRef> unbatched;  // in LSN order
  std::vector<WalBatch> batches;      // intended, not done: re-send as they are
  uint64_t records_read = 0;
  uint64_t bytes_cut = 0;             // torn / corrupt tail bytes removed
  uint64_t segments_cut = 0;
  std::vector<WalQuarantined> quarantined;
};

struct WalStats {
  std::atomic<uint64_t> appends{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> bytes_written{0};
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> refused_full{0};
  std::atomic<uint64_t> segments_deleted{0};
  std::atomic<uint64_t> recovery_bytes_cut{0};
  // Faults. A failed write or fdatasync fails every append of its commit
  // (kUnavailable, nothing acked) and the segment is cut back to its last
  // good end (a truncation) before anything else is written.
  std::atomic<uint64_t> write_errors{0};
  std::atomic<uint64_t> fsync_errors{0};
  std::atomic<uint64_t> truncations{0};
  std::atomic<uint64_t> refused_io{0};  // appends, intents and dones refused for a fault
  // Recovery: corrupt records (or unreadable stretches) skipped and copied
  // to the dead-letter folder; the records after them are kept.
  std::atomic<uint64_t> quarantined_records{0};
  std::atomic<uint64_t> quarantined_bytes{0};
};

class Wal {
 public:
  struct Entry {
    std::string_view table;
    std::string_view native;
    uint32_t rows = 0;
  };

  static Result<std::unique_ptr<Wal>> open(const WalOptions& options, WalRecovery* recovery);
  ~Wal();

  // A stable random name of this WAL (dedup tokens must differ between gateways).
  const std::string& id() const { return id_; }

  // Appends entries as consecutive data records; returns once they are on
  // disk (or written, with fsync off). kResourceExhausted when over budget;
  // kUnavailable when the disk is full or failed: then none of the entries is
  // in the log (recovery will not find them) and a retry may succeed.
  Status append(const std::vector<Entry>& entries, std::vector<WalDataRef>* refs);
  // Makes a batch's intent durable; returns its LSN.
  Result<uint64_t> appendIntent(std::string_view table, const std::vector<WalDataRef>& records);
  // Records that a batch is stored; releases its records and intent, and
  // deletes the segments nothing needs any more.
  Status complete(const WalBatch& batch);
  // Reads a data record's Native block.
  Status read(const WalDataRef& ref, std::string& out);

  uint64_t bytes() const { return total_bytes_.load(); }
  const WalStats& stats() const { return stats_; }
  const WalOptions& options() const { return options_; }

 private:
  struct Segment {
    uint64_t seq = 0;
    std::string path;
    int fd = -1;
    uint64_t size = 0;
    uint64_t pending = 0;  // data records + intents not yet done
  };
  struct Write {
    std::string bytes;
    std::vector<std::pair<size_t, size_t>> payloads;  // offset/size of each data payload in bytes
    std::vector<WalDataRef>* refs = nullptr;
    uint64_t pending = 0;  // obligations this write adds to its segment
    bool done = false;
    Status status;
  };

  explicit Wal(WalOptions options)
      : options_(std::move(options)), io_(options_.io ? *options_.io : posixWalIo()) {}
  Status recover(WalRecovery* recovery);
  void quarantine(const std::string& segment_path, uint64_t seq, std::string_view bytes,
                  uint64_t offset, const char* why, WalRecovery* rec);
  Status openSegment();  // a new, empty current segment
  Status submit(Write& w);
  void writerLoop();
  Status prepareSegment(size_t next_bytes);  // writer thread: repair, rotate
  void commitRun(Write* const* run, size_t n);  // writer thread: write + sync
  Status ioFailure(const char* what, const std::string& path, int err);
  void deleteDoneSegmentsLocked();

  const WalOptions options_;
  WalIo& io_;
  std::string id_;
  std::atomic<uint64_t> next_lsn_{1};
  std::atomic<uint64_t> total_bytes_{0};
  WalStats stats_;

  std::mutex seg_mu_;  // segments_, intent_segment_
  std::map<uint64_t, Segment> segments_;
  std::map<uint64_t, uint64_t> intent_segment_;  // intent LSN -> segment
  uint64_t current_seq_ = 0;
  int current_fd_ = -1;
  // Writer thread only: a fault left bytes past the current segment's good
  // end that could not be cut yet; nothing is written until they are.
  bool tail_dirty_ = false;
  bool cut_unsynced_ = false;  // a cut-back the next fdatasync has to make durable
  std::chrono::steady_clock::time_point last_fault_log_{};
  uint64_t faults_unlogged_ = 0;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::condition_variable done_cv_;
  std::deque<Write*> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

// The deduplication token of a batch: stable across restarts of this WAL.
std::string walBatchToken(const std::string& wal_id, const WalBatch& batch);

}  // namespace otelhouse
