// The ClickHouse server sink's settings: ClickStack's environment variables,
// the YAML keys and the flags.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "ops/config.h"

namespace otelhouse {
namespace {

const char* const kVars[] = {"CLICKHOUSE_ENDPOINT", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD",
                             "HYPERDX_OTEL_EXPORTER_TIMEOUT", "HYPERDX_OTEL_EXPORTER_TABLES_TTL",
                             "HYPERDX_OTEL_EXPORTER_LOGS_TTL", "HYPERDX_OTEL_EXPORTER_SESSIONS_TTL",
                             "CLICKHOUSE_TLS_CA_FILE", "CLICKHOUSE_TLS_INSECURE_SKIP_VERIFY"};

class ConfigClickHouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kVars) unsetenv(v);
  }
  void TearDown() override { SetUp(); }
};

TEST_F(ConfigClickHouseTest, DefaultsKeepTheEmbeddedEngine) {
  auto c = loadConfig({});
  ASSERT_TRUE(c.isOk()) << c.status().message();
  EXPECT_EQ(c.value().clickhouse_endpoint, "");
  EXPECT_EQ(c.value().clickhouse_user, "default");
  EXPECT_EQ(c.value().clickhouse_timeout_ms, 5000);
  EXPECT_EQ(c.value().clickhouse_compress, "zstd");
  EXPECT_TRUE(c.value().create_schema);
  EXPECT_EQ(c.value().cluster_name, "");
}

TEST_F(ConfigClickHouseTest, ClickStackEnvironment) {
  setenv("CLICKHOUSE_ENDPOINT", "tcp://ch1:9000,tcp://ch2:9000", 1);
  setenv("CLICKHOUSE_USER", "otel", 1);
  setenv("CLICKHOUSE_PASSWORD", "pw", 1);
  setenv("HYPERDX_OTEL_EXPORTER_TIMEOUT", "10s", 1);
  setenv("HYPERDX_OTEL_EXPORTER_TABLES_TTL", "30d", 1);
  setenv("HYPERDX_OTEL_EXPORTER_LOGS_TTL", "168h", 1);
  setenv("HYPERDX_OTEL_EXPORTER_SESSIONS_TTL", "1d", 1);
  setenv("CLICKHOUSE_TLS_CA_FILE", "/etc/ca.pem", 1);
  setenv("CLICKHOUSE_TLS_INSECURE_SKIP_VERIFY", "true", 1);
  auto c = loadConfig({});
  ASSERT_TRUE(c.isOk()) << c.status().message();
  EXPECT_EQ(c.value().clickhouse_endpoint, "tcp://ch1:9000,tcp://ch2:9000");
  EXPECT_EQ(c.value().clickhouse_user, "otel");
  EXPECT_EQ(c.value().clickhouse_password, "pw");
  EXPECT_EQ(c.value().clickhouse_timeout_ms, 10000);
  EXPECT_EQ(c.value().ttl_seconds, 30 * 86400);
  EXPECT_EQ(c.value().logs_ttl_seconds, 168 * 3600);
  EXPECT_EQ(c.value().sessions_ttl_seconds, 86400);
  EXPECT_EQ(c.value().traces_ttl_seconds, 0);
  EXPECT_EQ(c.value().clickhouse_ca_file, "/etc/ca.pem");
  EXPECT_TRUE(c.value().clickhouse_insecure_skip_verify);
}

TEST_F(ConfigClickHouseTest, YamlAndFlags) {
  Config c;
  ASSERT_TRUE(applyYamlText(c, R"(
clickhouse:
  endpoint: https://ch.example.com:8443
  username: writer
  compress: lz4
  async_insert: true
  create_schema: false
  cluster_name: obs
storage:
  metrics_ttl: 90d
)", "test.yaml").isOk());
  EXPECT_EQ(c.clickhouse_endpoint, "https://ch.example.com:8443");
  EXPECT_EQ(c.clickhouse_user, "writer");
  EXPECT_EQ(c.clickhouse_compress, "lz4");
  EXPECT_TRUE(c.clickhouse_async_insert);
  EXPECT_FALSE(c.create_schema);
  EXPECT_EQ(c.cluster_name, "obs");
  EXPECT_EQ(c.metrics_ttl_seconds, 90 * 86400);

  std::vector<std::string> args = {"--clickhouse-endpoint", "http://a:8123", "--clickhouse-compress=gzip",
                                   "--no-create-schema", "--clickhouse-cluster", "{cluster}"};
  Config f;
  ASSERT_TRUE(applyFlags(f, args).isOk());
  EXPECT_EQ(f.clickhouse_endpoint, "http://a:8123");
  EXPECT_EQ(f.clickhouse_compress, "gzip");
  EXPECT_FALSE(f.create_schema);
  EXPECT_EQ(f.cluster_name, "{cluster}");
}

TEST_F(ConfigClickHouseTest, BadValuesNameTheKeyAndNeverThePassword) {
  Config c;
  Status st = applyYamlText(c, "clickhouse:\n  endpoint: ftp://x\n", "t.yaml");
  EXPECT_NE(st.message().find("clickhouse.endpoint"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unsupported scheme"), std::string::npos) << st.message();
  st = applyYamlText(c, "clickhouse:\n  compress: brotli\n", "t.yaml");
  EXPECT_NE(st.message().find("clickhouse.compress"), std::string::npos);
  st = applyYamlText(c, "storage:\n  logs_ttl: 3x\n", "t.yaml");
  EXPECT_NE(st.message().find("storage.logs_ttl"), std::string::npos);
  st = applyYamlText(c, "clickhouse:\n  cluster_name: \"a'b\"\n", "t.yaml");
  EXPECT_FALSE(st.isOk());
  st = applyYamlText(c, "clickhouse:\n  endpoint: http://u:s3cret@:80\n", "t.yaml");
  EXPECT_FALSE(st.isOk());
  EXPECT_EQ(st.message().find("s3cret"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace otelhouse
