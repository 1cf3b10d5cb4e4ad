// The on-disk layout of the write-ahead log.
//
// The WAL is a folder of segment files named after their first record's LSN
// (%020llu.wal), plus `id` (a random 128-bit hex string naming this WAL, part
// of every deduplication token). A segment is a sequence of records:
//
//   u32 crc32     of every byte after this field, to the end of the record
//   u32 length    bytes after this 8-byte prefix
//   u8  type      1 data, 2 batch intent, 3 batch done
//   u64 lsn       strictly increasing across the WAL, never reused
//   data:   u16 table length, table, u32 rows, Native block (rest)
//   intent: u16 table length, table, u32 n, n x u64 data LSN
//   done:   u64 intent LSN
//
// All integers little-endian. A record is valid only when complete and its
// checksum matches; recovery stops reading a segment at the first invalid
// record and cuts the file there (a torn tail after a crash).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otelhouse {

enum class WalRecordType : uint8_t { kData = 1, kIntent = 2, kDone = 3 };

inline constexpr size_t kWalPrefixBytes = 8;            // crc + length
inline constexpr size_t kWalMaxRecordBytes = 1u << 30;  // sanity bound when reading

struct WalDecoded {
  WalRecordType type;
  uint64_t lsn = 0;
  std::string_view table;     // data, intent
  uint32_t rows = 0;          // data
  std::string_view payload;   // data: the Native block
  std::vector<uint64_t> lsns; // intent
  uint64_t intent_lsn = 0;    // done
};

void walEncodeData(std::string& out, uint64_t lsn, std::string_view table, uint32_t rows,
                   std::string_view native);
void walEncodeIntent(std::string& out, uint64_t lsn, std::string_view table,
                     const std::vector<uint64_t>& lsns);
void walEncodeDone(std::string& out, uint64_t lsn, uint64_t intent_lsn);

// Reads the record at `at`; returns its total size, or 0 when the bytes there
// are not a complete, valid record.
size_t walDecode(std::string_view bytes, size_t at, WalDecoded* out);

}  // namespace otelhouse
