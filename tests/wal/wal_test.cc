#include "wal/wal.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace otelhouse {
namespace {

namespace fs = std::filesystem;

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/otelhouse-wal-XXXXXX";
    dir_ = mkdtemp(tmpl);
    opts_.dir = dir_ + "/wal";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<Wal> open(WalRecovery* rec) {
    auto w = Wal::open(opts_, rec);
    EXPECT_TRUE(w.isOk()) << w.status().message();
    return w.isOk() ? std::move(w.value()) : nullptr;
  }
  std::vector<std::string> segments() {
    std::vector<std::string> out;
    for (auto& e : fs::directory_iterator(opts_.dir))
      if (e.path().extension() == ".wal") out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string dir_;
  WalOptions opts_;
};

TEST_F(WalTest, AppendReadAndRecoverUnbatched) {
  std::string id;
  {
    WalRecovery rec;
    auto wal = open(&rec);
    ASSERT_TRUE(wal);
    EXPECT_TRUE(rec.unbatched.empty());
    id = wal->id();
    EXPECT_EQ(id.size(), 32u);
    std::vector<WalDataRef> refs;
    ASSERT_TRUE(wal->append({{"otel_logs", "block-1", 3}, {"hyperdx_sessions", "block-2", 1}}, &refs).isOk());
    ASSERT_EQ(refs.size(), 2u);
    EXPECT_LT(refs[0].lsn, refs[1].lsn);
    std::string out;
    ASSERT_TRUE(wal->read(refs[1], out).isOk());
    EXPECT_EQ(out, "block-2");
    EXPECT_GE(wal->stats().syncs.load(), 1u);
  }
  WalRecovery rec;
  auto wal = open(&rec);
  EXPECT_EQ(wal->id(), id);
  ASSERT_EQ(rec.unbatched.size(), 2u);
  EXPECT_EQ(rec.unbatched[0].table, "otel_logs");
  EXPECT_EQ(rec.unbatched[0].rows, 3u);
  std::string out;
  ASSERT_TRUE(wal->read(rec.unbatched[0], out).isOk());
  EXPECT_EQ(out, "block-1");
  // New LSNs continue after the recovered ones.
  std::vector<WalDataRef> refs;
  ASSERT_TRUE(wal->append({{"t", "x", 1}}, &refs).isOk());
  EXPECT_GT(refs[0].lsn, rec.unbatched[1].lsn);
}

TEST_F(WalTest, IntentWithoutDoneIsReplayedAsTheSameBatch) {
  uint64_t intent;
  {
    auto wal = open(nullptr);
    std::vector<WalDataRef> a, b, c;
    ASSERT_TRUE(wal->append({{"t", "A", 1}}, &a).isOk());
    ASSERT_TRUE(wal->append({{"t", "B", 1}}, &b).isOk());
    ASSERT_TRUE(wal->append({{"t", "C", 1}}, &c).isOk());
    auto r = wal->appendIntent("t", {a[0], b[0]});
    ASSERT_TRUE(r.isOk());
    intent = r.value();
  }
  WalRecovery rec;
  auto wal = open(&rec);
  ASSERT_EQ(rec.batches.size(), 1u);
  EXPECT_EQ(rec.batches[0].intent_lsn, intent);
  ASSERT_EQ(rec.batches[0].records.size(), 2u);
  ASSERT_EQ(rec.unbatched.size(), 1u);
  std::string out;
  ASSERT_TRUE(wal->read(rec.unbatched[0], out).isOk());
  EXPECT_EQ(out, "C");
  EXPECT_EQ(walBatchToken(wal->id(), rec.batches[0]),
            "otelhouse-" + wal->id() + "-" + std::to_string(intent));
}

TEST_F(WalTest, DoneBatchesAreForgottenAndSegmentsDeleted) {
  opts_.segment_bytes = 200;  // a few records per segment
  {
    auto wal = open(nullptr);
    std::vector<WalDataRef> all;
    for (int i = 0; i < 20; ++i) {
      std::vector<WalDataRef> refs;
      ASSERT_TRUE(wal->append({{"t", std::string(50, 'a' + i), 1}}, &refs).isOk());
      all.push_back(refs[0]);
    }
    EXPECT_GT(segments().size(), 3u);
    WalBatch b;
    b.table = "t";
    b.records = all;
    auto r = wal->appendIntent("t", all);
    ASSERT_TRUE(r.isOk());
    b.intent_lsn = r.value();
    ASSERT_TRUE(wal->complete(b).isOk());
    EXPECT_EQ(segments().size(), 1u);  // only the current one is left
  }
  WalRecovery rec;
  auto wal = open(&rec);
  EXPECT_TRUE(rec.unbatched.empty());
  EXPECT_TRUE(rec.batches.empty());
}

TEST_F(WalTest, TornTailIsCutAtRecovery) {
  {
    auto wal = open(nullptr);
    std::vector<WalDataRef> refs;
    ASSERT_TRUE(wal->append({{"t", "first", 1}}, &refs).isOk());
    ASSERT_TRUE(wal->append({{"t", "second", 1}}, &refs).isOk());
  }
  auto segs = segments();
  ASSERT_EQ(segs.size(), 1u);
  const std::string path = opts_.dir + "/" + segs[0];
  const auto size = fs::file_size(path);
  // A crash in the middle of the second record: drop its last bytes.
  fs::resize_file(path, size - 3);
  WalRecovery rec;
  auto wal = open(&rec);
  ASSERT_EQ(rec.unbatched.size(), 1u);
  EXPECT_EQ(rec.segments_cut, 1u);
  EXPECT_GT(rec.bytes_cut, 0u);
  std::string out;
  ASSERT_TRUE(wal->read(rec.unbatched[0], out).isOk());
  EXPECT_EQ(out, "first");
  EXPECT_LT(fs::file_size(path), size - 3);
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

std::vector<std::string> blocks(Wal& wal, const WalRecovery& rec) {
  std::vector<std::string> out;
  for (auto& r : rec.unbatched) {
    std::string b;
    EXPECT_TRUE(wal.read(r, b).isOk());
    out.push_back(b);
  }
  return out;
}

TEST_F(WalTest, FlippedByteCostsOnlyItsRecordAndIsQuarantined) {
  {
    auto wal = open(nullptr);
    std::vector<WalDataRef> refs;
    ASSERT_TRUE(wal->append({{"t", "aaaa", 1}}, &refs).isOk());
    ASSERT_TRUE(wal->append({{"t", "bbbb", 1}}, &refs).isOk());
    ASSERT_TRUE(wal->append({{"t", "cccc", 1}}, &refs).isOk());
  }
  const std::string path = opts_.dir + "/" + segments()[0];
  std::string data = readAll(path);
  const size_t pos = data.find("bbbb");
  ASSERT_NE(pos, std::string::npos);
  data[pos] = 'X';
  writeAll(path, data);
  WalRecovery rec;
  auto wal = open(&rec);
  EXPECT_EQ(blocks(*wal, rec), (std::vector<std::string>{"aaaa", "cccc"}));
  EXPECT_EQ(rec.segments_cut, 0u);
  ASSERT_EQ(rec.quarantined.size(), 1u);
  const WalQuarantined& q = rec.quarantined[0];
  EXPECT_EQ(q.segment, 1u);
  EXPECT_LT(q.offset, pos);
  // Exactly the record: from its head to the next record's head.
  const std::string sync("\xde\xc0\xa1\x57", 4);
  EXPECT_EQ(q.offset, data.rfind(sync, pos));
  EXPECT_EQ(q.offset + q.bytes, data.rfind(sync, data.find("cccc")));
  // The copy is the record exactly as it is on disk, named by segment and offset.
  EXPECT_EQ(q.path, dir_ + "/wal/../dead-letters/wal-00000000000000000001-" + std::to_string(q.offset) + ".corrupt");
  EXPECT_EQ(readAll(q.path), data.substr(q.offset, q.bytes));
  EXPECT_NE(readAll(q.path).find("Xbbb"), std::string::npos);
  EXPECT_EQ(wal->stats().quarantined_records.load(), 1u);
  EXPECT_EQ(wal->stats().quarantined_bytes.load(), q.bytes);
}

TEST_F(WalTest, CorruptHeadInSealedSegmentResynchronises) {
  opts_.segment_bytes = 200;  // two records a segment
  std::vector<std::string> written;
  {
    auto wal = open(nullptr);
    for (int i = 0; i < 8; ++i) {
      std::vector<WalDataRef> refs;
      written.push_back("record-" + std::to_string(i) + std::string(40, 'a' + i));
      ASSERT_TRUE(wal->append({{"t", written.back(), 1}}, &refs).isOk());
    }
  }
  auto segs = segments();
  ASSERT_GE(segs.size(), 4u);
  // The first record of the second segment: clobber its length field.
  const std::string path = opts_.dir + "/" + segs[1];
  std::string data = readAll(path);
  const size_t second = data.find("record-2");  // first of the segment: the scan finds record-3
  ASSERT_NE(second, std::string::npos);
  const size_t head = data.rfind(std::string("\xde\xc0\xa1\x57", 4), second);
  ASSERT_NE(head, std::string::npos);
  data[head + 5] ^= 0x10;
  writeAll(path, data);
  WalRecovery rec;
  auto wal = open(&rec);
  std::vector<std::string> expected = written;
  expected.erase(expected.begin() + 2);
  EXPECT_EQ(blocks(*wal, rec), expected);
  ASSERT_EQ(rec.quarantined.size(), 1u);
  EXPECT_EQ(rec.quarantined[0].offset, head);
  EXPECT_EQ(rec.segments_cut, 0u);
}

// Segments written before format 2 (tests/wal/data/v1, made by the WAL as it
// was before issue 12): two data records, a done batch, an open batch.
TEST_F(WalTest, FormatOneSegmentsAreStillRead) {
  const char* data = getenv("OTELHOUSE_TEST_DATA");
  ASSERT_NE(data, nullptr);
  fs::create_directories(opts_.dir);
  for (auto& e : fs::directory_iterator(std::string(data) + "/v1"))
    fs::copy_file(e.path(), opts_.dir + "/" + e.path().filename().string());
  for (int round = 0; round < 2; ++round) {
    WalRecovery rec;
    auto wal = open(&rec);
    ASSERT_TRUE(wal);
    EXPECT_EQ(wal->id(), "51c1b2905820d0c4b34513bc13cfc7d6");
    EXPECT_EQ(rec.bytes_cut, 0u);
    ASSERT_EQ(rec.batches.size(), 1u);
    ASSERT_EQ(rec.batches[0].records.size(), 1u);
    std::string b;
    ASSERT_TRUE(wal->read(rec.batches[0].records[0], b).isOk());
    EXPECT_EQ(b, "v1-block-B");
    EXPECT_EQ(rec.batches[0].intent_lsn, 6u);
    const auto got = blocks(*wal, rec);
    std::vector<std::string> expected{"v1-block-C", "v1-block-D"};
    for (int r = 0; r < round; ++r) expected.push_back("v2-" + std::to_string(r));
    EXPECT_EQ(got, expected);
    EXPECT_EQ(rec.unbatched[0].table, "otel_traces");
    EXPECT_EQ(rec.unbatched[1].rows, 4u);
    std::vector<WalDataRef> refs;
    ASSERT_TRUE(wal->append({{"t", "v2-" + std::to_string(round), 1}}, &refs).isOk());
    EXPECT_GT(refs[0].lsn, 7u);
  }
  // The old segment is kept as it was; the new records are in format 2.
  EXPECT_EQ(fs::file_size(opts_.dir + "/00000000000000000001.wal"), 275u);
  EXPECT_EQ(readAll(opts_.dir + "/" + segments().back()).substr(0, 5), "OHWAL");
}

TEST_F(WalTest, DiskBudgetRefusesAppends) {
  opts_.max_bytes = 300;
  auto wal = open(nullptr);
  std::vector<WalDataRef> refs;
  ASSERT_TRUE(wal->append({{"t", std::string(100, 'x'), 1}}, &refs).isOk());
  ASSERT_TRUE(wal->append({{"t", std::string(100, 'x'), 1}}, &refs).isOk());
  Status st = wal->append({{"t", std::string(100, 'x'), 1}}, &refs);
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_EQ(wal->stats().refused_full.load(), 1u);
}

TEST_F(WalTest, ConcurrentAppendsShareSyncs) {
  auto wal = open(nullptr);
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      std::vector<WalDataRef> refs;
      for (int i = 0; i < kEach; ++i)
        ASSERT_TRUE(wal->append({{"t", "r" + std::to_string(t * kEach + i), 1}}, &refs).isOk());
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(wal->stats().records.load(), static_cast<uint64_t>(kThreads * kEach));
  // Group commit: fewer fsyncs than appends.
  EXPECT_LT(wal->stats().syncs.load(), static_cast<uint64_t>(kThreads * kEach));
  wal.reset();
  WalRecovery rec;
  auto again = open(&rec);
  EXPECT_EQ(rec.unbatched.size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace otelhouse
