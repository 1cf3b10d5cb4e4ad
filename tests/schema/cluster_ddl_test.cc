#include "schema/cluster_ddl.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "schema/clickstack_schema.h"

namespace otelhouse {
namespace {

std::string joined(const std::vector<std::string>& statements) {
  std::string out;
  for (const auto& s : statements) out += s + ";\n\n";
  return out;
}

// The whole cluster schema against a reviewed reference file;
// OTELHOUSE_UPDATE_GOLDEN=1 rewrites the file after a deliberate change.
TEST(ClusterDdlTest, MatchesTheGoldenFile) {
  SchemaOptions o;
  o.database = "otel";
  o.logs_ttl_seconds = 7 * 86400;
  auto ddl = joined(clusterSchema(clickStackSchema(o), "obs_cluster", "otel"));
  const std::string path = std::string(std::getenv("OTELHOUSE_TEST_DATA")) + "/cluster_schema.reference";
  if (std::getenv("OTELHOUSE_UPDATE_GOLDEN")) std::ofstream(path) << ddl;
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(ddl, want.str());
}

TEST(ClusterDdlTest, EveryTableIsReplicatedAndHasADistributedTwin) {
  SchemaOptions o;
  o.database = "db";
  auto ddl = clusterSchema(clickStackSchema(o), "c1", "db");
  int replicated = 0, distributed = 0;
  for (const auto& s : ddl) {
    EXPECT_NE(s.find(" ON CLUSTER 'c1'"), std::string::npos) << s.substr(0, 80);
    if (s.find("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/db.") != std::string::npos ||
        s.find("ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/db.") != std::string::npos)
      ++replicated;
    if (s.find("ENGINE = Distributed('c1', 'db', '") != std::string::npos) ++distributed;
    EXPECT_EQ(s.find("ENGINE = MergeTree"), std::string::npos);
    EXPECT_EQ(s.find("ENGINE = SummingMergeTree"), std::string::npos);
  }
  // logs, sessions, the logs kv rollup, traces, the traces kv rollup, 5 metric tables.
  EXPECT_EQ(replicated, 10);
  EXPECT_EQ(distributed, 10);
}

// The compat variant adds its materialized columns in an ALTER: to the local
// tables and to their Distributed twins, on every server.
TEST(ClusterDdlTest, CompatAltersReachLocalAndDistributedTables) {
  SchemaOptions o;
  o.database = "db";
  o.variant = SchemaVariant::kCompat;
  std::vector<std::string> alters;
  for (const auto& s : clusterSchema(clickStackSchema(o), "c1", "db"))
    if (s.rfind("ALTER TABLE", 0) == 0) alters.push_back(s.substr(0, s.find('\n')));
  ASSERT_EQ(alters.size(), 2u);
  EXPECT_EQ(alters[0], "ALTER TABLE db.otel_logs_local ON CLUSTER 'c1'");
  EXPECT_EQ(alters[1], "ALTER TABLE db.otel_logs ON CLUSTER 'c1'");
}

TEST(ClusterDdlTest, ViewsReadAndWriteTheLocalTables) {
  SchemaOptions o;
  o.database = "db";
  for (const auto& s : clusterSchema(clickStackSchema(o), "c1", "db")) {
    if (s.rfind("CREATE MATERIALIZED VIEW", 0) != 0) continue;
    EXPECT_NE(s.find("_15m_local\n"), std::string::npos) << s.substr(0, 120);
    EXPECT_EQ(s.find("db.otel_logs "), std::string::npos);
    EXPECT_EQ(s.find("db.otel_traces\n"), std::string::npos);
  }
}

TEST(ClusterDdlTest, ShardingKeysAreDeterministicForTheTablesWeWrite) {
  for (const char* t : {"otel_logs", "hyperdx_sessions", "otel_traces", "otel_metrics_sum"})
    EXPECT_EQ(shardingKey(t).find("rand"), std::string::npos) << t;
}

TEST(SchemaTest, PerSignalTtls) {
  SchemaOptions o;
  o.logs_ttl_seconds = 86400;
  o.traces_ttl_seconds = 2 * 86400;
  o.metrics_ttl_seconds = 3 * 86400;
  o.sessions_ttl_seconds = 3600;
  auto all = clickStackSchema(o);
  auto find = [&](const std::string& head) {
    for (auto& s : all)
      if (s.rfind(head, 0) == 0) return s;
    return std::string();
  };
  EXPECT_NE(find("CREATE TABLE IF NOT EXISTS default.otel_logs\n").find("toIntervalDay(1)"), std::string::npos);
  EXPECT_NE(find("CREATE TABLE IF NOT EXISTS default.otel_logs_kv_rollup_15m").find("toIntervalDay(1)"),
            std::string::npos);
  EXPECT_NE(find("CREATE TABLE IF NOT EXISTS default.hyperdx_sessions").find("toIntervalHour(1)"), std::string::npos);
  EXPECT_NE(find("CREATE TABLE IF NOT EXISTS default.otel_traces\n").find("toIntervalDay(2)"), std::string::npos);
  EXPECT_NE(find("CREATE TABLE IF NOT EXISTS default.otel_metrics_gauge").find("toIntervalDay(3)"), std::string::npos);
}

}  // namespace
}  // namespace otelhouse
