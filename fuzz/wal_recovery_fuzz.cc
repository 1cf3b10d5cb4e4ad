// libFuzzer target for WAL recovery: the input becomes up to three segment
// files in a fresh folder, then Wal::open() recovers them. Must never crash,
// and every record it reports must verify: a data record whose checksum
// matches in the file as written, at the offset, with the LSN, table, rows
// and size recovery gave, and Wal::read() must return exactly its bytes.
//
// Input: byte 0 picks 1..3 segments (byte 0 % 3) and, with bit 2 set, has
// the checksums of every framed record recomputed (format 1, or format 2 when
// the segment starts with its header), so random record bodies get past the
// CRC and reach the parsing of types, tables and LSN lists and the scan for
// the next record;
// each segment but the last is preceded by a u16 little-endian length; the
// last takes the rest.
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

#include "common/log.h"
#include "wal/wal.h"
#include "wal/wal_format.h"

namespace {

uint32_t crcOf(const char* p, size_t n) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

// Rewrites the checksums of each record the length fields frame, as a writer
// would (format 2 also gets its sync word).
void fixChecksums(std::string& segment) {
  using otelhouse::kWalSegmentHeader;
  if (segment.compare(0, kWalSegmentHeader.size(), kWalSegmentHeader) == 0) {
    size_t at = kWalSegmentHeader.size();
    while (at + otelhouse::kWalHeadBytes <= segment.size()) {
      uint32_t length;
      std::memcpy(&length, segment.data() + at + 4, 4);
      if (length > segment.size() - at - otelhouse::kWalHeadBytes) break;
      std::memcpy(segment.data() + at, &otelhouse::kWalSync, 4);
      const uint32_t body = crcOf(segment.data() + at + otelhouse::kWalHeadBytes, length);
      std::memcpy(segment.data() + at + 8, &body, 4);
      const uint32_t head = crcOf(segment.data() + at, 12);
      std::memcpy(segment.data() + at + 12, &head, 4);
      at += otelhouse::kWalHeadBytes + length;
    }
    return;
  }
  size_t at = 0;
  while (at + otelhouse::kWalV1PrefixBytes <= segment.size()) {
    uint32_t length;
    std::memcpy(&length, segment.data() + at + 4, 4);
    if (length > segment.size() - at - otelhouse::kWalV1PrefixBytes) break;
    const uint32_t crc = crcOf(segment.data() + at + 4, length + 4);
    std::memcpy(segment.data() + at, &crc, 4);
    at += otelhouse::kWalV1PrefixBytes + length;
  }
}

void removeDir(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      const std::string path = dir + "/" + name;
      if (name != "." && name != ".." && unlink(path.c_str()) != 0) removeDir(path);  // dead-letters
    }
    closedir(d);
  }
  rmdir(dir.c_str());
}

// The data record of `segment` whose Native block starts at `offset`: in
// format 2 any valid record there (recovery may have skipped damage before
// it), in format 1 found by walking the valid records from the start.
bool findDataRecord(std::string_view segment, uint64_t offset, otelhouse::WalDecoded* out) {
  using otelhouse::kWalSegmentHeader;
  if (segment.substr(0, kWalSegmentHeader.size()) == kWalSegmentHeader) {
    for (size_t at = kWalSegmentHeader.size(); at < offset; ++at) {
      size_t n = 0;
      if (otelhouse::walDecode(segment, at, out, &n) == otelhouse::WalFrame::kValid &&
          out->type == otelhouse::WalRecordType::kData &&
          static_cast<uint64_t>(out->payload.data() - segment.data()) == offset)
        return true;
    }
    return false;
  }
  size_t at = 0;
  while (at < segment.size()) {
    size_t n = otelhouse::walDecodeV1(segment, at, out);
    if (n == 0) return false;
    if (out->type == otelhouse::WalRecordType::kData &&
        static_cast<uint64_t>(out->payload.data() - segment.data()) == offset)
      return true;
    at += n;
  }
  return false;
}

void verify(otelhouse::Wal& wal, const std::map<uint64_t, std::string>& segments,
            const otelhouse::WalDataRef& ref) {
  auto it = segments.find(ref.segment);
  if (it == segments.end()) std::abort();  // a record of a segment we never wrote
  otelhouse::WalDecoded rec;
  if (!findDataRecord(it->second, ref.offset, &rec)) std::abort();
  if (rec.lsn != ref.lsn || rec.table != ref.table || rec.rows != ref.rows ||
      rec.payload.size() != ref.size)
    std::abort();
  std::string read;
  if (!wal.read(ref, read).isOk() || read != rec.payload) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Recovery warns about every cut tail; at thousands of runs a second that
  // is all the fuzzer would print.
  otelhouse::setLogLevel(otelhouse::LogLevel::kError);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int count = 1 + data[0] % 3;
  std::map<uint64_t, std::string> segments;  // seq -> bytes as written
  uint64_t seq = 1;
  for (int i = 0; i < count; ++i) {
    size_t len = in.size();
    if (i + 1 < count) {
      if (in.size() < 2) break;
      len = static_cast<uint8_t>(in[0]) | (static_cast<size_t>(static_cast<uint8_t>(in[1])) << 8);
      in.remove_prefix(2);
      if (len > in.size()) len = in.size();
    }
    segments[seq] = std::string(in.substr(0, len));
    if (data[0] & 4) fixChecksums(segments[seq]);
    in.remove_prefix(len);
    seq += 1000;
  }

  char dir_template[] = "/tmp/wal_recovery_fuzz.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) return 0;
  for (const auto& [s, bytes] : segments) {
    char name[32];
    snprintf(name, sizeof(name), "%020llu.wal", static_cast<unsigned long long>(s));
    std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << bytes;
  }

  otelhouse::WalOptions options;
  options.dir = dir;
  options.fsync = false;
  options.dead_letter_dir = std::string(dir) + "/dead-letters";
  otelhouse::WalRecovery recovery;
  auto wal = otelhouse::Wal::open(options, &recovery);
  if (wal.isOk()) {
    for (const auto& ref : recovery.unbatched) verify(*wal.value(), segments, ref);
    for (const auto& batch : recovery.batches) {
      for (const auto& ref : batch.records) verify(*wal.value(), segments, ref);
    }
    wal.value().reset();
  }
  removeDir(dir);
  return 0;
}
