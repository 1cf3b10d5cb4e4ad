#include "net/http_server.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/log.h"

namespace otelhouse {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Bytes read and dropped after an error response that left a body unread, so
// the client sees the response instead of a reset. Bounded in time and bytes.
constexpr size_t kMaxDrainBytes = 16 * 1024 * 1024;
constexpr std::chrono::milliseconds kDrainTime{1000};

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

bool HttpRequest::hasHeader(std::string_view name) const {
  for (const auto& kv : headers) {
    if (iequals(kv.first, name)) return true;
  }
  return false;
}

void HttpResponse::setHeader(std::string_view name, std::string_view value) {
  for (auto& [k, v] : headers) {
    if (iequals(k, name)) {
      v.assign(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

// The request a parsed message stands for. Fills everything but the body.
static void fillRequest(const bhttp::request<bhttp::string_body>& msg, HttpRequest& r) {
  r.method.assign(msg.method_string().data(), msg.method_string().size());
  r.target.assign(msg.target().data(), msg.target().size());
  auto q = r.target.find('?');
  if (q == std::string::npos) {
    r.path = r.target;
  } else {
    r.path = r.target.substr(0, q);
    r.query = r.target.substr(q + 1);
  }
  r.version = msg.version();
  r.headers.reserve(16);
  for (const auto& field : msg) {
    r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
}

// What stop() needs of a connection, whatever its stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void closeIfIdle() = 0;
};

struct HttpServer::Impl {
  // Declared before io_context: sessions destroyed with the context's pending
  // handlers still unregister themselves here.
  HttpServerConfig config;
  HttpHandler handler;
  HttpErrorHandler error_handler;
  HttpServerStats stats;
  std::unique_ptr<TlsContextSource> tls;  // null: plain HTTP
  std::atomic<size_t> connections{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mu;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;

  void doAccept();
  void onAccept(beast::error_code ec, tcp::socket socket);
};

// One connection. Stream is beast::tcp_stream (plain HTTP) or
// beast::ssl_stream<beast::tcp_stream> (TLS); timeouts and closing act on
// the TCP layer below either.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(tcp::socket&& socket, HttpServer::Impl* server,
          std::shared_ptr<asio::ssl::context> tls_context = nullptr)
      : tls_context_(std::move(tls_context)), stream_(makeStream(std::move(socket))),
        server_(server) {
    beast::error_code ec;
    auto ep = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  ~Session() override {
    {
      std::lock_guard<std::mutex> lock(server_->sessions_mu);
      server_->sessions.erase(this);
    }
    server_->connections.fetch_sub(1);
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->waitForRequest();
      }
    });
  }

  // Called on stop(): a connection waiting for its next request is closed now;
  // one in the middle of a request finishes it first.
  void closeIfIdle() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) {
        beast::error_code ec;
        self->lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
        self->lowest().socket().close(ec);
      }
    });
  }

 private:
  Stream makeStream(tcp::socket&& socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls_context_);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void handshake() {
    idle_ = false;
    lowest().expires_after(server_->config.read_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) {
                                if (ec == beast::error::timeout)
                                  self->server_->stats.read_timeouts.fetch_add(1);
                                self->server_->stats.tls_handshake_failures.fetch_add(1);
                                LOG_DEBUG("%s: TLS handshake with %s failed: %s",
                                          self->server_->config.name.c_str(),
                                          self->remote_.c_str(), ec.message().c_str());
                                return self->closeNow();
                              }
                              self->waitForRequest();
                            });
  }

  void waitForRequest() {
    if (server_->stopping.load()) return closeNow();
    idle_ = true;
    if (buffer_.size() > 0) return startRead();  // the next request is already here
    lowest().expires_after(server_->config.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = this->shared_from_this()](beast::error_code ec, size_t n) {
          self->onFirstBytes(ec, n);
        });
  }

  void onFirstBytes(beast::error_code ec, size_t n) {
    if (ec == beast::error::timeout) server_->stats.idle_timeouts.fetch_add(1);
    if (ec) return closeNow();  // idle timeout, EOF, reset or stop()
    buffer_.commit(n);
    startRead();
  }

  void startRead() {
    idle_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(server_->config.max_header_bytes, UINT32_MAX)));
    // The body limit is checked by hand once the header is complete, so a
    // 413 can still see every header (its body may depend on Content-Type).
    // (boost::none would mean "no limit" but 1.74 compares it as a zero limit.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    deadline_ = Clock::now() + server_->config.read_timeout;
    lowest().expires_at(deadline_);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               self->onHeader(ec);
                             });
  }

  void onHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      server_->stats.header_too_large.fetch_add(1);
      return sendServerError(431, "request header too large\n", /*with_headers=*/false);
    }
    if (ec == beast::error::timeout) {
      // A client trickling its header (slowloris). The stream closed the
      // socket when the deadline passed; nothing more can be written.
      server_->stats.read_timeouts.fetch_add(1);
      return closeNow();
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == asio::ssl::error::stream_truncated ||
        ec.category() == asio::error::get_ssl_category()) {
      // A TLS-level failure leaves nothing to answer on.
      return closeNow();
    }
    if (ec) {
      LOG_DEBUG("%s: bad request: %s", server_->config.name.c_str(), ec.message().c_str());
      server_->stats.bad_requests.fetch_add(1);
      return sendServerError(400, "malformed HTTP request\n", false);
    }

    const size_t max_body = server_->config.max_body_bytes;
    auto length = parser_->content_length();
    if (length && *length > max_body) {
      server_->stats.body_too_large.fetch_add(1);
      return sendServerError(413, "request body too large\n", true);
    }
    parser_->body_limit(static_cast<uint64_t>(max_body));

    auto& req = parser_->get();
    auto expect = req[bhttp::field::expect];
    if (iequals(std::string_view(expect.data(), expect.size()), "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      lowest().expires_at(deadline_);
      bhttp::async_write(stream_, *cont,
                         [self = this->shared_from_this(), cont](beast::error_code wec, size_t) {
                           if (wec) return self->closeNow();
                           self->readBody();
                         });
      return;
    }
    readBody();
  }

  void readBody() {
    if (parser_->is_done()) return onBody({});
    lowest().expires_at(deadline_);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->onBody(ec);
                      });
  }

  void onBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      server_->stats.body_too_large.fetch_add(1);
      return sendServerError(413, "request body too large\n", true);
    }
    if (ec == beast::error::timeout) server_->stats.read_timeouts.fetch_add(1);
    if (ec) return closeNow();  // timeout or the client went away mid-body

    HttpRequest request = takeRequest(/*with_body=*/true);
    HttpResponse response;
    try {
      server_->handler(request, response);
    } catch (const std::exception& e) {
      LOG_ERROR("%s: handler threw: %s", server_->config.name.c_str(), e.what());
      response = HttpResponse{};
      response.status = 500;
      response.setHeader("Content-Type", "text/plain; charset=utf-8");
      response.body = "internal error\n";
    } catch (...) {
      response = HttpResponse{};
      response.status = 500;
      response.setHeader("Content-Type", "text/plain; charset=utf-8");
      response.body = "internal error\n";
    }
    server_->requests.fetch_add(1);
    bool keep_alive = parser_->get().keep_alive() && !response.close;
    write(std::move(response), keep_alive, /*drain=*/false);
  }

  HttpRequest takeRequest(bool with_body) {
    auto& msg = parser_->get();
    HttpRequest r;
    fillRequest(msg, r);
    if (with_body) r.body = std::move(msg.body());
    r.remote_address = remote_;
    return r;
  }

  // A response the server makes itself; the connection is closed after it.
  void sendServerError(int status, std::string body, bool with_headers) {
    HttpResponse response;
    response.status = status;
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    response.body = std::move(body);
    if (with_headers && server_->error_handler) {
      HttpRequest request = takeRequest(/*with_body=*/false);
      try {
        server_->error_handler(request, response);
      } catch (...) {
        LOG_ERROR("%s: error handler threw", server_->config.name.c_str());
      }
    }
    server_->requests.fetch_add(1);
    write(std::move(response), /*keep_alive=*/false, /*drain=*/true);
  }

  void write(HttpResponse&& response, bool keep_alive, bool drain) {
    if (server_->stopping.load()) keep_alive = false;
    unsigned version = parser_ ? parser_->get().version() : 11;
    if (version != 10 && version != 11) version = 11;
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(version);
    msg->result(static_cast<unsigned>(response.status));
    for (auto& [k, v] : response.headers) msg->insert(k, v);
    msg->body() = std::move(response.body);
    msg->keep_alive(keep_alive);
    if (keep_alive && server_->config.keep_alive_header_seconds > 0 &&
        msg->find("Keep-Alive") == msg->end()) {
      msg->set("Keep-Alive",
               "timeout=" + std::to_string(server_->config.keep_alive_header_seconds));
    }
    msg->prepare_payload();
    // HEAD: the headers of the GET answer, Content-Length included, no body.
    if (parser_ && parser_->get().method() == bhttp::verb::head) msg->body().clear();
    lowest().expires_after(server_->config.write_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = this->shared_from_this(), msg, keep_alive, drain](
                           beast::error_code ec, size_t) {
                         if (ec) return self->closeNow();
                         if (!keep_alive) return drain ? self->drainAndClose() : self->closeNow();
                         self->parser_.reset();
                         self->waitForRequest();
                       });
  }

  // Half-closes, then reads and drops what the client still sends (the body
  // we refused) until it closes, so our response is not lost to a reset.
  // Under TLS the half-close is of the TCP layer: the response is already
  // written, and a TLS close_notify would need a reply we do not wait for.
  void drainAndClose() {
    idle_ = false;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer_.consume(buffer_.size());
    drained_ = 0;
    lowest().expires_after(kDrainTime);
    drainSome();
  }

  void drainSome() {
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->buffer_.consume(self->buffer_.size());
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->closeNow();
                              self->drainSome();
                            });
  }

  void closeNow() {
    idle_ = false;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }

  // Before stream_: an ssl_stream keeps a reference to its context.
  std::shared_ptr<asio::ssl::context> tls_context_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer::Impl* server_;
  std::string remote_;
  Clock::time_point deadline_;
  size_t drained_ = 0;
  bool idle_ = true;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

void HttpServer::Impl::doAccept() {
  acceptor->async_accept(asio::make_strand(ioc),
                         [this](beast::error_code ec, tcp::socket socket) {
                           onAccept(ec, std::move(socket));
                         });
}

void HttpServer::Impl::onAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || !acceptor->is_open()) return;
  if (ec) {
    // EMFILE and friends: keep accepting, the condition may pass.
    if (ec != asio::error::operation_aborted) {
      LOG_WARN("%s: accept failed: %s", config.name.c_str(), ec.message().c_str());
    }
    return doAccept();
  }
  if (connections.load() >= config.max_connections) {
    stats.connections_refused.fetch_add(1);
    beast::error_code ignored;
    socket.close(ignored);
    return doAccept();
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  connections.fetch_add(1);
  std::shared_ptr<SessionBase> base;
  if (tls) {
    auto session = std::make_shared<TlsSession>(std::move(socket), this, tls->current());
    base = session;
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      sessions.emplace(session.get(), base);
    }
    session->run();
  } else {
    auto session = std::make_shared<PlainSession>(std::move(socket), this);
    base = session;
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      sessions.emplace(session.get(), base);
    }
    session->run();
  }
  doAccept();
}

HttpServer::HttpServer(HttpServerConfig config, HttpHandler handler,
                       HttpErrorHandler error_handler)
    : impl_(std::make_shared<Impl>()) {
  impl_->config = std::move(config);
  impl_->handler = std::move(handler);
  impl_->error_handler = std::move(error_handler);
}

HttpServer::~HttpServer() { stop(); }

Status HttpServer::start() {
  Impl& s = *impl_;
  if (s.acceptor) return Status::internal("http server already started");
  if (s.config.tls.enabled()) {
    auto tls = TlsContextSource::create(s.config.tls, s.config.tls_reload_interval);
    if (!tls.isOk()) return Status::invalid(s.config.name + ": " + tls.status().message());
    s.tls = std::move(tls.value());
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(s.config.host, ec);
  if (ec) return Status::invalid("bad listen address '" + s.config.host + "': " + ec.message());
  tcp::endpoint endpoint(address, s.config.port);
  s.acceptor.emplace(asio::make_strand(s.ioc));
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string where = s.config.host + ":" + std::to_string(s.config.port);
    beast::error_code ignored;
    s.acceptor->close(ignored);
    s.acceptor.reset();
    return Status::unavailable(s.config.name + ": cannot listen on " + where + ": " +
                               ec.message());
  }
  bound_port_.store(s.acceptor->local_endpoint(ec).port());
  s.work.emplace(asio::make_work_guard(s.ioc));
  s.doAccept();
  unsigned n = s.config.threads;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    s.threads.emplace_back([impl = impl_.get()] {
      for (;;) {
        try {
          impl->ioc.run();
          return;
        } catch (const std::exception& e) {
          LOG_ERROR("%s: I/O thread caught: %s", impl->config.name.c_str(), e.what());
        }
      }
    });
  }
  LOG_INFO("%s: listening on %s:%u with %u threads%s", s.config.name.c_str(),
           s.config.host.c_str(), static_cast<unsigned>(bound_port_.load()), n,
           s.tls ? (s.config.tls.client_ca_file.empty() ? " (TLS)" : " (mutual TLS)") : "");
  return Status::ok();
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (!s.acceptor || s.stopping.exchange(true)) return;
  asio::post(s.acceptor->get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor->close(ec);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard<std::mutex> lock(s.sessions_mu);
    for (auto& [ptr, weak] : s.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->closeIfIdle();
  live.clear();
  auto deadline = Clock::now() + s.config.shutdown_timeout;
  while (s.connections.load() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s.work.reset();
  s.ioc.stop();
  for (auto& t : s.threads) {
    if (t.joinable()) t.join();
  }
  s.threads.clear();
}

size_t HttpServer::activeConnections() const { return impl_->connections.load(); }
uint64_t HttpServer::requestsServed() const { return impl_->requests.load(); }
const HttpServerStats& HttpServer::stats() const { return impl_->stats; }

int parseHttpRequest(std::string_view bytes, size_t max_header_bytes, size_t max_body_bytes,
                     HttpRequest* out) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.header_limit(static_cast<uint32_t>(std::min<size_t>(max_header_bytes, UINT32_MAX)));
  parser.body_limit(static_cast<uint64_t>(max_body_bytes));
  beast::error_code ec;
  size_t used = 0;
  // put() consumes what it can; the header first, then the body, as a
  // connection feeds its buffer.
  while (used < bytes.size() && !parser.is_done()) {
    size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec == bhttp::error::header_limit) return 431;
    if (ec == bhttp::error::body_limit) return 413;
    if (ec) return 400;
    if (n == 0) break;
    used += n;
    if (parser.is_header_done()) {
      auto length = parser.content_length();
      if (length && *length > max_body_bytes) return 413;
    }
  }
  if (!parser.is_done()) {
    // A header over the limit may end before the parser reports it.
    if (!parser.is_header_done() && bytes.size() > max_header_bytes) return 431;
    return -1;
  }
  auto& msg = parser.get();
  *out = HttpRequest{};
  fillRequest(msg, *out);
  out->body = std::move(msg.body());
  return 0;
}

std::string percentDecode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

HttpHeaders parseQueryString(std::string_view query) {
  HttpHeaders out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(percentDecode(part, true), std::string());
      } else {
        out.emplace_back(percentDecode(part.substr(0, eq), true),
                         percentDecode(part.substr(eq + 1), true));
      }
    }
    pos = amp + 1;
  }
  return out;
}

std::string mediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  std::string out(type);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace otelhouse
