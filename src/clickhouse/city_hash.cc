#include "clickhouse/city_hash.h"

#include <cstring>
#include <utility>

namespace otelhouse::clickhouse {
namespace {

constexpr uint64_t k0 = 0xc3a5c85c97cb3127ULL;
constexpr uint64_t k1 = 0xb492b66fbe98f273ULL;
constexpr uint64_t k2 = 0x9ae16a3b2f90404fULL;
constexpr uint64_t k3 = 0xc949d7c7509e6557ULL;

uint64_t fetch64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only, as ClickHouse itself
}
uint32_t fetch32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t rotate(uint64_t v, int shift) { return shift == 0 ? v : (v >> shift) | (v << (64 - shift)); }
uint64_t rotateByAtLeast1(uint64_t v, int shift) { return (v >> shift) | (v << (64 - shift)); }
uint64_t shiftMix(uint64_t v) { return v ^ (v >> 47); }

uint64_t hashLen16(uint64_t u, uint64_t v) {
  constexpr uint64_t kMul = 0x9ddfea08eb382d69ULL;
  uint64_t a = (u ^ v) * kMul;
  a ^= (a >> 47);
  uint64_t b = (v ^ a) * kMul;
  b ^= (b >> 47);
  b *= kMul;
  return b;
}

uint64_t hashLen0to16(const char* s, size_t len) {
  if (len > 8) {
    uint64_t a = fetch64(s);
    uint64_t b = fetch64(s + len - 8);
    return hashLen16(a, rotateByAtLeast1(b + len, static_cast<int>(len))) ^ b;
  }
  if (len >= 4) {
    uint64_t a = fetch32(s);
    return hashLen16(len + (a << 3), fetch32(s + len - 4));
  }
  if (len > 0) {
    uint8_t a = static_cast<uint8_t>(s[0]);
    uint8_t b = static_cast<uint8_t>(s[len >> 1]);
    uint8_t c = static_cast<uint8_t>(s[len - 1]);
    uint32_t y = static_cast<uint32_t>(a) + (static_cast<uint32_t>(b) << 8);
    uint32_t z = static_cast<uint32_t>(len) + (static_cast<uint32_t>(c) << 2);
    return shiftMix(y * k2 ^ z * k3) * k2;
  }
  return k2;
}

Hash128 cityMurmur(const char* s, size_t len, Hash128 seed) {
  uint64_t a = seed.low;
  uint64_t b = seed.high;
  uint64_t c = 0;
  uint64_t d = 0;
  long l = static_cast<long>(len) - 16;
  if (l <= 0) {
    a = shiftMix(a * k1) * k1;
    c = b * k1 + hashLen0to16(s, len);
    d = shiftMix(a + (len >= 8 ? fetch64(s) : c));
  } else {
    c = hashLen16(fetch64(s + len - 8) + k1, a);
    d = hashLen16(b + len, c + fetch64(s + len - 16));
    a += d;
    do {
      a ^= shiftMix(fetch64(s) * k1) * k1;
      a *= k1;
      b ^= a;
      c ^= shiftMix(fetch64(s + 8) * k1) * k1;
      c *= k1;
      d ^= c;
      s += 16;
      l -= 16;
    } while (l > 0);
  }
  a = hashLen16(a, c);
  b = hashLen16(d, b);
  return {a ^ b, hashLen16(b, a)};
}

std::pair<uint64_t, uint64_t> weakHashLen32WithSeeds(uint64_t w, uint64_t x, uint64_t y, uint64_t z,
                                                     uint64_t a, uint64_t b) {
  a += w;
  b = rotate(b + a + z, 21);
  uint64_t c = a;
  a += x;
  a += y;
  b += rotate(a, 44);
  return {a + z, b + c};
}

std::pair<uint64_t, uint64_t> weakHashLen32WithSeeds(const char* s, uint64_t a, uint64_t b) {
  return weakHashLen32WithSeeds(fetch64(s), fetch64(s + 8), fetch64(s + 16), fetch64(s + 24), a, b);
}

Hash128 cityHash128WithSeed(const char* s, size_t len, Hash128 seed) {
  if (len < 128) return cityMurmur(s, len, seed);
  std::pair<uint64_t, uint64_t> v, w;
  uint64_t x = seed.low;
  uint64_t y = seed.high;
  uint64_t z = len * k1;
  v.first = rotate(y ^ k1, 49) * k1 + fetch64(s);
  v.second = rotate(v.first, 42) * k1 + fetch64(s + 8);
  w.first = rotate(y + z, 35) * k1 + x;
  w.second = rotate(x + fetch64(s + 88), 53) * k1;
  do {
    for (int half = 0; half < 2; ++half) {
      x = rotate(x + y + v.first + fetch64(s + 16), 37) * k1;
      y = rotate(y + v.second + fetch64(s + 48), 42) * k1;
      x ^= w.second;
      y ^= v.first;
      z = rotate(z ^ w.first, 33);
      v = weakHashLen32WithSeeds(s, v.second * k1, x + w.first);
      w = weakHashLen32WithSeeds(s + 32, z + w.second, y);
      std::swap(z, x);
      s += 64;
    }
    len -= 128;
  } while (len >= 128);
  y += rotate(w.first, 37) * k0 + z;
  x += rotate(v.first + z, 49) * k0;
  for (size_t tail_done = 0; tail_done < len;) {
    tail_done += 32;
    y = rotate(y - x, 42) * k0 + v.second;
    w.first += fetch64(s + len - tail_done + 16);
    x = rotate(x, 49) * k0 + w.first;
    w.first += v.first;
    v = weakHashLen32WithSeeds(s + len - tail_done, v.first, v.second);
  }
  x = hashLen16(x, v.first);
  y = hashLen16(y, w.first);
  return {hashLen16(x + v.second, w.second) + y, hashLen16(x + w.second, y + v.second)};
}

}  // namespace

Hash128 cityHash128(const char* s, size_t len) {
  if (len >= 16) {
    return cityHash128WithSeed(s + 16, len - 16, {fetch64(s) ^ k3, fetch64(s + 8)});
  }
  if (len >= 8) {
    return cityHash128WithSeed(nullptr, 0, {fetch64(s) ^ (len * k0), fetch64(s + len - 8) ^ k1});
  }
  return cityHash128WithSeed(s, len, {k0, k1});
}

}  // namespace otelhouse::clickhouse
