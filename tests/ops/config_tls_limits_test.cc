// The receivers' TLS and connection-limit keys: YAML, flags, defaults and the
// errors that stop the start.
#include <gtest/gtest.h>

#include "ops/config.h"

namespace otelhouse {
namespace {

TEST(ConfigTlsLimitsTest, DefaultsArePlainWithCollectorLimits) {
  auto c = loadConfig({});
  ASSERT_TRUE(c.isOk()) << c.status().message();
  EXPECT_FALSE(c.value().otlp_http_tls.enabled());
  EXPECT_FALSE(c.value().otlp_grpc_tls.enabled());
  EXPECT_EQ(c.value().otlp_http_tls.min_version, "1.2");
  EXPECT_EQ(c.value().http_max_connections, 10000u);
  EXPECT_EQ(c.value().http_max_header_bytes, 65536u);
  EXPECT_EQ(c.value().http_read_timeout_ms, 30000);
  EXPECT_EQ(c.value().http_idle_timeout_ms, 60000);
}

TEST(ConfigTlsLimitsTest, YamlKeysFollowTheReceiverNames) {
  Config c;
  ASSERT_TRUE(applyYamlText(c,
                            "receivers:\n"
                            "  otlp_http:\n"
                            "    max_connections: 50\n"
                            "    max_header_bytes: 8192\n"
                            "    read_timeout: 5s\n"
                            "    idle_timeout: 2m\n"
                            "    tls:\n"
                            "      cert_file: /etc/tls/http.pem\n"
                            "      key_file: /etc/tls/http.key\n"
                            "      client_ca_file: /etc/tls/ca.pem\n"
                            "      min_version: \"1.3\"\n"
                            "  otlp_grpc:\n"
                            "    tls:\n"
                            "      cert_file: /etc/tls/grpc.pem\n"
                            "      key_file: /etc/tls/grpc.key\n",
                            "test.yaml")
                  .isOk());
  EXPECT_EQ(c.http_max_connections, 50u);
  EXPECT_EQ(c.http_max_header_bytes, 8192u);
  EXPECT_EQ(c.http_read_timeout_ms, 5000);
  EXPECT_EQ(c.http_idle_timeout_ms, 120000);
  EXPECT_EQ(c.otlp_http_tls.cert_file, "/etc/tls/http.pem");
  EXPECT_EQ(c.otlp_http_tls.key_file, "/etc/tls/http.key");
  EXPECT_EQ(c.otlp_http_tls.client_ca_file, "/etc/tls/ca.pem");
  EXPECT_EQ(c.otlp_http_tls.min_version, "1.3");
  EXPECT_EQ(c.otlp_grpc_tls.cert_file, "/etc/tls/grpc.pem");
  EXPECT_EQ(c.otlp_grpc_tls.key_file, "/etc/tls/grpc.key");
  EXPECT_TRUE(c.otlp_grpc_tls.client_ca_file.empty());
}

TEST(ConfigTlsLimitsTest, Flags) {
  auto c = loadConfig({"--http-tls-cert", "a.pem", "--http-tls-key=a.key", "--http-tls-client-ca", "ca.pem",
                       "--grpc-tls-cert", "b.pem", "--grpc-tls-key", "b.key", "--grpc-tls-client-ca", "ca2.pem",
                       "--max-connections", "7", "--max-header-bytes", "2048", "--read-timeout", "1s",
                       "--idle-timeout", "3s"});
  ASSERT_TRUE(c.isOk()) << c.status().message();
  EXPECT_EQ(c.value().otlp_http_tls.client_ca_file, "ca.pem");
  EXPECT_EQ(c.value().otlp_grpc_tls.key_file, "b.key");
  EXPECT_EQ(c.value().otlp_grpc_tls.client_ca_file, "ca2.pem");
  EXPECT_EQ(c.value().http_max_connections, 7u);
  EXPECT_EQ(c.value().http_max_header_bytes, 2048u);
  EXPECT_EQ(c.value().http_read_timeout_ms, 1000);
  EXPECT_EQ(c.value().http_idle_timeout_ms, 3000);
}

TEST(ConfigTlsLimitsTest, ErrorsNameTheKey) {
  auto expectError = [](std::vector<std::string> args, const std::string& needle) {
    auto c = loadConfig(std::move(args));
    ASSERT_FALSE(c.isOk()) << needle;
    EXPECT_NE(c.status().message().find(needle), std::string::npos) << c.status().message();
  };
  expectError({"--http-tls-cert", "a.pem"}, "receivers.otlp_http.tls.cert_file");
  expectError({"--grpc-tls-key", "a.key"}, "receivers.otlp_grpc.tls.cert_file");
  expectError({"--http-tls-client-ca", "ca.pem"}, "receivers.otlp_http.tls.client_ca_file");
  expectError({"--http-tls-min-version", "1.1"}, "not 1.2 or 1.3");
  expectError({"--max-connections", "0"}, "receivers.otlp_http.max_connections");
  expectError({"--max-header-bytes", "10"}, "receivers.otlp_http.max_header_bytes");
  expectError({"--read-timeout", "soon"}, "receivers.otlp_http.read_timeout");

  Config c;
  Status st = applyYamlText(c, "receivers:\n  otlp_grpc:\n    tls:\n      min_version: \"1.3\"\n", "t.yaml");
  ASSERT_FALSE(st.isOk());
  EXPECT_NE(st.message().find("gRPC 1.51"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace otelhouse
