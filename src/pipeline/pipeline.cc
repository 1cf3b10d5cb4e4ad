#include "pipeline/pipeline.h"

#include "codec/otlp_logs_json.h"
#include "codec/otlp_logs_proto.h"
#include "common/log.h"

#include <vector>

namespace otelhouse {

const char* signalName(Signal signal) {
  switch (signal) {
    case Signal::kLogs: return "logs";
    case Signal::kTraces: return "traces";
    case Signal::kMetrics: return "metrics";
  }
  return "?";
}

Pipeline::Pipeline(Exporter& exporter, PipelineOptions options)
    : exporter_(exporter), options_(options) {}

IngestResult Pipeline::ingest(Signal signal, PayloadFormat format, std::string_view body) {
  stats_.requests.fetch_add(1, std::memory_order_relaxed);
  // Decoding roughly doubles a body in memory (columns, then the Native block).
  // A request alone is always let in: refusing it would be a 429 that no
  // retry could ever pass.
  const size_t cost = body.size() * 2;
  const size_t before = inflight_bytes_.fetch_add(cost);
  if (before > 0 && before + cost > options_.max_inflight_bytes) {
    inflight_bytes_.fetch_sub(cost);
    stats_.refused_overload.fetch_add(1, std::memory_order_relaxed);
    return {Status::exhausted("the gateway is at its memory budget; retry later"), 0, 0, {}};
  }
  struct Release {
    std::atomic<size_t>& n;
    size_t cost;
    ~Release() { n.fetch_sub(cost); }
  } release{inflight_bytes_, cost};
  switch (signal) {
    case Signal::kLogs:
      return ingestLogs(format, body);
    case Signal::kTraces:
      return ingestTraces(format, body);
    case Signal::kMetrics:
      return ingestMetrics(format, body);
  }
  return {Status::notFound(std::string("no pipeline for ") + signalName(signal)), 0, 0, {}};
}

IngestResult Pipeline::ingestLogs(PayloadFormat format, std::string_view body) {
  thread_local LogsRows rows;
  thread_local LogsRows sessions;
  thread_local std::string native;
  thread_local std::string sessions_native;
  rows.clear();
  sessions.clear();
  native.clear();
  sessions_native.clear();
  LogProcessor processor(options_.log_processing, rows, sessions);
  LogRecordHook* hook = options_.log_processing.any() ? &processor : nullptr;
  Status st = format == PayloadFormat::kProtobuf ? decodeLogsProto(body, rows, hook)
                                                 : decodeLogsJson(body, rows, hook);
  if (!st.isOk()) {
    rows.clear();
    sessions.clear();
    stats_.refused_requests.fetch_add(1, std::memory_order_relaxed);
    LOG_DEBUG("refused a logs request: %s", st.message().c_str());
    return {std::move(st), 0, 0, {}};
  }
  const size_t n = rows.rows();
  const size_t m = sessions.rows();
  std::vector<Wal::Entry> entries;
  if (n > 0 || m == 0) {
    rows.encodeNative(native, options_.logs_columns);
    entries.push_back({"otel_logs", native, static_cast<uint32_t>(n)});
  }
  if (m > 0) {
    sessions.encodeNative(sessions_native, options_.sessions_columns);
    entries.push_back({"hyperdx_sessions", sessions_native, static_cast<uint32_t>(m)});
  }
  Status appended = exporter_.append(entries);
  if (!appended.isOk()) return {std::move(appended), 0, 0, {}};
  stats_.records.fetch_add(n + m, std::memory_order_relaxed);
  stats_.session_records.fetch_add(m, std::memory_order_relaxed);
  return {Status::ok(), n + m, 0, {}};
}

}  // namespace otelhouse
