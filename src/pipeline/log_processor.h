// LogProcessor: ClickStack's log processing for one request, as the decoders'
// LogRecordHook (codec/log_record_hook.h). Per record, in the collector's
// order: route (log_router.h) -> parse_json_body -> infer_severity; per
// resource: resource_detection. Each step can be switched off; with all off
// the pipeline passes no hook and the decoders take their fast path.
//
// Session records (hyperdx_sessions) are written untouched: their body is
// never copied here, only their attributes are serialized, as the decoder
// would.
//
// Thread-safety: one LogProcessor per request on the decoding thread; its
// scratch (arena, parser) is thread_local and reused.
#pragma once

#include <cstdint>

#include "codec/log_record_hook.h"
#include "pipeline/resource_detection.h"
#include "rows/logs_rows.h"

namespace otelhouse {

struct LogProcessingOptions {
  bool route_sessions = true;      // processors.session_routing.enabled
  bool parse_json_body = true;     // processors.parse_json_body.enabled
  bool infer_severity = true;      // processors.infer_severity.enabled
  // processors.resource_detection.enabled: the detector to apply, or null.
  const ResourceDetector* resource_detector = nullptr;

  bool any() const {
    return route_sessions || parse_json_body || infer_severity || resource_detector;
  }
};

class LogProcessor final : public LogRecordHook {
 public:
  LogProcessor(const LogProcessingOptions& options, LogsRows& logs, LogsRows& sessions)
      : options_(options), logs_(logs), sessions_(sessions) {}

  void onResource(std::string& keys, std::string& values, size_t& count,
                  std::string& service_name) override;
  void onRecord(const LogRecordView& record, LogRecordOutput& out) override;

  uint64_t sessionRecords() const { return session_records_; }

 private:
  const LogProcessingOptions& options_;
  LogsRows& logs_;
  LogsRows& sessions_;
  uint64_t session_records_ = 0;
};

}  // namespace otelhouse
