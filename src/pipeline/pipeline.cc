#include "pipeline/pipeline.h"

#include "codec/otlp_logs_json.h"
#include "codec/otlp_logs_proto.h"
#include "common/log.h"

#include <chrono>
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

void Pipeline::ingest(const IngestRequest& request, IngestDone done) {
  // Still answers before returning: the exporter's append waits for the
  // group commit. The log-completed append replaces this (issue 16).
  done(ingestSync(request.signal, request.format, request.body));
}

IngestResult Pipeline::ingestSync(Signal signal, PayloadFormat format, std::string_view body) {
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
  noteExpired(rows.timestamp.values(), options_.logs_ttl_seconds, stats_.expired_logs, "otel_logs");
  noteExpired(sessions.timestamp.values(), options_.sessions_ttl_seconds, stats_.expired_sessions,
              "hyperdx_sessions");
  return {Status::ok(), n + m, 0, {}};
}

void Pipeline::noteExpired(const std::vector<int64_t>& timestamps, int64_t ttl_seconds,
                           std::atomic<uint64_t>& counter, const char* table) {
  // Beyond ~290 years the cutoff would not fit in int64 nanoseconds; nothing is that old.
  if (ttl_seconds <= 0 || ttl_seconds > (int64_t{1} << 33) || timestamps.empty()) return;
  using namespace std::chrono;
  const int64_t now_ns = duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
  const int64_t cutoff = now_ns - ttl_seconds * 1000000000;
  uint64_t expired = 0;
  for (int64_t t : timestamps) expired += t < cutoff;
  if (expired == 0) return;
  counter.fetch_add(expired, std::memory_order_relaxed);
  const int64_t now_s = duration_cast<seconds>(steady_clock::now().time_since_epoch()).count();
  int64_t last = expired_logged_at_.load(std::memory_order_relaxed);
  if (last != 0 && now_s - last < 60) return;
  if (!expired_logged_at_.compare_exchange_strong(last, now_s)) return;  // another thread logs
  const uint64_t total = stats_.expired_logs.load() + stats_.expired_sessions.load() + stats_.expired_spans.load();
  const uint64_t since = total - expired_logged_total_.exchange(total);
  LOG_WARN("%llu rows older than their table's TTL arrived since the last report (latest into %s); "
           "ClickHouse drops them, so queries will not show them: check the senders' clocks and "
           "timestamps, or the TTL (otelhouse_pipeline_expired_on_arrival_rows_total)",
           static_cast<unsigned long long>(since), table);
}

}  // namespace otelhouse
