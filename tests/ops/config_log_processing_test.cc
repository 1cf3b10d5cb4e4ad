// The log processing switches and the CORS lists, from YAML and from flags.
#include <gtest/gtest.h>

#include "ops/config.h"

namespace otelhouse {
namespace {

TEST(ConfigLogProcessing, DefaultsAreClickStacks) {
  Config c;
  EXPECT_TRUE(c.session_routing);
  EXPECT_TRUE(c.parse_json_body);
  EXPECT_TRUE(c.infer_severity);
  EXPECT_FALSE(c.resource_detection);  // defined but in no pipeline in ClickStack
  EXPECT_EQ(c.cors_allowed_origins, std::vector<std::string>{"*"});
  EXPECT_EQ(c.cors_allowed_headers, std::vector<std::string>{"*"});
  EXPECT_EQ(c.cors_max_age_seconds, 0);
}

TEST(ConfigLogProcessing, Yaml) {
  Config c;
  Status st = applyYamlText(c, R"(
processors:
  session_routing: {enabled: false}
  parse_json_body: {enabled: false}
  infer_severity: {enabled: off}
  resource_detection: {enabled: true}
receivers:
  otlp_http:
    cors:
      allowed_origins: ["https://*.example.com", "http://localhost:8080"]
      allowed_headers: []
      max_age: 7200
)",
                            "t.yaml");
  ASSERT_TRUE(st.isOk()) << st.message();
  EXPECT_FALSE(c.session_routing);
  EXPECT_FALSE(c.parse_json_body);
  EXPECT_FALSE(c.infer_severity);
  EXPECT_TRUE(c.resource_detection);
  EXPECT_EQ(c.cors_allowed_origins,
            (std::vector<std::string>{"https://*.example.com", "http://localhost:8080"}));
  EXPECT_TRUE(c.cors_allowed_headers.empty());
  EXPECT_EQ(c.cors_max_age_seconds, 7200);

  st = applyYamlText(c, "processors:\n  infer_severity: {enabled: maybe}\n", "t.yaml");
  EXPECT_EQ(st.message(),
            "t.yaml: config key 'processors.infer_severity.enabled': 'maybe' is not true or false");
  st = applyYamlText(c, "processors:\n  parse_json_body: {enabled: [maybe]}\n", "t.yaml");
  EXPECT_EQ(st.message(), "t.yaml: config key 'processors.parse_json_body.enabled': "
                          "'maybe' is not true or false");
}

TEST(ConfigLogProcessing, Flags) {
  Config c;
  std::vector<std::string> args = {"--no-session-routing", "--no-parse-json-body",
                                   "--no-infer-severity", "--resource-detection",
                                   "--cors-allowed-origins", " http://a , http://b ",
                                   "--cors-allowed-headers=Content-Type"};
  ASSERT_TRUE(applyFlags(c, args).isOk());
  EXPECT_TRUE(args.empty());
  EXPECT_FALSE(c.session_routing);
  EXPECT_FALSE(c.parse_json_body);
  EXPECT_FALSE(c.infer_severity);
  EXPECT_TRUE(c.resource_detection);
  EXPECT_EQ(c.cors_allowed_origins, (std::vector<std::string>{"http://a", "http://b"}));
  EXPECT_EQ(c.cors_allowed_headers, std::vector<std::string>{"Content-Type"});
  std::vector<std::string> off = {"--cors-allowed-origins="};
  ASSERT_TRUE(applyFlags(c, off).isOk());
  EXPECT_TRUE(c.cors_allowed_origins.empty());
  std::vector<std::string> bad = {"--resource-detection=yes"};
  EXPECT_EQ(applyFlags(c, bad).message(), "flag --resource-detection takes no value");
}

}  // namespace
}  // namespace otelhouse
