#include "compression/decompress.h"

#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>

namespace otelhouse {

namespace {

enum class Encoding { kIdentity, kGzip, kDeflate, kZstd, kLz4, kUnknown };

Encoding parseEncoding(std::string_view name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  std::string lower(name);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower.empty() || lower == "identity" || lower == "none") return Encoding::kIdentity;
  if (lower == "gzip" || lower == "x-gzip") return Encoding::kGzip;
  if (lower == "deflate" || lower == "zlib") return Encoding::kDeflate;
  if (lower == "zstd") return Encoding::kZstd;
  if (lower == "lz4") return Encoding::kLz4;
  return Encoding::kUnknown;
}

constexpr size_t kFirstChunk = 64 * 1024;

// Grows `out` for the next write: doubling, never past limit + 1 bytes, so a
// single byte over the limit is seen without inflating anything more.
size_t growOutput(std::string& out, size_t produced, size_t limit) {
  size_t cap = limit == SIZE_MAX ? SIZE_MAX : limit + 1;
  size_t chunk = std::min(std::max(produced, kFirstChunk), cap - produced);
  out.resize(produced + chunk);
  return chunk;
}

Status tooLarge(size_t limit, std::string& out) {
  out.clear();
  out.shrink_to_fit();
  return Status::tooLarge("decompressed body exceeds the limit of " + std::to_string(limit) +
                          " bytes");
}

bool looksLikeZlib(std::string_view in) {
  if (in.size() < 2) return false;
  auto b0 = static_cast<unsigned char>(in[0]);
  auto b1 = static_cast<unsigned char>(in[1]);
  return (b0 & 0x0f) == 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 == 0;
}

// window_bits: 16+15 gzip, 15 zlib, -15 raw deflate. `members`: go on after
// the end of a gzip member when input remains (it must be another member).
Status inflateBounded(std::string_view in, int window_bits, bool members, const char* what,
                      size_t limit, std::string& out) {
  if (in.size() > UINT_MAX) return Status::tooLarge("compressed body too large");
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return Status::internal("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  size_t produced = 0;
  Status result;
  for (;;) {
    size_t chunk = growOutput(out, produced, limit);
    chunk = std::min<size_t>(chunk, UINT_MAX);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(chunk);
    int ret = inflate(&zs, Z_NO_FLUSH);
    produced += chunk - zs.avail_out;
    if (produced > limit) {
      result = tooLarge(limit, out);
      break;
    }
    if (ret == Z_STREAM_END) {
      if (members && zs.avail_in > 0) {
        if (inflateReset(&zs) != Z_OK) {
          result = Status::internal("inflateReset failed");
          break;
        }
        continue;
      }
      out.resize(produced);
      break;
    }
    if (ret == Z_OK || ret == Z_BUF_ERROR) {
      // No progress possible without more input: the stream is cut short.
      if (zs.avail_in == 0 && zs.avail_out > 0) {
        result = Status::invalid(std::string(what) + ": unexpected end of compressed data");
        break;
      }
      continue;
    }
    if (ret == Z_MEM_ERROR) {
      result = Status::internal(std::string(what) + ": out of memory");
      break;
    }
    std::string detail = zs.msg ? zs.msg : "corrupt data";
    result = Status::invalid(std::string(what) + ": " + detail);
    break;
  }
  inflateEnd(&zs);
  if (!result.isOk()) out.clear();
  return result;
}

Status zstdBounded(std::string_view in, size_t limit, std::string& out) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) return Status::internal("zstd: cannot create context");
  ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 27);
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t produced = 0;
  size_t last = 0;
  Status result;
  for (;;) {
    size_t chunk = growOutput(out, produced, limit);
    ZSTD_outBuffer output{out.data() + produced, chunk, 0};
    size_t r = ZSTD_decompressStream(dctx, &output, &input);
    produced += output.pos;
    if (ZSTD_isError(r)) {
      if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation) {
        result = Status::internal("zstd: out of memory");
      } else {
        result = Status::invalid(std::string("zstd: ") + ZSTD_getErrorName(r));
      }
      break;
    }
    if (produced > limit) {
      result = tooLarge(limit, out);
      break;
    }
    last = r;
    // Done when all input is in and the decoder did not stop for lack of room.
    if (input.pos == input.size && output.pos < output.size) break;
  }
  ZSTD_freeDCtx(dctx);
  if (result.isOk() && last != 0) {
    result = Status::invalid("zstd: unexpected end of compressed data");
  }
  if (result.isOk()) {
    out.resize(produced);
  } else {
    out.clear();
  }
  return result;
}

// LZ4 frames (ClickHouse's HTTP "lz4"), one after another.
Status lz4Bounded(std::string_view in, size_t limit, std::string& out) {
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
    return Status::internal("lz4: cannot create context");
  size_t consumed = 0;
  size_t produced = 0;
  size_t hint = 1;  // 0 once a frame is complete
  Status result;
  while (consumed < in.size()) {
    size_t chunk = growOutput(out, produced, limit);
    size_t out_size = chunk;
    size_t in_size = in.size() - consumed;
    size_t r = LZ4F_decompress(dctx, out.data() + produced, &out_size, in.data() + consumed,
                               &in_size, nullptr);
    if (LZ4F_isError(r)) {
      result = Status::invalid(std::string("lz4: ") + LZ4F_getErrorName(r));
      break;
    }
    consumed += in_size;
    produced += out_size;
    hint = r;
    if (produced > limit) {
      result = tooLarge(limit, out);
      break;
    }
    if (in_size == 0 && out_size == 0) {
      result = Status::invalid("lz4: no progress");
      break;
    }
  }
  // Output may still be buffered inside the context after all input is in.
  while (result.isOk() && hint != 0) {
    size_t chunk = growOutput(out, produced, limit);
    size_t out_size = chunk;
    size_t in_size = 0;
    size_t r = LZ4F_decompress(dctx, out.data() + produced, &out_size, nullptr, &in_size, nullptr);
    if (LZ4F_isError(r)) {
      result = Status::invalid(std::string("lz4: ") + LZ4F_getErrorName(r));
      break;
    }
    produced += out_size;
    hint = r;
    if (produced > limit) {
      result = tooLarge(limit, out);
      break;
    }
    if (out_size == 0 && hint != 0) {
      result = Status::invalid("lz4: unexpected end of compressed data");
      break;
    }
  }
  LZ4F_freeDecompressionContext(dctx);
  if (result.isOk()) {
    out.resize(produced);
  } else {
    out.clear();
  }
  return result;
}

}  // namespace

bool isSupportedEncoding(std::string_view encoding) {
  return parseEncoding(encoding) != Encoding::kUnknown;
}

bool isIdentityEncoding(std::string_view encoding) {
  return parseEncoding(encoding) == Encoding::kIdentity;
}

Status decompress(std::string_view encoding, std::string_view in, size_t limit,
                  std::string& out) {
  out.clear();
  Encoding e = parseEncoding(encoding);
  if (e == Encoding::kUnknown) {
    return Status::unsupported("unsupported Content-Encoding: " + std::string(encoding));
  }
  if (in.empty()) return Status::ok();
  switch (e) {
    case Encoding::kIdentity:
      if (in.size() > limit) {
        return Status::tooLarge("body exceeds the limit of " + std::to_string(limit) + " bytes");
      }
      out.assign(in);
      return Status::ok();
    case Encoding::kGzip:
      return inflateBounded(in, 16 + MAX_WBITS, /*members=*/true, "gzip", limit, out);
    case Encoding::kDeflate:
      if (looksLikeZlib(in)) {
        return inflateBounded(in, MAX_WBITS, false, "zlib", limit, out);
      }
      return inflateBounded(in, -MAX_WBITS, false, "deflate", limit, out);
    case Encoding::kZstd:
      return zstdBounded(in, limit, out);
    case Encoding::kLz4:
      return lz4Bounded(in, limit, out);
    case Encoding::kUnknown:
      break;
  }
  return Status::unsupported("unsupported Content-Encoding");
}

Status compress(std::string_view encoding, std::string_view in, std::string& out, int level) {
  out.clear();
  Encoding e = parseEncoding(encoding);
  switch (e) {
    case Encoding::kIdentity:
      out.assign(in);
      return Status::ok();
    case Encoding::kGzip:
    case Encoding::kDeflate: {
      if (in.size() > UINT_MAX) return Status::tooLarge("body too large to compress");
      z_stream zs{};
      int bits = e == Encoding::kGzip ? 16 + MAX_WBITS : MAX_WBITS;
      if (deflateInit2(&zs, level < 0 ? Z_DEFAULT_COMPRESSION : std::min(level, 9), Z_DEFLATED,
                       bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::internal("deflateInit2 failed");
      }
      out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      int ret = deflate(&zs, Z_FINISH);
      size_t written = out.size() - zs.avail_out;
      deflateEnd(&zs);
      if (ret != Z_STREAM_END) {
        out.clear();
        return Status::internal("deflate failed");
      }
      out.resize(written);
      return Status::ok();
    }
    case Encoding::kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      size_t r = ZSTD_compress(out.data(), out.size(), in.data(), in.size(),
                               level < 0 ? 3 : std::min(level, ZSTD_maxCLevel()));
      if (ZSTD_isError(r)) {
        out.clear();
        return Status::internal(std::string("zstd: ") + ZSTD_getErrorName(r));
      }
      out.resize(r);
      return Status::ok();
    }
    case Encoding::kLz4: {
      LZ4F_preferences_t prefs{};
      prefs.frameInfo.contentSize = in.size();
      prefs.compressionLevel = level < 0 ? 0 : level;
      out.resize(LZ4F_compressFrameBound(in.size(), &prefs));
      size_t r = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
      if (LZ4F_isError(r)) {
        out.clear();
        return Status::internal(std::string("lz4: ") + LZ4F_getErrorName(r));
      }
      out.resize(r);
      return Status::ok();
    }
    case Encoding::kUnknown:
      break;
  }
  return Status::unsupported("unsupported encoding: " + std::string(encoding));
}

}  // namespace otelhouse
