// Helpers for the log processing tests: requests built from one log record's
// JSON, decoding with the real decoders, and reading rows back out of the
// column builders.
#pragma once

#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "rows/logs_rows.h"

namespace otelhouse::testing {

using Attrs = std::vector<std::pair<std::string, std::string>>;

// An OTLP/JSON request holding `records` (LogRecord objects, comma-separated)
// under a resource with service.name "svc".
inline std::string logsRequest(const std::string& records) {
  return R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":)"
         R"({"stringValue":"svc"}}]},"scopeLogs":[{"scope":{"name":"s"},"logRecords":[)" +
         records + "]}]}]}";
}

// The same request as protobuf, through libprotobuf's JSON mapping.
inline std::string toProtobuf(const std::string& json) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  auto st = google::protobuf::util::JsonStringToMessage(json, &req);
  if (!st.ok()) return "JSON mapping failed: " + st.ToString();
  return req.SerializeAsString();
}

inline uint64_t readVarUInt(std::string_view& s) {
  uint64_t v = 0;
  int shift = 0;
  while (!s.empty()) {
    const auto b = static_cast<uint8_t>(s.front());
    s.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  return v;
}

inline std::vector<std::string> strings(const StringColumn& c) {
  std::vector<std::string> out;
  std::string_view s = c.serialized();
  for (size_t i = 0; i < c.rows(); ++i) {
    const uint64_t n = readVarUInt(s);
    out.emplace_back(s.substr(0, n));
    s.remove_prefix(n);
  }
  return out;
}

inline std::vector<Attrs> maps(const MapColumn& c) {
  const std::vector<std::string> keys = strings(c.keys());
  const std::vector<std::string> values = strings(c.values());
  std::vector<Attrs> out;
  uint64_t begin = 0;
  for (uint64_t end : c.offsets().values()) {
    Attrs row;
    for (uint64_t i = begin; i < end; ++i) row.emplace_back(keys[i], values[i]);
    out.push_back(std::move(row));
    begin = end;
  }
  return out;
}

}  // namespace otelhouse::testing
