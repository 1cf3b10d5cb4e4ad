#include "query/insert_statement.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

TEST(InsertStatement, ReadsTableColumnsFormatAndSettings) {
  InsertStatement st;
  ASSERT_TRUE(parseInsertStatement(
      "/* sink */ insert INTO TABLE `my db`.\"t\"\"x\" (a, `b c`) SETTINGS "
      "insert_deduplication_token = 'tok\\'1', async_insert=1 FORMAT Native SETTINGS x = -2.5;",
      &st));
  EXPECT_EQ(st.database, "my db");
  EXPECT_EQ(st.table, "t\"x");
  EXPECT_EQ(st.columns, (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(st.format, "Native");
  ASSERT_EQ(st.settings.size(), 3u);
  EXPECT_EQ(st.settings[0], (std::pair<std::string, std::string>{"insert_deduplication_token", "tok'1"}));
  EXPECT_EQ(st.settings[1], (std::pair<std::string, std::string>{"async_insert", "1"}));
  EXPECT_EQ(st.settings[2], (std::pair<std::string, std::string>{"x", "-2.5"}));

  ASSERT_TRUE(parseInsertStatement("INSERT INTO otel_logs FORMAT Native\n", &st));
  EXPECT_EQ(st.database, "");
  EXPECT_EQ(st.table, "otel_logs");
  EXPECT_TRUE(st.columns.empty());
  EXPECT_TRUE(st.settings.empty());
  ASSERT_TRUE(parseInsertStatement("INSERT INTO t -- no format\n", &st));
  EXPECT_EQ(st.format, "");
}

TEST(InsertStatement, LeavesWhatItDoesNotKnow) {
  InsertStatement st;
  for (const char* sql : {
           "INSERT INTO t VALUES (1)",
           "INSERT INTO t SELECT 1",
           "INSERT INTO FUNCTION file('x') FORMAT Native",
           "INSERT INTO t FORMAT Native extra",
           "INSERT INTO t (a FORMAT Native",
           "INSERT INTO t SETTINGS a = FORMAT Native",
           "INSERT INTO `t FORMAT Native",
           "INSERTINTO t FORMAT Native",
           "SELECT 1",
           "",
       }) {
    EXPECT_FALSE(parseInsertStatement(sql, &st)) << sql;
  }
}

}  // namespace
}  // namespace otelhouse
