#include "schema/clickstack_schema.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace otelhouse {
namespace {

TEST(SchemaTest, TtlIntervalUsesLargestWholeUnit) {
  EXPECT_EQ(ttlInterval(720 * 3600), "toIntervalDay(30)");
  EXPECT_EQ(ttlInterval(25 * 3600), "toIntervalHour(25)");
  EXPECT_EQ(ttlInterval(90 * 60), "toIntervalMinute(90)");
  EXPECT_EQ(ttlInterval(61), "toIntervalSecond(61)");
}

TEST(SchemaTest, VariantFollowsTheEngineVersionAsTheMigratorDoes) {
  EXPECT_EQ(schemaVariantForVersion("26.7.2.1"), SchemaVariant::kFullText);
  EXPECT_EQ(schemaVariantForVersion("26.2"), SchemaVariant::kFullText);
  EXPECT_EQ(schemaVariantForVersion("27.1.1"), SchemaVariant::kFullText);
  EXPECT_EQ(schemaVariantForVersion("26.1.9.1"), SchemaVariant::kCompat);
  EXPECT_EQ(schemaVariantForVersion("25.12.1"), SchemaVariant::kCompat);
  EXPECT_EQ(schemaVariantForVersion("18.16.1"), SchemaVariant::kCompat);
  EXPECT_EQ(schemaVariantForVersion("garbage"), SchemaVariant::kCompat);
}

TEST(SchemaTest, LogsStatements) {
  SchemaOptions o;
  o.database = "obs";
  auto all = clickStackLogsSchema(o);
  ASSERT_EQ(all.size(), 5u);  // database, otel_logs, sessions, kv table, kv view
  EXPECT_EQ(all[0], "CREATE DATABASE IF NOT EXISTS obs");
  EXPECT_EQ(all[1].rfind("CREATE TABLE IF NOT EXISTS obs.otel_logs\n(", 0), 0u);
  EXPECT_NE(all[1].find("`EventName` String CODEC(ZSTD(1))"), std::string::npos);
  EXPECT_NE(all[1].find("`LogAttributeItems` Array(String) ALIAS"), std::string::npos);
  EXPECT_NE(all[1].find("TTL toDateTime(Timestamp) + toIntervalDay(30)\n"), std::string::npos);
  EXPECT_EQ(all[1].find("TimestampTime"), std::string::npos);
  EXPECT_EQ(all[2].find("__hdx_materialized"), std::string::npos);  // sessions have none
  EXPECT_NE(all[4].find("otel_logs_attr_kv_rollup_15m_mv"), std::string::npos);
  EXPECT_EQ(all[4].find("ARRAY JOIN"), std::string::npos);  // #2643: native columns only
  o.logs_rollups = false;
  EXPECT_EQ(clickStackLogsSchema(o).size(), 3u);
  o.variant = SchemaVariant::kCompat;
  EXPECT_EQ(clickStackLogsSchema(o).size(), 4u);  // the materialized columns come in an ALTER
}

TEST(SchemaTest, MetricsTimeSeriesOnlyWithPromQL) {
  SchemaOptions o;
  auto has = [](const std::vector<std::string>& v) {
    for (const auto& s : v)
      if (s.find("metrics_ts") != std::string::npos) return true;
    return false;
  };
  EXPECT_FALSE(has(clickStackMetricsSchema(o)));
  o.metrics_timeseries = true;
  EXPECT_TRUE(has(clickStackMetricsSchema(o)));
}

// One reviewed file per variant; OTELHOUSE_UPDATE_GOLDEN=1 rewrites them
// after a deliberate change. schema_legacy.reference is also the previous
// release's DDL (it created metrics_ts by default), the upgrade tests' fixture.
TEST(SchemaTest, MatchesTheGoldenFilePerVariant) {
  for (SchemaVariant v : {SchemaVariant::kFullText, SchemaVariant::kCompat, SchemaVariant::kLegacy}) {
    SchemaOptions o;
    o.variant = v;
    o.metrics_timeseries = v == SchemaVariant::kLegacy;
    std::string ddl;
    for (const auto& s : clickStackSchema(o)) ddl += s + ";\n\n";
    const std::string path = std::string(std::getenv("OTELHOUSE_TEST_DATA")) + "/schema_" +
                             schemaVariantName(v) + ".reference";
    if (std::getenv("OTELHOUSE_UPDATE_GOLDEN")) std::ofstream(path) << ddl;
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(ddl, want.str()) << path;
  }
}

}  // namespace
}  // namespace otelhouse
