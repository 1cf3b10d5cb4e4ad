#include "export/exporter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace otelhouse {
namespace {

class FakeSink : public Sink {
 public:
  Status insert(std::string_view table, std::string_view native, std::string_view) override {
    std::lock_guard lock(mu);
    if (fail_next > 0) {
      --fail_next;
      return Status::unavailable("down");
    }
    inserts.push_back({std::string(table), std::string(native)});
    return Status::ok();
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view, std::string_view, QueryResult*) override { return Status::ok(); }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override {
    return std::vector<ColumnInfo>{};
  }
  size_t count() {
    std::lock_guard lock(mu);
    return inserts.size();
  }
  std::mutex mu;
  int fail_next = 0;
  std::vector<std::pair<std::string, std::string>> inserts;
};

ExporterOptions fast() {
  ExporterOptions o;
  o.batch_rows = 3;
  o.timeout = std::chrono::milliseconds(60000);
  o.initial_backoff = std::chrono::milliseconds(1);
  return o;
}

TEST(ExporterTest, FlushesAtBatchSizeAsOneConcatenatedInsert) {
  FakeSink sink;
  Exporter e(sink, fast());
  e.start();
  ASSERT_TRUE(e.append("t", "a", 1).isOk());
  ASSERT_TRUE(e.append("t", "b", 1).isOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink.count(), 0u);  // below batch size, before the timeout
  ASSERT_TRUE(e.append("t", "c", 1).isOk());
  for (int i = 0; i < 200 && sink.count() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(sink.count(), 1u);
  EXPECT_EQ(sink.inserts[0].first, "t");
  EXPECT_EQ(sink.inserts[0].second, "abc");
  e.stop();
  EXPECT_EQ(e.stats().rows_exported, 3u);
}

TEST(ExporterTest, FlushesAfterTimeoutAndPerTable) {
  FakeSink sink;
  ExporterOptions o = fast();
  o.timeout = std::chrono::milliseconds(30);
  Exporter e(sink, o);
  e.start();
  ASSERT_TRUE(e.append("x", "1", 1).isOk());
  ASSERT_TRUE(e.append("y", "2", 1).isOk());
  for (int i = 0; i < 400 && sink.count() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(sink.count(), 2u);
  e.stop();
}

TEST(ExporterTest, StopFlushesEverythingAndRetries) {
  FakeSink sink;
  sink.fail_next = 2;
  Exporter e(sink, fast());
  e.start();
  ASSERT_TRUE(e.append("t", "z", 1).isOk());
  e.stop();
  ASSERT_EQ(sink.count(), 1u);
  EXPECT_EQ(sink.inserts[0].second, "z");
  EXPECT_FALSE(e.append("t", "late", 1).isOk());
}

TEST(ExporterTest, RefusesWhenQueueIsFull) {
  FakeSink sink;
  ExporterOptions o = fast();
  o.batch_rows = 1000;
  o.max_pending_bytes = 10;
  Exporter e(sink, o);
  e.start();
  ASSERT_TRUE(e.append("t", "12345", 1).isOk());
  Status st = e.append("t", "123456", 1);
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  e.flush();
  EXPECT_EQ(sink.count(), 1u);
  EXPECT_TRUE(e.append("t", "123456", 1).isOk());
  e.stop();
}

TEST(ExporterTest, ConcurrentAppendsAllArrive) {
  FakeSink sink;
  ExporterOptions o = fast();
  o.batch_rows = 50;
  Exporter e(sink, o);
  e.start();
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 500; ++i) ASSERT_TRUE(e.append("t", "x", 1).isOk());
    });
  for (auto& t : ts) t.join();
  e.stop();
  size_t bytes = 0;
  for (auto& [table, data] : sink.inserts) bytes += data.size();
  EXPECT_EQ(bytes, 2000u);
  EXPECT_EQ(e.stats().rows_exported, 2000u);
}

}  // namespace
}  // namespace otelhouse
