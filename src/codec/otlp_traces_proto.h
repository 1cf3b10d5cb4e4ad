// decodeTracesProto: OTLP ExportTraceServiceRequest (protobuf) -> otel_traces
// rows.
//
// One row per Span, with the column values the OpenTelemetry Collector's
// clickhouse exporter writes (exporter_traces.go, pushTraceData; the full
// table is in docs/COLUMNS.md):
//   Timestamp        start_time_unix_nano (DateTime64(9), the uint64 read as
//                    int64, as time.Unix(0, int64(t)) does)
//   TraceId / SpanId / ParentSpanId
//                    lowercase hex; "" when empty or all zero bytes
//                    (traceutil.*IDToHexOrEmptyString); any length other
//                    than 0/16 (0/8) fails the request, as pdata's unmarshal
//   TraceState       as sent              SpanName   `name`
//   SpanKind         SpanKind.String(): "Unspecified", "Internal", "Server",
//                    "Client", "Producer", "Consumer"; "" for other values
//   ServiceName      AsString of the first resource attribute service.name
//   ScopeName / ScopeVersion   InstrumentationScope name / version (the
//                    newest exporter no longer copies them into
//                    SpanAttributes)
//   *Attributes      key -> AsString(value), keys sorted bytewise, the last
//                    duplicate key wins
//   Duration         end - start in uint64 arithmetic (pcommon.Timestamp
//                    subtraction), so end < start wraps around
//   StatusCode       StatusCode.String(): "Unset", "Ok", "Error"; "" else
//   StatusMessage    status.message
//   Events.*         one element per event: time (as Timestamp), name, map
//   Links.*          one element per link: ids as above, trace_state, map
//
// Protobuf semantics are libprotobuf's, as for decodeLogsProto: any field
// order, the last value wins for singular scalars, repeated singular messages
// (resource, scope, status) merge, unknown fields are skipped, nesting is
// limited to 100 levels, strings are not checked for UTF-8.
//
// Errors: Code::kInvalidArgument naming the place, e.g.
// "resource_spans[0].scope_spans[1].spans[2].links[0].span_id: invalid
// length 3 (want 0 or 8)". On error `rows` holds a partial batch; throw it
// away.
#pragma once

#include <string_view>

#include "common/status.h"
#include "rows/traces_rows.h"

namespace otelhouse {

// Appends one row per Span of the request in `body` to `rows`.
// Thread-safe (each thread uses its own scratch).
Status decodeTracesProto(std::string_view body, TracesRows& rows);

}  // namespace otelhouse
