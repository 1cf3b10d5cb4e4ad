// LogRecordHook: the per-record seam between the logs decoders and the
// pipeline's log processing (routing, transforms, resource detection).
//
// Without a hook a decoder writes every record straight into the rows it was
// given (the fast path). With one, the decoder hands each ResourceLogs'
// rendered resource map to onResource() (which may add entries) and each
// record's body, severity and attributes to onRecord(), which picks the
// destination rows and returns the severity and the LogAttributes row to
// write; the decoder writes every other column as it would without a hook.
//
// Buffer lifetimes: everything in a view is valid only for the call it is
// passed to (views point into the request, the decoder's parser or its
// scratch). What onRecord() returns must stay valid until the decoder has
// written the row, i.e. until the hook's next call.
//
// Thread-safety: a hook is called from the one thread that runs the decoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rows/logs_rows.h"

namespace otelhouse {

// The AnyValue member a value holds (pcommon.ValueType).
enum class LogValueKind : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kBytes, kArray, kKvlist };

// One attribute as the exporter would render it: `text` is
// pcommon.Value.AsString (for kArray / kKvlist the Go JSON of AsRaw()).
struct LogAttributeView {
  std::string_view key;
  LogValueKind kind = LogValueKind::kEmpty;
  std::string_view text;
};

struct LogRecordView {
  LogValueKind body_kind = LogValueKind::kEmpty;
  std::string_view body;  // AsString of the body
  uint32_t severity_number = 0;  // the enum as it came (the row keeps its low byte)
  std::string_view severity_text;
  // In the order they came, duplicate keys included (pcommon.Map order).
  std::span<const LogAttributeView> attributes;
};

// Filled by onRecord(); `rows` starts as the rows the decoder was given and
// the rest as the record's own values.
struct LogRecordOutput {
  LogsRows* rows = nullptr;
  uint8_t severity_number = 0;
  std::string_view severity_text;
  // The LogAttributes row, serialized as MapColumn::appendRow takes it.
  std::string_view attribute_keys;
  std::string_view attribute_values;
  size_t attribute_count = 0;
};

class LogRecordHook {
 public:
  virtual ~LogRecordHook() = default;
  // The resource's attributes as the decoder rendered them for
  // ResourceAttributes (serialized, keys sorted and unique) and its
  // ServiceName; the hook may rewrite them in place.
  virtual void onResource(std::string& keys, std::string& values, size_t& count,
                          std::string& service_name) = 0;
  virtual void onRecord(const LogRecordView& record, LogRecordOutput& out) = 0;
};

}  // namespace otelhouse
