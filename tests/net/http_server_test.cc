#include "net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>

#include "net/http_test_client.h"

namespace otelhouse {
namespace {

using testing::ClientResponse;
using testing::TestClient;
using namespace std::chrono_literals;

// A timed-out connection is closed by the stream's timer before the read
// handler that counts it runs, so the client can see the close first: wait
// (briefly) for the count instead of reading it at once.
uint64_t eventually(const std::atomic<uint64_t>& counter, uint64_t want) {
  for (int i = 0; i < 200 && counter.load() < want; ++i) std::this_thread::sleep_for(10ms);
  return counter.load();
}

// Echoes the request as "METHOD path?query|body" and a header count.
void echo(const HttpRequest& req, HttpResponse& resp) {
  resp.status = 200;
  resp.setHeader("Content-Type", "text/plain");
  resp.setHeader("X-Remote", req.remote_address);
  resp.setHeader("X-Header-Test", std::string(req.header("x-test")));
  resp.body = req.method + " " + req.path + "?" + req.query + "|" + req.body;
}

HttpServerConfig smallConfig() {
  HttpServerConfig c;
  c.host = "127.0.0.1";
  c.port = 0;
  c.threads = 2;
  c.max_body_bytes = 1024;
  c.max_header_bytes = 2048;
  c.read_timeout = 400ms;
  c.idle_timeout = 400ms;
  c.shutdown_timeout = 3000ms;
  return c;
}

TEST(HttpServer, ServesRequestsOnAnEphemeralPort) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  ASSERT_NE(server.port(), 0);
  TestClient client(server.port());
  ASSERT_TRUE(client.connected());
  ClientResponse r = client.request("POST", "/a/b?x=1&y=2", {{"X-Test", "hello"}}, "payload");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /a/b?x=1&y=2|payload");
  EXPECT_EQ(r.header("x-header-test"), "hello");
  EXPECT_EQ(r.header("content-length"), "25");
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  std::set<std::string> remotes;
  for (int i = 0; i < 50; ++i) {
    ClientResponse r = client.request("GET", "/n?" + std::to_string(i));
    ASSERT_EQ(r.error, "") << i;
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GET /n?" + std::to_string(i) + "|");
    remotes.insert(r.header("x-remote"));
  }
  EXPECT_EQ(remotes.size(), 1u);
  EXPECT_EQ(server.activeConnections(), 1u);
  EXPECT_EQ(server.requestsServed(), 50u);
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  ClientResponse r = client.request("GET", "/", {}, "", /*keep_alive=*/false);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(client.closedByPeer(1000ms));
}

TEST(HttpServer, ManyConcurrentConnections) {
  auto config = smallConfig();
  config.threads = 4;
  // Clients done early sit idle while the others finish: keep them.
  config.idle_timeout = 30000ms;
  config.read_timeout = 30000ms;
  std::atomic<int> in_handler{0}, max_in_handler{0};
  HttpServer server(config, [&](const HttpRequest& req, HttpResponse& resp) {
    int now = ++in_handler;
    int prev = max_in_handler.load();
    while (now > prev && !max_in_handler.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(1ms);
    --in_handler;
    echo(req, resp);
  });
  ASSERT_TRUE(server.start().isOk());
  constexpr int kClients = 64, kRequests = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int c = 0; c < kClients; ++c) clients.push_back(std::make_unique<TestClient>(server.port()));
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(c) + "-" + std::to_string(i);
        ClientResponse r = clients[c]->request("POST", "/x", {}, body);
        if (r.status == 200 && r.body == "POST /x?|" + body) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_EQ(server.activeConnections(), static_cast<size_t>(kClients));
  EXPECT_GE(max_in_handler.load(), 2);  // handlers really ran in parallel
  clients.clear();
  for (int i = 0; i < 100 && server.activeConnections() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.activeConnections(), 0u);
}

TEST(HttpServer, BodyOverLimitGets413BeforeTheBodyIsSent) {
  std::atomic<int> calls{0};
  HttpServer server(smallConfig(), [&](const HttpRequest& req, HttpResponse& resp) {
    ++calls;
    echo(req, resp);
  });
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  // Only the header is sent: the answer must come without the 5000 bytes.
  ASSERT_TRUE(client.writeRaw("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"));
  ClientResponse r = client.readResponse();
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, "request body too large\n");
  EXPECT_FALSE(r.keep_alive);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(server.stats().body_too_large.load(), 1u);

  // At the limit exactly is fine.
  TestClient client2(server.port());
  ClientResponse ok = client2.request("POST", "/", {}, std::string(1024, 'a'));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServer, ChunkedBodyOverLimitGets413) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  std::string chunk(800, 'z');
  std::string req = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  req += "320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n";
  ASSERT_TRUE(client.writeRaw(req));
  ClientResponse r = client.readResponse();
  EXPECT_EQ(r.status, 413);

  TestClient client2(server.port());
  ASSERT_TRUE(client2.writeRaw(
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  ClientResponse ok = client2.readResponse();
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "POST /?|hello");
}

TEST(HttpServer, ErrorHandlerShapesServerMadeResponses) {
  HttpServer server(smallConfig(), echo, [](const HttpRequest& req, HttpResponse& resp) {
    resp.setHeader("Content-Type", "application/json");
    resp.body = "{\"too_large\":\"" + std::string(req.header("Content-Type")) + "\"}";
  });
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  ClientResponse r =
      client.request("POST", "/", {{"Content-Type", "application/json"}}, std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, "{\"too_large\":\"application/json\"}");
}

TEST(HttpServer, HeaderOverLimitGets431) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  ClientResponse r = client.request("GET", "/", {{"X-Big", std::string(4000, 'h')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(server.stats().header_too_large.load(), 1u);
}

TEST(HttpServer, MalformedRequestGets400AndServerKeepsServing) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  {
    TestClient client(server.port());
    ASSERT_TRUE(client.writeRaw("THIS IS NOT HTTP\r\n\r\n"));
    ClientResponse r = client.readResponse();
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(server.stats().bad_requests.load(), 1u);
  }
  TestClient client(server.port());
  EXPECT_EQ(client.request("GET", "/").status, 200);
}

TEST(HttpServer, SlowClientIsDisconnectedAfterReadTimeout) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  // Starts a request, then trickles: the whole request must fit in 400 ms.
  ASSERT_TRUE(client.writeRaw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"));
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    client.writeRaw("c");  // one byte every 50 ms keeps it "alive" byte-wise
    closed = client.closedByPeer(50ms);
  }
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_LT(took, 1200ms);
  EXPECT_GE(took, 300ms);
  EXPECT_EQ(eventually(server.stats().read_timeouts, 1), 1u);
  EXPECT_EQ(server.stats().idle_timeouts.load(), 0u);
}

TEST(HttpServer, TrickledHeaderIsCutOffAtTheReadTimeout) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  // Slowloris: header lines one by one, never the blank line that ends them.
  ASSERT_TRUE(client.writeRaw("GET / HTTP/1.1\r\n"));
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    client.writeRaw("X-A: b\r\n");
    closed = client.closedByPeer(50ms);
  }
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_LT(took, 1200ms);
  EXPECT_EQ(eventually(server.stats().read_timeouts, 1), 1u);
}

TEST(HttpServer, IdleConnectionIsClosedAfterIdleTimeout) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  EXPECT_EQ(client.request("GET", "/").status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closedByPeer(2000ms));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 300ms);
  for (int i = 0; i < 100 && server.activeConnections() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server.activeConnections(), 0u);
  EXPECT_EQ(eventually(server.stats().idle_timeouts, 1), 1u);
  EXPECT_EQ(server.stats().read_timeouts.load(), 0u);
}

TEST(HttpServer, MaxConnectionsClosesExtraConnections) {
  auto config = smallConfig();
  config.max_connections = 2;
  config.idle_timeout = 5000ms;
  HttpServer server(config, echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient a(server.port()), b(server.port());
  EXPECT_EQ(a.request("GET", "/").status, 200);
  EXPECT_EQ(b.request("GET", "/").status, 200);
  TestClient c(server.port());
  ClientResponse r = c.request("GET", "/");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error, "");
  EXPECT_EQ(eventually(server.stats().connections_refused, 1), 1u);
  // Once one goes away there is room again.
  a.socket().close();
  for (int i = 0; i < 100 && server.activeConnections() > 1; ++i) std::this_thread::sleep_for(10ms);
  TestClient d(server.port());
  EXPECT_EQ(d.request("GET", "/").status, 200);
}

TEST(HttpServer, HandlerExceptionBecomes500) {
  HttpServer server(smallConfig(), [](const HttpRequest& req, HttpResponse& resp) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    echo(req, resp);
  });
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  ClientResponse r = client.request("GET", "/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal error\n");
  EXPECT_EQ(client.request("GET", "/fine").status, 200);
}

TEST(HttpServer, ExpectContinueIsAnswered) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  ASSERT_TRUE(client.writeRaw(
      "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  ClientResponse interim = client.readResponse();
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(client.writeRaw("abc"));
  ClientResponse r = client.readResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /e?|abc");
}

TEST(HttpServer, HeadGetsHeadersWithoutBody) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  ClientResponse head = client.request("HEAD", "/h");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "9");  // the size of "HEAD /h?|"
  EXPECT_EQ(head.body, "");
  // The connection is still in step: the next answer is the next request's.
  EXPECT_EQ(client.request("GET", "/g").body, "GET /g?|");
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  HttpServer server(smallConfig(), echo);
  ASSERT_TRUE(server.start().isOk());
  TestClient client(server.port());
  ASSERT_TRUE(client.writeRaw(
      "GET /one HTTP/1.1\r\nHost: x\r\n\r\nPOST /two HTTP/1.1\r\nHost: x\r\nContent-Length: "
      "2\r\n\r\nhi"));
  EXPECT_EQ(client.readResponse().body, "GET /one?|");
  EXPECT_EQ(client.readResponse().body, "POST /two?|hi");
}

TEST(HttpServer, StopLetsInFlightRequestsFinish) {
  auto config = smallConfig();
  config.idle_timeout = 5000ms;
  std::atomic<bool> entered{false};
  HttpServer server(config, [&](const HttpRequest& req, HttpResponse& resp) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    echo(req, resp);
  });
  ASSERT_TRUE(server.start().isOk());
  uint16_t port = server.port();
  TestClient idle(port);
  ASSERT_TRUE(idle.connected());
  ClientResponse in_flight;
  std::thread t([&] {
    TestClient client(port);
    in_flight = client.request("POST", "/slow", {}, "x");
  });
  while (!entered) std::this_thread::sleep_for(1ms);
  auto start = std::chrono::steady_clock::now();
  server.stop();
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms);
  EXPECT_EQ(in_flight.status, 200);
  EXPECT_EQ(in_flight.body, "POST /slow?|x");
  EXPECT_FALSE(in_flight.keep_alive);
  EXPECT_TRUE(idle.closedByPeer(500ms));
  TestClient after(port);
  EXPECT_FALSE(after.connected() && after.request("GET", "/").status == 200);
}

TEST(HttpServer, StartFailsWhenThePortIsTaken) {
  HttpServer first(smallConfig(), echo);
  ASSERT_TRUE(first.start().isOk());
  auto config = smallConfig();
  config.port = first.port();
  HttpServer second(config, echo);
  Status st = second.start();
  EXPECT_EQ(st.code(), Code::kUnavailable);
}

TEST(HttpUtil, ParsesQueryStrings) {
  auto q = parseQueryString("a=1&b=x%20y+z&empty=&flag&c=%3D%26&bad=%zz");
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"b", "x y z"}));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(q[4], (std::pair<std::string, std::string>{"c", "=&"}));
  EXPECT_EQ(q[5], (std::pair<std::string, std::string>{"bad", "%zz"}));
  EXPECT_TRUE(parseQueryString("").empty());
  EXPECT_EQ(percentDecode("%4", false), "%4");
  EXPECT_EQ(percentDecode("a+b", false), "a+b");
}

TEST(HttpUtil, MediaType) {
  EXPECT_EQ(mediaType("Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(mediaType(" application/x-protobuf "), "application/x-protobuf");
  EXPECT_EQ(mediaType(""), "");
}

}  // namespace
}  // namespace otelhouse
