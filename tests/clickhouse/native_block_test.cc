// The Native block reader, compressed frames and wire primitives on
// hand-made bytes: the structure of every column type otelhouse writes, and
// truncated or corrupt input giving a clear error, never a crash.
#include "clickhouse/native_block.h"

#include <gtest/gtest.h>

#include "clickhouse/compression.h"
#include "clickhouse/wire.h"
#include "rows/native_writer.h"

namespace otelhouse::clickhouse {
namespace {

// The shapes of ClickStack's tables: Map, Array(Map), DateTime64, nested arrays.
std::string clickstackLikeBlock(int rows) {
  StringColumn service;
  FixedColumn<uint64_t> ts;
  MapColumn attrs;
  ArrayMapColumn events;
  ArrayColumn<uint64_t> event_ts;
  FixedColumn<uint8_t> flag;
  for (int i = 0; i < rows; ++i) {
    service.append("svc" + std::to_string(i));
    ts.append(1700000000000000000ull + static_cast<uint64_t>(i));
    for (int k = 0; k < i % 3; ++k) attrs.addEntry("k" + std::to_string(k), "v" + std::to_string(i));
    attrs.endRow();
    for (int e = 0; e < i % 2 + 1; ++e) {
      for (int k = 0; k < e; ++k) events.element().addEntry("ek", "ev");
      events.element().endRow();
      event_ts.add(static_cast<uint64_t>(e));
    }
    events.endRow();
    event_ts.endRow();
    flag.append(static_cast<uint8_t>(i & 1));
  }
  std::string out;
  NativeWriter w(out);
  w.beginBlock(6, static_cast<size_t>(rows));
  w.column("ServiceName", "String", service);
  w.column("Timestamp", "DateTime64(9)", ts);
  w.column("SpanAttributes", "Map(String, String)", attrs);
  w.column("Events.Attributes", "Array(Map(String, String))", events);
  w.column("Events.Timestamp", "Array(DateTime64(9, 'UTC'))", event_ts);
  w.column("Flag", "Enum8('a,b' = 0, 'c)' = 1)", flag);
  return out;
}

// LowCardinality(String) as the server writes it (checked against 18.16's
// own `SELECT toLowCardinality(...) FORMAT Native`): version, flags with
// additional keys and UInt8 indexes, the dictionary, the indexes.
std::string lowCardinalityBlock() {
  std::string out;
  putVarUInt(out, 2);
  putVarUInt(out, 3);
  putString(out, "lc");
  putString(out, "LowCardinality(Nullable(String))");
  putFixed<uint64_t>(out, 1);            // keys version
  putFixed<uint64_t>(out, 0x200);        // has additional keys, UInt8 indexes
  putFixed<uint64_t>(out, 3);            // dictionary: null, "", "a"
  putString(out, "");
  putString(out, "");
  putString(out, "a");
  putFixed<uint64_t>(out, 3);
  out += std::string("\x02\x00\x02", 3);
  putString(out, "t");
  putString(out, "Tuple(a Nullable(String), UInt16, FixedString(2))");
  out += std::string("\x00\x01\x00", 3);  // null map
  putString(out, "x");
  putString(out, "");
  putString(out, "zz");
  out += std::string(6, '\x07');  // UInt16 * 3
  out += "ababab";                 // FixedString(2) * 3
  return out;
}

TEST(NativeBlockReader, SplitsAStreamIntoBlocksAndColumns) {
  std::string a = clickstackLikeBlock(7);
  std::string b = clickstackLikeBlock(3);
  std::string stream = a + b + lowCardinalityBlock();
  std::vector<NativeBlock> blocks;
  Status st = splitNativeStream(stream, &blocks);
  ASSERT_TRUE(st.isOk()) << st.toString();
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].rows, 7u);
  EXPECT_EQ(blocks[1].rows, 3u);
  EXPECT_EQ(blocks[2].rows, 3u);
  EXPECT_EQ(blocks[0].bytes, a);
  EXPECT_EQ(blocks[1].bytes, b);
  ASSERT_EQ(blocks[0].columns.size(), 6u);
  EXPECT_EQ(blocks[0].columns[3].name, "Events.Attributes");
  EXPECT_EQ(blocks[0].columns[1].data.size(), 7u * 8);
  std::vector<std::string> names;
  ASSERT_TRUE(decodeStrings(blocks[1].columns[0], blocks[1].rows, &names).isOk());
  EXPECT_EQ(names, (std::vector<std::string>{"svc0", "svc1", "svc2"}));
  EXPECT_EQ(blocks[2].columns[1].data.size(), 3u + 2 + 1 + 3 + 6 + 6);

  // Re-assembling the columns gives the same bytes back.
  std::string rebuilt;
  putBlock(rebuilt, blocks[0].rows, blocks[0].columns);
  EXPECT_EQ(rebuilt, a);
}

TEST(NativeBlockReader, EveryTruncationIsAnErrorNotACrash) {
  std::string stream = clickstackLikeBlock(5) + lowCardinalityBlock();
  std::vector<NativeBlock> blocks;
  for (size_t n = 1; n < stream.size(); ++n) {
    Status st = splitNativeStream(std::string_view(stream).substr(0, n), &blocks);
    // A cut exactly between blocks is a valid shorter stream.
    if (n == stream.size() - lowCardinalityBlock().size()) {
      EXPECT_TRUE(st.isOk()) << n;
      continue;
    }
    ASSERT_FALSE(st.isOk()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(st.code(), Code::kInvalidArgument);
  }
  Status st = splitNativeStream(std::string_view(stream).substr(0, 40), &blocks);
  EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
}

TEST(NativeBlockReader, RejectsCorruptInputWithAMessage) {
  auto one = [](std::string_view type, std::string data, uint64_t rows = 1) {
    std::string out;
    putVarUInt(out, 1);
    putVarUInt(out, rows);
    putString(out, "c");
    putString(out, type);
    out += data;
    std::vector<NativeBlock> blocks;
    return splitNativeStream(out, &blocks);
  };
  EXPECT_TRUE(one("UInt32", "abcd").isOk());
  EXPECT_TRUE(one("JSON", "", 0).isOk());  // a header block: no data to walk
  Status st = one("JSON", "x");
  EXPECT_NE(st.message().find("cannot read Native column of type 'JSON'"), std::string::npos) << st.message();
  EXPECT_FALSE(one("Array(UInt8", "").isOk());
  EXPECT_FALSE(one("Nullable(UInt8, UInt8)", "").isOk());
  EXPECT_FALSE(one("FixedString(x)", "").isOk());
  // Array offsets that go backwards.
  std::string offsets;
  putFixed<uint64_t>(offsets, 5);
  putFixed<uint64_t>(offsets, 2);
  st = one("Array(UInt8)", offsets + "12345", 2);
  EXPECT_NE(st.message().find("offsets decrease"), std::string::npos) << st.message();
  // An offset far beyond the data: truncated, without allocating for it.
  std::string huge;
  putFixed<uint64_t>(huge, uint64_t{1} << 62);
  EXPECT_FALSE(one("Array(UInt64)", huge).isOk());
  EXPECT_FALSE(one("Array(String)", huge).isOk());
  // A string length beyond any limit, a varint that never ends.
  std::string long_string;
  putVarUInt(long_string, uint64_t{1} << 40);
  EXPECT_FALSE(one("String", long_string).isOk());
  EXPECT_FALSE(one("String", std::string(11, '\xff')).isOk());
  // LowCardinality with an unknown version.
  std::string lc;
  putFixed<uint64_t>(lc, 7);
  EXPECT_NE(one("LowCardinality(String)", lc).message().find("version"), std::string::npos);
  // Too many columns for the bytes there are.
  std::string many;
  putVarUInt(many, 1000000000);
  putVarUInt(many, 1);
  std::vector<NativeBlock> blocks;
  EXPECT_FALSE(splitNativeStream(many, &blocks).isOk());
  // Deep nesting stops.
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "Array(";
  deep += "UInt8";
  deep += std::string(100, ')');
  EXPECT_FALSE(one(deep, "").isOk());
}

TEST(NativeBlockReader, LowCardinalityWrappersCompareEqual) {
  EXPECT_EQ(withoutLowCardinality("LowCardinality(String)"), "String");
  EXPECT_EQ(withoutLowCardinality("Map(LowCardinality(String), String)"), "Map(String, String)");
  EXPECT_EQ(withoutLowCardinality("Array(LowCardinality(Nullable(String)))"), "Array(Nullable(String))");
  EXPECT_EQ(withoutLowCardinality("DateTime64(9)"), "DateTime64(9)");
}

// A Source handing out one byte at a time: the reader must keep a block's
// bytes together across refills.
class TrickleSource : public Source {
 public:
  explicit TrickleSource(std::string data) : data_(std::move(data)) {}
  Status readSome(std::string* out) override {
    if (pos_ == data_.size()) return Status::unavailable("closed");
    out->push_back(data_[pos_++]);
    return Status::ok();
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

TEST(NativeBlockReader, ReadsFromASourceAcrossRefills) {
  std::string block = lowCardinalityBlock();
  TrickleSource source(block + block);
  Input in(&source);
  NativeBlock first;
  ASSERT_TRUE(readBlock(in, false, &first).isOk());
  EXPECT_EQ(first.bytes, block);
  EXPECT_EQ(first.columns[1].name, "t");
  NativeBlock second;
  ASSERT_TRUE(readBlock(in, false, &second).isOk());
  EXPECT_EQ(second.bytes, block);
  NativeBlock third;
  EXPECT_EQ(readBlock(in, false, &third).code(), Code::kUnavailable);
}

TEST(CompressedFrames, RoundTripEachMethodAndDetectCorruption) {
  std::string data;
  for (int i = 0; i < 300000; ++i) data += std::to_string(i % 977);
  for (FrameMethod m : {FrameMethod::kNone, FrameMethod::kLz4, FrameMethod::kZstd}) {
    std::string framed;
    ASSERT_TRUE(compressFrames(m, data, &framed).isOk());
    if (m != FrameMethod::kNone) {
      EXPECT_LT(framed.size(), data.size() / 2);
    }
    Input in(framed);
    std::string back;
    while (!in.atEnd()) ASSERT_TRUE(readFrame(in, &back).isOk());
    EXPECT_EQ(back, data);

    std::string corrupt = framed;
    corrupt[30] ^= 0x40;
    Input bad(corrupt);
    std::string out;
    Status st = readFrame(bad, &out);
    EXPECT_NE(st.message().find("checksum"), std::string::npos) << st.message();

    Input cut(std::string_view(framed).substr(0, 100));
    EXPECT_FALSE(readFrame(cut, &out).isOk());
  }
  // A header claiming 4 GiB is refused before any allocation.
  std::string header(16, '\0');
  header += std::string("\x82\xff\xff\xff\xff\x10\x00\x00\x00", 9);
  Input in(header);
  std::string out;
  EXPECT_NE(readFrame(in, &out).message().find("corrupt"), std::string::npos);
}

}  // namespace
}  // namespace otelhouse::clickhouse

namespace otelhouse::clickhouse {
namespace {

TEST(NativeBlockReader, EncodesStringsAsLowCardinality) {
  StringColumn values;
  for (int i = 0; i < 1000; ++i) values.append(i % 7 == 0 ? "" : "v" + std::to_string(i % 300));
  std::string lc;
  ASSERT_TRUE(encodeLowCardinalityString(values.serialized(), 1000, &lc).isOk());
  // 300 distinct values: UInt16 indexes; the reader walks it exactly.
  uint64_t flags;
  std::memcpy(&flags, lc.data() + 8, 8);
  EXPECT_EQ(flags & 0xff, 1u);
  Input in(lc);
  ASSERT_TRUE(skipColumnData(in, "LowCardinality(String)", 1000).isOk());
  EXPECT_TRUE(in.atEnd());
  std::string bad;
  EXPECT_FALSE(encodeLowCardinalityString(values.serialized(), 1001, &bad).isOk());
}

}  // namespace
}  // namespace otelhouse::clickhouse
