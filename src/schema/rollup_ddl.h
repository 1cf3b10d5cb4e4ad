// rollup_ddl: ClickStack's 15-minute key/value rollups, which HyperDX reads to
// suggest values: a <source>_kv_rollup_15m table filled by one view over the
// source's map columns (array indexes in keys folded to [*]) and some plain
// columns. Since #2643 that is all; the legacy layout also has a
// <source>_key_rollup_15m table summed from it. otel_logs and otel_traces have
// one each; they differ only in the inputs below, as in ClickStack's seed.
#pragma once

#include <string>
#include <vector>

#include "schema/clickstack_schema.h"

namespace otelhouse {

struct RollupSpec {
  std::string source;                    // otel_logs | otel_traces
  std::string kv_view;                   // the view filling <source>_kv_rollup_15m
  std::vector<std::string> map_columns;  // ColumnIdentifier = the column name
  std::vector<std::string> native_columns;  // ColumnIdentifier = 'NativeColumn'
  bool cast_values = false;              // CAST(... AS String) (traces) or as is (logs)
  bool key_rollup = false;               // <source>_key_rollup_15m and its view (legacy)
  int64_t ttl_seconds = 0;
};

// The kv table, [the key table and its view,] then the kv view; idempotent.
std::vector<std::string> rollupSchema(const SchemaOptions& o, const RollupSpec& spec);

}  // namespace otelhouse
