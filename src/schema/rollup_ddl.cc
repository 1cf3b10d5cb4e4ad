#include "schema/rollup_ddl.h"

namespace otelhouse {
namespace {

std::string rollupTable(const std::string& db, const std::string& name, bool with_value, const std::string& ttl) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + db + "." + name +
                    "\n(\n  `Timestamp` DateTime,\n  `ColumnIdentifier` LowCardinality(String),\n"
                    "  `Key` LowCardinality(String),\n";
  if (with_value) sql += "  `Value` String,\n";
  sql += "  `count` UInt64,\n"
         "  INDEX idx_count_minmax count TYPE minmax GRANULARITY 1,\n"
         "  INDEX idx_timestamp_minmax Timestamp TYPE minmax GRANULARITY 1\n"
         ")\nENGINE = SummingMergeTree\nPARTITION BY toDate(Timestamp)\n";
  sql += with_value ? "ORDER BY (ColumnIdentifier, Key, Timestamp, Value)\n" : "ORDER BY (ColumnIdentifier, Key, Timestamp)\n";
  sql += "TTL Timestamp + " + ttl + "\nSETTINGS index_granularity = 8192, ttl_only_drop_parts = 1";
  return sql;
}

}  // namespace

std::vector<std::string> rollupSchema(const SchemaOptions& o, const RollupSpec& spec) {
  const std::string& db = o.database;
  const std::string ttl = ttlInterval(spec.ttl_seconds);
  const std::string kv = spec.source + "_kv_rollup_15m";
  const std::string key = spec.source + "_key_rollup_15m";
  const std::string from = db + "." + spec.source;
  const std::string ts = "toStartOfFifteenMinutes(Timestamp) AS Timestamp";
  std::vector<std::string> out;
  out.push_back(rollupTable(db, kv, true, ttl));
  if (spec.key_rollup) {
    out.push_back(rollupTable(db, key, false, ttl));
    out.push_back("CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + "." + key + "_mv TO " + db + "." + key +
                  "\nAS SELECT Timestamp, ColumnIdentifier, Key, sum(count) AS count\nFROM " + db + "." + kv +
                  "\nGROUP BY ColumnIdentifier, Key, Timestamp");
  }
  std::string mv = "CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + "." + spec.kv_view + " TO " + db + "." + kv +
                   "\nAS WITH elements AS (\n";
  bool first = true;
  for (const auto& map : spec.map_columns) {
    if (!first) mv += "  UNION ALL\n";
    first = false;
    mv += "  SELECT '" + map + "' AS ColumnIdentifier, " + ts +
          ", replaceRegexpAll(entry.1, '\\\\[\\\\d+\\\\]', '[*]') AS Key, " +
          (spec.cast_values ? "CAST(entry.2 AS String)" : "entry.2") + " AS Value\n  FROM " + from +
          " ARRAY JOIN " + map + " AS entry\n";
  }
  for (const auto& col : spec.native_columns) {
    if (!first) mv += "  UNION ALL\n";
    first = false;
    mv += "  SELECT 'NativeColumn' AS ColumnIdentifier, " + ts + ", '" + col + "' AS Key, " +
          (spec.cast_values ? "CAST(" + col + " AS String)" : "`" + col + "`") + " AS Value\n  FROM " + from + "\n";
  }
  mv += ")\nSELECT Timestamp, ColumnIdentifier, Key, Value, count() AS count FROM elements\n"
        "GROUP BY Timestamp, ColumnIdentifier, Key, Value";
  out.push_back(mv);
  return out;
}

}  // namespace otelhouse
