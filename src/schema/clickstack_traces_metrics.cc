// ClickStack's otel_traces (with its rollups) and otel_metrics_* tables.
#include "schema/clickstack_schema.h"
#include "schema/rollup_ddl.h"

namespace otelhouse {
namespace {

constexpr const char* kTracesColumns = R"(
  `Timestamp` DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  `TraceId` String CODEC(ZSTD(1)),
  `SpanId` String CODEC(ZSTD(1)),
  `ParentSpanId` String CODEC(ZSTD(1)),
  `TraceState` String CODEC(ZSTD(1)),
  `SpanName` LowCardinality(String) CODEC(ZSTD(1)),
  `SpanKind` LowCardinality(String) CODEC(ZSTD(1)),
  `ServiceName` LowCardinality(String) CODEC(ZSTD(1)),
  `ResourceAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  `ScopeName` String CODEC(ZSTD(1)),
  `ScopeVersion` String CODEC(ZSTD(1)),
  `SpanAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  `Duration` UInt64 CODEC(ZSTD(1)),
  `StatusCode` LowCardinality(String) CODEC(ZSTD(1)),
  `StatusMessage` String CODEC(ZSTD(1)),
  `Events.Timestamp` Array(DateTime64(9)) CODEC(ZSTD(1)),
  `Events.Name` Array(LowCardinality(String)) CODEC(ZSTD(1)),
  `Events.Attributes` Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
  `Links.TraceId` Array(String) CODEC(ZSTD(1)),
  `Links.SpanId` Array(String) CODEC(ZSTD(1)),
  `Links.TraceState` Array(String) CODEC(ZSTD(1)),
  `Links.Attributes` Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
  `__hdx_materialized_rum.sessionId` String MATERIALIZED ResourceAttributes['rum.sessionId'] CODEC(ZSTD(1)),
  `SampleRate` UInt64 MATERIALIZED greatest(toUInt64OrZero(SpanAttributes['SampleRate']), 1) CODEC(T64, ZSTD(1)),
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_rum_session_id __hdx_materialized_rum.sessionId TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_duration Duration TYPE minmax GRANULARITY 1,
  INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
)
ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
)";

// Leading columns of every otel_metrics_* table.
constexpr const char* kMetricHead = R"(
  `ResourceAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  `ResourceSchemaUrl` String CODEC(ZSTD(1)),
  `ScopeName` String CODEC(ZSTD(1)),
  `ScopeVersion` String CODEC(ZSTD(1)),
  `ScopeAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  `ScopeDroppedAttrCount` UInt32 CODEC(ZSTD(1)),
  `ScopeSchemaUrl` String CODEC(ZSTD(1)),
  `ServiceName` LowCardinality(String) CODEC(ZSTD(1)),
  `MetricName` )";

constexpr const char* kMetricMiddle = R"( CODEC(ZSTD(1)),
  `MetricDescription` String CODEC(ZSTD(1)),
  `MetricUnit` String CODEC(ZSTD(1)),
  `Attributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  `StartTimeUnix` DateTime CODEC(Delta(8), ZSTD(1)),
  `TimeUnix` DateTime CODEC(Delta(8), ZSTD(1)),)";

constexpr const char* kExemplars = R"(
  `Exemplars.FilteredAttributes` Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
  `Exemplars.TimeUnix` Array(DateTime) CODEC(ZSTD(1)),
  `Exemplars.Value` Array(Float64) CODEC(ZSTD(1)),
  `Exemplars.SpanId` Array(String) CODEC(ZSTD(1)),
  `Exemplars.TraceId` Array(String) CODEC(ZSTD(1)),)";

constexpr const char* kMetricTail = R"(
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_time_minmax TimeUnix TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(TimeUnix)
ORDER BY (ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix)
)";

std::string metricTable(const SchemaOptions& o, const char* table, const char* name_type,
                        const std::string& body) {
  return "CREATE TABLE IF NOT EXISTS " + o.database + "." + table + "\n(" + kMetricHead +
         name_type + kMetricMiddle + body + kMetricTail + "TTL toDateTime(TimeUnix) + " +
         ttlInterval(ttlOr(o.metrics_ttl_seconds, o.ttl_seconds)) + "\nSETTINGS ttl_only_drop_parts = 1";
}

std::vector<std::string> tracesRollups(const SchemaOptions& o) {
  RollupSpec spec;
  spec.source = "otel_traces";
  spec.kv_view = "otel_traces_kv_rollup_15m_mv";
  spec.map_columns = {"ResourceAttributes", "SpanAttributes"};
  spec.native_columns = {"ServiceName", "SpanName", "SpanKind", "StatusCode", "ScopeName", "ScopeVersion"};
  spec.cast_values = true;
  spec.key_rollup = o.variant == SchemaVariant::kLegacy;
  spec.ttl_seconds = ttlOr(o.traces_ttl_seconds, o.ttl_seconds);
  return rollupSchema(o, spec);
}

}  // namespace

std::vector<std::string> clickStackTracesSchema(const SchemaOptions& o) {
  std::vector<std::string> out;
  out.push_back("CREATE TABLE IF NOT EXISTS " + o.database + ".otel_traces\n(" + kTracesColumns +
                "TTL toDate(Timestamp) + " + ttlInterval(ttlOr(o.traces_ttl_seconds, o.ttl_seconds)) +
                "\nSETTINGS index_granularity = 8192, ttl_only_drop_parts = 1");
  if (o.traces_rollups)
    for (auto& s : tracesRollups(o)) out.push_back(std::move(s));
  return out;
}

std::vector<std::string> clickStackMetricsSchema(const SchemaOptions& o) {
  const std::string value_flags = "\n  `Value` Float64 CODEC(ZSTD(1)),\n  `Flags` UInt32 CODEC(ZSTD(1)),";
  const std::string count_sum =
      "\n  `Count` UInt64 CODEC(Delta(8), ZSTD(1)),\n  `Sum` Float64 CODEC(ZSTD(1)),";
  const std::string tail_hist =
      "\n  `Flags` UInt32 CODEC(ZSTD(1)),\n  `Min` Float64 CODEC(ZSTD(1)),\n"
      "  `Max` Float64 CODEC(ZSTD(1)),\n  `AggregationTemporality` Int32 CODEC(ZSTD(1)),";
  std::vector<std::string> out;
  out.push_back(metricTable(o, "otel_metrics_gauge", "LowCardinality(String)", value_flags + kExemplars));
  out.push_back(metricTable(o, "otel_metrics_sum", "String",
                            value_flags + kExemplars +
                                "\n  `AggregationTemporality` Int32 CODEC(ZSTD(1)),\n"
                                "  `IsMonotonic` Bool CODEC(ZSTD(1)),"));
  out.push_back(metricTable(o, "otel_metrics_histogram", "String",
                            count_sum +
                                "\n  `BucketCounts` Array(UInt64) CODEC(ZSTD(1)),\n"
                                "  `ExplicitBounds` Array(Float64) CODEC(ZSTD(1)),"
                                + std::string(kExemplars) + tail_hist));
  out.push_back(metricTable(o, "otel_metrics_exponential_histogram", "String",
                            count_sum +
                                "\n  `Scale` Int32 CODEC(ZSTD(1)),\n  `ZeroCount` UInt64 CODEC(ZSTD(1)),\n"
                                "  `PositiveOffset` Int32 CODEC(ZSTD(1)),\n"
                                "  `PositiveBucketCounts` Array(UInt64) CODEC(ZSTD(1)),\n"
                                "  `NegativeOffset` Int32 CODEC(ZSTD(1)),\n"
                                "  `NegativeBucketCounts` Array(UInt64) CODEC(ZSTD(1)),"
                                + std::string(kExemplars) + tail_hist));
  out.push_back(metricTable(o, "otel_metrics_summary", "String",
                            count_sum +
                                "\n  `ValueAtQuantiles.Quantile` Array(Float64) CODEC(ZSTD(1)),\n"
                                "  `ValueAtQuantiles.Value` Array(Float64) CODEC(ZSTD(1)),\n"
                                "  `Flags` UInt32 CODEC(ZSTD(1)),"));
  if (o.metrics_timeseries)
    out.push_back("CREATE TABLE IF NOT EXISTS " + o.database +
                  ".metrics_ts\nENGINE = TimeSeries\nSETTINGS allow_experimental_time_series_table = 1");
  return out;
}

std::vector<std::string> clickStackSchema(const SchemaOptions& o) {
  std::vector<std::string> out = clickStackLogsSchema(o);
  for (auto& s : clickStackTracesSchema(o)) out.push_back(std::move(s));
  for (auto& s : clickStackMetricsSchema(o)) out.push_back(std::move(s));
  return out;
}

}  // namespace otelhouse
