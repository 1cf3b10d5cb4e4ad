#include "schema/clickstack_schema.h"

#include <cstdio>
#include <cstdlib>

#include "schema/rollup_ddl.h"

namespace otelhouse {
namespace {

// The exporter's columns, shared by every otel_logs layout and hyperdx_sessions.
constexpr const char* kLogColumns = R"(
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

constexpr const char* kTimestamp = "\n  `Timestamp` DateTime64(9) CODEC(Delta(8), ZSTD(1)),";
constexpr const char* kTimestampTime = "\n  `TimestampTime` DateTime DEFAULT toDateTime(Timestamp),";
constexpr const char* kEventName = "\n  `EventName` String CODEC(ZSTD(1)),";

// The resource attributes HyperDX filters on, materialized in otel_logs.
constexpr const char* kMaterializedResourceKeys[] = {
    "k8s.cluster.name", "k8s.container.name", "k8s.deployment.name", "k8s.namespace.name",
    "k8s.node.name",    "k8s.pod.name",       "k8s.pod.uid",         "deployment.environment.name",
};

std::string materializedColumn(const char* key) {
  return std::string("`__hdx_materialized_") + key + "` LowCardinality(String) MATERIALIZED ResourceAttributes['" +
         key + "'] CODEC(ZSTD(1))";
}

// key=value items of a map, which HyperDX's direct_read rewrite searches (#2341).
std::string itemsColumn(const char* map, const char* items) {
  return std::string("\n  `") + items + "` Array(String) ALIAS arrayMap((arr) -> concat(arr.1, '=', arr.2), " +
         map + "::Array(Tuple(String, String))),";
}

constexpr const char* kBloomIndexes = R"(
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
)";

constexpr const char* kTextIndexes = R"(
  INDEX idx_trace_id TraceId TYPE text(tokenizer = 'array'),
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE text(tokenizer = 'array'),
  INDEX idx_res_attr_items ResourceAttributeItems TYPE text(tokenizer = 'array'),
  INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE text(tokenizer = 'array'),
  INDEX idx_scope_attr_items ScopeAttributeItems TYPE text(tokenizer = 'array'),
  INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE text(tokenizer = 'array'),
  INDEX idx_log_attr_items LogAttributeItems TYPE text(tokenizer = 'array'),
  INDEX idx_lower_body lower(Body) TYPE text(tokenizer = 'splitByNonAlpha')
)
ENGINE = MergeTree
)";

// Before #2125: TimestampTime leads partitioning, key and TTL.
constexpr const char* kLegacyKeys = R"(PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
)";
constexpr const char* kKeys = R"(PARTITION BY toDate(Timestamp)
ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp)
)";
constexpr const char* kLogsSettings =
    "SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, enable_block_number_column = 1, "
    "enable_block_offset_column = 1";

std::string tableHead(const SchemaOptions& o, const char* table) {
  return "CREATE TABLE IF NOT EXISTS " + o.database + "." + table + "\n(";
}

// The layout before #2125, for the legacy variant's otel_logs and for
// hyperdx_sessions (which ClickStack's seed still creates this way).
std::string legacyLogsTable(const SchemaOptions& o, const char* table, bool materialized, int64_t ttl_seconds,
                            const char* settings) {
  std::string sql = tableHead(o, table) + kTimestamp + kTimestampTime + kLogColumns;
  if (materialized)
    for (const char* key : kMaterializedResourceKeys) sql += "\n  " + materializedColumn(key) + ",";
  sql += kBloomIndexes;
  sql += kLegacyKeys;
  sql += "TTL TimestampTime + " + ttlInterval(ttl_seconds) + "\n";
  sql += settings;
  return sql;
}

// 00002_otel_logs.sql: the materialized and items columns inline, text indexes.
std::string fullTextLogsTable(const SchemaOptions& o, int64_t ttl_seconds) {
  std::string sql = tableHead(o, "otel_logs") + kTimestamp + kLogColumns + kEventName;
  for (const char* key : kMaterializedResourceKeys) sql += "\n  " + materializedColumn(key) + ",";
  sql += itemsColumn("ResourceAttributes", "ResourceAttributeItems");
  sql += itemsColumn("ScopeAttributes", "ScopeAttributeItems");
  sql += itemsColumn("LogAttributes", "LogAttributeItems");
  sql += kTextIndexes;
  sql += kKeys;
  sql += "TTL toDateTime(Timestamp) + " + ttlInterval(ttl_seconds) + "\n";
  sql += kLogsSettings;
  return sql;
}

// 00002_otel_logs_compat.sql: bloom filters; the materialized columns come in
// an ALTER, as upstream writes it.
std::vector<std::string> compatLogsTable(const SchemaOptions& o, int64_t ttl_seconds) {
  std::string sql = tableHead(o, "otel_logs") + kTimestamp + kLogColumns + kEventName;
  sql += kBloomIndexes;
  sql += kKeys;
  sql += "TTL toDateTime(Timestamp) + " + ttlInterval(ttl_seconds) + "\n";
  sql += kLogsSettings;
  std::string alter = "ALTER TABLE " + o.database + ".otel_logs";
  bool first = true;
  for (const char* key : kMaterializedResourceKeys) {
    alter += first ? "\n    " : ",\n    ";
    first = false;
    alter += "ADD COLUMN IF NOT EXISTS " + materializedColumn(key);
  }
  return {sql, alter};
}

std::vector<std::string> logsRollups(const SchemaOptions& o) {
  RollupSpec spec;
  spec.source = "otel_logs";
  spec.kv_view = "otel_logs_attr_kv_rollup_15m_mv";
  spec.native_columns = {"SeverityText", "ServiceName", "ScopeName", "ScopeVersion", "ResourceSchemaUrl",
                         "ScopeSchemaUrl"};
  for (const char* key : kMaterializedResourceKeys)
    spec.native_columns.push_back(std::string("__hdx_materialized_") + key);
  if (o.variant == SchemaVariant::kLegacy) {
    // Since #2643 attribute keys come from the text indexes, not the rollup.
    spec.map_columns = {"ResourceAttributes", "LogAttributes", "ScopeAttributes"};
    spec.key_rollup = true;
  }
  spec.ttl_seconds = ttlOr(o.logs_ttl_seconds, o.ttl_seconds);
  return rollupSchema(o, spec);
}

}  // namespace

SchemaVariant schemaVariantForVersion(std::string_view version) {
  char* end = nullptr;
  const std::string v(version);
  const long major = std::strtol(v.c_str(), &end, 10);
  if (end == v.c_str() || *end != '.') return SchemaVariant::kCompat;
  const long minor = std::strtol(end + 1, nullptr, 10);
  return (major > 26 || (major == 26 && minor >= 2)) ? SchemaVariant::kFullText : SchemaVariant::kCompat;
}

const char* schemaVariantName(SchemaVariant v) {
  switch (v) {
    case SchemaVariant::kFullText: return "full_text";
    case SchemaVariant::kCompat: return "compat";
    case SchemaVariant::kLegacy: return "legacy";
  }
  return "?";
}

const std::vector<std::string>& clickStackWrittenTables() {
  static const std::vector<std::string> tables{
      "otel_logs",          "hyperdx_sessions",     "otel_traces",
      "otel_metrics_gauge", "otel_metrics_sum",     "otel_metrics_histogram",
      "otel_metrics_exponential_histogram",         "otel_metrics_summary"};
  return tables;
}

std::vector<std::pair<std::string, int64_t>> clickStackTableTtls(const SchemaOptions& o) {
  const int64_t logs = ttlOr(o.logs_ttl_seconds, o.ttl_seconds);
  const int64_t traces = ttlOr(o.traces_ttl_seconds, o.ttl_seconds);
  const int64_t metrics = ttlOr(o.metrics_ttl_seconds, o.ttl_seconds);
  return {
      {"otel_logs", logs},
      {"otel_logs_kv_rollup_15m", logs},
      {"otel_logs_key_rollup_15m", logs},
      {"hyperdx_sessions", ttlOr(o.sessions_ttl_seconds, o.ttl_seconds)},
      {"otel_traces", traces},
      {"otel_traces_kv_rollup_15m", traces},
      {"otel_traces_key_rollup_15m", traces},
      {"otel_metrics_gauge", metrics},
      {"otel_metrics_sum", metrics},
      {"otel_metrics_histogram", metrics},
      {"otel_metrics_exponential_histogram", metrics},
      {"otel_metrics_summary", metrics},
  };
}

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
  const int64_t logs_ttl = ttlOr(o.logs_ttl_seconds, o.ttl_seconds);
  std::vector<std::string> out;
  out.push_back("CREATE DATABASE IF NOT EXISTS " + o.database);
  switch (o.variant) {
    case SchemaVariant::kFullText:
      out.push_back(fullTextLogsTable(o, logs_ttl));
      break;
    case SchemaVariant::kCompat:
      for (auto& s : compatLogsTable(o, logs_ttl)) out.push_back(std::move(s));
      break;
    case SchemaVariant::kLegacy:
      out.push_back(legacyLogsTable(o, "otel_logs", true, logs_ttl, kLogsSettings));
      break;
  }
  out.push_back(legacyLogsTable(o, "hyperdx_sessions", false, ttlOr(o.sessions_ttl_seconds, o.ttl_seconds),
                                "SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"));
  if (o.logs_rollups) {
    for (auto& s : logsRollups(o)) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace otelhouse
