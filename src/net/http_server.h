// HttpServer: a small HTTP/1.1 server on Boost.Beast / Asio that knows no
// protocol above HTTP. Receivers and the query endpoint plug in a handler.
//
// Contract:
// - N I/O threads run one io_context; each connection is served on its own
//   strand, one request at a time (no pipelining of handlers), with keep-alive.
// - The handler runs on the I/O thread that read the request, synchronously,
//   and fills an HttpResponse. It must not block for long: every connection on
//   that thread waits while it runs. Exceptions thrown by the handler are
//   caught and turned into a 500; nothing escapes into Asio.
// - Limits: a header block over max_header_bytes gets 431; a body over
//   max_body_bytes gets 413 before the body is read (Content-Length) or as soon
//   as the limit is crossed (chunked); the connection is then closed, since the
//   rest of the body is never read. A client that does not finish a request
//   within read_timeout, or stays silent between requests for idle_timeout, is
//   disconnected. Past max_connections new connections are closed at once.
//   Each of these refusals is counted in stats().
// - TLS (config.tls.cert_file set): every connection starts with a TLS
//   handshake (bounded by read_timeout) on the context TlsContextSource hands
//   out, which follows certificate files replaced on disk; a failed handshake
//   (plain HTTP, TLS < 1.2, no or untrusted client certificate under mTLS)
//   closes the connection and is counted.
// - Server-made error responses (413, 431) go through error_handler when one is
//   set, so a protocol can shape their body; the request given to it has its
//   method, target and headers but no body.
// - stop() is graceful: it closes the listener, closes idle keep-alive
//   connections, lets requests being read or handled finish (bounded by
//   shutdown_timeout), then joins the threads. start()/stop() are not
//   thread-safe against each other; everything else is.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "net/tls_context.h"

namespace otelhouse {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // as sent, e.g. "POST"
  std::string target;  // raw request target, e.g. "/v1/logs?x=1"
  std::string path;    // target before '?', not percent-decoded
  std::string query;   // target after '?', not percent-decoded ("" when none)
  HttpHeaders headers;
  std::string body;
  std::string remote_address;
  unsigned version = 11;  // 10 or 11

  // First header with that name, compared case-insensitively; "" when absent.
  std::string_view header(std::string_view name) const;
  bool hasHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  // Ask the server to close the connection after this response.
  bool close = false;

  // Replaces a header of the same name (case-insensitive) or adds it.
  void setHeader(std::string_view name, std::string_view value);
  std::string_view header(std::string_view name) const;
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;
// For responses the server makes itself (413, 431); `response` comes pre-filled
// with the status and a plain-text body that the hook may replace.
using HttpErrorHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

struct HttpServerConfig {
  std::string host = "0.0.0.0";
  uint16_t port = 0;  // 0: an ephemeral port, see HttpServer::port()
  unsigned threads = 0;  // 0: std::thread::hardware_concurrency()
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 20 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{30000};   // first byte to last byte of a request
  std::chrono::milliseconds idle_timeout{60000};   // between requests on a connection
  std::chrono::milliseconds write_timeout{30000};
  std::chrono::milliseconds shutdown_timeout{10000};
  size_t max_connections = 10000;
  // Sent as "Keep-Alive: timeout=N" on keep-alive responses when > 0, so
  // pooling clients drop sockets before the server does.
  unsigned keep_alive_header_seconds = 0;
  std::string name = "http";  // for log lines
  TlsServerSettings tls;      // cert_file empty: plain HTTP
  std::chrono::milliseconds tls_reload_interval{1000};
};

// Connections and requests the server refused or cut off itself, by cause.
struct HttpServerStats {
  std::atomic<uint64_t> connections_refused{0};  // over max_connections
  std::atomic<uint64_t> header_too_large{0};     // 431
  std::atomic<uint64_t> body_too_large{0};       // 413 on the raw body
  std::atomic<uint64_t> bad_requests{0};         // 400, unparsable HTTP
  std::atomic<uint64_t> read_timeouts{0};        // request (or TLS handshake) not finished in time
  std::atomic<uint64_t> idle_timeouts{0};        // keep-alive connection silent too long
  std::atomic<uint64_t> tls_handshake_failures{0};
};

class HttpServer {
 public:
  HttpServer(HttpServerConfig config, HttpHandler handler, HttpErrorHandler error_handler = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Fails (kUnavailable) when the
  // address cannot be bound, (kInvalidArgument) when the TLS files do not load.
  Status start();
  // The bound port (useful with port 0); 0 before start().
  uint16_t port() const { return bound_port_.load(); }
  void stop();

  size_t activeConnections() const;
  uint64_t requestsServed() const;
  const HttpServerStats& stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
  std::atomic<uint16_t> bound_port_{0};
};

// Parses one HTTP/1.x request held in memory under the server's limits, as a
// connection would (the socket-free seam the fuzzer drives). Returns 0 with
// *out filled for a complete request, the status the server itself would
// answer (400 malformed, 413 body, 431 header) without calling a handler, or
// -1 when the bytes end before the request does.
int parseHttpRequest(std::string_view bytes, size_t max_header_bytes, size_t max_body_bytes,
                     HttpRequest* out);

// Splits "a=1&b=x%20y" into decoded pairs ('+' is a space, as browsers and
// URLSearchParams send it). Invalid escapes are kept literally.
HttpHeaders parseQueryString(std::string_view query);
std::string percentDecode(std::string_view text, bool plus_is_space);
// Lowercased media type of a Content-Type value without parameters,
// e.g. "Application/JSON; charset=utf-8" -> "application/json".
std::string mediaType(std::string_view content_type);

}  // namespace otelhouse
