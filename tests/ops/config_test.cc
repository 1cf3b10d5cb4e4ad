#include "ops/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace otelhouse {
namespace {

TEST(ConfigTest, DefaultsMatchClickStack) {
  unsetenv("HYPERDX_OTEL_BATCH_SEND_BATCH_SIZE");
  auto c = loadConfig({});
  ASSERT_TRUE(c.isOk()) << c.status().message();
  EXPECT_EQ(c.value().otlp_http.port, 4318);
  EXPECT_EQ(c.value().otlp_http.host, "0.0.0.0");
  EXPECT_EQ(c.value().query.toString(), "127.0.0.1:8123");
  EXPECT_EQ(c.value().batch_size, 10000u);
  EXPECT_EQ(c.value().batch_timeout_ms, 5000);
  EXPECT_EQ(c.value().ttl_seconds, 720 * 3600);
  EXPECT_EQ(c.value().max_request_bytes, 20u << 20);
}

TEST(ConfigTest, EnvironmentThenYamlThenFlags) {
  setenv("HYPERDX_OTEL_BATCH_SEND_BATCH_SIZE", "500", 1);
  setenv("HYPERDX_OTEL_BATCH_TIMEOUT", "2s", 1);
  setenv("OH_TEST_PORT", "9999", 1);
  Config c;
  ASSERT_TRUE(applyEnvironment(c).isOk());
  EXPECT_EQ(c.batch_size, 500u);
  EXPECT_EQ(c.batch_timeout_ms, 2000);
  ASSERT_TRUE(applyYamlText(c,
                            "batch:\n  timeout: 300ms\nreceivers:\n  otlp_http:\n"
                            "    endpoint: 127.0.0.1:${env:OH_TEST_PORT}\n"
                            "storage:\n  ttl: ${env:OH_TEST_UNSET:-48h}\n",
                            "test.yaml")
                  .isOk());
  EXPECT_EQ(c.batch_timeout_ms, 300);
  EXPECT_EQ(c.otlp_http.toString(), "127.0.0.1:9999");
  EXPECT_EQ(c.ttl_seconds, 48 * 3600);
  std::vector<std::string> args = {"--batch-size", "7", "--http-listen=127.0.0.1:0", "--no-rollups"};
  ASSERT_TRUE(applyFlags(c, args).isOk());
  EXPECT_EQ(c.batch_size, 7u);
  EXPECT_EQ(c.otlp_http.port, 0);
  EXPECT_FALSE(c.logs_rollups);
  EXPECT_TRUE(args.empty());
  unsetenv("HYPERDX_OTEL_BATCH_SEND_BATCH_SIZE");
  unsetenv("HYPERDX_OTEL_BATCH_TIMEOUT");
}

TEST(ConfigTest, BadValuesNameTheKey) {
  Config c;
  Status st = applyYamlText(c, "batch:\n  timeout: soon\n", "f.yaml");
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.message(), "f.yaml: config key 'batch.timeout': 'soon' is not a duration like 5s or 720h");
  st = applyYamlText(c, "batch:\n  sned_batch_size: 5\n", "f.yaml");
  EXPECT_EQ(st.message(), "f.yaml: config key 'batch.sned_batch_size': unknown key");
  st = applyYamlText(c, "receivers: [1, 2\n", "f.yaml");
  EXPECT_NE(st.message().find("not valid YAML"), std::string::npos);
  std::vector<std::string> args = {"--batch-size", "many"};
  st = applyFlags(c, args);
  EXPECT_EQ(st.message(), "flag --batch-size: config key 'batch.send_batch_size': 'many' is not a whole number");
  setenv("HYPERDX_LOG_LEVEL", "loud", 1);
  auto loaded = loadConfig({});
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().message(),
            "environment variable HYPERDX_LOG_LEVEL: config key 'log_level': 'loud' is not debug, "
            "info, warn or error");
  unsetenv("HYPERDX_LOG_LEVEL");
  EXPECT_FALSE(loadConfig({"--nope"}).isOk());
  EXPECT_FALSE(loadConfig({"--database", "a-b"}).isOk());
}

TEST(ConfigTest, QueryEndpointLoginsAndOrigins) {
  Config c;
  ASSERT_TRUE(applyYamlText(c,
                            "query:\n  writer_user: sink\n  writer_password: pw\n"
                            "  cors_origins:\n    - http://localhost:8080\n    - https://hdx.example\n",
                            "f.yaml")
                  .isOk());
  EXPECT_EQ(c.query_writer_user, "sink");
  EXPECT_EQ(c.query_writer_password, "pw");
  EXPECT_EQ(c.query_cors_origins,
            (std::vector<std::string>{"http://localhost:8080", "https://hdx.example"}));
  Config star;
  Status st = applyYamlText(star, "query:\n  cors_origins:\n    - \"*\"\n", "f.yaml");
  ASSERT_FALSE(st.isOk());
  EXPECT_NE(st.message().find("query.cors_origins"), std::string::npos) << st.message();
  EXPECT_TRUE(loadConfig({}).value().query_cors_origins.empty());  // off by default
  // The login :8123 forwards reads to a server with; unset by default (anonymous).
  Config fwd;
  ASSERT_TRUE(applyYamlText(fwd, "query:\n  forward_user: ro\n  forward_password: rpw\n", "f.yaml").isOk());
  EXPECT_EQ(fwd.query_forward_user, "ro");
  EXPECT_EQ(fwd.query_forward_password, "rpw");
  EXPECT_EQ(loadConfig({}).value().query_forward_user, "");
}

TEST(ConfigTest, MemoryBudgetFromYamlAndFlag) {
  Config c;
  EXPECT_EQ(c.memory_budget_bytes, 256u << 20);
  ASSERT_TRUE(applyYamlText(c, "receivers:\n  memory_budget: 1048576\n", "f.yaml").isOk());
  EXPECT_EQ(c.memory_budget_bytes, 1u << 20);
  std::vector<std::string> args = {"--memory-budget", "4096"};
  ASSERT_TRUE(applyFlags(c, args).isOk());
  EXPECT_EQ(c.memory_budget_bytes, 4096u);
  Status st = applyYamlText(c, "receivers:\n  memory_budget: lots\n", "f.yaml");
  EXPECT_EQ(st.message(), "f.yaml: config key 'receivers.memory_budget': 'lots' is not a byte count >= 1");
}

TEST(ConfigTest, EnvSubstitution) {
  setenv("OH_A", "x", 1);
  setenv("OH_EMPTY", "", 1);
  unsetenv("OH_UNSET");
  EXPECT_EQ(substituteEnv("${env:OH_A}/${OH_A}"), "x/x");
  EXPECT_EQ(substituteEnv("${env:OH_UNSET:-d}"), "d");
  EXPECT_EQ(substituteEnv("${env:OH_EMPTY:-d}"), "d");
  EXPECT_EQ(substituteEnv("${env:OH_UNSET}"), "");
  EXPECT_EQ(substituteEnv("plain"), "plain");
}

}  // namespace
}  // namespace otelhouse
