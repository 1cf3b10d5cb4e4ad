// TracesRows: one batch of otel_traces rows as column builders. Same rules
// as LogsRows: a decoder appends every column once per span, in any order.
// Events and Links are parallel arrays (ClickStack's Nested columns).
#pragma once

#include <string>

#include "rows/column_set.h"
#include "rows/columns.h"

namespace otelhouse {

struct TracesRows {
  FixedColumn<int64_t> timestamp;  // span start, DateTime64(9)
  StringColumn trace_id;
  StringColumn span_id;
  StringColumn parent_span_id;
  StringColumn trace_state;
  StringColumn span_name;
  StringColumn span_kind;          // "Server", "Client", ... as Kind().String()
  StringColumn service_name;
  MapColumn resource_attributes;
  StringColumn scope_name;
  StringColumn scope_version;
  MapColumn span_attributes;
  FixedColumn<uint64_t> duration;  // end - start, nanoseconds
  StringColumn status_code;        // "Unset", "Ok", "Error"
  StringColumn status_message;
  ArrayColumn<int64_t> events_timestamp;
  ArrayStringColumn events_name;
  ArrayMapColumn events_attributes;
  ArrayStringColumn links_trace_id;
  ArrayStringColumn links_span_id;
  ArrayStringColumn links_trace_state;
  ArrayMapColumn links_attributes;

  size_t rows() const { return timestamp.rows(); }
  bool empty() const { return rows() == 0; }
  bool consistent() const;
  void clear();
  void encodeNative(std::string& out, const ColumnSet& only = {}) const;
};

}  // namespace otelhouse
