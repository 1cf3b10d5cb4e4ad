// Shared pieces of the OTLP protobuf decoders (logs, traces, metrics): the
// rendering of a Resource and an InstrumentationScope into the column values
// every row of that resource / scope repeats, attribute maps, and ids as hex.
//
// Values follow the OpenTelemetry Collector's clickhouse exporter
// (exporter/clickhouseexporter, internal.GetServiceName / AttributesToMap and
// traceutil.*IDToHexOrEmptyString); see docs/COLUMNS.md.
//
// Input must already have passed validateProto; these helpers walk it again
// without depth checks. Renderings own their strings (they outlive the
// renderer's stacks) except the string_views, which point into the request
// buffer. Not thread-safe; each decoder thread has its own renderer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "codec/any_value_proto.h"
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
