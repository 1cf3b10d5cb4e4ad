// The fixture itself: a server starts on free ports, answers queries, checks
// passwords, and comes back after a restart with its data.
#include "clickhouse/clickhouse_server.h"

#include <gtest/gtest.h>

namespace otelhouse::testing {
namespace {

TEST(ClickHouseServerFixture, StartsQueriesAndRestarts) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  EXPECT_NE(server->tcpPort(), 0);
  EXPECT_NE(server->httpPort(), server->tcpPort());
  auto version = server->query("SELECT version()");
  ASSERT_TRUE(version.isOk()) << version.status().toString();
  EXPECT_FALSE(version.value().empty());

  ASSERT_TRUE(server->query("CREATE TABLE t (x UInt32) ENGINE = MergeTree ORDER BY x").isOk());
  ASSERT_TRUE(server->query("INSERT INTO t VALUES (1), (2), (3)").isOk());

  auto authed = server->query("SELECT 42", ClickHouseServer::kAuthUser,
                              ClickHouseServer::kAuthPassword);
  ASSERT_TRUE(authed.isOk()) << authed.status().toString();
  EXPECT_EQ(authed.value(), "42\n");
  auto refused = server->query("SELECT 1", ClickHouseServer::kAuthUser, "wrong");
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find("Code: 193"), std::string::npos)
      << refused.status().message();

  auto bad = server->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("Code: 60"), std::string::npos);

  ASSERT_TRUE(server->stop(true).isOk());
  EXPECT_FALSE(server->query("SELECT 1").isOk());
  ASSERT_TRUE(server->restart().isOk()) << server->logTail();
  auto sum = server->query("SELECT sum(x) FROM t");
  ASSERT_TRUE(sum.isOk()) << sum.status().toString();
  EXPECT_EQ(sum.value(), "6\n");
}

}  // namespace
}  // namespace otelhouse::testing
