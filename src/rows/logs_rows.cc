#include "rows/logs_rows.h"

#include <bit>

#include "rows/native_writer.h"

namespace otelhouse {
namespace {

constexpr const char* kString = "String";
constexpr const char* kMap = "Map(String, String)";

}  // namespace

uint32_t logsColumnBit(std::string_view name) {
  static const struct { const char* name; uint32_t bit; } kNames[] = {
      {"Timestamp", kLogsTimestamp},
      {"TraceId", kLogsTraceId},
      {"SpanId", kLogsSpanId},
      {"TraceFlags", kLogsTraceFlags},
      {"SeverityText", kLogsSeverityText},
      {"SeverityNumber", kLogsSeverityNumber},
      {"ServiceName", kLogsServiceName},
      {"Body", kLogsBody},
      {"ResourceSchemaUrl", kLogsResourceSchemaUrl},
      {"ResourceAttributes", kLogsResourceAttributes},
      {"ScopeSchemaUrl", kLogsScopeSchemaUrl},
      {"ScopeName", kLogsScopeName},
      {"ScopeVersion", kLogsScopeVersion},
      {"ScopeAttributes", kLogsScopeAttributes},
      {"LogAttributes", kLogsLogAttributes},
      {"EventName", kLogsEventName},
  };
  for (auto& n : kNames)
    if (name == n.name) return n.bit;
  return 0;
}

void LogsRows::clear() {
  timestamp.clear();
  trace_id.clear();
  span_id.clear();
  trace_flags.clear();
  severity_text.clear();
  severity_number.clear();
  service_name.clear();
  body.clear();
  resource_schema_url.clear();
  resource_attributes.clear();
  scope_schema_url.clear();
  scope_name.clear();
  scope_version.clear();
  scope_attributes.clear();
  log_attributes.clear();
  event_name.clear();
}

bool LogsRows::consistent() const {
  const size_t n = rows();
  return trace_id.rows() == n && span_id.rows() == n && trace_flags.rows() == n &&
         severity_text.rows() == n && severity_number.rows() == n && service_name.rows() == n &&
         body.rows() == n && resource_schema_url.rows() == n && resource_attributes.rows() == n &&
         scope_schema_url.rows() == n && scope_name.rows() == n && scope_version.rows() == n &&
         scope_attributes.rows() == n && log_attributes.rows() == n && event_name.rows() == n;
}

void LogsRows::encodeNative(std::string& out, uint32_t mask) const {
  if (empty()) return;
  NativeWriter w(out);
  w.beginBlock(std::popcount(mask & kLogsAllColumns), rows());
  if (mask & kLogsTimestamp) w.column("Timestamp", "DateTime64(9)", timestamp);
  if (mask & kLogsTraceId) w.column("TraceId", kString, trace_id);
  if (mask & kLogsSpanId) w.column("SpanId", kString, span_id);
  if (mask & kLogsTraceFlags) w.column("TraceFlags", "UInt8", trace_flags);
  if (mask & kLogsSeverityText) w.column("SeverityText", kString, severity_text);
  if (mask & kLogsSeverityNumber) w.column("SeverityNumber", "UInt8", severity_number);
  if (mask & kLogsServiceName) w.column("ServiceName", kString, service_name);
  if (mask & kLogsBody) w.column("Body", kString, body);
  if (mask & kLogsResourceSchemaUrl) w.column("ResourceSchemaUrl", kString, resource_schema_url);
  if (mask & kLogsResourceAttributes) w.column("ResourceAttributes", kMap, resource_attributes);
  if (mask & kLogsScopeSchemaUrl) w.column("ScopeSchemaUrl", kString, scope_schema_url);
  if (mask & kLogsScopeName) w.column("ScopeName", kString, scope_name);
  if (mask & kLogsScopeVersion) w.column("ScopeVersion", kString, scope_version);
  if (mask & kLogsScopeAttributes) w.column("ScopeAttributes", kMap, scope_attributes);
  if (mask & kLogsLogAttributes) w.column("LogAttributes", kMap, log_attributes);
  if (mask & kLogsEventName) w.column("EventName", kString, event_name);
}

}  // namespace otelhouse
