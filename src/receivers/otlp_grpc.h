// OtlpGrpcReceiver: OTLP/gRPC on :4317 (LogsService, TraceService and
// MetricsService Export), answering as the OpenTelemetry Collector's
// otlpreceiver does, in front of an Ingest.
//
// Calls are served by one gRPC callback generic service on raw bytes: the
// request message is never parsed by libprotobuf; its bytes go to
// Ingest::ingest() as protobuf. Call path, in order (each step can end the
// call):
//   1. route: the three Export methods, else UNIMPLEMENTED with grpc-go's
//      "unknown service" / "unknown method" message
//   2. auth hook (issue 9) on the "authorization" metadata -> UNAUTHENTICATED
//   3. wire size: gRPC refuses a message over max_recv_msg_bytes as sent with
//      RESOURCE_EXHAUSTED
//   4. queue: the call waits for an ingest worker; past max_pending_calls
//      -> UNAVAILABLE with RetryInfo (retryable overload)
//   5. on the worker: a call cancelled while queued is dropped unread; a
//      gzip / deflate message is inflated by codec/decompress with the same
//      limit (RESOURCE_EXHAUSTED past it, INTERNAL when corrupt, as grpc-go);
//      gRPC's own inflating is turned off, since it has no bound
//   6. Ingest::ingest() on that worker; its Status picks the answer (see
//      otlp_grpc_status.h).
// Ingest may block (WAL group commit), so it runs on the receiver's own
// worker threads, never on gRPC's threads, which must not block.
//
// stop() stops accepting, lets calls already received finish (bounded by
// shutdown_timeout, after which gRPC cancels what is still on the wire), then
// joins the workers; the caller flushes the pipeline afterwards.
//
// Thread-safety: the hook must be set before start(); start()/stop() are not
// thread-safe against each other. The Ingest must outlive the receiver.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "net/tls_settings.h"
#include "pipeline/ingest.h"
#include "receivers/retryable_refusals.h"

namespace otelhouse {

struct OtlpGrpcConfig {
  std::string host = "0.0.0.0";
  uint16_t port = 4317;  // 0: any free port, see port()
  // Per message, after decompression (the collector's max_recv_msg_size_mib).
  size_t max_recv_msg_bytes = 20 * 1024 * 1024;
  unsigned threads = 0;            // ingest workers; 0: hardware cores
  size_t max_pending_calls = 1024;  // queued or being ingested
  uint32_t max_concurrent_streams = 250;  // per connection (HTTP/2 SETTINGS)
  // Server pings a connection idle this long, and drops it when the ping is
  // not answered within keepalive_timeout.
  std::chrono::milliseconds keepalive_time{2 * 3600 * 1000};
  std::chrono::milliseconds keepalive_timeout{20000};
  // Clients may ping this often; more often earns a GOAWAY (too_many_pings).
  // Laxer than grpc-go's 5 minutes so no client of the collector breaks here.
  std::chrono::milliseconds keepalive_min_time{10000};
  bool keepalive_permit_without_stream = true;
  uint32_t retry_after_seconds = 1;  // RetryInfo on UNAVAILABLE / RESOURCE_EXHAUSTED
  std::chrono::milliseconds shutdown_timeout{10000};
  // cert_file set: TLS only, at least 1.2 (gRPC 1.51's floor; it cannot be
  // raised through its C++ API). client_ca_file set: clients must present a
  // certificate from that CA. The files are watched by gRPC's
  // FileWatcherCertificateProvider every tls_refresh_seconds: replaced
  // certificates reach new connections without a restart, and files that do
  // not load keep the previous certificate in force.
  TlsServerSettings tls;
  unsigned tls_refresh_seconds = 1;
};

// What the auth hook sees of a call. Views valid only during the hook.
struct OtlpGrpcCallInfo {
  std::string_view method;         // e.g. "/opentelemetry.proto...LogsService/Export"
  std::string_view authorization;  // "authorization" metadata, "" when absent
  std::string_view peer;           // e.g. "ipv4:127.0.0.1:53422"
};

// Returns ok to let the call in; any other Status ends it with
// UNAUTHENTICATED and the status message. Runs on a gRPC thread: must not block.
using OtlpGrpcAuthHook = std::function<Status(const OtlpGrpcCallInfo&)>;

struct OtlpGrpcStats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> accepted_records{0};
  std::atomic<uint64_t> rejected_records{0};
  std::atomic<uint64_t> refused_requests{0};  // any non-OK answer
  std::atomic<uint64_t> decompressed_too_large{0};  // RESOURCE_EXHAUSTED while inflating
};

class OtlpGrpcReceiver {
 public:
  OtlpGrpcReceiver(OtlpGrpcConfig config, Ingest& ingest);
  ~OtlpGrpcReceiver();
  OtlpGrpcReceiver(const OtlpGrpcReceiver&) = delete;
  OtlpGrpcReceiver& operator=(const OtlpGrpcReceiver&) = delete;

  void setAuthHook(OtlpGrpcAuthHook hook);

  Status start();
  void stop();
  uint16_t port() const;  // the bound port once started, else 0

  const OtlpGrpcStats& stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace otelhouse
