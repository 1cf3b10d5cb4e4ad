#include "net/http_server.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

class Session;

struct HttpServer::Impl {
  // Declared before io_context: sessions destroyed with the context's pending
  // handlers still unregister themselves here.
  HttpServerConfig config;
  HttpHandler handler;
  HttpErrorHandler error_handler;
  std::atomic<size_t> connections{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<bool> stopping{false};
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;

  void doAccept();
  void onAccept(beast::error_code ec, tcp::socket socket);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  ~Session() {
    {
      std::lock_guard<std::mutex> lock(server_->sessions_mu);
      server_->sessions.erase(this);
    }
    server_->connections.fetch_sub(1);
  }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->waitForRequest(); });
  }

  // Called on stop(): a connection waiting for its next request is closed now;
  // one in the middle of a request finishes it first.
  void closeIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.socket().close(ec);
      }
    });
  }

 private:
  void waitForRequest() {
    if (server_->stopping.load()) return closeNow();
    idle_ = true;
    if (buffer_.size() > 0) return startRead();  // the next request is already here
    stream_.expires_after(server_->config.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096),
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->onFirstBytes(ec, n);
        });
  }

  void onFirstBytes(beast::error_code ec, size_t n) {
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
    stream_.expires_at(deadline_);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               self->onHeader(ec);
                             });
  }

  void onHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return sendServerError(431, "request header too large\n", /*with_headers=*/false);
    }
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted) {
      return closeNow();
    }
    if (ec) {
      LOG_DEBUG("%s: bad request: %s", server_->config.name.c_str(), ec.message().c_str());
      return sendServerError(400, "malformed HTTP request\n", false);
    }

    const size_t max_body = server_->config.max_body_bytes;
    auto length = parser_->content_length();
    if (length && *length > max_body) {
      return sendServerError(413, "request body too large\n", true);
    }
    parser_->body_limit(static_cast<uint64_t>(max_body));

    auto& req = parser_->get();
    auto expect = req[bhttp::field::expect];
    if (iequals(std::string_view(expect.data(), expect.size()), "100-continue") && !parser_->is_done()) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      stream_.expires_at(deadline_);
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, size_t) {
                           if (wec) return self->closeNow();
                           self->readBody();
                         });
      return;
    }
    readBody();
  }

  void readBody() {
    if (parser_->is_done()) return onBody({});
    stream_.expires_at(deadline_);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->onBody(ec);
                      });
  }

  void onBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return sendServerError(413, "request body too large\n", true);
    }
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
    stream_.expires_after(server_->config.write_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg, keep_alive, drain](
                           beast::error_code ec, size_t) {
                         if (ec) return self->closeNow();
                         if (!keep_alive) return drain ? self->drainAndClose() : self->closeNow();
                         self->parser_.reset();
                         self->waitForRequest();
                       });
  }

  // Half-closes, then reads and drops what the client still sends (the body
  // we refused) until it closes, so our response is not lost to a reset.
  void drainAndClose() {
    idle_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer_.consume(buffer_.size());
    drained_ = 0;
    stream_.expires_after(kDrainTime);
    drainSome();
  }

  void drainSome() {
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->buffer_.consume(self->buffer_.size());
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->closeNow();
                              self->drainSome();
                            });
  }

  void closeNow() {
    idle_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer::Impl* server_;
  std::string remote_;
  Clock::time_point deadline_;
  size_t drained_ = 0;
  bool idle_ = true;
};

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
    beast::error_code ignored;
    socket.close(ignored);
    return doAccept();
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  connections.fetch_add(1);
  auto session = std::make_shared<Session>(std::move(socket), this);
  {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.emplace(session.get(), session);
  }
  session->run();
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
  LOG_INFO("%s: listening on %s:%u with %u threads", s.config.name.c_str(),
           s.config.host.c_str(), static_cast<unsigned>(bound_port_.load()), n);
  return Status::ok();
}

void HttpServer::stop() {
  Impl& s = *impl_;
  if (!s.acceptor || s.stopping.exchange(true)) return;
  asio::post(s.acceptor->get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor->close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
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
