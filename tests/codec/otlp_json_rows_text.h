// Test helper: renders ClickHouse Native blocks (what the row builders
// encode) as TSV text, one line per row, columns in block order, so tests can
// compare decoded rows with expected text and golden `.reference` files.
//
// Rendering: integers and DateTime64(9) (raw nanoseconds) in decimal, Bool as
// true/false, Float64 in the shortest round-trip form (nan, inf, -inf), top-level
// strings TSV-escaped (\\ \t \n \r \0), strings inside arrays and maps quoted
// with '...' and \\ \' escaped, arrays as [a,b], maps as {'k':'v'}.
// Only the types the OTLP tables use are known; anything else fails the test.
#pragma once

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace otelhouse::testing {

class NativeText {
 public:
  explicit NativeText(std::string_view native) : in_(native) {}

  // All rows of all blocks; each row's cells joined with tabs.
  std::vector<std::string> rows() {
    std::vector<std::string> out;
    while (pos_ < in_.size() && ok_) {
      const uint64_t columns = varint();
      const uint64_t n = varint();
      std::vector<std::string> lines(n);
      for (uint64_t c = 0; c < columns && ok_; ++c) {
        string();  // name
        const std::string type(string());
        std::vector<std::string> cells = column(type, n, true);
        for (uint64_t r = 0; r < n && r < cells.size(); ++r) {
          if (c) lines[r] += '\t';
          lines[r] += cells[r];
        }
      }
      for (auto& l : lines) out.push_back(std::move(l));
    }
    EXPECT_TRUE(ok_) << "bad Native block at byte " << pos_;
    return out;
  }

  // Column names of the first block, in order.
  std::vector<std::string> names() {
    std::vector<std::string> out;
    pos_ = 0;
    if (in_.empty()) return out;
    const uint64_t columns = varint();
    const uint64_t n = varint();
    for (uint64_t c = 0; c < columns && ok_; ++c) {
      out.emplace_back(string());
      const std::string type(string());
      column(type, n, true);
    }
    pos_ = 0;
    return out;
  }

 private:
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) {
        ok_ = false;
        return 0;
      }
      const auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    ok_ = false;
    return 0;
  }

  std::string_view string() {
    const uint64_t n = varint();
    if (n > in_.size() - pos_) {
      ok_ = false;
      pos_ = in_.size();
      return {};
    }
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }

  template <class T>
  T fixed() {
    T v{};
    if (sizeof(T) > in_.size() - pos_) {
      ok_ = false;
      pos_ = in_.size();
      return v;
    }
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  static std::string escape(std::string_view s, bool quoted) {
    std::string out;
    if (quoted) out += '\'';
    for (char c : s) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\0': out += "\\0"; break;
        case '\'':
          out += quoted ? "\\'" : "'";
          break;
        default: out += c;
      }
    }
    if (quoted) out += '\'';
    return out;
  }

  static std::string dbl(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
  }

  std::vector<std::string> column(std::string_view type, uint64_t n, bool top) {
    std::vector<std::string> out;
    out.reserve(n);
    if (type == "String") {
      for (uint64_t i = 0; i < n && ok_; ++i) out.push_back(escape(string(), !top));
    } else if (type == "UInt64") {
      for (uint64_t i = 0; i < n; ++i) out.push_back(std::to_string(fixed<uint64_t>()));
    } else if (type == "Int64" || type == "DateTime64(9)") {
      for (uint64_t i = 0; i < n; ++i) out.push_back(std::to_string(fixed<int64_t>()));
    } else if (type == "UInt32") {
      for (uint64_t i = 0; i < n; ++i) out.push_back(std::to_string(fixed<uint32_t>()));
    } else if (type == "Int32") {
      for (uint64_t i = 0; i < n; ++i) out.push_back(std::to_string(fixed<int32_t>()));
    } else if (type == "UInt8") {
      for (uint64_t i = 0; i < n; ++i) out.push_back(std::to_string(fixed<uint8_t>()));
    } else if (type == "Bool") {
      for (uint64_t i = 0; i < n; ++i) out.push_back(fixed<uint8_t>() ? "true" : "false");
    } else if (type == "Float64") {
      for (uint64_t i = 0; i < n; ++i) out.push_back(dbl(fixed<double>()));
    } else if (type.starts_with("Array(") && type.ends_with(")")) {
      std::vector<uint64_t> offsets(n);
      for (auto& o : offsets) o = fixed<uint64_t>();
      const uint64_t total = n ? offsets.back() : 0;
      if (total > in_.size()) return fail(n);
      std::vector<std::string> inner = column(type.substr(6, type.size() - 7), total, false);
      uint64_t begin = 0;
      for (uint64_t i = 0; i < n && ok_; ++i) {
        std::string cell = "[";
        for (uint64_t j = begin; j < offsets[i] && j < inner.size(); ++j) {
          if (j > begin) cell += ',';
          cell += inner[j];
        }
        out.push_back(cell + "]");
        begin = offsets[i];
      }
    } else if (type == "Map(String, String)") {
      std::vector<uint64_t> offsets(n);
      for (auto& o : offsets) o = fixed<uint64_t>();
      const uint64_t total = n ? offsets.back() : 0;
      if (total > in_.size()) return fail(n);
      std::vector<std::string> keys = column("String", total, false);
      std::vector<std::string> values = column("String", total, false);
      uint64_t begin = 0;
      for (uint64_t i = 0; i < n && ok_; ++i) {
        std::string cell = "{";
        for (uint64_t j = begin; j < offsets[i] && j < keys.size() && j < values.size(); ++j) {
          if (j > begin) cell += ',';
          cell += keys[j] + ":" + values[j];
        }
        out.push_back(cell + "}");
        begin = offsets[i];
      }
    } else {
      ADD_FAILURE() << "unknown Native type " << type;
      return fail(n);
    }
    return out;
  }

  std::vector<std::string> fail(uint64_t n) {
    ok_ = false;
    pos_ = in_.size();
    return std::vector<std::string>(n > 1000000 ? 0 : n);
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

inline std::vector<std::string> nativeRows(std::string_view native) {
  return NativeText(native).rows();
}

}  // namespace otelhouse::testing
