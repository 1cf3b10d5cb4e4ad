#include "sinks/clickhouse_endpoint.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

ClickHouseEndpoint parse(const std::string& text) {
  auto r = parseClickHouseEndpoint(text);
  EXPECT_TRUE(r.isOk()) << text << ": " << r.status().message();
  return r.isOk() ? r.value() : ClickHouseEndpoint{};
}

TEST(ClickHouseEndpointTest, SchemesAndDefaultPortsAsClickStack) {
  auto a = parse("http://ch:8123");
  EXPECT_EQ(a.protocol, ClickHouseProtocol::kHttp);
  EXPECT_FALSE(a.secure);
  EXPECT_EQ(a.host, "ch");
  EXPECT_EQ(a.port, 8123);
  EXPECT_EQ(parse("https://ch").port, 8443);
  EXPECT_TRUE(parse("https://ch").secure);
  auto n = parse("tcp://ch");
  EXPECT_EQ(n.protocol, ClickHouseProtocol::kNative);
  EXPECT_EQ(n.port, 9000);
  EXPECT_EQ(parse("clickhouse://ch:9001").port, 9001);
  auto s = parse("tcp://ch?secure=true");
  EXPECT_TRUE(s.secure);
  EXPECT_EQ(s.port, 9440);
  EXPECT_EQ(parse("tls://ch").port, 9440);
  EXPECT_EQ(parse("ch:9000").protocol, ClickHouseProtocol::kNative);  // no scheme: native
  EXPECT_EQ(parse("http://[::1]:8124").host, "::1");
  EXPECT_EQ(parse("http://[::1]:8124").text, "http://[::1]:8124");
}

TEST(ClickHouseEndpointTest, CredentialsAndDatabaseFromTheUrlNeverShown) {
  auto e = parse("tcp://bob:s%40cret@ch:9000/otel?secure=false&compress=lz4");
  EXPECT_EQ(e.user, "bob");
  EXPECT_EQ(e.password, "s@cret");
  EXPECT_EQ(e.database, "otel");
  EXPECT_EQ(e.text, "tcp://ch:9000");
  auto q = parse("http://ch/?database=logs&username=u&password=p");
  EXPECT_EQ(q.database, "logs");
  EXPECT_EQ(q.user, "u");
  EXPECT_EQ(q.password, "p");
  EXPECT_EQ(q.text.find('p', 5), std::string::npos);
}

TEST(ClickHouseEndpointTest, BadEndpointsNameTheProblem) {
  for (const char* bad : {"", "ftp://ch", "http://", "http://ch:0", "http://ch:70000", "http://ch:x", "http://[::1"}) {
    auto r = parseClickHouseEndpoint(bad);
    EXPECT_FALSE(r.isOk()) << bad;
  }
  EXPECT_NE(parseClickHouseEndpoint("ftp://ch").status().message().find("unsupported scheme 'ftp'"),
            std::string::npos);
}

TEST(ClickHouseEndpointTest, MessagesNeverShowAPassword) {
  for (const char* bad : {"http://u:hunter2@:80", "ftp://u:hunter2@ch", "http://ch:x?password=hunter2&a=b"}) {
    auto r = parseClickHouseEndpoint(bad);
    ASSERT_FALSE(r.isOk()) << bad;
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("***"), std::string::npos) << r.status().message();
  }
}

TEST(ClickHouseEndpointTest, ListInOrder) {
  auto r = parseClickHouseEndpoints("http://a:8123, http://b:8123,,tcp://c");
  ASSERT_TRUE(r.isOk());
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[0].host, "a");
  EXPECT_EQ(r.value()[1].host, "b");
  EXPECT_EQ(r.value()[2].protocol, ClickHouseProtocol::kNative);
  EXPECT_FALSE(parseClickHouseEndpoints(" , ").isOk());
}

TEST(ClickHouseEndpointTest, Compression) {
  ClickHouseCompression c;
  ASSERT_TRUE(parseCompression("lz4", &c));
  EXPECT_EQ(c, ClickHouseCompression::kLz4);
  EXPECT_STREQ(compressionName(c), "lz4");
  EXPECT_FALSE(parseCompression("brotli", &c));
}

// The SQL endpoint's forwarding sink: the ingest login in the URL and the
// options never survive; no forward login is the anonymous default.
TEST(ClickHouseEndpointTest, UseLoginDropsTheIngestLogin) {
  auto eps = parseClickHouseEndpoints("http://ingest:s3cret@a:8123,tcp://b?username=ingest&password=s3cret");
  ASSERT_TRUE(eps.isOk());
  ASSERT_EQ(eps.value()[1].user, "ingest");
  ServerSinkOptions o;
  o.user = "ingest";
  o.password = "s3cret";
  useLogin(eps.value(), o, "", "");
  EXPECT_EQ(o.user, "default");
  EXPECT_EQ(o.password, "");
  for (const auto& ep : eps.value()) {
    EXPECT_EQ(ep.user, "") << ep.text;
    EXPECT_EQ(ep.password, "") << ep.text;
  }
  useLogin(eps.value(), o, "reader", "rpw");
  EXPECT_EQ(o.user, "reader");
  EXPECT_EQ(o.password, "rpw");
}

}  // namespace
}  // namespace otelhouse
