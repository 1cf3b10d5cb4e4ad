// decodeLogsProto: OTLP ExportLogsServiceRequest (protobuf) -> otel_logs rows.
//
// One row per LogRecord, with the column values the OpenTelemetry
// Collector's clickhouse exporter writes:
//   Timestamp          time_unix_nano, or observed_time_unix_nano when 0
//   TraceId / SpanId   lowercase hex; "" when empty or all zero bytes; any
//                      length other than 0/16 (0/8) is an error, as in pdata
//   TraceFlags         flags & 0xff         SeverityNumber  uint8 of the enum
//   ServiceName        AsString of the first resource attribute service.name
//                      (pcommon.Map.Get), "" when absent
//   Body               AsString(body)
//   *Attributes        key -> AsString(value), keys sorted bytewise, the last
//                      duplicate key wins
//   Resource/Scope     schema URLs, scope name and version, EventName
//
// Protobuf semantics are libprotobuf's (the differential tests hold the
// decoder to it): fields in any order, the last value wins for singular
// scalars, singular messages that occur more than once are merged, unknown
// fields (and known numbers with an unexpected wire type) are skipped,
// nesting is limited to 100 levels. One deliberate difference: strings are
// not checked for UTF-8. The Go collector stores invalid UTF-8 as is; so do
// we (libprotobuf's proto3 parser rejects such a request).
//
// Errors: Code::kInvalidArgument with a message naming the place, e.g.
// "resource_logs[0].scope_logs[1].log_records[3].trace_id: invalid length 5
// (want 0 or 16)". On error `rows` holds a partial batch; throw it away.
//
// One pass: the wire format is checked while the records are decoded (the
// attributes and body of a record are validated by the walk that renders
// them); only a request that fails is walked again by validateProto, for
// its error message and so that a wire error anywhere wins over a bad id.
//
// Zero-copy: values are read as views into `body` and copied once, into the
// column builders. The decoder keeps its scratch (thread_local inside
// decodeLogsProto), so steady-state decoding does no per-record allocation.
#pragma once

#include <string_view>

#include "codec/log_record_hook.h"
#include "common/status.h"
#include "rows/logs_rows.h"

namespace otelhouse {

// Appends one row per LogRecord of the request in `body` to `rows`, or, with
// a hook, to the rows the hook picks for each record (codec/log_record_hook.h).
// Thread-safe (each thread uses its own scratch).
Status decodeLogsProto(std::string_view body, LogsRows& rows, LogRecordHook* hook = nullptr);

}  // namespace otelhouse
