// MetricsServer: GET /metrics on :8888 (the collector's own telemetry port)
// answering with MetricsRegistry::render() in the Prometheus text format
// 0.0.4. Other paths 404, other methods 405. Scrapes are rare and cheap: the
// render runs on the I/O thread that read the request.
//
// Thread-safety: as HttpServer; the registry must outlive the server.
#pragma once

#include <cstdint>
#include <memory>

#include "common/status.h"
#include "net/http_server.h"
#include "ops/metrics_registry.h"

namespace otelhouse {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class MetricsServer {
 public:
  MetricsServer(HttpServerConfig config, const MetricsRegistry& registry);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  Status start();
  void stop();
  uint16_t port() const;

  void handle(const HttpRequest& request, HttpResponse& response) const;

 private:
  HttpServerConfig config_;
  const MetricsRegistry& registry_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace otelhouse
