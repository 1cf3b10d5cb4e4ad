// MetricsRegistry: the gateway's self-metrics, rendered in the Prometheus text
// exposition format (version 0.0.4) for the :8888 /metrics endpoint.
//
// Three kinds of series:
// - Counter / Gauge / Histogram objects owned by the registry, updated on the
//   data path with relaxed atomics (no lock, no allocation once created);
// - collectors: callbacks run at scrape time that emit samples of values kept
//   elsewhere (receiver / exporter / WAL stats, process CPU and memory).
// Names and meanings are listed in docs/METRICS.md; keep them stable.
//
// Thread-safety: every method may be called from any thread. References
// returned by counter() / gauge() / histogram() stay valid for the registry's
// lifetime; the same name + labels return the same object. Collectors run
// under the registry's lock during render(): they must not call back into it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace otelhouse {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Fixed upper bounds (ascending, without +Inf); observe() is lock-free.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Seconds from 0.5 ms to 10 s: OTLP requests end at a durable WAL append.
std::vector<double> latencyBuckets();

// What a collector emits at scrape time.
class MetricsWriter {
 public:
  virtual ~MetricsWriter() = default;
  virtual void sample(const std::string& name, MetricType type, const std::string& help,
                      const MetricLabels& labels, double value) = 0;
};
using MetricsCollector = std::function<void(MetricsWriter&)>;

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& counter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  // `bounds` applies when the series is created; later calls reuse it.
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& bounds, const MetricLabels& labels = {});
  void addCollector(MetricsCollector collector);

  // Every family sorted by name, its series in the order they were created
  // (collector samples after owned series).
  std::string render() const;

 private:
  struct Series {
    MetricLabels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::deque<Series> series;
  };
  Series& find(const std::string& name, MetricType type, const std::string& help,
               const MetricLabels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<MetricsCollector> collectors_;
};

// Prometheus number text: integers without a fraction, else the shortest
// round-trip form; +Inf, -Inf, NaN.
std::string formatMetricValue(double v);
// A label value with \, " and newline escaped.
std::string escapeLabelValue(const std::string& v);

}  // namespace otelhouse
