// CityHash128 as of CityHash v1.0.2, the exact version ClickHouse uses for
// the checksum of every compressed frame on the native protocol and on disk.
// Later CityHash releases changed the function; only this one matches.
// Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace otelhouse::clickhouse {

struct Hash128 {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const Hash128&) const = default;
};

Hash128 cityHash128(const char* data, size_t len);

}  // namespace otelhouse::clickhouse
