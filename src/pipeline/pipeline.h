// Pipeline: the Ingest implementation. Decodes a request straight into
// per-table column builders, encodes one Native block per table, and hands
// the blocks to the Exporter in one append (a logs request may fill both
// otel_logs and hyperdx_sessions). Log records pass through ClickStack's log
// processing (pipeline/log_processor.h) on their way into the builders. Decoding runs on the calling I/O thread; the
// builders are thread_local and reused, so a request allocates no per-record
// memory once a thread is warm.
//
// A request that fails to decode leaves nothing behind: its builders are
// cleared and nothing reaches the exporter.
#pragma once

#include <atomic>
#include <cstdint>

#include "export/exporter.h"
#include "pipeline/ingest.h"
#include "pipeline/log_processor.h"
#include "rows/column_set.h"
#include "rows/logs_rows.h"

namespace otelhouse {

struct PipelineOptions {
  // Columns the destination otel_logs has (see logsColumnBit); older or newer
  // ClickStack schemas differ in EventName.
  uint32_t logs_columns = kLogsClickStackColumns;
  uint32_t sessions_columns = kLogsClickStackColumns;  // of hyperdx_sessions
  LogProcessingOptions log_processing;
  // Request bytes being decoded at once (the memory budget); beyond it
  // requests are refused with kResourceExhausted (429) so memory stays
  // bounded under any load. A request alone is always let in.
  size_t max_inflight_bytes = 256u << 20;
  // Columns the destination traces / metrics tables have (empty: all).
  ColumnSet traces_columns;
  ColumnSet gauge_columns, sum_columns, histogram_columns, exponential_histogram_columns,
      summary_columns;
  // The tables' TTLs (0: not checked). Rows already older than their table's
  // TTL are stored as sent, but the engine drops them: they are counted, and
  // logged at most once a minute, so that they do not vanish silently.
  int64_t logs_ttl_seconds = 0, sessions_ttl_seconds = 0, traces_ttl_seconds = 0;
};

struct PipelineStats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> session_records{0};  // of `records`, into hyperdx_sessions
  std::atomic<uint64_t> refused_requests{0};
  std::atomic<uint64_t> refused_overload{0};
  // Rows older than their table's TTL when they arrived, by table.
  std::atomic<uint64_t> expired_logs{0}, expired_sessions{0}, expired_spans{0};
};

class Pipeline final : public Ingest {
 public:
  Pipeline(Exporter& exporter, PipelineOptions options);
  void ingest(const IngestRequest& request, IngestDone done) override;
  const PipelineStats& stats() const { return stats_; }

 private:
  IngestResult ingestSync(Signal signal, PayloadFormat format, std::string_view body);
  IngestResult ingestLogs(PayloadFormat format, std::string_view body);
  IngestResult ingestTraces(PayloadFormat format, std::string_view body);   // pipeline_traces_metrics.cc
  IngestResult ingestMetrics(PayloadFormat format, std::string_view body);  // pipeline_traces_metrics.cc

  // Counts the rows of `timestamps` (ns) older than `ttl_seconds` into `counter`.
  void noteExpired(const std::vector<int64_t>& timestamps, int64_t ttl_seconds,
                   std::atomic<uint64_t>& counter, const char* table);

  Exporter& exporter_;
  PipelineOptions options_;
  std::atomic<int64_t> expired_logged_at_{0};  // steady-clock seconds of the last log line
  std::atomic<uint64_t> expired_logged_total_{0};
  PipelineStats stats_;
  std::atomic<size_t> inflight_bytes_{0};
};

}  // namespace otelhouse
