// HealthServer: the health check endpoint on :13133, answering as the
// OpenTelemetry Collector's health_check extension that ClickStack enables,
// so orchestrators probing the collector probe us the same way.
//
// GET or HEAD on "/" or "/health":
//   ready     200 {"status":"Server available","upSince":"<RFC 3339 UTC>","uptime":"<Go duration>"}
//   not ready 503 {"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""}
// Content-Type application/json. Other paths 404, other methods 405.
// The server starts not ready; `otelhouse run` starts it before anything else,
// flips it to ready once every receiver listens, and back to not ready on
// SIGTERM before the receivers stop, so load balancers drain us first.
//
// Thread-safety: setReady() from any thread; handle() on the I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "net/http_server.h"

namespace otelhouse {

class HealthServer {
 public:
  explicit HealthServer(HttpServerConfig config);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  Status start();
  void stop();
  uint16_t port() const;

  void setReady(bool ready);
  bool ready() const;

  // The whole request path without a socket; what the server calls.
  void handle(const HttpRequest& request, HttpResponse& response) const;

 private:
  HttpServerConfig config_;
  std::unique_ptr<HttpServer> server_;
  mutable std::mutex mu_;
  bool ready_ = false;
  std::chrono::system_clock::time_point up_since_;
  std::chrono::steady_clock::time_point up_since_steady_;
};

// Go's time.Duration.String(): "0s", "1.5ms", "49.0132518s", "1h2m3.5s".
std::string goDurationString(int64_t nanoseconds);
// Go's RFC 3339 with nanoseconds, trailing zeros dropped, in UTC:
// "2024-05-01T10:20:30.1234Z".
std::string rfc3339NanoUtc(std::chrono::system_clock::time_point t);

}  // namespace otelhouse
