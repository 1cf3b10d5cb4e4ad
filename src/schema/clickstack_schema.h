// ClickStack's schema (hyperdxio/hyperdx, docker/otel-collector/schema/seed),
// as the DDL statements otelhouse runs at start. docs/COLUMNS.md names the
// upstream file and commit each variant follows.
//
// The tables are a contract with HyperDX: names, columns, types, codecs,
// materialized and ALIAS columns, indexes, partitioning, keys, TTL and
// settings are ClickStack's. The knobs are those ClickStack's migrator has:
// the database, the TTLs, the variant (chosen from the engine's version, as
// the migrator does: full-text indexes from 26.2, the _compat bloom-filter
// files below, or the layout before #2125 when asked for the legacy schema),
// whether the rollup tables exist and whether metrics_ts exists (PromQL).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace otelhouse {

enum class SchemaVariant {
  kFullText,  // seed/*.sql: TYPE text(...) indexes, *AttributeItems ALIAS columns
  kCompat,    // seed/*_compat.sql: the same layout with bloom filters (< 26.2)
  kLegacy,    // the layout before #2125 (TimestampTime, no EventName): the previous release's
};

// The variant ClickStack's migrator picks for an engine version ("26.7.2.1"):
// full text from 26.2, compat below (and for a version that does not parse).
SchemaVariant schemaVariantForVersion(std::string_view version);
const char* schemaVariantName(SchemaVariant v);

struct SchemaOptions {
  SchemaVariant variant = SchemaVariant::kFullText;
  std::string database = "default";
  int64_t ttl_seconds = 720 * 3600;  // HYPERDX_OTEL_EXPORTER_TABLES_TTL, default 720h
  // Per-signal TTLs (HYPERDX_OTEL_EXPORTER_{LOGS,TRACES,METRICS,SESSIONS}_TTL);
  // 0: ttl_seconds. The rollups of a signal share its TTL.
  int64_t logs_ttl_seconds = 0;
  int64_t traces_ttl_seconds = 0;
  int64_t metrics_ttl_seconds = 0;
  int64_t sessions_ttl_seconds = 0;
  bool logs_rollups = true;          // otel_logs_kv_rollup_15m and its views
  bool traces_rollups = true;        // otel_traces_kv_rollup_15m and its views
  bool metrics_timeseries = false;   // the metrics_ts TimeSeries table (ENABLE_PROMQL=true)
};

// ClickHouse interval expression for a TTL, the largest whole unit:
// 720h -> toIntervalDay(30), 90m -> toIntervalMinute(90).
std::string ttlInterval(int64_t seconds);
inline int64_t ttlOr(int64_t signal_seconds, int64_t all_seconds) {
  return signal_seconds > 0 ? signal_seconds : all_seconds;
}

// The tables the gateway inserts into, in every variant.
const std::vector<std::string>& clickStackWrittenTables();

// Each table of the schema (any variant, including the previous release's key
// rollups) with the TTL the options give it: what TTL reconciliation aligns.
std::vector<std::pair<std::string, int64_t>> clickStackTableTtls(const SchemaOptions& options);

// Every statement, in order, idempotent (IF NOT EXISTS).
std::vector<std::string> clickStackLogsSchema(const SchemaOptions& options);
std::vector<std::string> clickStackTracesSchema(const SchemaOptions& options);
std::vector<std::string> clickStackMetricsSchema(const SchemaOptions& options);
// All of the above, database first.
std::vector<std::string> clickStackSchema(const SchemaOptions& options);

}  // namespace otelhouse
