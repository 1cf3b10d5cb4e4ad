#include "compression/decompress.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

namespace otelhouse {
namespace {

std::string randomText(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

std::string compressed(std::string_view encoding, std::string_view in) {
  std::string out;
  EXPECT_TRUE(compress(encoding, in, out).isOk());
  return out;
}

std::string rawDeflate(std::string_view in) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  return out;
}

// A zstd frame written by the streaming API without a pledged size: its
// header carries no content size, as streaming clients send.
std::string zstdStreamed(std::string_view in) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string out(ZSTD_compressBound(in.size()) + 64, '\0');
  ZSTD_outBuffer output{out.data(), out.size(), 0};
  size_t half = in.size() / 2;
  ZSTD_inBuffer first{in.data(), half, 0};
  while (first.pos < first.size) ZSTD_compressStream2(cctx, &output, &first, ZSTD_e_continue);
  ZSTD_inBuffer second{in.data() + half, in.size() - half, 0};
  size_t left;
  do {
    left = ZSTD_compressStream2(cctx, &output, &second, ZSTD_e_end);
  } while (left != 0);
  out.resize(output.pos);
  ZSTD_freeCCtx(cctx);
  EXPECT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  return out;
}

TEST(Decompress, RoundTripsEveryEncoding) {
  std::string text = randomText(300000, 1);
  for (const char* enc : {"gzip", "deflate", "zstd", "", "identity", "none", "GZIP", "x-gzip",
                          "zlib"}) {
    std::string packed = compressed(enc, text);
    std::string out;
    Status st = decompress(enc, packed, text.size(), out);
    ASSERT_TRUE(st.isOk()) << enc << ": " << st.toString();
    EXPECT_EQ(out, text) << enc;
  }
}

TEST(Decompress, LimitIsInclusive) {
  std::string text = randomText(1000, 2);
  for (const char* enc : {"gzip", "deflate", "zstd", ""}) {
    std::string packed = compressed(enc, text);
    std::string out;
    EXPECT_TRUE(decompress(enc, packed, 1000, out).isOk()) << enc;
    EXPECT_EQ(out.size(), 1000u);
    Status st = decompress(enc, packed, 999, out);
    EXPECT_EQ(st.code(), Code::kTooLarge) << enc;
    EXPECT_TRUE(out.empty()) << enc;
  }
}

TEST(Decompress, BombsStopAtTheLimit) {
  const std::string zeros(10 * 1024 * 1024, '\0');
  const size_t limit = 1024 * 1024;
  for (const char* enc : {"gzip", "deflate", "zstd"}) {
    std::string bomb = compressed(enc, zeros);
    ASSERT_LT(bomb.size(), 64u * 1024) << enc;  // really a bomb: > 160x
    std::string out;
    Status st = decompress(enc, bomb, limit, out);
    EXPECT_EQ(st.code(), Code::kTooLarge) << enc;
    EXPECT_LE(out.size(), limit) << enc;
    EXPECT_LE(out.capacity(), limit + 1) << enc;  // never inflated past the limit
  }
  std::string out;
  EXPECT_EQ(decompress("zstd", zstdStreamed(zeros), limit, out).code(), Code::kTooLarge);
  EXPECT_LE(out.capacity(), limit + 1);
  EXPECT_EQ(decompress("deflate", rawDeflate(zeros), limit, out).code(), Code::kTooLarge);
  EXPECT_LE(out.capacity(), limit + 1);
}

TEST(Decompress, ConcatenatedGzipMembers) {
  std::string a = randomText(5000, 3), b = randomText(7000, 4);
  std::string packed = compressed("gzip", a) + compressed("gzip", b);
  std::string out;
  ASSERT_TRUE(decompress("gzip", packed, 1 << 20, out).isOk());
  EXPECT_EQ(out, a + b);
  // The limit covers all members together.
  EXPECT_EQ(decompress("gzip", packed, 11999, out).code(), Code::kTooLarge);
}

TEST(Decompress, ConcatenatedZstdFramesWithoutContentSize) {
  std::string a = randomText(100000, 5), b = randomText(3000, 6);
  std::string packed = zstdStreamed(a) + zstdStreamed(b);
  std::string out;
  ASSERT_TRUE(decompress("zstd", packed, 1 << 20, out).isOk());
  EXPECT_EQ(out, a + b);
}

TEST(Decompress, RawDeflateIsAcceptedAsDeflate) {
  std::string text = randomText(20000, 7);
  std::string out;
  ASSERT_TRUE(decompress("deflate", rawDeflate(text), 1 << 20, out).isOk());
  EXPECT_EQ(out, text);
}

TEST(Decompress, CorruptAndTruncatedInputIsInvalid) {
  std::string text = randomText(50000, 8);
  for (const char* enc : {"gzip", "deflate", "zstd"}) {
    std::string packed = compressed(enc, text);
    std::string out;
    std::string truncated = packed.substr(0, packed.size() / 2);
    Status st = decompress(enc, truncated, 1 << 20, out);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << enc << ": " << st.toString();
    EXPECT_TRUE(out.empty());
    std::string garbage = "this is not compressed at all, not even close";
    st = decompress(enc, garbage, 1 << 20, out);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << enc << ": " << st.toString();
  }
  // A gzip member followed by junk is refused, as Go's multistream reader does.
  std::string out;
  std::string junk_tail = compressed("gzip", text) + "junk";
  EXPECT_EQ(decompress("gzip", junk_tail, 1 << 20, out).code(), Code::kInvalidArgument);
  // A corrupted gzip CRC.
  std::string bad_crc = compressed("gzip", text);
  bad_crc[bad_crc.size() - 6] ^= 0x55;
  EXPECT_EQ(decompress("gzip", bad_crc, 1 << 20, out).code(), Code::kInvalidArgument);
}

TEST(Decompress, UnknownEncodingIsUnsupported) {
  std::string out;
  Status st = decompress("br", "abc", 100, out);
  EXPECT_EQ(st.code(), Code::kUnsupported);
  EXPECT_EQ(st.message(), "unsupported Content-Encoding: br");
  EXPECT_FALSE(isSupportedEncoding("snappy"));
  EXPECT_TRUE(isSupportedEncoding(" gzip "));
  EXPECT_TRUE(isIdentityEncoding(""));
  EXPECT_FALSE(isIdentityEncoding("zstd"));
}

TEST(Decompress, EmptyInputIsEmptyOutput) {
  for (const char* enc : {"gzip", "deflate", "zstd", ""}) {
    std::string out = "stale";
    EXPECT_TRUE(decompress(enc, "", 0, out).isOk()) << enc;
    EXPECT_TRUE(out.empty());
  }
}

TEST(Decompress, IdentityOverLimit) {
  std::string out;
  EXPECT_EQ(decompress("identity", "abcdef", 5, out).code(), Code::kTooLarge);
  EXPECT_TRUE(decompress("identity", "abcde", 5, out).isOk());
  EXPECT_EQ(out, "abcde");
}

}  // namespace
}  // namespace otelhouse

namespace otelhouse {
namespace {

// ClickHouse's HTTP "lz4" is the LZ4 frame format.
TEST(Decompress, Lz4FramesRoundTripConcatenateAndStopAtTheLimit) {
  std::string text = randomText(300000, 11) + std::string(200000, 'x');
  std::string frame = compressed("lz4", text);
  ASSERT_LT(frame.size(), text.size());
  EXPECT_EQ(frame.compare(0, 4, "\x04\x22\x4d\x18"), 0);  // the frame magic
  std::string out;
  ASSERT_TRUE(decompress("LZ4", frame, text.size(), out).isOk());
  EXPECT_EQ(out, text);
  // Two frames read as one body.
  ASSERT_TRUE(decompress("lz4", frame + compressed("lz4", "tail"), 1 << 20, out).isOk());
  EXPECT_EQ(out, text + "tail");
  // One byte under the size: refused without a partial result.
  EXPECT_EQ(decompress("lz4", frame, text.size() - 1, out).code(), Code::kTooLarge);
  EXPECT_TRUE(out.empty());
  // Truncated and corrupted frames.
  EXPECT_EQ(decompress("lz4", frame.substr(0, frame.size() / 2), 1 << 20, out).code(),
            Code::kInvalidArgument);
  std::string bad = frame;
  bad[2] ^= 0x11;
  EXPECT_EQ(decompress("lz4", bad, 1 << 20, out).code(), Code::kInvalidArgument);
  EXPECT_TRUE(isSupportedEncoding("lz4"));
}

}  // namespace
}  // namespace otelhouse
