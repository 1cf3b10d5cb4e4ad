#include "rows/logs_rows.h"

#include <gtest/gtest.h>

#include "rows/native_writer.h"

namespace otelhouse {
namespace {

std::string hex(const std::string& s) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(k[c >> 4]);
    out.push_back(k[c & 15]);
  }
  return out;
}

TEST(ColumnsTest, StringColumnStoresNativeSerialization) {
  StringColumn c;
  c.append("ab");
  c.append("");
  c.append(std::string(200, 'x'));
  EXPECT_EQ(c.rows(), 3u);
  // 200 needs a two-byte varint: 0xc8 0x01.
  EXPECT_EQ(hex(c.serialized().substr(0, 6)), "0261620" "0c801");
  EXPECT_EQ(c.serialized().size(), 3u + 1 + 2 + 200);
}

TEST(ColumnsTest, MapColumnWritesCumulativeOffsets) {
  MapColumn m;
  m.addEntry("a", "1");
  m.addEntry("b", "2");
  m.endRow();
  m.endRow();  // an empty map
  StringColumn keys, values;
  keys.append("c");
  values.append("3");
  m.appendRow(keys.serialized(), values.serialized(), 1);
  ASSERT_EQ(m.rows(), 3u);
  EXPECT_EQ(m.offsets().values(), (std::vector<uint64_t>{2, 2, 3}));
  EXPECT_EQ(m.keys().serialized(), std::string("\x01" "a\x01" "b\x01" "c", 6));
}

TEST(NativeWriterTest, BlockLayoutMatchesClickHouse) {
  // The bytes ClickHouse 26.7 writes for
  // SELECT 'ab' AS s, toUInt8(3) AS u FORMAT Native
  std::string out;
  NativeWriter w(out);
  StringColumn s;
  s.append("ab");
  FixedColumn<uint8_t> u;
  u.append(3);
  w.beginBlock(2, 1);
  w.column("s", "String", s);
  w.column("u", "UInt8", u);
  EXPECT_EQ(hex(out), "0201" "0173" "06537472696e67" "026162" "0175" "0555496e7438" "03");
}

void appendRow(LogsRows& r, int64_t ts) {
  r.timestamp.append(ts);
  r.trace_id.append("");
  r.span_id.append("");
  r.trace_flags.append(1);
  r.severity_text.append("INFO");
  r.severity_number.append(9);
  r.service_name.append("svc");
  r.body.append("hello");
  r.resource_schema_url.append("");
  r.resource_attributes.addEntry("service.name", "svc");
  r.resource_attributes.endRow();
  r.scope_schema_url.append("");
  r.scope_name.append("scope");
  r.scope_version.append("1");
  r.scope_attributes.endRow();
  r.log_attributes.endRow();
  r.event_name.append("");
}

TEST(LogsRowsTest, EncodesOnlyMaskedColumns) {
  LogsRows r;
  appendRow(r, 7);
  appendRow(r, 8);
  ASSERT_TRUE(r.consistent());
  std::string all, some;
  r.encodeNative(all, kLogsAllColumns);
  r.encodeNative(some, kLogsTimestamp | kLogsBody);
  EXPECT_EQ(static_cast<unsigned char>(all[0]), 16);
  EXPECT_EQ(static_cast<unsigned char>(all[1]), 2);
  std::string expected = std::string("\x02\x02", 2) + "\x09Timestamp\x0d" "DateTime64(9)" +
                         std::string("\x07\0\0\0\0\0\0\0\x08\0\0\0\0\0\0\0", 16) +
                         "\x04" "Body\x06String\x05hello\x05hello";
  EXPECT_EQ(some, expected);
  EXPECT_NE(all.find("EventName"), std::string::npos);
  std::string clickstack;
  r.encodeNative(clickstack);
  EXPECT_EQ(clickstack.find("EventName"), std::string::npos);
  r.clear();
  std::string none;
  r.encodeNative(none);
  EXPECT_TRUE(none.empty());
}

TEST(LogsRowsTest, ColumnBitsByName) {
  EXPECT_EQ(logsColumnBit("EventName"), kLogsEventName);
  EXPECT_EQ(logsColumnBit("LogAttributes"), kLogsLogAttributes);
  EXPECT_EQ(logsColumnBit("TimestampTime"), 0u);
}

}  // namespace
}  // namespace otelhouse
