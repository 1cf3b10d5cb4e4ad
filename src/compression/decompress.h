// decompress: bounded decoding of HTTP Content-Encoding bodies.
//
// The output never grows past `limit` bytes (plus nothing: the buffer is sized
// to at most limit + 1 to notice the overflow), however small and hostile the
// input: a gzip or zstd bomb stops at the limit with kTooLarge and no further
// inflating. Encodings, compared case-insensitively:
//   ""/"identity"/"none"  copied as is (still limited);
//   "gzip"/"x-gzip"       one or more concatenated gzip members (RFC 1952);
//   "deflate"/"zlib"      a zlib stream (RFC 1950), as the collector reads it;
//                         raw deflate (RFC 1951) is accepted too, since some
//                         clients send that under the name "deflate";
//   "zstd"                one or more frames, with or without a content size;
//                         windows above 128 MiB are refused;
//   "lz4"                 one or more LZ4 frames (ClickHouse's HTTP lz4).
// Errors: kTooLarge over the limit, kInvalidArgument for corrupt or truncated
// input (message says what is wrong), kUnsupported for another encoding. An
// empty input decodes to an empty output for every encoding. On error `out`
// is left empty.
//
// Thread-safety: stateless, callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace otelhouse {

Status decompress(std::string_view encoding, std::string_view in, size_t limit,
                  std::string& out);

// True for every encoding decompress() accepts.
bool isSupportedEncoding(std::string_view encoding);
// True for "", "identity" and "none": the body is used as sent.
bool isIdentityEncoding(std::string_view encoding);

// The reverse, for responses and tests: "gzip", "deflate" (zlib), "zstd", "lz4", or
// identity. level < 0 picks the library default. kUnsupported otherwise.
Status compress(std::string_view encoding, std::string_view in, std::string& out, int level = -1);

}  // namespace otelhouse
