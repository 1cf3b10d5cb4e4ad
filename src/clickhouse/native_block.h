// Native blocks as bytes: reading a block's structure without decoding its
// values, so Native streams can be split into blocks, columns dropped or
// reordered, and blocks forwarded to a server as they are.
//
//   block  := [block_info] varuint(columns) varuint(rows) column*
//   column := string(name) string(type) data      (data absent when rows == 0)
//
// block_info is present when the stream's protocol revision is > 0 (the
// native protocol); the WAL and FORMAT Native use revision 0 (none). Skipping
// a column's data needs its type: readBlock() walks the type
// (String, FixedString(N), fixed-width numbers, dates and times, UUID, IPs,
// Decimal, Bool, Enum, Nullable, Array, Map, Tuple, LowCardinality, Nothing,
// SimpleAggregateFunction) and fails with a message on a type it cannot skip
// or on truncated or inconsistent data. Nothing is allocated per value.
//
// Views in NativeBlock point into the input: for a memory Input they live as
// long as the memory; for a Source-backed Input until its next read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clickhouse/wire.h"
#include "common/status.h"

namespace otelhouse::clickhouse {

struct NativeColumn {
  std::string_view name;
  std::string_view type;
  std::string_view data;  // the serialized values (prefix states included)
};

struct NativeBlock {
  uint64_t rows = 0;
  std::vector<NativeColumn> columns;
  std::string_view bytes;  // the whole block as read, block_info included
};

// Reads one block. `with_block_info`: the native protocol's framing.
Status readBlock(Input& in, bool with_block_info, NativeBlock* out);

// Splits a revision-0 Native stream (one or more blocks) held in memory.
Status splitNativeStream(std::string_view native, std::vector<NativeBlock>* blocks);

// Skips `rows` values of `type` (prefix states first when with_prefix).
Status skipColumnData(Input& in, std::string_view type, uint64_t rows);

// Block info as the native protocol writes it: is_overflows=0, bucket_num=-1.
void putBlockInfo(std::string& out);
// Writes a block (revision 0 layout: no block info) of the given columns.
void putBlock(std::string& out, uint64_t rows, const std::vector<NativeColumn>& columns);

// Reads the values of a String column (for results such as DESCRIBE).
Status decodeStrings(const NativeColumn& column, uint64_t rows, std::vector<std::string>* out);

// Re-encodes the data of a String column (`rows` values) as the data of a
// LowCardinality(String) column (keys version, flags, dictionary, indexes),
// for servers that do not convert String to LowCardinality on insert (18.16).
Status encodeLowCardinalityString(std::string_view string_data, uint64_t rows, std::string* out);

// The type with every LowCardinality(...) wrapper removed: the server converts
// between T and LowCardinality(T) on insert, so those count as the same.
std::string withoutLowCardinality(std::string_view type);

}  // namespace otelhouse::clickhouse
