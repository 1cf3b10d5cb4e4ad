// otlp_metrics_json: decodes an OTLP/JSON ExportMetricsServiceRequest (the
// body of POST /v1/metrics with Content-Type application/json) straight into
// the five otel_metrics_* row builders, one row per data point, with exactly
// the column values that decodeMetricsProto gives for the same request in
// protobuf form (column semantics: docs/COLUMNS.md).
//
// Accepted JSON and error messages: see codec/otlp_json_common.h. The data
// oneof of a Metric follows protobuf: the last member given wins (the ones it
// replaces are still checked), and a member given twice merges (data points
// concatenate, aggregationTemporality / isMonotonic take the last value). On
// error the result is Code::kInvalidArgument naming the path of the bad value,
// e.g. "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asInt:
// invalid integer string"; rows decoded before the error may have been
// appended, and the caller discards `rows`.
//
// Thread-safety: any thread may call it; each thread keeps its own parser and
// scratch buffers (thread_local), reused across calls. `body` is copied once
// into a padded buffer and need only live for the call.
#pragma once

#include <string_view>

#include "common/status.h"
#include "rows/metrics_rows.h"

namespace otelhouse {

Status decodeMetricsJson(std::string_view body, MetricsRows& rows);

}  // namespace otelhouse
