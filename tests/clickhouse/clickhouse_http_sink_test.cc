// ClickHouseHttpSink against a real clickhouse-server (Debian's 18.16): Native
// blocks of the types that version has, read back byte for byte; gzip in place
// of zstd; server exceptions mapped to retry or dead letter; a stopped server
// is "unavailable" and a restarted one takes the next insert on the same sink;
// keep-alive connections are reused.
#include "sinks/clickhouse_http_sink.h"

#include <gtest/gtest.h>

#include <thread>

#include "clickhouse/clickhouse_server.h"
#include "export/exporter.h"
#include "rows/native_writer.h"

namespace otelhouse {
namespace {

using testing::ClickHouseServer;

ClickHouseEndpoint endpointOf(const ClickHouseServer& server) {
  ClickHouseEndpoint e;
  e.protocol = ClickHouseProtocol::kHttp;
  e.host = "127.0.0.1";
  e.port = server.httpPort();
  e.text = "http://127.0.0.1:" + std::to_string(server.httpPort());
  return e;
}

// Two rows per call, ids first_id and first_id + 1; every type 18.16 has that
// the ClickStack blocks use in some form.
std::string typedBlock(uint64_t first_id) {
  FixedColumn<uint64_t> id;
  FixedColumn<uint8_t> u8;
  FixedColumn<int32_t> i32;
  FixedColumn<double> f64;
  StringColumn s;
  FixedColumn<uint32_t> dt;
  FixedColumn<uint16_t> d;
  ArrayStringColumn arr;
  for (uint64_t i = 0; i < 2; ++i) {
    id.append(first_id + i);
    u8.append(static_cast<uint8_t>(200 + i));
    i32.append(-7 - static_cast<int32_t>(i));
    f64.append(1.5 + static_cast<double>(i));
    s.append(i == 0 ? std::string("tab\there") : std::string("bytes\x01\xff", 7));
    dt.append(1700000000 + static_cast<uint32_t>(i));
    d.append(19675);
    arr.add("a");
    if (i == 1) arr.add("b");
    arr.endRow();
  }
  std::string out;
  NativeWriter w(out);
  w.beginBlock(8, 2);
  w.column("id", "UInt64", id);
  w.column("u8", "UInt8", u8);
  w.column("i32", "Int32", i32);
  w.column("f64", "Float64", f64);
  w.column("s", "String", s);
  w.column("dt", "DateTime", dt);
  w.column("d", "Date", d);
  w.column("arr", "Array(String)", arr);
  return out;
}

const char* kCreate =
    "CREATE TABLE default.typed (id UInt64, u8 UInt8, i32 Int32, f64 Float64, s String, "
    "dt DateTime, d Date, arr Array(String), filled String DEFAULT 'dflt') "
    "ENGINE = MergeTree ORDER BY id";

class ClickHouseHttpSinkServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    bool missing = false;
    server_ = ClickHouseServer::start(&error, &missing).release();
    if (!server_) {
      skip_ = missing;
      start_error_ = error;
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (skip_) GTEST_SKIP() << start_error_;
    ASSERT_TRUE(server_) << start_error_;
    ASSERT_TRUE(server_->query("DROP TABLE IF EXISTS default.typed").isOk());
    ASSERT_TRUE(server_->query(kCreate).isOk());
  }
  std::string q(const std::string& sql) {
    auto r = server_->query(sql);
    EXPECT_TRUE(r.isOk()) << r.status().toString();
    return r.isOk() ? r.value() : std::string();
  }

  static inline ClickHouseServer* server_ = nullptr;
  static inline bool skip_ = false;
  static inline std::string start_error_;
};

TEST_F(ClickHouseHttpSinkServerTest, InsertsNativeBlocksReadBackExactly) {
  ServerSinkOptions options;  // zstd asked: 18.16 gets gzip
  ClickHouseHttpSink sink(endpointOf(*server_), options);
  auto version = sink.serverVersion();
  ASSERT_TRUE(version.isOk()) << version.status().toString();
  EXPECT_EQ(version.value().rfind("18.", 0), 0u) << version.value();
  EXPECT_EQ(sink.insertEncoding(), "gzip");

  // Two blocks in one stream, and a token 18.16 must not see (it refuses
  // unknown settings).
  Status st = sink.insert("typed", typedBlock(1) + typedBlock(3), "batch-1");
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(q("SELECT id, u8, i32, f64, s, dt, d, arr, filled FROM default.typed ORDER BY id "
              "FORMAT TabSeparated"),
            "1\t200\t-7\t1.5\ttab\\there\t2023-11-14 22:13:20\t2023-11-14\t['a']\tdflt\n"
            "2\t201\t-8\t2.5\tbytes\x01\xff\t2023-11-14 22:13:21\t2023-11-14\t['a','b']\tdflt\n"
            "3\t200\t-7\t1.5\ttab\\there\t2023-11-14 22:13:20\t2023-11-14\t['a']\tdflt\n"
            "4\t201\t-8\t2.5\tbytes\x01\xff\t2023-11-14 22:13:21\t2023-11-14\t['a','b']\tdflt\n");
  // The bytes themselves: the server's Native output of the same columns is
  // what we sent.
  QueryResult r;
  ASSERT_TRUE(sink.query("SELECT id, u8, i32, f64, s, dt, d, arr FROM default.typed WHERE id <= 2 "
                         "ORDER BY id",
                         "Native", &r)
                  .isOk());
  EXPECT_EQ(r.data, typedBlock(1));
}

TEST_F(ClickHouseHttpSinkServerTest, GzipAndUncompressedBodies) {
  for (auto c : {ClickHouseCompression::kGzip, ClickHouseCompression::kNone,
                 ClickHouseCompression::kLz4}) {
    ServerSinkOptions options;
    options.compression = c;
    ClickHouseHttpSink sink(endpointOf(*server_), options);
    ASSERT_TRUE(sink.serverVersion().isOk());
    EXPECT_EQ(sink.insertEncoding(), c == ClickHouseCompression::kNone ? "" : "gzip");
    Status st = sink.insert("typed", typedBlock(10), "");
    ASSERT_TRUE(st.isOk()) << compressionName(c) << ": " << st.toString();
  }
  EXPECT_EQ(q("SELECT count(), uniqExact(id) FROM default.typed"), "6\t2\n");
}

TEST_F(ClickHouseHttpSinkServerTest, AuthenticationFailureWaitsForTheOperator) {
  ClickHouseEndpoint e = endpointOf(*server_);
  e.user = ClickHouseServer::kAuthUser;
  e.password = "wrong";
  ClickHouseHttpSink wrong(e, {});
  InsertOutcome st = wrong.insert("typed", typedBlock(1), "");
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("Code: 193. DB::Exception: ", 0), 0u) << st.message();
  EXPECT_EQ(st.message().find("e.what()"), std::string::npos) << st.message();
  // The batch is fine; a fixed password lets it through, so it stays.
  EXPECT_EQ(st.verdict(), InsertVerdict::kRetryLater);
  EXPECT_EQ(st.engineCode(), 193);

  e.password = ClickHouseServer::kAuthPassword;  // has a space: header, not URL
  ClickHouseHttpSink right(e, {});
  Status ok = right.insert("typed", typedBlock(1), "");
  ASSERT_TRUE(ok.isOk()) << ok.toString();
  EXPECT_EQ(q("SELECT count() FROM default.typed"), "2\n");
}

TEST_F(ClickHouseHttpSinkServerTest, ServerExceptionsCarryTheirCodeAndVerdict) {
  ClickHouseHttpSink sink(endpointOf(*server_), {});
  InsertOutcome st = sink.insert("no_such_table", typedBlock(1), "");
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("Code: 60. DB::Exception: Table default.no_such_table doesn't exist", 0),
            0u)
      << st.message();
  // A table that is not there yet is the store's state, not the batch's.
  EXPECT_EQ(st.verdict(), InsertVerdict::kRetryLater);
  EXPECT_EQ(st.engineCode(), 60);

  // A block whose column type does not match the table's.
  std::string bad;
  NativeWriter w(bad);
  FixedColumn<uint64_t> id;
  id.append(1);
  StringColumn u8;
  u8.append("not a number");
  w.beginBlock(2, 1);
  w.column("id", "UInt64", id);
  w.column("u8", "String", u8);
  InsertOutcome mismatch = sink.insert("typed", bad, "");
  ASSERT_FALSE(mismatch.isOk());
  EXPECT_EQ(mismatch.message().rfind("Code: ", 0), 0u) << mismatch.message();
  EXPECT_EQ(mismatch.verdict(), InsertVerdict::kRejected) << mismatch.message();
  EXPECT_NE(mismatch.engineCode(), 0);

  Status syntax = sink.execute("SELEC 1");
  EXPECT_EQ(syntax.message().rfind("Code: 62. DB::Exception: Syntax error", 0), 0u)
      << syntax.message();
  EXPECT_EQ(q("SELECT count() FROM default.typed"), "0\n");
}

TEST_F(ClickHouseHttpSinkServerTest, QueryAndDescribe) {
  ClickHouseHttpSink sink(endpointOf(*server_), {});
  QueryResult r;
  ASSERT_TRUE(sink.query("SELECT number FROM system.numbers LIMIT 3", "TSV", &r).isOk());
  EXPECT_EQ(r.data, "0\n1\n2\n");
  ASSERT_TRUE(sink.query("SELECT 7 AS x FORMAT JSONEachRow", "TSV", &r).isOk());
  EXPECT_EQ(r.data, "{\"x\":7}\n");
  auto cols = sink.describe("typed");
  ASSERT_TRUE(cols.isOk()) << cols.status().toString();
  ASSERT_EQ(cols.value().size(), 9u);
  EXPECT_EQ(cols.value()[0].name, "id");
  EXPECT_EQ(cols.value()[0].type, "UInt64");
  EXPECT_EQ(cols.value()[0].default_kind, "");
  EXPECT_EQ(cols.value()[7].type, "Array(String)");
  EXPECT_EQ(cols.value()[8].name, "filled");
  EXPECT_EQ(cols.value()[8].default_kind, "DEFAULT");
  auto missing = sink.describe("nope");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().message().rfind("Code: 60.", 0), 0u);
}

TEST_F(ClickHouseHttpSinkServerTest, KeepAliveConnectionsAreReused) {
  ServerSinkOptions options;
  options.max_connections = 3;
  ClickHouseHttpSink sink(endpointOf(*server_), options);
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(sink.insert("typed", typedBlock(i * 2), "").isOk());
  // The version probe and ten inserts, one after another: one connection.
  EXPECT_EQ(sink.connectionsOpened(), 1u);

  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (!sink.insert("typed", typedBlock(100 + static_cast<uint64_t>(t * 10 + i) * 2), "").isOk())
          ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // Six threads share at most three pooled connections.
  EXPECT_LE(sink.connectionsOpened(), 3u);
  EXPECT_EQ(q("SELECT count() FROM default.typed"), "80\n");
}

// Its own server: this one is stopped and started again.
TEST(ClickHouseHttpSinkRestartTest, StoppedServerIsUnavailableAndRestartedOneTakesInserts) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  ASSERT_TRUE(server->query(kCreate).isOk());
  ServerSinkOptions options;
  options.connect_timeout_ms = 1000;
  options.timeout_ms = 3000;
  ClickHouseHttpSink sink(endpointOf(*server), options);
  ASSERT_TRUE(sink.insert("typed", typedBlock(1), "").isOk());

  ASSERT_TRUE(server->stop(true).isOk());
  InsertOutcome down = sink.insert("typed", typedBlock(3), "");
  ASSERT_FALSE(down.isOk());
  EXPECT_EQ(down.code(), Code::kUnavailable) << down.toString();
  EXPECT_NE(down.message().find("127.0.0.1"), std::string::npos) << down.message();
  EXPECT_EQ(down.verdict(), InsertVerdict::kRetryLater);
  EXPECT_EQ(down.engineCode(), 0);

  ASSERT_TRUE(server->restart().isOk()) << server->logTail();
  Status back = sink.insert("typed", typedBlock(3), "");
  ASSERT_TRUE(back.isOk()) << back.toString();
  auto ids = server->query("SELECT groupArray(id) FROM (SELECT id FROM default.typed ORDER BY id)");
  ASSERT_TRUE(ids.isOk());
  EXPECT_EQ(ids.value(), "[1,2,3,4]\n");
}

TEST(ClickHouseHttpSinkErrors, NormalisesBothExceptionForms) {
  EXPECT_EQ(normaliseClickHouseException(
                "Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., "
                "e.what() = DB::Exception\n",
                ""),
            "Code: 60. DB::Exception: Table default.x doesn't exist.");
  EXPECT_EQ(normaliseClickHouseException(
                "Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED) "
                "(version 24.3.1.1)\n",
                "241"),
            "Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED) "
            "(version 24.3.1.1)");
  EXPECT_EQ(normaliseClickHouseException("overloaded", "252"),
            "Code: 252. DB::Exception: overloaded");
  EXPECT_EQ(normaliseClickHouseException("<html>502 Bad Gateway</html>", ""), "");
}

TEST(ClickHouseHttpSinkErrors, NothingListeningIsUnavailable) {
  ClickHouseEndpoint e;
  e.host = "127.0.0.1";
  e.port = 1;  // nothing listens on tcpmux
  e.text = "http://127.0.0.1:1";
  ClickHouseHttpSink sink(e, {});
  InsertOutcome st = sink.insert("t", "x", "");
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.message();
  EXPECT_EQ(st.verdict(), InsertVerdict::kRetryLater);
}

TEST(ClickHouseHttpSinkErrors, LineBreakInCredentialsIsRefusedBeforeSending) {
  ClickHouseEndpoint e;
  e.host = "127.0.0.1";
  e.port = 1;
  e.text = "http://127.0.0.1:1";
  ServerSinkOptions options;
  options.password = "pw\r\nX-ClickHouse-User: admin";
  ClickHouseHttpSink sink(e, options);
  Status st = sink.execute("SELECT 1");
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.toString();
  EXPECT_EQ(sink.connectionsOpened(), 0u);
}

}  // namespace
}  // namespace otelhouse
