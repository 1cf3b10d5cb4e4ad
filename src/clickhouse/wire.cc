#include "clickhouse/wire.h"

#include <algorithm>

namespace otelhouse::clickhouse {

Status Input::need(size_t n) {
  if (data_.size() - pos_ >= n) return Status::ok();
  if (source_ == nullptr) {
    return Status::invalid("truncated input: need " + std::to_string(n) + " bytes at offset " +
                           std::to_string(consumed_) + ", have " +
                           std::to_string(data_.size() - pos_));
  }
  // Keep only the unread bytes, then pull until enough are buffered.
  size_t keep_from = pos_;
  if (capture_from_ != kNoCapture) keep_from = static_cast<size_t>(capture_from_ - base_);
  owned_.erase(0, keep_from);
  pos_ -= keep_from;
  base_ += keep_from;
  while (owned_.size() - pos_ < n) {
    Status st = source_->readSome(&owned_);
    if (!st.isOk()) {
      data_ = owned_;
      return st;
    }
  }
  data_ = owned_;
  return Status::ok();
}

Status Input::skip(size_t n) {
  if (source_ == nullptr || n <= buffered()) {
    Status st = need(n);
    if (!st.isOk()) return st;
    advance(n);
    return Status::ok();
  }
  // From a source, skip in pieces so a large skip needs no large buffer.
  while (n > 0) {
    size_t step = std::min<size_t>(n, 1 << 20);
    Status st = need(step);
    if (!st.isOk()) return st;
    advance(step);
    n -= step;
  }
  return Status::ok();
}

Status Input::readVarUInt(uint64_t* v) {
  uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    Status st = need(1);
    if (!st.isOk()) return st;
    uint8_t byte = static_cast<uint8_t>(*cur());
    advance(1);
    if (i == 9 && byte > 1) break;  // more than 64 bits
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      return Status::ok();
    }
  }
  return Status::invalid("malformed varint at offset " + std::to_string(consumed_));
}

Status Input::readString(std::string_view* s) {
  uint64_t len = 0;
  Status st = readVarUInt(&len);
  if (!st.isOk()) return st;
  if (len > kMaxLength) {
    return Status::invalid("string length " + std::to_string(len) + " too large at offset " +
                           std::to_string(consumed_));
  }
  st = need(static_cast<size_t>(len));
  if (!st.isOk()) return st;
  *s = std::string_view(cur(), static_cast<size_t>(len));
  advance(static_cast<size_t>(len));
  return Status::ok();
}

Status Input::readString(std::string* s) {
  std::string_view v;
  Status st = readString(&v);
  if (st.isOk()) s->assign(v.data(), v.size());
  return st;
}

Status Input::readBytes(size_t n, std::string* out) {
  if (n > kMaxLength) return Status::invalid("length too large");
  Status st = need(n);
  if (!st.isOk()) return st;
  out->assign(cur(), n);
  advance(n);
  return Status::ok();
}

}  // namespace otelhouse::clickhouse
