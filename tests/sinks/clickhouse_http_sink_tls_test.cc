// ClickHouseHttpSink over https:// against our own :8123 with TLS (a
// self-signed certificate for 127.0.0.1 made by the openssl CLI): the CA file
// verifies it, the system CAs refuse it (unavailable, retried), skip-verify is
// the opt-in that accepts it. An in-memory sink stands behind the server, so
// this runs under ASan too.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <mutex>

#include "query/query_http.h"
#include "sinks/clickhouse_http_sink.h"

namespace otelhouse {
namespace {

class RecordingSink : public Sink {
 public:
  InsertOutcome insert(std::string_view table, std::string_view native, std::string_view token) override {
    std::lock_guard lock(mu_);
    inserts.push_back(std::string(table) + "|" + std::string(native) + "|" + std::string(token));
    return InsertOutcome::fromStatus(Status::ok());
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view sql, std::string_view, QueryResult* out) override {
    if (out) out->data = sql == "SELECT version()" ? "26.7.2.1\n" : "";
    return Status::ok();
  }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    return std::vector<ColumnInfo>{};
  }
  std::vector<std::string> recorded() {
    std::lock_guard lock(mu_);
    return inserts;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> inserts;
};

class ClickHouseHttpSinkTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/otelhouse-httpsink-tls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::string cmd = "cd " + dir_ +
                      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                      "-days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                      "-keyout key.pem -out cert.pem >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    HttpServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    config.tls.cert_file = dir_ + "/cert.pem";
    config.tls.key_file = dir_ + "/key.pem";
    server_ = std::make_unique<QueryHttpServer>(config, sink_);
    // The sink under test writes, so it is the endpoint's writer login here.
    server_->setAuthHook([](const HttpRequest&, const HttpHeaders&, HttpResponse&) { return QueryRole::kWriter; });
    Status st = server_->start();
    ASSERT_TRUE(st.isOk()) << st.toString();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  ClickHouseEndpoint endpoint(bool secure) const {
    ClickHouseEndpoint e;
    e.secure = secure;
    e.host = "127.0.0.1";
    e.port = server_->port();
    e.text = std::string(secure ? "https" : "http") + "://127.0.0.1:" + std::to_string(e.port);
    return e;
  }

  std::string dir_;
  RecordingSink sink_;
  std::unique_ptr<QueryHttpServer> server_;
};

TEST_F(ClickHouseHttpSinkTlsTest, CaFileVerifiesTheServer) {
  ServerSinkOptions options;
  options.ca_file = dir_ + "/cert.pem";
  ClickHouseHttpSink sink(endpoint(true), options);
  Status st = sink.insert("otel_logs", std::string("\x00\x01", 2), "tok");
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(sink_.recorded(), (std::vector<std::string>{"otel_logs|" + std::string("\x00\x01", 2) + "|tok"}));
}

TEST_F(ClickHouseHttpSinkTlsTest, UnknownCertificateIsRefusedUnlessSkipVerifyIsAsked) {
  ClickHouseHttpSink strict(endpoint(true), {});  // the system CAs do not know it
  Status st = strict.insert("otel_logs", "x", "");
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find("certificate"), std::string::npos) << st.message();
  EXPECT_TRUE(sink_.recorded().empty());

  ServerSinkOptions options;
  options.insecure_skip_verify = true;
  ClickHouseHttpSink lax(endpoint(true), options);
  Status ok = lax.insert("otel_logs", "x", "");
  ASSERT_TRUE(ok.isOk()) << ok.toString();
  EXPECT_EQ(sink_.recorded().size(), 1u);
}

TEST_F(ClickHouseHttpSinkTlsTest, PlainHttpToATlsPortIsUnavailable) {
  ServerSinkOptions options;
  options.timeout_ms = 2000;
  ClickHouseHttpSink plain(endpoint(false), options);
  Status st = plain.insert("otel_logs", "x", "");
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.toString();
  EXPECT_TRUE(sink_.recorded().empty());
}

}  // namespace
}  // namespace otelhouse
