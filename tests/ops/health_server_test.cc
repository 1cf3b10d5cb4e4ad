#include "ops/health_server.h"

#include <gtest/gtest.h>

#include <regex>

#include "net/http_test_client.h"

namespace otelhouse {
namespace {

using otelhouse::testing::TestClient;

constexpr const char* kNotAvailable =
    R"({"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""})";

TEST(GoDurationTest, FormatsAsGo) {
  EXPECT_EQ(goDurationString(0), "0s");
  EXPECT_EQ(goDurationString(12), "12ns");
  EXPECT_EQ(goDurationString(1500), "1.5\xC2\xB5s");
  EXPECT_EQ(goDurationString(1500000), "1.5ms");
  EXPECT_EQ(goDurationString(150000000), "150ms");
  EXPECT_EQ(goDurationString(1000000000), "1s");
  EXPECT_EQ(goDurationString(49013251800), "49.0132518s");
  EXPECT_EQ(goDurationString(61500000000), "1m1.5s");
  EXPECT_EQ(goDurationString(3600000000000), "1h0m0s");
  EXPECT_EQ(goDurationString(3723000000001), "1h2m3.000000001s");
  EXPECT_EQ(goDurationString(-1500000), "-1.5ms");
}

TEST(Rfc3339Test, FormatsUtcWithTrimmedNanoseconds) {
  using namespace std::chrono;
  const system_clock::time_point t{seconds(1732000000)};
  EXPECT_EQ(rfc3339NanoUtc(t), "2024-11-19T07:06:40Z");
  EXPECT_EQ(rfc3339NanoUtc(t + nanoseconds(123456000)), "2024-11-19T07:06:40.123456Z");
  EXPECT_EQ(rfc3339NanoUtc(t + nanoseconds(7)), "2024-11-19T07:06:40.000000007Z");
}

// Starting, running, shutting down: 503, 200, 503, over a real socket.
TEST(HealthServerTest, AnswersByState) {
  HttpServerConfig c;
  c.host = "127.0.0.1";
  c.port = 0;
  c.threads = 1;
  HealthServer health(c);
  ASSERT_TRUE(health.start().isOk());
  ASSERT_NE(health.port(), 0);
  TestClient client(health.port());
  ASSERT_TRUE(client.connected());

  auto starting = client.request("GET", "/");
  EXPECT_EQ(starting.status, 503);
  EXPECT_EQ(starting.header("content-type"), "application/json");
  EXPECT_EQ(starting.body, kNotAvailable);

  health.setReady(true);
  for (const char* path : {"/", "/health"}) {
    auto running = client.request("GET", path);
    EXPECT_EQ(running.status, 200) << path;
    EXPECT_EQ(running.header("content-type"), "application/json");
    EXPECT_TRUE(std::regex_match(
        running.body,
        std::regex(R"re(\{"status":"Server available","upSince":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z","uptime":"[0-9.]+(ns|µs|ms|s)"\})re")))
        << running.body;
  }
  auto head = client.request("HEAD", "/");
  EXPECT_EQ(head.status, 200);

  health.setReady(false);
  auto stopping = client.request("GET", "/health");
  EXPECT_EQ(stopping.status, 503);
  EXPECT_EQ(stopping.body, kNotAvailable);

  EXPECT_EQ(client.request("GET", "/metrics").status, 404);
  auto post = client.request("POST", "/", {}, "x");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
  health.stop();
}

TEST(HealthServerTest, UpSinceIsKeptWhileReady) {
  HealthServer health({});
  health.setReady(true);
  HttpRequest req;
  req.method = "GET";
  req.path = "/";
  HttpResponse a, b;
  health.handle(req, a);
  health.setReady(true);  // no change: the same upSince
  health.handle(req, b);
  auto upSince = [](const std::string& body) {
    size_t at = body.find("\"upSince\":\"");
    return body.substr(at, body.find('"', at + 11) - at);
  };
  EXPECT_EQ(upSince(a.body), upSince(b.body));
  EXPECT_EQ(a.status, 200);
}

}  // namespace
}  // namespace otelhouse
