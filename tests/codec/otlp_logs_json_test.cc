#include "codec/otlp_logs_json.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace otelhouse {
namespace {

using Map = std::vector<std::pair<std::string, std::string>>;

uint64_t readVarUInt(const std::string& s, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<uint8_t>(s.at(pos++));
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
}

std::vector<std::string> strings(const StringColumn& c) {
  std::vector<std::string> out;
  const std::string& s = c.serialized();
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t n = readVarUInt(s, pos);
    out.push_back(s.substr(pos, n));
    pos += n;
  }
  EXPECT_EQ(out.size(), c.rows());
  return out;
}

std::vector<Map> maps(const MapColumn& c) {
  const auto keys = strings(c.keys());
  const auto values = strings(c.values());
  std::vector<Map> out;
  uint64_t begin = 0;
  for (uint64_t end : c.offsets().values()) {
    Map m;
    for (uint64_t i = begin; i < end; ++i) m.emplace_back(keys.at(i), values.at(i));
    out.push_back(std::move(m));
    begin = end;
  }
  return out;
}

// One decoded row, every column as text or number.
struct Row {
  int64_t timestamp;
  std::string trace_id, span_id;
  uint8_t trace_flags;
  std::string severity_text;
  uint8_t severity_number;
  std::string service_name, body, resource_schema_url;
  Map resource_attributes;
  std::string scope_schema_url, scope_name, scope_version;
  Map scope_attributes, log_attributes;
  std::string event_name;
};

std::vector<Row> toRows(const LogsRows& r) {
  EXPECT_TRUE(r.consistent());
  std::vector<Row> rows(r.rows());
  auto fill = [&](auto member, const std::vector<std::string>& col) {
    for (size_t i = 0; i < rows.size(); ++i) rows[i].*member = col.at(i);
  };
  auto fillMap = [&](auto member, const std::vector<Map>& col) {
    for (size_t i = 0; i < rows.size(); ++i) rows[i].*member = col.at(i);
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].timestamp = r.timestamp.values()[i];
    rows[i].trace_flags = r.trace_flags.values()[i];
    rows[i].severity_number = r.severity_number.values()[i];
  }
  fill(&Row::trace_id, strings(r.trace_id));
  fill(&Row::span_id, strings(r.span_id));
  fill(&Row::severity_text, strings(r.severity_text));
  fill(&Row::service_name, strings(r.service_name));
  fill(&Row::body, strings(r.body));
  fill(&Row::resource_schema_url, strings(r.resource_schema_url));
  fillMap(&Row::resource_attributes, maps(r.resource_attributes));
  fill(&Row::scope_schema_url, strings(r.scope_schema_url));
  fill(&Row::scope_name, strings(r.scope_name));
  fill(&Row::scope_version, strings(r.scope_version));
  fillMap(&Row::scope_attributes, maps(r.scope_attributes));
  fillMap(&Row::log_attributes, maps(r.log_attributes));
  fill(&Row::event_name, strings(r.event_name));
  return rows;
}

std::vector<Row> decodeOk(const std::string& json) {
  LogsRows rows;
  Status s = decodeLogsJson(json, rows);
  EXPECT_TRUE(s.isOk()) << s.toString() << "\n" << json;
  return toRows(rows);
}

// Decodes one record given as the text of a LogRecord object.
Row decodeRecord(const std::string& record) {
  auto rows = decodeOk(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" + record + "]}]}]}");
  EXPECT_EQ(rows.size(), 1u);
  return rows.empty() ? Row{} : rows[0];
}

std::string body(const std::string& any_value) {
  return decodeRecord(R"({"body":)" + any_value + "}").body;
}

std::string attr(const std::string& any_value) {
  Row r = decodeRecord(R"({"attributes":[{"key":"k","value":)" + any_value + "}]}");
  EXPECT_EQ(r.log_attributes.size(), 1u);
  return r.log_attributes.empty() ? "<none>" : r.log_attributes[0].second;
}

// Returns the error message; expects kInvalidArgument.
std::string decodeError(const std::string& json) {
  LogsRows rows;
  Status s = decodeLogsJson(json, rows);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << json;
  return s.message();
}

std::string recordError(const std::string& record) {
  return decodeError(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{},{},)" + record +
                     "]}]}]}");
}

TEST(OtlpLogsJson, FullRequest) {
  const std::string json = R"({
    "resourceLogs": [{
      "resource": {
        "attributes": [
          {"key": "service.name", "value": {"stringValue": "checkout"}},
          {"key": "host.cpus", "value": {"intValue": "8"}}
        ],
        "droppedAttributesCount": 0
      },
      "schemaUrl": "https://opentelemetry.io/schemas/1.21.0",
      "scopeLogs": [{
        "scope": {
          "name": "my.logger", "version": "1.2.3",
          "attributes": [{"key": "scope.attr", "value": {"boolValue": true}}]
        },
        "schemaUrl": "https://scope/schema",
        "logRecords": [{
          "timeUnixNano": "1700000000123456789",
          "observedTimeUnixNano": "1700000000999999999",
          "severityNumber": 17,
          "severityText": "ERROR",
          "body": {"stringValue": "payment failed"},
          "attributes": [
            {"key": "user.id", "value": {"intValue": 42}},
            {"key": "amount", "value": {"doubleValue": 12.5}}
          ],
          "droppedAttributesCount": 1,
          "flags": 257,
          "traceId": "5B8EFFF798038103D269B633813FC60C",
          "spanId": "eee19b7ec3c1b174",
          "eventName": "payment.failed"
        }]
      }]
    }]
  })";
  auto rows = decodeOk(json);
  ASSERT_EQ(rows.size(), 1u);
  const Row& r = rows[0];
  EXPECT_EQ(r.timestamp, 1700000000123456789);
  EXPECT_EQ(r.trace_id, "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(r.span_id, "eee19b7ec3c1b174");
  EXPECT_EQ(r.trace_flags, 1);
  EXPECT_EQ(r.severity_text, "ERROR");
  EXPECT_EQ(r.severity_number, 17);
  EXPECT_EQ(r.service_name, "checkout");
  EXPECT_EQ(r.body, "payment failed");
  EXPECT_EQ(r.resource_schema_url, "https://opentelemetry.io/schemas/1.21.0");
  EXPECT_EQ(r.resource_attributes, (Map{{"host.cpus", "8"}, {"service.name", "checkout"}}));
  EXPECT_EQ(r.scope_schema_url, "https://scope/schema");
  EXPECT_EQ(r.scope_name, "my.logger");
  EXPECT_EQ(r.scope_version, "1.2.3");
  EXPECT_EQ(r.scope_attributes, (Map{{"scope.attr", "true"}}));
  EXPECT_EQ(r.log_attributes, (Map{{"amount", "12.5"}, {"user.id", "42"}}));
  EXPECT_EQ(r.event_name, "payment.failed");
}

TEST(OtlpLogsJson, SnakeCaseFieldNames) {
  const std::string json = R"({"resource_logs":[{
    "resource":{"attributes":[{"key":"service.name","value":{"string_value":"svc"}}]},
    "schema_url":"r",
    "scope_logs":[{"scope":{"name":"n"},"schema_url":"s","log_records":[{
      "time_unix_nano":5,"observed_time_unix_nano":6,"severity_number":"SEVERITY_NUMBER_INFO",
      "severity_text":"info","trace_id":"0102030405060708090a0b0c0d0e0f10",
      "span_id":"0102030405060708","event_name":"e","dropped_attributes_count":2,
      "attributes":[
        {"key":"i","value":{"int_value":"-3"}},{"key":"d","value":{"double_value":0.25}},
        {"key":"b","value":{"bool_value":false}},{"key":"y","value":{"bytes_value":"AAE="}},
        {"key":"a","value":{"array_value":{"values":[{"int_value":1}]}}},
        {"key":"k","value":{"kvlist_value":{"values":[{"key":"x","value":{"string_value":"y"}}]}}}
      ]}]}]}]})";
  auto rows = decodeOk(json);
  ASSERT_EQ(rows.size(), 1u);
  const Row& r = rows[0];
  EXPECT_EQ(r.timestamp, 5);
  EXPECT_EQ(r.severity_number, 9);
  EXPECT_EQ(r.severity_text, "info");
  EXPECT_EQ(r.service_name, "svc");
  EXPECT_EQ(r.resource_schema_url, "r");
  EXPECT_EQ(r.scope_schema_url, "s");
  EXPECT_EQ(r.scope_name, "n");
  EXPECT_EQ(r.trace_id, "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(r.span_id, "0102030405060708");
  EXPECT_EQ(r.event_name, "e");
  EXPECT_EQ(r.log_attributes, (Map{{"a", "[1]"},
                                   {"b", "false"},
                                   {"d", "0.25"},
                                   {"i", "-3"},
                                   {"k", R"({"x":"y"})"},
                                   {"y", "AAE="}}));
}

TEST(OtlpLogsJson, ScalarAnyValues) {
  EXPECT_EQ(body(R"({"stringValue":"héllo \"q\" \n"})"), "héllo \"q\" \n");
  EXPECT_EQ(body(R"({"stringValue":"\u00e9\ud83d\ude00"})"), "\xC3\xA9\xF0\x9F\x98\x80");
  // Escaped surrogates that do not pair up become U+FFFD, as Go decodes them.
  EXPECT_EQ(body(R"({"stringValue":"a\ud800b"})"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(body(R"({"stringValue":"\udc00\u0041"})"), "\xEF\xBF\xBD" "A");
  EXPECT_EQ(body(R"({"stringValue":"\ud800\ud800\udc00\n"})"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n");
  EXPECT_EQ(body(R"({"kvlistValue":{"values":[
                 {"key":"\ud83d","value":{"stringValue":"\ud83d\ude00"}}]}})"),
            "{\"\xEF\xBF\xBD\":\"\xF0\x9F\x98\x80\"}");
  EXPECT_EQ(body(R"({"boolValue":true})"), "true");
  EXPECT_EQ(body(R"({"boolValue":false})"), "false");
  EXPECT_EQ(body(R"({"intValue":123})"), "123");
  EXPECT_EQ(body(R"({"intValue":"123"})"), "123");
  EXPECT_EQ(body(R"({"intValue":"+7"})"), "7");
  EXPECT_EQ(body(R"({"intValue":-9223372036854775808})"), "-9223372036854775808");
  EXPECT_EQ(body(R"({"intValue":"-9223372036854775808"})"), "-9223372036854775808");
  EXPECT_EQ(body(R"({"intValue":"9223372036854775807"})"), "9223372036854775807");
  EXPECT_EQ(body(R"({"doubleValue":1.5})"), "1.5");
  EXPECT_EQ(body(R"({"doubleValue":100})"), "100");
  EXPECT_EQ(body(R"({"doubleValue":-0.125})"), "-0.125");
  EXPECT_EQ(body(R"({"doubleValue":"2.5"})"), "2.5");
  EXPECT_EQ(body(R"({"doubleValue":1e21})"), "1e+21");
  EXPECT_EQ(body(R"({"doubleValue":1e20})"), "100000000000000000000");
  EXPECT_EQ(body(R"({"doubleValue":"NaN"})"), "json: unsupported value: NaN");
  EXPECT_EQ(body(R"({"doubleValue":"Infinity"})"), "json: unsupported value: +Inf");
  EXPECT_EQ(body(R"({"doubleValue":"-Infinity"})"), "json: unsupported value: -Inf");
  EXPECT_EQ(body(R"({"bytesValue":"aGVsbG8="})"), "aGVsbG8=");
  EXPECT_EQ(body(R"({"bytesValue":"aGVsbG8"})"), "aGVsbG8=");    // padding optional
  EXPECT_EQ(body(R"({"bytesValue":"-_8="})"), "+/8=");           // URL-safe alphabet
  EXPECT_EQ(body(R"({"bytesValue":""})"), "");
  EXPECT_EQ(body("{}"), "");
  EXPECT_EQ(body("null"), "");
  EXPECT_EQ(body(R"({"stringValue":null})"), "");
  // The last oneof member wins; unknown members are ignored.
  EXPECT_EQ(body(R"({"stringValue":"a","intValue":5,"other":[1,{}]})"), "5");
}

TEST(OtlpLogsJson, NumbersSimdjsonReadsDifferentlyFromGo) {
  // "-0" is the double -0 (Go keeps the sign); simdjson alone would read int 0.
  EXPECT_EQ(body(R"({"doubleValue":-0})"), "-0");
  EXPECT_EQ(body(R"({"doubleValue":-0.0})"), "-0");
  EXPECT_EQ(body(R"({"doubleValue":0})"), "0");
  EXPECT_EQ(body(R"({"intValue":-0})"), "0");
  EXPECT_EQ(body(R"({"arrayValue":{"values":[{"doubleValue":-0},{"intValue":-0}]}})"), "[-0,0]");
  // Integers beyond 64 bits are doubles (JavaScript writes 1e20 this way).
  EXPECT_EQ(body(R"({"doubleValue":100000000000000000000})"), "100000000000000000000");
  EXPECT_EQ(body(R"({"doubleValue":-100000000000000000000})"), "-100000000000000000000");
  EXPECT_EQ(body(R"({"doubleValue":1000000000000000000000000})"), "1e+24");
  // Rewriting numbers must leave strings alone.
  EXPECT_EQ(body(R"({"kvlistValue":{"values":[{"key":"s","value":{"stringValue":"x -0 ]\" -0"}},
                 {"key":"n","value":{"doubleValue":-0}}]}})"),
            R"({"n":-0,"s":"x -0 ]\" -0"})");
  EXPECT_EQ(recordError(R"({"body":{"intValue":99999999999999999999}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.intValue: integer out of range");
  EXPECT_EQ(recordError(R"({"body":{"intValue":-9223372036854775809}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.intValue: integer out of range");
  EXPECT_EQ(recordError(R"({"timeUnixNano":18446744073709551616})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].timeUnixNano: integer out of range");
  EXPECT_EQ(recordError(R"({"timeUnixNano":-0})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].timeUnixNano: expected an unsigned "
            "integer");
  EXPECT_EQ(decodeError(R"({"x":1e400})"), "malformed JSON: Problem while parsing a number");
  EXPECT_EQ(decodeError(R"({"x":-})"), "malformed JSON: Problem while parsing a number");
}

TEST(OtlpLogsJson, NestedValuesRenderAsGoJson) {
  EXPECT_EQ(body(R"({"arrayValue":{"values":[
      {"stringValue":"a<b>&"},{"intValue":"-1"},{"doubleValue":2.5},{"boolValue":true},
      {},{"bytesValue":"AQI="},{"arrayValue":{}},{"kvlistValue":{}},
      {"arrayValue":{"values":[{"doubleValue":1e-7}]}}]}})"),
            R"(["a<b>&",-1,2.5,true,null,"AQI=",[],{},[1e-7]])");
  // Keys sorted bytewise, the last duplicate wins, nested maps too.
  EXPECT_EQ(body(R"({"kvlistValue":{"values":[
      {"key":"b","value":{"intValue":1}},
      {"key":"a","value":{"kvlistValue":{"values":[
          {"key":"z","value":{"stringValue":"1"}},{"key":"y","value":{}}]}}},
      {"key":"b","value":{"intValue":2}},
      {"key":"\u00e9","value":{"boolValue":false}},
      {"key":"B","value":{"stringValue":"tab\tquote\"\u2028"}}]}})"),
            "{\"B\":\"tab\\tquote\\\"\\u2028\",\"a\":{\"y\":null,\"z\":\"1\"},\"b\":2,"
            "\"\xC3\xA9\":false}");
  EXPECT_EQ(body(R"({"kvlistValue":{"values":[{"key":"k"}]}})"), R"({"k":null})");
  EXPECT_EQ(body(R"({"kvlistValue":{"values":[]}})"), "{}");
  EXPECT_EQ(body(R"({"arrayValue":{"values":null}})"), "[]");
  // json.Marshal fails on NaN / Inf anywhere inside: the text is empty.
  EXPECT_EQ(body(R"({"arrayValue":{"values":[{"intValue":1},{"doubleValue":"NaN"}]}})"), "");
  EXPECT_EQ(body(R"({"kvlistValue":{"values":[{"key":"a","value":{"arrayValue":{"values":[
      {"doubleValue":"Infinity"}]}}}]}})"),
            "");
  // Nested values in attributes render the same way.
  EXPECT_EQ(attr(R"({"arrayValue":{"values":[{"stringValue":"x"},{"intValue":2}]}})"),
            R"(["x",2])");
}

TEST(OtlpLogsJson, AttributeMapsSortedLastDuplicateWins) {
  Row r = decodeRecord(R"({"attributes":[
      {"key":"b","value":{"stringValue":"1"}},
      {"key":"a","value":{"stringValue":"2"}},
      {"key":"b","value":{"stringValue":"3"}},
      {"key":"","value":{"intValue":0}},
      {"value":{"stringValue":"nokey"}},
      {"key":"empty"}
    ]})");
  EXPECT_EQ(r.log_attributes, (Map{{"", "nokey"}, {"a", "2"}, {"b", "3"}, {"empty", ""}}));
}

TEST(OtlpLogsJson, ServiceNameIsFirstResourceAttribute) {
  auto rows = decodeOk(R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"first"}},
      {"key":"service.name","value":{"stringValue":"last"}}]},
      "scopeLogs":[{"logRecords":[{}]}]},
      {"resource":{"attributes":[{"key":"service.name","value":{"intValue":7}}]},
       "scopeLogs":[{"logRecords":[{}]}]},
      {"scopeLogs":[{"logRecords":[{}]}]}]})");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].service_name, "first");
  EXPECT_EQ(rows[0].resource_attributes, (Map{{"service.name", "last"}}));
  EXPECT_EQ(rows[1].service_name, "7");
  EXPECT_EQ(rows[2].service_name, "");
  EXPECT_EQ(rows[2].resource_attributes, Map{});
}

TEST(OtlpLogsJson, ResourceAndScopePerRow) {
  // Field order must not matter: scopeLogs before resource, logRecords before scope.
  auto rows = decodeOk(R"({"resourceLogs":[
      {"scopeLogs":[
         {"logRecords":[{"severityText":"a"},{"severityText":"b"}],"scope":{"name":"s1"}},
         {"scope":{"name":"s2","version":"v2"},"logRecords":[{"severityText":"c"}]}],
       "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"r1"}}]},
       "schemaUrl":"u1"},
      {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"r2"}}]},
       "scopeLogs":[{"logRecords":[{"severityText":"d"}]}]}]})");
  ASSERT_EQ(rows.size(), 4u);
  const char* texts[] = {"a", "b", "c", "d"};
  const char* services[] = {"r1", "r1", "r1", "r2"};
  const char* scopes[] = {"s1", "s1", "s2", ""};
  const char* versions[] = {"", "", "v2", ""};
  const char* urls[] = {"u1", "u1", "u1", ""};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rows[i].severity_text, texts[i]);
    EXPECT_EQ(rows[i].service_name, services[i]);
    EXPECT_EQ(rows[i].scope_name, scopes[i]);
    EXPECT_EQ(rows[i].scope_version, versions[i]);
    EXPECT_EQ(rows[i].resource_schema_url, urls[i]);
  }
}

TEST(OtlpLogsJson, Timestamps) {
  EXPECT_EQ(decodeRecord(R"({"timeUnixNano":"1","observedTimeUnixNano":"2"})").timestamp, 1);
  EXPECT_EQ(decodeRecord(R"({"timeUnixNano":0,"observedTimeUnixNano":2})").timestamp, 2);
  EXPECT_EQ(decodeRecord(R"({"observedTimeUnixNano":"3"})").timestamp, 3);
  EXPECT_EQ(decodeRecord(R"({})").timestamp, 0);
  EXPECT_EQ(decodeRecord(R"({"timeUnixNano":null,"observedTimeUnixNano":4})").timestamp, 4);
  EXPECT_EQ(decodeRecord(R"({"timeUnixNano":"18446744073709551615"})").timestamp, -1);
  EXPECT_EQ(decodeRecord(R"({"timeUnixNano":18446744073709551615})").timestamp, -1);
  // Last value of a repeated key wins.
  EXPECT_EQ(decodeRecord(R"({"timeUnixNano":1,"timeUnixNano":9})").timestamp, 9);
}

TEST(OtlpLogsJson, IdsFlagsAndSeverity) {
  Row r = decodeRecord(R"({"traceId":"","spanId":""})");
  EXPECT_EQ(r.trace_id, "");
  EXPECT_EQ(r.span_id, "");
  r = decodeRecord(R"({"traceId":"00000000000000000000000000000000","spanId":"0000000000000000"})");
  EXPECT_EQ(r.trace_id, "");
  EXPECT_EQ(r.span_id, "");
  r = decodeRecord(R"({"traceId":null,"spanId":"ABCDEFabcdef0009"})");
  EXPECT_EQ(r.trace_id, "");
  EXPECT_EQ(r.span_id, "abcdefabcdef0009");
  EXPECT_EQ(decodeRecord(R"({"flags":"511"})").trace_flags, 255);
  EXPECT_EQ(decodeRecord(R"({"flags":4294967295})").trace_flags, 255);
  EXPECT_EQ(decodeRecord(R"({"severityNumber":"SEVERITY_NUMBER_FATAL4"})").severity_number, 24);
  EXPECT_EQ(decodeRecord(R"({"severityNumber":"13"})").severity_number, 13);
  EXPECT_EQ(decodeRecord(R"({"severityNumber":300})").severity_number, 44);
  EXPECT_EQ(decodeRecord(R"({"severityNumber":-1})").severity_number, 255);
}

TEST(OtlpLogsJson, EmptyAndNullShapes) {
  EXPECT_TRUE(decodeOk("{}").empty());
  EXPECT_TRUE(decodeOk("null").empty());
  EXPECT_TRUE(decodeOk(" \n{ } \t").empty());
  EXPECT_TRUE(decodeOk(R"({"resourceLogs":[]})").empty());
  EXPECT_TRUE(decodeOk(R"({"resourceLogs":null})").empty());
  EXPECT_TRUE(decodeOk(R"({"resourceLogs":[{}]})").empty());
  EXPECT_TRUE(decodeOk(R"({"resourceLogs":[null,{"scopeLogs":[]}]})").empty());
  EXPECT_TRUE(decodeOk(R"({"resourceLogs":[{"scopeLogs":[{},{"logRecords":[]}]}]})").empty());
  // A null where a message is expected is an empty message (as in pdata).
  auto rows = decodeOk(R"({"resourceLogs":[{"resource":null,"scopeLogs":[
      {"scope":null,"logRecords":[null,{"body":null,"attributes":null,"traceId":null}]}]}]})");
  ASSERT_EQ(rows.size(), 2u);
  for (const Row& r : rows) {
    EXPECT_EQ(r.timestamp, 0);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.trace_id, "");
    EXPECT_EQ(r.log_attributes, Map{});
    EXPECT_EQ(r.resource_attributes, Map{});
    EXPECT_EQ(r.scope_name, "");
  }
}

TEST(OtlpLogsJson, UnknownFieldsIgnored) {
  auto rows = decodeOk(R"({"partialSuccess":{"x":1},"resourceLogs":[{"unknown":[1,2,{"a":null}],
      "resource":{"entityRefs":[{"type":"t"}],"foo":"bar"},
      "scopeLogs":[{"extra":true,"scope":{"weird":{"deep":[[]]}},
        "logRecords":[{"future_field":{"stringValue":"ignored"},"severityText":"ok",
          "attributes":[{"key":"a","value":{"stringValue":"b","newKind":1},"x":2}]}]}]}]})");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].severity_text, "ok");
  EXPECT_EQ(rows[0].log_attributes, (Map{{"a", "b"}}));
}

TEST(OtlpLogsJson, RepeatedKeysFollowProtobufMerge) {
  Row r = decodeRecord(R"({"attributes":[{"key":"a","value":{"intValue":1}}],
      "body":{"stringValue":"x"},"body":{"intValue":2},
      "attributes":[{"key":"b","value":{"intValue":3}}]})");
  EXPECT_EQ(r.body, "2");
  EXPECT_EQ(r.log_attributes, (Map{{"a", "1"}, {"b", "3"}}));
  auto rows = decodeOk(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}],
                          "resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]})");
  EXPECT_EQ(rows.size(), 2u);
}

TEST(OtlpLogsJson, AppendsToExistingRowsAndReusesScratch) {
  LogsRows rows;
  const std::string one = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
      {"body":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}}]}]}]})";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(decodeLogsJson(one, rows).isOk());
  auto decoded = toRows(rows);
  ASSERT_EQ(decoded.size(), 3u);
  for (const Row& r : decoded) EXPECT_EQ(r.body, R"({"k":"v"})");
  std::string native;
  rows.encodeNative(native, kLogsAllColumns);
  EXPECT_FALSE(native.empty());
}

TEST(OtlpLogsJson, MalformedJson) {
  EXPECT_EQ(decodeError("").rfind("malformed JSON", 0), 0u);
  decodeError("{");
  decodeError(R"({"resourceLogs":[)");
  decodeError(R"({"resourceLogs":[]})" "x");
  decodeError(R"({"resourceLogs":[],})");
  decodeError(R"({'resourceLogs':[]})");
  decodeError("{\"a\":\"\xff\"}");  // invalid UTF-8
  decodeError(std::string("{\"a\":1}\0", 8));
  EXPECT_EQ(decodeError("[]"), "expected a JSON object at the top level");
  decodeError("\"str\"");
  decodeError("42");
  std::string deep(5000, '[');
  decodeError(R"({"x":)" + deep + "}");
}

TEST(OtlpLogsJson, WrongTypesNameThePath) {
  EXPECT_EQ(decodeError(R"({"resourceLogs":{}})"), "resourceLogs: expected an array");
  EXPECT_EQ(decodeError(R"({"resourceLogs":[1]})"),
            "resourceLogs[0]: expected an object");
  EXPECT_EQ(decodeError(R"({"resourceLogs":[{"resource":[]}]})"),
            "resourceLogs[0].resource: expected an object");
  EXPECT_EQ(decodeError(R"({"resourceLogs":[{},{"schemaUrl":1}]})"),
            "resourceLogs[1].schemaUrl: expected a string");
  EXPECT_EQ(decodeError(R"({"resourceLogs":[{"scopeLogs":[{"scope":{"name":false}}]}]})"),
            "resourceLogs[0].scopeLogs[0].scope.name: expected a string");
  EXPECT_EQ(decodeError(R"({"resourceLogs":[{"resource":{"attributes":[
                {"key":"a","value":{"intValue":"x"}}]}}]})"),
            "resourceLogs[0].resource.attributes[0].value.intValue: invalid integer string");
  EXPECT_EQ(recordError(R"({"traceId":"5B8EFFF798038103D269B633813FC6XX"})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].traceId: invalid hex");
  EXPECT_EQ(recordError(R"({"traceId":"abcd"})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].traceId: invalid length for an id");
  EXPECT_EQ(recordError(R"({"spanId":"0102030405060708090a0b0c0d0e0f10"})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].spanId: invalid length for an id");
  EXPECT_EQ(recordError(R"({"spanId":12})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].spanId: expected a string");
  EXPECT_EQ(recordError(R"({"timeUnixNano":true})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].timeUnixNano: expected an unsigned "
            "integer");
  EXPECT_EQ(recordError(R"({"timeUnixNano":-1})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].timeUnixNano: negative value for an "
            "unsigned integer");
  EXPECT_EQ(recordError(R"({"timeUnixNano":"1e9"})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].timeUnixNano: invalid unsigned integer "
            "string");
  EXPECT_EQ(recordError(R"({"observedTimeUnixNano":1.5})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].observedTimeUnixNano: expected an "
            "unsigned integer");
  EXPECT_EQ(recordError(R"({"timeUnixNano":"18446744073709551616"})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].timeUnixNano: invalid unsigned integer "
            "string");
  EXPECT_EQ(recordError(R"({"flags":4294967296})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].flags: integer out of range");
  EXPECT_EQ(recordError(R"({"severityNumber":"SEVERITY_NUMBER_LOUD"})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].severityNumber: unknown enum value");
  EXPECT_EQ(recordError(R"({"severityNumber":2147483648})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].severityNumber: integer out of range");
  EXPECT_EQ(recordError(R"({"severityText":["x"]})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].severityText: expected a string");
  EXPECT_EQ(recordError(R"({"body":"text"})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body: expected an object");
  EXPECT_EQ(recordError(R"({"body":{"stringValue":5}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.stringValue: expected a string");
  EXPECT_EQ(recordError(R"({"body":{"boolValue":"true"}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.boolValue: expected true or false");
  EXPECT_EQ(recordError(R"({"body":{"intValue":1.5}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.intValue: expected an integer");
  EXPECT_EQ(recordError(R"({"body":{"intValue":9223372036854775808}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.intValue: integer out of range");
  EXPECT_EQ(recordError(R"({"body":{"intValue":"9223372036854775808"}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.intValue: invalid integer string");
  EXPECT_EQ(recordError(R"({"body":{"doubleValue":"one"}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.doubleValue: invalid number string");
  EXPECT_EQ(recordError(R"({"body":{"bytesValue":"a$=="}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.bytesValue: invalid base64");
  EXPECT_EQ(recordError(R"({"body":{"bytesValue":"a"}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.bytesValue: invalid base64");
  EXPECT_EQ(recordError(R"({"body":{"arrayValue":{"values":[{},{"intValue":{}}]}}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.arrayValue.values[1].intValue: "
            "expected an integer");
  EXPECT_EQ(recordError(R"({"body":{"kvlistValue":{"values":[{"key":"a","value":
                {"kvlistValue":{"values":[{"key":1}]}}}]}}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.kvlistValue.values[0].value."
            "kvlistValue.values[0].key: expected a string");
  EXPECT_EQ(recordError(R"({"attributes":[{"key":"a"},{"key":"b","value":{"doubleValue":{}}}]})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].attributes[1].value.doubleValue: "
            "expected a number");
  EXPECT_EQ(recordError(R"({"attributes":{}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].attributes: expected an array");
  // Overwritten values are still checked: a dropped duplicate key, a replaced member.
  EXPECT_EQ(recordError(R"({"attributes":[{"key":"a","value":{"intValue":"bad"}},
                                          {"key":"a","value":{"intValue":1}}]})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].attributes[0].value.intValue: invalid "
            "integer string");
  EXPECT_EQ(recordError(R"({"body":{"bytesValue":"!","stringValue":"x"}})"),
            "resourceLogs[0].scopeLogs[0].logRecords[2].body.bytesValue: invalid base64");
}

TEST(OtlpLogsJson, DeepNestingUpToTheParserLimit) {
  auto nested = [](int levels) {
    std::string v = "{}";
    for (int i = 0; i < levels; ++i) v = R"({"arrayValue":{"values":[)" + v + "]}}";
    return v;
  };
  std::string expected;
  for (int i = 0; i < 300; ++i) expected += '[';
  expected += "null";
  for (int i = 0; i < 300; ++i) expected += ']';
  EXPECT_EQ(body(nested(300)), expected);
  EXPECT_EQ(decodeError(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)" +
                        nested(400) + "}]}]}]}"),
            "malformed JSON: The JSON document was too deep (too many nested objects and arrays)");
}

TEST(OtlpLogsJson, EveryTruncationIsRejected) {
  const std::string json = R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name",)"
                           R"("value":{"stringValue":"s"}}]},"scopeLogs":[{"scope":{"name":"n"},)"
                           R"("logRecords":[{"timeUnixNano":"1","traceId":)"
                           R"("5b8efff798038103d269b633813fc60c","body":{"kvlistValue":{"values":)"
                           R"([{"key":"a","value":{"arrayValue":{"values":[{"doubleValue":1.5}]})"
                           R"(}}]}}}]}]}]})";
  ASSERT_EQ(decodeOk(json).size(), 1u);
  for (size_t n = 0; n < json.size(); ++n) {
    LogsRows rows;
    Status s = decodeLogsJson(std::string_view(json).substr(0, n), rows);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << n;
  }
}

}  // namespace
}  // namespace otelhouse
