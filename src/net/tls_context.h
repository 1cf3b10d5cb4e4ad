// TlsContextSource: the server-side TLS settings of one listener (an OpenSSL
// context for Asio), reloaded from disk when the certificate files change.
//
// Contract:
// - create() loads the certificate chain, the private key and (optionally)
//   the client CA bundle; any failure is a startup error naming the file.
// - current() returns the context new connections use. At most once per
//   reload_interval it compares the files' modification times and sizes
//   with those last loaded; when they changed it builds a new context. A new
//   context that fails to load (half-written file, key not matching the
//   certificate) is logged as an error and the previous one stays in force;
//   it is retried once the files change again.
// - A connection holds the shared_ptr it got for its whole life, so a reload
//   never pulls a context from under a live TLS session.
// - TLS 1.2 is the lowest version ever accepted (min_version may raise it to
//   1.3). With client_ca_file set, clients must present a certificate that
//   chains to it (mutual TLS), else the handshake fails.
//
// Thread-safety: current() may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "common/status.h"
#include "net/tls_settings.h"

namespace otelhouse {

class TlsContextSource {
 public:
  static Result<std::unique_ptr<TlsContextSource>> create(
      TlsServerSettings settings, std::chrono::milliseconds reload_interval = std::chrono::seconds(1));

  std::shared_ptr<boost::asio::ssl::context> current();

  uint64_t reloads() const;         // successful reloads since create()
  uint64_t reloadFailures() const;  // reloads that kept the previous context

 private:
  struct FileStamp {
    int64_t mtime_ns = 0;
    int64_t size = -1;
    bool operator==(const FileStamp&) const = default;
  };

  TlsContextSource(TlsServerSettings settings, std::chrono::milliseconds interval)
      : settings_(std::move(settings)), interval_(interval) {}
  std::vector<FileStamp> stamps() const;
  Result<std::shared_ptr<boost::asio::ssl::context>> build() const;

  const TlsServerSettings settings_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::vector<FileStamp> loaded_stamps_;  // of the files behind context_ (or of the last failure)
  std::chrono::steady_clock::time_point next_check_;
  uint64_t reloads_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace otelhouse
