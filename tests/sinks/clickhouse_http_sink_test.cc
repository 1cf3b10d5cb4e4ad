// ClickHouseHttpSink writing into another otelhouse's embedded store over its
// :8123 (QueryHttpServer over a ChdbSink, in process): ClickStack's full
// otel_logs table, every inserted column read back, a re-sent batch stored
// once, zstd / lz4 / gzip / plain bodies. Runs against the real engine, so it
// is left out under ASan (libchdb cannot load there).
#include "sinks/clickhouse_http_sink.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "query/query_http.h"
#include "rows/logs_rows.h"
#include "schema/clickstack_schema.h"
#include "sinks/chdb_sink.h"

#if defined(__SANITIZE_ADDRESS__)
#define OTELHOUSE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OTELHOUSE_UNDER_ASAN 1
#endif
#endif

namespace otelhouse {
namespace {

// One full row: every column ClickStack's otel_logs takes from us.
void addRow(LogsRows& r, int64_t ts, const std::string& body, bool with_event_name) {
  r.timestamp.append(ts);
  r.trace_id.append("0af7651916cd43dd8448eb211c80319c");
  r.span_id.append("b7ad6b7169203331");
  r.trace_flags.append(1);
  r.severity_text.append("WARN");
  r.severity_number.append(13);
  r.service_name.append("checkout");
  r.body.append(body);
  r.resource_schema_url.append("https://opentelemetry.io/schemas/1.21.0");
  r.resource_attributes.addEntry("service.name", "checkout");
  r.resource_attributes.addEntry("k8s.pod.name", "pod-1");
  r.resource_attributes.endRow();
  r.scope_schema_url.append("https://scope");
  r.scope_name.append("io.opentelemetry.js");
  r.scope_version.append("1.2.3");
  r.scope_attributes.addEntry("lib", "x");
  r.scope_attributes.endRow();
  r.log_attributes.addEntry("http.status", "503");
  r.log_attributes.addEntry("quote", "it's");
  r.log_attributes.endRow();
  if (with_event_name) r.event_name.append("");
}

class ClickHouseHttpSinkChdbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
#ifdef OTELHOUSE_UNDER_ASAN
    return;
#endif
    char tmpl[] = "/tmp/otelhouse-httpsink-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto opened = ChdbSink::open(defaultChdbLibPath("."), dir_, "default");
    ASSERT_TRUE(opened.isOk()) << opened.status().message();
    store_ = opened.value().release();
    SchemaOptions o;
    o.ttl_seconds = 3650LL * 86400;  // the fixed 2023 times below must not expire
    for (auto& ddl : clickStackLogsSchema(o)) ASSERT_TRUE(store_->execute(ddl).isOk()) << ddl;
    // As otelhouse run does: the table deduplicates re-sent tokens.
    ASSERT_TRUE(store_->execute("ALTER TABLE default.otel_logs MODIFY SETTING "
                                "non_replicated_deduplication_window = 10000")
                    .isOk());
    HttpServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    server_ = new QueryHttpServer(config, *store_);
    // The sink under test writes, so it is the endpoint's writer login here.
    server_->setAuthHook([](const HttpRequest&, const HttpHeaders&, HttpResponse&) { return QueryRole::kWriter; });
    ASSERT_TRUE(server_->start().isOk());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (store_) store_->close();
    delete store_;
    store_ = nullptr;
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
#ifdef OTELHOUSE_UNDER_ASAN
    GTEST_SKIP() << "libchdb cannot load under ASan";
#endif
    ASSERT_TRUE(server_);
  }

  static ClickHouseEndpoint endpoint() {
    ClickHouseEndpoint e;
    e.host = "127.0.0.1";
    e.port = server_->port();
    e.text = "http://127.0.0.1:" + std::to_string(server_->port());
    return e;
  }
  static std::string q(const std::string& sql) {
    QueryResult r;
    Status st = store_->query(sql, "TabSeparated", &r);
    EXPECT_TRUE(st.isOk()) << st.message();
    return r.data;
  }

  static inline std::string dir_;
  static inline ChdbSink* store_ = nullptr;
  static inline QueryHttpServer* server_ = nullptr;
};

TEST_F(ClickHouseHttpSinkChdbTest, FullLogsRowsArriveOnceWhenReSent) {
  ServerSinkOptions options;  // zstd, which a current server takes
  ClickHouseHttpSink sink(endpoint(), options);
  auto version = sink.serverVersion();
  ASSERT_TRUE(version.isOk()) << version.status().toString();
  EXPECT_EQ(sink.insertEncoding(), "zstd") << version.value();

  // The columns come from the table, as the lead's schema check does.
  auto cols = sink.describe("otel_logs");
  ASSERT_TRUE(cols.isOk()) << cols.status().toString();
  uint32_t mask = 0;
  for (const auto& c : cols.value()) mask |= logsColumnBit(c.name);
  EXPECT_EQ(mask & kLogsClickStackColumns, kLogsClickStackColumns);

  LogsRows rows;
  addRow(rows, 1700000000000000001, "first\tline\nwith bytes \x01", true);
  addRow(rows, 1700000000123456789, "second", true);
  std::string native;
  rows.encodeNative(native, mask);

  Status st = sink.insert("otel_logs", native, "batch-A");
  ASSERT_TRUE(st.isOk()) << st.toString();
  const char* select =
      "SELECT Timestamp, toDateTime(Timestamp), TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, "
      "ServiceName, Body, ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName, "
      "ScopeVersion, ScopeAttributes, LogAttributes, `__hdx_materialized_k8s.pod.name` "
      "FROM otel_logs ORDER BY Timestamp FORMAT TabSeparated";
  const std::string row_tail =
      "\t0af7651916cd43dd8448eb211c80319c\tb7ad6b7169203331\t1\tWARN\t13\tcheckout\t";
  const std::string attrs =
      "\thttps://opentelemetry.io/schemas/1.21.0\t{'service.name':'checkout','k8s.pod.name':'pod-1'}"
      "\thttps://scope\tio.opentelemetry.js\t1.2.3\t{'lib':'x'}\t{'http.status':'503','quote':'it\\'s'}"
      "\tpod-1\n";
  const std::string expected =
      "2023-11-14 22:13:20.000000001\t2023-11-14 22:13:20" + row_tail +
      "first\\tline\\nwith bytes \x01" + attrs + "2023-11-14 22:13:20.123456789\t2023-11-14 22:13:20" +
      row_tail + "second" + attrs;
  EXPECT_EQ(q(select), expected);

  // The exporter re-sends a batch whose ack it missed: same token, stored once.
  st = sink.insert("otel_logs", native, "batch-A");
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(q(select), expected);

  // The token, not the bytes, decides (identical blocks without a token would
  // be deduplicated by their hash anyway): other rows under the same token are
  // dropped, the same rows under another token are stored.
  LogsRows other;
  addRow(other, 1700000000999999999, "other", true);
  std::string other_native;
  other.encodeNative(other_native, mask);
  ASSERT_TRUE(sink.insert("otel_logs", other_native, "batch-A").isOk());
  EXPECT_EQ(q(select), expected);
  ASSERT_TRUE(sink.insert("otel_logs", native, "batch-B").isOk());

  // Read back through the sink itself, too (its query path over :8123).
  QueryResult r;
  ASSERT_TRUE(sink.query("SELECT count() FROM otel_logs WHERE Body != 'other'", "TabSeparated", &r)
                  .isOk());
  EXPECT_EQ(r.data, "4\n");
  ASSERT_TRUE(sink.execute("TRUNCATE TABLE otel_logs").isOk());
}

TEST_F(ClickHouseHttpSinkChdbTest, EveryCompressionArrivesAndDeduplicates) {
  struct Case {
    ClickHouseCompression compression;
    const char* encoding;
  } cases[] = {{ClickHouseCompression::kZstd, "zstd"},
               {ClickHouseCompression::kLz4, "lz4"},
               {ClickHouseCompression::kGzip, "gzip"},
               {ClickHouseCompression::kNone, ""}};
  int64_t ts = 1700000100000000000;
  for (const auto& c : cases) {
    ServerSinkOptions options;
    options.compression = c.compression;
    ClickHouseHttpSink sink(endpoint(), options);
    ASSERT_TRUE(sink.serverVersion().isOk());
    EXPECT_EQ(sink.insertEncoding(), c.encoding);
    LogsRows rows;
    addRow(rows, ++ts, std::string("via ") + compressionName(c.compression), false);
    std::string native;
    rows.encodeNative(native);
    std::string token = std::string("tok-") + compressionName(c.compression);
    for (int i = 0; i < 2; ++i) {
      Status st = sink.insert("otel_logs", native, token);
      ASSERT_TRUE(st.isOk()) << c.encoding << ": " << st.toString();
    }
  }
  EXPECT_EQ(q("SELECT Body, count() FROM otel_logs WHERE startsWith(Body, 'via ') GROUP BY Body "
              "ORDER BY Body"),
            "via gzip\t1\nvia lz4\t1\nvia none\t1\nvia zstd\t1\n");
}

TEST_F(ClickHouseHttpSinkChdbTest, EngineRefusalIsDeadLetterClass) {
  ClickHouseHttpSink sink(endpoint(), {});
  LogsRows rows;
  addRow(rows, 1700000200000000000, "x", false);
  std::string native;
  rows.encodeNative(native);
  Status st = sink.insert("no_such_table", native, "t");
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("Code: 60. DB::Exception:", 0), 0u) << st.message();
}

}  // namespace
}  // namespace otelhouse
