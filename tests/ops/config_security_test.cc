#include <gtest/gtest.h>
#include <stdlib.h>

#include "ops/config.h"

namespace otelhouse {
namespace {

TEST(ConfigSecurityTest, DefaultsAsClickStack) {
  unsetenv("OTLP_AUTH_TOKEN");
  auto c = loadConfig({});
  ASSERT_TRUE(c.isOk()) << c.status().message();
  EXPECT_EQ(c.value().health.toString(), "0.0.0.0:13133");
  EXPECT_EQ(c.value().metrics.toString(), "0.0.0.0:8888");
  EXPECT_TRUE(c.value().health_enabled);
  EXPECT_TRUE(c.value().metrics_enabled);
  EXPECT_EQ(c.value().log_format, "text");
  EXPECT_TRUE(c.value().otlp_auth_token.empty());
  EXPECT_TRUE(c.value().api_keys.empty());
  EXPECT_TRUE(c.value().query_user.empty());
  EXPECT_TRUE(c.value().query_password.empty());
}

TEST(ConfigSecurityTest, KeysFromEnvironmentYamlAndFile) {
  setenv("OTLP_AUTH_TOKEN", "env-token", 1);
  Config c;
  ASSERT_TRUE(applyEnvironment(c).isOk());
  unsetenv("OTLP_AUTH_TOKEN");
  EXPECT_EQ(c.otlp_auth_token, "env-token");
  ASSERT_TRUE(applyYamlText(c,
                            "auth:\n  api_keys: [k1, k2]\n  api_key_file: /etc/otelhouse/keys\n"
                            "query:\n  user: reader\n  password: p@ss\n"
                            "health_check:\n  endpoint: 127.0.0.1:13134\n"
                            "telemetry:\n  metrics:\n    endpoint: 127.0.0.1:9999\n"
                            "log_format: json\n",
                            "test.yaml")
                  .isOk());
  EXPECT_EQ(c.otlp_auth_token, "env-token");  // the YAML list adds to it
  EXPECT_EQ(c.api_keys, (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(c.api_key_file, "/etc/otelhouse/keys");
  EXPECT_EQ(c.query_user, "reader");
  EXPECT_EQ(c.query_password, "p@ss");
  EXPECT_EQ(c.health.toString(), "127.0.0.1:13134");
  EXPECT_EQ(c.metrics.toString(), "127.0.0.1:9999");
  EXPECT_EQ(c.log_format, "json");
}

TEST(ConfigSecurityTest, Flags) {
  Config c;
  std::vector<std::string> args = {"--health-listen", "127.0.0.1:0", "--metrics-listen=127.0.0.1:0",
                                   "--log-format", "json", "--api-key-file", "/tmp/keys"};
  ASSERT_TRUE(applyFlags(c, args).isOk());
  EXPECT_EQ(c.health.toString(), "127.0.0.1:0");
  EXPECT_EQ(c.metrics.toString(), "127.0.0.1:0");
  EXPECT_EQ(c.log_format, "json");
  EXPECT_EQ(c.api_key_file, "/tmp/keys");
  std::vector<std::string> bad = {"--log-format", "xml"};
  Status st = applyFlags(c, bad);
  EXPECT_EQ(st.message(), "flag --log-format: config key 'log_format': 'xml' is not text or json");
}

TEST(ConfigSecurityTest, DisablingEndpoints) {
  Config c;
  ASSERT_TRUE(applyYamlText(c, "health_check:\n  enabled: false\ntelemetry:\n  metrics:\n"
                               "    enabled: false\n", "t.yaml").isOk());
  EXPECT_FALSE(c.health_enabled);
  EXPECT_FALSE(c.metrics_enabled);
}

}  // namespace
}  // namespace otelhouse
