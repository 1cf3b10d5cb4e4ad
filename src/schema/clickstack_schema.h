// ClickStack's published schema (hyperdxio/hyperdx, docker/otel-collector/
// schema/seed), as the DDL statements otelhouse runs at start.
//
// The tables are a contract with HyperDX: names, columns, types, codecs,
// materialized columns, indexes, partitioning, keys, TTL and settings are
// ClickStack's. The only knobs are those ClickStack's migration has: the
// database, the TTL, and whether the rollup tables exist (they about double
// the engine's insert cost).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace otelhouse {

struct SchemaOptions {
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
  bool metrics_timeseries = true;    // the metrics_ts TimeSeries table
};

// ClickHouse interval expression for a TTL, the largest whole unit:
// 720h -> toIntervalDay(30), 90m -> toIntervalMinute(90).
std::string ttlInterval(int64_t seconds);
inline int64_t ttlOr(int64_t signal_seconds, int64_t all_seconds) {
  return signal_seconds > 0 ? signal_seconds : all_seconds;
}

// Every statement, in order, idempotent (IF NOT EXISTS).
std::vector<std::string> clickStackLogsSchema(const SchemaOptions& options);
std::vector<std::string> clickStackTracesSchema(const SchemaOptions& options);
std::vector<std::string> clickStackMetricsSchema(const SchemaOptions& options);
// All of the above, database first.
std::vector<std::string> clickStackSchema(const SchemaOptions& options);

}  // namespace otelhouse
