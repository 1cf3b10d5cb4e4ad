// otlp_response: the bytes an OTLP/HTTP receiver answers with, written by
// hand (no libprotobuf on the data path) to match the OpenTelemetry
// Collector's otlpreceiver byte for byte.
//
// - Export{Logs,Trace,Metrics}ServiceResponse. Protobuf: empty when nothing
//   was rejected, else field 1 (partial_success) holding field 1 (rejected
//   count, varint) and field 2 (error_message). JSON: pdata's encoding,
//   `{"partialSuccess":{}}` when nothing was rejected, else
//   `{"partialSuccess":{"rejectedLogRecords":"N","errorMessage":"..."}}`
//   (rejectedSpans / rejectedDataPoints for traces / metrics; int64 as a
//   string, zero values omitted).
// - google.rpc.Status for errors. Protobuf: field 1 code (varint), field 2
//   message; no details. JSON: gogo jsonpb's `{"code":3,"message":"..."}`,
//   zero values omitted, strings escaped as Go's encoding/json does (HTML
//   characters as \u003c, \u003e, \u0026).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pipeline/ingest.h"

namespace otelhouse {

// gRPC status codes used in google.rpc.Status.
enum class GrpcCode : int32_t {
  kOk = 0,
  kUnknown = 2,
  kInvalidArgument = 3,
  kNotFound = 5,
  kResourceExhausted = 8,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

std::string encodeExportResponseProto(Signal signal, uint64_t rejected,
                                      std::string_view error_message);
std::string encodeExportResponseJson(Signal signal, uint64_t rejected,
                                     std::string_view error_message);

std::string encodeStatusProto(GrpcCode code, std::string_view message);
std::string encodeStatusJson(GrpcCode code, std::string_view message);

}  // namespace otelhouse
