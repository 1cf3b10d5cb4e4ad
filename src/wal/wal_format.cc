#include "wal/wal_format.h"

#include <zlib.h>

#include <cstring>

namespace otelhouse {
namespace {

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <class T>
bool get(std::string_view s, size_t& at, T* v) {
  if (s.size() - at < sizeof(T)) return false;
  std::memcpy(v, s.data() + at, sizeof(T));
  at += sizeof(T);
  return true;
}

uint32_t crc(const char* p, size_t n) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

// Reserves the head, lets `body` append, then fills length and checksums.
template <class F>
void frame(std::string& out, WalRecordType type, uint64_t lsn, F&& body) {
  const size_t start = out.size();
  out.append(kWalHeadBytes, '\0');
  out.push_back(static_cast<char>(type));
  put(out, lsn);
  body();
  const uint32_t length = static_cast<uint32_t>(out.size() - start - kWalHeadBytes);
  const uint32_t body_crc = crc(out.data() + start + kWalHeadBytes, length);
  char* head = out.data() + start;
  std::memcpy(head, &kWalSync, 4);
  std::memcpy(head + 4, &length, 4);
  std::memcpy(head + 8, &body_crc, 4);
  const uint32_t head_crc = crc(head, 12);
  std::memcpy(head + 12, &head_crc, 4);
}

void putTable(std::string& out, std::string_view table) {
  put(out, static_cast<uint16_t>(table.size()));
  out.append(table.data(), table.size());
}

bool getTable(std::string_view s, size_t& at, std::string_view* table) {
  uint16_t n;
  if (!get(s, at, &n) || s.size() - at < n) return false;
  *table = s.substr(at, n);
  at += n;
  return true;
}

}  // namespace

void walEncodeData(std::string& out, uint64_t lsn, std::string_view table, uint32_t rows,
                   std::string_view native) {
  frame(out, WalRecordType::kData, lsn, [&] {
    putTable(out, table);
    put(out, rows);
    out.append(native.data(), native.size());
  });
}

void walEncodeIntent(std::string& out, uint64_t lsn, std::string_view table,
                     const std::vector<uint64_t>& lsns) {
  frame(out, WalRecordType::kIntent, lsn, [&] {
    putTable(out, table);
    put(out, static_cast<uint32_t>(lsns.size()));
    for (uint64_t l : lsns) put(out, l);
  });
}

void walEncodeDone(std::string& out, uint64_t lsn, uint64_t intent_lsn) {
  frame(out, WalRecordType::kDone, lsn, [&] { put(out, intent_lsn); });
}

namespace {

// Parses a checked body (type onward); false when its fields do not fit.
bool parseBody(std::string_view body, WalDecoded* out) {
  size_t p = 0;
  uint8_t type = 0;
  if (!get(body, p, &type) || !get(body, p, &out->lsn)) return false;
  out->lsns.clear();
  switch (static_cast<WalRecordType>(type)) {
    case WalRecordType::kData:
      out->type = WalRecordType::kData;
      if (!getTable(body, p, &out->table) || !get(body, p, &out->rows)) return false;
      out->payload = body.substr(p);
      return true;
    case WalRecordType::kIntent: {
      out->type = WalRecordType::kIntent;
      uint32_t n;
      if (!getTable(body, p, &out->table) || !get(body, p, &n)) return false;
      if ((body.size() - p) / 8 < n) return false;
      out->lsns.resize(n);
      for (uint32_t i = 0; i < n; ++i) get(body, p, &out->lsns[i]);
      return true;
    }
    case WalRecordType::kDone:
      out->type = WalRecordType::kDone;
      return get(body, p, &out->intent_lsn);
    default:
      return false;
  }
}

}  // namespace

WalFrame walDecode(std::string_view s, size_t at, WalDecoded* out, size_t* size) {
  if (at >= s.size()) return WalFrame::kNoFrame;
  const size_t left = s.size() - at;
  if (left < kWalHeadBytes) {
    // A head cut short is a torn tail if what is there could be its start.
    uint32_t sync = kWalSync;
    const size_t n = left < 4 ? left : 4;
    return std::memcmp(s.data() + at, &sync, n) == 0 ? WalFrame::kTruncated : WalFrame::kNoFrame;
  }
  uint32_t sync = 0, length = 0, body_crc = 0, head_crc = 0;
  size_t p = at;
  get(s, p, &sync);
  get(s, p, &length);
  get(s, p, &body_crc);
  get(s, p, &head_crc);
  if (sync != kWalSync || head_crc != crc(s.data() + at, 12)) return WalFrame::kNoFrame;
  if (length > kWalMaxRecordBytes) return WalFrame::kNoFrame;
  if (left - kWalHeadBytes < length) return WalFrame::kTruncated;
  *size = kWalHeadBytes + length;
  const std::string_view body = s.substr(p, length);
  if (crc(body.data(), body.size()) != body_crc || !parseBody(body, out)) return WalFrame::kCorrupt;
  return WalFrame::kValid;
}

size_t walFindRecord(std::string_view s, size_t from) {
  char sync[4];
  std::memcpy(sync, &kWalSync, 4);
  const std::string_view needle(sync, 4);
  WalDecoded scratch;
  size_t size = 0;
  for (size_t at = s.find(needle, from); at != std::string_view::npos; at = s.find(needle, at + 1))
    if (walDecode(s, at, &scratch, &size) == WalFrame::kValid) return at;
  return std::string_view::npos;
}

size_t walDecodeV1(std::string_view s, size_t at, WalDecoded* out) {
  uint32_t crc_stored = 0, length = 0;
  size_t p = at;
  if (!get(s, p, &crc_stored) || !get(s, p, &length)) return 0;
  if (length < 9 || length > kWalMaxRecordBytes || s.size() - p < length) return 0;
  if (crc(s.data() + at + 4, length + 4) != crc_stored) return 0;
  if (!parseBody(s.substr(p, length), out)) return 0;
  return kWalV1PrefixBytes + length;
}

}  // namespace otelhouse
