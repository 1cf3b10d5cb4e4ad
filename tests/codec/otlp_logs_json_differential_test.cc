// Differential test: for random requests, the OTLP/JSON form decoded by
// decodeLogsJson must give the same Native bytes as the protobuf form decoded
// by decodeLogsProto. The JSON is written two ways: by a serializer here that
// varies every freedom the encoding allows (key spelling, integers as numbers
// or strings, enum names, id case, base64 alphabets, nulls for unset fields,
// unknown fields, member order, whitespace), and by libprotobuf's
// MessageToJsonString (ids converted to hex, as OTLP requires).
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "codec/go_text.h"
#include "codec/otlp_logs_json.h"
#include "codec/otlp_logs_proto.h"
#include "codec/otlp_random.h"

namespace otelhouse {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace logs = opentelemetry::proto::logs::v1;
namespace collector = opentelemetry::proto::collector::logs::v1;
using testing::OtlpRandom;
using testing::OtlpRandomOptions;

void appendJsonString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

// Writes an ExportLogsServiceRequest as OTLP/JSON, choosing at random among
// the spellings decodeLogsJson must treat alike.
class JsonWriter {
 public:
  explicit JsonWriter(OtlpRandom& rnd) : rnd_(rnd) {}

  std::string request(const collector::ExportLogsServiceRequest& req) {
    Object o;
    if (req.resource_logs_size() > 0 || rnd_.chance(0.5)) {
      std::string arr = array(req.resource_logs(), [&](const logs::ResourceLogs& rl) {
        return resourceLogs(rl);
      });
      o.add(key("resourceLogs", "resource_logs"), arr);
    }
    return finish(o);
  }

 private:
  struct Object {
    std::vector<std::pair<std::string, std::string>> members;
    void add(std::string k, std::string v) { members.emplace_back(std::move(k), std::move(v)); }
  };

  std::string ws() {
    static const char* const kSpace[] = {"", "", "", " ", "\n", "\t ", "\r\n  "};
    return kSpace[rnd_.below(std::size(kSpace))];
  }

  std::string key(std::string_view camel, std::string_view snake) {
    std::string out;
    appendJsonString(out, rnd_.chance(0.2) ? snake : camel);
    return out;
  }

  std::string finish(Object& o) {
    if (rnd_.chance(0.1)) o.add("\"unknownField\"", R"({"a":[1,"x",null,{"b":true}]})");
    if (rnd_.chance(0.05)) o.add("\"another_unknown\"", "-12.5e3");
    if (rnd_.chance(0.3)) std::shuffle(o.members.begin(), o.members.end(), rnd_.engine());
    std::string out = "{" + ws();
    for (size_t i = 0; i < o.members.size(); ++i) {
      if (i) out += "," + ws();
      out += o.members[i].first + ws() + ":" + ws() + o.members[i].second;
    }
    return out + ws() + "}";
  }

  template <class T, class Fn>
  std::string array(const google::protobuf::RepeatedPtrField<T>& items, Fn&& fn) {
    std::string out = "[" + ws();
    for (int i = 0; i < items.size(); ++i) {
      if (i) out += "," + ws();
      out += fn(items.Get(i));
    }
    return out + ws() + "]";
  }

  std::string str(std::string_view s) {
    std::string out;
    appendJsonString(out, s);
    return out;
  }

  std::string u64(uint64_t v) {
    std::string s = std::to_string(v);
    return rnd_.chance(0.5) ? "\"" + s + "\"" : s;
  }
  std::string i64(int64_t v) {
    std::string s = std::to_string(v);
    return rnd_.chance(0.5) ? "\"" + s + "\"" : s;
  }

  std::string dbl(double d) {
    if (std::isnan(d)) return "\"NaN\"";
    if (std::isinf(d)) return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, r.ptr);
    return rnd_.chance(0.2) ? "\"" + s + "\"" : s;
  }

  std::string b64(std::string_view bytes) {
    std::string s;
    appendBase64(s, bytes);
    if (rnd_.chance(0.2)) {
      while (!s.empty() && s.back() == '=') s.pop_back();
    }
    if (rnd_.chance(0.2)) {
      for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    return str(s);
  }

  std::string id(std::string_view bytes) {
    static const char kLower[] = "0123456789abcdef";
    static const char kUpper[] = "0123456789ABCDEF";
    const char* digits = rnd_.chance(0.2) ? kUpper : kLower;
    std::string hex;
    for (char c : bytes) {
      hex.push_back(digits[static_cast<unsigned char>(c) >> 4]);
      hex.push_back(digits[static_cast<unsigned char>(c) & 15]);
    }
    return str(hex);
  }

  // An unset or default-valued field: omitted, or written as null / default.
  bool skipDefault(Object& o, std::string k, std::string default_text) {
    if (rnd_.chance(0.8)) return true;
    o.add(std::move(k), rnd_.chance(0.5) ? "null" : default_text);
    return true;
  }

  std::string anyValue(const common::AnyValue& v) {
    Object o;
    switch (v.value_case()) {
      case common::AnyValue::kStringValue:
        o.add(key("stringValue", "string_value"), str(v.string_value()));
        break;
      case common::AnyValue::kBoolValue:
        o.add(key("boolValue", "bool_value"), v.bool_value() ? "true" : "false");
        break;
      case common::AnyValue::kIntValue:
        o.add(key("intValue", "int_value"), i64(v.int_value()));
        break;
      case common::AnyValue::kDoubleValue:
        o.add(key("doubleValue", "double_value"), dbl(v.double_value()));
        break;
      case common::AnyValue::kBytesValue:
        o.add(key("bytesValue", "bytes_value"), b64(v.bytes_value()));
        break;
      case common::AnyValue::kArrayValue: {
        Object a;
        if (v.array_value().values_size() > 0 || rnd_.chance(0.5)) {
          a.add("\"values\"", array(v.array_value().values(),
                                    [&](const common::AnyValue& x) { return anyValue(x); }));
        }
        o.add(key("arrayValue", "array_value"), finish(a));
        break;
      }
      case common::AnyValue::kKvlistValue: {
        Object a;
        if (v.kvlist_value().values_size() > 0 || rnd_.chance(0.5)) {
          a.add("\"values\"", array(v.kvlist_value().values(),
                                    [&](const common::KeyValue& x) { return keyValue(x); }));
        }
        o.add(key("kvlistValue", "kvlist_value"), finish(a));
        break;
      }
      case common::AnyValue::VALUE_NOT_SET:
        if (rnd_.chance(0.2)) o.add("\"stringValue\"", "null");
        break;
    }
    return finish(o);
  }

  std::string keyValue(const common::KeyValue& kv) {
    Object o;
    if (!kv.key().empty() || rnd_.chance(0.5)) o.add("\"key\"", str(kv.key()));
    if (kv.has_value()) {
      o.add("\"value\"", anyValue(kv.value()));
    } else if (rnd_.chance(0.3)) {
      o.add("\"value\"", rnd_.chance(0.5) ? "null" : "{}");
    }
    return finish(o);
  }

  void attributes(Object& o, const google::protobuf::RepeatedPtrField<common::KeyValue>& a) {
    if (a.empty()) {
      skipDefault(o, "\"attributes\"", "[]");
      return;
    }
    o.add("\"attributes\"", array(a, [&](const common::KeyValue& kv) { return keyValue(kv); }));
  }

  void dropped(Object& o, uint32_t n) {
    if (n == 0) {
      skipDefault(o, key("droppedAttributesCount", "dropped_attributes_count"), "0");
      return;
    }
    o.add(key("droppedAttributesCount", "dropped_attributes_count"), u64(n));
  }

  void string(Object& o, std::string_view camel, std::string_view snake, const std::string& v) {
    if (v.empty()) {
      skipDefault(o, key(camel, snake), "\"\"");
      return;
    }
    o.add(key(camel, snake), str(v));
  }

  std::string resourceLogs(const logs::ResourceLogs& rl) {
    Object o;
    if (rl.has_resource()) {
      Object r;
      attributes(r, rl.resource().attributes());
      dropped(r, rl.resource().dropped_attributes_count());
      if (rl.resource().entity_refs_size() > 0) {
        r.add(key("entityRefs", "entity_refs"), R"([{"type":"service","idKeys":["x"]}])");
      }
      o.add("\"resource\"", finish(r));
    } else {
      skipDefault(o, "\"resource\"", "{}");
    }
    string(o, "schemaUrl", "schema_url", rl.schema_url());
    if (rl.scope_logs_size() > 0 || rnd_.chance(0.5)) {
      o.add(key("scopeLogs", "scope_logs"),
            array(rl.scope_logs(), [&](const logs::ScopeLogs& sl) { return scopeLogs(sl); }));
    }
    return finish(o);
  }

  std::string scopeLogs(const logs::ScopeLogs& sl) {
    Object o;
    if (sl.has_scope()) {
      Object s;
      string(s, "name", "name", sl.scope().name());
      string(s, "version", "version", sl.scope().version());
      attributes(s, sl.scope().attributes());
      dropped(s, sl.scope().dropped_attributes_count());
      o.add("\"scope\"", finish(s));
    } else {
      skipDefault(o, "\"scope\"", "{}");
    }
    string(o, "schemaUrl", "schema_url", sl.schema_url());
    if (sl.log_records_size() > 0 || rnd_.chance(0.5)) {
      o.add(key("logRecords", "log_records"),
            array(sl.log_records(), [&](const logs::LogRecord& r) { return logRecord(r); }));
    }
    return finish(o);
  }

  std::string severity(int32_t n) {
    if (n >= 0 && n <= 24 && rnd_.chance(0.4)) {
      return str(logs::SeverityNumber_Name(static_cast<logs::SeverityNumber>(n)));
    }
    return rnd_.chance(0.2) ? "\"" + std::to_string(n) + "\"" : std::to_string(n);
  }

  std::string logRecord(const logs::LogRecord& r) {
    Object o;
    auto u64Field = [&](std::string_view camel, std::string_view snake, uint64_t v) {
      if (v == 0) {
        skipDefault(o, key(camel, snake), "0");
      } else {
        o.add(key(camel, snake), u64(v));
      }
    };
    u64Field("timeUnixNano", "time_unix_nano", r.time_unix_nano());
    u64Field("observedTimeUnixNano", "observed_time_unix_nano", r.observed_time_unix_nano());
    if (r.severity_number() != 0) {
      o.add(key("severityNumber", "severity_number"), severity(r.severity_number()));
    } else {
      skipDefault(o, key("severityNumber", "severity_number"), severity(0));
    }
    string(o, "severityText", "severity_text", r.severity_text());
    if (r.has_body()) {
      o.add("\"body\"", anyValue(r.body()));
    } else {
      skipDefault(o, "\"body\"", "{}");
    }
    attributes(o, r.attributes());
    dropped(o, r.dropped_attributes_count());
    if (r.flags() != 0) {
      o.add("\"flags\"", u64(r.flags()));
    } else {
      skipDefault(o, "\"flags\"", "0");
    }
    if (!r.trace_id().empty()) {
      o.add(key("traceId", "trace_id"), id(r.trace_id()));
    } else {
      skipDefault(o, key("traceId", "trace_id"), "\"\"");
    }
    if (!r.span_id().empty()) {
      o.add(key("spanId", "span_id"), id(r.span_id()));
    } else {
      skipDefault(o, key("spanId", "span_id"), "\"\"");
    }
    string(o, "eventName", "event_name", r.event_name());
    return finish(o);
  }

  OtlpRandom& rnd_;
};

// libprotobuf writes bytes fields as base64; OTLP/JSON wants ids in hex.
std::string idsToHex(std::string json) {
  static const std::string_view kKeys[] = {"\"traceId\":\"", "\"spanId\":\"", "\"trace_id\":\"",
                                           "\"span_id\":\""};
  for (std::string_view k : kKeys) {
    size_t pos = 0;
    while ((pos = json.find(k, pos)) != std::string::npos) {
      const size_t start = pos + k.size();
      const size_t end = json.find('"', start);
      std::string b64 = json.substr(start, end - start);
      std::string bytes;
      uint32_t acc = 0;
      int bits = 0;
      for (char c : b64) {
        if (c == '=') break;
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        acc = (acc << 6) | static_cast<uint32_t>(std::string_view(alphabet).find(c));
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          bytes.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
      }
      std::string hex;
      for (char c : bytes) {
        hex.push_back("0123456789abcdef"[static_cast<unsigned char>(c) >> 4]);
        hex.push_back("0123456789abcdef"[static_cast<unsigned char>(c) & 15]);
      }
      json.replace(start, end - start, hex);
      pos = start + hex.size();
    }
  }
  return json;
}

std::vector<std::string> values(const StringColumn& c) {
  std::vector<std::string> out;
  const std::string& s = c.serialized();
  size_t pos = 0;
  while (pos < s.size()) {
    uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = static_cast<uint8_t>(s[pos++]);
      n |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
    }
    out.push_back(s.substr(pos, n));
    pos += n;
  }
  return out;
}

// Row `row` of a Map column as text, for failure messages.
std::string mapRow(const MapColumn& c, size_t row) {
  const auto keys = values(c.keys());
  const auto vals = values(c.values());
  const auto& offsets = c.offsets().values();
  std::string out;
  for (uint64_t i = row ? offsets[row - 1] : 0; i < offsets[row]; ++i) {
    out += "[" + keys[i] + "]=[" + vals[i] + "] ";
  }
  return out;
}

// Names the first column and row that differ, to make a failure readable.
std::string firstDifference(const LogsRows& a, const LogsRows& b) {
  if (a.rows() != b.rows()) {
    return "row counts " + std::to_string(a.rows()) + " vs " + std::to_string(b.rows());
  }
  const std::pair<uint32_t, const MapColumn LogsRows::*> kMaps[] = {
      {kLogsResourceAttributes, &LogsRows::resource_attributes},
      {kLogsScopeAttributes, &LogsRows::scope_attributes},
      {kLogsLogAttributes, &LogsRows::log_attributes}};
  for (uint32_t bit = 1; bit & kLogsAllColumns; bit <<= 1) {
    std::string x, y;
    a.encodeNative(x, bit);
    b.encodeNative(y, bit);
    if (x == y) continue;
    std::string what = "column bit " + std::to_string(bit) + " differs";
    for (const auto& [map_bit, member] : kMaps) {
      if (map_bit != bit) continue;
      for (size_t row = 0; row < a.rows(); ++row) {
        std::string ra = mapRow(a.*member, row), rb = mapRow(b.*member, row);
        if (ra != rb) return what + " at row " + std::to_string(row) + ":\n  proto " + ra +
                             "\n  json  " + rb;
      }
    }
    if (bit == kLogsBody) {
      auto va = values(a.body), vb = values(b.body);
      for (size_t row = 0; row < va.size(); ++row) {
        if (va[row] != vb[row]) {
          return what + " at row " + std::to_string(row) + ":\n  proto " + va[row] +
                 "\n  json  " + vb[row];
        }
      }
    }
    return what;
  }
  return "no difference";
}

void expectSameRows(const std::string& proto, const std::string& json, uint64_t seed) {
  LogsRows from_proto;
  LogsRows from_json;
  Status ps = decodeLogsProto(proto, from_proto);
  ASSERT_TRUE(ps.isOk()) << "seed " << seed << ": " << ps.toString();
  Status js = decodeLogsJson(json, from_json);
  ASSERT_TRUE(js.isOk()) << "seed " << seed << ": " << js.toString() << "\n" << json;
  std::string a, b;
  from_proto.encodeNative(a, kLogsAllColumns);
  from_json.encodeNative(b, kLogsAllColumns);
  ASSERT_TRUE(a == b) << "seed " << seed << ": " << firstDifference(from_proto, from_json)
                      << "\n" << json;
}

TEST(OtlpLogsJsonDifferential, OwnSerializerMatchesProtobufDecoder) {
  size_t rows = 0;
  for (uint64_t seed = 1; seed <= 1500; ++seed) {
    OtlpRandom rnd(seed);
    const collector::ExportLogsServiceRequest req = rnd.logsRequest();
    JsonWriter writer(rnd);
    const std::string json = writer.request(req);
    expectSameRows(req.SerializeAsString(), json, seed);
    if (::testing::Test::HasFatalFailure()) return;
    LogsRows counted;
    ASSERT_TRUE(decodeLogsJson(json, counted).isOk());
    rows += counted.rows();
  }
  EXPECT_GT(rows, 3000u);  // the requests were not trivially empty
}

TEST(OtlpLogsJsonDifferential, DeepAndWideRequests) {
  OtlpRandomOptions options;
  options.max_resources = 5;
  options.max_records = 8;
  options.max_attributes = 12;
  options.max_depth = 6;
  options.special_chance = 0.4;
  for (uint64_t seed = 100000; seed < 100200; ++seed) {
    OtlpRandom rnd(seed, options);
    const collector::ExportLogsServiceRequest req = rnd.logsRequest();
    JsonWriter writer(rnd);
    expectSameRows(req.SerializeAsString(), writer.request(req), seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(OtlpLogsJsonDifferential, LibprotobufJsonMatchesProtobufDecoder) {
  for (uint64_t seed = 5000; seed < 5500; ++seed) {
    OtlpRandom rnd(seed);
    const collector::ExportLogsServiceRequest req = rnd.logsRequest();
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_enums_as_ints = rnd.chance(0.5);
    options.preserve_proto_field_names = rnd.chance(0.5);
    options.always_print_primitive_fields = rnd.chance(0.3);
    std::string json;
    auto status = google::protobuf::util::MessageToJsonString(req, &json, options);
    ASSERT_TRUE(status.ok()) << status.ToString();
    expectSameRows(req.SerializeAsString(), idsToHex(json), seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace otelhouse
