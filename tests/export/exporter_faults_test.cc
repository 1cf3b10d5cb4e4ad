// The exporter under store faults that pass: it retries instead of giving up,
// resumes by itself, and never loses or duplicates an acked record.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "export/exporter.h"

namespace otelhouse {
namespace {

namespace fs = std::filesystem;

// Answers what the test scripts: a fixed outcome while `failing` is set, and
// stores (remembers) the batch otherwise.
class ScriptedSink : public Sink {
 public:
  InsertOutcome insert(std::string_view, std::string_view native, std::string_view token) override {
    std::lock_guard lock(mu);
    ++attempts;
    if (failing) return failure;
    stored.push_back(std::string(native));
    tokens.push_back(std::string(token));
    return InsertOutcome::ok();
  }
  Status execute(std::string_view) override { return Status::ok(); }
  Status query(std::string_view, std::string_view, QueryResult*) override { return Status::ok(); }
  Result<std::vector<ColumnInfo>> describe(std::string_view) override { return std::vector<ColumnInfo>{}; }

  void fail(InsertOutcome with) {
    std::lock_guard lock(mu);
    failure = std::move(with);
    failing = true;
  }
  void recover() {
    std::lock_guard lock(mu);
    failing = false;
  }
  int attemptCount() {
    std::lock_guard lock(mu);
    return attempts;
  }
  std::string all() {
    std::lock_guard lock(mu);
    std::string s;
    for (auto& b : stored) s += b;
    return s;
  }

  std::mutex mu;
  bool failing = false;
  InsertOutcome failure;
  int attempts = 0;
  std::vector<std::string> stored;
  std::vector<std::string> tokens;
};

InsertOutcome notEnoughSpace() {
  return InsertOutcome::fromEngineCode(
      Status::invalid("Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)"),
      243);
}

class ExporterFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/otelhouse-expf-XXXXXX";
    dir_ = mkdtemp(tmpl);
    openWal();
    opts_.batch_rows = 10;
    opts_.timeout = std::chrono::milliseconds(20);
    opts_.initial_backoff = std::chrono::milliseconds(1);
    opts_.max_backoff = std::chrono::milliseconds(20);  // capped: resumes soon after the store does
    opts_.shutdown_grace = std::chrono::milliseconds(200);
    opts_.dead_letter_dir = dir_ + "/dead-letters";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void openWal() {
    wal_.reset();
    recovery_ = {};
    WalOptions o;
    o.dir = dir_ + "/wal";
    auto w = Wal::open(o, &recovery_);
    ASSERT_TRUE(w.isOk()) << w.status().message();
    wal_ = std::move(w.value());
  }
  template <class F>
  bool waitFor(F pred, int ms = 5000) {
    for (int i = 0; i < ms / 5; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }
  size_t deadLetterFiles() {
    if (!fs::is_directory(opts_.dead_letter_dir)) return 0;
    size_t n = 0;
    for (auto& f : fs::directory_iterator(opts_.dead_letter_dir)) n += f.is_regular_file();
    return n;
  }
  std::string dir_;
  std::unique_ptr<Wal> wal_;
  WalRecovery recovery_;
  ExporterOptions opts_;
  ScriptedSink sink_;
};

// Records are single characters, unique per append: what is stored, in any
// order, must be each of them exactly once.
void expectEachOnce(const std::string& stored, const std::string& sent) {
  std::map<char, int> seen;
  for (char c : stored) seen[c]++;
  for (char c : sent) EXPECT_EQ(seen[c], 1) << "record '" << c << "'";
  EXPECT_EQ(stored.size(), sent.size());
}

TEST_F(ExporterFaultsTest, NotEnoughSpaceForAWhileThenEverythingArrivesOnce) {
  sink_.fail(notEnoughSpace());
  Exporter e(sink_, *wal_, opts_);
  e.start();
  std::string sent;
  std::mutex sent_mu;
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string rec(1, static_cast<char>('A' + t * 20 + i));
        ASSERT_TRUE(e.append({{"t", rec, 1}}).isOk());
        std::lock_guard lock(sent_mu);
        sent += rec;
      }
    });
  for (auto& c : clients) c.join();
  // The store stays full for a while: the exporter keeps trying, with backoff.
  ASSERT_TRUE(waitFor([&] { return e.stats().retries.load() >= 5; }));
  EXPECT_EQ(e.stats().last_retry_engine_code.load(), 243);
  EXPECT_EQ(sink_.all(), "");
  sink_.recover();  // space is back: no restart, no flush call needed
  ASSERT_TRUE(waitFor([&] { return e.stats().rows_exported.load() == 60; })) << e.stats().rows_exported.load();
  expectEachOnce(sink_.all(), sent);
  EXPECT_EQ(e.stats().batches_dead_lettered.load(), 0u);
  EXPECT_EQ(deadLetterFiles(), 0u);
  // Appends after the outage are exported too (the export thread is alive).
  ASSERT_TRUE(e.append({{"t", "#", 1}}).isOk());
  e.flush();
  expectEachOnce(sink_.all(), sent + "#");
  e.stop();
  openWal();
  EXPECT_TRUE(recovery_.batches.empty());
  EXPECT_TRUE(recovery_.unbatched.empty());
}

TEST_F(ExporterFaultsTest, BackoffIsCapped) {
  opts_.initial_backoff = std::chrono::milliseconds(5);
  opts_.max_backoff = std::chrono::milliseconds(10);
  sink_.fail(InsertOutcome::retryLater(Status::unavailable("server down")));
  Exporter e(sink_, *wal_, opts_);
  e.start();
  ASSERT_TRUE(e.append({{"t", "a", 1}}).isOk());
  // Uncapped doubling from 5 ms would make ~8 attempts in 1.3 s; capped at
  // 10 ms it makes dozens.
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_GT(sink_.attemptCount(), 30);
  sink_.recover();
  e.flush();
  EXPECT_EQ(sink_.all(), "a");
  e.stop();
}

TEST_F(ExporterFaultsTest, UnwritableDeadLetterKeepsTheBatchAndRetriesLater) {
  // A file where the dead-letter folder should be: mkdir and open fail.
  std::ofstream(opts_.dead_letter_dir) << "in the way";
  sink_.fail(InsertOutcome::rejected(Status::invalid("Code: 27. DB::Exception: Cannot parse input"), 27));
  Exporter e(sink_, *wal_, opts_);
  e.start();
  ASSERT_TRUE(e.append({{"t", "bad", 1}}).isOk());
  ASSERT_TRUE(waitFor([&] { return e.stats().dead_letter_write_failures.load() >= 3; }));
  EXPECT_EQ(e.stats().batches_dead_lettered.load(), 0u);
  EXPECT_EQ(e.backlogRows(), 0u);  // taken as a batch, not done
  // The folder becomes writable: the next attempt writes the dead letter.
  fs::remove(opts_.dead_letter_dir);
  ASSERT_TRUE(waitFor([&] { return e.stats().batches_dead_lettered.load() == 1; }));
  EXPECT_EQ(e.stats().rows_dead_lettered.load(), 1u);
  EXPECT_EQ(deadLetterFiles(), 2u);  // .native and .error
  std::string native;
  for (auto& f : fs::directory_iterator(opts_.dead_letter_dir))
    if (f.path().extension() == ".native") {
      std::ifstream in(f.path());
      native.assign(std::istreambuf_iterator<char>(in), {});
    }
  EXPECT_EQ(native, "bad");
  e.stop();
  openWal();
  EXPECT_TRUE(recovery_.batches.empty());
}

TEST_F(ExporterFaultsTest, UnwritableDeadLetterSurvivesARestartInTheWal) {
  std::ofstream(opts_.dead_letter_dir) << "in the way";
  sink_.fail(InsertOutcome::rejected(Status::invalid("Code: 53. DB::Exception: Type mismatch"), 53));
  {
    Exporter e(sink_, *wal_, opts_);
    e.start();
    ASSERT_TRUE(e.append({{"t", "bad", 1}}).isOk());
    ASSERT_TRUE(waitFor([&] { return e.stats().dead_letter_write_failures.load() >= 1; }));
    e.stop();
  }
  openWal();
  ASSERT_EQ(recovery_.batches.size(), 1u);  // intended, not done: still owed
  fs::remove(opts_.dead_letter_dir);
  sink_.recover();  // say the table was fixed meanwhile: the re-send is stored
  Exporter e(sink_, *wal_, opts_);
  e.start(std::move(recovery_));
  e.flush();
  EXPECT_EQ(sink_.all(), "bad");
  EXPECT_EQ(deadLetterFiles(), 0u);
  e.stop();
}

TEST_F(ExporterFaultsTest, RejectedBatchDoesNotHoldBackTheOthers) {
  opts_.batch_rows = 1;
  Exporter e(sink_, *wal_, opts_);
  e.start();
  sink_.fail(InsertOutcome::rejected(Status::invalid("Code: 27. bad"), 27));
  ASSERT_TRUE(e.append({{"t", "x", 1}}).isOk());
  ASSERT_TRUE(waitFor([&] { return e.stats().batches_dead_lettered.load() == 1; }));
  sink_.recover();
  ASSERT_TRUE(e.append({{"t", "y", 1}}).isOk());
  e.flush();
  EXPECT_EQ(sink_.all(), "y");
  EXPECT_EQ(e.stats().retries.load(), 0u);
  e.stop();
}

}  // namespace
}  // namespace otelhouse
