// The WAL under file-system faults and crashes, through FaultyWalIo: for
// every write and every fdatasync of a small log, a fault there must leave
// exactly the acknowledged records in the log (after a clean reopen and after
// a crash that loses what was not synced), each once, and the next append
// after the fault clears must succeed without a restart.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "faulty_wal_io.h"
#include "wal/wal.h"

namespace otelhouse {
namespace {

namespace fs = std::filesystem;

struct Fault {
  const char* name;
  bool at_fsync;
  FaultyWalIo::WriteFault write;
  int fsync_errno;
  int count;  // writes that fail from the n-th on (-1: until cleared)
};

const Fault kFaults[] = {
    {"enospc-write", false, FaultyWalIo::WriteFault::kEnospc, 0, 1},
    {"enospc-write-stays", false, FaultyWalIo::WriteFault::kEnospc, 0, -1},
    {"eio-write", false, FaultyWalIo::WriteFault::kEio, 0, 1},
    {"short-write", false, FaultyWalIo::WriteFault::kShortWrite, 0, 1},
    {"eio-fsync", true, FaultyWalIo::WriteFault::kEio, EIO, 1},
    {"enospc-fsync", true, FaultyWalIo::WriteFault::kEio, ENOSPC, 1},
};

class WalFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/otelhouse-walfault-XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(root_); }

  WalOptions options(const std::string& name, WalIo* io, bool fsync = true) {
    WalOptions o;
    o.dir = root_ + "/" + name + "/wal";
    o.io = io;
    o.fsync = fsync;
    o.segment_bytes = 200;  // two records a segment: faults meet rotation too
    return o;
  }

  // Every data record's payload the recovered log still owes, with how
  // often it appears.
  static std::map<std::string, int> contents(Wal& wal, const WalRecovery& rec) {
    std::map<std::string, int> out;
    auto add = [&](const WalDataRef& r) {
      std::string block;
      EXPECT_TRUE(wal.read(r, block).isOk());
      out[block]++;
    };
    for (auto& r : rec.unbatched) add(r);
    for (auto& b : rec.batches)
      for (auto& r : b.records) add(r);
    return out;
  }

  std::string root_;
};

// The script a table row runs: appends, one batch made and completed, more
// appends; what was acknowledged and what was completed.
struct Outcome {
  std::set<std::string> acked;
  std::set<std::string> completed;
  std::vector<Status> refusals;
};

Outcome runScript(Wal& wal) {
  Outcome o;
  std::vector<WalDataRef> batchable;
  auto append = [&](const std::string& block) {
    std::vector<WalDataRef> refs;
    Status st = wal.append({{"otel_logs", block, 1}}, &refs);
    if (st.isOk()) {
      o.acked.insert(block);
      batchable.push_back(refs[0]);
    } else {
      o.refusals.push_back(st);
    }
  };
  for (int i = 0; i < 6; ++i) append("record-" + std::to_string(i) + std::string(40, 'x'));
  if (batchable.size() >= 2) {
    batchable.resize(2);
    std::vector<std::string> blocks;  // read now: completing deletes their segments
    for (auto& r : batchable) {
      blocks.emplace_back();
      EXPECT_TRUE(wal.read(r, blocks.back()).isOk());
    }
    auto intent = wal.appendIntent("otel_logs", batchable);
    if (intent.isOk()) {
      WalBatch b{intent.value(), "otel_logs", batchable};
      Status st = wal.complete(b);
      if (st.isOk()) {
        o.completed.insert(blocks.begin(), blocks.end());
      } else {
        o.refusals.push_back(st);
      }
    } else {
      o.refusals.push_back(intent.status());
    }
  }
  for (int i = 6; i < 9; ++i) append("record-" + std::to_string(i) + std::string(40, 'x'));
  return o;
}

// How many writes and fdatasyncs the script makes when nothing fails.
std::pair<int, int> cleanCounts(const WalOptions& base) {
  FaultyWalIo io;
  WalOptions o = base;
  o.io = &io;
  auto wal = Wal::open(o, nullptr);
  EXPECT_TRUE(wal.isOk());
  const int w0 = io.writes(), s0 = io.fsyncs();
  runScript(*wal.value());
  return {io.writes() - w0, io.fsyncs() - s0};
}

TEST_F(WalFaultTest, EveryWriteAndSyncFaultLeavesExactlyTheAckedRecords) {
  const auto [writes, syncs] = cleanCounts(options("clean", nullptr));
  ASSERT_GT(writes, 10);
  ASSERT_GT(syncs, 10);
  for (bool crash : {false, true}) {
    for (const Fault& f : kFaults) {
      const int last = f.at_fsync ? syncs : writes;
      for (int n = 1; n <= last; ++n) {
        const std::string name = std::string(f.name) + "-" + std::to_string(n) + (crash ? "-crash" : "");
        SCOPED_TRACE(name);
        FaultyWalIo io;
        const WalOptions o = options(name, &io);
        Outcome out;
        std::string after = "after-the-fault";
        {
          auto opened = Wal::open(o, nullptr);
          ASSERT_TRUE(opened.isOk()) << opened.status().message();
          Wal& wal = *opened.value();
          if (f.at_fsync) io.failFsync(io.fsyncs() + n, f.fsync_errno);
          else io.failWrites(io.writes() + n, f.write, f.count);
          out = runScript(wal);
          ASSERT_FALSE(out.refusals.empty()) << "the fault was never hit";
          for (const Status& st : out.refusals) {
            EXPECT_EQ(st.code(), Code::kUnavailable) << st.message();
            const bool full = f.at_fsync ? f.fsync_errno == ENOSPC : f.write != FaultyWalIo::WriteFault::kEio;
            EXPECT_NE(st.message().find(full ? "disk full" : "I/O error"), std::string::npos)
                << st.message();
          }
          const WalStats& s = wal.stats();
          EXPECT_EQ(f.at_fsync ? s.fsync_errors.load() : s.write_errors.load(),
                    static_cast<uint64_t>(f.count < 0 ? out.refusals.size() : 1));
          EXPECT_EQ(s.refused_io.load(), out.refusals.size());
          EXPECT_EQ(s.truncations.load(), s.write_errors.load() + s.fsync_errors.load());
          // The disk is good again: the same WAL takes appends, no restart.
          io.clearFaults();
          std::vector<WalDataRef> refs;
          ASSERT_TRUE(wal.append({{"otel_logs", after, 1}}, &refs).isOk());
          out.acked.insert(after);
        }
        if (crash) io.crash();
        WalRecovery rec;
        WalOptions reopen = o;
        reopen.io = nullptr;
        auto wal = Wal::open(reopen, &rec);
        ASSERT_TRUE(wal.isOk()) << wal.status().message();
        std::map<std::string, int> expected;
        for (auto& a : out.acked)
          if (!out.completed.count(a)) expected[a] = 1;
        EXPECT_EQ(contents(*wal.value(), rec), expected);
        EXPECT_EQ(rec.bytes_cut, 0u) << "a commit left a torn record behind";
        EXPECT_TRUE(rec.quarantined.empty()) << "a commit left an unreadable record behind";
      }
    }
  }
}

TEST_F(WalFaultTest, FailedCutBackRefusesAppendsUntilItSucceeds) {
  FaultyWalIo io;
  const WalOptions o = options("cut", &io);
  {
    auto wal = Wal::open(o, nullptr);
    ASSERT_TRUE(wal.isOk());
    std::vector<WalDataRef> refs;
    ASSERT_TRUE(wal.value()->append({{"t", "kept-1", 1}}, &refs).isOk());
    io.failWrites(io.writes() + 1, FaultyWalIo::WriteFault::kShortWrite);
    io.failTruncates(2);  // the cut after the fault and the first retry fail
    EXPECT_EQ(wal.value()->append({{"t", "refused-1", 1}}, &refs).code(), Code::kUnavailable);
    EXPECT_EQ(wal.value()->append({{"t", "refused-2", 1}}, &refs).code(), Code::kUnavailable);
    ASSERT_TRUE(wal.value()->append({{"t", "kept-2", 1}}, &refs).isOk());
    EXPECT_EQ(wal.value()->stats().truncations.load(), 1u);
  }
  io.crash();
  WalRecovery rec;
  auto wal = Wal::open(o, &rec);
  ASSERT_TRUE(wal.isOk());
  EXPECT_EQ(contents(*wal.value(), rec), (std::map<std::string, int>{{"kept-1", 1}, {"kept-2", 1}}));
}

// kill -9 keeps the page cache, so only a modelled crash tells "ack after
// fdatasync" from `durability none`.
TEST_F(WalFaultTest, CrashKeepsEveryAckedRecordOnlyWithFsync) {
  for (bool fsync : {true, false}) {
    SCOPED_TRACE(fsync ? "fsync" : "none");
    FaultyWalIo io;
    const WalOptions o = options(fsync ? "fsync" : "none", &io, fsync);
    std::map<std::string, int> acked;
    {
      auto wal = Wal::open(o, nullptr);
      ASSERT_TRUE(wal.isOk());
      for (int i = 0; i < 20; ++i) {
        std::vector<WalDataRef> refs;
        const std::string block = "acked-" + std::to_string(i);
        ASSERT_TRUE(wal.value()->append({{"t", block, 1}}, &refs).isOk());
        acked[block] = 1;
      }
    }
    io.crash();
    WalRecovery rec;
    auto wal = Wal::open(o, &rec);
    ASSERT_TRUE(wal.isOk());
    const auto kept = contents(*wal.value(), rec);
    if (fsync) {
      EXPECT_EQ(kept, acked);
    } else {
      EXPECT_LT(kept.size(), acked.size()) << "durability none lost nothing in a crash";
    }
  }
}

}  // namespace
}  // namespace otelhouse
