// Wire primitives of the ClickHouse native protocol: LEB128 varints,
// length-prefixed strings, little-endian fixed-width integers.
//
// Writing appends to a std::string. Reading goes through Input, a cursor over
// bytes that may come from memory (a Native stream: running out is a
// truncation error) or from a Source (a socket or a decompressor, asked for
// more bytes on demand). Every read checks bounds and returns a Status; bad
// input is an error, never a crash. Views returned by Input stay valid until
// the next read that needs more bytes from the Source (memory inputs: as long
// as the memory).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/status.h"

namespace otelhouse::clickhouse {

inline void putVarUInt(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline void putString(std::string& out, std::string_view s) {
  putVarUInt(out, s.size());
  out.append(s.data(), s.size());
}
template <class T>
inline void putFixed(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

// Supplies more bytes to an Input (a socket, a decompressing reader).
class Source {
 public:
  virtual ~Source() = default;
  // Appends at least one byte to *out, or fails (closed, timeout, corrupt).
  virtual Status readSome(std::string* out) = 0;
};

class Input {
 public:
  // Over memory the caller keeps alive.
  explicit Input(std::string_view data) : data_(data) {}
  // Over a source; bytes are buffered inside.
  explicit Input(Source* source) : source_(source) {}

  // Makes n bytes available at cur().
  Status need(size_t n);
  const char* cur() const { return data_.data() + pos_; }
  void advance(size_t n) { pos_ += n; consumed_ += n; }
  // Bytes consumed since construction (a memory input: the offset).
  uint64_t consumed() const { return consumed_; }
  bool atEnd() const { return source_ == nullptr && pos_ == data_.size(); }
  // Keeps every byte from consumed() on buffered until endCapture(), so
  // bytesSince() can return them in one piece.
  void beginCapture() { capture_from_ = consumed_; }
  void endCapture() { capture_from_ = kNoCapture; }
  // The bytes from absolute offset `from` (inside the capture) to consumed().
  std::string_view bytesSince(uint64_t from) const {
    return std::string_view(data_.data() + (from - base_), static_cast<size_t>(consumed_ - from));
  }
  size_t buffered() const { return data_.size() - pos_; }

  Status skip(size_t n);
  Status readVarUInt(uint64_t* v);
  Status readString(std::string_view* s);  // view valid until the next need()
  Status readString(std::string* s);
  Status readBytes(size_t n, std::string* out);
  template <class T>
  Status readFixed(T* v) {
    Status st = need(sizeof(T));
    if (!st.isOk()) return st;
    std::memcpy(v, cur(), sizeof(T));
    advance(sizeof(T));
    return Status::ok();
  }

  // The limit on one string or one skip, so corrupt lengths fail fast
  // instead of allocating (the server's own limit is 1 GiB for strings).
  static constexpr uint64_t kMaxLength = uint64_t{1} << 30;

 private:
  std::string_view data_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;
  uint64_t base_ = 0;  // absolute offset of data_[0]
  static constexpr uint64_t kNoCapture = ~uint64_t{0};
  uint64_t capture_from_ = kNoCapture;
  Source* source_ = nullptr;
  std::string owned_;
};

}  // namespace otelhouse::clickhouse
