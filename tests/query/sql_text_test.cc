#include "query/sql_text.h"

#include <gtest/gtest.h>

#include "query/clickhouse_error.h"

namespace otelhouse {
namespace {

std::string subst(std::string_view sql, const QueryParams& params) {
  auto r = substituteQueryParameters(sql, params);
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r.isOk() ? r.value() : std::string();
}

TEST(SqlText, SubstitutesByType) {
  QueryParams p = {{"s", "a\\tb\\\\c"}, {"n", "42"},        {"arr", "['x','y\\'z']"},
                   {"nul", "\\N"},      {"id", "my`tbl"},   {"ts", "1700000000"},
                   {"lc", "v"},         {"fs", "abc"}};
  EXPECT_EQ(subst("SELECT {s:String}", p), "SELECT 'a\\tb\\\\c'");
  EXPECT_EQ(subst("SELECT { n : Int64 }", p), "SELECT CAST('42' AS Int64)");
  EXPECT_EQ(subst("SELECT {arr:Array(String)}", p),
            "SELECT CAST('[\\'x\\',\\'y\\\\\\'z\\']' AS Array(String))");
  EXPECT_EQ(subst("SELECT {nul:Nullable(String)}", p), "SELECT NULL");
  EXPECT_EQ(subst("SELECT {nul:String}", p), "SELECT '\\N'");
  EXPECT_EQ(subst("SELECT * FROM {id:Identifier}", p), "SELECT * FROM `my\\`tbl`");
  EXPECT_EQ(subst("WHERE t > {ts:DateTime64(3, 'UTC')}", p),
            "WHERE t > CAST('1700000000' AS DateTime64(3, 'UTC'))");
  EXPECT_EQ(subst("{lc:LowCardinality(String)}", p), "'v'");
  EXPECT_EQ(subst("{fs:FixedString(3)}", p), "'abc'");
}

TEST(SqlText, LeavesLiteralsCommentsAndNonPlaceholdersAlone) {
  QueryParams p = {{"x", "1"}};
  EXPECT_EQ(subst("SELECT '{x:UInt8}', \"{x:UInt8}\", `{x:UInt8}` -- {x:UInt8}\n", p),
            "SELECT '{x:UInt8}', \"{x:UInt8}\", `{x:UInt8}` -- {x:UInt8}\n");
  EXPECT_EQ(subst("SELECT /* {x:UInt8} */ {x:UInt8}", p), "SELECT /* {x:UInt8} */ CAST('1' AS UInt8)");
  EXPECT_EQ(subst("SELECT map('a', 1), {'k': 2}, 'it''s {x:UInt8}'", p),
            "SELECT map('a', 1), {'k': 2}, 'it''s {x:UInt8}'");
  EXPECT_EQ(subst("SELECT 'a\\'{x:UInt8}' , {x:UInt8}", p), "SELECT 'a\\'{x:UInt8}' , CAST('1' AS UInt8)");
}

TEST(SqlText, MissingParameterIsAClickHouseError) {
  auto r = substituteQueryParameters("SELECT {a:String}", {});
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(),
            "Code: 456. DB::Exception: Substitution `a` is not set. (UNKNOWN_QUERY_PARAMETER)");
  auto empty = substituteQueryParameters("SELECT * FROM {t:Identifier}", {{"t", ""}});
  ASSERT_FALSE(empty.isOk());
  EXPECT_EQ(parseExceptionCode(empty.status().message()), 457);
}

TEST(SqlText, FirstKeyword) {
  EXPECT_EQ(firstKeyword("  select 1"), "SELECT");
  EXPECT_EQ(firstKeyword("-- c\n/* x */ ((with x as (select 1) select * from x))"), "WITH");
  EXPECT_EQ(firstKeyword("insert into t values"), "INSERT");
  EXPECT_EQ(firstKeyword(""), "");
  EXPECT_EQ(firstKeyword("'lit'"), "");
}

TEST(SqlText, TrailingFormat) {
  EXPECT_EQ(trailingFormat("SELECT 1 FORMAT JSON"), "JSON");
  EXPECT_EQ(trailingFormat("SELECT 1 format JSONEachRow ;\n"), "JSONEachRow");
  EXPECT_EQ(trailingFormat("SELECT 1 FORMAT TSV SETTINGS max_threads=1"), "TSV");
  EXPECT_EQ(trailingFormat("SELECT format('{}', 'FORMAT JSON')"), "");
  EXPECT_EQ(trailingFormat("SELECT 1 AS format"), "");
  EXPECT_EQ(trailingFormat("SELECT 1 -- FORMAT JSON"), "");
  EXPECT_EQ(trailingFormat("INSERT INTO t FORMAT JSONEachRow {\"a\":1}"), "");
}

TEST(ClickHouseError, ParsesAndMapsCodes) {
  EXPECT_EQ(parseExceptionCode("Code: 60. DB::Exception: x"), 60);
  EXPECT_EQ(parseExceptionCode("  Code: 1002. y"), 1002);
  EXPECT_EQ(parseExceptionCode("DB::Exception: Code: 60."), -1);
  EXPECT_EQ(parseExceptionCode("Code: x"), -1);
  EXPECT_EQ(httpStatusForExceptionCode(62), 400);
  EXPECT_EQ(httpStatusForExceptionCode(60), 404);
  EXPECT_EQ(httpStatusForExceptionCode(81), 404);
  EXPECT_EQ(httpStatusForExceptionCode(194), 401);
  EXPECT_EQ(httpStatusForExceptionCode(516), 403);
  EXPECT_EQ(httpStatusForExceptionCode(229), 413);
  EXPECT_EQ(httpStatusForExceptionCode(48), 501);
  EXPECT_EQ(httpStatusForExceptionCode(439), 503);
  EXPECT_EQ(httpStatusForExceptionCode(1), 500);
  EXPECT_EQ(formatException(62, "SYNTAX_ERROR", "Empty query"),
            "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)");
  ExceptionText ex = exceptionFromStatus(Status::invalid("bad"));
  EXPECT_EQ(ex.code, 36);
  EXPECT_EQ(ex.text, "Code: 36. DB::Exception: bad. (BAD_ARGUMENTS)");
}

}  // namespace
}  // namespace otelhouse
