#include "codec/otlp_traces_json.h"

#include <string>

#include "codec/otlp_json_common.h"

namespace otelhouse {
namespace {

using otlpjson::Element;
using otlpjson::EnumName;
using otlpjson::isField;
using otlpjson::JsonScratch;
using otlpjson::PathScope;

constexpr EnumName kSpanKinds[] = {
    {"SPAN_KIND_UNSPECIFIED", 0}, {"SPAN_KIND_INTERNAL", 1}, {"SPAN_KIND_SERVER", 2},
    {"SPAN_KIND_CLIENT", 3},      {"SPAN_KIND_PRODUCER", 4}, {"SPAN_KIND_CONSUMER", 5},
};

constexpr EnumName kStatusCodes[] = {
    {"STATUS_CODE_UNSET", 0},
    {"STATUS_CODE_OK", 1},
    {"STATUS_CODE_ERROR", 2},
};

// ptrace.SpanKind.String(): "" for values outside the enum.
std::string_view spanKindText(int32_t kind) {
  static constexpr std::string_view kNames[] = {"Unspecified", "Internal", "Server",
                                                "Client",      "Producer", "Consumer"};
  return kind >= 0 && kind < 6 ? kNames[kind] : std::string_view();
}

// ptrace.StatusCode.String(): "" for values outside the enum.
std::string_view statusCodeText(int32_t code) {
  static constexpr std::string_view kNames[] = {"Unset", "Ok", "Error"};
  return code >= 0 && code < 3 ? kNames[code] : std::string_view();
}

// Requests bigger than this do not keep their buffers after decoding.
constexpr size_t kKeepScratchBytes = 8u << 20;

// Walks the DOM of one request. Resource and scope columns are rendered once
// per ResourceSpans / ScopeSpans and copied into each of their rows, which is
// why those are read in two passes: the resource may come after the spans in
// the JSON text. A span is read in one pass: its events and links go straight
// into their array columns, the scalar columns are written at its end.
class TracesJsonDecoder {
 public:
  Status decode(std::string_view body, TracesRows& rows);

 private:
  Status resourceSpans(Element el, TracesRows& rows);
  Status scopeSpans(Element el, TracesRows& rows);
  Status span(Element el, TracesRows& rows);
  Status event(Element el, TracesRows& rows);
  Status link(Element el, TracesRows& rows);
  Status status(Element el, int32_t& code, std::string_view& message);

  JsonScratch js_;

  std::string service_name_;
  std::string resource_keys_;
  std::string resource_values_;
  size_t resource_count_ = 0;

  otlpjson::ScopeFields scope_;
  std::string scope_keys_;  // validated, not stored: otel_traces has no such column
  std::string scope_values_;

  std::string trace_id_;
  std::string span_id_;
  std::string parent_span_id_;
  std::string attr_keys_;
  std::string attr_values_;
  std::string link_trace_id_;
  std::string link_span_id_;
  std::string nested_keys_;  // event / link attributes
  std::string nested_values_;
};

Status TracesJsonDecoder::decode(std::string_view body, TracesRows& rows) {
  Element root;
  Status s = js_.parse(body, root);
  if (!s) return s;
  s = js_.forEachField(root, [&](std::string_view key, Element v) -> Status {
    if (!isField(key, "resourceSpans", "resource_spans")) return Status::ok();
    PathScope field(js_.path(), "resourceSpans");
    return js_.forEach(v, [&](size_t, Element item) { return resourceSpans(item, rows); });
  });
  if (body.size() > kKeepScratchBytes) js_.trim(kKeepScratchBytes);
  return s;
}

Status TracesJsonDecoder::resourceSpans(Element el, TracesRows& rows) {
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "resource") return otlpjson::readResource(js_, v);
    if (isField(key, "schemaUrl", "schema_url")) {
      PathScope field(js_.path(), "schemaUrl");
      std::string_view ignored;
      return js_.readString(v, ignored);
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
    if (!isField(key, "scopeSpans", "scope_spans")) return Status::ok();
    PathScope field(js_.path(), "scopeSpans");
    return js_.forEach(v, [&](size_t, Element item) { return scopeSpans(item, rows); });
  });
}

Status TracesJsonDecoder::scopeSpans(Element el, TracesRows& rows) {
  scope_ = {};
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "scope") return otlpjson::readScope(js_, v, scope_);
    if (isField(key, "schemaUrl", "schema_url")) {
      PathScope field(js_.path(), "schemaUrl");
      std::string_view ignored;
      return js_.readString(v, ignored);
    }
    return Status::ok();
  });
  if (!s) return s;
  size_t ignored = 0;
  s = js_.finishMap(mark, scope_keys_, scope_values_, ignored);
  if (!s) return s;
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key != "spans") return Status::ok();
    PathScope field(js_.path(), "spans");
    return js_.forEach(v, [&](size_t, Element item) { return span(item, rows); });
  });
}

Status TracesJsonDecoder::status(Element el, int32_t& code, std::string_view& message) {
  if (!el.is_object() && !el.is_null()) return js_.failType("an object");
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "message") {
      PathScope field(js_.path(), "message");
      return js_.readString(v, message);
    }
    if (key == "code") {
      PathScope field(js_.path(), "code");
      return js_.readEnum(v, kStatusCodes, std::size(kStatusCodes), code);
    }
    return Status::ok();
  });
}

Status TracesJsonDecoder::event(Element el, TracesRows& rows) {
  uint64_t time = 0;
  std::string_view name;
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (isField(key, "timeUnixNano", "time_unix_nano")) {
      PathScope field(js_.path(), "timeUnixNano");
      return js_.readUint64(v, time);
    }
    if (key == "name") {
      PathScope field(js_.path(), "name");
      return js_.readString(v, name);
    }
    if (key == "attributes") return js_.addKeyValues(v, "attributes");
    if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      PathScope field(js_.path(), "droppedAttributesCount");
      uint32_t ignored = 0;
      return js_.readUint32(v, ignored);
    }
    return Status::ok();
  });
  if (!s) return s;
  size_t count = 0;
  s = js_.finishMap(mark, nested_keys_, nested_values_, count);
  if (!s) return s;
  rows.events_timestamp.add(static_cast<int64_t>(time));
  rows.events_name.add(name);
  rows.events_attributes.element().appendRow(nested_keys_, nested_values_, count);
  return Status::ok();
}

Status TracesJsonDecoder::link(Element el, TracesRows& rows) {
  std::string_view trace_state;
  link_trace_id_.clear();
  link_span_id_.clear();
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (isField(key, "traceId", "trace_id")) {
      PathScope field(js_.path(), "traceId");
      return js_.readId(v, 16, link_trace_id_);
    }
    if (isField(key, "spanId", "span_id")) {
      PathScope field(js_.path(), "spanId");
      return js_.readId(v, 8, link_span_id_);
    }
    if (isField(key, "traceState", "trace_state")) {
      PathScope field(js_.path(), "traceState");
      return js_.readString(v, trace_state);
    }
    if (key == "attributes") return js_.addKeyValues(v, "attributes");
    if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      PathScope field(js_.path(), "droppedAttributesCount");
      uint32_t ignored = 0;
      return js_.readUint32(v, ignored);
    }
    if (key == "flags") {
      PathScope field(js_.path(), "flags");
      uint32_t ignored = 0;
      return js_.readUint32(v, ignored);
    }
    return Status::ok();
  });
  if (!s) return s;
  size_t count = 0;
  s = js_.finishMap(mark, nested_keys_, nested_values_, count);
  if (!s) return s;
  rows.links_trace_id.add(link_trace_id_);
  rows.links_span_id.add(link_span_id_);
  rows.links_trace_state.add(trace_state);
  rows.links_attributes.element().appendRow(nested_keys_, nested_values_, count);
  return Status::ok();
}

Status TracesJsonDecoder::span(Element el, TracesRows& rows) {
  uint64_t start = 0;
  uint64_t end = 0;
  int32_t kind = 0;
  int32_t status_code = 0;
  std::string_view name;
  std::string_view trace_state;
  std::string_view status_message;
  trace_id_.clear();
  span_id_.clear();
  parent_span_id_.clear();
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (isField(key, "traceId", "trace_id")) {
      PathScope field(js_.path(), "traceId");
      return js_.readId(v, 16, trace_id_);
    }
    if (isField(key, "spanId", "span_id")) {
      PathScope field(js_.path(), "spanId");
      return js_.readId(v, 8, span_id_);
    }
    if (isField(key, "parentSpanId", "parent_span_id")) {
      PathScope field(js_.path(), "parentSpanId");
      return js_.readId(v, 8, parent_span_id_);
    }
    if (isField(key, "traceState", "trace_state")) {
      PathScope field(js_.path(), "traceState");
      return js_.readString(v, trace_state);
    }
    if (key == "name") {
      PathScope field(js_.path(), "name");
      return js_.readString(v, name);
    }
    if (key == "kind") {
      PathScope field(js_.path(), "kind");
      return js_.readEnum(v, kSpanKinds, std::size(kSpanKinds), kind);
    }
    if (isField(key, "startTimeUnixNano", "start_time_unix_nano")) {
      PathScope field(js_.path(), "startTimeUnixNano");
      return js_.readUint64(v, start);
    }
    if (isField(key, "endTimeUnixNano", "end_time_unix_nano")) {
      PathScope field(js_.path(), "endTimeUnixNano");
      return js_.readUint64(v, end);
    }
    if (key == "attributes") return js_.addKeyValues(v, "attributes");
    if (key == "events") {
      PathScope field(js_.path(), "events");
      return js_.forEach(v, [&](size_t, Element item) { return event(item, rows); });
    }
    if (key == "links") {
      PathScope field(js_.path(), "links");
      return js_.forEach(v, [&](size_t, Element item) { return link(item, rows); });
    }
    if (key == "status") {
      PathScope field(js_.path(), "status");
      return status(v, status_code, status_message);
    }
    std::string_view counter;
    if (key == "flags") {
      counter = "flags";
    } else if (isField(key, "droppedAttributesCount", "dropped_attributes_count")) {
      counter = "droppedAttributesCount";
    } else if (isField(key, "droppedEventsCount", "dropped_events_count")) {
      counter = "droppedEventsCount";
    } else if (isField(key, "droppedLinksCount", "dropped_links_count")) {
      counter = "droppedLinksCount";
    } else {
      return Status::ok();
    }
    PathScope field(js_.path(), counter);
    uint32_t ignored = 0;
    return js_.readUint32(v, ignored);
  });
  if (!s) return s;
  size_t attr_count = 0;
  s = js_.finishMap(mark, attr_keys_, attr_values_, attr_count);
  if (!s) return s;

  rows.timestamp.append(static_cast<int64_t>(start));
  rows.trace_id.append(trace_id_);
  rows.span_id.append(span_id_);
  rows.parent_span_id.append(parent_span_id_);
  rows.trace_state.append(trace_state);
  rows.span_name.append(name);
  rows.span_kind.append(spanKindText(kind));
  rows.service_name.append(service_name_);
  rows.resource_attributes.appendRow(resource_keys_, resource_values_, resource_count_);
  rows.scope_name.append(scope_.name);
  rows.scope_version.append(scope_.version);
  rows.span_attributes.appendRow(attr_keys_, attr_values_, attr_count);
  rows.duration.append(end - start);
  rows.status_code.append(statusCodeText(status_code));
  rows.status_message.append(status_message);
  rows.events_timestamp.endRow();
  rows.events_name.endRow();
  rows.events_attributes.endRow();
  rows.links_trace_id.endRow();
  rows.links_span_id.endRow();
  rows.links_trace_state.endRow();
  rows.links_attributes.endRow();
  return Status::ok();
}

}  // namespace

Status decodeTracesJson(std::string_view body, TracesRows& rows) {
  thread_local TracesJsonDecoder decoder;
  return decoder.decode(body, rows);
}

}  // namespace otelhouse
