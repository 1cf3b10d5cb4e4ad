#include "export/exporter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <thread>

namespace otelhouse {
namespace {

namespace fs = std::filesystem;

class FakeSink : public Sink {
 public:
  InsertOutcome insert(std::string_view table, std::string_view native, std::string_view token) override {
    std::lock_guard lock(mu);
    if (fail_next > 0) {
      --fail_next;
      return fail_with;
    }
    inserts.push_back({std::string(table), std::string(native), std::string(token)});
    return InsertOutcome::ok();
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
  struct Insert {
    std::string table, native, token;
  };
  std::mutex mu;
  int fail_next = 0;
  InsertOutcome fail_with = InsertOutcome::retryLater(Status::unavailable("down"));
  std::vector<Insert> inserts;
};

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/otelhouse-exp-XXXXXX";
    dir_ = mkdtemp(tmpl);
    openWal();
    opts_.batch_rows = 3;
    opts_.timeout = std::chrono::milliseconds(60000);
    opts_.initial_backoff = std::chrono::milliseconds(1);
    opts_.shutdown_grace = std::chrono::milliseconds(200);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void openWal() {
    wal_.reset();
    WalOptions o;
    o.dir = dir_ + "/wal";
    auto w = Wal::open(o, &recovery_);
    ASSERT_TRUE(w.isOk()) << w.status().message();
    wal_ = std::move(w.value());
  }
  template <class F>
  bool waitFor(F pred) {
    for (int i = 0; i < 400; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }
  std::string dir_;
  std::unique_ptr<Wal> wal_;
  WalRecovery recovery_;
  ExporterOptions opts_;
  FakeSink sink_;
};

TEST_F(ExporterTest, FlushesAtBatchSizeAsOneConcatenatedInsertWithToken) {
  Exporter e(sink_, *wal_, opts_);
  e.start();
  ASSERT_TRUE(e.append({{"t", "a", 1}}).isOk());
  ASSERT_TRUE(e.append({{"t", "b", 1}}).isOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink_.count(), 0u);  // below batch size, before the timeout
  ASSERT_TRUE(e.append({{"t", "c", 1}}).isOk());
  ASSERT_TRUE(waitFor([&] { return sink_.count() == 1; }));
  EXPECT_EQ(sink_.inserts[0].table, "t");
  EXPECT_EQ(sink_.inserts[0].native, "abc");
  EXPECT_EQ(sink_.inserts[0].token.rfind("otelhouse-" + wal_->id() + "-", 0), 0u);
  e.stop();
  EXPECT_EQ(e.stats().rows_exported.load(), 3u);
}

TEST_F(ExporterTest, FlushesAfterTimeoutAndPerTable) {
  opts_.timeout = std::chrono::milliseconds(30);
  Exporter e(sink_, *wal_, opts_);
  e.start();
  ASSERT_TRUE(e.append({{"x", "1", 1}, {"y", "2", 1}}).isOk());
  ASSERT_TRUE(waitFor([&] { return sink_.count() == 2; }));
  e.stop();
}

TEST_F(ExporterTest, RetriesTransientErrorsWithTheSameToken) {
  sink_.fail_next = 2;
  Exporter e(sink_, *wal_, opts_);
  e.start();
  ASSERT_TRUE(e.append({{"t", "z", 1}}).isOk());
  e.flush();
  ASSERT_EQ(sink_.count(), 1u);
  EXPECT_EQ(sink_.inserts[0].native, "z");
  EXPECT_EQ(e.stats().retries.load(), 2u);
  e.stop();
  EXPECT_FALSE(e.append({{"t", "late", 1}}).isOk());
}

TEST_F(ExporterTest, DataErrorsGoToDeadLetters) {
  sink_.fail_next = 1;
  sink_.fail_with = InsertOutcome::rejected(Status::invalid("Code: 27. DB::Exception: Cannot parse input"), 27);
  Exporter e(sink_, *wal_, opts_);
  e.start();
  ASSERT_TRUE(e.append({{"t", "bad", 1}}).isOk());
  e.flush();
  ASSERT_TRUE(e.append({{"t", "good", 1}}).isOk());
  e.flush();
  ASSERT_EQ(sink_.count(), 1u);
  EXPECT_EQ(sink_.inserts[0].native, "good");
  EXPECT_EQ(e.stats().batches_dead_lettered.load(), 1u);
  int natives = 0, errors = 0;
  for (auto& f : fs::directory_iterator(dir_ + "/dead-letters")) {
    if (f.path().extension() == ".native") ++natives;
    if (f.path().extension() == ".error") ++errors;
  }
  EXPECT_EQ(natives, 1);
  EXPECT_EQ(errors, 1);
  e.stop();
}

TEST_F(ExporterTest, StopWithAFailingSinkLeavesTheBatchForTheNextStart) {
  sink_.fail_next = 1000000;
  std::string token;
  {
    Exporter e(sink_, *wal_, opts_);
    e.start();
    ASSERT_TRUE(e.append({{"t", "kept", 1}}).isOk());
    e.stop();  // gives up after the grace period
    EXPECT_EQ(sink_.count(), 0u);
  }
  sink_.fail_next = 0;
  openWal();
  ASSERT_EQ(recovery_.batches.size(), 1u);  // the intent was durable
  token = walBatchToken(wal_->id(), recovery_.batches[0]);
  Exporter e(sink_, *wal_, opts_);
  e.start(std::move(recovery_));
  e.flush();
  ASSERT_EQ(sink_.count(), 1u);
  EXPECT_EQ(sink_.inserts[0].native, "kept");
  EXPECT_EQ(sink_.inserts[0].token, token);  // same batch, same token
  e.stop();
}

TEST_F(ExporterTest, UnbatchedRecordsAreExportedAfterRestart) {
  {
    Exporter e(sink_, *wal_, opts_);
    e.start();
    ASSERT_TRUE(e.append({{"t", "p", 1}}).isOk());
    // Simulate a crash: no stop(), no flush; the records are only in the WAL.
  }
  // (The destructor's stop() flushed; start over from a clean sink to check
  // the restart path with a WAL that still holds unexported records.)
  sink_.inserts.clear();
  fs::remove_all(dir_ + "/wal");
  openWal();
  std::vector<WalDataRef> refs;
  ASSERT_TRUE(wal_->append({{"t", "q", 1}, {"u", "r", 1}}, &refs).isOk());
  openWal();
  ASSERT_EQ(recovery_.unbatched.size(), 2u);
  Exporter e(sink_, *wal_, opts_);
  e.start(std::move(recovery_));
  ASSERT_TRUE(waitFor([&] { return sink_.count() == 2; }));
  e.stop();
  openWal();
  EXPECT_TRUE(recovery_.unbatched.empty());
  EXPECT_TRUE(recovery_.batches.empty());
}

TEST_F(ExporterTest, ConcurrentAppendsAllArriveOnce) {
  opts_.batch_rows = 50;
  Exporter e(sink_, *wal_, opts_);
  e.start();
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 250; ++i) ASSERT_TRUE(e.append({{"t", "x", 1}}).isOk());
    });
  for (auto& t : ts) t.join();
  e.stop();
  size_t bytes = 0;
  for (auto& i : sink_.inserts) bytes += i.native.size();
  EXPECT_EQ(bytes, 1000u);
  EXPECT_EQ(e.stats().rows_exported.load(), 1000u);
}

}  // namespace
}  // namespace otelhouse
