#include "ops/metrics_server.h"

namespace otelhouse {

MetricsServer::MetricsServer(HttpServerConfig config, const MetricsRegistry& registry)
    : config_(std::move(config)), registry_(registry) {
  if (config_.name == "http") config_.name = "metrics";
}

MetricsServer::~MetricsServer() { stop(); }

Status MetricsServer::start() {
  server_ = std::make_unique<HttpServer>(
      config_, [this](const HttpRequest& req, HttpResponse& resp) { handle(req, resp); });
  return server_->start();
}

void MetricsServer::stop() {
  if (server_) server_->stop();
}

uint16_t MetricsServer::port() const { return server_ ? server_->port() : 0; }

void MetricsServer::handle(const HttpRequest& request, HttpResponse& response) const {
  if (request.path != "/metrics") {
    response.status = 404;
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.body = "404 page not found\n";
    return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    response.status = 405;
    response.setHeader("Allow", "GET, HEAD");
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.body = "405 method not allowed\n";
    return;
  }
  response.status = 200;
  response.setHeader("Content-Type", kPrometheusContentType);
  response.body = registry_.render();
}

}  // namespace otelhouse
