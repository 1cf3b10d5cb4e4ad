#include "codec/otlp_logs_json.h"

#include <string>
#include <utility>
#include <vector>

#include "codec/otlp_json_common.h"

namespace otelhouse {
namespace {

using otlpjson::AnyKind;
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
  Status decode(std::string_view body, LogsRows& rows, LogRecordHook* hook);

 private:
  Status resourceLogs(Element el, LogsRows& rows);
  Status resource(Element el);
  Status scopeLogs(Element el, LogsRows& rows);
  Status scope(Element el);
  Status logRecord(Element el, LogsRows& rows);
  Status writeRow(LogsRows& rows, uint64_t time, uint32_t flags, uint8_t severity,
                  std::string_view severity_text, std::string_view keys, std::string_view values,
                  size_t attr_count, std::string_view event_name);
  // The record's attributes in document order, for the hook.
  Status collectAttributes();

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

  LogRecordHook* hook_ = nullptr;
  std::vector<Element> attr_arrays_;  // the record's `attributes` fields
  std::vector<LogAttributeView> hook_attrs_;
  // Where each rendered value lies in hook_text_ (offset, size); SIZE_MAX
  // offsets mark values that are views of the parsed document.
  std::vector<std::pair<size_t, size_t>> hook_spans_;
  std::string hook_text_;
};

Status LogsJsonDecoder::decode(std::string_view body, LogsRows& rows, LogRecordHook* hook) {
  hook_ = hook;
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
  if (hook_) hook_->onResource(resource_keys_, resource_values_, resource_count_, service_name_);
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
  attr_arrays_.clear();
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
    if (key == "attributes") {
      if (hook_) attr_arrays_.push_back(v);
      return js_.addKeyValues(v, "attributes");
    }
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

  uint8_t severity = static_cast<uint8_t>(severity_number);
  std::string_view keys = attr_keys_, values = attr_values_;
  LogsRows* dst = &rows;
  if (hook_) {
    s = collectAttributes();
    if (!s) return s;
    LogRecordView view;
    view.body_kind = static_cast<LogValueKind>(body.kind);
    view.body = body_;
    view.severity_number = static_cast<uint32_t>(severity_number);
    view.severity_text = severity_text;
    view.attributes = hook_attrs_;
    LogRecordOutput out;
    out.rows = &rows;
    out.severity_number = severity;
    out.severity_text = severity_text;
    hook_->onRecord(view, out);
    dst = out.rows;
    severity = out.severity_number;
    severity_text = out.severity_text;
    keys = out.attribute_keys;
    values = out.attribute_values;
    attr_count = out.attribute_count;
  }
  return writeRow(*dst, time != 0 ? time : observed, flags, severity, severity_text, keys,
                  values, attr_count, event_name);
}

Status LogsJsonDecoder::writeRow(LogsRows& rows, uint64_t time, uint32_t flags, uint8_t severity,
                                 std::string_view severity_text, std::string_view keys,
                                 std::string_view values, size_t attr_count,
                                 std::string_view event_name) {
  rows.timestamp.append(static_cast<int64_t>(time));
  rows.trace_id.append(trace_id_);
  rows.span_id.append(span_id_);
  rows.trace_flags.append(static_cast<uint8_t>(flags & 0xFF));
  rows.severity_text.append(severity_text);
  rows.severity_number.append(severity);
  rows.service_name.append(service_name_);
  rows.body.append(body_);
  rows.resource_schema_url.append(resource_schema_url_);
  rows.resource_attributes.appendRow(resource_keys_, resource_values_, resource_count_);
  rows.scope_schema_url.append(scope_schema_url_);
  rows.scope_name.append(scope_name_);
  rows.scope_version.append(scope_version_);
  rows.scope_attributes.appendRow(scope_keys_, scope_values_, scope_count_);
  rows.log_attributes.appendRow(keys, values, attr_count);
  rows.event_name.append(event_name);
  return Status::ok();
}

static_assert(static_cast<int>(LogValueKind::kKvlist) == static_cast<int>(AnyKind::kKvlist) &&
              static_cast<int>(LogValueKind::kString) == static_cast<int>(AnyKind::kString));

Status LogsJsonDecoder::collectAttributes() {
  // Mirrors JsonScratch::addKeyValues, which has already accepted these
  // arrays; rendered values go to hook_text_ and become views at the end
  // (the string may move while it grows).
  hook_attrs_.clear();
  hook_spans_.clear();
  hook_text_.clear();
  for (Element array : attr_arrays_) {
    Status s = js_.forEach(array, [&](size_t, Element kv) -> Status {
      LogAttributeView a;
      AnyRef value;
      Status st = js_.forEachField(kv, [&](std::string_view key, Element v) -> Status {
        if (key == "key") return js_.readString(v, a.key);
        if (key == "value") return js_.resolveAny(v, value);
        return Status::ok();
      });
      if (!st) return st;
      a.kind = static_cast<LogValueKind>(value.kind);
      std::string_view text;
      if (value.kind == AnyKind::kString && value.el.get_string().get(text) == simdjson::SUCCESS) {
        a.text = text;
        hook_spans_.emplace_back(SIZE_MAX, 0);
      } else {
        const size_t at = hook_text_.size();
        st = js_.appendAsString(value, hook_text_);
        if (!st) return st;
        hook_spans_.emplace_back(at, hook_text_.size() - at);
      }
      hook_attrs_.push_back(a);
      return Status::ok();
    });
    if (!s) return s;
  }
  for (size_t i = 0; i < hook_attrs_.size(); ++i) {
    if (hook_spans_[i].first == SIZE_MAX) continue;
    hook_attrs_[i].text = std::string_view(hook_text_).substr(hook_spans_[i].first,
                                                             hook_spans_[i].second);
  }
  return Status::ok();
}

}  // namespace

Status decodeLogsJson(std::string_view body, LogsRows& rows, LogRecordHook* hook) {
  thread_local LogsJsonDecoder decoder;
  return decoder.decode(body, rows, hook);
}

}  // namespace otelhouse
