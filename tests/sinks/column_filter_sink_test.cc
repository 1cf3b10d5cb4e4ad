#include "sinks/column_filter_sink.h"

#include <gtest/gtest.h>

#include "clickhouse/native_block.h"
#include "rows/columns.h"
#include "rows/native_writer.h"

namespace otelhouse {
namespace {

// Records what reaches the server and answers DESCRIBE with a fixed table.
class FakeServer final : public Sink {
 public:
  std::vector<ColumnInfo> table;
  std::string received;
  std::string token;
  int describes = 0;
  Status next_insert;
  InsertOutcome insert(std::string_view, std::string_view native, std::string_view t) override {
    received.assign(native);
    token.assign(t);
    return InsertOutcome::fromStatus(next_insert);
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view, std::string_view, QueryResult*) override { return Status::ok(); }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    ++describes;
    return table;
  }
};

// Two blocks with columns Body, EventName, Extra.
std::string stream() {
  std::string out;
  for (int b = 0; b < 2; ++b) {
    NativeWriter w(out);
    StringColumn body, event, extra;
    for (int i = 0; i < 3; ++i) {
      body.append("body" + std::to_string(b * 3 + i));
      event.append("ev");
      extra.append("x");
    }
    w.beginBlock(3, 3);
    w.column("Body", "String", body);
    w.column("EventName", "String", event);
    w.column("Extra", "String", extra);
  }
  return out;
}

TEST(ColumnFilterSinkTest, DropsColumnsTheTableLacksFromEveryBlock) {
  auto owned = std::make_unique<FakeServer>();
  FakeServer& server = *owned;
  server.table = {{"Body", "String", ""}, {"Extra", "String", "MATERIALIZED"}, {"Other", "UInt8", ""}};
  ColumnFilterSink sink(std::move(owned));
  ASSERT_TRUE(sink.insert("otel_logs", stream(), "tok").isOk());
  EXPECT_EQ(server.token, "tok");
  std::vector<clickhouse::NativeBlock> blocks;
  ASSERT_TRUE(clickhouse::splitNativeStream(server.received, &blocks).isOk());
  ASSERT_EQ(blocks.size(), 2u);
  for (size_t b = 0; b < 2; ++b) {
    ASSERT_EQ(blocks[b].columns.size(), 1u);
    EXPECT_EQ(blocks[b].columns[0].name, "Body");
    std::vector<std::string> values;
    ASSERT_TRUE(clickhouse::decodeStrings(blocks[b].columns[0], blocks[b].rows, &values).isOk());
    EXPECT_EQ(values[0], "body" + std::to_string(b * 3));
  }
  // The table's columns are cached.
  ASSERT_TRUE(sink.insert("otel_logs", stream(), "tok2").isOk());
  EXPECT_EQ(server.describes, 1);
}

TEST(ColumnFilterSinkTest, PassesTheBytesThroughWhenEveryColumnExists) {
  auto owned = std::make_unique<FakeServer>();
  FakeServer& server = *owned;
  server.table = {{"Body", "String", ""}, {"EventName", "String", ""}, {"Extra", "String", "DEFAULT"}};
  ColumnFilterSink sink(std::move(owned));
  const std::string in = stream();
  ASSERT_TRUE(sink.insert("t", in, "").isOk());
  EXPECT_EQ(server.received, in);
}

TEST(ColumnFilterSinkTest, AFailedInsertReadsTheTableAgain) {
  auto owned = std::make_unique<FakeServer>();
  FakeServer& server = *owned;
  server.table = {{"Body", "String", ""}};
  ColumnFilterSink sink(std::move(owned));
  server.next_insert = Status::invalid("Code: 16. DB::Exception: No such column");
  EXPECT_FALSE(sink.insert("t", stream(), "").isOk());
  server.next_insert = Status::ok();
  EXPECT_TRUE(sink.insert("t", stream(), "").isOk());
  EXPECT_EQ(server.describes, 2);
}

TEST(ColumnFilterSinkTest, DescribeFailureIsTheInsertsFailure) {
  class Down final : public Sink {
   public:
    InsertOutcome insert(std::string_view, std::string_view, std::string_view) override { return InsertOutcome::fromStatus(Status::ok()); }
    Status execute(std::string_view) override { return Status::ok(); }
    Status query(std::string_view, std::string_view, QueryResult*) override { return Status::ok(); }
    Result<std::vector<ColumnInfo>> describe(std::string_view) override { return Status::unavailable("refused"); }
  };
  ColumnFilterSink sink(std::make_unique<Down>());
  EXPECT_EQ(sink.insert("t", stream(), "").code(), Code::kUnavailable);
}

TEST(ColumnFilterSinkTest, GarbageIsADeadLetterNotACrash) {
  auto owned = std::make_unique<FakeServer>();
  FakeServer& server = *owned;
  server.table = {{"Body", "String", ""}};
  ColumnFilterSink sink(std::move(owned));
  EXPECT_EQ(sink.insert("t", std::string("\x05\x02garbage", 9), "").code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace otelhouse
