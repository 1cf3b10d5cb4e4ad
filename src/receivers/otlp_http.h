// OtlpHttpReceiver: OTLP/HTTP on :4318, answering as the OpenTelemetry
// Collector's otlpreceiver does, in front of an Ingest.
//
// Request path, in order (each step can end the request):
//   1. auth hook (issue 9: API keys / bearer tokens) -> 401
//   2. route: logs / traces / metrics paths, else 404 "404 page not found"
//   3. method: POST, else 405 (text/plain, Allow: POST)
//   4. Content-Type media type: application/x-protobuf | application/json
//      (parameters such as charset ignored), else 415 (text/plain)
//   5. size: the raw body is capped by the HTTP server (413 before it is read),
//      the decoded body by decompress() with the same limit (413)
//   6. Content-Encoding: gzip, deflate/zlib, zstd, identity; another one or a
//      corrupt body -> 400
//   7. Ingest::ingest() on this I/O thread; its Status picks the answer:
//      ok 200 (Export*ServiceResponse, partial_success when rejected > 0),
//      kInvalidArgument 400, kTooLarge 413, kNotFound/kUnsupported 404,
//      kResourceExhausted 429 + Retry-After, kUnavailable 503 + Retry-After,
//      kInternal 500 (a bug: every condition that passes is one of the two
//      before). 429 / 503 are logged rate-limited (receivers/
//      retryable_refusals.h); ops/metered_ingest counts them by reason.
// Error bodies from step 5 on are a google.rpc.Status in the request's content
// type (protobuf or JSON), as the collector writes them.
// CORS comes before everything (as the collector's rs/cors wraps its whole
// handler): a preflight (OPTIONS with Origin and Access-Control-Request-Method)
// is answered 204 at once, with the Access-Control-Allow-* headers when the
// origin, method (GET, POST, HEAD) and requested headers are allowed and
// without them otherwise; any other request from an allowed Origin gets
// Access-Control-Allow-Origin (the origin itself), Allow-Credentials and
// Vary: Origin on whatever answer it gets. Allowed origins may be "*" or
// hold one "*" wildcard ("https://*.example.com"); no origins: CORS off.
//
// Thread-safety: handle() runs concurrently on every I/O thread; the hooks
// must be set before start(). The Ingest must outlive the receiver.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "net/http_server.h"
#include "pipeline/ingest.h"
#include "receivers/retryable_refusals.h"

namespace otelhouse {

struct OtlpHttpConfig {
  std::string host = "0.0.0.0";
  uint16_t port = 4318;
  // Applied to the raw body and again to the decompressed body.
  size_t max_request_bytes = 20 * 1024 * 1024;
  unsigned threads = 0;  // 0: hardware cores
  std::string logs_path = "/v1/logs";
  std::string traces_path = "/v1/traces";
  std::string metrics_path = "/v1/metrics";
  unsigned retry_after_seconds = 1;  // on 429 / 503
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  size_t max_connections = 10000;
  size_t max_header_bytes = 64 * 1024;  // 431 beyond it
  TlsServerSettings tls;                // cert_file set: HTTPS only (see net/tls_context.h)
  // CORS; ClickStack's defaults allow any origin and any header.
  std::vector<std::string> cors_allowed_origins{"*"};
  std::vector<std::string> cors_allowed_headers{"*"};
  int cors_max_age_seconds = 0;  // Access-Control-Max-Age; 0: not sent
};

// Returns ok to let the request in; any other Status ends it with 401 and the
// status message.
using OtlpAuthHook = std::function<Status(const HttpRequest&)>;

struct OtlpHttpStats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> accepted_records{0};
  std::atomic<uint64_t> rejected_records{0};
  std::atomic<uint64_t> refused_requests{0};  // any non-200 answer
  std::atomic<uint64_t> decompressed_too_large{0};  // 413: inflated past max_request_bytes
};

class OtlpHttpReceiver {
 public:
  OtlpHttpReceiver(OtlpHttpConfig config, Ingest& ingest);
  ~OtlpHttpReceiver();

  void setAuthHook(OtlpAuthHook hook) { auth_ = std::move(hook); }

  Status start();
  void stop();
  uint16_t port() const;

  // The whole request path without a socket; what the server calls.
  void handle(const HttpRequest& request, HttpResponse& response);
  // Shapes the server-made 413 (body over the limit before it was read).
  void handleServerError(const HttpRequest& request, HttpResponse& response);

  const OtlpHttpStats& stats() const { return stats_; }
  // The connection-level refusals (limits, timeouts, TLS); null before start().
  const HttpServerStats* serverStats() const { return server_ ? &server_->stats() : nullptr; }

 private:
  // Handles CORS; true when the request was a preflight (fully answered).
  bool applyCors(const HttpRequest& request, HttpResponse& response) const;

  OtlpHttpConfig config_;
  Ingest& ingest_;
  OtlpAuthHook auth_;
  OtlpHttpStats stats_;
  RetryableRefusals retryable_{"http"};
  std::unique_ptr<HttpServer> server_;
};

}  // namespace otelhouse
