#include "loadgen/load_generator.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "compression/decompress.h"

namespace otelhouse::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Shared {
  tcp::endpoint endpoint;
  Clock::time_point start;
  Clock::time_point deadline;
  std::atomic<uint64_t> next_seq{0};
  std::atomic<uint64_t> requests{0};
};

struct WorkerResult {
  LoadReport counts;
  std::vector<uint32_t> latencies_us;
};

class Worker {
 public:
  Worker(const LoadOptions& o, size_t index, Shared& shared)
      : o_(o), index_(index), shared_(shared), socket_(ioc_) {}

  Status prepare() {
    for (size_t k = 0; k < std::max<size_t>(o_.pool, 1); ++k) {
      Payload p = buildPayload(o_.payload, index_ * 1000003 + k);
      if (o_.payload.attributes > 0 && p.id_offsets.size() != o_.payload.records)
        return Status::internal("payload ids could not be located; try another --seed");
      if (!o_.unique_ids && !o_.encoding.empty()) {
        std::string z;
        if (Status st = compress(o_.encoding, p.body, z, 1); !st.isOk()) return st;
        p.body = std::move(z);
      }
      pool_.push_back(std::move(p));
    }
    return Status::ok();
  }

  void run(WorkerResult& out) {
    static const char* const kPaths[] = {"/v1/logs", "/v1/traces", "/v1/metrics"};
    const std::string target = kPaths[static_cast<int>(o_.payload.signal)];
    const char* content_type = o_.payload.format == LoadFormat::kJson ? "application/json"
                                                                       : "application/x-protobuf";
    const uint64_t items = o_.payload.records;
    // At a target rate, connection i sends at start + (i / N + k) * interval.
    std::chrono::nanoseconds interval{0};
    if (o_.rate > 0)
      interval = std::chrono::nanoseconds(static_cast<int64_t>(
          1e9 * static_cast<double>(items * o_.connections) / o_.rate));
    Clock::time_point next = shared_.start + interval * index_ / std::max<size_t>(o_.connections, 1);
    LoadReport& c = out.counts;
    std::string compressed;
    beast::flat_buffer buffer;

    for (uint64_t k = 0;; ++k) {
      if (o_.rate > 0) {
        std::this_thread::sleep_until(next);
        next += interval;
      }
      if (Clock::now() >= shared_.deadline) break;
      if (o_.max_requests && shared_.requests.fetch_add(1) >= o_.max_requests) break;

      Payload& p = pool_[k % pool_.size()];
      std::string* body = &p.body;
      if (o_.unique_ids) {
        stampIds(p, shared_.next_seq.fetch_add(items));
        if (!o_.encoding.empty()) {
          if (Status st = compress(o_.encoding, p.body, compressed, 1); !st.isOk()) {
            fail(c, items, st.message());
            continue;
          }
          body = &compressed;
        }
      }
      if (!socket_.is_open() && !connect(c, items)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }

      http::request<http::span_body<char>> req{http::verb::post, target, 11};
      req.set(http::field::host, o_.host);
      req.set(http::field::content_type, content_type);
      if (!o_.encoding.empty()) req.set(http::field::content_encoding, o_.encoding);
      req.body() = beast::span<char>(body->data(), body->size());
      req.keep_alive(true);
      req.prepare_payload();

      ++c.sent_requests;
      c.sent_items += items;
      c.sent_bytes += body->size();
      const Clock::time_point t0 = Clock::now();
      beast::error_code ec;
      http::write(socket_, req, ec);
      http::response<http::string_body> res;
      if (!ec) http::read(socket_, buffer, res, ec);
      const Clock::time_point t1 = Clock::now();
      if (ec) {
        fail(c, items, "connection: " + ec.message());
        closeSocket();
        continue;
      }
      const unsigned status = res.result_int();
      if (status == 200) {
        ++c.acked_requests;
        c.acked_items += items;
        out.latencies_us.push_back(static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
      } else if (status == 429 || status == 503) {
        ++c.refused_requests;
        c.refused_items += items;
      } else {
        fail(c, items, "HTTP " + std::to_string(status) + ": " + res.body().substr(0, 200));
      }
      if (!res.keep_alive()) closeSocket();
    }
    closeSocket();
  }

 private:
  bool connect(LoadReport& c, uint64_t items) {
    beast::error_code ec;
    socket_.connect(shared_.endpoint, ec);
    if (ec) {
      // Counted as a failed request: one was due and could not be sent.
      ++c.sent_requests;
      c.sent_items += items;
      fail(c, items, "connect: " + ec.message());
      closeSocket();
      return false;
    }
    socket_.set_option(tcp::no_delay(true), ec);
    return true;
  }
  void closeSocket() {
    beast::error_code ec;
    if (socket_.is_open()) socket_.close(ec);
  }
  void fail(LoadReport& c, uint64_t items, const std::string& why) {
    ++c.failed_requests;
    c.failed_items += items;
    if (c.first_error.empty()) c.first_error = why;
  }

  const LoadOptions& o_;
  size_t index_;
  Shared& shared_;
  asio::io_context ioc_;
  tcp::socket socket_;
  std::vector<Payload> pool_;
};

double cpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double percentileMs(std::vector<uint32_t>& v, double q) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i] / 1000.0;
}

}  // namespace

Result<LoadReport> runLoad(const LoadOptions& o) {
  if (o.connections == 0) return Status::invalid("connections must be at least 1");
  if (o.payload.records == 0) return Status::invalid("records per request must be at least 1");
  if (!o.encoding.empty() && o.encoding != "gzip" && o.encoding != "zstd")
    return Status::invalid("encoding must be none, gzip or zstd");
  Shared shared;
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(o.host, std::to_string(o.port));
    if (results.empty()) return Status::invalid("cannot resolve " + o.host);
    shared.endpoint = *results.begin();
  } catch (const std::exception& e) {
    return Status::invalid("cannot resolve " + o.host + ": " + e.what());
  }

  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < o.connections; ++i) {
    workers.push_back(std::make_unique<Worker>(o, i, shared));
    if (Status st = workers.back()->prepare(); !st.isOk()) return st;
  }
  LoadReport report;
  report.run_id = o.payload.run_id;
  report.request_bytes = buildPayload(o.payload, 0).body.size();

  std::vector<WorkerResult> results(o.connections);
  const double cpu0 = cpuSeconds();
  shared.start = Clock::now();
  shared.deadline = o.duration_seconds > 0
                        ? shared.start + std::chrono::nanoseconds(
                                             static_cast<int64_t>(o.duration_seconds * 1e9))
                        : Clock::time_point::max();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < o.connections; ++i)
    threads.emplace_back([&, i] { workers[i]->run(results[i]); });
  for (auto& t : threads) t.join();
  report.elapsed_seconds = std::chrono::duration<double>(Clock::now() - shared.start).count();
  report.client_cpu_seconds = cpuSeconds() - cpu0;

  std::vector<uint32_t> lat;
  for (auto& r : results) {
    const LoadReport& c = r.counts;
    report.sent_requests += c.sent_requests;
    report.sent_items += c.sent_items;
    report.sent_bytes += c.sent_bytes;
    report.acked_requests += c.acked_requests;
    report.acked_items += c.acked_items;
    report.refused_requests += c.refused_requests;
    report.refused_items += c.refused_items;
    report.failed_requests += c.failed_requests;
    report.failed_items += c.failed_items;
    if (report.first_error.empty()) report.first_error = c.first_error;
    lat.insert(lat.end(), r.latencies_us.begin(), r.latencies_us.end());
  }
  report.first_seq = 0;
  report.last_seq = shared.next_seq.load();
  report.latency_p50_ms = percentileMs(lat, 0.50);
  report.latency_p90_ms = percentileMs(lat, 0.90);
  report.latency_p99_ms = percentileMs(lat, 0.99);
  report.latency_max_ms = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()) / 1000.0;
  return report;
}

std::string reportKeyValues(const LoadReport& r) {
  char buf[1024];
  snprintf(buf, sizeof buf,
           "run_id=%s sent_requests=%llu sent_items=%llu sent_bytes=%llu acked_requests=%llu "
           "acked_items=%llu refused_requests=%llu refused_items=%llu failed_requests=%llu "
           "failed_items=%llu elapsed_s=%.3f items_per_s=%.0f mb_per_s=%.2f client_cpu_s=%.3f "
           "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f request_bytes=%zu",
           r.run_id.c_str(), (unsigned long long)r.sent_requests, (unsigned long long)r.sent_items,
           (unsigned long long)r.sent_bytes, (unsigned long long)r.acked_requests,
           (unsigned long long)r.acked_items, (unsigned long long)r.refused_requests,
           (unsigned long long)r.refused_items, (unsigned long long)r.failed_requests,
           (unsigned long long)r.failed_items, r.elapsed_seconds,
           r.elapsed_seconds > 0 ? static_cast<double>(r.acked_items) / r.elapsed_seconds : 0.0,
           r.elapsed_seconds > 0 ? static_cast<double>(r.sent_bytes) / r.elapsed_seconds / 1e6
                                 : 0.0,
           r.client_cpu_seconds, r.latency_p50_ms, r.latency_p90_ms, r.latency_p99_ms,
           r.latency_max_ms, r.request_bytes);
  return buf;
}

std::string reportText(const LoadReport& r) {
  char buf[2048];
  const double secs = r.elapsed_seconds > 0 ? r.elapsed_seconds : 1;
  snprintf(buf, sizeof buf,
           "run id      %s (items carry loadgen.id = %s-<12 hex digits>, sequence 0..%llu)\n"
           "requests    sent %llu  acked %llu  refused %llu  failed %llu\n"
           "items       sent %llu  acked %llu  refused %llu  failed %llu\n"
           "throughput  %.0f items/s acked, %.0f requests/s, %.1f MB/s on the wire "
           "(%zu bytes per uncompressed request)\n"
           "latency     p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms (acked requests)\n"
           "client      %.2f s elapsed, %.2f CPU s\n",
           r.run_id.c_str(), r.run_id.c_str(), (unsigned long long)r.last_seq,
           (unsigned long long)r.sent_requests, (unsigned long long)r.acked_requests,
           (unsigned long long)r.refused_requests, (unsigned long long)r.failed_requests,
           (unsigned long long)r.sent_items, (unsigned long long)r.acked_items,
           (unsigned long long)r.refused_items, (unsigned long long)r.failed_items,
           static_cast<double>(r.acked_items) / secs, static_cast<double>(r.sent_requests) / secs,
           static_cast<double>(r.sent_bytes) / secs / 1e6, r.request_bytes, r.latency_p50_ms,
           r.latency_p90_ms, r.latency_p99_ms, r.latency_max_ms, r.elapsed_seconds,
           r.client_cpu_seconds);
  std::string out = buf;
  if (!r.first_error.empty()) out += "first error " + r.first_error + "\n";
  return out;
}

}  // namespace otelhouse::loadgen
