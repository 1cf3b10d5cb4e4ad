// Transport: one TCP connection (optionally TLS via OpenSSL) with deadlines.
//
// The socket is non-blocking; every read and write waits with poll() for at
// most the given timeout, so a silent peer costs a timeout, never a hang.
// Every failure (refused, reset, timeout, TLS handshake or verification) is
// Status::unavailable with what happened and where. Not thread-safe: one
// owner at a time (the connection pool hands connections out exclusively).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace otelhouse::clickhouse {

struct TlsOptions {
  bool enabled = false;
  std::string ca_file;        // empty: the system's CAs
  bool skip_verify = false;   // opt-in: accept any certificate
  std::string server_name;    // SNI and hostname check; defaults to the host
};

class Transport {
 public:
  static Result<std::unique_ptr<Transport>> connect(const std::string& host, uint16_t port,
                                                    const TlsOptions& tls, int64_t timeout_ms);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  Status writeAll(std::string_view data, int64_t timeout_ms);
  // Appends what is available (at least one byte) to *out.
  Status readSome(std::string* out, int64_t timeout_ms);
  const std::string& peer() const { return peer_; }

 private:
  Transport() = default;
  Status waitFor(short events, int64_t deadline_ms, const char* what);
  Status startTls(const TlsOptions& tls, const std::string& host, int64_t deadline_ms);

  int fd_ = -1;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*, kept opaque so OpenSSL stays out of this header
  void* ssl_ = nullptr;      // SSL*
  std::string peer_;
};

}  // namespace otelhouse::clickhouse
