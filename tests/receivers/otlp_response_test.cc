#include "receivers/otlp_response.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace otelhouse {
namespace {

namespace collector = opentelemetry::proto::collector;

TEST(OtlpResponse, EmptyResponses) {
  EXPECT_EQ(encodeExportResponseProto(Signal::kLogs, 0, ""), "");
  EXPECT_EQ(encodeExportResponseJson(Signal::kLogs, 0, ""), "{\"partialSuccess\":{}}");
  EXPECT_EQ(encodeExportResponseJson(Signal::kTraces, 0, ""), "{\"partialSuccess\":{}}");
  EXPECT_EQ(encodeExportResponseJson(Signal::kMetrics, 0, ""), "{\"partialSuccess\":{}}");
}

TEST(OtlpResponse, PartialSuccessProtoBytes) {
  std::string bytes = encodeExportResponseProto(Signal::kLogs, 300, "bad");
  EXPECT_EQ(bytes, std::string("\x0a\x08\x08\xac\x02\x12\x03"
                               "bad",
                               10));
}

TEST(OtlpResponse, PartialSuccessAgreesWithLibprotobuf) {
  std::string msg = "2 records had invalid trace ids";
  collector::logs::v1::ExportLogsServiceResponse logs;
  ASSERT_TRUE(logs.ParseFromString(encodeExportResponseProto(Signal::kLogs, 2, msg)));
  EXPECT_EQ(logs.partial_success().rejected_log_records(), 2);
  EXPECT_EQ(logs.partial_success().error_message(), msg);
  collector::logs::v1::ExportLogsServiceResponse expected;
  expected.mutable_partial_success()->set_rejected_log_records(2);
  expected.mutable_partial_success()->set_error_message(msg);
  EXPECT_EQ(encodeExportResponseProto(Signal::kLogs, 2, msg), expected.SerializeAsString());

  collector::trace::v1::ExportTraceServiceResponse traces;
  ASSERT_TRUE(traces.ParseFromString(encodeExportResponseProto(Signal::kTraces, 7, "")));
  EXPECT_EQ(traces.partial_success().rejected_spans(), 7);
  collector::metrics::v1::ExportMetricsServiceResponse metrics;
  ASSERT_TRUE(metrics.ParseFromString(encodeExportResponseProto(Signal::kMetrics, uint64_t{1} << 40, "m")));
  EXPECT_EQ(metrics.partial_success().rejected_data_points(), int64_t{1} << 40);
  EXPECT_EQ(metrics.partial_success().error_message(), "m");
}

TEST(OtlpResponse, PartialSuccessJson) {
  EXPECT_EQ(encodeExportResponseJson(Signal::kLogs, 5, "some \"bad\" <records>"),
            "{\"partialSuccess\":{\"rejectedLogRecords\":\"5\",\"errorMessage\":"
            "\"some \\\"bad\\\" <records>\"}}");
  EXPECT_EQ(encodeExportResponseJson(Signal::kTraces, 1, ""),
            "{\"partialSuccess\":{\"rejectedSpans\":\"1\"}}");
  EXPECT_EQ(encodeExportResponseJson(Signal::kMetrics, 2, "x"),
            "{\"partialSuccess\":{\"rejectedDataPoints\":\"2\",\"errorMessage\":\"x\"}}");
  EXPECT_EQ(encodeExportResponseJson(Signal::kLogs, 0, "warning only"),
            "{\"partialSuccess\":{\"errorMessage\":\"warning only\"}}");
}

TEST(OtlpResponse, StatusProtoBytes) {
  EXPECT_EQ(encodeStatusProto(GrpcCode::kInvalidArgument, "bad"),
            std::string("\x08\x03\x12\x03"
                        "bad",
                        7));
  EXPECT_EQ(encodeStatusProto(GrpcCode::kOk, ""), "");
  std::string long_msg(200, 'x');
  std::string bytes = encodeStatusProto(GrpcCode::kUnavailable, long_msg);
  EXPECT_EQ(bytes.substr(0, 5), std::string("\x08\x0e\x12\xc8\x01", 5));
  EXPECT_EQ(bytes.size(), 5u + 200u);
}

TEST(OtlpResponse, StatusJsonLikeGogoJsonpb) {
  EXPECT_EQ(encodeStatusJson(GrpcCode::kInvalidArgument, "proto: illegal wireType 7"),
            "{\"code\":3,\"message\":\"proto: illegal wireType 7\"}");
  EXPECT_EQ(encodeStatusJson(GrpcCode::kInternal, "a<b>&\"c\"\n"),
            "{\"code\":13,\"message\":\"a\\u003cb\\u003e\\u0026\\\"c\\\"\\n\"}");
  EXPECT_EQ(encodeStatusJson(GrpcCode::kOk, ""), "{}");
}

}  // namespace
}  // namespace otelhouse
