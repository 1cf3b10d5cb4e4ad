// ttl_reconcile: brings the TTL of an existing table in line with the
// configured one (HYPERDX_OTEL_EXPORTER_RECONCILE_TABLE_TTL=true), by the rules
// of ClickStack's migrator (#2709): only a table whose TTL is one
// `expr + toInterval<Unit>(N)` is touched (a compound TTL is left alone and
// reported); lengthening applies to existing parts (materialize_ttl_after_modify
// = 1), shortening only to parts written or merged from then on (= 0), so
// that a start never turns into a bulk delete.
//
// Pure functions over the table's engine_full (system.tables); the caller
// runs the statement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace otelhouse {

struct TtlPlan {
  enum Kind { kNone, kSame, kModify, kUnsupported } kind = kNone;
  int64_t current_seconds = 0;
  std::string statement;  // kModify: the ALTER to run
  std::string reason;     // kUnsupported: why the table is left alone
};

// `engine_full` as system.tables shows it; `table` qualified (db.table).
TtlPlan planTtl(std::string_view table, std::string_view engine_full, int64_t want_seconds);

}  // namespace otelhouse
