#include "receivers/otlp_http.h"

#include <gtest/gtest.h>

#include <mutex>

#include "compression/decompress.h"
#include "net/http_test_client.h"
#include "receivers/otlp_response.h"

namespace otelhouse {
namespace {

using testing::ClientResponse;
using testing::TestClient;

struct IngestCall {
  Signal signal;
  PayloadFormat format;
  std::string body;
};

class FakeIngest : public ImmediateIngest {
 public:
  IngestResult ingestNow(const IngestRequest& request) override {
    const Signal signal = request.signal;
    const PayloadFormat format = request.format;
    const std::string_view body = request.body;
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({signal, format, std::string(body)});
    return next_;
  }
  void setNext(IngestResult r) {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = std::move(r);
  }
  std::vector<IngestCall> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<IngestCall> calls_;
  IngestResult next_;
};

constexpr size_t kLimit = 64 * 1024;
const std::string kPb = "application/x-protobuf";
const std::string kJson = "application/json";

class OtlpHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OtlpHttpConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    config.max_request_bytes = kLimit;
    config.retry_after_seconds = 7;
    receiver_ = std::make_unique<OtlpHttpReceiver>(config, ingest_);
  }
  void start() { ASSERT_TRUE(receiver_->start().isOk()); }

  ClientResponse post(const std::string& path, const std::string& content_type,
                      const std::string& body, const std::string& encoding = "") {
    if (!client_) client_ = std::make_unique<TestClient>(receiver_->port());
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", content_type}};
    if (!encoding.empty()) headers.emplace_back("Content-Encoding", encoding);
    ClientResponse r = client_->request("POST", path, headers, body);
    if (!r.keep_alive) client_.reset();
    return r;
  }

  FakeIngest ingest_;
  std::unique_ptr<OtlpHttpReceiver> receiver_;
  std::unique_ptr<TestClient> client_;
};

std::string statusPb(int code, const std::string& msg) {
  return encodeStatusProto(static_cast<GrpcCode>(code), msg);
}

TEST_F(OtlpHttpTest, ProtobufLogsAreIngested) {
  start();
  ClientResponse r = post("/v1/logs", kPb, std::string("\x0a\x00", 2));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), kPb);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("content-length"), "0");
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].signal, Signal::kLogs);
  EXPECT_EQ(calls[0].format, PayloadFormat::kProtobuf);
  EXPECT_EQ(calls[0].body, std::string("\x0a\x00", 2));
}

TEST_F(OtlpHttpTest, JsonTracesWithCharsetAndMetricsRoute) {
  start();
  ClientResponse r = post("/v1/traces", "application/json; charset=utf-8", "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), kJson);
  EXPECT_EQ(r.body, "{\"partialSuccess\":{}}");
  r = post("/v1/metrics", "Application/X-Protobuf", "");
  EXPECT_EQ(r.status, 200);
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].signal, Signal::kTraces);
  EXPECT_EQ(calls[0].format, PayloadFormat::kJson);
  EXPECT_EQ(calls[1].signal, Signal::kMetrics);
  EXPECT_EQ(calls[1].format, PayloadFormat::kProtobuf);
}

TEST_F(OtlpHttpTest, EmptyBodyIsIngestedAndAnswered200) {
  start();
  ClientResponse r = post("/v1/logs", kJson, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"partialSuccess\":{}}");
  ASSERT_EQ(ingest_.calls().size(), 1u);
  EXPECT_EQ(ingest_.calls()[0].body, "");
}

TEST_F(OtlpHttpTest, PartialSuccessInBothContentTypes) {
  IngestResult partial;
  partial.accepted = 3;
  partial.rejected = 2;
  partial.rejected_message = "2 log records had an invalid trace id";
  ingest_.setNext(partial);
  start();
  ClientResponse r = post("/v1/logs", kPb, "x");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, encodeExportResponseProto(Signal::kLogs, 2, partial.rejected_message));
  EXPECT_EQ(r.body.substr(0, 4), std::string("\x0a\x29\x08\x02", 4));
  r = post("/v1/logs", kJson, "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"partialSuccess\":{\"rejectedLogRecords\":\"2\",\"errorMessage\":\"2 log records "
            "had an invalid trace id\"}}");
  EXPECT_EQ(receiver_->stats().rejected_records.load(), 4u);
  EXPECT_EQ(receiver_->stats().accepted_records.load(), 6u);
}

TEST_F(OtlpHttpTest, MalformedPayloadGets400StatusInRequestContentType) {
  IngestResult bad;
  bad.status = Status::invalid("proto: illegal wireType 7");
  ingest_.setNext(bad);
  start();
  ClientResponse r = post("/v1/logs", kPb, "\xff\xff");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("content-type"), kPb);
  EXPECT_EQ(r.body, std::string("\x08\x03\x12\x19proto: illegal wireType 7", 29));
  EXPECT_TRUE(r.keep_alive);
  r = post("/v1/logs", kJson, "{");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("content-type"), kJson);
  EXPECT_EQ(r.body, "{\"code\":3,\"message\":\"proto: illegal wireType 7\"}");
}

TEST_F(OtlpHttpTest, EveryIngestFailureMapsToItsStatus) {
  start();
  struct Case {
    Status status;
    int http;
    int grpc;
    bool retry_after;
  } cases[] = {
      {Status::tooLarge("too many records"), 413, 8, false},
      {Status::exhausted("queue full"), 429, 8, true},
      {Status::unavailable("shutting down"), 503, 14, true},
      {Status::internal("wal write failed"), 500, 13, false},
      {Status::notFound("no metrics pipeline"), 404, 12, false},
  };
  for (const auto& c : cases) {
    IngestResult res;
    res.status = c.status;
    ingest_.setNext(res);
    ClientResponse r = post("/v1/logs", kPb, "x");
    EXPECT_EQ(r.status, c.http) << c.status.toString();
    EXPECT_EQ(r.body, statusPb(c.grpc, c.status.message()));
    EXPECT_EQ(r.header("retry-after"), c.retry_after ? "7" : "");
    r = post("/v1/logs", kJson, "{}");
    EXPECT_EQ(r.status, c.http);
    EXPECT_EQ(r.body, "{\"code\":" + std::to_string(c.grpc) + ",\"message\":\"" +
                          c.status.message() + "\"}");
  }
}

TEST_F(OtlpHttpTest, ConditionsThatPassAreRetryableNever500) {
  // What the WAL and the pipeline answer for a full disk, an I/O error, the
  // WAL's budget and the decode memory budget (export/exporter.h: append).
  start();
  const Status passing[] = {
      Status::unavailable("write-ahead log: No space left on device"),
      Status::unavailable("write-ahead log: Input/output error"),
      Status::exhausted("the write-ahead log is full (1048576 bytes); the sink is behind"),
      Status::exhausted("the gateway is at its memory budget; retry later"),
  };
  for (const auto& st : passing) {
    IngestResult res;
    res.status = st;
    ingest_.setNext(res);
    ClientResponse r = post("/v1/logs", kPb, "x");
    EXPECT_TRUE(r.status == 429 || r.status == 503) << r.status << " for " << st.message();
    EXPECT_EQ(r.header("retry-after"), "7");
  }
}

TEST_F(OtlpHttpTest, UnsupportedContentTypeGets415) {
  start();
  ClientResponse r = post("/v1/logs", "text/plain", "hello");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_EQ(r.body,
            "415 unsupported media type, supported: [application/json, application/x-protobuf]");
  r = post("/v1/logs", "", "hello");
  EXPECT_EQ(r.status, 415);
  EXPECT_TRUE(ingest_.calls().empty());
}

TEST_F(OtlpHttpTest, UnknownPathGets404) {
  start();
  ClientResponse r = post("/v1/logz", kPb, "x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, "404 page not found\n");
  r = post("/v1/logs/", kPb, "x");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(ingest_.calls().empty());
}

TEST_F(OtlpHttpTest, OtherMethodsGet405WithAllow) {
  start();
  TestClient client(receiver_->port());
  for (const char* method : {"GET", "PUT", "DELETE"}) {
    ClientResponse r = client.request(method, "/v1/traces");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.header("allow"), "POST");
    EXPECT_EQ(r.header("content-type"), "text/plain");
    EXPECT_EQ(r.body, "405 method not allowed, supported: [POST]");
  }
}

TEST_F(OtlpHttpTest, AllEncodingsAreDecodedBeforeIngest) {
  start();
  std::string payload(5000, 'p');
  for (const char* enc : {"gzip", "deflate", "zstd", "identity"}) {
    std::string packed;
    ASSERT_TRUE(compress(enc, payload, packed).isOk());
    ClientResponse r = post("/v1/logs", kPb, packed, enc);
    EXPECT_EQ(r.status, 200) << enc;
  }
  auto calls = ingest_.calls();
  ASSERT_EQ(calls.size(), 4u);
  for (const auto& c : calls) EXPECT_EQ(c.body, payload);
}

TEST_F(OtlpHttpTest, UnsupportedOrCorruptEncodingGets400) {
  start();
  ClientResponse r = post("/v1/logs", kJson, "abc", "br");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\"code\":3,\"message\":\"unsupported Content-Encoding: br\"}");
  r = post("/v1/logs", kPb, "definitely not gzip", "gzip");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("content-type"), kPb);
  EXPECT_EQ(r.body.substr(0, 2), std::string("\x08\x03", 2));
  EXPECT_NE(r.body.find("gzip: "), std::string::npos);
  EXPECT_TRUE(ingest_.calls().empty());
}

TEST_F(OtlpHttpTest, RawBodyOverLimitGets413WithStatus) {
  start();
  ClientResponse r = post("/v1/logs", kJson, std::string(kLimit + 1, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("content-type"), kJson);
  EXPECT_EQ(r.body, "{\"code\":8,\"message\":\"request body exceeds the limit of 65536 bytes\"}");
  EXPECT_FALSE(r.keep_alive);
  // Over the limit by the header alone: answered before the body is sent.
  TestClient raw(receiver_->port());
  ASSERT_TRUE(raw.writeRaw(
      "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
      "Content-Length: 100000000\r\n\r\n"));
  ClientResponse early = raw.readResponse();
  EXPECT_EQ(early.status, 413);
  EXPECT_EQ(early.body, statusPb(8, "request body exceeds the limit of 65536 bytes"));
  EXPECT_TRUE(ingest_.calls().empty());
}

TEST_F(OtlpHttpTest, DecompressionBombGets413) {
  start();
  std::string zeros(10 * 1024 * 1024, '\0');
  for (const char* enc : {"gzip", "zstd", "deflate"}) {
    std::string bomb;
    ASSERT_TRUE(compress(enc, zeros, bomb).isOk());
    ASSERT_LT(bomb.size(), kLimit);
    ClientResponse r = post("/v1/metrics", kPb, bomb, enc);
    EXPECT_EQ(r.status, 413) << enc;
    EXPECT_EQ(r.body, statusPb(8, "decompressed body exceeds the limit of 65536 bytes"));
  }
  EXPECT_TRUE(ingest_.calls().empty());
}

TEST_F(OtlpHttpTest, KeepsServingAfterBadRequests) {
  start();
  EXPECT_EQ(post("/v1/logs", kJson, std::string(kLimit * 2, 'x')).status, 413);
  EXPECT_EQ(post("/v1/logs", "text/xml", "<x/>").status, 415);
  EXPECT_EQ(post("/v1/logs", kPb, "zz", "gzip").status, 400);
  {
    TestClient garbage(receiver_->port());
    ASSERT_TRUE(garbage.writeRaw("\x16\x03\x01 not http at all\r\n\r\n"));
    EXPECT_EQ(garbage.readResponse().status, 400);
  }
  ClientResponse r = post("/v1/logs", kPb, "ok");
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(ingest_.calls().size(), 1u);
  EXPECT_EQ(ingest_.calls()[0].body, "ok");
}

TEST_F(OtlpHttpTest, AuthHookRunsFirst) {
  receiver_->setAuthHook([](const HttpRequest& req) {
    if (req.header("Authorization") == "secret") return Status::ok();
    return Status::invalid("missing or bad API key");
  });
  start();
  ClientResponse r = post("/v1/logs", kJson, "{}");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, "{\"code\":16,\"message\":\"missing or bad API key\"}");
  TestClient client(receiver_->port());
  r = client.request("POST", "/v1/logs", {{"Content-Type", kJson}, {"Authorization", "secret"}},
                     "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(ingest_.calls().size(), 1u);
}

TEST_F(OtlpHttpTest, HandleWorksWithoutSockets) {
  HttpRequest req;
  req.method = "POST";
  req.path = "/v1/traces";
  req.headers = {{"content-type", "application/json"}};
  req.body = "{}";
  HttpResponse resp;
  receiver_->handle(req, resp);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "{\"partialSuccess\":{}}");
}

}  // namespace
}  // namespace otelhouse
