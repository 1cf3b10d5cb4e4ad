#include "codec/otlp_traces_json.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "otlp_json_rows_text.h"

namespace otelhouse {
namespace {

using Row = std::map<std::string, std::string>;  // column name -> cell text

std::vector<Row> toRows(const TracesRows& rows) {
  EXPECT_TRUE(rows.consistent());
  std::string native;
  rows.encodeNative(native);
  const std::vector<std::string> names = testing::NativeText(native).names();
  std::vector<Row> out;
  for (const std::string& line : testing::nativeRows(native)) {
    Row r;
    size_t start = 0;
    for (const std::string& name : names) {
      const size_t tab = line.find('\t', start);
      r[name] = line.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
      start = tab == std::string::npos ? line.size() : tab + 1;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<Row> decodeOk(const std::string& json) {
  TracesRows rows;
  Status s = decodeTracesJson(json, rows);
  EXPECT_TRUE(s.isOk()) << s.toString() << "\n" << json;
  return toRows(rows);
}

std::string wrapSpans(const std::string& spans) {
  return R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + spans + "]}]}]}";
}

Row decodeSpan(const std::string& span) {
  auto rows = decodeOk(wrapSpans(span));
  EXPECT_EQ(rows.size(), 1u);
  return rows.empty() ? Row{} : rows[0];
}

std::string decodeError(const std::string& json) {
  TracesRows rows;
  Status s = decodeTracesJson(json, rows);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << json;
  return s.message();
}

std::string spanError(const std::string& span) { return decodeError(wrapSpans("{}," + span)); }

constexpr const char* kSpanPath = "resourceSpans[0].scopeSpans[0].spans[1].";

TEST(OtlpTracesJson, FullRequest) {
  const std::string json = R"({"resourceSpans":[{
    "resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"checkout"}},
      {"key":"host.cpus","value":{"intValue":"8"}}],"droppedAttributesCount":0},
    "schemaUrl":"https://opentelemetry.io/schemas/1.21.0",
    "scopeSpans":[{
      "scope":{"name":"my.tracer","version":"1.2.3",
               "attributes":[{"key":"s","value":{"boolValue":true}}]},
      "schemaUrl":"https://scope/schema",
      "spans":[{
        "traceId":"5B8EFFF798038103D269B633813FC60C",
        "spanId":"eee19b7ec3c1b174",
        "parentSpanId":"eee19b7ec3c1b173",
        "traceState":"vendor=1",
        "flags":257,
        "name":"GET /cart",
        "kind":2,
        "startTimeUnixNano":"1700000000000000000",
        "endTimeUnixNano":"1700000000250000001",
        "attributes":[{"key":"http.status_code","value":{"intValue":200}},
                      {"key":"http.method","value":{"stringValue":"GET"}}],
        "droppedAttributesCount":1,
        "events":[
          {"timeUnixNano":"1700000000100000000","name":"cache miss",
           "attributes":[{"key":"key","value":{"stringValue":"cart:1"}}]},
          {"timeUnixNano":1700000000200000000,"name":"exception","droppedAttributesCount":2}],
        "droppedEventsCount":3,
        "links":[
          {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708",
           "traceState":"a=b","attributes":[{"key":"l","value":{"doubleValue":1.5}}],
           "flags":1},
          {}],
        "droppedLinksCount":0,
        "status":{"code":"STATUS_CODE_ERROR","message":"boom"}
      }]
    }]
  }]})";
  auto rows = decodeOk(json);
  ASSERT_EQ(rows.size(), 1u);
  const Row& r = rows[0];
  EXPECT_EQ(r.at("Timestamp"), "1700000000000000000");
  EXPECT_EQ(r.at("TraceId"), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(r.at("SpanId"), "eee19b7ec3c1b174");
  EXPECT_EQ(r.at("ParentSpanId"), "eee19b7ec3c1b173");
  EXPECT_EQ(r.at("TraceState"), "vendor=1");
  EXPECT_EQ(r.at("SpanName"), "GET /cart");
  EXPECT_EQ(r.at("SpanKind"), "Server");
  EXPECT_EQ(r.at("ServiceName"), "checkout");
  EXPECT_EQ(r.at("ResourceAttributes"), "{'host.cpus':'8','service.name':'checkout'}");
  EXPECT_EQ(r.at("ScopeName"), "my.tracer");
  EXPECT_EQ(r.at("ScopeVersion"), "1.2.3");
  EXPECT_EQ(r.at("SpanAttributes"), "{'http.method':'GET','http.status_code':'200'}");
  EXPECT_EQ(r.at("Duration"), "250000001");
  EXPECT_EQ(r.at("StatusCode"), "Error");
  EXPECT_EQ(r.at("StatusMessage"), "boom");
  EXPECT_EQ(r.at("Events.Timestamp"), "[1700000000100000000,1700000000200000000]");
  EXPECT_EQ(r.at("Events.Name"), "['cache miss','exception']");
  EXPECT_EQ(r.at("Events.Attributes"), "[{'key':'cart:1'},{}]");
  EXPECT_EQ(r.at("Links.TraceId"), "['0102030405060708090a0b0c0d0e0f10','']");
  EXPECT_EQ(r.at("Links.SpanId"), "['0102030405060708','']");
  EXPECT_EQ(r.at("Links.TraceState"), "['a=b','']");
  EXPECT_EQ(r.at("Links.Attributes"), "[{'l':'1.5'},{}]");
  EXPECT_EQ(r.size(), 22u);
}

TEST(OtlpTracesJson, SnakeCaseAndEnumSpellings) {
  auto rows = decodeOk(R"({"resource_spans":[{
    "resource":{"attributes":[{"key":"service.name","value":{"int_value":7}}]},
    "scope_spans":[{"scope":{"name":"n","version":"v"},"spans":[
      {"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"0102030405060708",
       "parent_span_id":"1112131415161718","trace_state":"t","kind":"SPAN_KIND_CLIENT",
       "start_time_unix_nano":10,"end_time_unix_nano":"25","dropped_attributes_count":1,
       "dropped_events_count":"2","dropped_links_count":3,
       "events":[{"time_unix_nano":"11","name":"e","dropped_attributes_count":1}],
       "links":[{"trace_id":"1102030405060708090a0b0c0d0e0f10","span_id":"1102030405060708",
                 "trace_state":"x","dropped_attributes_count":0}],
       "status":{"code":"1"}},
      {"kind":"3"},{"kind":"SPAN_KIND_PRODUCER"},{"kind":5},{"kind":1},{"kind":0},{"kind":6},
      {"kind":-1}]}]}]})");
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[0].at("ServiceName"), "7");
  EXPECT_EQ(rows[0].at("TraceId"), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(rows[0].at("SpanId"), "0102030405060708");
  EXPECT_EQ(rows[0].at("ParentSpanId"), "1112131415161718");
  EXPECT_EQ(rows[0].at("TraceState"), "t");
  EXPECT_EQ(rows[0].at("Timestamp"), "10");
  EXPECT_EQ(rows[0].at("Duration"), "15");
  EXPECT_EQ(rows[0].at("StatusCode"), "Ok");
  EXPECT_EQ(rows[0].at("Events.Timestamp"), "[11]");
  EXPECT_EQ(rows[0].at("Links.TraceId"), "['1102030405060708090a0b0c0d0e0f10']");
  EXPECT_EQ(rows[0].at("Links.TraceState"), "['x']");
  const char* kinds[] = {"Client", "Client", "Producer", "Consumer", "Internal", "Unspecified",
                         "", ""};
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].at("SpanKind"), kinds[i]) << i;
}

TEST(OtlpTracesJson, StatusCodes) {
  EXPECT_EQ(decodeSpan("{}").at("StatusCode"), "Unset");
  EXPECT_EQ(decodeSpan(R"({"status":{}})").at("StatusCode"), "Unset");
  EXPECT_EQ(decodeSpan(R"({"status":null})").at("StatusCode"), "Unset");
  EXPECT_EQ(decodeSpan(R"({"status":{"code":0}})").at("StatusCode"), "Unset");
  EXPECT_EQ(decodeSpan(R"({"status":{"code":"STATUS_CODE_OK"}})").at("StatusCode"), "Ok");
  EXPECT_EQ(decodeSpan(R"({"status":{"code":2}})").at("StatusCode"), "Error");
  EXPECT_EQ(decodeSpan(R"({"status":{"code":3}})").at("StatusCode"), "");
  EXPECT_EQ(decodeSpan(R"({"status":{"code":"STATUS_CODE_UNSET"}})").at("StatusCode"), "Unset");
  // A status given twice merges: the code of the first, the message of the second.
  Row r = decodeSpan(R"({"status":{"code":2,"message":"a"},"status":{"message":"b"}})");
  EXPECT_EQ(r.at("StatusCode"), "Error");
  EXPECT_EQ(r.at("StatusMessage"), "b");
}

TEST(OtlpTracesJson, TimestampsAndDuration) {
  Row r = decodeSpan("{}");
  EXPECT_EQ(r.at("Timestamp"), "0");
  EXPECT_EQ(r.at("Duration"), "0");
  r = decodeSpan(R"({"startTimeUnixNano":"18446744073709551615","endTimeUnixNano":"0"})");
  EXPECT_EQ(r.at("Timestamp"), "-1");  // the uint64 read as int64
  EXPECT_EQ(r.at("Duration"), "1");    // uint64 arithmetic wraps
  r = decodeSpan(R"({"startTimeUnixNano":100,"endTimeUnixNano":40})");
  EXPECT_EQ(r.at("Duration"), "18446744073709551556");
  r = decodeSpan(R"({"endTimeUnixNano":"5"})");
  EXPECT_EQ(r.at("Duration"), "5");
  r = decodeSpan(R"({"startTimeUnixNano":1,"startTimeUnixNano":3,"endTimeUnixNano":9})");
  EXPECT_EQ(r.at("Timestamp"), "3");
  EXPECT_EQ(r.at("Duration"), "6");
}

TEST(OtlpTracesJson, IdCases) {
  Row r = decodeSpan(R"({"traceId":"","spanId":"","parentSpanId":""})");
  EXPECT_EQ(r.at("TraceId"), "");
  EXPECT_EQ(r.at("SpanId"), "");
  EXPECT_EQ(r.at("ParentSpanId"), "");
  r = decodeSpan(R"({"traceId":"00000000000000000000000000000000","spanId":"0000000000000000",
                     "parentSpanId":null})");
  EXPECT_EQ(r.at("TraceId"), "");
  EXPECT_EQ(r.at("SpanId"), "");
  EXPECT_EQ(r.at("ParentSpanId"), "");
  r = decodeSpan(R"({"traceId":"ABCDEF0123456789abcdef0123456789","spanId":"00000000000000A0",
                     "parentSpanId":"FfFfFfFfFfFfFfFf"})");
  EXPECT_EQ(r.at("TraceId"), "abcdef0123456789abcdef0123456789");
  EXPECT_EQ(r.at("SpanId"), "00000000000000a0");
  EXPECT_EQ(r.at("ParentSpanId"), "ffffffffffffffff");
  r = decodeSpan(R"({"links":[{"traceId":"00000000000000000000000000000000","spanId":""},
                              {"spanId":"0000000000000001"}]})");
  EXPECT_EQ(r.at("Links.TraceId"), "['','']");
  EXPECT_EQ(r.at("Links.SpanId"), "['','0000000000000001']");
}

TEST(OtlpTracesJson, EventsAndLinksAreParallelArrays) {
  auto rows = decodeOk(wrapSpans(R"(
      {"events":[{"name":"a"}],"links":[{"traceState":"1"}],"events":[{"name":"b"},null],
       "links":[{"traceState":"2","attributes":[{"key":"z","value":{}},{"key":"y",
                 "value":{"arrayValue":{"values":[{"intValue":1}]}}}]}]},
      {},
      {"events":[],"links":null},
      {"events":[{"attributes":[{"key":"k","value":{"stringValue":"v"}},
                                {"key":"k","value":{"stringValue":"w"}}]}]})"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].at("Events.Name"), "['a','b','']");
  EXPECT_EQ(rows[0].at("Events.Timestamp"), "[0,0,0]");
  EXPECT_EQ(rows[0].at("Events.Attributes"), "[{},{},{}]");
  EXPECT_EQ(rows[0].at("Links.TraceState"), "['1','2']");
  EXPECT_EQ(rows[0].at("Links.Attributes"), "[{},{'y':'[1]','z':''}]");
  for (size_t i : {1, 2}) {
    EXPECT_EQ(rows[i].at("Events.Name"), "[]");
    EXPECT_EQ(rows[i].at("Events.Attributes"), "[]");
    EXPECT_EQ(rows[i].at("Links.TraceId"), "[]");
    EXPECT_EQ(rows[i].at("Links.Attributes"), "[]");
  }
  EXPECT_EQ(rows[3].at("Events.Attributes"), "[{'k':'w'}]");
}

TEST(OtlpTracesJson, ResourceAndScopePerRow) {
  auto rows = decodeOk(R"({"resourceSpans":[
      {"scopeSpans":[
         {"spans":[{"name":"a"},{"name":"b"}],"scope":{"name":"s1"}},
         {"scope":{"name":"s2","version":"v2"},"spans":[{"name":"c"}]}],
       "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"r1"}},
                                 {"key":"service.name","value":{"stringValue":"r1b"}}]}},
      {"scopeSpans":[{"spans":[{"name":"d"}]}]}]})");
  ASSERT_EQ(rows.size(), 4u);
  const char* names[] = {"a", "b", "c", "d"};
  const char* services[] = {"r1", "r1", "r1", ""};
  const char* scopes[] = {"s1", "s1", "s2", ""};
  const char* versions[] = {"", "", "v2", ""};
  const char* resources[] = {"{'service.name':'r1b'}", "{'service.name':'r1b'}",
                             "{'service.name':'r1b'}", "{}"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rows[i].at("SpanName"), names[i]);
    EXPECT_EQ(rows[i].at("ServiceName"), services[i]);
    EXPECT_EQ(rows[i].at("ScopeName"), scopes[i]);
    EXPECT_EQ(rows[i].at("ScopeVersion"), versions[i]);
    EXPECT_EQ(rows[i].at("ResourceAttributes"), resources[i]);
  }
}

TEST(OtlpTracesJson, EmptyNullAndUnknownShapes) {
  EXPECT_TRUE(decodeOk("{}").empty());
  EXPECT_TRUE(decodeOk("null").empty());
  EXPECT_TRUE(decodeOk(R"({"resourceSpans":[null,{},{"scopeSpans":[{},{"spans":[]}]}]})").empty());
  auto rows = decodeOk(R"({"resourceSpans":[{"resource":null,"x":1,"scopeSpans":[
      {"scope":null,"future":[1,{}],"spans":[null,{"name":"n","newField":{"a":[]},
       "attributes":null,"events":[{"unknown":true}],"links":[{"extra":"x"}]}]}]}]})");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("SpanName"), "");
  EXPECT_EQ(rows[0].at("SpanKind"), "Unspecified");
  EXPECT_EQ(rows[0].at("StatusCode"), "Unset");
  EXPECT_EQ(rows[1].at("SpanName"), "n");
  EXPECT_EQ(rows[1].at("Events.Name"), "['']");
  EXPECT_EQ(rows[1].at("Links.SpanId"), "['']");
}

TEST(OtlpTracesJson, AppendsToExistingRows) {
  TracesRows rows;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(decodeTracesJson(wrapSpans(R"({"name":"x","events":[{"name":"e"}]})"), rows)
                    .isOk());
  }
  auto decoded = toRows(rows);
  ASSERT_EQ(decoded.size(), 3u);
  for (const Row& r : decoded) EXPECT_EQ(r.at("Events.Name"), "['e']");
}

TEST(OtlpTracesJson, ErrorsNameThePath) {
  const std::string p = kSpanPath;
  EXPECT_EQ(decodeError(R"({"resourceSpans":{}})"), "resourceSpans: expected an array");
  EXPECT_EQ(decodeError(R"({"resourceSpans":[{"resource":1}]})"),
            "resourceSpans[0].resource: expected an object");
  EXPECT_EQ(decodeError(R"({"resourceSpans":[{"scopeSpans":[{"scope":"x"}]}]})"),
            "resourceSpans[0].scopeSpans[0].scope: expected an object");
  EXPECT_EQ(decodeError(R"({"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]})"),
            "resourceSpans[0].scopeSpans[0].spans: expected an array");
  EXPECT_EQ(decodeError(R"({"resourceSpans":[{"resource":{"attributes":[
                {"key":"a","value":{"intValue":"x"}}]}}]})"),
            "resourceSpans[0].resource.attributes[0].value.intValue: invalid integer string");
  EXPECT_EQ(decodeError(R"({"resourceSpans":[{"scopeSpans":[{"scope":{"version":1}}]}]})"),
            "resourceSpans[0].scopeSpans[0].scope.version: expected a string");
  EXPECT_EQ(spanError("7"), "resourceSpans[0].scopeSpans[0].spans[1]: expected an object");
  EXPECT_EQ(spanError(R"({"traceId":"5B8EFFF798038103D269B633813FC6XX"})"),
            p + "traceId: invalid hex");
  EXPECT_EQ(spanError(R"({"traceId":"0102"})"), p + "traceId: invalid length for an id");
  EXPECT_EQ(spanError(R"({"spanId":"0102030405060708090a0b0c0d0e0f10"})"),
            p + "spanId: invalid length for an id");
  EXPECT_EQ(spanError(R"({"parent_span_id":12})"), p + "parentSpanId: expected a string");
  EXPECT_EQ(spanError(R"({"traceState":false})"), p + "traceState: expected a string");
  EXPECT_EQ(spanError(R"({"name":[]})"), p + "name: expected a string");
  EXPECT_EQ(spanError(R"({"kind":"SPAN_KIND_SIDEWAYS"})"), p + "kind: unknown enum value");
  EXPECT_EQ(spanError(R"({"kind":2147483648})"), p + "kind: integer out of range");
  EXPECT_EQ(spanError(R"({"kind":1.5})"), p + "kind: expected an integer");
  EXPECT_EQ(spanError(R"({"startTimeUnixNano":-1})"),
            p + "startTimeUnixNano: negative value for an unsigned integer");
  EXPECT_EQ(spanError(R"({"end_time_unix_nano":"1e9"})"),
            p + "endTimeUnixNano: invalid unsigned integer string");
  EXPECT_EQ(spanError(R"({"endTimeUnixNano":18446744073709551616})"),
            p + "endTimeUnixNano: integer out of range");
  EXPECT_EQ(spanError(R"({"flags":4294967296})"), p + "flags: integer out of range");
  EXPECT_EQ(spanError(R"({"dropped_events_count":-2})"),
            p + "droppedEventsCount: negative value for an unsigned integer");
  EXPECT_EQ(spanError(R"({"droppedLinksCount":"x"})"),
            p + "droppedLinksCount: invalid unsigned integer string");
  EXPECT_EQ(spanError(R"({"droppedAttributesCount":true})"),
            p + "droppedAttributesCount: expected an unsigned integer");
  EXPECT_EQ(spanError(R"({"attributes":[{"key":"a","value":{"doubleValue":"x"}}]})"),
            p + "attributes[0].value.doubleValue: invalid number string");
  EXPECT_EQ(spanError(R"({"status":[]})"), p + "status: expected an object");
  EXPECT_EQ(spanError(R"({"status":{"code":"STATUS_CODE_MAYBE"}})"),
            p + "status.code: unknown enum value");
  EXPECT_EQ(spanError(R"({"status":{"message":1}})"), p + "status.message: expected a string");
  EXPECT_EQ(spanError(R"({"events":{}})"), p + "events: expected an array");
  EXPECT_EQ(spanError(R"({"events":[{},"e"]})"), p + "events[1]: expected an object");
  EXPECT_EQ(spanError(R"({"events":[{"timeUnixNano":1.5}]})"),
            p + "events[0].timeUnixNano: expected an unsigned integer");
  EXPECT_EQ(spanError(R"({"events":[{"name":null},{"name":2}]})"),
            p + "events[1].name: expected a string");
  EXPECT_EQ(spanError(R"({"events":[{"attributes":[{"key":"k","value":{"bytesValue":"!"}}]}]})"),
            p + "events[0].attributes[0].value.bytesValue: invalid base64");
  EXPECT_EQ(spanError(R"({"events":[{"droppedAttributesCount":-1}]})"),
            p + "events[0].droppedAttributesCount: negative value for an unsigned integer");
  EXPECT_EQ(spanError(R"({"links":[{"traceId":"zz"}]})"),
            p + "links[0].traceId: invalid length for an id");
  EXPECT_EQ(spanError(R"({"links":[{},{"spanId":"010203040506070g"}]})"),
            p + "links[1].spanId: invalid hex");
  EXPECT_EQ(spanError(R"({"links":[{"trace_state":{}}]})"),
            p + "links[0].traceState: expected a string");
  EXPECT_EQ(spanError(R"({"links":[{"flags":"-1"}]})"),
            p + "links[0].flags: invalid unsigned integer string");
  EXPECT_EQ(spanError(R"({"links":[{"attributes":[{"key":5}]}]})"),
            p + "links[0].attributes[0].key: expected a string");
  // A dropped duplicate attribute is still checked.
  EXPECT_EQ(spanError(R"({"attributes":[{"key":"a","value":{"intValue":"bad"}},
                                        {"key":"a","value":{"intValue":1}}]})"),
            p + "attributes[0].value.intValue: invalid integer string");
}

TEST(OtlpTracesJson, MalformedJson) {
  EXPECT_EQ(decodeError(""), "malformed JSON: Empty: no JSON found");
  EXPECT_EQ(decodeError(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x",}]}]}]})"),
            "malformed JSON: The JSON document has an improper structure: missing or "
            "superfluous commas, braces, missing keys, etc.");
  EXPECT_EQ(decodeError("[]"), "expected a JSON object at the top level");
  EXPECT_EQ(decodeError(R"({"resourceSpans":[]} x)").rfind("malformed JSON: ", 0), 0u);
  EXPECT_EQ(decodeError("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"\xff\"}]}]}]}"),
            "malformed JSON: The input is not valid UTF-8");
}

TEST(OtlpTracesJson, EveryTruncationIsRejected) {
  const std::string json =
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":)"
      R"({"stringValue":"s"}}]},"scopeSpans":[{"scope":{"name":"n"},"spans":[{"traceId":)"
      R"("5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","kind":2,)"
      R"("startTimeUnixNano":"1","endTimeUnixNano":2,"events":[{"name":"e","attributes":)"
      R"([{"key":"a","value":{"doubleValue":1.5}}]}],"links":[{"traceState":"t"}],)"
      R"("status":{"code":2}}]}]}]})";
  ASSERT_EQ(decodeOk(json).size(), 1u);
  for (size_t n = 0; n < json.size(); ++n) {
    TracesRows rows;
    Status s = decodeTracesJson(std::string_view(json).substr(0, n), rows);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << n;
  }
}

}  // namespace
}  // namespace otelhouse
