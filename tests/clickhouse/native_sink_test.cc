// The native protocol client and sink against a real clickhouse-server
// (Debian's 18.16 in CI), started on free ports by the fixture.
#include "sinks/clickhouse_native_sink.h"

#include <gtest/gtest.h>

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
  EXPECT_FALSE(isRetryable(refused.status()));

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
    std::string native = logsLikeBlock(first, 10, false) + logsLikeBlock(first + 10, 30000, false);
    Status st = sink.insert("logs", native, "token-1");
    ASSERT_TRUE(st.isOk()) << st.toString();
    expected += expectedLogsTsv(first, 30010);
    first += 30010;
    NativeSinkStats stats = sink.stats();
    EXPECT_EQ(stats.rows, 30010u);
    EXPECT_EQ(stats.blocks, 2u);
    EXPECT_EQ(stats.inserts, 1u);
  }
  std::string got = mustQuery(*server, "SELECT * FROM logs ORDER BY Ts FORMAT TSV");
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << got.substr(0, 300) << "\nvs\n" << expected.substr(0, 300);
}

}  // namespace
}  // namespace otelhouse
