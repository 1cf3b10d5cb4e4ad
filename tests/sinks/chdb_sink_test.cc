// Runs against the real embedded engine (libchdb.so installed by setup).
#include "sinks/chdb_sink.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "schema/clickstack_schema.h"
#include "schema/cluster_ddl.h"

namespace otelhouse {
namespace {

class ChdbSinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/otelhouse-chdb-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto opened = ChdbSink::open(defaultChdbLibPath("."), dir_, "default");
    ASSERT_TRUE(opened.isOk()) << opened.status().message();
    sink_ = opened.value().release();
  }
  static void TearDownTestSuite() {
    if (sink_) sink_->close();
    delete sink_;
    sink_ = nullptr;
    std::filesystem::remove_all(dir_);
  }
  static std::string q(const std::string& sql) {
    QueryResult r;
    Status st = sink_->query(sql, "TabSeparated", &r);
    EXPECT_TRUE(st.isOk()) << st.message();
    return r.data;
  }
  static inline std::string dir_;
  static inline ChdbSink* sink_ = nullptr;
};

TEST_F(ChdbSinkTest, CreatesTheFullClickStackLogsSchema) {
  SchemaOptions o;
  o.metrics_timeseries = true;  // ENABLE_PROMQL=true
  for (auto& ddl : clickStackSchema(o)) {
    Status st = sink_->execute(ddl);
    ASSERT_TRUE(st.isOk()) << st.message() << "\n" << ddl;
  }
  EXPECT_EQ(q("SELECT name FROM system.tables WHERE database = 'default' AND NOT startsWith(name, '.') ORDER BY name"),
            "hyperdx_sessions\nmetrics_ts\notel_logs\notel_logs_attr_kv_rollup_15m_mv\n"
            "otel_logs_kv_rollup_15m\n"
            "otel_metrics_exponential_histogram\notel_metrics_gauge\notel_metrics_histogram\n"
            "otel_metrics_sum\notel_metrics_summary\notel_traces\n"
            "otel_traces_kv_rollup_15m\notel_traces_kv_rollup_15m_mv\n");
  auto cols = sink_->describe("otel_logs");
  ASSERT_TRUE(cols.isOk());
  ASSERT_GE(cols.value().size(), 16u);
  EXPECT_EQ(cols.value()[0].name, "Timestamp");
  EXPECT_EQ(cols.value()[0].type, "DateTime64(9)");
  EXPECT_EQ(cols.value()[15].name, "EventName");
  EXPECT_EQ(q("SELECT engine_full LIKE '%TTL toDateTime(Timestamp) + toIntervalDay(30)%' FROM system.tables "
              "WHERE name = 'otel_logs'"),
            "1\n");
  EXPECT_EQ(q("SELECT type, count() FROM system.data_skipping_indices WHERE table = 'otel_logs' GROUP BY type"),
            "text\t8\n");
}

// Each variant's statements run on the engine, each into its own database.
TEST_F(ChdbSinkTest, CreatesEveryVariant) {
  for (SchemaVariant v : {SchemaVariant::kCompat, SchemaVariant::kLegacy}) {
    SchemaOptions o;
    o.variant = v;
    o.database = std::string("v_") + schemaVariantName(v);
    for (auto& ddl : clickStackSchema(o)) {
      Status st = sink_->execute(ddl);
      ASSERT_TRUE(st.isOk()) << st.message() << "\n" << ddl;
    }
    EXPECT_EQ(q("SELECT count() FROM system.columns WHERE database = '" + o.database +
                "' AND table = 'otel_logs' AND name = 'EventName'"),
              v == SchemaVariant::kLegacy ? "0\n" : "1\n");
    EXPECT_EQ(q("SELECT count() FROM system.columns WHERE database = '" + o.database +
                "' AND table = 'otel_logs' AND name LIKE '__hdx_materialized_%'"),
              "8\n");
  }
}

// The cluster DDL cannot run without a cluster, but the engine's own parser
// must accept every statement and read back what we meant.
TEST_F(ChdbSinkTest, EngineParsesTheClusterSchema) {
  SchemaOptions o;
  o.database = "otel";
  int replicated = 0;
  std::vector<std::string> statements = clusterSchema(clickStackSchema(o), "obs", "otel");
  o.variant = SchemaVariant::kCompat;  // its ALTERs in the cluster form must parse too
  for (auto& s : clusterSchema(clickStackSchema(o), "obs", "otel"))
    if (s.rfind("ALTER TABLE", 0) == 0) statements.push_back(std::move(s));
  for (const auto& ddl : statements) {
    std::string literal = "'";
    for (char c : ddl) {
      if (c == '\'' || c == '\\') literal.push_back('\\');
      literal.push_back(c);
    }
    literal.push_back('\'');
    QueryResult r;
    Status st = sink_->query("SELECT formatQuerySingleLine(" + literal + ")", "TabSeparatedRaw", &r);
    ASSERT_TRUE(st.isOk()) << st.message() << "\n" << ddl;
    EXPECT_NE(r.data.find("ON CLUSTER obs"), std::string::npos) << r.data;
    if (r.data.find("ENGINE = Replicated") != std::string::npos) ++replicated;
  }
  EXPECT_EQ(replicated, 10);
}

TEST_F(ChdbSinkTest, InsertsNativeBlocksMatchedByName) {
  ASSERT_TRUE(sink_->execute("CREATE TABLE t (a UInt8, s LowCardinality(String), d String DEFAULT 'dflt') "
                             "ENGINE = MergeTree ORDER BY a")
                  .isOk());
  // Two blocks, columns in another order than the table's, d left out.
  const char raw[] = "\x02\x01\x01s\x06String\x02hi\x01" "a\x05UInt8\x07";
  std::string block(raw, sizeof raw - 1);
  Status st = sink_->insert("t", block + block, "");
  ASSERT_TRUE(st.isOk()) << st.message();
  EXPECT_EQ(q("SELECT a, s, d FROM t"), "7\thi\tdflt\n7\thi\tdflt\n");
}

TEST_F(ChdbSinkTest, ReportsEngineErrors) {
  QueryResult r;
  Status st = sink_->query("SELECT * FROM no_such_table", "TabSeparated", &r);
  ASSERT_FALSE(st.isOk());
  EXPECT_NE(st.message().find("Code: 60"), std::string::npos) << st.message();
  Status bad = sink_->insert("no_such_table", "x", "");
  EXPECT_FALSE(bad.isOk());
  // A block that promises five rows and holds one: refused, nothing stored.
  ASSERT_TRUE(sink_->execute("CREATE TABLE IF NOT EXISTS t2 (a UInt8) ENGINE = MergeTree ORDER BY a").isOk());
  const char raw[] = "\x01\x05\x01" "a\x05UInt8\x09";
  Status garbage = sink_->insert("t2", std::string(raw, sizeof raw - 1), "");
  EXPECT_FALSE(garbage.isOk());
  EXPECT_EQ(q("SELECT count() FROM t2"), "0\n");
}

TEST_F(ChdbSinkTest, QueryHonoursFormatArgumentAndClause) {
  EXPECT_EQ(q("SELECT 1 AS x FORMAT JSONEachRow"), "{\"x\":1}\n");
  QueryResult r;
  ASSERT_TRUE(sink_->query("SELECT 2 AS y", "CSV", &r).isOk());
  EXPECT_EQ(r.data, "2\n");
}

}  // namespace
}  // namespace otelhouse
