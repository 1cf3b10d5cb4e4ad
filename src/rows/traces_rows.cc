#include "rows/traces_rows.h"

#include "rows/native_writer.h"

namespace otelhouse {

// Every column once: encode and clear and consistent() walk the same list.
template <class F>
static void forEachColumn(const TracesRows& r, F&& f) {
  f("Timestamp", "DateTime64(9)", r.timestamp);
  f("TraceId", "String", r.trace_id);
  f("SpanId", "String", r.span_id);
  f("ParentSpanId", "String", r.parent_span_id);
  f("TraceState", "String", r.trace_state);
  f("SpanName", "String", r.span_name);
  f("SpanKind", "String", r.span_kind);
  f("ServiceName", "String", r.service_name);
  f("ResourceAttributes", "Map(String, String)", r.resource_attributes);
  f("ScopeName", "String", r.scope_name);
  f("ScopeVersion", "String", r.scope_version);
  f("SpanAttributes", "Map(String, String)", r.span_attributes);
  f("Duration", "UInt64", r.duration);
  f("StatusCode", "String", r.status_code);
  f("StatusMessage", "String", r.status_message);
  f("Events.Timestamp", "Array(DateTime64(9))", r.events_timestamp);
  f("Events.Name", "Array(String)", r.events_name);
  f("Events.Attributes", "Array(Map(String, String))", r.events_attributes);
  f("Links.TraceId", "Array(String)", r.links_trace_id);
  f("Links.SpanId", "Array(String)", r.links_span_id);
  f("Links.TraceState", "Array(String)", r.links_trace_state);
  f("Links.Attributes", "Array(Map(String, String))", r.links_attributes);
}

bool TracesRows::consistent() const {
  bool ok = true;
  const size_t n = rows();
  forEachColumn(*this, [&](const char*, const char*, const auto& c) { ok = ok && c.rows() == n; });
  return ok;
}

void TracesRows::clear() {
  forEachColumn(*this, [](const char*, const char*, const auto& c) {
    const_cast<std::remove_cvref_t<decltype(c)>&>(c).clear();
  });
}

void TracesRows::encodeNative(std::string& out, const ColumnSet& only) const {
  if (empty()) return;
  size_t n = 0;
  forEachColumn(*this, [&](const char* name, const char*, const auto&) { n += only.has(name); });
  NativeWriter w(out);
  w.beginBlock(n, rows());
  forEachColumn(*this, [&](const char* name, const char* type, const auto& c) {
    if (only.has(name)) w.column(name, type, c);
  });
}

}  // namespace otelhouse
