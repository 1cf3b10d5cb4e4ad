// The native protocol client and sink against a real clickhouse-server
// (Debian's 18.16 in CI), started on free ports by the fixture.
#include "sinks/clickhouse_native_sink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "clickhouse/clickhouse_server.h"
#include "clickhouse/native_block.h"
#include "clickhouse/native_connection.h"
#include "clickhouse/protocol.h"
#include "export/exporter.h"
#include "rows/native_writer.h"

namespace otelhouse {
namespace {

using testing::ClickHouseServer;

ClickHouseEndpoint endpointOf(const ClickHouseServer& server) {
  auto ep = parseClickHouseEndpoint("tcp://127.0.0.1:" + std::to_string(server.tcpPort()));
  EXPECT_TRUE(ep.isOk()) << ep.status().toString();
  return ep.value();
}

ServerSinkOptions optionsWith(ClickHouseCompression compression) {
  ServerSinkOptions o;
  o.compression = compression;
  o.timeout_ms = 10000;
  o.max_connections = 2;
  return o;
}

std::string mustQuery(const ClickHouseServer& server, const std::string& sql) {
  auto r = server.query(sql);
  EXPECT_TRUE(r.isOk()) << sql << ": " << r.status().toString();
  return r.isOk() ? r.value() : "";
}

// A Native block made with the rows builders, as the WAL holds them.
std::string logsLikeBlock(int first, int rows, bool with_extra) {
  StringColumn body;
  FixedColumn<uint64_t> ts;
  FixedColumn<uint8_t> severity;
  FixedColumn<double> value;
  ArrayStringColumn tags;
  ArrayColumn<uint64_t> counts;
  StringColumn extra;
  for (int i = first; i < first + rows; ++i) {
    body.append("body " + std::to_string(i) + (i % 3 == 0 ? std::string("\t\xc3\xa9\n", 4) : ""));
    ts.append(1700000000ull + static_cast<uint64_t>(i));
    severity.append(static_cast<uint8_t>(i % 24));
    value.append(i * 0.5);
    for (int k = 0; k < i % 3; ++k) tags.add("t" + std::to_string(k));
    tags.endRow();
    for (int k = 0; k < i % 4; ++k) counts.add(static_cast<uint64_t>(k * i));
    counts.endRow();
    extra.append("x");
  }
  std::string out;
  NativeWriter w(out);
  w.beginBlock(with_extra ? 7 : 6, static_cast<size_t>(rows));
  w.column("Body", "String", body);
  w.column("Ts", "UInt64", ts);
  w.column("Severity", "UInt8", severity);
  w.column("Value", "Float64", value);
  w.column("Tags", "Array(String)", tags);
  w.column("Counts", "Array(UInt64)", counts);
  if (with_extra) w.column("EventName", "String", extra);
  return out;
}

constexpr const char* kLogsTable =
    "CREATE TABLE logs (Body String, Ts UInt64, Severity UInt8, Value Float64, Tags Array(String), "
    "Counts Array(UInt64), Host String DEFAULT 'none') ENGINE = MergeTree ORDER BY Ts";

std::string expectedLogsTsv(int first, int rows) {
  std::string out;
  for (int i = first; i < first + rows; ++i) {
    std::string body = "body " + std::to_string(i) + (i % 3 == 0 ? "\\t\xc3\xa9\\n" : "");
    std::string tags = "[";
    for (int k = 0; k < i % 3; ++k) tags += std::string(k ? "," : "") + "'t" + std::to_string(k) + "'";
    tags += "]";
    std::string counts = "[";
    for (int k = 0; k < i % 4; ++k) counts += std::string(k ? "," : "") + std::to_string(k * i);
    counts += "]";
    char value[32];
    snprintf(value, sizeof(value), "%g", i * 0.5);
    out += body + "\t" + std::to_string(1700000000ull + i) + "\t" + std::to_string(i % 24) + "\t" +
           value + "\t" + tags + "\t" + counts + "\tnone\n";
  }
  return out;
}

TEST(NativeConnection, HandshakeNegotiatesRevisionAndPings) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  clickhouse::ConnectionOptions o;
  o.port = server->tcpPort();
  auto c = clickhouse::NativeConnection::connect(o);
  ASSERT_TRUE(c.isOk()) << c.status().toString();
  const clickhouse::ServerInfo& info = c.value()->server();
  EXPECT_EQ(info.name, "ClickHouse");
  std::string version = mustQuery(*server, "SELECT version()");
  EXPECT_EQ(version, std::to_string(info.version_major) + "." + std::to_string(info.version_minor) +
                         "." + std::to_string(info.version_patch) + "\n");
  EXPECT_GT(info.revision, 54000u);
  EXPECT_EQ(c.value()->revision(), std::min(info.revision, clickhouse::kClientRevision));
  EXPECT_EQ(info.timezone + "\n", mustQuery(*server, "SELECT timezone()"));
  EXPECT_FALSE(info.display_name.empty());
  ASSERT_TRUE(c.value()->ping().isOk());
  ASSERT_TRUE(c.value()->ping().isOk());
  std::vector<clickhouse::OwnedBlock> blocks;
  ASSERT_TRUE(c.value()->query("SELECT toString(number) AS s FROM system.numbers LIMIT 3", {}, &blocks).isOk());
  uint64_t rows = 0;
  std::vector<std::string> values;
  for (auto& b : blocks) {
    if (b.block.rows == 0) continue;
    rows += b.block.rows;
    ASSERT_TRUE(clickhouse::decodeStrings(b.block.columns[0], b.block.rows, &values).isOk());
  }
  EXPECT_EQ(rows, 3u);
  EXPECT_EQ(values.back(), "2");
}

TEST(NativeConnection, AuthenticatesAndMapsRefusalToServerCode) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  clickhouse::ConnectionOptions o;
  o.port = server->tcpPort();
  o.user = ClickHouseServer::kAuthUser;
  o.password = ClickHouseServer::kAuthPassword;
  auto ok = clickhouse::NativeConnection::connect(o);
  ASSERT_TRUE(ok.isOk()) << ok.status().toString();
  ASSERT_TRUE(ok.value()->ping().isOk());

  o.password = "wrong";
  auto refused = clickhouse::NativeConnection::connect(o);
  ASSERT_FALSE(refused.isOk());
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(refused.status().message().rfind("Code: 193. DB::Exception: ", 0), 0u)
      << refused.status().message();
  EXPECT_EQ(classifyClickHouseCode(leadingClickHouseCode(refused.status().message())),
            InsertVerdict::kRetryLater);  // the operator fixes the password; the data waits

  // Through the sink, credentials from the URL.
  auto ep = parseClickHouseEndpoint("tcp://127.0.0.1:" + std::to_string(server->tcpPort()) +
                                    "?username=" + ClickHouseServer::kAuthUser + "&password=wrong");
  ASSERT_TRUE(ep.isOk()) << ep.status().toString();
  ClickHouseNativeSink sink(ep.value(), optionsWith(ClickHouseCompression::kNone));
  Status st = sink.execute("SELECT 1");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("Code: 193"), std::string::npos) << st.message();
}

TEST(ClickHouseNativeSink, InsertsBlocksWithEachCompression) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  mustQuery(*server, kLogsTable);
  int first = 0;
  std::string expected;
  for (ClickHouseCompression comp : {ClickHouseCompression::kNone, ClickHouseCompression::kLz4,
                                     ClickHouseCompression::kZstd, ClickHouseCompression::kGzip}) {
    SCOPED_TRACE(compressionName(comp));
    ClickHouseNativeSink sink(endpointOf(*server), optionsWith(comp));
    // Two blocks in one stream; the second large enough for several frames.
    std::string native = logsLikeBlock(first, 10, false) + logsLikeBlock(first, 0, false) +
                         logsLikeBlock(first + 10, 30000, false);
    auto start = std::chrono::steady_clock::now();
    Status st = sink.insert("logs", native, "token-1");
    ASSERT_TRUE(st.isOk()) << st.toString();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Printed, never asserted: a rough figure for the report (includes the
    // session's handshake and DESC TABLE).
    std::printf("[ measure  ] %s: %zu Native bytes, 30010 rows in %.3f s\n",
                compressionName(comp), native.size(), seconds);
    expected += expectedLogsTsv(first, 30010);
    first += 30010;
    NativeSinkStats stats = sink.stats();
    EXPECT_EQ(stats.rows, 30010u);
    EXPECT_EQ(stats.blocks, 3u);
    EXPECT_EQ(stats.inserts, 1u);
  }
  std::string got = mustQuery(*server, "SELECT * FROM logs ORDER BY Ts FORMAT TSV");
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << got.substr(0, 300) << "\nvs\n" << expected.substr(0, 300);
}

}  // namespace
}  // namespace otelhouse

namespace otelhouse {
namespace {

using testing::ClickHouseServer;

// Every column type 18.16 has, with values the server itself made: its
// Native bytes go through the sink into an identical table and must come
// back byte for byte.
constexpr const char* kAllTypesSelect =
    "SELECT number AS u64, concat('s', toString(number), if(number % 5 = 0, '\\t\\n\\\\', '')) AS s, "
    "toFixedString(concat('f', toString(number % 10)), 5) AS fs, toUInt8(number % 256) AS u8, "
    "toUInt16(number * 7) AS u16, toUInt32(number * 100003) AS u32, "
    "toInt8(toInt16(number % 200) - 100) AS i8, toInt16(toInt32(number) * -3) AS i16, "
    "toInt32(toInt64(number) * -100003) AS i32, toInt64(number) * -1000000007 AS i64, "
    "toFloat32(number / 3) AS f32, toFloat64(number / 7) AS f64, toDate('2020-01-01') + number AS d, "
    "toDateTime('2020-01-01 00:00:00') + number * 3600 AS dt, "
    "[toUUID('123e4567-e89b-12d3-a456-426614174000'), toUUID('00000000-0000-0000-0000-000000000001')]"
    "[number % 2 + 1] AS uuid, "
    "CAST(if(number % 2 = 0, 'a', 'b') AS Enum8('a' = 1, 'b' = 2)) AS e8, "
    "CAST(if(number % 3 = 0, 'x', 'y') AS Enum16('x' = 1000, 'y' = 2000)) AS e16, "
    "if(number % 4 = 0, NULL, toString(number)) AS n, if(number % 3 = 0, NULL, toUInt32(number)) AS nu, "
    "arrayMap(x -> toString(x), range(number % 4)) AS a, "
    "CAST(arrayMap(x -> range(x % 3), range(number % 3)) AS Array(Array(UInt8))) AS aa, "
    "arrayMap(x -> if(x % 2 = 0, NULL, toInt64(x)), range(number % 4)) AS an, "
    "tuple(toString(number), toUInt8(number % 7)) AS t, toDecimal32(number, 2) AS dec, "
    "toDecimal64(number, 3) AS dec18, toLowCardinality(toString(number % 5)) AS lc, "
    "toLowCardinality(if(number % 3 = 0, NULL, toString(number % 5))) AS nlc "
    "FROM system.numbers LIMIT 1000";

TEST(ClickHouseNativeSink, RoundTripsEveryColumnTypeByteForByte) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  mustQuery(*server, std::string("CREATE TABLE src ENGINE = MergeTree ORDER BY u64 AS ") + kAllTypesSelect);
  mustQuery(*server, "CREATE TABLE dst AS src");
  // Several blocks in one stream (max_block_size), as a batch of requests is.
  std::string native = mustQuery(*server, "SELECT * FROM src ORDER BY u64 SETTINGS max_block_size = 300 FORMAT Native");
  std::vector<clickhouse::NativeBlock> blocks;
  ASSERT_TRUE(clickhouse::splitNativeStream(native, &blocks).isOk());
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].columns.size(), 27u);
  ClickHouseNativeSink sink(endpointOf(*server), optionsWith(ClickHouseCompression::kLz4));
  Status st = sink.insert("dst", native, "");
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(sink.stats().blocks, 4u);
  std::string want = mustQuery(*server, "SELECT * FROM src ORDER BY u64 FORMAT TSV");
  std::string got = mustQuery(*server, "SELECT * FROM dst ORDER BY u64 FORMAT TSV");
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << got.substr(0, 500);
  EXPECT_EQ(mustQuery(*server, "SELECT * FROM dst ORDER BY u64 FORMAT Native"),
            mustQuery(*server, "SELECT * FROM src ORDER BY u64 FORMAT Native"));

  // query() hands back the same rows as a Native stream.
  QueryResult result;
  st = sink.query("SELECT * FROM dst ORDER BY u64", "Native", &result);
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(result.rows_read, 1000u);
  ASSERT_TRUE(clickhouse::splitNativeStream(result.data, &blocks).isOk());
  EXPECT_EQ(blocks[0].columns[1].name, "s");
  EXPECT_EQ(sink.query("SELECT 1", "JSON", &result).code(), Code::kUnsupported);
}

TEST(ClickHouseNativeSink, InsertsOnlyTheTableColumnsAndChecksTypes) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  mustQuery(*server, kLogsTable);
  ClickHouseNativeSink sink(endpointOf(*server), optionsWith(ClickHouseCompression::kZstd));
  auto cols = sink.describe("logs");
  ASSERT_TRUE(cols.isOk()) << cols.status().toString();
  ASSERT_EQ(cols.value().size(), 7u);
  EXPECT_EQ(cols.value()[4].name, "Tags");
  EXPECT_EQ(cols.value()[4].type, "Array(String)");
  EXPECT_EQ(cols.value()[6].default_kind, "DEFAULT");

  // EventName is not in the table (an older schema): dropped; Host gets its default.
  Status st = sink.insert("logs", logsLikeBlock(0, 50, true) + logsLikeBlock(50, 50, true), "");
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(sink.stats().columns_dropped, 1u);
  EXPECT_EQ(mustQuery(*server, "SELECT * FROM logs ORDER BY Ts FORMAT TSV"), expectedLogsTsv(0, 100));

  // A column the table has with another type: refused, naming the column, not retried.
  mustQuery(*server, "CREATE TABLE logs2 (Body UInt32, Ts UInt64) ENGINE = MergeTree ORDER BY Ts");
  InsertOutcome mismatch = sink.insert("logs2", logsLikeBlock(0, 5, false), "");
  ASSERT_FALSE(mismatch.isOk());
  EXPECT_EQ(mismatch.code(), Code::kInvalidArgument);
  EXPECT_NE(mismatch.message().find("column Body"), std::string::npos) << mismatch.message();
  EXPECT_EQ(mismatch.verdict(), InsertVerdict::kRejected);
  EXPECT_EQ(mustQuery(*server, "SELECT count() FROM logs2"), "0\n");
  // The sink keeps working after the refusal.
  ASSERT_TRUE(sink.insert("logs", logsLikeBlock(100, 5, false), "").isOk());
  EXPECT_EQ(mustQuery(*server, "SELECT count() FROM logs"), "105\n");

  // A LowCardinality(String) column takes the batch's String (the server
  // converts), as ClickStack's ServiceName does; DDL goes through execute().
  Status ddl = sink.execute(
      "CREATE TABLE logs_lc (Body LowCardinality(String), Ts UInt64) ENGINE = MergeTree ORDER BY Ts");
  ASSERT_TRUE(ddl.isOk()) << ddl.toString();
  st = sink.insert("logs_lc", logsLikeBlock(0, 20, false), "");
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_EQ(mustQuery(*server, "SELECT toTypeName(Body) FROM logs_lc LIMIT 1"), "LowCardinality(String)\n");
  EXPECT_EQ(mustQuery(*server, "SELECT Body, Ts FROM logs_lc ORDER BY Ts FORMAT TSV"),
            mustQuery(*server, "SELECT Body, Ts FROM logs WHERE Ts < 1700000020 ORDER BY Ts FORMAT TSV"));

  // A batch that is not valid Native: a clear error, nothing sent.
  std::string bad = logsLikeBlock(0, 5, false);
  bad.resize(bad.size() - 3);
  st = sink.insert("logs", bad, "");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("not valid Native"), std::string::npos) << st.message();
  EXPECT_EQ(mustQuery(*server, "SELECT count() FROM logs"), "105\n");
}

TEST(ClickHouseNativeSink, ServerExceptionsCarryTheirCode) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  ClickHouseNativeSink sink(endpointOf(*server), optionsWith(ClickHouseCompression::kLz4));
  InsertOutcome missing = sink.insert("no_such_table", logsLikeBlock(0, 3, false), "");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.code(), Code::kInvalidArgument);
  EXPECT_EQ(missing.message().rfind("Code: 60. DB::Exception: ", 0), 0u) << missing.message();
  EXPECT_EQ(missing.engineCode(), 60);
  EXPECT_EQ(missing.verdict(), InsertVerdict::kRetryLater);
  Status st;

  st = sink.execute("SELECT throwIf(1)");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("Code: 395.", 0), 0u) << st.message();
  st = sink.execute("SELEKT 1");
  EXPECT_EQ(st.message().rfind("Code: 62.", 0), 0u) << st.message();
  // A transient one: TIMEOUT_EXCEEDED (159) is retried by the exporter.
  st = sink.execute("SELECT count() FROM numbers(100000000000) SETTINGS max_execution_time = 1");
  EXPECT_EQ(st.message().rfind("Code: 159.", 0), 0u) << st.toString();
  EXPECT_EQ(classifyClickHouseCode(leadingClickHouseCode(st.message())), InsertVerdict::kRetryLater);
  // After an exception the next call runs on a fresh session, which is kept.
  uint64_t opened = sink.stats().connections_opened;
  EXPECT_TRUE(sink.execute("SELECT 1").isOk());
  EXPECT_TRUE(sink.execute("SELECT 2").isOk());
  EXPECT_EQ(sink.stats().connections_opened, opened + 1);
}

TEST(ClickHouseNativeSink, ServerDownIsUnavailableAndARestartIsSurvived) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  mustQuery(*server, kLogsTable);
  ServerSinkOptions o = optionsWith(ClickHouseCompression::kLz4);
  o.timeout_ms = 3000;
  o.connect_timeout_ms = 1000;
  ClickHouseNativeSink sink(endpointOf(*server), o);
  ASSERT_TRUE(sink.insert("logs", logsLikeBlock(0, 10, false), "").isOk());

  // Killed mid-load: inserts of large batches run while the server dies.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, other{0};
  std::string big = logsLikeBlock(1000, 200000, false);
  std::thread loader([&] {
    while (!stop) {
      Status st = sink.insert("logs", big, "");
      if (st.isOk()) ok++;
      else if (st.code() == Code::kUnavailable) unavailable++;
      else other++;
      if (!st.isOk()) break;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(server->stop(true).isOk());
  loader.join();
  stop = true;
  EXPECT_EQ(unavailable.load(), 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(InsertOutcome::fromStatus(Status::unavailable("x")).verdict(), InsertVerdict::kRetryLater);
  Status down = sink.insert("logs", logsLikeBlock(10, 10, false), "");
  EXPECT_EQ(down.code(), Code::kUnavailable) << down.toString();

  ASSERT_TRUE(server->restart().isOk()) << server->logTail();
  uint64_t opened = sink.stats().connections_opened;
  Status st = sink.insert("logs", logsLikeBlock(10, 10, false), "");
  ASSERT_TRUE(st.isOk()) << st.toString();
  EXPECT_GT(sink.stats().connections_opened, opened);
  // Killed mid-insert, a batch may or may not have been stored (dedup tokens
  // cover that on servers that have them); everything acknowledged is there.
  uint64_t count = std::stoull(mustQuery(*server, "SELECT count() FROM logs WHERE Ts < 1700001000"));
  EXPECT_EQ(count, 20u);
  uint64_t big_rows = std::stoull(mustQuery(*server, "SELECT count() FROM logs WHERE Ts >= 1700001000"));
  EXPECT_GE(big_rows, static_cast<uint64_t>(ok.load()) * 200000u);
  EXPECT_LE(big_rows, static_cast<uint64_t>(ok.load() + 1) * 200000u);
}

TEST(ClickHouseNativeSink, ConcurrentInsertsShareAPoolOfSessions) {
  OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);
  mustQuery(*server, kLogsTable);
  ClickHouseNativeSink sink(endpointOf(*server), optionsWith(ClickHouseCompression::kLz4));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (!sink.insert("logs", logsLikeBlock((t * 5 + i) * 100, 100, false), "").isOk()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mustQuery(*server, "SELECT count(), uniqExact(Ts) FROM logs"), "2000\t2000\n");
  EXPECT_LE(sink.stats().connections_opened, 2u);  // options.max_connections
  EXPECT_EQ(sink.stats().inserts, 20u);
}

TEST(ClickHouseNativeSink, SilentServerTimesOut) {
  // A listener that never answers: the kernel completes the TCP handshake,
  // the server's Hello never comes.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto ep = parseClickHouseEndpoint("tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  ASSERT_TRUE(ep.isOk());
  ServerSinkOptions o;
  o.timeout_ms = 300;
  ClickHouseNativeSink sink(ep.value(), o);
  auto start = std::chrono::steady_clock::now();
  Status st = sink.execute("SELECT 1");
  auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.toString();
  EXPECT_NE(st.message().find("timeout"), std::string::npos) << st.message();
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(ClickHouseNativeSink, RefusedConnectionIsUnavailable) {
  ClickHouseEndpoint ep;
  ep.protocol = ClickHouseProtocol::kNative;
  ep.host = "127.0.0.1";
  ep.port = 1;  // nothing listens there
  ep.text = "tcp://127.0.0.1:1";
  ClickHouseNativeSink sink(ep, ServerSinkOptions{});
  Status st = sink.insert("t", logsLikeBlock(0, 1, false), "");
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.toString();
  EXPECT_NE(st.message().find("tcp://127.0.0.1:1"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace otelhouse

namespace otelhouse {
namespace {

TEST(ClickHouseNativeSink, SpeaksTlsAndVerifiesTheCertificate) {
  OTELHOUSE_START_CLICKHOUSE_TLS_OR_SKIP(server);
  ASSERT_NE(server->tlsPort(), 0);
  auto ep = parseClickHouseEndpoint("clickhouse://127.0.0.1:" + std::to_string(server->tlsPort()) +
                                    "?secure=true");
  ASSERT_TRUE(ep.isOk()) << ep.status().toString();
  ASSERT_TRUE(ep.value().secure);
  mustQuery(*server, kLogsTable);

  ServerSinkOptions o = optionsWith(ClickHouseCompression::kZstd);
  o.ca_file = server->caFile();
  {
    ClickHouseNativeSink sink(ep.value(), o);
    Status st = sink.insert("logs", logsLikeBlock(0, 1000, false), "");
    ASSERT_TRUE(st.isOk()) << st.toString();
    EXPECT_EQ(mustQuery(*server, "SELECT count() FROM logs"), "1000\n");
  }
  {
    // The system CAs do not know the test certificate.
    ServerSinkOptions system_cas = o;
    system_cas.ca_file.clear();
    ClickHouseNativeSink sink(ep.value(), system_cas);
    Status st = sink.execute("SELECT 1");
    EXPECT_EQ(st.code(), Code::kUnavailable);
    EXPECT_NE(st.message().find("certificate"), std::string::npos) << st.message();
  }
  {
    // The certificate names 127.0.0.1 and localhost: another name is refused.
    clickhouse::ConnectionOptions c;
    c.port = server->tlsPort();
    c.tls.enabled = true;
    c.tls.ca_file = server->caFile();
    c.tls.server_name = "localhost";
    auto ok = clickhouse::NativeConnection::connect(c);
    ASSERT_TRUE(ok.isOk()) << ok.status().toString();
    c.tls.server_name = "db.example.com";
    auto wrong = clickhouse::NativeConnection::connect(c);
    ASSERT_FALSE(wrong.isOk());
    EXPECT_EQ(wrong.status().code(), Code::kUnavailable);
    EXPECT_NE(wrong.status().message().find("mismatch"), std::string::npos) << wrong.status().message();
  }
  {
    ServerSinkOptions skip = o;
    skip.ca_file.clear();
    skip.insecure_skip_verify = true;
    ClickHouseNativeSink sink(ep.value(), skip);
    EXPECT_TRUE(sink.execute("SELECT 1").isOk());
  }
}

}  // namespace
}  // namespace otelhouse
