// Traces and metrics through the pipeline: decode into the row builders,
// one Native block per table that got rows, all appended to the WAL as one
// request (acked together, exported per table).
#include <vector>

#include "codec/otlp_metrics_json.h"
#include "codec/otlp_metrics_proto.h"
#include "codec/otlp_traces_json.h"
#include "codec/otlp_traces_proto.h"
#include "common/log.h"
#include "pipeline/pipeline.h"
#include "rows/metrics_rows.h"
#include "rows/traces_rows.h"

namespace otelhouse {

IngestResult Pipeline::ingestTraces(PayloadFormat format, std::string_view body) {
  thread_local TracesRows rows;
  thread_local std::string native;
  rows.clear();
  native.clear();
  Status st = format == PayloadFormat::kProtobuf ? decodeTracesProto(body, rows)
                                                 : decodeTracesJson(body, rows);
  if (!st.isOk()) {
    rows.clear();
    stats_.refused_requests.fetch_add(1, std::memory_order_relaxed);
    LOG_DEBUG("refused a traces request: %s", st.message().c_str());
    return {std::move(st), 0, 0, {}};
  }
  const size_t n = rows.rows();
  if (n == 0) return {Status::ok(), 0, 0, {}};
  rows.encodeNative(native, options_.traces_columns);
  Status appended = exporter_.append({{"otel_traces", native, static_cast<uint32_t>(n)}});
  if (!appended.isOk()) return {std::move(appended), 0, 0, {}};
  stats_.records.fetch_add(n, std::memory_order_relaxed);
  noteExpired(rows.timestamp.values(), options_.traces_ttl_seconds, stats_.expired_spans, "otel_traces");
  return {Status::ok(), n, 0, {}};
}

IngestResult Pipeline::ingestMetrics(PayloadFormat format, std::string_view body) {
  thread_local MetricsRows rows;
  thread_local std::string natives[5];
  rows.clear();
  for (auto& n : natives) n.clear();
  Status st = format == PayloadFormat::kProtobuf ? decodeMetricsProto(body, rows)
                                                 : decodeMetricsJson(body, rows);
  if (!st.isOk()) {
    rows.clear();
    stats_.refused_requests.fetch_add(1, std::memory_order_relaxed);
    LOG_DEBUG("refused a metrics request: %s", st.message().c_str());
    return {std::move(st), 0, 0, {}};
  }
  std::vector<Wal::Entry> entries;
  auto add = [&](const char* table, const auto& r, const ColumnSet& cols, std::string& out) {
    const size_t n = rowCount(r);
    if (n == 0) return;
    encodeNative(r, out, cols);
    entries.push_back({table, out, static_cast<uint32_t>(n)});
  };
  add(kGaugeTable, rows.gauge, options_.gauge_columns, natives[0]);
  add(kSumTable, rows.sum, options_.sum_columns, natives[1]);
  add(kHistogramTable, rows.histogram, options_.histogram_columns, natives[2]);
  add(kExponentialHistogramTable, rows.exponential_histogram,
      options_.exponential_histogram_columns, natives[3]);
  add(kSummaryTable, rows.summary, options_.summary_columns, natives[4]);
  const size_t total = rows.rows();
  if (entries.empty()) return {Status::ok(), 0, 0, {}};
  Status appended = exporter_.append(entries);
  if (!appended.isOk()) return {std::move(appended), 0, 0, {}};
  stats_.records.fetch_add(total, std::memory_order_relaxed);
  return {Status::ok(), total, 0, {}};
}

}  // namespace otelhouse
