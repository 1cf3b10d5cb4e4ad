// Column builders: the in-memory form of a batch of rows, laid out so that
// encoding a ClickHouse Native block is a sequence of memcpys.
//
// - StringColumn keeps its values already serialized as Native writes them
//   (varint length, then bytes), so appending is one copy and encoding none.
// - FixedColumn<T> is a little-endian array of T (x86-64 is little-endian, as
//   Native is).
// - MapColumn is Map(K, V): cumulative UInt64 offsets, then all keys, then all
//   values.
//
// Builders own their bytes; nothing here points into a request buffer, so a
// builder may outlive the request it was filled from. Not thread-safe: one
// builder belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace otelhouse {

inline void appendVarUInt(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

class StringColumn {
 public:
  void append(std::string_view v) {
    appendVarUInt(data_, v.size());
    data_.append(v.data(), v.size());
    ++rows_;
  }
  // Appends `count` values already serialized as varint+bytes.
  void appendSerialized(std::string_view bytes, size_t count) {
    data_.append(bytes.data(), bytes.size());
    rows_ += count;
  }
  // For values built in pieces: begin, write into the returned string, end.
  // The length prefix is reserved at a fixed width and patched at the end.
  size_t rows() const { return rows_; }
  const std::string& serialized() const { return data_; }
  void clear() {
    data_.clear();
    rows_ = 0;
  }
  void reserve(size_t bytes) { data_.reserve(bytes); }

 private:
  std::string data_;
  size_t rows_ = 0;
};

template <class T>
class FixedColumn {
 public:
  void append(T v) { values_.push_back(v); }
  size_t rows() const { return values_.size(); }
  const std::vector<T>& values() const { return values_; }
  std::string_view serialized() const {
    return {reinterpret_cast<const char*>(values_.data()), values_.size() * sizeof(T)};
  }
  void clear() { values_.clear(); }
  void reserve(size_t n) { values_.reserve(n); }

 private:
  std::vector<T> values_;
};

class MapColumn {
 public:
  // Appends one row whose entries are already serialized (see StringColumn).
  void appendRow(std::string_view keys, std::string_view values, size_t entries) {
    keys_.appendSerialized(keys, entries);
    values_.appendSerialized(values, entries);
    total_ += entries;
    offsets_.append(total_);
  }
  // Appends one row entry by entry: addEntry()..., then endRow().
  void addEntry(std::string_view key, std::string_view value) {
    keys_.append(key);
    values_.append(value);
    ++total_;
  }
  void endRow() { offsets_.append(total_); }

  size_t rows() const { return offsets_.rows(); }
  const FixedColumn<uint64_t>& offsets() const { return offsets_; }
  const StringColumn& keys() const { return keys_; }
  const StringColumn& values() const { return values_; }
  void clear() {
    offsets_.clear();
    keys_.clear();
    values_.clear();
    total_ = 0;
  }

 private:
  FixedColumn<uint64_t> offsets_;
  StringColumn keys_;
  StringColumn values_;
  uint64_t total_ = 0;
};

// Array(T) of a fixed-width T: cumulative UInt64 offsets, then all elements.
// Append elements with add(), close each row with endRow().
template <class T>
class ArrayColumn {
 public:
  void add(T v) { data_.append(v); }
  void endRow() { offsets_.append(data_.rows()); }
  size_t rows() const { return offsets_.rows(); }
  const FixedColumn<uint64_t>& offsets() const { return offsets_; }
  const FixedColumn<T>& data() const { return data_; }
  void clear() {
    offsets_.clear();
    data_.clear();
  }

 private:
  FixedColumn<uint64_t> offsets_;
  FixedColumn<T> data_;
};

// Array(String).
class ArrayStringColumn {
 public:
  void add(std::string_view v) { data_.append(v); }
  void endRow() { offsets_.append(data_.rows()); }
  size_t rows() const { return offsets_.rows(); }
  const FixedColumn<uint64_t>& offsets() const { return offsets_; }
  const StringColumn& data() const { return data_; }
  void clear() {
    offsets_.clear();
    data_.clear();
  }

 private:
  FixedColumn<uint64_t> offsets_;
  StringColumn data_;
};

// Array(Map(String, String)): one map per element. Build an element with
// element().addEntry()... then element().endRow(); close the row with endRow().
class ArrayMapColumn {
 public:
  MapColumn& element() { return data_; }
  void endRow() { offsets_.append(data_.rows()); }
  size_t rows() const { return offsets_.rows(); }
  const FixedColumn<uint64_t>& offsets() const { return offsets_; }
  const MapColumn& data() const { return data_; }
  void clear() {
    offsets_.clear();
    data_.clear();
  }

 private:
  FixedColumn<uint64_t> offsets_;
  MapColumn data_;
};

}  // namespace otelhouse
