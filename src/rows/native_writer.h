// Writes ClickHouse Native format blocks (the format of `FORMAT Native` over
// HTTP and of chDB's Native input; revision 0, so no block info and no custom
// serialization flags):
//
//   block  := varuint(num_columns) varuint(num_rows) column*
//   column := string(name) string(type) data
//
// A Native stream is a concatenation of blocks, so batches are built by
// appending encoded blocks, never by re-encoding.
#pragma once

#include <string>
#include <string_view>

#include "rows/columns.h"

namespace otelhouse {

class NativeWriter {
 public:
  explicit NativeWriter(std::string& out) : out_(out) {}

  void beginBlock(size_t columns, size_t rows) {
    appendVarUInt(out_, columns);
    appendVarUInt(out_, rows);
  }
  void columnHeader(std::string_view name, std::string_view type) {
    writeString(name);
    writeString(type);
  }
  void raw(std::string_view bytes) { out_.append(bytes.data(), bytes.size()); }

  void column(std::string_view name, std::string_view type, const StringColumn& c) {
    columnHeader(name, type);
    raw(c.serialized());
  }
  template <class T>
  void column(std::string_view name, std::string_view type, const FixedColumn<T>& c) {
    columnHeader(name, type);
    raw(c.serialized());
  }
  void column(std::string_view name, std::string_view type, const MapColumn& c) {
    columnHeader(name, type);
    raw(c.offsets().serialized());
    raw(c.keys().serialized());
    raw(c.values().serialized());
  }
  template <class T>
  void column(std::string_view name, std::string_view type, const ArrayColumn<T>& c) {
    columnHeader(name, type);
    raw(c.offsets().serialized());
    raw(c.data().serialized());
  }
  void column(std::string_view name, std::string_view type, const ArrayStringColumn& c) {
    columnHeader(name, type);
    raw(c.offsets().serialized());
    raw(c.data().serialized());
  }
  void column(std::string_view name, std::string_view type, const ArrayMapColumn& c) {
    columnHeader(name, type);
    raw(c.offsets().serialized());
    raw(c.data().offsets().serialized());
    raw(c.data().keys().serialized());
    raw(c.data().values().serialized());
  }

 private:
  void writeString(std::string_view s) {
    appendVarUInt(out_, s.size());
    out_.append(s.data(), s.size());
  }
  std::string& out_;
};

}  // namespace otelhouse
