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
};

struct PipelineStats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> session_records{0};  // of `records`, into hyperdx_sessions
  std::atomic<uint64_t> refused_requests{0};
  std::atomic<uint64_t> refused_overload{0};
};

class Pipeline final : public Ingest {
 public:
  Pipeline(Exporter& exporter, PipelineOptions options);
  IngestResult ingest(Signal signal, PayloadFormat format, std::string_view body) override;
  const PipelineStats& stats() const { return stats_; }

 private:
  IngestResult ingestLogs(PayloadFormat format, std::string_view body);
  IngestResult ingestTraces(PayloadFormat format, std::string_view body);   // pipeline_traces_metrics.cc
  IngestResult ingestMetrics(PayloadFormat format, std::string_view body);  // pipeline_traces_metrics.cc

  Exporter& exporter_;
  PipelineOptions options_;
  PipelineStats stats_;
  std::atomic<size_t> inflight_bytes_{0};
};

}  // namespace otelhouse
