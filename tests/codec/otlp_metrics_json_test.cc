#include "codec/otlp_metrics_json.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "otlp_json_rows_text.h"

namespace otelhouse {
namespace {

using Row = std::map<std::string, std::string>;  // column name -> cell text

template <class R>
std::vector<Row> toRows(const R& rows) {
  std::string native;
  encodeNative(rows, native);
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

MetricsRows decodeOk(const std::string& json) {
  MetricsRows rows;
  Status s = decodeMetricsJson(json, rows);
  EXPECT_TRUE(s.isOk()) << s.toString() << "\n" << json;
  EXPECT_TRUE(rows.consistent());
  return rows;
}

std::string wrapMetrics(const std::string& metrics) {
  return R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[)" + metrics + "]}]}]}";
}

std::string decodeError(const std::string& json) {
  MetricsRows rows;
  Status s = decodeMetricsJson(json, rows);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << json;
  return s.message();
}

std::string metricError(const std::string& metric) {
  return decodeError(wrapMetrics("{}," + metric));
}

constexpr const char* kMetricPath = "resourceMetrics[0].scopeMetrics[0].metrics[1].";

TEST(OtlpMetricsJson, GaugeWithResourceScopeAndExemplars) {
  MetricsRows rows = decodeOk(R"({"resourceMetrics":[{
    "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},
                              {"key":"host","value":{"stringValue":"h1"}}]},
    "schemaUrl":"https://res/schema",
    "scopeMetrics":[{
      "scope":{"name":"meter","version":"2.0","droppedAttributesCount":4,
               "attributes":[{"key":"lib","value":{"stringValue":"x"}}]},
      "schemaUrl":"https://scope/schema",
      "metrics":[{"name":"cpu","description":"CPU use","unit":"1","gauge":{"dataPoints":[
        {"attributes":[{"key":"core","value":{"intValue":"3"}}],
         "startTimeUnixNano":"1700000000000000000","timeUnixNano":"1700000001000000000",
         "asDouble":0.75,"flags":1,
         "exemplars":[
           {"filteredAttributes":[{"key":"user","value":{"stringValue":"u"}}],
            "timeUnixNano":"1700000000500000000","asInt":"42",
            "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174"},
           {"asDouble":"NaN"},
           {"as_double":2.5,"as_int":7,"trace_id":"","span_id":null}]},
        {"asInt":-5}]}}]}]}]})");
  EXPECT_EQ(rows.rows(), 2u);
  auto r = toRows(rows.gauge);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].at("ResourceAttributes"), "{'host':'h1','service.name':'api'}");
  EXPECT_EQ(r[0].at("ResourceSchemaUrl"), "https://res/schema");
  EXPECT_EQ(r[0].at("ScopeName"), "meter");
  EXPECT_EQ(r[0].at("ScopeVersion"), "2.0");
  EXPECT_EQ(r[0].at("ScopeAttributes"), "{'lib':'x'}");
  EXPECT_EQ(r[0].at("ScopeDroppedAttrCount"), "4");
  EXPECT_EQ(r[0].at("ScopeSchemaUrl"), "https://scope/schema");
  EXPECT_EQ(r[0].at("ServiceName"), "api");
  EXPECT_EQ(r[0].at("MetricName"), "cpu");
  EXPECT_EQ(r[0].at("MetricDescription"), "CPU use");
  EXPECT_EQ(r[0].at("MetricUnit"), "1");
  EXPECT_EQ(r[0].at("Attributes"), "{'core':'3'}");
  EXPECT_EQ(r[0].at("StartTimeUnix"), "1700000000000000000");
  EXPECT_EQ(r[0].at("TimeUnix"), "1700000001000000000");
  EXPECT_EQ(r[0].at("Flags"), "1");
  EXPECT_EQ(r[0].at("Value"), "0.75");
  EXPECT_EQ(r[0].at("Exemplars.FilteredAttributes"), "[{'user':'u'},{},{}]");
  EXPECT_EQ(r[0].at("Exemplars.TimeUnix"), "[1700000000500000000,0,0]");
  // asInt converts; a later member of the oneof wins (asInt 7 after asDouble 2.5).
  EXPECT_EQ(r[0].at("Exemplars.Value"), "[42,nan,7]");
  // Exemplar ids are always 16 / 32 hex digits, zeros when absent.
  EXPECT_EQ(r[0].at("Exemplars.TraceId"), "['5b8efff798038103d269b633813fc60c',"
                                          "'00000000000000000000000000000000',"
                                          "'00000000000000000000000000000000']");
  EXPECT_EQ(r[0].at("Exemplars.SpanId"),
            "['eee19b7ec3c1b174','0000000000000000','0000000000000000']");
  EXPECT_EQ(r[1].at("Value"), "-5");
  EXPECT_EQ(r[1].at("Attributes"), "{}");
  EXPECT_EQ(r[1].at("Exemplars.Value"), "[]");
  EXPECT_EQ(r[1].at("MetricName"), "cpu");
  EXPECT_EQ(r[1].at("ServiceName"), "api");
}

TEST(OtlpMetricsJson, Sum) {
  MetricsRows rows = decodeOk(wrapMetrics(R"(
      {"sum":{"dataPoints":[{"asInt":"9223372036854775807","exemplars":[{"asInt":-1}]},{}],
              "aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","isMonotonic":true},
       "name":"requests"},
      {"name":"s2","sum":{"aggregation_temporality":1,"data_points":[{"as_double":"-Infinity"}]}},
      {"name":"s3","sum":{"aggregationTemporality":"7","dataPoints":[{"asDouble":-0}]}})"));
  auto r = toRows(rows.sum);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].at("MetricName"), "requests");
  EXPECT_EQ(r[0].at("Value"), "9223372036854775808");  // float64 of the int64
  EXPECT_EQ(r[0].at("Exemplars.Value"), "[-1]");
  EXPECT_EQ(r[0].at("AggregationTemporality"), "2");
  EXPECT_EQ(r[0].at("IsMonotonic"), "true");
  EXPECT_EQ(r[1].at("Value"), "0");
  EXPECT_EQ(r[1].at("IsMonotonic"), "true");
  EXPECT_EQ(r[2].at("MetricName"), "s2");
  EXPECT_EQ(r[2].at("Value"), "-inf");
  EXPECT_EQ(r[2].at("AggregationTemporality"), "1");
  EXPECT_EQ(r[2].at("IsMonotonic"), "false");
  EXPECT_EQ(r[3].at("Value"), "-0");
  EXPECT_EQ(r[3].at("AggregationTemporality"), "7");
  EXPECT_EQ(rows.rows(), 4u);
}

TEST(OtlpMetricsJson, Histogram) {
  MetricsRows rows = decodeOk(wrapMetrics(R"({"name":"latency","unit":"ms","histogram":{
      "aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA","dataPoints":[
        {"count":"10","sum":123.5,"bucketCounts":["1",2,"3",4],"explicitBounds":[1,2.5,"10"],
         "min":0.5,"max":"99","exemplars":[{"asDouble":3.25,"spanId":"0102030405060708"}],
         "attributes":[{"key":"route","value":{"stringValue":"/a"}}]},
        {"count":0}]}})"));
  auto r = toRows(rows.histogram);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].at("MetricName"), "latency");
  EXPECT_EQ(r[0].at("MetricUnit"), "ms");
  EXPECT_EQ(r[0].at("Count"), "10");
  EXPECT_EQ(r[0].at("Sum"), "123.5");
  EXPECT_EQ(r[0].at("BucketCounts"), "[1,2,3,4]");
  EXPECT_EQ(r[0].at("ExplicitBounds"), "[1,2.5,10]");
  EXPECT_EQ(r[0].at("Min"), "0.5");
  EXPECT_EQ(r[0].at("Max"), "99");
  EXPECT_EQ(r[0].at("AggregationTemporality"), "1");
  EXPECT_EQ(r[0].at("Exemplars.Value"), "[3.25]");
  EXPECT_EQ(r[0].at("Exemplars.SpanId"), "['0102030405060708']");
  EXPECT_EQ(r[0].at("Attributes"), "{'route':'/a'}");
  // Absent optional sum / min / max read 0.
  EXPECT_EQ(r[1].at("Sum"), "0");
  EXPECT_EQ(r[1].at("Min"), "0");
  EXPECT_EQ(r[1].at("Max"), "0");
  EXPECT_EQ(r[1].at("BucketCounts"), "[]");
  EXPECT_EQ(r[1].at("ExplicitBounds"), "[]");
  EXPECT_EQ(r[1].at("AggregationTemporality"), "1");
}

TEST(OtlpMetricsJson, ExponentialHistogram) {
  MetricsRows rows = decodeOk(wrapMetrics(R"({"name":"exp","exponentialHistogram":{
      "aggregationTemporality":2,"dataPoints":[
        {"count":"7","sum":"12.5","scale":-3,"zeroCount":"2","zeroThreshold":1e-9,
         "positive":{"offset":-2,"bucketCounts":["1","2"]},
         "negative":{"bucket_counts":[3],"offset":"5"},
         "min":-1,"max":4,"flags":1,"exemplars":[{"asInt":"3"}]},
        {"positive":null,"negative":{}}]}})"));
  auto r = toRows(rows.exponential_histogram);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].at("Count"), "7");
  EXPECT_EQ(r[0].at("Sum"), "12.5");
  EXPECT_EQ(r[0].at("Scale"), "-3");
  EXPECT_EQ(r[0].at("ZeroCount"), "2");
  EXPECT_EQ(r[0].at("PositiveOffset"), "-2");
  EXPECT_EQ(r[0].at("PositiveBucketCounts"), "[1,2]");
  EXPECT_EQ(r[0].at("NegativeOffset"), "5");
  EXPECT_EQ(r[0].at("NegativeBucketCounts"), "[3]");
  EXPECT_EQ(r[0].at("Min"), "-1");
  EXPECT_EQ(r[0].at("Max"), "4");
  EXPECT_EQ(r[0].at("Flags"), "1");
  EXPECT_EQ(r[0].at("AggregationTemporality"), "2");
  EXPECT_EQ(r[0].at("Exemplars.Value"), "[3]");
  EXPECT_EQ(r[1].at("PositiveOffset"), "0");
  EXPECT_EQ(r[1].at("PositiveBucketCounts"), "[]");
  EXPECT_EQ(r[1].at("NegativeBucketCounts"), "[]");
}

TEST(OtlpMetricsJson, Summary) {
  MetricsRows rows = decodeOk(wrapMetrics(R"({"name":"rpc","summary":{"dataPoints":[
      {"count":"3","sum":6,"quantileValues":[{"quantile":0,"value":1},{"quantile":0.5,
       "value":"2"},{"quantile":1,"value":3},{}],"exemplars":[{"asInt":"bad but ignored"}]}]}})"));
  auto r = toRows(rows.summary);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].at("Count"), "3");
  EXPECT_EQ(r[0].at("Sum"), "6");
  EXPECT_EQ(r[0].at("ValueAtQuantiles.Quantile"), "[0,0.5,1,0]");
  EXPECT_EQ(r[0].at("ValueAtQuantiles.Value"), "[1,2,3,0]");
}

TEST(OtlpMetricsJson, DataOneofLastMemberWinsAndRepeatsMerge) {
  MetricsRows rows = decodeOk(wrapMetrics(R"(
      {"gauge":{"dataPoints":[{"asInt":1}]},"sum":{"dataPoints":[{"asInt":2}]}},
      {"sum":{"dataPoints":[{"asInt":3}],"isMonotonic":true},
       "sum":{"dataPoints":[{"asInt":4}],"aggregationTemporality":1},"name":"late name"},
      {"name":"no data"},
      {"name":"null data","gauge":null},
      {"gauge":{"dataPoints":[{"asInt":5}]},"histogram":null})"));
  auto g = toRows(rows.gauge);
  auto s = toRows(rows.sum);
  ASSERT_EQ(g.size(), 1u);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(g[0].at("Value"), "5");
  EXPECT_EQ(s[0].at("Value"), "2");
  EXPECT_EQ(s[1].at("Value"), "3");
  EXPECT_EQ(s[2].at("Value"), "4");
  for (size_t i : {1, 2}) {
    EXPECT_EQ(s[i].at("MetricName"), "late name");
    EXPECT_EQ(s[i].at("IsMonotonic"), "true");
    EXPECT_EQ(s[i].at("AggregationTemporality"), "1");
  }
  EXPECT_EQ(rows.rows(), 4u);
  // A replaced member must still be valid.
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":[{"asInt":"x"}]},"sum":{}})"),
            std::string(kMetricPath) + "gauge.dataPoints[0].asInt: invalid integer string");
}

TEST(OtlpMetricsJson, ResourceAndScopeCopiedPerRowWhateverTheOrder) {
  MetricsRows rows = decodeOk(R"({"resourceMetrics":[
      {"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{},{}]},"name":"a"}],
                        "scope":{"name":"s1"},"schemaUrl":"su"}],
       "resource":{"attributes":[{"key":"service.name","value":{"boolValue":true}}]},
       "schemaUrl":"ru"},
      {"scopeMetrics":[{"metrics":[{"name":"b","gauge":{"dataPoints":[{}]}}]}]}]})");
  auto r = toRows(rows.gauge);
  ASSERT_EQ(r.size(), 3u);
  const char* names[] = {"a", "a", "b"};
  const char* services[] = {"true", "true", ""};
  const char* scopes[] = {"s1", "s1", ""};
  const char* rurls[] = {"ru", "ru", ""};
  const char* surls[] = {"su", "su", ""};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r[i].at("MetricName"), names[i]);
    EXPECT_EQ(r[i].at("ServiceName"), services[i]);
    EXPECT_EQ(r[i].at("ScopeName"), scopes[i]);
    EXPECT_EQ(r[i].at("ResourceSchemaUrl"), rurls[i]);
    EXPECT_EQ(r[i].at("ScopeSchemaUrl"), surls[i]);
  }
}

TEST(OtlpMetricsJson, EmptyNullAndUnknownShapes) {
  EXPECT_EQ(decodeOk("{}").rows(), 0u);
  EXPECT_EQ(decodeOk("null").rows(), 0u);
  EXPECT_EQ(decodeOk(R"({"resourceMetrics":[null,{},{"scopeMetrics":[{},{"metrics":[null]}]}]})")
                .rows(),
            0u);
  MetricsRows rows = decodeOk(wrapMetrics(R"({"name":"m","metadata":[{"key":"k"}],"newKind":{},
      "gauge":{"dataPoints":[null,{"future":1,"count":"ignored","exemplars":[null]}],"x":2}})"));
  auto r = toRows(rows.gauge);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].at("Value"), "0");
  EXPECT_EQ(r[0].at("Exemplars.Value"), "[]");
  EXPECT_EQ(r[1].at("Exemplars.Value"), "[0]");
  EXPECT_EQ(r[1].at("Exemplars.TraceId"), "['00000000000000000000000000000000']");
}

TEST(OtlpMetricsJson, ErrorsNameThePath) {
  const std::string p = kMetricPath;
  EXPECT_EQ(decodeError(R"({"resourceMetrics":1})"), "resourceMetrics: expected an array");
  EXPECT_EQ(decodeError(R"({"resourceMetrics":[{"scopeMetrics":[{"scope":{"droppedAttributesCount":-1}}]}]})"),
            "resourceMetrics[0].scopeMetrics[0].scope.droppedAttributesCount: negative value "
            "for an unsigned integer");
  EXPECT_EQ(decodeError(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":{}}]}]})"),
            "resourceMetrics[0].scopeMetrics[0].metrics: expected an array");
  EXPECT_EQ(metricError("[]"), "resourceMetrics[0].scopeMetrics[0].metrics[1]: expected an object");
  EXPECT_EQ(metricError(R"({"name":1})"), p + "name: expected a string");
  EXPECT_EQ(metricError(R"({"unit":{}})"), p + "unit: expected a string");
  EXPECT_EQ(metricError(R"({"metadata":[{"key":"a","value":{"intValue":true}}]})"),
            p + "metadata[0].value.intValue: expected an integer");
  EXPECT_EQ(metricError(R"({"gauge":[]})"), p + "gauge: expected an object");
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":{}}})"), p + "gauge.dataPoints: expected an array");
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":[1]}})"),
            p + "gauge.dataPoints[0]: expected an object");
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":[{"asDouble":"x"}]}})"),
            p + "gauge.dataPoints[0].asDouble: invalid number string");
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":[{},{"as_int":1.5}]}})"),
            p + "gauge.dataPoints[1].asInt: expected an integer");
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":[{"timeUnixNano":"-1"}]}})"),
            p + "gauge.dataPoints[0].timeUnixNano: invalid unsigned integer string");
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":[{"flags":4294967296}]}})"),
            p + "gauge.dataPoints[0].flags: integer out of range");
  EXPECT_EQ(metricError(R"({"gauge":{"dataPoints":[{"attributes":[{"key":"a","value":[]}]}]}})"),
            p + "gauge.dataPoints[0].attributes[0].value: expected an object");
  EXPECT_EQ(metricError(R"({"sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_SOMETIMES"}})"),
            p + "sum.aggregationTemporality: unknown enum value");
  EXPECT_EQ(metricError(R"({"sum":{"isMonotonic":"true"}})"),
            p + "sum.isMonotonic: expected true or false");
  EXPECT_EQ(metricError(R"({"sum":{"dataPoints":[{"exemplars":[{"traceId":"abc"}]}]}})"),
            p + "sum.dataPoints[0].exemplars[0].traceId: invalid length for an id");
  EXPECT_EQ(metricError(R"({"sum":{"dataPoints":[{"exemplars":[{},{"spanId":"zz00000000000000"}]}]}})"),
            p + "sum.dataPoints[0].exemplars[1].spanId: invalid hex");
  EXPECT_EQ(metricError(R"({"sum":{"dataPoints":[{"exemplars":[{"filteredAttributes":[{"key":2}]}]}]}})"),
            p + "sum.dataPoints[0].exemplars[0].filteredAttributes[0].key: expected a string");
  EXPECT_EQ(metricError(R"({"sum":{"dataPoints":[{"exemplars":[{"asInt":"9223372036854775808"}]}]}})"),
            p + "sum.dataPoints[0].exemplars[0].asInt: invalid integer string");
  EXPECT_EQ(metricError(R"({"histogram":{"aggregationTemporality":2147483648}})"),
            p + "histogram.aggregationTemporality: integer out of range");
  EXPECT_EQ(metricError(R"({"histogram":{"dataPoints":[{"bucketCounts":[1,-2]}]}})"),
            p + "histogram.dataPoints[0].bucketCounts[1]: negative value for an unsigned integer");
  EXPECT_EQ(metricError(R"({"histogram":{"dataPoints":[{"explicitBounds":[1,"x"]}]}})"),
            p + "histogram.dataPoints[0].explicitBounds[1]: invalid number string");
  EXPECT_EQ(metricError(R"({"histogram":{"dataPoints":[{"count":1.5}]}})"),
            p + "histogram.dataPoints[0].count: expected an unsigned integer");
  EXPECT_EQ(metricError(R"({"histogram":{"dataPoints":[{"min":true}]}})"),
            p + "histogram.dataPoints[0].min: expected a number");
  EXPECT_EQ(metricError(R"({"exponentialHistogram":{"dataPoints":[{"scale":2147483648}]}})"),
            p + "exponentialHistogram.dataPoints[0].scale: integer out of range");
  EXPECT_EQ(metricError(R"({"exponential_histogram":{"dataPoints":[{"positive":[]}]}})"),
            p + "exponentialHistogram.dataPoints[0].positive: expected an object");
  EXPECT_EQ(metricError(R"({"exponentialHistogram":{"dataPoints":[{"negative":{"offset":"x"}}]}})"),
            p + "exponentialHistogram.dataPoints[0].negative.offset: invalid integer string");
  EXPECT_EQ(metricError(R"({"exponentialHistogram":{"dataPoints":[{"positive":{"bucketCounts":[{}]}}]}})"),
            p + "exponentialHistogram.dataPoints[0].positive.bucketCounts[0]: expected an "
                "unsigned integer");
  EXPECT_EQ(metricError(R"({"exponentialHistogram":{"dataPoints":[{"zeroThreshold":"z"}]}})"),
            p + "exponentialHistogram.dataPoints[0].zeroThreshold: invalid number string");
  EXPECT_EQ(metricError(R"({"summary":{"dataPoints":[{"quantileValues":[{"quantile":"q"}]}]}})"),
            p + "summary.dataPoints[0].quantileValues[0].quantile: invalid number string");
  EXPECT_EQ(metricError(R"({"summary":{"dataPoints":[{"quantile_values":[1]}]}})"),
            p + "summary.dataPoints[0].quantileValues[0]: expected an object");
  EXPECT_EQ(metricError(R"({"summary":{"dataPoints":[{"sum":[]}]}})"),
            p + "summary.dataPoints[0].sum: expected a number");
}

TEST(OtlpMetricsJson, MalformedJson) {
  EXPECT_EQ(decodeError(""), "malformed JSON: Empty: no JSON found");
  EXPECT_EQ(decodeError("42"), "expected a JSON object at the top level");
  EXPECT_EQ(decodeError(wrapMetrics(R"({"gauge":{"dataPoints":[{"asDouble":1e999}]}})")),
            "malformed JSON: Problem while parsing a number");
}

TEST(OtlpMetricsJson, EveryTruncationIsRejected) {
  const std::string json =
      R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":)"
      R"({"stringValue":"s"}}]},"scopeMetrics":[{"scope":{"name":"n"},"metrics":[{"name":"m",)"
      R"("histogram":{"aggregationTemporality":2,"dataPoints":[{"count":"3","sum":1.5,)"
      R"("bucketCounts":[1,2],"explicitBounds":[0.5],"exemplars":[{"asInt":"4","traceId":)"
      R"("5b8efff798038103d269b633813fc60c"}]}]}},{"name":"q","summary":{"dataPoints":[)"
      R"({"quantileValues":[{"quantile":0.5,"value":1}]}]}}]}]}]})";
  ASSERT_EQ(decodeOk(json).rows(), 2u);
  for (size_t n = 0; n < json.size(); ++n) {
    MetricsRows rows;
    Status s = decodeMetricsJson(std::string_view(json).substr(0, n), rows);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << n;
  }
}

}  // namespace
}  // namespace otelhouse
