// The on-disk layout of the write-ahead log.
//
// The WAL is a folder of segment files named after their sequence number
// (%020llu.wal), plus `id` (a random 128-bit hex string naming this WAL, part
// of every deduplication token).
//
// Format 2 (written since issue 12). A segment opens with the 8 bytes
// kWalSegmentHeader, then records, each framed so that recovery can find the
// next record after a corrupt one:
//
//   u32 sync      kWalSync: where a scan may find a record start
//   u32 length    bytes of the body
//   u32 body_crc  crc32 of the body
//   u32 head_crc  crc32 of the 12 bytes before: a corrupt length is caught
//                 before it is believed
//   body: u8 type (1 data, 2 batch intent, 3 batch done), u64 lsn, then
//     data:   u16 table length, table, u32 rows, Native block (rest)
//     intent: u16 table length, table, u32 n, n x u64 data LSN
//     done:   u64 intent LSN
//
// Recovery rules: a record whose head is valid but whose body fails its
// checksum costs exactly its own bytes (its length is trusted, checked by
// head_crc); a head that is not valid is skipped by scanning forward for the
// next sync word with a valid head and body. Bytes skipped either way are
// quarantined. At the end of the newest segment, bytes after the last valid
// record with no valid record after them are a torn tail and are cut. (A
// scan could take a frame embedded in a record's payload for a real one; it
// only scans after a corrupt head, and the frame must pass both checksums.)
//
// Format 1 (segments written before): no segment header; a record is
// u32 crc32 (of everything after it), u32 length, then the same body.
// Recovery still reads it and stops at its first invalid record, cutting
// the rest, as it always did. A segment is format 2 exactly when it starts
// with kWalSegmentHeader (a format-1 segment could only start so with a first
// record of exactly 167,903,308 bytes whose crc happens to read "OHWA").
//
// All integers little-endian.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otelhouse {

enum class WalRecordType : uint8_t { kData = 1, kIntent = 2, kDone = 3 };

inline constexpr std::string_view kWalSegmentHeader{"OHWAL\x00\x02\n", 8};
inline constexpr uint32_t kWalSync = 0x57a1c0deu;
inline constexpr size_t kWalHeadBytes = 16;             // sync + length + 2 crcs
inline constexpr size_t kWalMaxRecordBytes = 1u << 30;  // sanity bound when reading
inline constexpr size_t kWalV1PrefixBytes = 8;          // format 1: crc + length

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

enum class WalFrame {
  kValid,      // *out filled; *size bytes
  kCorrupt,    // the head is valid, the body is not: skip *size bytes
  kTruncated,  // a valid head (or less than one) whose record runs past the end
  kNoFrame,    // no valid head here
};

// Reads the format-2 record at `at`.
WalFrame walDecode(std::string_view bytes, size_t at, WalDecoded* out, size_t* size);
// The first offset at or after `from` where a format-2 record decodes as
// valid; std::string_view::npos if none.
size_t walFindRecord(std::string_view bytes, size_t from);

// Reads the format-1 record at `at`; returns its total size, or 0 when the
// bytes there are not a complete, valid record.
size_t walDecodeV1(std::string_view bytes, size_t at, WalDecoded* out);

}  // namespace otelhouse
