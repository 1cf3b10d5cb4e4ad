// MeteredIngest: an Ingest in front of the pipeline that counts, per signal,
// what one transport (http or grpc) hands over: bytes and records received,
// accepted and refused (by reason), and how long the pipeline took to make a
// request durable (decode + WAL append, the part of a request's latency the
// gateway controls). Names in docs/METRICS.md.
//
// Requests refused before they reach the pipeline (auth, route, method,
// content type, size, decompression) are counted by the receivers and the
// auth hook, not here.
//
// Thread-safety: ingest() runs concurrently; series are created up front
// (refusal reasons on first use) and updated with relaxed atomics.
#pragma once

#include <array>
#include <atomic>
#include <string>

#include "ops/metrics_registry.h"
#include "pipeline/ingest.h"

namespace otelhouse {

// The reason label of a refused request, from the pipeline's Status code:
// invalid, too_large, unsupported, overloaded, unavailable, internal.
const char* refusalReason(Code code);

class MeteredIngest final : public Ingest {
 public:
  MeteredIngest(Ingest& inner, MetricsRegistry& registry, std::string transport);
  void ingest(const IngestRequest& request, IngestDone done) override;

 private:
  static constexpr size_t kReasons = 6;
  struct PerSignal {
    std::string name;
    Counter* received_bytes = nullptr;
    Counter* accepted_bytes = nullptr;
    Counter* received_records = nullptr;
    Counter* accepted_records = nullptr;
    Histogram* duration = nullptr;
    std::array<std::atomic<Counter*>, kReasons> refused_requests{};
    std::array<std::atomic<Counter*>, kReasons> refused_bytes{};
    std::atomic<Counter*> rejected_records{nullptr};
  };
  void count(PerSignal& s, size_t body_bytes, const IngestResult& result);
  Counter& lazy(std::atomic<Counter*>& slot, const char* name, const char* help,
                const PerSignal& s, const char* reason);

  Ingest& inner_;
  MetricsRegistry& registry_;
  const std::string transport_;
  std::array<PerSignal, 3> signals_;
};

}  // namespace otelhouse
