#include "receivers/otlp_grpc.h"

#include <grpc/byte_buffer.h>
#include <grpc/compression.h>
#include <grpc/slice.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "compression/decompress.h"
#include "net/tls_context.h"
#include "common/log.h"
#include "receivers/otlp_grpc_status.h"

// gRPC C++ 1.51 has no public way to see a message's bytes as they came (still
// compressed): ByteBuffer::Dump() inflates them without any bound. This is
// the friend hook ByteBuffer declares for gRPC's own tests; libgrpc++ does
// not define it, so this is its only definition in the program.
namespace grpc::internal {
class GrpcByteBufferPeer {
 public:
  explicit GrpcByteBufferPeer(ByteBuffer* buffer) : buffer_(buffer) {}
  grpc_byte_buffer* c_buffer() { return buffer_->c_buffer(); }

 private:
  ByteBuffer* buffer_;
};
}  // namespace grpc::internal

namespace otelhouse {

namespace {

// A worker's reusable buffers: the wire bytes when they came in several
// slices, and the inflated message.
struct WorkerBuffers {
  std::string wire;
  std::string inflated;

  void trim() {
    // A rare huge request must not pin its memory on the worker for good.
    constexpr size_t kKeep = 4u << 20;
    if (wire.capacity() > kKeep) std::string().swap(wire);
    if (inflated.capacity() > kKeep) std::string().swap(inflated);
  }
};

// The request message as Ingest wants it: contiguous and decompressed. Views
// point into `buffer` or `buffers`. gRPC's own inflating is off (see start()),
// so a compressed message arrives as sent and is inflated here with the
// bounded codec: a gzip bomb stops at `limit` instead of filling memory.
Status readMessage(grpc::ByteBuffer& buffer, size_t limit, WorkerBuffers& buffers,
                   std::string_view* body) {
  grpc_byte_buffer* raw = grpc::internal::GrpcByteBufferPeer(&buffer).c_buffer();
  if (raw == nullptr) {
    *body = {};
    return Status::ok();
  }
  if (raw->type != GRPC_BB_RAW) return Status::internal("unexpected gRPC byte buffer type");
  const grpc_slice_buffer& slices = raw->data.raw.slice_buffer;
  std::string_view wire;
  if (slices.count == 1) {
    wire = {reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(slices.slices[0])),
            GRPC_SLICE_LENGTH(slices.slices[0])};
  } else {
    buffers.wire.clear();
    buffers.wire.reserve(slices.length);
    for (size_t i = 0; i < slices.count; ++i)
      buffers.wire.append(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(slices.slices[i])),
                          GRPC_SLICE_LENGTH(slices.slices[i]));
    wire = buffers.wire;
  }
  const char* encoding = nullptr;
  switch (raw->data.raw.compression) {
    case GRPC_COMPRESS_NONE:
      *body = wire;
      return Status::ok();
    case GRPC_COMPRESS_GZIP:
      encoding = "gzip";
      break;
    case GRPC_COMPRESS_DEFLATE:
      encoding = "deflate";  // zlib-wrapped, as gRPC writes it
      break;
    default:
      return Status::unsupported("grpc: unsupported message compression");
  }
  // Room for the whole limit up front, so inflating never reallocates (see
  // otlp_http.cc); trim() gives it back after the call.
  buffers.inflated.reserve(limit + 1);
  Status st = decompress(encoding, wire, limit, buffers.inflated);
  if (!st.isOk()) return st;
  *body = buffers.inflated;
  return Status::ok();
}

grpc::Status toGrpcStatus(const GrpcReply& reply) {
  return grpc::Status(static_cast<grpc::StatusCode>(reply.code), reply.message, reply.details);
}

// Plain, or TLS from files gRPC re-reads when they change. The files are
// loaded once here first, so a wrong path or a key that does not match its
// certificate stops the start with a message instead of failing every
// handshake later.
Result<std::shared_ptr<grpc::ServerCredentials>> serverCredentials(const OtlpGrpcConfig& config) {
  if (!config.tls.enabled()) return grpc::InsecureServerCredentials();
  if (config.tls.min_version != "1.2")
    return Status::invalid("otlp_grpc: TLS min_version " + config.tls.min_version +
                           " is not supported (gRPC 1.51 always accepts TLS 1.2 and 1.3)");
  auto check = TlsContextSource::create(config.tls);
  if (!check.isOk()) return Status::invalid("otlp_grpc: " + check.status().message());
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      config.tls.key_file, config.tls.cert_file, config.tls.client_ca_file,
      std::max(1u, config.tls_refresh_seconds));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (config.tls.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

int clampToInt(uint64_t v) { return v > INT_MAX ? INT_MAX : static_cast<int>(v); }

std::string listenAddress(const std::string& host, uint16_t port) {
  bool ipv6 = host.find(':') != std::string::npos && host.front() != '[';
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// A call refused before its message is read (unknown method, auth).
class RefusedCall final : public grpc::ServerGenericBidiReactor {
 public:
  explicit RefusedCall(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

class OtlpGrpcReceiver::Impl final : public grpc::CallbackGenericService {
 public:
  Impl(OtlpGrpcConfig config, Ingest& ingest) : config_(std::move(config)), ingest_(ingest) {}
  ~Impl() override { stop(); }

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  Status start();
  void stop();

  OtlpGrpcConfig config_;
  Ingest& ingest_;
  OtlpGrpcAuthHook auth_;
  OtlpGrpcStats stats_;
  RetryableRefusals retryable_{"grpc"};
  int port_ = 0;

 private:
  class ExportCall;

  // Queues a call whose message has been read; false when the receiver is
  // overloaded or stopping (the call is then still the caller's to finish).
  bool submit(ExportCall* call);
  void workerLoop();
  void startWorkers();
  void stopWorkers();
  void refused() { stats_.refused_requests.fetch_add(1, std::memory_order_relaxed); }

  std::unique_ptr<grpc::Server> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ExportCall*> queue_;
  size_t pending_ = 0;  // queued + running
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// One Export call: read the single request message, queue it for a worker,
// answer. Deleted by gRPC's OnDone, which comes only after Finish, so a worker
// may use it until it calls Finish and not after.
class OtlpGrpcReceiver::Impl::ExportCall final : public grpc::ServerGenericBidiReactor {
 public:
  ExportCall(Impl& impl, Signal signal) : impl_(impl), signal_(signal) { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client half-closed (or went away) without sending a message.
      impl_.refused();
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the call carried no request message"));
      return;
    }
    // gRPC has refused messages over the limit on the wire; the inflated
    // size is checked by the worker as it inflates.
    if (!impl_.submit(this)) {
      impl_.refused();
      IngestResult busy;
      busy.status = Status::unavailable("the receiver is overloaded or stopping");
      Finish(toGrpcStatus(grpcReplyFor(signal_, busy, impl_.config_.retry_after_seconds)));
    }
  }

  void OnCancel() override { cancelled_.store(true, std::memory_order_relaxed); }
  void OnDone() override { delete this; }

  // On a worker thread, which owns `buffers` for the duration.
  void run(WorkerBuffers& buffers) {
    if (cancelled_.load(std::memory_order_relaxed)) {
      // Nobody waits for the answer; spare the pipeline the work.
      impl_.refused();
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled before it was ingested"));
      return;
    }
    const size_t limit = impl_.config_.max_recv_msg_bytes;
    std::string_view body;
    Status read = readMessage(request_, limit, buffers, &body);
    if (!read.isOk()) {
      impl_.refused();
      request_.Clear();
      buffers.trim();
      // grpc-go's answers, which the collector gives.
      if (read.code() == Code::kTooLarge) {
        impl_.stats_.decompressed_too_large.fetch_add(1, std::memory_order_relaxed);
        Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "grpc: received message after decompression larger than max of " +
                                std::to_string(limit) + " bytes"));
      } else if (read.code() == Code::kUnsupported) {
        Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, read.message()));
      } else {
        Finish(grpc::Status(grpc::StatusCode::INTERNAL,
                            "grpc: failed to decompress the received message: " + read.message()));
      }
      return;
    }

    IngestResult result;
    try {
      result = ingestAndWait(impl_.ingest_, signal_, PayloadFormat::kProtobuf, body);
    } catch (const std::exception& e) {
      result.status = Status::internal(std::string("ingest threw: ") + e.what());
    } catch (...) {
      result.status = Status::internal("ingest threw");
    }
    request_.Clear();
    buffers.trim();

    GrpcReply reply = grpcReplyFor(signal_, result, impl_.config_.retry_after_seconds);
    if (reply.code != GrpcCode::kOk) {
      impl_.refused();
      impl_.retryable_.note(result.status);
      if (reply.code == GrpcCode::kInternal)
        LOG_WARN("otlp_grpc: ingest failed: %s", reply.message.c_str());
      Finish(toGrpcStatus(reply));
      return;
    }
    impl_.stats_.accepted_records.fetch_add(result.accepted, std::memory_order_relaxed);
    impl_.stats_.rejected_records.fetch_add(result.rejected, std::memory_order_relaxed);
    grpc::Slice slice(reply.response);
    response_ = grpc::ByteBuffer(&slice, 1);
    StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
  }

 private:
  Impl& impl_;
  const Signal signal_;
  std::atomic<bool> cancelled_{false};
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

grpc::ServerGenericBidiReactor* OtlpGrpcReceiver::Impl::CreateReactor(
    grpc::GenericCallbackServerContext* ctx) {
  stats_.requests.fetch_add(1, std::memory_order_relaxed);
  Signal signal;
  std::string unknown;
  if (!signalForMethod(ctx->method(), &signal, &unknown)) {
    refused();
    return new RefusedCall(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, unknown));
  }
  if (auth_) {
    OtlpGrpcCallInfo info;
    info.method = ctx->method();
    const auto& metadata = ctx->client_metadata();
    if (auto it = metadata.find("authorization"); it != metadata.end())
      info.authorization = std::string_view(it->second.data(), it->second.size());
    std::string peer = ctx->peer();
    info.peer = peer;
    Status allowed;
    try {
      allowed = auth_(info);
    } catch (...) {
      allowed = Status::internal("authentication failed");
    }
    if (!allowed.isOk()) {
      refused();
      return new RefusedCall(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, allowed.message()));
    }
  }
  return new ExportCall(*this, signal);
}

bool OtlpGrpcReceiver::Impl::submit(ExportCall* call) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || pending_ >= config_.max_pending_calls) return false;
    ++pending_;
    queue_.push_back(call);
  }
  cv_.notify_one();
  return true;
}

void OtlpGrpcReceiver::Impl::workerLoop() {
  WorkerBuffers buffers;
  for (;;) {
    ExportCall* call;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Drain before leaving: every queued call is answered.
      if (queue_.empty()) return;
      call = queue_.front();
      queue_.pop_front();
    }
    call->run(buffers);
    std::lock_guard<std::mutex> lock(mu_);
    --pending_;
  }
}

void OtlpGrpcReceiver::Impl::startWorkers() {
  unsigned n = config_.threads ? config_.threads : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  stopping_ = false;
  for (unsigned i = 0; i < n; ++i) workers_.emplace_back([this] { workerLoop(); });
}

void OtlpGrpcReceiver::Impl::stopWorkers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

Status OtlpGrpcReceiver::Impl::start() {
  if (server_) return Status::internal("otlp_grpc: already started");
  const std::string address = listenAddress(config_.host, config_.port);
  auto credentials = serverCredentials(config_);
  if (!credentials.isOk()) return credentials.status();
  try {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, credentials.value(), &port_);
    builder.RegisterCallbackGenericService(this);
    builder.SetMaxReceiveMessageSize(clampToInt(config_.max_recv_msg_bytes));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               clampToInt(config_.max_concurrent_streams));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                               clampToInt(config_.keepalive_time.count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                               clampToInt(config_.keepalive_timeout.count()));
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                               clampToInt(config_.keepalive_min_time.count()));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                               config_.keepalive_permit_without_stream ? 1 : 0);
    // gRPC turns SO_REUSEPORT on by default, which would let a second
    // process share the port silently instead of failing to start.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    // Requests may come gzip- or deflate-compressed. gRPC would inflate them
    // whole before checking the size (a 20 MiB gzip bomb becomes 20 GiB), so
    // its inflating is off and readMessage() inflates with a bound instead.
    builder.AddChannelArgument(GRPC_COMPRESSION_CHANNEL_ENABLED_ALGORITHMS_BITSET,
                               (1 << GRPC_COMPRESS_NONE) | (1 << GRPC_COMPRESS_DEFLATE) |
                                   (1 << GRPC_COMPRESS_GZIP));
    builder.AddChannelArgument(GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION, 0);
    startWorkers();
    server_ = builder.BuildAndStart();
  } catch (const std::exception& e) {
    server_.reset();
    stopWorkers();
    return Status::internal("otlp_grpc: cannot start on " + address + ": " + e.what());
  }
  if (!server_ || port_ == 0) {
    server_.reset();
    stopWorkers();
    port_ = 0;
    return Status::unavailable("cannot listen on " + address +
                               " (address in use, or not an address of this host)");
  }
  LOG_INFO("otlp_grpc: listening on %s:%d%s", config_.host.c_str(), port_,
           config_.tls.enabled() ? (config_.tls.client_ca_file.empty() ? " (TLS)" : " (mutual TLS)")
                                 : "");
  return Status::ok();
}

void OtlpGrpcReceiver::Impl::stop() {
  if (!server_) return;
  // Stops listening at once; calls already received run to their answer
  // (the workers are still up) until the deadline, then gRPC cancels the rest
  // and waits until every reactor has finished.
  server_->Shutdown(std::chrono::system_clock::now() + config_.shutdown_timeout);
  stopWorkers();
  server_->Wait();
  server_.reset();
  port_ = 0;
}

OtlpGrpcReceiver::OtlpGrpcReceiver(OtlpGrpcConfig config, Ingest& ingest)
    : impl_(std::make_unique<Impl>(std::move(config), ingest)) {}

OtlpGrpcReceiver::~OtlpGrpcReceiver() = default;

void OtlpGrpcReceiver::setAuthHook(OtlpGrpcAuthHook hook) { impl_->auth_ = std::move(hook); }

Status OtlpGrpcReceiver::start() { return impl_->start(); }

void OtlpGrpcReceiver::stop() { impl_->stop(); }

uint16_t OtlpGrpcReceiver::port() const { return static_cast<uint16_t>(impl_->port_); }

const OtlpGrpcStats& OtlpGrpcReceiver::stats() const { return impl_->stats_; }

}  // namespace otelhouse
