#include "query/query_http.h"

#include <gtest/gtest.h>

#include <mutex>
#include <regex>

#include "compression/decompress.h"
#include "net/http_test_client.h"

namespace otelhouse {
namespace {

using testing::ClientResponse;
using testing::TestClient;

class FakeSink : public Sink {
 public:
  InsertOutcome insert(std::string_view table, std::string_view native,
                std::string_view token) override {
    std::lock_guard<std::mutex> lock(mu_);
    inserts_.push_back({std::string(table), std::string(native), std::string(token)});
    return InsertOutcome::fromStatus(next_status_);
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view sql, std::string_view format, QueryResult* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    sql_.emplace_back(sql);
    formats_.emplace_back(format);
    if (!next_status_.isOk()) return next_status_;
    *out = next_result_;
    return Status::ok();
  }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    return std::vector<ColumnInfo>{};
  }

  void answer(QueryResult r) {
    std::lock_guard<std::mutex> lock(mu_);
    next_result_ = std::move(r);
    next_status_ = Status::ok();
  }
  void fail(Status st) {
    std::lock_guard<std::mutex> lock(mu_);
    next_status_ = std::move(st);
  }
  std::vector<std::string> sql() {
    std::lock_guard<std::mutex> lock(mu_);
    return sql_;
  }
  std::vector<std::string> formats() {
    std::lock_guard<std::mutex> lock(mu_);
    return formats_;
  }
  struct Insert {
    std::string table, native, token;
  };
  std::vector<Insert> inserts() {
    std::lock_guard<std::mutex> lock(mu_);
    return inserts_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> sql_, formats_;
  std::vector<Insert> inserts_;
  QueryResult next_result_;
  Status next_status_;
};

const std::vector<std::pair<std::string, std::string>> kWriter = {{"X-Test-Role", "writer"}};

class QueryHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    QueryHttpOptions options;
    options.display_name = "otelhouse-test";
    options.cors_origins = {"http://localhost:8080"};
    server_ = std::make_unique<QueryHttpServer>(config, sink_, options);
    // The header stands in for a login: QueryAuth's own tests cover logins.
    server_->setAuthHook([](const HttpRequest& req, const HttpHeaders&, HttpResponse&) {
      return req.header("X-Test-Role") == "writer" ? QueryRole::kWriter : QueryRole::kReader;
    });
    ASSERT_TRUE(server_->start().isOk());
    client_ = std::make_unique<TestClient>(server_->port());
    QueryResult r;
    r.data = "1\n";
    r.rows_read = 10;
    r.bytes_read = 80;
    r.elapsed_seconds = 0.5;
    sink_.answer(r);
  }

  ClientResponse get(const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return client_->request("GET", target, headers);
  }
  ClientResponse post(const std::string& target, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return client_->request("POST", target, headers, body);
  }

  FakeSink sink_;
  std::unique_ptr<QueryHttpServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(QueryHttpTest, PingAndRootAnswerOk) {
  for (const char* target : {"/ping", "/", "/replicas_status"}) {
    ClientResponse r = get(target);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.body, "Ok.\n");
    EXPECT_EQ(r.header("content-type"), "text/html; charset=UTF-8");
  }
  EXPECT_TRUE(sink_.sql().empty());
}

TEST_F(QueryHttpTest, GetQueryWithClickHouseHeaders) {
  ClientResponse r = get("/?query=SELECT%201");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "1\n");
  EXPECT_EQ(sink_.sql(), std::vector<std::string>{"SELECT 1\nSETTINGS readonly = 2"});
  EXPECT_EQ(sink_.formats(), std::vector<std::string>{"TabSeparated"});
  EXPECT_TRUE(std::regex_match(
      r.header("x-clickhouse-query-id"),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(r.header("x-clickhouse-format"), "TabSeparated");
  EXPECT_EQ(r.header("x-clickhouse-timezone"), "UTC");
  EXPECT_EQ(r.header("x-clickhouse-server-display-name"), "otelhouse-test");
  EXPECT_EQ(r.header("x-clickhouse-summary"),
            "{\"read_rows\":\"10\",\"read_bytes\":\"80\",\"written_rows\":\"0\","
            "\"written_bytes\":\"0\",\"total_rows_to_read\":\"0\",\"result_rows\":\"0\","
            "\"result_bytes\":\"0\",\"elapsed_ns\":\"500000000\"}");
  EXPECT_EQ(r.header("content-type"), "text/tab-separated-values; charset=UTF-8");
  EXPECT_EQ(r.header("keep-alive"), "timeout=10");
  EXPECT_FALSE(r.has("x-clickhouse-exception-code"));
  EXPECT_TRUE(r.keep_alive);
}

TEST_F(QueryHttpTest, PostBodyQueryIdAndDefaultFormat) {
  ClientResponse r = post("/?query_id=my-id&default_format=JSON&user=u&password=p&"
                          "wait_end_of_query=1&output_format_json_quote_64bit_integers=0",
                          "SELECT * FROM otel_logs", {{"Authorization", "Basic dTpw"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-clickhouse-query-id"), "my-id");
  EXPECT_EQ(r.header("x-clickhouse-format"), "JSON");
  EXPECT_EQ(r.header("content-type"), "application/json; charset=UTF-8");
  EXPECT_EQ(sink_.sql().back(),
            "SELECT * FROM otel_logs\nSETTINGS output_format_json_quote_64bit_integers = 0, "
            "readonly = 2");
  EXPECT_EQ(sink_.formats().back(), "JSON");
}

TEST_F(QueryHttpTest, FormatClauseIsReported) {
  ClientResponse r = post("/", "SELECT 1 FORMAT JSONEachRow\n");
  EXPECT_EQ(r.header("x-clickhouse-format"), "JSONEachRow");
  EXPECT_EQ(sink_.formats().back(), "TabSeparated");  // the sink sees the clause itself
  r = post("/", "SELECT format('{}', 'x') AS format FORMAT CSVWithNames;");
  EXPECT_EQ(r.header("x-clickhouse-format"), "CSVWithNames");
  EXPECT_EQ(r.header("content-type"), "text/csv; charset=UTF-8; header=present");
  r = get("/?query=SELECT%201", {{"X-ClickHouse-Format", "JSONCompact"}});
  EXPECT_EQ(r.header("x-clickhouse-format"), "JSONCompact");
  EXPECT_EQ(sink_.formats().back(), "JSONCompact");
}

TEST_F(QueryHttpTest, QueryParameterPlusBodyIsJoinedByNewline) {
  ClientResponse r =
      post("/?query=INSERT%20INTO%20t%20FORMAT%20JSONEachRow", "{\"a\":1}\n", kWriter);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(sink_.sql().back(), "INSERT INTO t FORMAT JSONEachRow\n{\"a\":1}\n");
  EXPECT_EQ(r.header("x-clickhouse-format"), "TabSeparated");
}

TEST_F(QueryHttpTest, CompressedRequestBodies) {
  for (const char* enc : {"gzip", "deflate", "zstd"}) {
    std::string packed;
    ASSERT_TRUE(compress(enc, "SELECT 42", packed).isOk());
    ClientResponse r = post("/", packed, {{"Content-Encoding", enc}});
    EXPECT_EQ(r.status, 200) << enc;
    EXPECT_EQ(sink_.sql().back(), "SELECT 42\nSETTINGS readonly = 2") << enc;
  }
  ClientResponse r = post("/", "garbage", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "36");
}

TEST_F(QueryHttpTest, ErrorsUseClickHouseStatusMapping) {
  struct Case {
    std::string message;
    int http;
    std::string code;
  } cases[] = {
      {"Code: 60. DB::Exception: Table default.nope does not exist. (UNKNOWN_TABLE) "
       "(version 24.8.1.1)",
       404, "60"},
      {"Code: 62. DB::Exception: Syntax error: failed at position 1 ('SELEC'). (SYNTAX_ERROR)",
       400, "62"},
      {"Code: 47. DB::Exception: Missing columns: 'x'. (UNKNOWN_IDENTIFIER)", 404, "47"},
      {"Code: 46. DB::Exception: Unknown function foo. (UNKNOWN_FUNCTION)", 404, "46"},
      {"Code: 43. DB::Exception: Illegal type. (ILLEGAL_TYPE_OF_ARGUMENT)", 500, "43"},
      {"Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)", 500, "241"},
      {"Code: 159. DB::Exception: Timeout exceeded. (TIMEOUT_EXCEEDED)", 408, "159"},
  };
  for (const auto& c : cases) {
    sink_.fail(Status::internal(c.message));
    ClientResponse r = post("/?query_id=q1", "SELECT 1");
    EXPECT_EQ(r.status, c.http) << c.message;
    EXPECT_EQ(r.body, c.message + "\n");
    EXPECT_EQ(r.header("x-clickhouse-exception-code"), c.code);
    EXPECT_EQ(r.header("x-clickhouse-query-id"), "q1");
    EXPECT_EQ(r.header("content-type"), "text/plain; charset=UTF-8");
  }
  sink_.fail(Status::unavailable("engine not loaded"));
  ClientResponse r = post("/", "SELECT 1");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            "Code: 439. DB::Exception: engine not loaded. (CANNOT_SCHEDULE_TASK)\n");
  sink_.fail(Status::internal("boom"));
  r = post("/", "SELECT 1");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "Code: 1002. DB::Exception: boom. (UNKNOWN_EXCEPTION)\n");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "1002");
}

TEST_F(QueryHttpTest, DatabaseParameter) {
  EXPECT_EQ(get("/?query=SELECT%201&database=default").status, 200);
  ClientResponse r = get("/?query=SELECT%201&database=other");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Code: 81. DB::Exception: Database other does not exist. (UNKNOWN_DATABASE)\n");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "81");
  r = get("/?query=SELECT%201", {{"X-ClickHouse-Database", "x"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(sink_.sql().size(), 1u);
}

TEST_F(QueryHttpTest, GetIsReadOnly) {
  ClientResponse r = get("/?query=INSERT%20INTO%20t%20VALUES%20(1)");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "164");
  EXPECT_EQ(r.body.rfind("Code: 164. DB::Exception: Cannot execute query in readonly mode.", 0),
            0u);
  EXPECT_EQ(get("/?query=%20(WITH%201%20AS%20x%20SELECT%20x)").status, 200);
  EXPECT_EQ(get("/?query=SHOW%20TABLES").status, 200);
  EXPECT_EQ(post("/?query=INSERT%20INTO%20t%20VALUES%20(1)", "", kWriter).status, 200);
  EXPECT_EQ(post("/?query=INSERT%20INTO%20t%20VALUES%20(1)", "").status, 500);
}

TEST_F(QueryHttpTest, EmptyQueryIsASyntaxError) {
  ClientResponse r = post("/", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)\n");
  EXPECT_TRUE(sink_.sql().empty());
}

TEST_F(QueryHttpTest, QueryParametersAreSubstituted) {
  ClientResponse r = get(
      "/?query=SELECT%20{x:UInt8},%20{s:String}%20FROM%20{t:Identifier}&param_x=1&param_s=it%27s&"
      "param_t=default.otel_logs");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(sink_.sql().back(),
            "SELECT CAST('1' AS UInt8), 'it\\'s' FROM `default`.`otel_logs`\nSETTINGS readonly = 2");
  r = get("/?query=SELECT%20{missing:String}");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body,
            "Code: 456. DB::Exception: Substitution `missing` is not set. "
            "(UNKNOWN_QUERY_PARAMETER)\n");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "456");
}

TEST_F(QueryHttpTest, ResponseCompressionOnlyWhenEnabled) {
  QueryResult big;
  big.data = std::string(10000, 'a');
  sink_.answer(big);
  ClientResponse r = get("/?query=SELECT%201", {{"Accept-Encoding", "gzip"}});
  EXPECT_FALSE(r.has("content-encoding"));
  EXPECT_EQ(r.body, big.data);
  for (const char* enc : {"gzip", "zstd", "deflate"}) {
    r = get("/?query=SELECT%201&enable_http_compression=1", {{"Accept-Encoding", enc}});
    ASSERT_EQ(r.header("content-encoding"), enc);
    EXPECT_LT(r.body.size(), 1000u);
    std::string plain;
    ASSERT_TRUE(decompress(enc, r.body, 1 << 20, plain).isOk());
    EXPECT_EQ(plain, big.data);
  }
  // Errors are compressed too; the JS client decompresses them.
  sink_.fail(Status::internal("Code: 60. DB::Exception: no. (UNKNOWN_TABLE)"));
  r = get("/?query=SELECT%201&enable_http_compression=1", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 404);
  std::string plain;
  ASSERT_TRUE(decompress(r.header("content-encoding"), r.body, 1 << 20, plain).isOk());
  EXPECT_EQ(plain, "Code: 60. DB::Exception: no. (UNKNOWN_TABLE)\n");
}

TEST_F(QueryHttpTest, OtherPathsAndMethods) {
  ClientResponse r = get("/play");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.rfind("There is no handle /play", 0), 0u);
  // Without an Origin (not a browser) a preflight is harmless and gets no CORS.
  r = client_->request("OPTIONS", "/");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  r = client_->request("DELETE", "/");
  EXPECT_EQ(r.status, 405);
  // add_http_cors_header alone no longer opens the endpoint to every origin.
  r = get("/?query=SELECT%201&add_http_cors_header=1");
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
}

// What ClickHouseHttpSink sends: INSERT ... FORMAT Native in the URL, the
// blocks (binary, any byte) in the body, maybe compressed.
TEST_F(QueryHttpTest, NativeInsertGoesToTheSinkInsertBinarySafe) {
  const std::string native("\x01\x02\x01s\x06String\x03\x00\n\xff", 15);
  ClientResponse r = post(
      "/?query=INSERT%20INTO%20%60default%60.%60otel_logs%60%20FORMAT%20Native"
      "&database=default&insert_deduplication_token=tok%201",
      native, kWriter);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "");
  ASSERT_EQ(sink_.inserts().size(), 1u);
  EXPECT_EQ(sink_.inserts()[0].table, "otel_logs");
  EXPECT_EQ(sink_.inserts()[0].native, native);
  EXPECT_EQ(sink_.inserts()[0].token, "tok 1");
  EXPECT_TRUE(sink_.sql().empty());
  EXPECT_EQ(r.header("x-clickhouse-format"), "Native");
  EXPECT_NE(r.header("x-clickhouse-summary").find("\"written_bytes\":\"15\""), std::string::npos);

  for (const char* enc : {"zstd", "gzip", "lz4", "deflate"}) {
    std::string packed;
    ASSERT_TRUE(compress(enc, native, packed).isOk()) << enc;
    r = post("/?query=insert%20into%20t%20(a,%20%60b%60)%20format%20native", packed,
             {{"Content-Encoding", enc}, kWriter[0]});
    ASSERT_EQ(r.status, 200) << enc << ": " << r.body;
    EXPECT_EQ(sink_.inserts().back().table, "t") << enc;
    EXPECT_EQ(sink_.inserts().back().native, native) << enc;
    EXPECT_EQ(sink_.inserts().back().token, "") << enc;
  }
  EXPECT_EQ(sink_.inserts().size(), 5u);
}

TEST_F(QueryHttpTest, NativeInsertTokenFromSettingsAndUrl) {
  post("/?query=INSERT%20INTO%20t%20SETTINGS%20insert_deduplication_token%20%3D%20'a%5C'b'"
       "%20FORMAT%20Native",
       "x", kWriter);
  post("/?query=INSERT%20INTO%20t%20FORMAT%20Native%20SETTINGS%20insert_deduplication_token%3D'c'",
       "x", kWriter);
  // The URL's setting wins over the statement's, as ClickHouse applies them.
  post("/?query=INSERT%20INTO%20t%20SETTINGS%20insert_deduplication_token%3D'c'%20FORMAT%20Native"
       "&insert_deduplication_token=url",
       "x", kWriter);
  auto inserts = sink_.inserts();
  ASSERT_EQ(inserts.size(), 3u);
  EXPECT_EQ(inserts[0].token, "a'b");
  EXPECT_EQ(inserts[1].token, "c");
  EXPECT_EQ(inserts[2].token, "url");
}

TEST_F(QueryHttpTest, NativeInsertErrors) {
  // Another database: nothing stored.
  ClientResponse r = post("/?query=INSERT%20INTO%20otel.t%20FORMAT%20Native", "x", kWriter);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "81");
  // An encoding we cannot read: ClickHouse's NOT_IMPLEMENTED, nothing stored.
  r = post("/?query=INSERT%20INTO%20t%20FORMAT%20Native", "x", {{"Content-Encoding", "br"}, kWriter[0]});
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "48");
  EXPECT_NE(r.body.find("Unknown Content-Encoding 'br'"), std::string::npos) << r.body;
  // A corrupt body.
  r = post("/?query=INSERT%20INTO%20t%20FORMAT%20Native", "not zstd", {{"Content-Encoding", "zstd"}, kWriter[0]});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "36");
  // GET never writes.
  r = get("/?query=INSERT%20INTO%20t%20FORMAT%20Native");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "164");
  // An empty body inserts nothing and succeeds, as in ClickHouse.
  r = post("/?query=INSERT%20INTO%20t%20FORMAT%20Native", "", kWriter);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(sink_.inserts().empty());
  // The engine's refusal comes back with its code and status.
  sink_.fail(Status::invalid("Code: 60. DB::Exception: Table default.t does not exist. (UNKNOWN_TABLE)"));
  r = post("/?query=INSERT%20INTO%20t%20FORMAT%20Native", "x", kWriter);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "60");
  EXPECT_EQ(r.body, "Code: 60. DB::Exception: Table default.t does not exist. (UNKNOWN_TABLE)\n");
  EXPECT_TRUE(sink_.sql().empty());
}


TEST_F(QueryHttpTest, ReadersCannotInsert) {
  ClientResponse r = post("/?query=INSERT%20INTO%20otel_logs%20FORMAT%20Native", "x");
  EXPECT_EQ(r.status, 500);  // ClickHouse answers READONLY with 500
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "164");
  EXPECT_TRUE(sink_.inserts().empty());
  r = post("/", "INSERT INTO otel_logs FORMAT JSONEachRow\n{}");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "164");
  EXPECT_TRUE(sink_.sql().empty());
}

TEST_F(QueryHttpTest, GateRefusalsNeverReachTheEngine) {
  ClientResponse r = post("/", "SELECT * FROM file('/etc/passwd', 'LineAsString')");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "497");
  EXPECT_NE(r.body.find("(ACCESS_DENIED)"), std::string::npos) << r.body;
  r = post("/", "SELECT 1; DROP TABLE otel_logs");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "62");
  r = post("/?readonly=0", "SELECT 1");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "164");
  r = post("/?allow_ddl=1", "SELECT 1");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "164");
  // A {name:Identifier} parameter cannot smuggle a table function in.
  r = post("/?param_f=file", "SELECT * FROM {f:Identifier}('/etc/passwd')");
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "497");
  EXPECT_TRUE(sink_.sql().empty());
}

TEST_F(QueryHttpTest, ClientSettingsGoToTheEngineWithReadonly) {
  ClientResponse r = post(
      "/?date_time_output_format=iso&output_format_json_quote_64bit_integers=1&"
      "max_execution_time=30&add_http_cors_header=1&unknown_thing=1&readonly=1",
      "SELECT 1 FORMAT JSON");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(sink_.sql().back(),
            "SELECT 1 FORMAT JSON\nSETTINGS date_time_output_format = 'iso', "
            "output_format_json_quote_64bit_integers = 1, max_execution_time = 30, readonly = 2");
}

TEST_F(QueryHttpTest, MultipartBindParameters) {
  const std::string big(5000, 'x');
  const std::string body =
      "--B\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n"
      "SELECT {a:String} = {b:String}\r\n"
      "--B\r\nContent-Disposition: form-data; name=\"param_a\"\r\n\r\n" + big + "\r\n"
      "--B\r\nContent-Disposition: form-data; name=\"param_b\"\r\n\r\nit's\r\n--B--\r\n";
  ClientResponse r =
      post("/?default_format=JSON", body, {{"Content-Type", "multipart/form-data; boundary=B"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(sink_.sql().back(),
            "SELECT '" + big + "' = 'it\\'s'\nSETTINGS readonly = 2");
  // The query part is gated like any other.
  const std::string drop =
      "--B\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\nDROP TABLE t\r\n--B--\r\n";
  r = post("/", drop, {{"Content-Type", "multipart/form-data; boundary=B"}});
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "164");
  r = post("/", "--B\r\nbroken", {{"Content-Type", "multipart/form-data; boundary=B"}});
  EXPECT_EQ(r.header("x-clickhouse-exception-code"), "36");
}

TEST_F(QueryHttpTest, CorsOnlyForConfiguredOrigins) {
  ClientResponse r = post("/?add_http_cors_header=1", "SELECT 1",
                          {{"Origin", "http://evil.example"}});
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  r = client_->request("OPTIONS", "/", {{"Origin", "http://evil.example"},
                                         {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  r = post("/?add_http_cors_header=1", "SELECT 1", {{"Origin", "http://localhost:8080"}});
  EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:8080");
  r = client_->request("OPTIONS", "/", {{"Origin", "http://localhost:8080"},
                                         {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:8080");
}

}  // namespace
}  // namespace otelhouse
