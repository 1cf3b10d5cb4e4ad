// Compressed frames of the native protocol (and of ClickHouse's files):
//
//   frame := checksum(16) method(1) compressed_size(u32) decompressed_size(u32) payload
//
// checksum is CityHash128 v1.0.2 of everything after it (low 64 bits first);
// compressed_size counts the 9 header bytes and the payload. Methods: 0x02
// none, 0x82 LZ4 (block format), 0x90 ZSTD. A compressed stream is a sequence
// of frames whose payloads concatenate; frame boundaries carry no meaning.
//
// Decompression checks the checksum before anything else and bounds every
// size, so corrupt network input fails with a message.
#pragma once

#include <string>
#include <string_view>

#include "clickhouse/wire.h"
#include "common/status.h"

namespace otelhouse::clickhouse {

enum class FrameMethod : uint8_t { kNone = 0x02, kLz4 = 0x82, kZstd = 0x90 };

// Appends `data` to *out as frames of at most kMaxFramePayload input bytes.
Status compressFrames(FrameMethod method, std::string_view data, std::string* out);
inline constexpr size_t kMaxFramePayload = 1 << 20;  // as the server's max_compress_block_size

// Reads one frame from `in` and appends its decompressed bytes to *out.
Status readFrame(Input& in, std::string* out);

// A Source of decompressed bytes, one frame at a time from `in`.
class FrameSource : public Source {
 public:
  explicit FrameSource(Input* in) : in_(in) {}
  Status readSome(std::string* out) override { return readFrame(*in_, out); }

 private:
  Input* in_;
};

}  // namespace otelhouse::clickhouse
