// A blocking HTTP/1.1 client for tests, on Beast's synchronous API: one
// connection, keep-alive, raw access to the socket for slow-client tests.
#pragma once

#include <chrono>
#include <map>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace otelhouse::testing {

struct ClientResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lowercased names
  std::string body;
  bool keep_alive = false;
  std::string error;  // set when the exchange failed

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

class TestClient {
 public:
  explicit TestClient(uint16_t port) : socket_(ioc_) {
    boost::system::error_code ec;
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    connected_ = !ec;
  }

  bool connected() const { return connected_; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

  ClientResponse request(const std::string& method, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::string& body = {}, bool keep_alive = true) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.insert(k, v);
    req.body() = body;
    req.keep_alive(keep_alive);
    if (!body.empty() || method == "POST" || method == "PUT") req.prepare_payload();
    boost::system::error_code ec;
    http::write(socket_, req, ec);
    if (ec) return failed("write: " + ec.message());
    return readResponse(method == "HEAD");
  }

  // Writes raw bytes (for malformed / slow / pipelined requests).
  bool writeRaw(const std::string& bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(bytes), ec);
    return !ec;
  }

  ClientResponse readResponse(bool head = false) {
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(1024ull * 1024 * 1024);
    boost::system::error_code ec;
    http::read(socket_, buffer_, parser, ec);
    if (ec) return failed("read: " + ec.message());
    ClientResponse out;
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace(name, std::string(f.value()));
    }
    out.body = res.body();
    out.keep_alive = res.keep_alive();
    return out;
  }

  // True when the server closed the connection (EOF or reset) within `wait`.
  bool closedByPeer(std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    socket_.non_blocking(true);
    char byte;
    while (std::chrono::steady_clock::now() < deadline) {
      boost::system::error_code ec;
      size_t n = socket_.read_some(boost::asio::buffer(&byte, 1), ec);
      if (ec == boost::asio::error::would_block) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      if (ec) {
        socket_.non_blocking(false);
        return true;
      }
      (void)n;  // unexpected data; keep waiting for the close
    }
    socket_.non_blocking(false);
    return false;
  }

 private:
  static ClientResponse failed(std::string why) {
    ClientResponse r;
    r.error = std::move(why);
    return r;
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace otelhouse::testing
