// otlp_grpc_status: what an OTLP/gRPC Export call answers for an Ingest
// outcome, as the OTLP specification and the OpenTelemetry Collector's
// otlpreceiver have it. Pure functions, no gRPC types, thread-safe.
//
// Mapping of IngestResult.status:
//   ok                  OK, Export*ServiceResponse (empty, or partial_success
//                       when records were rejected)
//   kInvalidArgument    INVALID_ARGUMENT (not retryable)
//   kTooLarge           RESOURCE_EXHAUSTED without RetryInfo (not retryable)
//   kResourceExhausted  RESOURCE_EXHAUSTED + google.rpc.RetryInfo (retryable:
//                       the OTLP spec makes RESOURCE_EXHAUSTED retryable only
//                       when the server sends RetryInfo)
//   kUnavailable        UNAVAILABLE + google.rpc.RetryInfo
//   kNotFound,
//   kUnsupported        UNIMPLEMENTED (e.g. a signal with no pipeline yet)
//   kInternal           INTERNAL
//
// details is the serialized google.rpc.Status that gRPC sends in the
// grpc-status-details-bin trailer; it is written by hand (code, message and
// one Any holding the RetryInfo) so no libprotobuf runs on the data path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/ingest.h"
#include "receivers/otlp_response.h"

namespace otelhouse {

struct GrpcReply {
  GrpcCode code = GrpcCode::kOk;
  std::string message;   // grpc-message; empty on OK
  std::string details;   // serialized google.rpc.Status; empty when none
  std::string response;  // response message bytes; only meaningful on OK
};

inline constexpr std::string_view kRetryInfoTypeUrl = "type.googleapis.com/google.rpc.RetryInfo";

// Serialized google.rpc.RetryInfo{retry_delay: Duration{seconds}}.
std::string encodeRetryInfo(uint32_t retry_delay_seconds);

// google.rpc.Status{code, message, details: [Any{RetryInfo}]}.
std::string encodeStatusWithRetryInfo(GrpcCode code, std::string_view message,
                                      uint32_t retry_delay_seconds);

GrpcReply grpcReplyFor(Signal signal, const IngestResult& result, uint32_t retry_delay_seconds);

// Full gRPC method paths (":path") of the three OTLP Export calls.
inline constexpr std::string_view kLogsExportMethod =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
inline constexpr std::string_view kTracesExportMethod =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
inline constexpr std::string_view kMetricsExportMethod =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

// The signal an Export method carries; false for any other method, with
// *unknown_message set to grpc-go's wording ("unknown service S" /
// "unknown method M for service S"), which the collector answers with.
bool signalForMethod(std::string_view method, Signal* signal, std::string* unknown_message);

}  // namespace otelhouse
