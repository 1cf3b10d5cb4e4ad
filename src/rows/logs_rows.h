// LogsRows: one batch of rows for otel_logs (and hyperdx_sessions, which has
// the same inserted columns), as column builders.
//
// Decoders append one row at a time, column by column; every append call of
// a row must be made exactly once, in any order, before the next row starts
// (rows() is the Timestamp column's count). encodeNative() writes one Native
// block holding the columns selected by a mask, so a table that lacks a
// column (older schemas without EventName) is written without it.
#pragma once

#include <cstdint>
#include <string>

#include "rows/columns.h"

namespace otelhouse {

enum LogsColumn : uint32_t {
  kLogsTimestamp = 1u << 0,
  kLogsTraceId = 1u << 1,
  kLogsSpanId = 1u << 2,
  kLogsTraceFlags = 1u << 3,
  kLogsSeverityText = 1u << 4,
  kLogsSeverityNumber = 1u << 5,
  kLogsServiceName = 1u << 6,
  kLogsBody = 1u << 7,
  kLogsResourceSchemaUrl = 1u << 8,
  kLogsResourceAttributes = 1u << 9,
  kLogsScopeSchemaUrl = 1u << 10,
  kLogsScopeName = 1u << 11,
  kLogsScopeVersion = 1u << 12,
  kLogsScopeAttributes = 1u << 13,
  kLogsLogAttributes = 1u << 14,
  kLogsEventName = 1u << 15,
};
constexpr uint32_t kLogsAllColumns = (1u << 16) - 1;
// The columns of ClickStack's published otel_logs / hyperdx_sessions.
constexpr uint32_t kLogsClickStackColumns = kLogsAllColumns & ~kLogsEventName;

// Maps a column name to its bit, 0 when the name is not an inserted column.
uint32_t logsColumnBit(std::string_view name);

struct LogsRows {
  FixedColumn<int64_t> timestamp;  // DateTime64(9): nanoseconds since epoch
  StringColumn trace_id;
  StringColumn span_id;
  FixedColumn<uint8_t> trace_flags;
  StringColumn severity_text;
  FixedColumn<uint8_t> severity_number;
  StringColumn service_name;
  StringColumn body;
  StringColumn resource_schema_url;
  MapColumn resource_attributes;
  StringColumn scope_schema_url;
  StringColumn scope_name;
  StringColumn scope_version;
  MapColumn scope_attributes;
  MapColumn log_attributes;
  StringColumn event_name;

  size_t rows() const { return timestamp.rows(); }
  bool empty() const { return rows() == 0; }
  void clear();
  // True when every column has rows() values (a decoder's invariant).
  bool consistent() const;
  // Appends one Native block with the columns in `mask`; nothing when empty.
  void encodeNative(std::string& out, uint32_t mask = kLogsClickStackColumns) const;
};

}  // namespace otelhouse
