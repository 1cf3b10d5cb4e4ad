#include "receivers/otlp_http.h"

#include <optional>

#include "compression/decompress.h"
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

std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string asciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// rs/cors: origins compare case-insensitively; one "*" matches any middle.
bool corsOriginAllowed(const std::vector<std::string>& allowed, std::string_view origin) {
  const std::string o = asciiLower(origin);
  for (const std::string& a : allowed) {
    if (a == "*") return true;
    const std::string pattern = asciiLower(a);
    const size_t star = pattern.find('*');
    if (star == std::string::npos) {
      if (pattern == o) return true;
      continue;
    }
    const std::string_view prefix = std::string_view(pattern).substr(0, star);
    const std::string_view suffix = std::string_view(pattern).substr(star + 1);
    if (o.size() >= prefix.size() + suffix.size() && o.starts_with(prefix) &&
        o.ends_with(suffix))
      return true;
  }
  return false;
}

// Every requested header must be allowed ("*" allows all; Origin always is).
bool corsHeadersAllowed(const std::vector<std::string>& allowed, std::string_view requested) {
  for (const std::string& a : allowed)
    if (a == "*") return true;
  while (!requested.empty()) {
    const size_t comma = requested.find(',');
    const std::string name = asciiLower(trimSpaces(requested.substr(0, comma)));
    requested = comma == std::string_view::npos ? std::string_view() : requested.substr(comma + 1);
    if (name.empty() || name == "origin") continue;
    bool ok = false;
    for (const std::string& a : allowed) ok |= asciiLower(a) == name;
    if (!ok) return false;
  }
  return true;
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
  server.max_header_bytes = config_.max_header_bytes;
  server.tls = config_.tls;
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

bool OtlpHttpReceiver::applyCors(const HttpRequest& request, HttpResponse& response) const {
  if (config_.cors_allowed_origins.empty()) return false;
  const std::string_view origin = request.header("Origin");
  const bool preflight =
      request.method == "OPTIONS" && request.hasHeader("Access-Control-Request-Method");
  if (preflight) {
    response.status = 204;
    response.setHeader("Vary",
                       "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    if (origin.empty() || !corsOriginAllowed(config_.cors_allowed_origins, origin)) return true;
    std::string method = asciiUpper(request.header("Access-Control-Request-Method"));
    if (method != "GET" && method != "POST" && method != "HEAD") return true;
    const std::string_view requested = request.header("Access-Control-Request-Headers");
    if (!corsHeadersAllowed(config_.cors_allowed_headers, requested)) return true;
    response.setHeader("Access-Control-Allow-Origin", origin);
    response.setHeader("Access-Control-Allow-Methods", method);
    if (!requested.empty()) response.setHeader("Access-Control-Allow-Headers", requested);
    response.setHeader("Access-Control-Allow-Credentials", "true");
    if (config_.cors_max_age_seconds > 0)
      response.setHeader("Access-Control-Max-Age", std::to_string(config_.cors_max_age_seconds));
    return true;
  }
  if (origin.empty()) return false;
  response.setHeader("Vary", "Origin");
  if (!corsOriginAllowed(config_.cors_allowed_origins, origin)) return false;
  response.setHeader("Access-Control-Allow-Origin", origin);
  response.setHeader("Access-Control-Allow-Credentials", "true");
  return false;
}

void OtlpHttpReceiver::handle(const HttpRequest& request, HttpResponse& response) {
  stats_.requests.fetch_add(1);
  auto refuse = [this] { stats_.refused_requests.fetch_add(1); };

  if (applyCors(request, response)) return;

  // Auth comes first after CORS, as in the collector, where it wraps the mux.
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
    // Room for the whole limit up front: decompress() then never reallocates,
    // so a body inflating to the limit costs the limit, not the old and the
    // new buffer of a doubling at once. Untouched pages cost no memory.
    inflated.reserve(config_.max_request_bytes + 1);
    Status st = decompress(encoding, request.body, config_.max_request_bytes, inflated);
    if (!st.isOk()) {
      refuse();
      if (st.code() == Code::kTooLarge) {
        stats_.decompressed_too_large.fetch_add(1);
        statusResponse(response, format, 413, GrpcCode::kResourceExhausted, st.message());
      } else {
        statusResponse(response, format, 400, GrpcCode::kInvalidArgument, st.message());
      }
      return;
    }
    payload = inflated;
  }

  // Still waits here, on the I/O thread; the asynchronous handler that
  // answers from the completion replaces this (issue 16).
  IngestResult result = ingestAndWait(ingest_, signal, *format, payload);
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
  retryable_.note(st);
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
