#include "clickhouse/transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace otelhouse::clickhouse {
namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string sslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

SSL* asSsl(void* p) { return static_cast<SSL*>(p); }

}  // namespace

Transport::~Transport() {
  if (ssl_) {
    SSL_free(asSsl(ssl_));
  }
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
  if (fd_ >= 0) ::close(fd_);
}

Status Transport::waitFor(short events, int64_t deadline_ms, const char* what) {
  for (;;) {
    int64_t left = deadline_ms - nowMs();
    if (left <= 0) return Status::unavailable(std::string("timeout while ") + what + " " + peer_);
    pollfd p{fd_, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return Status::ok();
    if (r < 0 && errno != EINTR) {
      return Status::unavailable(std::string("poll: ") + strerror(errno) + " on " + peer_);
    }
  }
}

Result<std::unique_ptr<Transport>> Transport::connect(const std::string& host, uint16_t port,
                                                      const TlsOptions& tls, int64_t timeout_ms) {
  const int64_t deadline = nowMs() + timeout_ms;
  std::unique_ptr<Transport> t(new Transport());
  t->peer_ = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port_text = std::to_string(port);
  int gai = ::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res);
  if (gai != 0) return Status::unavailable("cannot resolve " + host + ": " + gai_strerror(gai));
  std::string last_error = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = strerror(errno);
      continue;
    }
    t->fd_ = fd;
    int r = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      Status st = t->waitFor(POLLOUT, deadline, "connecting to");
      if (!st.isOk()) {
        last_error = st.message();
        ::close(fd);
        t->fd_ = -1;
        continue;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      r = err == 0 ? 0 : -1;
      errno = err;
    }
    if (r != 0) {
      last_error = strerror(errno);
      ::close(fd);
      t->fd_ = -1;
      continue;
    }
    break;
  }
  ::freeaddrinfo(res);
  if (t->fd_ < 0) return Status::unavailable("cannot connect to " + t->peer_ + ": " + last_error);
  int one = 1;
  ::setsockopt(t->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::setsockopt(t->fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  if (tls.enabled) {
    Status st = t->startTls(tls, host, deadline);
    if (!st.isOk()) return st;
  }
  return t;
}

Status Transport::startTls(const TlsOptions& tls, const std::string& host, int64_t deadline_ms) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Status::unavailable("TLS: " + sslError());
  ssl_ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (tls.skip_verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int ok = tls.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                 : SSL_CTX_load_verify_locations(ctx, tls.ca_file.c_str(), nullptr);
    if (ok != 1) return Status::unavailable("TLS: cannot load CA file '" + tls.ca_file + "': " + sslError());
  }
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return Status::unavailable("TLS: " + sslError());
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  const std::string& name = tls.server_name.empty() ? host : tls.server_name;
  SSL_set_tlsext_host_name(ssl, name.c_str());
  if (!tls.skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    // An IP literal is checked against the certificate's IP SANs, a name against DNS SANs.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    }
  }
  for (;;) {
    int r = SSL_connect(ssl);
    if (r == 1) return Status::ok();
    int err = SSL_get_error(ssl, r);
    Status st;
    if (err == SSL_ERROR_WANT_READ) st = waitFor(POLLIN, deadline_ms, "TLS handshake with");
    else if (err == SSL_ERROR_WANT_WRITE) st = waitFor(POLLOUT, deadline_ms, "TLS handshake with");
    else {
      long verify = SSL_get_verify_result(ssl);
      std::string detail = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : sslError();
      return Status::unavailable("TLS handshake with " + peer_ + " failed: " + detail);
    }
    if (!st.isOk()) return st;
  }
}

Status Transport::writeAll(std::string_view data, int64_t timeout_ms) {
  const int64_t deadline = nowMs() + timeout_ms;
  while (!data.empty()) {
    if (ssl_) {
      int n = SSL_write(asSsl(ssl_), data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 30)));
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      int err = SSL_get_error(asSsl(ssl_), n);
      Status st;
      if (err == SSL_ERROR_WANT_WRITE) st = waitFor(POLLOUT, deadline, "writing to");
      else if (err == SSL_ERROR_WANT_READ) st = waitFor(POLLIN, deadline, "writing to");
      else return Status::unavailable("TLS write to " + peer_ + " failed: " + sslError());
      if (!st.isOk()) return st;
      continue;
    }
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Status st = waitFor(POLLOUT, deadline, "writing to");
      if (!st.isOk()) return st;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return Status::unavailable("write to " + peer_ + " failed: " + strerror(errno));
  }
  return Status::ok();
}

Status Transport::readSome(std::string* out, int64_t timeout_ms) {
  const int64_t deadline = nowMs() + timeout_ms;
  char buf[65536];
  for (;;) {
    if (ssl_) {
      int n = SSL_read(asSsl(ssl_), buf, sizeof(buf));
      if (n > 0) {
        out->append(buf, static_cast<size_t>(n));
        return Status::ok();
      }
      int err = SSL_get_error(asSsl(ssl_), n);
      Status st;
      if (err == SSL_ERROR_WANT_READ) st = waitFor(POLLIN, deadline, "reading from");
      else if (err == SSL_ERROR_WANT_WRITE) st = waitFor(POLLOUT, deadline, "reading from");
      else if (err == SSL_ERROR_ZERO_RETURN) return Status::unavailable("connection closed by " + peer_);
      else return Status::unavailable("TLS read from " + peer_ + " failed: " + sslError());
      if (!st.isOk()) return st;
      continue;
    }
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      out->append(buf, static_cast<size_t>(n));
      return Status::ok();
    }
    if (n == 0) return Status::unavailable("connection closed by " + peer_);
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      Status st = waitFor(POLLIN, deadline, "reading from");
      if (!st.isOk()) return st;
      continue;
    }
    if (errno == EINTR) continue;
    return Status::unavailable("read from " + peer_ + " failed: " + strerror(errno));
  }
}

}  // namespace otelhouse::clickhouse
