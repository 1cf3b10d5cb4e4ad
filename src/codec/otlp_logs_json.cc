#include "codec/otlp_logs_json.h"

#include <string>

#include "codec/otlp_json_common.h"

namespace otelhouse {
namespace {

using otlpjson::AnyRef;
using otlpjson::Element;
using otlpjson::EnumName;
using otlpjson::isField;
using otlpjson::JsonScratch;
using otlpjson::PathScope;

constexpr EnumName kSeverityNumbers[] = {
    {"SEVERITY_NUMBER_UNSPECIFIED", 0}, {"SEVERITY_NUMBER_TRACE", 1},
    {"SEVERITY_NUMBER_TRACE2", 2},      {"SEVERITY_NUMBER_TRACE3", 3},
    {"SEVERITY_NUMBER_TRACE4", 4},      {"SEVERITY_NUMBER_DEBUG", 5},
    {"SEVERITY_NUMBER_DEBUG2", 6},      {"SEVERITY_NUMBER_DEBUG3", 7},
    {"SEVERITY_NUMBER_DEBUG4", 8},      {"SEVERITY_NUMBER_INFO", 9},
    {"SEVERITY_NUMBER_INFO2", 10},      {"SEVERITY_NUMBER_INFO3", 11},
    {"SEVERITY_NUMBER_INFO4", 12},      {"SEVERITY_NUMBER_WARN", 13},
    {"SEVERITY_NUMBER_WARN2", 14},      {"SEVERITY_NUMBER_WARN3", 15},
    {"SEVERITY_NUMBER_WARN4", 16},      {"SEVERITY_NUMBER_ERROR", 17},
    {"SEVERITY_NUMBER_ERROR2", 18},     {"SEVERITY_NUMBER_ERROR3", 19},
    {"SEVERITY_NUMBER_ERROR4", 20},     {"SEVERITY_NUMBER_FATAL", 21},
    {"SEVERITY_NUMBER_FATAL2", 22},     {"SEVERITY_NUMBER_FATAL3", 23},
    {"SEVERITY_NUMBER_FATAL4", 24},
};

// Requests bigger than this do not keep their buffers after decoding.
constexpr size_t kKeepScratchBytes = 8u << 20;

// Walks the DOM of one request. Resource and scope columns are rendered once
// per ResourceLogs / ScopeLogs and copied into each of their rows, which is
// why a ResourceLogs is read in two passes: its resource may come after its
// scopeLogs in the JSON text.
class LogsJsonDecoder {
 public:
  Status decode(std::string_view body, LogsRows& rows);

 private:
  Status resourceLogs(Element el, LogsRows& rows);
  Status resource(Element el);
  Status scopeLogs(Element el, LogsRows& rows);
  Status scope(Element el);
  Status logRecord(Element el, LogsRows& rows);

  JsonScratch js_;

  std::string service_name_;
  std::string_view resource_schema_url_;
  std::string resource_keys_;
  std::string resource_values_;
  size_t resource_count_ = 0;

  std::string_view scope_schema_url_;
  std::string_view scope_name_;
  std::string_view scope_version_;
  std::string scope_keys_;
  std::string scope_values_;
  size_t scope_count_ = 0;

  std::string trace_id_;
  std::string span_id_;
  std::string body_;
  std::string attr_keys_;
  std::string attr_values_;
};

Status LogsJsonDecoder::decode(std::string_view body, LogsRows& rows) {
  Element root;
  Status s = js_.parse(body, root);
  if (!s) return s;
  s = js_.forEachField(root, [&](std::string_view key, Element v) -> Status {
    if (!isField(key, "resourceLogs", "resource_logs")) return Status::ok();
    PathScope field(js_.path(), "resourceLogs");
    return js_.forEach(v, [&](size_t, Element item) { return resourceLogs(item, rows); });
  });
  if (body.size() > kKeepScratchBytes) js_.trim(kKeepScratchBytes);
  return s;
}

Status LogsJsonDecoder::resourceLogs(Element el, LogsRows& rows) {
  resource_schema_url_ = {};
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    // resource() names its fields "resource.x" itself: attribute paths are
    // reported again later, when the path no longer holds "resource".
    if (key == "resource") return resource(v);
    if (isField(key, "schemaUrl", "schema_url")) {
      PathScope field(js_.path(), "schemaUrl");
      return js_.readString(v, resource_schema_url_);
    }
    return Status::ok();
  });
  if (!s) return s;
  bool found = false;
  s = js_.firstValue(mark, "service.name", service_name_, found);
  if (!s) return s;
  s = js_.finishMap(mark, resource_keys_, resource_values_, resource_count_);
  if (!s) return s;
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (!isField(key, "scopeLogs", "scope_logs")) return Status::ok();
    PathScope field(js_.path(), "scopeLogs");
    return js_.forEach(v, [&](size_t, Element item) { return scopeLogs(item, rows); });
  });
}

Status LogsJsonDecoder::resource(Element el) {
  if (!el.is_object() && !el.is_null()) {
    PathScope field(js_.path(), "resource");
    return js_.failType("an object");
  }
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "attributes") return js_.addKeyValues(v, "resource.attributes");
    if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      PathScope field(js_.path(), "resource.droppedAttributesCount");
      uint32_t ignored = 0;
      return js_.readUint32(v, ignored);
    }
    return Status::ok();
  });
}

Status LogsJsonDecoder::scopeLogs(Element el, LogsRows& rows) {
  scope_schema_url_ = {};
  scope_name_ = {};
  scope_version_ = {};
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "scope") return scope(v);
    if (isField(key, "schemaUrl", "schema_url")) {
      PathScope field(js_.path(), "schemaUrl");
      return js_.readString(v, scope_schema_url_);
    }
    return Status::ok();
  });
  if (!s) return s;
  s = js_.finishMap(mark, scope_keys_, scope_values_, scope_count_);
  if (!s) return s;
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (!isField(key, "logRecords", "log_records")) return Status::ok();
    PathScope field(js_.path(), "logRecords");
    return js_.forEach(v, [&](size_t, Element item) { return logRecord(item, rows); });
  });
}

Status LogsJsonDecoder::scope(Element el) {
  if (!el.is_object() && !el.is_null()) {
    PathScope field(js_.path(), "scope");
    return js_.failType("an object");
  }
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "name") {
      PathScope field(js_.path(), "scope.name");
      return js_.readString(v, scope_name_);
    }
    if (key == "version") {
      PathScope field(js_.path(), "scope.version");
      return js_.readString(v, scope_version_);
    }
    if (key == "attributes") return js_.addKeyValues(v, "scope.attributes");
    if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      PathScope field(js_.path(), "scope.droppedAttributesCount");
      uint32_t ignored = 0;
      return js_.readUint32(v, ignored);
    }
    return Status::ok();
  });
}

Status LogsJsonDecoder::logRecord(Element el, LogsRows& rows) {
  uint64_t time = 0;
  uint64_t observed = 0;
  int32_t severity_number = 0;
  std::string_view severity_text;
  std::string_view event_name;
  uint32_t flags = 0;
  AnyRef body;
  trace_id_.clear();
  span_id_.clear();
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (isField(key, "timeUnixNano", "time_unix_nano")) {
      PathScope field(js_.path(), "timeUnixNano");
      return js_.readUint64(v, time);
    }
    if (isField(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
      PathScope field(js_.path(), "observedTimeUnixNano");
      return js_.readUint64(v, observed);
    }
    if (isField(key, "severityNumber", "severity_number")) {
      PathScope field(js_.path(), "severityNumber");
      return js_.readEnum(v, kSeverityNumbers, std::size(kSeverityNumbers), severity_number);
    }
    if (isField(key, "severityText", "severity_text")) {
      PathScope field(js_.path(), "severityText");
      return js_.readString(v, severity_text);
    }
    if (key == "body") {
      PathScope field(js_.path(), "body");
      return js_.resolveAny(v, body);
    }
    if (key == "attributes") return js_.addKeyValues(v, "attributes");
    if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      PathScope field(js_.path(), "droppedAttributesCount");
      uint32_t ignored = 0;
      return js_.readUint32(v, ignored);
    }
    if (key == "flags") {
      PathScope field(js_.path(), "flags");
      return js_.readUint32(v, flags);
    }
    if (isField(key, "traceId", "trace_id")) {
      PathScope field(js_.path(), "traceId");
      return js_.readId(v, 16, trace_id_);
    }
    if (isField(key, "spanId", "span_id")) {
      PathScope field(js_.path(), "spanId");
      return js_.readId(v, 8, span_id_);
    }
    if (isField(key, "eventName", "event_name")) {
      PathScope field(js_.path(), "eventName");
      return js_.readString(v, event_name);
    }
    return Status::ok();
  });
  if (!s) return s;
  body_.clear();
  {
    PathScope field(js_.path(), "body");
    s = js_.appendAsString(body, body_);
  }
  if (!s) return s;
  size_t attr_count = 0;
  s = js_.finishMap(mark, attr_keys_, attr_values_, attr_count);
  if (!s) return s;

  rows.timestamp.append(static_cast<int64_t>(time != 0 ? time : observed));
  rows.trace_id.append(trace_id_);
  rows.span_id.append(span_id_);
  rows.trace_flags.append(static_cast<uint8_t>(flags & 0xFF));
  rows.severity_text.append(severity_text);
  rows.severity_number.append(static_cast<uint8_t>(severity_number));
  rows.service_name.append(service_name_);
  rows.body.append(body_);
  rows.resource_schema_url.append(resource_schema_url_);
  rows.resource_attributes.appendRow(resource_keys_, resource_values_, resource_count_);
  rows.scope_schema_url.append(scope_schema_url_);
  rows.scope_name.append(scope_name_);
  rows.scope_version.append(scope_version_);
  rows.scope_attributes.appendRow(scope_keys_, scope_values_, scope_count_);
  rows.log_attributes.appendRow(attr_keys_, attr_values_, attr_count);
  rows.event_name.append(event_name);
  return Status::ok();
}

}  // namespace

Status decodeLogsJson(std::string_view body, LogsRows& rows) {
  thread_local LogsJsonDecoder decoder;
  return decoder.decode(body, rows);
}

}  // namespace otelhouse
