#include "schema/clickstack_schema.h"

#include <cstdio>

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

// One branch of the attribute rollup view: a map column's entries, with
// array indexes in keys folded to [*] so HyperDX suggests one key per array.
std::string mapBranch(const SchemaOptions& o, const char* column) {
  return std::string("  SELECT '") + column +
         "' AS ColumnIdentifier, toStartOfFifteenMinutes(Timestamp) AS Timestamp, "
         "replaceRegexpAll(entry.1, '\\\\[\\\\d+\\\\]', '[*]') AS Key, entry.2 AS Value\n"
         "  FROM " + o.database + ".otel_logs ARRAY JOIN " + column + " AS entry\n";
}

std::string nativeBranch(const SchemaOptions& o, const std::string& column) {
  return "  SELECT 'NativeColumn' AS ColumnIdentifier, toStartOfFifteenMinutes(Timestamp) AS "
         "Timestamp, '" + column + "' AS Key, `" + column + "` AS Value\n"
         "  FROM " + o.database + ".otel_logs\n";
}

std::vector<std::string> logsRollups(const SchemaOptions& o) {
  const std::string db = o.database;
  const std::string ttl = ttlInterval(ttlOr(o.logs_ttl_seconds, o.ttl_seconds));
  std::vector<std::string> out;
  out.push_back("CREATE TABLE IF NOT EXISTS " + db + R"(.otel_logs_kv_rollup_15m
(
  `Timestamp` DateTime,
  `ColumnIdentifier` LowCardinality(String),
  `Key` LowCardinality(String),
  `Value` String,
  `count` UInt64,
  INDEX idx_count_minmax count TYPE minmax GRANULARITY 1,
  INDEX idx_timestamp_minmax Timestamp TYPE minmax GRANULARITY 1
)
ENGINE = SummingMergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ColumnIdentifier, Key, Timestamp, Value)
TTL Timestamp + )" + ttl + R"(
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1)");
  out.push_back("CREATE TABLE IF NOT EXISTS " + db + R"(.otel_logs_key_rollup_15m
(
  `Timestamp` DateTime,
  `ColumnIdentifier` LowCardinality(String),
  `Key` LowCardinality(String),
  `count` UInt64,
  INDEX idx_count_minmax count TYPE minmax GRANULARITY 1,
  INDEX idx_timestamp_minmax Timestamp TYPE minmax GRANULARITY 1
)
ENGINE = SummingMergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ColumnIdentifier, Key, Timestamp)
TTL Timestamp + )" + ttl + R"(
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1)");
  out.push_back("CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + ".otel_logs_key_rollup_15m_mv TO " +
                db + ".otel_logs_key_rollup_15m\nAS SELECT Timestamp, ColumnIdentifier, Key, "
                "sum(count) AS count\nFROM " + db + ".otel_logs_kv_rollup_15m\n"
                "GROUP BY ColumnIdentifier, Key, Timestamp");
  std::string mv = "CREATE MATERIALIZED VIEW IF NOT EXISTS " + db +
                   ".otel_logs_attr_kv_rollup_15m_mv TO " + db +
                   ".otel_logs_kv_rollup_15m\nAS WITH elements AS (\n";
  mv += mapBranch(o, "ResourceAttributes") + "  UNION ALL\n";
  mv += mapBranch(o, "LogAttributes") + "  UNION ALL\n";
  mv += mapBranch(o, "ScopeAttributes");
  const char* native[] = {"SeverityText", "ServiceName", "ScopeName", "ScopeVersion",
                          "ResourceSchemaUrl", "ScopeSchemaUrl"};
  for (const char* c : native) mv += "  UNION ALL\n" + nativeBranch(o, c);
  for (const char* key : kMaterializedResourceKeys)
    mv += "  UNION ALL\n" + nativeBranch(o, std::string("__hdx_materialized_") + key);
  mv += ")\nSELECT Timestamp, ColumnIdentifier, Key, Value, count() AS count FROM elements\n"
        "GROUP BY Timestamp, ColumnIdentifier, Key, Value";
  out.push_back(mv);
  return out;
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
