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

// Reserves the prefix, lets `body` append, then fills length and checksum.
template <class F>
void frame(std::string& out, WalRecordType type, uint64_t lsn, F&& body) {
  const size_t start = out.size();
  out.append(kWalPrefixBytes, '\0');
  out.push_back(static_cast<char>(type));
  put(out, lsn);
  body();
  const uint32_t length = static_cast<uint32_t>(out.size() - start - kWalPrefixBytes);
  std::memcpy(out.data() + start + 4, &length, 4);
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(out.data() + start + 4), length + 4));
  std::memcpy(out.data() + start, &crc, 4);
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

size_t walDecode(std::string_view s, size_t at, WalDecoded* out) {
  uint32_t crc, length;
  size_t p = at;
  if (!get(s, p, &crc) || !get(s, p, &length)) return 0;
  if (length < 9 || length > kWalMaxRecordBytes || s.size() - p < length) return 0;
  const uint32_t actual = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(s.data() + at + 4), length + 4));
  if (actual != crc) return 0;
  const std::string_view body = s.substr(0, p + length);
  uint8_t type = 0;
  get(body, p, &type);
  get(body, p, &out->lsn);
  out->lsns.clear();
  switch (static_cast<WalRecordType>(type)) {
    case WalRecordType::kData:
      out->type = WalRecordType::kData;
      if (!getTable(body, p, &out->table) || !get(body, p, &out->rows)) return 0;
      out->payload = body.substr(p);
      break;
    case WalRecordType::kIntent: {
      out->type = WalRecordType::kIntent;
      uint32_t n;
      if (!getTable(body, p, &out->table) || !get(body, p, &n)) return 0;
      if ((body.size() - p) / 8 < n) return 0;
      out->lsns.resize(n);
      for (uint32_t i = 0; i < n; ++i) get(body, p, &out->lsns[i]);
      break;
    }
    case WalRecordType::kDone:
      out->type = WalRecordType::kDone;
      if (!get(body, p, &out->intent_lsn)) return 0;
      break;
    default:
      return 0;
  }
  return kWalPrefixBytes + length;
}

}  // namespace otelhouse
