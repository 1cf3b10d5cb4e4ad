#include "receivers/otlp_http.h"

#include <optional>

#include "codec/decompress.h"
#include "common/log.h"
#include "receivers/otlp_response.h"

namespace otelhouse {

namespace {

constexpr const char* kProtobufType = "application/x-protobuf";
constexpr const char* kJsonType = "application/json";

std::optional<PayloadFormat> formatOf(const HttpRequest& request) {
  std::string type = mediaType(request.header("Content-Type"));
  if (type == kProtobufType) return PayloadFormat::kProtobuf;
  if (type == kJsonType) return PayloadFormat::kJson;
  return std::nullopt;
}

void plainText(HttpResponse& response, int status, std::string body) {
  response.status = status;
  response.setHeader("Content-Type", "text/plain");
  response.body = std::move(body);
}

// A google.rpc.Status in the request's content type. Requests of neither type
// only reach here for server-made errors; they get the text.
void statusResponse(HttpResponse& response, std::optional<PayloadFormat> format, int http_status,
                    GrpcCode code, const std::string& message) {
  response.status = http_status;
  if (!format) {
    response.setHeader("Content-Type", "text/plain");
    response.body = message;
    return;
  }
  if (*format == PayloadFormat::kProtobuf) {
    response.setHeader("Content-Type", kProtobufType);
    response.body = encodeStatusProto(code, message);
  } else {
    response.setHeader("Content-Type", kJsonType);
    response.body = encodeStatusJson(code, message);
  }
}

}  // namespace

OtlpHttpReceiver::OtlpHttpReceiver(OtlpHttpConfig config, Ingest& ingest)
    : config_(std::move(config)), ingest_(ingest) {}

OtlpHttpReceiver::~OtlpHttpReceiver() { stop(); }

Status OtlpHttpReceiver::start() {
  HttpServerConfig server;
  server.host = config_.host;
  server.port = config_.port;
  server.threads = config_.threads;
  server.max_body_bytes = config_.max_request_bytes;
  server.read_timeout = config_.read_timeout;
  server.idle_timeout = config_.idle_timeout;
  server.max_connections = config_.max_connections;
  server.name = "otlp_http";
  server_ = std::make_unique<HttpServer>(
      server, [this](const HttpRequest& req, HttpResponse& resp) { handle(req, resp); },
      [this](const HttpRequest& req, HttpResponse& resp) { handleServerError(req, resp); });
  return server_->start();
}

void OtlpHttpReceiver::stop() {
  if (server_) server_->stop();
}

uint16_t OtlpHttpReceiver::port() const { return server_ ? server_->port() : 0; }

void OtlpHttpReceiver::handleServerError(const HttpRequest& request, HttpResponse& response) {
  stats_.requests.fetch_add(1);
  stats_.refused_requests.fetch_add(1);
  if (response.status == 413) {
    statusResponse(response, formatOf(request), 413, GrpcCode::kResourceExhausted,
                   "request body exceeds the limit of " +
                       std::to_string(config_.max_request_bytes) + " bytes");
  }
}

void OtlpHttpReceiver::handle(const HttpRequest& request, HttpResponse& response) {
  stats_.requests.fetch_add(1);
  auto refuse = [this] { stats_.refused_requests.fetch_add(1); };

  // Auth comes first, as in the collector, where it wraps the whole mux.
  if (auth_) {
    Status allowed = auth_(request);
    if (!allowed.isOk()) {
      refuse();
      statusResponse(response, formatOf(request), 401, GrpcCode::kUnauthenticated,
                     allowed.message());
      return;
    }
  }

  Signal signal;
  if (request.path == config_.logs_path) {
    signal = Signal::kLogs;
  } else if (request.path == config_.traces_path) {
    signal = Signal::kTraces;
  } else if (request.path == config_.metrics_path) {
    signal = Signal::kMetrics;
  } else {
    refuse();
    // Go's http.NotFound, which the collector's mux answers with.
    response.status = 404;
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.body = "404 page not found\n";
    return;
  }

  if (request.method != "POST") {
    refuse();
    plainText(response, 405, "405 method not allowed, supported: [POST]");
    response.setHeader("Allow", "POST");
    return;
  }

  auto format = formatOf(request);
  if (!format) {
    refuse();
    plainText(response, 415,
              "415 unsupported media type, supported: [application/json, "
              "application/x-protobuf]");
    return;
  }

  std::string_view payload = request.body;
  std::string inflated;
  std::string_view encoding = request.header("Content-Encoding");
  if (!isIdentityEncoding(encoding)) {
    Status st = decompress(encoding, request.body, config_.max_request_bytes, inflated);
    if (!st.isOk()) {
      refuse();
      if (st.code() == Code::kTooLarge) {
        statusResponse(response, format, 413, GrpcCode::kResourceExhausted, st.message());
      } else {
        statusResponse(response, format, 400, GrpcCode::kInvalidArgument, st.message());
      }
      return;
    }
    payload = inflated;
  }

  IngestResult result = ingest_.ingest(signal, *format, payload);
  const Status& st = result.status;
  if (st.isOk()) {
    stats_.accepted_records.fetch_add(result.accepted);
    stats_.rejected_records.fetch_add(result.rejected);
    response.status = 200;
    if (*format == PayloadFormat::kProtobuf) {
      response.setHeader("Content-Type", kProtobufType);
      response.body = encodeExportResponseProto(signal, result.rejected, result.rejected_message);
    } else {
      response.setHeader("Content-Type", kJsonType);
      response.body = encodeExportResponseJson(signal, result.rejected, result.rejected_message);
    }
    return;
  }

  refuse();
  std::string retry_after = std::to_string(config_.retry_after_seconds);
  switch (st.code()) {
    case Code::kInvalidArgument:
      statusResponse(response, format, 400, GrpcCode::kInvalidArgument, st.message());
      break;
    case Code::kTooLarge:
      statusResponse(response, format, 413, GrpcCode::kResourceExhausted, st.message());
      break;
    case Code::kNotFound:
    case Code::kUnsupported:
      statusResponse(response, format, 404, GrpcCode::kUnimplemented, st.message());
      break;
    case Code::kResourceExhausted:
      statusResponse(response, format, 429, GrpcCode::kResourceExhausted, st.message());
      response.setHeader("Retry-After", retry_after);
      break;
    case Code::kUnavailable:
      statusResponse(response, format, 503, GrpcCode::kUnavailable, st.message());
      response.setHeader("Retry-After", retry_after);
      break;
    case Code::kInternal:
    case Code::kOk:
      LOG_WARN("otlp_http: ingest failed: %s", st.message().c_str());
      statusResponse(response, format, 500, GrpcCode::kInternal, st.message());
      break;
  }
}

}  // namespace otelhouse
