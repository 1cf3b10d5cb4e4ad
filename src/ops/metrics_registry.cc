#include "ops/metrics_registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace otelhouse {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // Prometheus buckets are inclusive upper bounds (le).
  const size_t i = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  // The +Inf bucket and _count must agree even while observations race.
  s.count = running;
  return s;
}

std::vector<double> latencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string formatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  // Shortest round-trip digits; exponent form below 1e-4 or from 1e21, as
  // Go's %v prints floats, so bucket bounds read "0.0005", not "5e-04".
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string s(buf, sci.ptr);
  const int exp = std::atoi(s.c_str() + s.find('e') + 1);
  if (exp < -4 || exp >= 21) return s;
  auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

std::string escapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

namespace {

std::string escapeHelp(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

const char* typeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

void appendLabels(std::string& out, const MetricLabels& labels, const char* extra_name = nullptr,
                  const std::string& extra_value = {}) {
  if (labels.empty() && !extra_name) return;
  out.push_back('{');
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += k;
    out += "=\"";
    out += escapeLabelValue(v);
    out.push_back('"');
  }
  if (extra_name) {
    if (!first) out.push_back(',');
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out.push_back('"');
  }
  out.push_back('}');
}

struct RenderFamily {
  MetricType type = MetricType::kCounter;
  std::string help;
  std::string lines;
};

class FamilyWriter final : public MetricsWriter {
 public:
  explicit FamilyWriter(std::map<std::string, RenderFamily>& out) : out_(out) {}
  void sample(const std::string& name, MetricType type, const std::string& help,
              const MetricLabels& labels, double value) override {
    RenderFamily& f = out_[name];
    if (f.lines.empty()) {
      f.type = type;
      f.help = help;
    }
    f.lines += name;
    appendLabels(f.lines, labels);
    f.lines.push_back(' ');
    f.lines += formatMetricValue(value);
    f.lines.push_back('\n');
  }

 private:
  std::map<std::string, RenderFamily>& out_;
};

}  // namespace

MetricsRegistry::Series& MetricsRegistry::find(const std::string& name, MetricType type,
                                               const std::string& help,
                                               const MetricLabels& labels) {
  Family& f = families_[name];
  if (f.series.empty()) {
    f.type = type;
    f.help = help;
  }
  for (Series& s : f.series)
    if (s.labels == labels) return s;
  Series& s = f.series.emplace_back();
  s.labels = labels;
  return s;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Series& s = find(name, MetricType::kCounter, help, labels);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Series& s = find(name, MetricType::kGauge, help, labels);
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const std::vector<double>& bounds,
                                      const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Series& s = find(name, MetricType::kHistogram, help, labels);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(bounds);
  return *s.histogram;
}

void MetricsRegistry::addCollector(MetricsCollector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::render() const {
  std::map<std::string, RenderFamily> out;
  std::lock_guard lock(mu_);
  for (const auto& [name, f] : families_) {
    RenderFamily& r = out[name];
    r.type = f.type;
    r.help = f.help;
    for (const Series& s : f.series) {
      if (s.counter || s.gauge) {
        r.lines += name;
        appendLabels(r.lines, s.labels);
        r.lines.push_back(' ');
        r.lines += s.counter ? formatMetricValue(static_cast<double>(s.counter->value()))
                             : formatMetricValue(s.gauge->value());
        r.lines.push_back('\n');
      } else if (s.histogram) {
        Histogram::Snapshot snap = s.histogram->snapshot();
        for (size_t i = 0; i <= snap.bounds.size(); ++i) {
          r.lines += name + "_bucket";
          appendLabels(r.lines, s.labels, "le",
                       i < snap.bounds.size() ? formatMetricValue(snap.bounds[i]) : "+Inf");
          r.lines.push_back(' ');
          r.lines += std::to_string(snap.cumulative[i]);
          r.lines.push_back('\n');
        }
        r.lines += name + "_sum";
        appendLabels(r.lines, s.labels);
        r.lines += " " + formatMetricValue(snap.sum) + "\n";
        r.lines += name + "_count";
        appendLabels(r.lines, s.labels);
        r.lines += " " + std::to_string(snap.count) + "\n";
      }
    }
  }
  FamilyWriter writer(out);
  for (const auto& c : collectors_) c(writer);

  std::string text;
  for (const auto& [name, f] : out) {
    if (f.lines.empty()) continue;
    text += "# HELP " + name + " " + escapeHelp(f.help) + "\n";
    text += "# TYPE " + name + " " + typeName(f.type) + "\n";
    text += f.lines;
  }
  return text;
}

}  // namespace otelhouse
