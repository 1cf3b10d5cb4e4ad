// decodeLogsProto on hand-built payloads, with exact expected column values.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "codec/otlp_logs_proto.h"
#include "codec/otlp_random.h"
#include "codec/proto_reader.h"
#include "rows/logs_rows.h"

namespace otelhouse {
namespace {

// --- payload builders (wire format by hand)

std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string tag(uint32_t field, int wt) { return varint((uint64_t{field} << 3) | wt); }
std::string len(uint32_t field, const std::string& payload) {
  return tag(field, 2) + varint(payload.size()) + payload;
}
std::string fixed64(uint32_t field, uint64_t v) {
  std::string s = tag(field, 1);
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string fixed32(uint32_t field, uint32_t v) {
  std::string s = tag(field, 5);
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string vfield(uint32_t field, uint64_t v) { return tag(field, 0) + varint(v); }
uint64_t bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// AnyValue payloads.
std::string sv(const std::string& s) { return len(1, s); }
std::string bv(bool b) { return vfield(2, b); }
std::string iv(int64_t i) { return vfield(3, static_cast<uint64_t>(i)); }
std::string dv(double d) { return fixed64(4, bits(d)); }
std::string yv(const std::string& b) { return len(7, b); }
std::string arr(const std::vector<std::string>& values) {
  std::string a;
  for (const auto& v : values) a += len(1, v);
  return len(5, a);
}
std::string kv(const std::string& k, const std::string& any) { return len(1, k) + len(2, any); }
std::string kvl(const std::vector<std::pair<std::string, std::string>>& kvs) {
  std::string l;
  for (const auto& [k, v] : kvs) l += len(1, kv(k, v));
  return len(6, l);
}
// Attributes field `field` of a message, one KeyValue each.
std::string attrs(uint32_t field, const std::vector<std::pair<std::string, std::string>>& kvs) {
  std::string s;
  for (const auto& [k, v] : kvs) s += len(field, kv(k, v));
  return s;
}
std::string request(const std::string& resource_logs) { return len(1, resource_logs); }
std::string resourceLogs(const std::string& resource, const std::vector<std::string>& scopes,
                         const std::string& schema_url = "") {
  std::string s = len(1, resource);
  for (const auto& sc : scopes) s += len(2, sc);
  if (!schema_url.empty()) s += len(3, schema_url);
  return s;
}
std::string scopeLogs(const std::string& scope, const std::vector<std::string>& records,
                      const std::string& schema_url = "") {
  std::string s = len(1, scope);
  for (const auto& r : records) s += len(2, r);
  if (!schema_url.empty()) s += len(3, schema_url);
  return s;
}
std::string oneRecord(const std::string& record) {
  return request(resourceLogs("", {scopeLogs("", {record})}));
}

// --- column readers

std::vector<std::string> strings(const StringColumn& c) {
  std::vector<std::string> out;
  const std::string& d = c.serialized();
  size_t p = 0;
  while (p < d.size()) {
    uint64_t n = 0;
    for (int s = 0;; s += 7) {
      uint8_t b = static_cast<uint8_t>(d[p++]);
      n |= uint64_t{b & 0x7Fu} << s;
      if (b < 0x80) break;
    }
    out.push_back(d.substr(p, n));
    p += n;
  }
  return out;
}

using Map = std::vector<std::pair<std::string, std::string>>;
std::vector<Map> maps(const MapColumn& c) {
  const auto keys = strings(c.keys());
  const auto values = strings(c.values());
  std::vector<Map> out;
  uint64_t prev = 0;
  for (uint64_t off : c.offsets().values()) {
    Map m;
    for (uint64_t i = prev; i < off; ++i) m.emplace_back(keys[i], values[i]);
    out.push_back(std::move(m));
    prev = off;
  }
  return out;
}

LogsRows decodeOk(const std::string& body) {
  LogsRows rows;
  Status s = decodeLogsProto(body, rows);
  EXPECT_TRUE(s.isOk()) << s.message();
  EXPECT_TRUE(rows.consistent());
  return rows;
}

std::string decodeError(const std::string& body) {
  LogsRows rows;
  Status s = decodeLogsProto(body, rows);
  EXPECT_FALSE(s.isOk());
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  return s.message();
}

// The Body column of a single record whose body is `any`.
std::string bodyText(const std::string& any) {
  LogsRows rows = decodeOk(oneRecord(len(5, any)));
  auto b = strings(rows.body);
  return b.size() == 1 ? b[0] : "<no row>";
}

// --- tests

TEST(OtlpLogsProto, EmptyRequestHasNoRows) {
  EXPECT_EQ(decodeOk("").rows(), 0u);
  EXPECT_EQ(decodeOk(request("")).rows(), 0u);
  EXPECT_EQ(decodeOk(request(resourceLogs("", {scopeLogs("", {})}))).rows(), 0u);
}

TEST(OtlpLogsProto, FullRecordExactColumns) {
  const std::string trace_id("\x5b\x8e\xff\x66\x79\x8e\xa7\x84\x74\x0e\x2b\x5a\x1f\x00\x99\x0a", 16);
  const std::string span_id("\xee\x57\xf0\x1b\x20\x00\x11\xff", 8);
  const std::string record = fixed64(1, 1700000000123456789ull) + fixed64(11, 5) +
                             vfield(2, 9) + len(3, "Info") + len(5, sv("hello world")) +
                             attrs(6, {{"http.status", iv(200)}, {"a", sv("x")}}) +
                             vfield(7, 3) + fixed32(8, 0x1301) + len(9, trace_id) +
                             len(10, span_id) + len(12, "app.started");
  const std::string resource = attrs(1, {{"service.name", sv("checkout")}, {"host", sv("h1")}});
  const std::string scope = len(1, "io.lib") + len(2, "1.2.3") + attrs(3, {{"sa", bv(true)}});
  LogsRows rows = decodeOk(request(resourceLogs(
      resource, {scopeLogs(scope, {record}, "https://scope/schema")}, "https://res/schema")));
  ASSERT_EQ(rows.rows(), 1u);
  EXPECT_EQ(rows.timestamp.values()[0], 1700000000123456789ll);
  EXPECT_EQ(strings(rows.trace_id)[0], "5b8eff66798ea784740e2b5a1f00990a");
  EXPECT_EQ(strings(rows.span_id)[0], "ee57f01b200011ff");
  EXPECT_EQ(rows.trace_flags.values()[0], 0x01);
  EXPECT_EQ(strings(rows.severity_text)[0], "Info");
  EXPECT_EQ(rows.severity_number.values()[0], 9);
  EXPECT_EQ(strings(rows.service_name)[0], "checkout");
  EXPECT_EQ(strings(rows.body)[0], "hello world");
  EXPECT_EQ(strings(rows.resource_schema_url)[0], "https://res/schema");
  EXPECT_EQ(maps(rows.resource_attributes)[0], (Map{{"host", "h1"}, {"service.name", "checkout"}}));
  EXPECT_EQ(strings(rows.scope_schema_url)[0], "https://scope/schema");
  EXPECT_EQ(strings(rows.scope_name)[0], "io.lib");
  EXPECT_EQ(strings(rows.scope_version)[0], "1.2.3");
  EXPECT_EQ(maps(rows.scope_attributes)[0], (Map{{"sa", "true"}}));
  EXPECT_EQ(maps(rows.log_attributes)[0], (Map{{"a", "x"}, {"http.status", "200"}}));
  EXPECT_EQ(strings(rows.event_name)[0], "app.started");
}

TEST(OtlpLogsProto, TraceIdHex) {
  std::string id;
  for (int i = 0; i < 16; ++i) id.push_back(static_cast<char>(i * 17));
  LogsRows rows = decodeOk(oneRecord(len(9, id)));
  EXPECT_EQ(strings(rows.trace_id)[0], "00112233445566778899aabbccddeeff");
}

TEST(OtlpLogsProto, EmptyRecordDefaults) {
  LogsRows rows = decodeOk(oneRecord(""));
  ASSERT_EQ(rows.rows(), 1u);
  EXPECT_EQ(rows.timestamp.values()[0], 0);
  EXPECT_EQ(strings(rows.trace_id)[0], "");
  EXPECT_EQ(strings(rows.span_id)[0], "");
  EXPECT_EQ(rows.trace_flags.values()[0], 0);
  EXPECT_EQ(rows.severity_number.values()[0], 0);
  EXPECT_EQ(strings(rows.service_name)[0], "");
  EXPECT_EQ(strings(rows.body)[0], "");
  EXPECT_EQ(maps(rows.resource_attributes)[0], Map{});
  EXPECT_EQ(maps(rows.log_attributes)[0], Map{});
  EXPECT_EQ(strings(rows.scope_name)[0], "");
  EXPECT_EQ(strings(rows.event_name)[0], "");
}

TEST(OtlpLogsProto, TimestampFallsBackToObserved) {
  LogsRows rows = decodeOk(oneRecord(fixed64(11, 42)));
  EXPECT_EQ(rows.timestamp.values()[0], 42);
  rows = decodeOk(oneRecord(fixed64(1, 7) + fixed64(11, 42)));
  EXPECT_EQ(rows.timestamp.values()[0], 7);
  // Beyond INT64_MAX the bits are kept (DateTime64 is signed).
  rows = decodeOk(oneRecord(fixed64(1, ~uint64_t{0})));
  EXPECT_EQ(rows.timestamp.values()[0], -1);
}

TEST(OtlpLogsProto, ZeroIdsAreEmpty) {
  LogsRows rows =
      decodeOk(oneRecord(len(9, std::string(16, '\0')) + len(10, std::string(8, '\0'))));
  EXPECT_EQ(strings(rows.trace_id)[0], "");
  EXPECT_EQ(strings(rows.span_id)[0], "");
}

TEST(OtlpLogsProto, SeverityNumberKeepsLowByte) {
  EXPECT_EQ(decodeOk(oneRecord(vfield(2, 24))).severity_number.values()[0], 24);
  EXPECT_EQ(decodeOk(oneRecord(vfield(2, 300))).severity_number.values()[0], 300 & 0xFF);
  EXPECT_EQ(decodeOk(oneRecord(vfield(2, ~uint64_t{0}))).severity_number.values()[0], 255);
}

TEST(OtlpLogsProto, TraceFlagsLowByte) {
  EXPECT_EQ(decodeOk(oneRecord(fixed32(8, 0xABCDEF12))).trace_flags.values()[0], 0x12);
}

TEST(OtlpLogsProto, UnknownFieldsAndForeignWireTypesAreSkipped) {
  const std::string record = vfield(1, 99) /* time as varint: unknown */ + fixed64(11, 3) +
                             len(99, "junk") + tag(77, 3) + vfield(1, 5) + tag(77, 4) +
                             fixed32(1000, 1) + fixed64(2000, 2) + vfield(123456, 7) +
                             len(3, "WARN") + len(9, "abc") /* wrong len but... */;
  // ...trace_id "abc" must still be rejected: it is the known field.
  EXPECT_EQ(decodeError(oneRecord(record)),
            "resource_logs[0].scope_logs[0].log_records[0].trace_id: invalid length 3 (want 0 or "
            "16)");
  const std::string ok = vfield(1, 99) + fixed64(11, 3) + len(99, "junk") + tag(77, 3) +
                         vfield(1, 5) + tag(77, 4) + fixed32(1000, 1) + vfield(9, 4) +
                         len(3, "WARN");
  LogsRows rows = decodeOk(request(vfield(5, 1) + resourceLogs(attrs(1, {}) + len(50, "x"),
                                                                {scopeLogs(fixed32(9, 1), {ok})})));
  ASSERT_EQ(rows.rows(), 1u);
  EXPECT_EQ(rows.timestamp.values()[0], 3);
  EXPECT_EQ(strings(rows.severity_text)[0], "WARN");
  EXPECT_EQ(strings(rows.trace_id)[0], "");
}

TEST(OtlpLogsProto, EveryAnyValueTypeAsString) {
  EXPECT_EQ(bodyText(sv("plain \"text\"\n")), "plain \"text\"\n");
  EXPECT_EQ(bodyText(sv("")), "");
  EXPECT_EQ(bodyText(""), "");  // body present, no value
  EXPECT_EQ(bodyText(bv(true)), "true");
  EXPECT_EQ(bodyText(bv(false)), "false");
  EXPECT_EQ(bodyText(iv(-9223372036854775807 - 1)), "-9223372036854775808");
  EXPECT_EQ(bodyText(iv(0)), "0");
  EXPECT_EQ(bodyText(dv(0.1)), "0.1");
  EXPECT_EQ(bodyText(dv(1e-7)), "1e-7");
  EXPECT_EQ(bodyText(dv(1e21)), "1e+21");
  EXPECT_EQ(bodyText(dv(123456789.0)), "123456789");
  EXPECT_EQ(bodyText(dv(-0.0)), "-0");
  EXPECT_EQ(bodyText(dv(NAN)), "json: unsupported value: NaN");
  EXPECT_EQ(bodyText(dv(-INFINITY)), "json: unsupported value: -Inf");
  EXPECT_EQ(bodyText(yv(std::string("\x00\xff\x10", 3))), "AP8Q");
  EXPECT_EQ(bodyText(yv("ab")), "YWI=");
  EXPECT_EQ(bodyText(yv("")), "");
  EXPECT_EQ(bodyText(arr({})), "[]");
  EXPECT_EQ(bodyText(kvl({})), "{}");
}

TEST(OtlpLogsProto, NestedJsonText) {
  const std::string body =
      kvl({{"z", arr({iv(1), sv("x"), bv(true), "", dv(1.5), yv("\x01\x02"), arr({})})},
           {"b", kvl({{"c", kvl({})}, {"<&>", sv("\xe2\x80\xa8\x01\"")}})},
           {"a", dv(1e-7)},
           {"a", dv(2)},
           {"", sv("empty key")}});
  EXPECT_EQ(bodyText(body),
            "{\"\":\"empty key\",\"a\":2,\"b\":{\"<&>\":\"\\u2028\\u0001\\\"\",\"c\":{}},"
            "\"z\":[1,\"x\",true,null,1.5,\"AQI=\",[]]}");
  EXPECT_EQ(bodyText(arr({sv("\xff"), iv(-3)})), "[\"\\ufffd\",-3]");
  // NaN / Inf anywhere inside makes the whole text empty.
  EXPECT_EQ(bodyText(arr({iv(1), kvl({{"n", dv(NAN)}})})), "");
  EXPECT_EQ(bodyText(kvl({{"i", dv(INFINITY)}})), "");
}

TEST(OtlpLogsProto, AttributeMapsSortedLastDuplicateWins) {
  const std::string record = attrs(6, {{"b", sv("1")},
                                       {"a", sv("2")},
                                       {"b", sv("3")},
                                       {"\xc3\xa9", sv("e")},
                                       {"B", sv("upper")},
                                       {"novalue", ""},
                                       {"m", kvl({{"k", iv(1)}, {"k", iv(2)}})}});
  LogsRows rows = decodeOk(oneRecord(record));
  EXPECT_EQ(maps(rows.log_attributes)[0], (Map{{"B", "upper"},
                                               {"a", "2"},
                                               {"b", "3"},
                                               {"m", "{\"k\":2}"},
                                               {"novalue", ""},
                                               {"\xc3\xa9", "e"}}));
}

TEST(OtlpLogsProto, ServiceNameIsFirstAndAsString) {
  auto service = [](const std::string& resource) {
    LogsRows rows = decodeOk(request(resourceLogs(resource, {scopeLogs("", {""})})));
    return strings(rows.service_name)[0];
  };
  EXPECT_EQ(service(attrs(1, {{"service.name", iv(42)}})), "42");
  EXPECT_EQ(service(attrs(1, {{"service.name", kvl({{"a", bv(false)}})}})), "{\"a\":false}");
  EXPECT_EQ(service(attrs(1, {{"service.name", sv("first")}, {"service.name", sv("second")}})),
            "first");
  EXPECT_EQ(service(attrs(1, {{"other", sv("x")}})), "");
}

TEST(OtlpLogsProto, ResourceAndScopeValuesRepeatPerRow) {
  const std::string resource = attrs(1, {{"r", dv(0.5)}});
  LogsRows rows = decodeOk(request(
      resourceLogs(resource, {scopeLogs(len(1, "s1"), {"", ""}), scopeLogs(len(1, "s2"), {""})})));
  ASSERT_EQ(rows.rows(), 3u);
  EXPECT_EQ(maps(rows.resource_attributes), (std::vector<Map>(3, Map{{"r", "0.5"}})));
  EXPECT_EQ(strings(rows.scope_name), (std::vector<std::string>{"s1", "s1", "s2"}));
}

TEST(OtlpLogsProto, MergeSemantics) {
  // Resource after the records, in two pieces; body in two pieces.
  const std::string rl = len(2, scopeLogs("", {len(5, kvl({{"x", iv(1)}})) +
                                               len(5, kvl({{"y", iv(2)}}))})) +
                         len(1, attrs(1, {{"a", sv("1")}})) + len(1, attrs(1, {{"b", sv("2")}}));
  LogsRows rows = decodeOk(request(rl));
  EXPECT_EQ(strings(rows.body)[0], "{\"x\":1,\"y\":2}");
  EXPECT_EQ(maps(rows.resource_attributes)[0], (Map{{"a", "1"}, {"b", "2"}}));
  // A different oneof member in between resets the kvlist.
  rows = decodeOk(oneRecord(len(5, kvl({{"x", iv(1)}})) + len(5, sv("s")) +
                            len(5, kvl({{"y", iv(2)}}))));
  EXPECT_EQ(strings(rows.body)[0], "{\"y\":2}");
  // Scalars: the last wins.
  rows = decodeOk(oneRecord(len(3, "a") + len(3, "b") + fixed64(1, 1) + fixed64(1, 2)));
  EXPECT_EQ(strings(rows.severity_text)[0], "b");
  EXPECT_EQ(rows.timestamp.values()[0], 2);
}

TEST(OtlpLogsProto, InvalidUtf8IsStoredAsIs) {
  // libprotobuf would reject this request (proto3 string fields must be
  // UTF-8); the Go collector keeps the bytes, and so do we.
  const std::string bad = "a\xff\xc3";
  LogsRows rows = decodeOk(oneRecord(len(3, bad) + len(5, sv(bad)) + attrs(6, {{bad, sv(bad)}}) +
                                     len(12, bad)));
  EXPECT_EQ(strings(rows.severity_text)[0], bad);
  EXPECT_EQ(strings(rows.body)[0], bad);
  EXPECT_EQ(maps(rows.log_attributes)[0], (Map{{bad, bad}}));
  EXPECT_EQ(strings(rows.event_name)[0], bad);
  // Inside JSON, Go replaces each invalid byte with U+FFFD.
  EXPECT_EQ(bodyText(kvl({{bad, sv(bad)}})), "{\"a\\ufffd\\ufffd\":\"a\\ufffd\\ufffd\"}");
}

TEST(OtlpLogsProto, BadIdLengthsNameThePlace) {
  const std::string ok_scope = scopeLogs("", {""});
  const std::string bad_scope = scopeLogs("", {"", "", "", len(9, "12345")});
  EXPECT_EQ(decodeError(request(resourceLogs("", {ok_scope, bad_scope}))),
            "resource_logs[0].scope_logs[1].log_records[3].trace_id: invalid length 5 (want 0 or "
            "16)");
  EXPECT_EQ(decodeError(request("") + request(resourceLogs("", {scopeLogs("", {len(10, "1234567")})}))),
            "resource_logs[1].scope_logs[0].log_records[0].span_id: invalid length 7 (want 0 or 8)");
  EXPECT_EQ(decodeError(oneRecord(len(9, std::string(17, 'a')))),
            "resource_logs[0].scope_logs[0].log_records[0].trace_id: invalid length 17 (want 0 or "
            "16)");
}

TEST(OtlpLogsProto, WireErrorsNameThePlace) {
  EXPECT_EQ(decodeError(tag(3, 7)), "invalid wire type at byte 0");
  EXPECT_EQ(decodeError(tag(3, 6) + "x"), "invalid wire type at byte 0");
  EXPECT_EQ(decodeError(std::string(1, '\0')), "field number 0 at byte 0");
  EXPECT_EQ(decodeError(tag(2, 4)), "unexpected end-group tag at byte 0");
  EXPECT_EQ(decodeError(tag(2, 3) + vfield(1, 1)), "unterminated group at byte 0");
  EXPECT_EQ(decodeError(tag(2, 3) + tag(3, 4)), "mismatched end-group tag at byte 0");
  EXPECT_EQ(decodeError(tag(2, 0) + std::string(10, '\x80') + "\x01"), "varint too long at byte 0");
  EXPECT_EQ(decodeError(tag(2, 0) + "\x80"), "truncated input at byte 0");
  EXPECT_EQ(decodeError(tag(2, 1) + "1234567"), "truncated input at byte 0");
  EXPECT_EQ(decodeError(std::string("\x0a\x05\x00", 3)), "length exceeds the input at byte 0");
  // Nested: the path names the message that holds the bad bytes.
  const std::string bad_attr = request(resourceLogs(
      "", {scopeLogs("", {attrs(6, {{"a", sv("x")}}) + len(6, len(1, "k") + len(2, tag(9, 7)))})}));
  EXPECT_EQ(decodeError(bad_attr),
            "resource_logs[0].scope_logs[0].log_records[0].attributes[1].value: invalid wire type "
            "at byte 27");
}

TEST(OtlpLogsProto, TruncationAtEveryOffsetFailsCleanly) {
  const std::string record = fixed64(1, 1) + vfield(2, 9) + len(3, "INFO") +
                             len(5, kvl({{"a", arr({sv("x"), dv(1.5)})}})) +
                             attrs(6, {{"k", yv("zz")}}) + fixed32(8, 1) +
                             len(9, std::string(16, '\x01')) + len(10, std::string(8, '\x02')) +
                             tag(40, 3) + vfield(1, 1) + tag(40, 4);
  const std::string full = request(resourceLogs(attrs(1, {{"service.name", sv("svc")}}),
                                                {scopeLogs(len(1, "lib"), {record})}));
  ASSERT_EQ(decodeOk(full).rows(), 1u);
  for (size_t n = 1; n < full.size(); ++n) {
    LogsRows rows;
    Status s = decodeLogsProto(std::string_view(full).substr(0, n), rows);
    EXPECT_FALSE(s.isOk()) << "prefix " << n;
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
  }
}

std::string nestedKvlist(int levels) {
  std::string v = sv("leaf");
  for (int i = 0; i < levels; ++i) v = kvl({{"k", v}});
  return v;
}

TEST(OtlpLogsProto, DeepNestingIsLimited) {
  // The body sits 4 levels below the request, each kvlist adds 3; the limit
  // is libprotobuf's 100.
  std::string text = bodyText(nestedKvlist(32));
  EXPECT_EQ(text.substr(0, 12), "{\"k\":{\"k\":{\"");
  EXPECT_EQ(text.size(), 32 * 6 + 6u);
  const std::string err = decodeError(oneRecord(len(5, nestedKvlist(33))));
  EXPECT_NE(err.find("nesting deeper than 100 levels"), std::string::npos) << err;
  EXPECT_EQ(err.rfind("resource_logs[0].scope_logs[0].log_records[0].body.kvlist_value.values[0]"
                      ".value.kvlist_value",
                      0),
            0u)
      << err;
  // Far deeper than any stack should take: still a clean error.
  std::string deep = sv("x");
  for (int i = 0; i < 5000; ++i) deep = len(5, len(1, deep));
  EXPECT_NE(decodeError(oneRecord(len(5, deep))).find("nesting deeper"), std::string::npos);
  std::string groups;
  for (int i = 0; i < 100000; ++i) groups += tag(20, 3);
  EXPECT_NE(decodeError(oneRecord(groups)).find("nesting deeper"), std::string::npos);
}

TEST(OtlpLogsProto, WideKvlistsOnFreshScratch) {
  // A new thread has an empty thread_local decoder, so rendering a kvlist
  // grows the entry stack while a value from it is in use (ASan catches a
  // dangling reference here).
  std::vector<std::pair<std::string, std::string>> wide;
  std::string expect = "{";
  for (int i = 0; i < 100; ++i) {
    const std::string k = "k" + std::to_string(100 + i);
    wide.emplace_back(k, kvl({{"x", iv(i)}}));
    expect += (i ? ",\"" : "\"") + k + "\":{\"x\":" + std::to_string(i) + "}";
  }
  expect += "}";
  const std::string body = request(resourceLogs(
      attrs(1, {{"service.name", kvl(wide)}, {"w", kvl(wide)}}),
      {scopeLogs(attrs(3, {{"w", kvl(wide)}}), {len(5, kvl(wide)) + attrs(6, {{"w", kvl(wide)}})})}));
  LogsRows rows;
  Status status;
  std::thread t([&] { status = decodeLogsProto(body, rows); });
  t.join();
  ASSERT_TRUE(status.isOk()) << status.message();
  EXPECT_EQ(strings(rows.service_name)[0], expect);
  EXPECT_EQ(strings(rows.body)[0], expect);
  EXPECT_EQ(maps(rows.resource_attributes)[0], (Map{{"service.name", expect}, {"w", expect}}));
  EXPECT_EQ(maps(rows.scope_attributes)[0], (Map{{"w", expect}}));
  EXPECT_EQ(maps(rows.log_attributes)[0], (Map{{"w", expect}}));
}

TEST(OtlpLogsProto, AppendsToExistingRows) {
  LogsRows rows;
  ASSERT_TRUE(decodeLogsProto(oneRecord(len(3, "a")), rows).isOk());
  ASSERT_TRUE(decodeLogsProto(oneRecord(len(3, "b")), rows).isOk());
  EXPECT_EQ(strings(rows.severity_text), (std::vector<std::string>{"a", "b"}));
}

TEST(ProtoReader, PackedAndUnpackedRepeatedScalars) {
  std::vector<uint64_t> got;
  ProtoField f;
  f.wire_type = WireType::kLen;
  const std::string packed = varint(1) + varint(300) + varint(~uint64_t{0});
  f.bytes = packed;
  ASSERT_TRUE(forEachRepeatedVarint(f, [&](uint64_t v) { got.push_back(v); }));
  f.wire_type = WireType::kVarint;
  f.value = 7;
  ASSERT_TRUE(forEachRepeatedVarint(f, [&](uint64_t v) { got.push_back(v); }));
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 300, ~uint64_t{0}, 7}));
  f.wire_type = WireType::kLen;
  f.bytes = "\x80";
  EXPECT_FALSE(forEachRepeatedVarint(f, [](uint64_t) {}));
  f.bytes = "1234567";
  EXPECT_FALSE(forEachRepeatedFixed64(f, [](uint64_t) {}));
  EXPECT_FALSE(forEachRepeatedFixed32(f, [](uint64_t) {}));
  EXPECT_EQ(proto_wire::zigzag64(3), -2);
  EXPECT_EQ(proto_wire::zigzag32(4), 2);
}

TEST(OtlpLogsProto, DecodeSpeedPrintout) {
  // Not an assertion: a rough MB/s figure for the test log.
  testing::OtlpRandomOptions opt;
  opt.max_resources = 1;
  opt.max_scopes = 1;
  opt.max_records = 1;
  opt.special_chance = 0.02;
  opt.max_depth = 1;
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  testing::OtlpRandom rnd(7, opt);
  auto* sl = req.add_resource_logs()->add_scope_logs();
  for (int i = 0; i < 2000; ++i) {
    auto* r = sl->add_log_records();
    rnd.fillLogRecord(r);
    r->mutable_body()->set_string_value("GET /api/v1/orders/12345 200 OK in 12.5ms user=42");
  }
  rnd.fillResource(req.mutable_resource_logs(0)->mutable_resource());
  const std::string body = req.SerializeAsString();
  LogsRows rows;
  const int iters = 20;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    rows.clear();
    ASSERT_TRUE(decodeLogsProto(body, rows).isOk());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest parsed;
    ASSERT_TRUE(parsed.ParseFromString(body));
  }
  const double pb_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const double mb = static_cast<double>(body.size()) * iters / 1e6;
  std::printf("decodeLogsProto: %.1f MB/s, %.0f records/s (libprotobuf parse only: %.1f MB/s); "
              "payload %zu bytes, 2000 records\n",
              mb / secs, 2000.0 * iters / secs, mb / pb_secs, body.size());
}

}  // namespace
}  // namespace otelhouse
