#include "schema/clickstack_schema.h"

#include <cstdio>

#include "schema/rollup_ddl.h"

namespace otelhouse {
namespace {

// Columns shared by otel_logs and hyperdx_sessions.
constexpr const char* kLogColumns = R"(
  `Timestamp` DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  `TimestampTime` DateTime DEFAULT toDateTime(Timestamp),
  `TraceId` String CODEC(ZSTD(1)),
  `SpanId` String CODEC(ZSTD(1)),
  `TraceFlags` UInt8,
  `SeverityText` LowCardinality(String) CODEC(ZSTD(1)),
  `SeverityNumber` UInt8,
  `ServiceName` LowCardinality(String) CODEC(ZSTD(1)),
  `Body` String CODEC(ZSTD(1)),
  `ResourceSchemaUrl` LowCardinality(String) CODEC(ZSTD(1)),
  `ResourceAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  `ScopeSchemaUrl` LowCardinality(String) CODEC(ZSTD(1)),
  `ScopeName` String CODEC(ZSTD(1)),
  `ScopeVersion` LowCardinality(String) CODEC(ZSTD(1)),
  `ScopeAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  `LogAttributes` Map(LowCardinality(String), String) CODEC(ZSTD(1)),)";

// The resource attributes HyperDX filters on, materialized in otel_logs.
constexpr const char* kMaterializedResourceKeys[] = {
    "k8s.cluster.name", "k8s.container.name", "k8s.deployment.name", "k8s.namespace.name",
    "k8s.node.name",    "k8s.pod.name",       "k8s.pod.uid",         "deployment.environment.name",
};

constexpr const char* kLogIndexes = R"(
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_lower_body lower(Body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
)
ENGINE = MergeTree
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
)";

std::string logsTable(const SchemaOptions& o, const char* table, bool materialized, int64_t ttl_seconds,
                      const char* settings) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + o.database + "." + table + "\n(";
  sql += kLogColumns;
  if (materialized) {
    for (const char* key : kMaterializedResourceKeys) {
      sql += "\n  `__hdx_materialized_";
      sql += key;
      sql += "` LowCardinality(String) MATERIALIZED ResourceAttributes['";
      sql += key;
      sql += "'] CODEC(ZSTD(1)),";
    }
  }
  sql += kLogIndexes;
  sql += "TTL TimestampTime + " + ttlInterval(ttl_seconds) + "\n";
  sql += settings;
  return sql;
}

std::vector<std::string> logsRollups(const SchemaOptions& o) {
  RollupSpec spec;
  spec.source = "otel_logs";
  spec.kv_view = "otel_logs_attr_kv_rollup_15m_mv";
  spec.map_columns = {"ResourceAttributes", "LogAttributes", "ScopeAttributes"};
  spec.native_columns = {"SeverityText", "ServiceName", "ScopeName", "ScopeVersion", "ResourceSchemaUrl",
                         "ScopeSchemaUrl"};
  for (const char* key : kMaterializedResourceKeys) spec.native_columns.push_back(std::string("__hdx_materialized_") + key);
  spec.ttl_seconds = ttlOr(o.logs_ttl_seconds, o.ttl_seconds);
  return rollupSchema(o, spec);
}

}  // namespace

std::string ttlInterval(int64_t s) {
  char buf[64];
  if (s > 0 && s % 86400 == 0) {
    snprintf(buf, sizeof buf, "toIntervalDay(%lld)", static_cast<long long>(s / 86400));
  } else if (s > 0 && s % 3600 == 0) {
    snprintf(buf, sizeof buf, "toIntervalHour(%lld)", static_cast<long long>(s / 3600));
  } else if (s > 0 && s % 60 == 0) {
    snprintf(buf, sizeof buf, "toIntervalMinute(%lld)", static_cast<long long>(s / 60));
  } else {
    snprintf(buf, sizeof buf, "toIntervalSecond(%lld)", static_cast<long long>(s));
  }
  return buf;
}

std::vector<std::string> clickStackLogsSchema(const SchemaOptions& o) {
  std::vector<std::string> out;
  out.push_back("CREATE DATABASE IF NOT EXISTS " + o.database);
  out.push_back(logsTable(o, "otel_logs", true, ttlOr(o.logs_ttl_seconds, o.ttl_seconds),
                          "SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, "
                          "enable_block_number_column = 1, enable_block_offset_column = 1"));
  out.push_back(logsTable(o, "hyperdx_sessions", false, ttlOr(o.sessions_ttl_seconds, o.ttl_seconds),
                          "SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"));
  if (o.logs_rollups) {
    for (auto& s : logsRollups(o)) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace otelhouse
