#include "ops/metered_ingest.h"

#include <chrono>

namespace otelhouse {
namespace {

size_t reasonIndex(Code code) {
  switch (code) {
    case Code::kInvalidArgument: return 0;
    case Code::kTooLarge: return 1;
    case Code::kUnsupported:
    case Code::kNotFound: return 2;
    case Code::kResourceExhausted: return 3;
    case Code::kUnavailable: return 4;
    default: return 5;
  }
}

constexpr const char* kReasonNames[] = {"invalid",    "too_large",   "unsupported",
                                        "overloaded", "unavailable", "internal"};

size_t signalIndex(Signal s) {
  switch (s) {
    case Signal::kLogs: return 0;
    case Signal::kTraces: return 1;
    case Signal::kMetrics: return 2;
  }
  return 0;
}

}  // namespace

const char* refusalReason(Code code) { return kReasonNames[reasonIndex(code)]; }

MeteredIngest::MeteredIngest(Ingest& inner, MetricsRegistry& registry, std::string transport)
    : inner_(inner), registry_(registry), transport_(std::move(transport)) {
  const char* names[] = {"logs", "traces", "metrics"};
  for (size_t i = 0; i < signals_.size(); ++i) {
    PerSignal& s = signals_[i];
    s.name = names[i];
    const MetricLabels labels = {{"transport", transport_}, {"signal", s.name}};
    s.received_bytes = &registry_.counter(
        "otelhouse_receiver_received_bytes_total",
        "Request body bytes (after decompression) handed to the pipeline.", labels);
    s.accepted_bytes = &registry_.counter("otelhouse_receiver_accepted_bytes_total",
                                          "Request body bytes of requests answered OK.", labels);
    s.received_records = &registry_.counter(
        "otelhouse_receiver_received_records_total",
        "Records (log records, spans, data points) decoded from requests answered OK.", labels);
    s.accepted_records = &registry_.counter(
        "otelhouse_receiver_accepted_records_total",
        "Records accepted and durably stored in the write-ahead log.", labels);
    s.duration = &registry_.histogram(
        "otelhouse_receiver_request_duration_seconds",
        "Time the pipeline took per request: decode, transform, durable WAL append.",
        latencyBuckets(), labels);
  }
}

Counter& MeteredIngest::lazy(std::atomic<Counter*>& slot, const char* name, const char* help,
                             const PerSignal& s, const char* reason) {
  Counter* c = slot.load(std::memory_order_acquire);
  if (c) return *c;
  // The registry returns the same counter to racing threads.
  c = &registry_.counter(name, help,
                         {{"transport", transport_}, {"signal", s.name}, {"reason", reason}});
  slot.store(c, std::memory_order_release);
  return *c;
}

void MeteredIngest::ingest(const IngestRequest& request, IngestDone done) {
  PerSignal& s = signals_[signalIndex(request.signal)];
  const size_t body_bytes = request.body.size();
  s.received_bytes->inc(body_bytes);
  const auto started = std::chrono::steady_clock::now();
  inner_.ingest(request, [this, &s, body_bytes, started, done = std::move(done)](IngestResult result) {
    s.duration->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    count(s, body_bytes, result);
    done(std::move(result));
  });
}

void MeteredIngest::count(PerSignal& s, size_t body_bytes, const IngestResult& result) {
  if (result.status.isOk()) {
    s.accepted_bytes->inc(body_bytes);
    s.received_records->inc(result.accepted + result.rejected);
    s.accepted_records->inc(result.accepted);
    if (result.rejected > 0)
      lazy(s.rejected_records, "otelhouse_receiver_refused_records_total",
           "Records refused inside requests that were otherwise accepted (partial success).", s,
           "rejected")
          .inc(result.rejected);
    return;
  }
  const size_t r = reasonIndex(result.status.code());
  lazy(s.refused_requests[r], "otelhouse_receiver_refused_requests_total",
       "Requests the pipeline refused, by reason; nothing of them is stored.", s,
       kReasonNames[r])
      .inc();
  lazy(s.refused_bytes[r], "otelhouse_receiver_refused_bytes_total",
       "Request body bytes of requests the pipeline refused, by reason.", s, kReasonNames[r])
      .inc(body_bytes);
}

}  // namespace otelhouse
