#include "clickhouse/compression.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>

#include "clickhouse/city_hash.h"

namespace otelhouse::clickhouse {
namespace {

constexpr size_t kChecksumSize = 16;
constexpr size_t kHeaderSize = 9;
constexpr uint32_t kMaxDecompressed = 1u << 30;

Status compressOne(FrameMethod method, std::string_view data, std::string* out) {
  size_t frame_start = out->size();
  out->append(kChecksumSize + kHeaderSize, '\0');
  size_t payload_size = 0;
  switch (method) {
    case FrameMethod::kNone:
      out->append(data.data(), data.size());
      payload_size = data.size();
      break;
    case FrameMethod::kLz4: {
      int bound = LZ4_compressBound(static_cast<int>(data.size()));
      out->resize(frame_start + kChecksumSize + kHeaderSize + static_cast<size_t>(bound));
      int n = LZ4_compress_default(data.data(), out->data() + frame_start + kChecksumSize + kHeaderSize,
                                   static_cast<int>(data.size()), bound);
      if (n <= 0) return Status::internal("LZ4 compression failed");
      payload_size = static_cast<size_t>(n);
      break;
    }
    case FrameMethod::kZstd: {
      size_t bound = ZSTD_compressBound(data.size());
      out->resize(frame_start + kChecksumSize + kHeaderSize + bound);
      size_t n = ZSTD_compress(out->data() + frame_start + kChecksumSize + kHeaderSize, bound,
                               data.data(), data.size(), 1);
      if (ZSTD_isError(n)) return Status::internal(std::string("ZSTD compression failed: ") + ZSTD_getErrorName(n));
      payload_size = n;
      break;
    }
  }
  out->resize(frame_start + kChecksumSize + kHeaderSize + payload_size);
  char* header = out->data() + frame_start + kChecksumSize;
  header[0] = static_cast<char>(method);
  uint32_t compressed = static_cast<uint32_t>(kHeaderSize + payload_size);
  uint32_t decompressed = static_cast<uint32_t>(data.size());
  std::memcpy(header + 1, &compressed, 4);
  std::memcpy(header + 5, &decompressed, 4);
  Hash128 h = cityHash128(header, kHeaderSize + payload_size);
  std::memcpy(out->data() + frame_start, &h.low, 8);
  std::memcpy(out->data() + frame_start + 8, &h.high, 8);
  return Status::ok();
}

}  // namespace

Status compressFrames(FrameMethod method, std::string_view data, std::string* out) {
  do {
    size_t n = std::min(data.size(), kMaxFramePayload);
    Status st = compressOne(method, data.substr(0, n), out);
    if (!st.isOk()) return st;
    data.remove_prefix(n);
  } while (!data.empty());
  return Status::ok();
}

Status readFrame(Input& in, std::string* out) {
  Status st = in.need(kChecksumSize + kHeaderSize);
  if (!st.isOk()) return st;
  Hash128 expected;
  std::memcpy(&expected.low, in.cur(), 8);
  std::memcpy(&expected.high, in.cur() + 8, 8);
  const char* header = in.cur() + kChecksumSize;
  uint8_t method = static_cast<uint8_t>(header[0]);
  uint32_t compressed = 0;
  uint32_t decompressed = 0;
  std::memcpy(&compressed, header + 1, 4);
  std::memcpy(&decompressed, header + 5, 4);
  if (compressed < kHeaderSize || compressed > kMaxDecompressed || decompressed > kMaxDecompressed) {
    return Status::invalid("corrupt compressed frame: sizes " + std::to_string(compressed) + "/" +
                           std::to_string(decompressed));
  }
  in.advance(kChecksumSize);
  st = in.need(compressed);
  if (!st.isOk()) return st;
  const char* frame = in.cur();
  Hash128 actual = cityHash128(frame, compressed);
  if (!(actual == expected)) return Status::invalid("compressed frame checksum mismatch");
  const char* payload = frame + kHeaderSize;
  size_t payload_size = compressed - kHeaderSize;
  size_t base = out->size();
  switch (method) {
    case static_cast<uint8_t>(FrameMethod::kNone):
      if (payload_size != decompressed) return Status::invalid("corrupt uncompressed frame size");
      out->append(payload, payload_size);
      break;
    case static_cast<uint8_t>(FrameMethod::kLz4): {
      out->resize(base + decompressed);
      int n = LZ4_decompress_safe(payload, out->data() + base, static_cast<int>(payload_size),
                                  static_cast<int>(decompressed));
      if (n < 0 || static_cast<uint32_t>(n) != decompressed) {
        out->resize(base);
        return Status::invalid("corrupt LZ4 frame");
      }
      break;
    }
    case static_cast<uint8_t>(FrameMethod::kZstd): {
      out->resize(base + decompressed);
      size_t n = ZSTD_decompress(out->data() + base, decompressed, payload, payload_size);
      if (ZSTD_isError(n) || n != decompressed) {
        out->resize(base);
        return Status::invalid("corrupt ZSTD frame");
      }
      break;
    }
    default:
      return Status::invalid("unknown compression method 0x" + std::to_string(method));
  }
  in.advance(compressed);
  return Status::ok();
}

}  // namespace otelhouse::clickhouse
