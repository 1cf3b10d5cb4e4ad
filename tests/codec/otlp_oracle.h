// Test oracle helpers shared by the traces and metrics differential tests:
// the collector's column text of libprotobuf-parsed OTLP values, written
// plainly (std::map for attribute maps) and independently of the decoders.
// Also: parsing with libprotobuf while noticing UTF-8 rejections, and hex of
// payloads for failure messages. Header-only, test-only.
#pragma once

#include <map>
#include <string>

#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>

#include "codec/go_text.h"
#include "opentelemetry/proto/common/v1/common.pb.h"

namespace otelhouse::testing::oracle {

namespace common = opentelemetry::proto::common::v1;

inline bool json(const common::AnyValue& v, std::string& out) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      appendGoJsonString(out, v.string_value());
      return true;
    case common::AnyValue::kBoolValue:
      out += v.bool_value() ? "true" : "false";
      return true;
    case common::AnyValue::kIntValue:
      out += std::to_string(v.int_value());
      return true;
    case common::AnyValue::kDoubleValue:
      return appendGoJsonNumber(out, v.double_value());
    case common::AnyValue::kBytesValue:
      out += '"';
      appendBase64(out, v.bytes_value());
      out += '"';
      return true;
    case common::AnyValue::kArrayValue: {
      out += '[';
      for (int i = 0; i < v.array_value().values_size(); ++i) {
        if (i) out += ',';
        if (!json(v.array_value().values(i), out)) return false;
      }
      out += ']';
      return true;
    }
    case common::AnyValue::kKvlistValue: {
      std::map<std::string, const common::AnyValue*> m;
      for (const auto& kv : v.kvlist_value().values()) m[kv.key()] = &kv.value();
      out += '{';
      bool first = true;
      for (const auto& [k, val] : m) {
        if (!first) out += ',';
        first = false;
        appendGoJsonString(out, k);
        out += ':';
        if (!json(*val, out)) return false;
      }
      out += '}';
      return true;
    }
    case common::AnyValue::VALUE_NOT_SET:
      out += "null";
      return true;
  }
  return true;
}

// pcommon.Value.AsString.
inline std::string asString(const common::AnyValue& v) {
  std::string out;
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      return v.string_value();
    case common::AnyValue::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case common::AnyValue::kIntValue:
      return std::to_string(v.int_value());
    case common::AnyValue::kDoubleValue:
      appendGoFloat(out, v.double_value());
      return out;
    case common::AnyValue::kBytesValue:
      appendBase64(out, v.bytes_value());
      return out;
    case common::AnyValue::kArrayValue:
    case common::AnyValue::kKvlistValue:
      if (!json(v, out)) return "";
      return out;
    case common::AnyValue::VALUE_NOT_SET:
      return "";
  }
  return out;
}

// Sorted keys; a later duplicate overwrites an earlier one.
inline std::map<std::string, std::string> attributes(
    const google::protobuf::RepeatedPtrField<common::KeyValue>& attrs) {
  std::map<std::string, std::string> m;
  for (const auto& kv : attrs) m[kv.key()] = asString(kv.value());
  return m;
}

// internal.GetServiceName: the first service.name, AsString.
inline std::string serviceName(const google::protobuf::RepeatedPtrField<common::KeyValue>& attrs) {
  for (const auto& kv : attrs) {
    if (kv.key() == "service.name") return asString(kv.value());
  }
  return "";
}

inline std::string hex(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// traceutil.*IDToHexOrEmptyString.
inline std::string idOrEmpty(const std::string& id) {
  if (id.find_first_not_of('\0') == std::string::npos) return "";
  return hex(id);
}

inline bool& utf8Logged() {
  static bool logged = false;
  return logged;
}

inline void captureLog(google::protobuf::LogLevel, const char*, int, const std::string& message) {
  if (message.find("UTF-8") != std::string::npos) utf8Logged() = true;
}

// Parses `bytes` into `m`; *utf8 says whether a failure was (also) an
// invalid UTF-8 string, which the decoders accept on purpose.
inline bool parse(const std::string& bytes, google::protobuf::Message* m, bool* utf8) {
  utf8Logged() = false;
  google::protobuf::LogHandler* old = google::protobuf::SetLogHandler(&captureLog);
  const bool parsed = m->ParseFromString(bytes);
  google::protobuf::SetLogHandler(old);
  *utf8 = !parsed && utf8Logged();
  return parsed;
}

}  // namespace otelhouse::testing::oracle
