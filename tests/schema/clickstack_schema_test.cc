#include "schema/clickstack_schema.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

TEST(SchemaTest, TtlIntervalUsesLargestWholeUnit) {
  EXPECT_EQ(ttlInterval(720 * 3600), "toIntervalDay(30)");
  EXPECT_EQ(ttlInterval(25 * 3600), "toIntervalHour(25)");
  EXPECT_EQ(ttlInterval(90 * 60), "toIntervalMinute(90)");
  EXPECT_EQ(ttlInterval(61), "toIntervalSecond(61)");
}

TEST(SchemaTest, LogsStatements) {
  SchemaOptions o;
  o.database = "obs";
  auto all = clickStackLogsSchema(o);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[0], "CREATE DATABASE IF NOT EXISTS obs");
  EXPECT_EQ(all[1].rfind("CREATE TABLE IF NOT EXISTS obs.otel_logs\n(", 0), 0u);
  EXPECT_NE(all[1].find("`__hdx_materialized_deployment.environment.name` LowCardinality(String) "
                        "MATERIALIZED ResourceAttributes['deployment.environment.name'] CODEC(ZSTD(1))"),
            std::string::npos);
  EXPECT_NE(all[1].find("TTL TimestampTime + toIntervalDay(30)\n"), std::string::npos);
  EXPECT_NE(all[1].find("enable_block_number_column = 1"), std::string::npos);
  EXPECT_EQ(all[2].find("__hdx_materialized"), std::string::npos);  // sessions have none
  EXPECT_NE(all[6].find("otel_logs_attr_kv_rollup_15m_mv"), std::string::npos);
  o.logs_rollups = false;
  EXPECT_EQ(clickStackLogsSchema(o).size(), 3u);
}

}  // namespace
}  // namespace otelhouse
