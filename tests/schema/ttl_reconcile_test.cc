#include "schema/ttl_reconcile.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

constexpr const char* kLogs =
    "MergeTree PARTITION BY toDate(Timestamp) ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp) "
    "TTL toDateTime(Timestamp) + toIntervalDay(30) SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1";

TEST(TtlReconcileTest, SameTtlIsLeftAlone) {
  EXPECT_EQ(planTtl("default.otel_logs", kLogs, 30 * 86400).kind, TtlPlan::kSame);
  EXPECT_EQ(planTtl("default.otel_logs", kLogs, 720 * 3600).kind, TtlPlan::kSame);  // 720h is 30 days
}

TEST(TtlReconcileTest, LengtheningMaterializes) {
  TtlPlan p = planTtl("default.otel_logs", kLogs, 90 * 86400);
  ASSERT_EQ(p.kind, TtlPlan::kModify);
  EXPECT_EQ(p.current_seconds, 30 * 86400);
  EXPECT_EQ(p.statement,
            "ALTER TABLE default.otel_logs MODIFY TTL toDateTime(Timestamp) + toIntervalDay(90) "
            "SETTINGS materialize_ttl_after_modify = 1");
}

TEST(TtlReconcileTest, ShorteningNeverDeletesAtStart) {
  TtlPlan p = planTtl("default.otel_logs", kLogs, 7 * 86400);
  ASSERT_EQ(p.kind, TtlPlan::kModify);
  EXPECT_NE(p.statement.find("toIntervalDay(7) SETTINGS materialize_ttl_after_modify = 0"), std::string::npos);
}

TEST(TtlReconcileTest, LegacyExpressionIsKept) {
  TtlPlan p = planTtl("d.otel_logs", "MergeTree ... TTL TimestampTime + toIntervalHour(48) SETTINGS x = 1", 86400);
  ASSERT_EQ(p.kind, TtlPlan::kModify);
  EXPECT_EQ(p.statement,
            "ALTER TABLE d.otel_logs MODIFY TTL TimestampTime + toIntervalDay(1) SETTINGS materialize_ttl_after_modify = 0");
}

TEST(TtlReconcileTest, CompoundOrMissingTtlIsNotTouched) {
  EXPECT_EQ(planTtl("t", "MergeTree ORDER BY a SETTINGS x = 1", 86400).kind, TtlPlan::kNone);
  EXPECT_EQ(planTtl("t", "MergeTree TTL a + toIntervalDay(1), a + toIntervalDay(2) TO DISK 'cold'", 86400).kind,
            TtlPlan::kUnsupported);
  EXPECT_EQ(planTtl("t", "MergeTree TTL a + toIntervalDay(1) DELETE WHERE b = 1", 86400).kind,
            TtlPlan::kUnsupported);
  EXPECT_EQ(planTtl("t", "MergeTree TTL a + INTERVAL 1 DAY", 86400).kind, TtlPlan::kUnsupported);
}

}  // namespace
}  // namespace otelhouse
