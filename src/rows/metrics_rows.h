// Metrics rows: one builder per ClickStack metrics table, one row per data
// point. The columns every otel_metrics_* table shares live in
// MetricPointColumns; each table adds its own. Same rules as LogsRows: a
// decoder appends every column of its table once per data point.
//
// Times are written as DateTime64(9) nanoseconds; ClickStack's tables hold
// DateTime (seconds) and the engine converts, as clickhouse-go does for the
// collector, while tables with DateTime64 columns keep the nanoseconds.
#pragma once

#include <string>

#include "rows/column_set.h"
#include "rows/columns.h"

namespace otelhouse {

struct MetricPointColumns {
  MapColumn resource_attributes;
  StringColumn resource_schema_url;
  StringColumn scope_name;
  StringColumn scope_version;
  MapColumn scope_attributes;
  FixedColumn<uint32_t> scope_dropped_attr_count;
  StringColumn scope_schema_url;
  StringColumn service_name;
  StringColumn metric_name;
  StringColumn metric_description;
  StringColumn metric_unit;
  MapColumn attributes;
  FixedColumn<int64_t> start_time_unix;
  FixedColumn<int64_t> time_unix;
  FixedColumn<uint32_t> flags;
};

struct ExemplarColumns {
  ArrayMapColumn filtered_attributes;
  ArrayColumn<int64_t> time_unix;
  ArrayColumn<double> value;
  ArrayStringColumn span_id;
  ArrayStringColumn trace_id;
};

struct GaugeRows {
  MetricPointColumns point;
  FixedColumn<double> value;
  ExemplarColumns exemplars;
};

struct SumRows {
  MetricPointColumns point;
  FixedColumn<double> value;
  ExemplarColumns exemplars;
  FixedColumn<int32_t> aggregation_temporality;
  FixedColumn<uint8_t> is_monotonic;  // Bool
};

struct HistogramRows {
  MetricPointColumns point;
  FixedColumn<uint64_t> count;
  FixedColumn<double> sum;
  ArrayColumn<uint64_t> bucket_counts;
  ArrayColumn<double> explicit_bounds;
  ExemplarColumns exemplars;
  FixedColumn<double> min;
  FixedColumn<double> max;
  FixedColumn<int32_t> aggregation_temporality;
};

struct ExponentialHistogramRows {
  MetricPointColumns point;
  FixedColumn<uint64_t> count;
  FixedColumn<double> sum;
  FixedColumn<int32_t> scale;
  FixedColumn<uint64_t> zero_count;
  FixedColumn<int32_t> positive_offset;
  ArrayColumn<uint64_t> positive_bucket_counts;
  FixedColumn<int32_t> negative_offset;
  ArrayColumn<uint64_t> negative_bucket_counts;
  ExemplarColumns exemplars;
  FixedColumn<double> min;
  FixedColumn<double> max;
  FixedColumn<int32_t> aggregation_temporality;
};

struct SummaryRows {
  MetricPointColumns point;
  FixedColumn<uint64_t> count;
  FixedColumn<double> sum;
  ArrayColumn<double> quantiles;  // ValueAtQuantiles.Quantile
  ArrayColumn<double> values;     // ValueAtQuantiles.Value
};

// The five tables of one request or batch.
struct MetricsRows {
  GaugeRows gauge;
  SumRows sum;
  HistogramRows histogram;
  ExponentialHistogramRows exponential_histogram;
  SummaryRows summary;

  size_t rows() const;
  bool consistent() const;
  void clear();
};

// Native blocks; each appends nothing when its builder is empty.
size_t rowCount(const GaugeRows& r);
size_t rowCount(const SumRows& r);
size_t rowCount(const HistogramRows& r);
size_t rowCount(const ExponentialHistogramRows& r);
size_t rowCount(const SummaryRows& r);
void encodeNative(const GaugeRows& r, std::string& out, const ColumnSet& only = {});
void encodeNative(const SumRows& r, std::string& out, const ColumnSet& only = {});
void encodeNative(const HistogramRows& r, std::string& out, const ColumnSet& only = {});
void encodeNative(const ExponentialHistogramRows& r, std::string& out, const ColumnSet& only = {});
void encodeNative(const SummaryRows& r, std::string& out, const ColumnSet& only = {});

// Table names, as ClickStack publishes them.
inline constexpr const char* kGaugeTable = "otel_metrics_gauge";
inline constexpr const char* kSumTable = "otel_metrics_sum";
inline constexpr const char* kHistogramTable = "otel_metrics_histogram";
inline constexpr const char* kExponentialHistogramTable = "otel_metrics_exponential_histogram";
inline constexpr const char* kSummaryTable = "otel_metrics_summary";

}  // namespace otelhouse
