// ProtoWriter: appends protobuf wire format to a std::string. The receivers
// that translate another protocol (Fluent Forward, Datadog) build an OTLP
// Export*ServiceRequest with it and hand that to the pipeline, so every
// protocol meets the same decoder, processing and limits.
//
// Nested messages: begin(field) writes the tag and remembers where the body
// starts; end() measures the body and inserts its length varint there. The
// insert moves the body once per nesting level, which is fine for translated
// requests (a few KB) and keeps the output minimal and canonical (libprotobuf
// would write the same bytes for the same fields in the same order).
//
// Not thread-safe; one writer per request being built.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace otelhouse {

class ProtoWriter {
 public:
  explicit ProtoWriter(std::string& out) : out_(out) {}

  void varint(uint32_t field, uint64_t v) {
    tag(field, 0);
    rawVarint(v);
  }
  void sint64(uint32_t field, int64_t v) { varint(field, static_cast<uint64_t>(v)); }  // int64
  void boolean(uint32_t field, bool v) { varint(field, v ? 1 : 0); }
  void fixed64(uint32_t field, uint64_t v) {
    tag(field, 1);
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 8);
  }
  void fixed32(uint32_t field, uint32_t v) {
    tag(field, 5);
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 4);
  }
  void dbl(uint32_t field, double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    fixed64(field, bits);
  }
  void bytes(uint32_t field, std::string_view v) {
    tag(field, 2);
    rawVarint(v.size());
    out_.append(v);
  }
  void string(uint32_t field, std::string_view v) { bytes(field, v); }

  void begin(uint32_t field) {
    tag(field, 2);
    open_.push_back(out_.size());
  }
  void end() {
    size_t start = open_.back();
    open_.pop_back();
    uint64_t len = out_.size() - start;
    char b[10];
    size_t n = encodeVarint(len, b);
    out_.insert(start, b, n);
  }
  size_t depth() const { return open_.size(); }

 private:
  void tag(uint32_t field, uint32_t wire) { rawVarint((uint64_t{field} << 3) | wire); }
  void rawVarint(uint64_t v) {
    char b[10];
    out_.append(b, encodeVarint(v, b));
  }
  static size_t encodeVarint(uint64_t v, char* b) {
    size_t n = 0;
    while (v >= 0x80) {
      b[n++] = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    b[n++] = static_cast<char>(v);
    return n;
  }

  std::string& out_;
  std::vector<size_t> open_;
};

}  // namespace otelhouse
