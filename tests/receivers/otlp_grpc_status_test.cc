#include "receivers/otlp_grpc_status.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <gtest/gtest.h>

namespace otelhouse {
namespace {

const std::string kUrl = "type.googleapis.com/google.rpc.RetryInfo";

TEST(OtlpGrpcStatusTest, RetryInfoBytes) {
  EXPECT_EQ(encodeRetryInfo(7), std::string("\x0a\x02\x08\x07", 4));
  EXPECT_EQ(encodeRetryInfo(300), std::string("\x0a\x03\x08\xac\x02", 5));
  EXPECT_EQ(encodeRetryInfo(0), std::string("\x0a\x00", 2));
}

TEST(OtlpGrpcStatusTest, StatusWithRetryInfoBytesAndLibprotobufAgrees) {
  std::string got = encodeStatusWithRetryInfo(GrpcCode::kUnavailable, "down", 7);
  std::string want = std::string("\x08\x0e\x12\x04" "down" "\x1a\x30\x0a\x28", 12) + kUrl +
                     std::string("\x12\x04\x0a\x02\x08\x07", 6);
  EXPECT_EQ(got, want);

  // The Any and the Duration inside it, read back by libprotobuf.
  google::protobuf::Any any;
  ASSERT_TRUE(any.ParseFromString(got.substr(10)));
  EXPECT_EQ(any.type_url(), kUrl);
  google::protobuf::Duration delay;  // RetryInfo's only field is field 1
  ASSERT_EQ(any.value().substr(0, 2), std::string("\x0a\x02", 2));
  ASSERT_TRUE(delay.ParseFromString(any.value().substr(2)));
  EXPECT_EQ(delay.seconds(), 7);
  EXPECT_EQ(delay.nanos(), 0);
}

TEST(OtlpGrpcStatusTest, OkIsAnEmptyResponseOrPartialSuccess) {
  IngestResult ok;
  ok.accepted = 5;
  GrpcReply r = grpcReplyFor(Signal::kLogs, ok, 1);
  EXPECT_EQ(r.code, GrpcCode::kOk);
  EXPECT_EQ(r.response, "");
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(r.details, "");

  ok.rejected = 2;
  ok.rejected_message = "bad";
  r = grpcReplyFor(Signal::kTraces, ok, 1);
  EXPECT_EQ(r.code, GrpcCode::kOk);
  EXPECT_EQ(r.response, std::string("\x0a\x07\x08\x02\x12\x03" "bad", 9));
}

TEST(OtlpGrpcStatusTest, EveryFailureCode) {
  struct Case {
    Status status;
    GrpcCode code;
    bool retry_info;
  } cases[] = {
      {Status::invalid("proto: bad"), GrpcCode::kInvalidArgument, false},
      {Status::tooLarge("too big"), GrpcCode::kResourceExhausted, false},
      {Status::exhausted("queue full"), GrpcCode::kResourceExhausted, true},
      {Status::unavailable("sink down"), GrpcCode::kUnavailable, true},
      {Status::notFound("no traces pipeline"), GrpcCode::kUnimplemented, false},
      {Status::unsupported("no metrics"), GrpcCode::kUnimplemented, false},
      {Status::internal("wal failed"), GrpcCode::kInternal, false},
  };
  for (const auto& c : cases) {
    IngestResult res;
    res.status = c.status;
    GrpcReply r = grpcReplyFor(Signal::kLogs, res, 3);
    EXPECT_EQ(r.code, c.code) << c.status.toString();
    EXPECT_EQ(r.message, c.status.message());
    EXPECT_EQ(r.details, c.retry_info ? encodeStatusWithRetryInfo(c.code, c.status.message(), 3)
                                      : std::string())
        << c.status.toString();
  }
}

TEST(OtlpGrpcStatusTest, MethodRouting) {
  Signal s = Signal::kMetrics;
  std::string why;
  ASSERT_TRUE(signalForMethod(kLogsExportMethod, &s, &why));
  EXPECT_EQ(s, Signal::kLogs);
  ASSERT_TRUE(signalForMethod(kTracesExportMethod, &s, &why));
  EXPECT_EQ(s, Signal::kTraces);
  ASSERT_TRUE(signalForMethod(kMetricsExportMethod, &s, &why));
  EXPECT_EQ(s, Signal::kMetrics);

  EXPECT_FALSE(signalForMethod("/foo.Bar/Baz", &s, &why));
  EXPECT_EQ(why, "unknown service foo.Bar");
  EXPECT_FALSE(
      signalForMethod("/opentelemetry.proto.collector.logs.v1.LogsService/Query", &s, &why));
  EXPECT_EQ(why,
            "unknown method Query for service opentelemetry.proto.collector.logs.v1.LogsService");
  EXPECT_FALSE(signalForMethod("nonsense", &s, &why));
  EXPECT_EQ(why, "malformed method name: \"nonsense\"");
  EXPECT_FALSE(signalForMethod("/opentelemetry.proto.collector.logs.v1.LogsService/export", &s,
                               &why));  // names are case-sensitive
}

}  // namespace
}  // namespace otelhouse
