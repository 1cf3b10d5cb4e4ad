// otlp_traces_json: decodes an OTLP/JSON ExportTraceServiceRequest (the body
// of POST /v1/traces with Content-Type application/json) straight into
// otel_traces rows, one row per Span, with exactly the column values that
// decodeTracesProto gives for the same request in protobuf form (column
// semantics: docs/COLUMNS.md).
//
// Accepted JSON and error messages: see codec/otlp_json_common.h (camelCase
// or snake_case names, ids in hex, 64-bit integers as numbers or strings,
// enums by name or number). On error the result is Code::kInvalidArgument
// naming the path of the bad value, e.g. "resourceSpans[0].scopeSpans[0]
// .spans[2].links[1].spanId: invalid hex"; rows decoded before the error may
// have been appended, and the caller discards `rows`.
//
// Thread-safety: any thread may call it; each thread keeps its own parser and
// scratch buffers (thread_local), reused across calls. `body` is copied once
// into a padded buffer and need only live for the call.
#pragma once

#include <string_view>

#include "common/status.h"
#include "rows/traces_rows.h"

namespace otelhouse {

Status decodeTracesJson(std::string_view body, TracesRows& rows);

}  // namespace otelhouse
