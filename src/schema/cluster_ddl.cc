#include "schema/cluster_ddl.h"

#include <set>
#include <string_view>

namespace otelhouse {
namespace {

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool isIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// Replaces every whole `db.table` reference of a renamed table with its _local twin.
std::string localRefs(std::string sql, const std::string& database, const std::set<std::string>& renamed) {
  for (const auto& table : renamed) {
    const std::string from = database + "." + table;
    size_t pos = 0;
    while ((pos = sql.find(from, pos)) != std::string::npos) {
      const size_t end = pos + from.size();
      const bool whole = (pos == 0 || !isIdentChar(sql[pos - 1])) && (end == sql.size() || !isIdentChar(sql[end]));
      if (!whole) {
        pos = end;
        continue;
      }
      sql.insert(end, "_local");
      pos = end + 6;
    }
  }
  return sql;
}

}  // namespace

std::string shardingKey(const std::string& table) {
  if (table == "otel_traces") return "cityHash64(TraceId)";  // a trace stays on one shard
  if (table == "otel_logs" || table == "hyperdx_sessions") return "cityHash64(Timestamp, TraceId, Body)";
  if (startsWith(table, "otel_metrics_")) return "cityHash64(MetricName, TimeUnix)";
  return "rand()";  // rollups: filled by the views on each shard, only read through Distributed
}

std::vector<std::string> clusterSchema(const std::vector<std::string>& single, const std::string& cluster,
                                       const std::string& database) {
  const std::string on_cluster = " ON CLUSTER " + quote(cluster);
  const std::string create_table = "CREATE TABLE IF NOT EXISTS " + database + ".";
  const std::string create_view = "CREATE MATERIALIZED VIEW IF NOT EXISTS " + database + ".";
  const std::string alter_table = "ALTER TABLE " + database + ".";

  // Tables with a MergeTree-family engine get a _local twin.
  std::set<std::string> renamed;
  for (const auto& sql : single) {
    if (!startsWith(sql, create_table)) continue;
    const size_t name_end = sql.find_first_of("\n (", create_table.size());
    const std::string table = sql.substr(create_table.size(), name_end - create_table.size());
    if (sql.find("ENGINE = MergeTree") != std::string::npos || sql.find("ENGINE = SummingMergeTree") != std::string::npos)
      renamed.insert(table);
  }

  std::vector<std::string> out;
  for (const auto& sql : single) {
    if (startsWith(sql, "CREATE DATABASE IF NOT EXISTS ")) {
      out.push_back(sql + on_cluster);
    } else if (startsWith(sql, create_view)) {
      const size_t name_end = sql.find(' ', create_view.size());
      std::string stmt = sql.substr(0, name_end) + on_cluster + sql.substr(name_end);
      out.push_back(localRefs(stmt, database, renamed));
    } else if (startsWith(sql, create_table)) {
      const size_t name_end = sql.find_first_of("\n (", create_table.size());
      const std::string table = sql.substr(create_table.size(), name_end - create_table.size());
      if (!renamed.count(table)) {  // e.g. the TimeSeries table: its own inner tables on each server
        out.push_back(sql.substr(0, name_end) + on_cluster + sql.substr(name_end));
        continue;
      }
      const std::string local = table + "_local";
      std::string stmt = sql.substr(0, name_end) + "_local" + on_cluster + sql.substr(name_end);
      for (const char* engine : {"SummingMergeTree", "MergeTree"}) {
        const std::string from = std::string("ENGINE = ") + engine + "\n";
        const size_t at = stmt.find(from);
        if (at == std::string::npos) continue;
        stmt.replace(at, from.size(),
                     std::string("ENGINE = Replicated") + engine + "(" +
                         quote("/clickhouse/tables/{shard}/" + database + "." + local) + ", '{replica}')\n");
        break;
      }
      out.push_back(std::move(stmt));
      out.push_back(create_table + table + on_cluster + " AS " + database + "." + local +
                    "\nENGINE = Distributed(" + quote(cluster) + ", " + quote(database) + ", " + quote(local) +
                    ", " + shardingKey(table) + ")");
    } else if (startsWith(sql, alter_table)) {
      // The compat variant's ADD COLUMNs: on the local tables and on their
      // Distributed twins, which were created from the local ones before.
      const size_t name_end = sql.find_first_of("\n ", alter_table.size());
      const std::string table = sql.substr(alter_table.size(), name_end - alter_table.size());
      if (renamed.count(table))
        out.push_back(sql.substr(0, name_end) + "_local" + on_cluster + sql.substr(name_end));
      out.push_back(sql.substr(0, name_end) + on_cluster + sql.substr(name_end));
    } else {
      out.push_back(sql);
    }
  }
  return out;
}

}  // namespace otelhouse
