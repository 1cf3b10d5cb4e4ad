#include "rows/metrics_rows.h"

#include <type_traits>

#include "rows/native_writer.h"

namespace otelhouse {
namespace {

constexpr const char* kMap = "Map(String, String)";

template <class F>
void pointColumns(const MetricPointColumns& p, F&& f) {
  f("ResourceAttributes", kMap, p.resource_attributes);
  f("ResourceSchemaUrl", "String", p.resource_schema_url);
  f("ScopeName", "String", p.scope_name);
  f("ScopeVersion", "String", p.scope_version);
  f("ScopeAttributes", kMap, p.scope_attributes);
  f("ScopeDroppedAttrCount", "UInt32", p.scope_dropped_attr_count);
  f("ScopeSchemaUrl", "String", p.scope_schema_url);
  f("ServiceName", "String", p.service_name);
  f("MetricName", "String", p.metric_name);
  f("MetricDescription", "String", p.metric_description);
  f("MetricUnit", "String", p.metric_unit);
  f("Attributes", kMap, p.attributes);
  f("StartTimeUnix", "DateTime64(9)", p.start_time_unix);
  f("TimeUnix", "DateTime64(9)", p.time_unix);
  f("Flags", "UInt32", p.flags);
}

template <class F>
void exemplarColumns(const ExemplarColumns& e, F&& f) {
  f("Exemplars.FilteredAttributes", "Array(Map(String, String))", e.filtered_attributes);
  f("Exemplars.TimeUnix", "Array(DateTime64(9))", e.time_unix);
  f("Exemplars.Value", "Array(Float64)", e.value);
  f("Exemplars.SpanId", "Array(String)", e.span_id);
  f("Exemplars.TraceId", "Array(String)", e.trace_id);
}

template <class F>
void columns(const GaugeRows& r, F&& f) {
  pointColumns(r.point, f);
  f("Value", "Float64", r.value);
  exemplarColumns(r.exemplars, f);
}

template <class F>
void columns(const SumRows& r, F&& f) {
  pointColumns(r.point, f);
  f("Value", "Float64", r.value);
  exemplarColumns(r.exemplars, f);
  f("AggregationTemporality", "Int32", r.aggregation_temporality);
  f("IsMonotonic", "Bool", r.is_monotonic);
}

template <class F>
void columns(const HistogramRows& r, F&& f) {
  pointColumns(r.point, f);
  f("Count", "UInt64", r.count);
  f("Sum", "Float64", r.sum);
  f("BucketCounts", "Array(UInt64)", r.bucket_counts);
  f("ExplicitBounds", "Array(Float64)", r.explicit_bounds);
  exemplarColumns(r.exemplars, f);
  f("Min", "Float64", r.min);
  f("Max", "Float64", r.max);
  f("AggregationTemporality", "Int32", r.aggregation_temporality);
}

template <class F>
void columns(const ExponentialHistogramRows& r, F&& f) {
  pointColumns(r.point, f);
  f("Count", "UInt64", r.count);
  f("Sum", "Float64", r.sum);
  f("Scale", "Int32", r.scale);
  f("ZeroCount", "UInt64", r.zero_count);
  f("PositiveOffset", "Int32", r.positive_offset);
  f("PositiveBucketCounts", "Array(UInt64)", r.positive_bucket_counts);
  f("NegativeOffset", "Int32", r.negative_offset);
  f("NegativeBucketCounts", "Array(UInt64)", r.negative_bucket_counts);
  exemplarColumns(r.exemplars, f);
  f("Min", "Float64", r.min);
  f("Max", "Float64", r.max);
  f("AggregationTemporality", "Int32", r.aggregation_temporality);
}

template <class F>
void columns(const SummaryRows& r, F&& f) {
  pointColumns(r.point, f);
  f("Count", "UInt64", r.count);
  f("Sum", "Float64", r.sum);
  f("ValueAtQuantiles.Quantile", "Array(Float64)", r.quantiles);
  f("ValueAtQuantiles.Value", "Array(Float64)", r.values);
}

template <class R>
bool consistentRows(const R& r) {
  const size_t n = r.point.time_unix.rows();
  bool ok = true;
  columns(r, [&](const char*, const char*, const auto& c) { ok = ok && c.rows() == n; });
  return ok;
}

template <class R>
void clearRows(R& r) {
  columns(r, [](const char*, const char*, const auto& c) {
    const_cast<std::remove_cvref_t<decltype(c)>&>(c).clear();
  });
}

template <class R>
void encodeRows(const R& r, std::string& out, const ColumnSet& only) {
  const size_t rows = r.point.time_unix.rows();
  if (rows == 0) return;
  size_t n = 0;
  columns(r, [&](const char* name, const char*, const auto&) { n += only.has(name); });
  NativeWriter w(out);
  w.beginBlock(n, rows);
  columns(r, [&](const char* name, const char* type, const auto& c) {
    if (only.has(name)) w.column(name, type, c);
  });
}

}  // namespace

size_t rowCount(const GaugeRows& r) { return r.point.time_unix.rows(); }
size_t rowCount(const SumRows& r) { return r.point.time_unix.rows(); }
size_t rowCount(const HistogramRows& r) { return r.point.time_unix.rows(); }
size_t rowCount(const ExponentialHistogramRows& r) { return r.point.time_unix.rows(); }
size_t rowCount(const SummaryRows& r) { return r.point.time_unix.rows(); }

void encodeNative(const GaugeRows& r, std::string& out, const ColumnSet& only) { encodeRows(r, out, only); }
void encodeNative(const SumRows& r, std::string& out, const ColumnSet& only) { encodeRows(r, out, only); }
void encodeNative(const HistogramRows& r, std::string& out, const ColumnSet& only) { encodeRows(r, out, only); }
void encodeNative(const ExponentialHistogramRows& r, std::string& out, const ColumnSet& only) {
  encodeRows(r, out, only);
}
void encodeNative(const SummaryRows& r, std::string& out, const ColumnSet& only) { encodeRows(r, out, only); }

size_t MetricsRows::rows() const {
  return rowCount(gauge) + rowCount(sum) + rowCount(histogram) + rowCount(exponential_histogram) +
         rowCount(summary);
}

bool MetricsRows::consistent() const {
  return consistentRows(gauge) && consistentRows(sum) && consistentRows(histogram) &&
         consistentRows(exponential_histogram) && consistentRows(summary);
}

void MetricsRows::clear() {
  clearRows(gauge);
  clearRows(sum);
  clearRows(histogram);
  clearRows(exponential_histogram);
  clearRows(summary);
}

}  // namespace otelhouse
