#include "ops/api_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "net/http_test_client.h"

namespace otelhouse {
namespace {

namespace fs = std::filesystem;
using otelhouse::testing::TestClient;

class CountingIngest : public ImmediateIngest {
 public:
  IngestResult ingestNow(const IngestRequest&) override {
    calls.fetch_add(1);
    IngestResult r;
    r.accepted = 1;
    return r;
  }
  std::atomic<int> calls{0};
};

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST(ApiKeysTest, ExtractsRawAndBearerKeys) {
  EXPECT_EQ(extractApiKey("abc123"), "abc123");
  EXPECT_EQ(extractApiKey("Bearer abc123"), "abc123");
  EXPECT_EQ(extractApiKey("bearer   abc123 "), "abc123");
  EXPECT_EQ(extractApiKey("BEARER abc123"), "abc123");
  EXPECT_EQ(extractApiKey("  abc123\t"), "abc123");
  EXPECT_EQ(extractApiKey("Basic abc123"), "Basic abc123");
  EXPECT_EQ(extractApiKey("Bearer"), "Bearer");  // a key that happens to be "Bearer"
  EXPECT_EQ(extractApiKey("Bearer "), "Bearer");
  EXPECT_EQ(extractApiKey(""), "");
}

TEST(ApiKeysTest, ParsesKeyFileLines) {
  EXPECT_EQ(parseApiKeyFile("k1\n\n# a comment\n  k2  \r\nk3"),
            (std::vector<std::string>{"k1", "k2", "k3"}));
  EXPECT_TRUE(parseApiKeyFile("").empty());
  EXPECT_TRUE(parseApiKeyFile("\n \n#x\n").empty());
}

TEST(ApiKeysTest, ConstantTimeEqualsIsCorrect) {
  EXPECT_TRUE(constantTimeEquals("secret", "secret"));
  EXPECT_FALSE(constantTimeEquals("secreT", "secret"));
  EXPECT_FALSE(constantTimeEquals("secret1", "secret"));
  EXPECT_FALSE(constantTimeEquals("secre", "secret"));
  // A candidate that repeats a short secret must not match it.
  EXPECT_FALSE(constantTimeEquals("abab", "ab"));
  EXPECT_FALSE(constantTimeEquals("", "secret"));
  EXPECT_FALSE(constantTimeEquals("x", ""));
  EXPECT_TRUE(constantTimeEquals("", ""));
}

TEST(ApiKeysTest, DisabledWithoutKeysLetsEverythingIn) {
  auto auth = ApiKeyAuth::create({});
  ASSERT_TRUE(auth.isOk());
  EXPECT_FALSE(auth.value()->enabled());
  EXPECT_TRUE(auth.value()->check("", "http").isOk());
  // Blank keys (an empty OTLP_AUTH_TOKEN) do not turn auth on.
  ApiKeyOptions o;
  o.keys = {"", "  "};
  auto blank = ApiKeyAuth::create(o);
  ASSERT_TRUE(blank.isOk());
  EXPECT_FALSE(blank.value()->enabled());
}

TEST(ApiKeysTest, ChecksEveryKeyInConstantTime) {
  ApiKeyOptions o;
  o.keys = {"first-key", "second-key", "third-key"};
  MetricsRegistry metrics;
  auto created = ApiKeyAuth::create(o, &metrics);
  ASSERT_TRUE(created.isOk());
  ApiKeyAuth& auth = *created.value();
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.keyCount(), 3u);

  // A match on the first key still compares against all three.
  uint64_t before = constantTimeCompareCount();
  EXPECT_TRUE(auth.check("first-key", "http").isOk());
  EXPECT_EQ(constantTimeCompareCount() - before, 3u);
  before = constantTimeCompareCount();
  EXPECT_TRUE(auth.check("Bearer third-key", "grpc").isOk());
  EXPECT_EQ(constantTimeCompareCount() - before, 3u);

  Status missing = auth.check("", "http");
  EXPECT_FALSE(missing.isOk());
  EXPECT_EQ(missing.message(), "missing or empty authorization header");
  Status wrong = auth.check("Bearer nope", "http");
  EXPECT_FALSE(wrong.isOk());
  EXPECT_EQ(wrong.message(), "authentication didn't succeed");
  EXPECT_FALSE(auth.check("first-key2", "grpc").isOk());
  EXPECT_FALSE(auth.check("first-ke", "grpc").isOk());

  const std::string text = metrics.render();
  EXPECT_NE(text.find("otelhouse_auth_failures_total{transport=\"http\",reason=\"missing\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("otelhouse_auth_failures_total{transport=\"http\",reason=\"invalid\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("otelhouse_auth_failures_total{transport=\"grpc\",reason=\"invalid\"} 2\n"),
            std::string::npos);
  // Key material never reaches the metrics.
  EXPECT_EQ(text.find("first-key"), std::string::npos);
}

class ApiKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/otelhouse-keys-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/keys";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, path_;
};

TEST_F(ApiKeyFileTest, ReloadsWhenTheFileChanges) {
  writeFile(path_, "# keys\nkey-one\n");
  ApiKeyOptions o;
  o.keys = {"env-key"};
  o.key_file = path_;
  o.reload_interval = std::chrono::milliseconds(0);
  auto created = ApiKeyAuth::create(o);
  ASSERT_TRUE(created.isOk()) << created.status().message();
  ApiKeyAuth& auth = *created.value();
  EXPECT_TRUE(auth.check("key-one", "http").isOk());
  EXPECT_TRUE(auth.check("env-key", "http").isOk());
  EXPECT_FALSE(auth.check("key-two", "http").isOk());

  writeFile(path_, "key-two\nkey-three\n");
  EXPECT_TRUE(auth.check("key-two", "http").isOk());
  EXPECT_TRUE(auth.check("Bearer key-three", "http").isOk());
  EXPECT_FALSE(auth.check("key-one", "http").isOk());
  EXPECT_TRUE(auth.check("env-key", "http").isOk());  // other sources stay
  EXPECT_EQ(auth.keyCount(), 3u);

  // A file that disappears keeps the keys last read.
  fs::remove(path_);
  EXPECT_TRUE(auth.check("key-two", "http").isOk());

  // An emptied file refuses its keys again (fail closed).
  writeFile(path_, "\n");
  EXPECT_FALSE(auth.check("key-two", "http").isOk());
  EXPECT_TRUE(auth.check("env-key", "http").isOk());
}

TEST_F(ApiKeyFileTest, LooksAtTheFileAtMostOncePerInterval) {
  writeFile(path_, "key-one\n");
  ApiKeyOptions o;
  o.key_file = path_;
  o.reload_interval = std::chrono::hours(1);
  auto created = ApiKeyAuth::create(o);
  ASSERT_TRUE(created.isOk());
  ApiKeyAuth& auth = *created.value();
  EXPECT_TRUE(auth.check("key-one", "http").isOk());  // first look: unchanged
  writeFile(path_, "key-two-longer\n");
  EXPECT_TRUE(auth.check("key-one", "http").isOk());
  EXPECT_FALSE(auth.check("key-two-longer", "http").isOk());
}

TEST_F(ApiKeyFileTest, EmptyFileFailsClosedAndMissingFileFailsStart) {
  writeFile(path_, "");
  ApiKeyOptions o;
  o.key_file = path_;
  auto created = ApiKeyAuth::create(o);
  ASSERT_TRUE(created.isOk());
  EXPECT_TRUE(created.value()->enabled());
  EXPECT_FALSE(created.value()->check("anything", "http").isOk());

  o.key_file = dir_ + "/missing";
  auto missing = ApiKeyAuth::create(o);
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().message(), "auth.api_key_file: cannot read " + dir_ + "/missing");
}

// A real receiver with the hook: refused requests get 401 with a
// google.rpc.Status (UNAUTHENTICATED) in the request's type and never reach
// the pipeline.
class ApiKeyHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiKeyOptions o;
    o.keys = {"s3cret"};
    auto created = ApiKeyAuth::create(o);
    ASSERT_TRUE(created.isOk());
    auth_ = std::move(created.value());
    OtlpHttpConfig c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.threads = 1;
    receiver_ = std::make_unique<OtlpHttpReceiver>(c, ingest_);
    receiver_->setAuthHook(auth_->httpHook());
    ASSERT_TRUE(receiver_->start().isOk());
  }
  void TearDown() override { receiver_->stop(); }

  std::unique_ptr<ApiKeyAuth> auth_;
  CountingIngest ingest_;
  std::unique_ptr<OtlpHttpReceiver> receiver_;
};

TEST_F(ApiKeyHttpTest, MissingKeyIs401JsonStatus) {
  TestClient client(receiver_->port());
  auto r = client.request("POST", "/v1/logs", {{"Content-Type", "application/json"}}, "{}");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"code":16,"message":"missing or empty authorization header"})");
  EXPECT_EQ(ingest_.calls.load(), 0);
}

TEST_F(ApiKeyHttpTest, WrongKeyIs401ProtobufStatus) {
  TestClient client(receiver_->port());
  auto r = client.request("POST", "/v1/traces",
                          {{"Content-Type", "application/x-protobuf"}, {"Authorization", "wrong"}},
                          std::string("\x0a\x00", 2));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("content-type"), "application/x-protobuf");
  const std::string msg = "authentication didn't succeed";
  EXPECT_EQ(r.body, std::string("\x08\x10\x12", 3) + static_cast<char>(msg.size()) + msg);
  auto bearer_wrong = client.request(
      "POST", "/v1/logs", {{"Content-Type", "application/json"}, {"Authorization", "Bearer s3cre"}},
      "{}");
  EXPECT_EQ(bearer_wrong.status, 401);
  EXPECT_EQ(bearer_wrong.body, R"({"code":16,"message":"authentication didn't succeed"})");
  EXPECT_EQ(ingest_.calls.load(), 0);
}

TEST_F(ApiKeyHttpTest, RawAndBearerKeysPass) {
  TestClient client(receiver_->port());
  auto raw = client.request("POST", "/v1/logs",
                            {{"Content-Type", "application/json"}, {"authorization", "s3cret"}}, "{}");
  EXPECT_EQ(raw.status, 200) << raw.body;
  auto bearer = client.request(
      "POST", "/v1/logs", {{"Content-Type", "application/json"}, {"Authorization", "Bearer s3cret"}},
      "{}");
  EXPECT_EQ(bearer.status, 200) << bearer.body;
  EXPECT_EQ(ingest_.calls.load(), 2);
}

TEST_F(ApiKeyHttpTest, CorsPreflightNeedsNoKey) {
  TestClient client(receiver_->port());
  auto r = client.request("OPTIONS", "/v1/logs",
                          {{"Origin", "https://app.example.com"},
                           {"Access-Control-Request-Method", "POST"},
                           {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), "https://app.example.com");
  // A bare OPTIONS is not refused for auth either (it stores nothing anyway).
  auto bare = client.request("OPTIONS", "/v1/logs");
  EXPECT_NE(bare.status, 401);
  EXPECT_EQ(ingest_.calls.load(), 0);
}

TEST(ApiKeysGrpcTest, HookReadsAuthorizationMetadata) {
  ApiKeyOptions o;
  o.keys = {"s3cret"};
  auto created = ApiKeyAuth::create(o);
  ASSERT_TRUE(created.isOk());
  OtlpGrpcAuthHook hook = created.value()->grpcHook();
  OtlpGrpcCallInfo call;
  call.method = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
  EXPECT_EQ(hook(call).message(), "missing or empty authorization header");
  call.authorization = "Bearer s3cret";
  EXPECT_TRUE(hook(call).isOk());
  call.authorization = "s3cret";
  EXPECT_TRUE(hook(call).isOk());
  call.authorization = "Bearer other";
  EXPECT_EQ(hook(call).message(), "authentication didn't succeed");
}

}  // namespace
}  // namespace otelhouse
