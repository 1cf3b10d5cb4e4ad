#include "ops/health_server.h"

#include <ctime>

namespace otelhouse {
namespace {

// Digits of `v` / 10^prec with the fraction's trailing zeros (and a bare '.')
// dropped, as Go's fmtFrac + fmtInt print them.
std::string fractional(uint64_t v, int prec) {
  uint64_t div = 1;
  for (int i = 0; i < prec; ++i) div *= 10;
  std::string out = std::to_string(v / div);
  uint64_t frac = v % div;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, static_cast<size_t>(prec) - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace

std::string goDurationString(int64_t ns) {
  const bool negative = ns < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  std::string out;
  if (u == 0) return "0s";
  if (u < 1000000000ull) {
    if (u < 1000ull) out = std::to_string(u) + "ns";
    else if (u < 1000000ull) out = fractional(u, 3) + "\xC2\xB5s";  // µs, U+00B5 as Go
    else out = fractional(u, 6) + "ms";
  } else {
    const uint64_t hours = u / 3600000000000ull;
    const uint64_t minutes = (u / 60000000000ull) % 60;
    const uint64_t sec_ns = u % 60000000000ull;
    if (hours > 0) out = std::to_string(hours) + "h" + std::to_string(minutes) + "m";
    else if (minutes > 0) out = std::to_string(minutes) + "m";
    out += fractional(sec_ns, 9) + "s";
  }
  return negative ? "-" + out : out;
}

std::string rfc3339NanoUtc(std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ns / 1000000000);
  int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  tm parts;
  gmtime_r(&secs, &parts);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &parts);
  std::string out = buf;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 9 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + "Z";
}

HealthServer::HealthServer(HttpServerConfig config) : config_(std::move(config)) {
  if (config_.name == "http") config_.name = "health_check";
}

HealthServer::~HealthServer() { stop(); }

Status HealthServer::start() {
  server_ = std::make_unique<HttpServer>(
      config_, [this](const HttpRequest& req, HttpResponse& resp) { handle(req, resp); });
  return server_->start();
}

void HealthServer::stop() {
  if (server_) server_->stop();
}

uint16_t HealthServer::port() const { return server_ ? server_->port() : 0; }

void HealthServer::setReady(bool ready) {
  std::lock_guard lock(mu_);
  if (ready && !ready_) {
    up_since_ = std::chrono::system_clock::now();
    up_since_steady_ = std::chrono::steady_clock::now();
  }
  ready_ = ready;
}

bool HealthServer::ready() const {
  std::lock_guard lock(mu_);
  return ready_;
}

void HealthServer::handle(const HttpRequest& request, HttpResponse& response) const {
  if (request.path != "/" && request.path != "/health") {
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
  bool ready;
  std::chrono::system_clock::time_point since;
  std::chrono::steady_clock::time_point since_steady;
  {
    std::lock_guard lock(mu_);
    ready = ready_;
    since = up_since_;
    since_steady = up_since_steady_;
  }
  response.setHeader("Content-Type", "application/json");
  if (!ready) {
    response.status = 503;
    response.body =
        R"({"status":"Server not available","upSince":"0001-01-01T00:00:00Z","uptime":""})";
    return;
  }
  const auto uptime = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - since_steady);
  response.status = 200;
  response.body = R"({"status":"Server available","upSince":")" + rfc3339NanoUtc(since) +
                  R"(","uptime":")" + goDurationString(uptime.count()) + "\"}";
}

}  // namespace otelhouse
