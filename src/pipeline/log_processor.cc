#include "pipeline/log_processor.h"

#include <string>
#include <vector>

#include "pipeline/infer_severity.h"
#include "pipeline/log_attributes.h"
#include "pipeline/log_router.h"
#include "pipeline/parse_json_body.h"
#include "pipeline/text_arena.h"

namespace otelhouse {
namespace {

// What one decoding thread reuses from record to record.
struct Scratch {
  TextArena arena;
  LogAttributes attributes;
  JsonBodyParser json;
  std::vector<uint32_t> order;
  std::string keys;
  std::string values;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

}  // namespace

void LogProcessor::onResource(std::string& keys, std::string& values, size_t& count,
                              std::string& service_name) {
  if (options_.resource_detector)
    options_.resource_detector->apply(keys, values, count, service_name);
}

void LogProcessor::onRecord(const LogRecordView& record, LogRecordOutput& out) {
  Scratch& s = scratch();
  s.arena.reset();
  if (options_.route_sessions && isSessionRecord(record)) {
    ++session_records_;
    out.rows = &sessions_;
    serializeAttributeViews(record.attributes, s.order, s.keys, s.values, out.attribute_count);
    out.attribute_keys = s.keys;
    out.attribute_values = s.values;
    return;
  }
  out.rows = &logs_;
  s.attributes.reset(record.attributes);
  if (options_.parse_json_body) s.json.apply(record, s.attributes, s.arena);
  if (options_.infer_severity) {
    SeverityResult severity{out.severity_number, out.severity_text};
    inferSeverity(record, s.attributes, severity, s.arena);
    out.severity_number = severity.number;
    out.severity_text = severity.text;
  }
  s.attributes.serialize(s.keys, s.values, out.attribute_count);
  out.attribute_keys = s.keys;
  out.attribute_values = s.values;
}

}  // namespace otelhouse
