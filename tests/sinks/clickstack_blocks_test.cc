// The Native blocks the rows builders write are taken by ClickStack's tables
// in the real engine, column for column.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "rows/logs_rows.h"
#include "rows/metrics_rows.h"
#include "rows/traces_rows.h"
#include "schema/clickstack_schema.h"
#include "sinks/chdb_sink.h"

namespace otelhouse {
namespace {

class ClickStackBlocksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/otelhouse-blocks-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto opened = ChdbSink::open(defaultChdbLibPath("."), dir_, "default");
    ASSERT_TRUE(opened.isOk()) << opened.status().message();
    sink_ = opened.value().release();
    SchemaOptions o;
    o.logs_rollups = o.traces_rollups = false;
    o.ttl_seconds = 3650LL * 86400;  // the fixed 2023 times below must not expire
    for (auto& ddl : clickStackSchema(o)) ASSERT_TRUE(sink_->execute(ddl).isOk()) << ddl;
  }
  static void TearDownTestSuite() {
    if (sink_) sink_->close();
    delete sink_;
    std::filesystem::remove_all(dir_);
  }
  static std::string q(const std::string& sql) {
    QueryResult r;
    Status st = sink_->query(sql, "TabSeparated", &r);
    EXPECT_TRUE(st.isOk()) << st.message();
    return r.data;
  }
  static inline std::string dir_;
  static inline ChdbSink* sink_ = nullptr;
};

void fillPoint(MetricPointColumns& p, const char* name) {
  p.resource_attributes.addEntry("service.name", "api");
  p.resource_attributes.endRow();
  p.resource_schema_url.append("https://rs");
  p.scope_name.append("meter");
  p.scope_version.append("1.2");
  p.scope_attributes.endRow();
  p.scope_dropped_attr_count.append(3);
  p.scope_schema_url.append("");
  p.service_name.append("api");
  p.metric_name.append(name);
  p.metric_description.append("d");
  p.metric_unit.append("ms");
  p.attributes.addEntry("route", "/x");
  p.attributes.endRow();
  p.start_time_unix.append(1700000000123456789);
  p.time_unix.append(1700000001987654321);
  p.flags.append(1);
}

void fillExemplars(ExemplarColumns& e) {
  e.filtered_attributes.element().addEntry("k", "v");
  e.filtered_attributes.element().endRow();
  e.filtered_attributes.endRow();
  e.time_unix.add(1700000001000000000);
  e.time_unix.endRow();
  e.value.add(2.5);
  e.value.endRow();
  e.span_id.add("eee19b7ec3c1b174");
  e.span_id.endRow();
  e.trace_id.add("5b8efff798038103d269b633813fc60c");
  e.trace_id.endRow();
}

TEST_F(ClickStackBlocksTest, TracesRow) {
  TracesRows r;
  r.timestamp.append(1700000000123456789);
  r.trace_id.append("5b8efff798038103d269b633813fc60c");
  r.span_id.append("eee19b7ec3c1b174");
  r.parent_span_id.append("");
  r.trace_state.append("a=b");
  r.span_name.append("GET /");
  r.span_kind.append("Server");
  r.service_name.append("api");
  r.resource_attributes.addEntry("rum.sessionId", "s1");
  r.resource_attributes.endRow();
  r.scope_name.append("tracer");
  r.scope_version.append("1");
  r.span_attributes.addEntry("SampleRate", "10");
  r.span_attributes.endRow();
  r.duration.append(1500);
  r.status_code.append("Error");
  r.status_message.append("boom");
  r.events_timestamp.add(1700000000200000000);
  r.events_timestamp.add(1700000000300000000);
  r.events_timestamp.endRow();
  r.events_name.add("e1");
  r.events_name.add("e2");
  r.events_name.endRow();
  r.events_attributes.element().addEntry("x", "1");
  r.events_attributes.element().endRow();
  r.events_attributes.element().endRow();
  r.events_attributes.endRow();
  r.links_trace_id.endRow();
  r.links_span_id.endRow();
  r.links_trace_state.endRow();
  r.links_attributes.endRow();
  ASSERT_TRUE(r.consistent());
  std::string native;
  r.encodeNative(native);
  Status st = sink_->insert("otel_traces", native, "");
  ASSERT_TRUE(st.isOk()) << st.message();
  EXPECT_EQ(q("SELECT toUnixTimestamp64Nano(Timestamp), SpanKind, Duration, StatusCode, Events.Name, "
              "Events.Attributes, Links.TraceId, `__hdx_materialized_rum.sessionId`, SampleRate "
              "FROM otel_traces"),
            "1700000000123456789\tServer\t1500\tError\t['e1','e2']\t[{'x':'1'},{}]\t[]\ts1\t10\n");
}

TEST_F(ClickStackBlocksTest, MetricsRows) {
  MetricsRows m;
  fillPoint(m.gauge.point, "g");
  m.gauge.value.append(1.5);
  fillExemplars(m.gauge.exemplars);
  fillPoint(m.sum.point, "s");
  m.sum.value.append(7);
  fillExemplars(m.sum.exemplars);
  m.sum.aggregation_temporality.append(2);
  m.sum.is_monotonic.append(1);
  fillPoint(m.histogram.point, "h");
  m.histogram.count.append(4);
  m.histogram.sum.append(10);
  for (uint64_t c : {1, 3}) m.histogram.bucket_counts.add(c);
  m.histogram.bucket_counts.endRow();
  m.histogram.explicit_bounds.add(5);
  m.histogram.explicit_bounds.endRow();
  fillExemplars(m.histogram.exemplars);
  m.histogram.min.append(1);
  m.histogram.max.append(6);
  m.histogram.aggregation_temporality.append(1);
  fillPoint(m.exponential_histogram.point, "e");
  auto& e = m.exponential_histogram;
  e.count.append(3);
  e.sum.append(9);
  e.scale.append(-2);
  e.zero_count.append(1);
  e.positive_offset.append(-1);
  e.positive_bucket_counts.add(2);
  e.positive_bucket_counts.endRow();
  e.negative_offset.append(0);
  e.negative_bucket_counts.endRow();
  fillExemplars(e.exemplars);
  e.min.append(0);
  e.max.append(8);
  e.aggregation_temporality.append(2);
  fillPoint(m.summary.point, "q");
  m.summary.count.append(2);
  m.summary.sum.append(3);
  m.summary.quantiles.add(0.5);
  m.summary.quantiles.endRow();
  m.summary.values.add(1.25);
  m.summary.values.endRow();
  ASSERT_TRUE(m.consistent());
  ASSERT_EQ(m.rows(), 5u);
  auto put = [&](const char* table, auto& rows) {
    std::string native;
    encodeNative(rows, native);
    Status st = sink_->insert(table, native, "");
    ASSERT_TRUE(st.isOk()) << table << ": " << st.message();
  };
  put(kGaugeTable, m.gauge);
  put(kSumTable, m.sum);
  put(kHistogramTable, m.histogram);
  put(kExponentialHistogramTable, m.exponential_histogram);
  put(kSummaryTable, m.summary);
  EXPECT_EQ(q("SELECT MetricName, Value, toUnixTimestamp(TimeUnix), ScopeDroppedAttrCount, "
              "Exemplars.Value, Exemplars.TraceId FROM otel_metrics_gauge"),
            "g\t1.5\t1700000001\t3\t[2.5]\t['5b8efff798038103d269b633813fc60c']\n");
  EXPECT_EQ(q("SELECT IsMonotonic, AggregationTemporality FROM otel_metrics_sum"), "true\t2\n");
  EXPECT_EQ(q("SELECT BucketCounts, ExplicitBounds, Min, Max FROM otel_metrics_histogram"),
            "[1,3]\t[5]\t1\t6\n");
  EXPECT_EQ(q("SELECT Scale, PositiveOffset, PositiveBucketCounts, NegativeBucketCounts "
              "FROM otel_metrics_exponential_histogram"),
            "-2\t-1\t[2]\t[]\n");
  EXPECT_EQ(q("SELECT ValueAtQuantiles.Quantile, ValueAtQuantiles.Value FROM otel_metrics_summary"),
            "[0.5]\t[1.25]\n");
}

TEST_F(ClickStackBlocksTest, LogsRowWithoutEventNameColumn) {
  LogsRows r;
  r.timestamp.append(1700000000000000001);
  r.trace_id.append("");
  r.span_id.append("");
  r.trace_flags.append(0);
  r.severity_text.append("");
  r.severity_number.append(0);
  r.service_name.append("");
  r.body.append("b");
  r.resource_schema_url.append("");
  r.resource_attributes.addEntry("k8s.pod.name", "p1");
  r.resource_attributes.endRow();
  r.scope_schema_url.append("");
  r.scope_name.append("");
  r.scope_version.append("");
  r.scope_attributes.endRow();
  r.log_attributes.endRow();
  r.event_name.append("ev");
  // Left out (the mask of a table without the column): the engine fills the default.
  std::string native;
  r.encodeNative(native);
  Status st = sink_->insert("otel_logs", native, "");
  ASSERT_TRUE(st.isOk()) << st.message();
  EXPECT_EQ(q("SELECT Body, toDateTime(Timestamp), EventName, `__hdx_materialized_k8s.pod.name` FROM otel_logs"),
            "b\t2023-11-14 22:13:20\t\tp1\n");
  // Sent, into ClickStack's current otel_logs, which has it.
  native.clear();
  r.encodeNative(native, kLogsAllColumns);
  ASSERT_TRUE(sink_->insert("otel_logs", native, "").isOk());
  EXPECT_EQ(q("SELECT EventName FROM otel_logs WHERE EventName != ''"), "ev\n");
}

}  // namespace
}  // namespace otelhouse
