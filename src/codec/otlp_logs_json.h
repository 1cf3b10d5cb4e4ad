// otlp_logs_json: decodes an OTLP/JSON ExportLogsServiceRequest (the body of
// POST /v1/logs with Content-Type application/json) straight into otel_logs
// rows, one row per LogRecord, with exactly the column values that
// decodeLogsProto gives for the same request in protobuf form.
//
// Accepted JSON and error messages: see codec/otlp_json_common.h. On error
// the result is Code::kInvalidArgument naming the path of the bad value;
// rows of records decoded before the error may have been appended (each row
// is whole), and the caller discards `rows`.
//
// Thread-safety: any thread may call it; each thread keeps its own parser and
// scratch buffers (thread_local), reused across calls. `body` is copied once
// into a padded buffer and need only live for the call.
#pragma once

#include <string_view>

#include "codec/log_record_hook.h"
#include "common/status.h"
#include "rows/logs_rows.h"

namespace otelhouse {

// With a hook, each record goes to the rows the hook picks (see
// codec/log_record_hook.h).
Status decodeLogsJson(std::string_view body, LogsRows& rows, LogRecordHook* hook = nullptr);

}  // namespace otelhouse
