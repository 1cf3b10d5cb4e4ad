#include "receivers/otlp_grpc_status.h"

#include <array>

namespace otelhouse {

namespace {

void appendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void appendBytesField(std::string& out, uint32_t field, std::string_view bytes) {
  appendVarint(out, (static_cast<uint64_t>(field) << 3) | 2);
  appendVarint(out, bytes.size());
  out.append(bytes);
}

GrpcReply errorReply(GrpcCode code, const std::string& message) {
  GrpcReply reply;
  reply.code = code;
  reply.message = message;
  return reply;
}

GrpcReply retryableReply(GrpcCode code, const std::string& message, uint32_t delay) {
  GrpcReply reply = errorReply(code, message);
  reply.details = encodeStatusWithRetryInfo(code, message, delay);
  return reply;
}

struct ExportService {
  std::string_view service;
  Signal signal;
};

constexpr std::array<ExportService, 3> kServices = {{
    {"opentelemetry.proto.collector.logs.v1.LogsService", Signal::kLogs},
    {"opentelemetry.proto.collector.trace.v1.TraceService", Signal::kTraces},
    {"opentelemetry.proto.collector.metrics.v1.MetricsService", Signal::kMetrics},
}};

}  // namespace

std::string encodeRetryInfo(uint32_t retry_delay_seconds) {
  // Duration{seconds: N}; a zero delay is an empty Duration, still present so
  // the client sees RetryInfo at all.
  std::string duration;
  if (retry_delay_seconds != 0) {
    appendVarint(duration, 1 << 3);
    appendVarint(duration, retry_delay_seconds);
  }
  std::string out;
  appendBytesField(out, 1, duration);
  return out;
}

std::string encodeStatusWithRetryInfo(GrpcCode code, std::string_view message,
                                      uint32_t retry_delay_seconds) {
  std::string any;
  appendBytesField(any, 1, kRetryInfoTypeUrl);
  appendBytesField(any, 2, encodeRetryInfo(retry_delay_seconds));
  // Fields 1 and 2 are exactly what the HTTP receiver writes; details follow.
  std::string out = encodeStatusProto(code, message);
  appendBytesField(out, 3, any);
  return out;
}

GrpcReply grpcReplyFor(Signal signal, const IngestResult& result, uint32_t retry_delay_seconds) {
  const Status& st = result.status;
  switch (st.code()) {
    case Code::kOk: {
      GrpcReply reply;
      reply.response =
          encodeExportResponseProto(signal, result.rejected, result.rejected_message);
      return reply;
    }
    case Code::kInvalidArgument:
      return errorReply(GrpcCode::kInvalidArgument, st.message());
    case Code::kTooLarge:
      return errorReply(GrpcCode::kResourceExhausted, st.message());
    case Code::kResourceExhausted:
      return retryableReply(GrpcCode::kResourceExhausted, st.message(), retry_delay_seconds);
    case Code::kUnavailable:
      return retryableReply(GrpcCode::kUnavailable, st.message(), retry_delay_seconds);
    case Code::kNotFound:
    case Code::kUnsupported:
      return errorReply(GrpcCode::kUnimplemented, st.message());
    case Code::kInternal:
      break;
  }
  return errorReply(GrpcCode::kInternal, st.message());
}

bool signalForMethod(std::string_view method, Signal* signal, std::string* unknown_message) {
  std::string_view path = method;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    *unknown_message = "malformed method name: \"" + std::string(method) + "\"";
    return false;
  }
  std::string_view service = path.substr(0, slash);
  std::string_view name = path.substr(slash + 1);
  for (const auto& known : kServices) {
    if (known.service != service) continue;
    if (name == "Export") {
      *signal = known.signal;
      return true;
    }
    *unknown_message =
        "unknown method " + std::string(name) + " for service " + std::string(service);
    return false;
  }
  *unknown_message = "unknown service " + std::string(service);
  return false;
}

}  // namespace otelhouse
