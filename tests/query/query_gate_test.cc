#include "query/query_gate.h"

#include <gtest/gtest.h>

#include "query/clickhouse_error.h"

namespace otelhouse {
namespace {

int refusal(const QueryGate& gate, std::string_view sql) {
  auto r = gate.check(sql);
  if (r.isOk()) return 0;
  return parseExceptionCode(r.status().message());
}

TEST(QueryGate, ReadsPass) {
  QueryGate gate;
  for (const char* sql :
       {"SELECT 1", "select * from otel_logs where Body ILIKE '%file(%' limit 10",
        "WITH x AS (SELECT 1) SELECT * FROM x", "SHOW TABLES", "DESCRIBE TABLE otel_logs",
        "desc otel_traces", "EXISTS TABLE otel_logs", "EXPLAIN SELECT 1",
        "(SELECT 1) UNION ALL (SELECT 2)", "SELECT count() FROM numbers(10)",
        "SELECT * FROM generate_series(1, 3)", "SELECT format('{}', 1) AS format FORMAT JSON",
        "SELECT 1 SETTINGS max_execution_time = 5, readonly = 2",
        "SELECT `file` FROM t", "SELECT 1 -- file('/etc/passwd')\n",
        "SELECT 1 /* nested /* url('http://x') */ still comment */",
        "SELECT $$ file('/x') $$", "SELECT 1;", "SELECT 1 ; ; -- trailing\n",
        "SELECT * FROM otel_logs WHERE path = '/a' SETTINGS max_threads = 1"}) {
    auto r = gate.check(sql);
    EXPECT_TRUE(r.isOk()) << sql << ": " << r.status().message();
  }
  EXPECT_EQ(gate.check("SELECT 1 ; ;").value(), "SELECT 1 ");
}

TEST(QueryGate, StatementKindsByAllowList) {
  QueryGate gate;
  for (const char* sql :
       {"INSERT INTO otel_logs SELECT * FROM otel_logs", "DROP TABLE otel_logs",
        "drop table otel_logs", "DrOp TaBlE otel_logs", "/* hi */ DROP TABLE otel_logs",
        "-- x\nTRUNCATE TABLE otel_logs", "CREATE TABLE x (a UInt8) ENGINE = File(TSV)",
        "CREATE TEMPORARY TABLE x ENGINE = URL('http://127.0.0.1/', TSV) AS SELECT 1",
        "ALTER TABLE otel_logs DELETE WHERE 1", "OPTIMIZE TABLE otel_logs FINAL",
        "SYSTEM SHUTDOWN", "KILL QUERY WHERE 1", "SET readonly = 0", "SET allow_ddl = 1",
        "RENAME TABLE otel_logs TO x", "DETACH TABLE otel_logs", "ATTACH TABLE x",
        "GRANT ALL ON *.* TO default", "USE system", "BACKUP TABLE otel_logs TO File('x')",
        "(INSERT INTO t VALUES (1))", "DELETE FROM otel_logs WHERE 1",
        "UNDROP TABLE t", "EXCHANGE TABLES a AND b", "CHECK TABLE otel_logs"}) {
    EXPECT_EQ(refusal(gate, sql), ch_error::kReadonly) << sql;
  }
}

TEST(QueryGate, TableFunctionsByAllowList) {
  QueryGate gate({"someNewFunction"});
  for (const char* sql :
       {"SELECT * FROM file('/etc/passwd', 'LineAsString')",
        "SELECT * FROM FILE('/etc/passwd')", "SELECT * FROM `file`('/etc/passwd')",
        "SELECT * FROM \"file\" ('/etc/passwd')", "SELECT * FROM file /* c */ ('/etc/passwd')",
        "SELECT file('/etc/passwd')", "SELECT * FROM url('http://127.0.0.1:8888/metrics', 'LineAsString')",
        "SELECT * FROM s3('http://x/b/k')", "SELECT * FROM hdfs('hdfs://x/y')",
        "SELECT * FROM remote('127.0.0.1', system.one)", "SELECT * FROM remoteSecure('h', db.t)",
        "SELECT * FROM cluster('c', system.one)", "SELECT * FROM mysql('h:3306', 'd', 't', 'u', 'p')",
        "SELECT * FROM postgresql('h', 'd', 't', 'u', 'p')", "SELECT * FROM executable('x.sh', TSV, 'a String')",
        "SELECT * FROM input('a String')", "SELECT * FROM azureBlobStorage('x')",
        "SELECT * FROM dictionary('d')", "SELECT * FROM jdbc('x', 'y')", "SELECT * FROM odbc('x', 'y')",
        "SELECT * FROM sqlite('/x.db', 't')", "SELECT * FROM mongodb('h', 'd', 'c', 'u', 'p', 'x String')",
        "SELECT * FROM redis('h', 'k', 'k String')", "SELECT * FROM iceberg('x')",
        "SELECT * FROM deltaLake('x')", "SELECT * FROM urlCluster('c', 'http://x')",
        "SELECT * FROM merge('system', '.*')", "SELECT * FROM loop(numbers(1))",
        "SELECT * FROM filesystem('/')", "SELECT * FROM someNewFunction(1)",
        "DESCRIBE file('/etc/passwd')", "DESCRIBE TABLE url('http://x', TSV)",
        "WITH (SELECT * FROM file('/etc/passwd')) AS x SELECT x",
        "SELECT * FROM view(SELECT * FROM file('/etc/passwd'))",
        "EXPLAIN SELECT * FROM file('/etc/passwd')"}) {
    EXPECT_EQ(refusal(gate, sql), ch_error::kAccessDenied) << sql;
  }
}

TEST(QueryGate, OutfileInfileAndSettings) {
  QueryGate gate;
  EXPECT_EQ(refusal(gate, "SELECT 1 INTO OUTFILE '/tmp/x'"), ch_error::kAccessDenied);
  EXPECT_EQ(refusal(gate, "select 1 into /* c */ outfile '/tmp/x' TRUNCATE"),
            ch_error::kAccessDenied);
  EXPECT_EQ(refusal(gate, "SELECT * FROM t FROM INFILE '/etc/passwd'"), ch_error::kAccessDenied);
  for (const char* sql :
       {"SELECT 1 SETTINGS readonly = 0", "SELECT 1 SETTINGS readonly=0",
        "SELECT 1 SETTINGS max_threads = 1, readonly = 0",
        "SELECT * FROM (SELECT 1 SETTINGS readonly = 0) SETTINGS readonly = 2",
        "SELECT 1 SETTINGS `readonly` = 0", "SELECT 1 SETTINGS allow_ddl = 1",
        "SELECT 1 SETTINGS allow_introspection_functions = 1",
        "SELECT 1 SETTINGS user_files_path = '/'", "SELECT 1 FORMAT JSON SETTINGS readonly = 0",
        "SELECT 1 SETTINGS format_schema = 'x'", "SELECT 1 SETTINGS max_threads = (1), readonly = 0"}) {
    EXPECT_EQ(refusal(gate, sql), ch_error::kReadonly) << sql;
  }
}

TEST(QueryGate, OneStatementAndWellFormedText) {
  QueryGate gate;
  for (const char* sql :
       {"SELECT 1; DROP TABLE otel_logs", "SELECT 1;DROP TABLE otel_logs;",
        "SELECT 1; -- x\nSELECT 2", "SELECT 1 /* unterminated", "SELECT 'unterminated",
        "SELECT `x", "SELECT $a$ never closed", "", "  ;  ", "-- only a comment", "SELEC 1",
        "`SELECT` 1", "42"}) {
    EXPECT_EQ(refusal(gate, sql), ch_error::kSyntaxError) << sql;
  }
  // ClickHouse nests comments: text after the first */ is still comment there,
  // and the gate reads it the same way.
  EXPECT_EQ(refusal(gate, "SELECT 1 /* /* */ ; DROP TABLE t */"), 0);
  // A quote inside a comment does not open a string.
  EXPECT_EQ(refusal(gate, "SELECT 1 -- it's\n; DROP TABLE t"), ch_error::kSyntaxError);
}

TEST(QueryGate, RewriteAppendsReadonlyAsTheLastSettings) {
  QueryGate gate;
  auto rw = [&](std::string_view sql,
                std::vector<std::pair<std::string, std::string>> settings = {}) {
    auto r = gate.rewrite(sql, settings);
    EXPECT_TRUE(r.isOk()) << r.status().message();
    return r.isOk() ? r.value() : std::string();
  };
  EXPECT_EQ(rw("SELECT 1"), "SELECT 1\nSETTINGS readonly = 2");
  EXPECT_EQ(rw("SELECT 1;"), "SELECT 1\nSETTINGS readonly = 2");
  EXPECT_EQ(rw("SELECT 1 -- c"), "SELECT 1 -- c\nSETTINGS readonly = 2");
  EXPECT_EQ(rw("SELECT 1 FORMAT JSON"), "SELECT 1 FORMAT JSON\nSETTINGS readonly = 2");
  EXPECT_EQ(rw("SELECT 1 SETTINGS max_threads = 1"),
            "SELECT 1 SETTINGS max_threads = 1\nSETTINGS readonly = 2");
  EXPECT_EQ(rw("SELECT 1 FORMAT JSON SETTINGS max_threads = 1"),
            "SELECT 1 FORMAT JSON SETTINGS max_threads = 1\n, readonly = 2");
  EXPECT_EQ(rw("SELECT format('{}', 1) SETTINGS a = 1"),
            "SELECT format('{}', 1) SETTINGS a = 1\nSETTINGS readonly = 2");
  EXPECT_EQ(rw("SELECT 1", {{"date_time_output_format", "iso"}, {"max_execution_time", "5"},
                            {"x", "it's"}}),
            "SELECT 1\nSETTINGS date_time_output_format = 'iso', max_execution_time = 5, "
            "x = 'it\\'s', readonly = 2");
  EXPECT_FALSE(gate.rewrite("DROP TABLE t", {}).isOk());
  // Found by the fuzzer: the appended SETTINGS is no engine name.
  EXPECT_EQ(rw("WITH engine="), "WITH engine=\nSETTINGS readonly = 2");
}

TEST(QueryGate, SettingNames) {
  EXPECT_TRUE(isClientSetting("date_time_output_format"));
  EXPECT_TRUE(isClientSetting("output_format_json_quote_64bit_integers"));
  EXPECT_TRUE(isClientSetting("max_execution_time"));
  EXPECT_FALSE(isClientSetting("readonly"));
  EXPECT_FALSE(isClientSetting("allow_ddl"));
  EXPECT_TRUE(isWideningSetting("readonly", "0"));
  EXPECT_FALSE(isWideningSetting("readonly", "2"));
  EXPECT_TRUE(isWideningSetting("ALLOW_DDL", "1"));
  EXPECT_TRUE(isWideningSetting("user_scripts_path", "/"));
  EXPECT_FALSE(isWideningSetting("max_execution_time", "5"));
}


TEST(QueryGate, WriterRunsDdlButNeverLeavesTheStore) {
  QueryGate gate;
  const auto w = QueryGate::Mode::kWriter;
  EXPECT_TRUE(gate.check("CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a", w).isOk());
  EXPECT_TRUE(gate.check("ALTER TABLE otel_logs DROP COLUMN TraceFlags", w).isOk());
  EXPECT_TRUE(gate.check("DROP TABLE t", w).isOk());
  EXPECT_EQ(gate.rewrite("DROP TABLE t", {{"max_threads", "1"}}, w).value(), "DROP TABLE t");
  EXPECT_EQ(parseExceptionCode(gate.check("SET readonly = 1", w).status().message()),
            ch_error::kAccessDenied);
  for (const char* sql :
       {"CREATE TABLE x (a String) ENGINE = MySQL('h:3306', 'd', 't', 'u', 'p')",
        "CREATE TABLE x (a String) ENGINE=Kafka SETTINGS kafka_broker_list = 'h'",
        "CREATE TABLE x (a String) ENGINE = Distributed(c, system, one)",
        "CREATE TABLE x (a String) engine = `File`(TSV, '/etc/passwd')",
        "CREATE DICTIONARY d (k UInt64, v String) PRIMARY KEY k "
        "SOURCE(HTTP(URL 'http://127.0.0.1:1/' FORMAT TSV)) LAYOUT(FLAT()) LIFETIME(0)"}) {
    EXPECT_EQ(parseExceptionCode(gate.check(sql, w).status().message()), ch_error::kAccessDenied)
        << sql;
  }
  EXPECT_TRUE(gate.check("CREATE TABLE x (a String) ENGINE = ReplacingMergeTree ORDER BY a", w)
                  .isOk());
  EXPECT_TRUE(gate.check("CREATE TABLE x (a String) ENGINE = Memory", w).isOk());
  EXPECT_EQ(parseExceptionCode(gate.check("USE system", w).status().message()),
            ch_error::kAccessDenied);
  EXPECT_EQ(parseExceptionCode(gate.check("set max_threads = 1", w).status().message()),
            ch_error::kAccessDenied);
  EXPECT_EQ(parseExceptionCode(
                gate.check("INSERT INTO FUNCTION file('/tmp/x', 'LineAsString') SELECT 'x'", w)
                    .status().message()),
            ch_error::kAccessDenied);
  EXPECT_EQ(parseExceptionCode(
                gate.check("CREATE TABLE x ENGINE = URL('http://127.0.0.1:1/', TSV) AS SELECT 1", w)
                    .status().message()),
            ch_error::kAccessDenied);
  EXPECT_EQ(parseExceptionCode(gate.check("SELECT 1; DROP TABLE t", w).status().message()),
            ch_error::kSyntaxError);
}

}  // namespace
}  // namespace otelhouse
