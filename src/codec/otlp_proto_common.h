// Shared pieces of the OTLP protobuf decoders (logs, traces, metrics): the
// rendering of a Resource and an InstrumentationScope into the column values
// every row of that resource / scope repeats, attribute maps, and ids as hex.
//
// Values follow the OpenTelemetry Collector's clickhouse exporter
// (exporter/clickhouseexporter, internal.GetServiceName / AttributesToMap and
// traceutil.*IDToHexOrEmptyString); see docs/COLUMNS.md.
//
// Input must already have passed validateProto (walkOtlpContainer can check
// it instead, for the one-pass logs decoder); these helpers walk it again
// without depth checks. Renderings own their strings (they outlive the
// renderer's stacks) except the string_views, which point into the request
// buffer. Not thread-safe; each decoder thread has its own renderer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "codec/any_value_proto.h"
#include "codec/proto_reader.h"
#include "common/status.h"
#include "rows/columns.h"

namespace otelhouse {

// Validation already bounded the depth; walking again needs no limit.
constexpr int kProtoNoDepthLimit = 1 << 30;

// Resource attributes, serialized once per resource and copied into each row.
struct ResourceRendering {
  std::string service_name;  // AsString of the first "service.name"; "" when absent
  std::string keys, values;  // serialized as a MapColumn row
  size_t count = 0;
};

// InstrumentationScope: name = 1, version = 2, attributes = 3,
// dropped_attributes_count = 4. Merged over the scope's occurrences.
struct ScopeRendering {
  std::string_view name, version;
  uint32_t dropped_attributes_count = 0;
  std::string keys, values;
  size_t count = 0;
};

// Renders the Resource made of segments [seg_begin, seg_end) of `av`.
// Leaves the renderer's stacks as it found them.
void renderResource(AnyValueRenderer& av, size_t seg_begin, size_t seg_end, std::string* scratch,
                    ResourceRendering* out);
void renderScope(AnyValueRenderer& av, size_t seg_begin, size_t seg_end, std::string* scratch,
                 ScopeRendering* out);

// Sorts and deduplicates the entries of `av` from `entry_mark` (keys
// bytewise, the last duplicate wins) and serializes them as one Map row.
void serializeAttributes(AnyValueRenderer& av, size_t entry_mark, std::string* scratch,
                         std::string* keys, std::string* values, size_t* count);
// The same, appended as one row of `col`.
void appendAttributes(AnyValueRenderer& av, size_t entry_mark, std::string* scratch,
                      MapColumn& col);

// The walk the OTLP container messages share: ResourceLogs / ResourceSpans /
// ResourceMetrics (resource = 1, scope_* = 2, schema_url = 3) and ScopeLogs /
// ScopeSpans / ScopeMetrics (scope = 1, records = 2, schema_url = 3).
//
// The head (field 1, merged over its occurrences) may follow the children on
// the wire, so a first pass pushes its segments and calls
// head(seg_begin, seg_end, schema_url) (the segments are released after);
// then child(payload, budget) runs for each field 2 in wire order and the
// first failing child's status is returned.
//
// `budget` is the depth budget of the container's own reader. With a
// `head_spec` the walk checks the wire format as validateProto would (the
// head validated whole; the children get budget - 1 and check their own);
// a wire error sets *wire_error and returns a status naming it. Without one
// the input must already be validated (pass kProtoNoDepthLimit).
template <class Head, class Child>
Status walkOtlpContainer(AnyValueRenderer& av, std::string_view payload, int budget,
                         const ProtoMessageSpec* head_spec, bool* wire_error, Head&& head,
                         Child&& child) {
  auto wireError = [&](std::string what) {
    if (wire_error) *wire_error = true;
    return Status::internal(std::move(what));
  };
  const size_t seg_mark = av.segMark();
  std::string_view schema_url;
  ProtoReader r(payload, budget);
  ProtoField f;
  while (r.next(&f)) {
    if (!f.isLen()) continue;
    if (f.number == 1) {
      if (head_spec) {
        std::string path, detail;  // written only on failure
        if (budget - 1 < 0 || !proto_detail::validateMessage(f.bytes, *head_spec, budget - 1,
                                                             f.bytes.data(), &path, &detail)) {
          av.releaseSegments(seg_mark);
          return wireError("malformed resource or scope");
        }
      }
      av.pushSegment(f.bytes);
    } else if (f.number == 3) {
      schema_url = f.bytes;
    }
  }
  if (r.failed()) {
    av.releaseSegments(seg_mark);
    return wireError(r.describeError());
  }
  head(seg_mark, av.segMark(), schema_url);
  av.releaseSegments(seg_mark);

  ProtoReader r2(payload, kProtoNoDepthLimit);  // the first pass checked the wire format
  while (r2.next(&f)) {
    if (f.number != 2 || !f.isLen()) continue;
    if (budget - 1 < 0) return wireError("nesting deeper than 100 levels");
    Status s = child(f.bytes, budget - 1);
    if (!s.isOk()) return s;
  }
  return Status::ok();
}

// Lowercase hex of an id into `buf` (room for 2 * id.size() bytes).
std::string_view idHex(std::string_view id, char* buf);
bool isZeroId(std::string_view id);
// traceutil.*IDToHexOrEmptyString: "" when the id is empty or all zero.
void appendIdHexOrEmpty(StringColumn& col, std::string_view id);

// pdata refuses an id of any length but 0 and the id's size, failing the
// whole request: "<path>.<field>: invalid length 5 (want 0 or 16)".
inline bool idLengthOk(std::string_view id, size_t want) {
  return id.empty() || id.size() == want;
}
Status badIdLength(const std::string& path, const char* field, size_t got, size_t want);

}  // namespace otelhouse
