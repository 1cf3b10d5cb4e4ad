// parseHttpRequest: the socket-free parse the fuzzer drives must answer as a
// connection does.
#include <gtest/gtest.h>

#include "net/http_server.h"

namespace otelhouse {
namespace {

TEST(ParseHttpRequest, CompleteRequestIsFilledIn) {
  HttpRequest r;
  ASSERT_EQ(parseHttpRequest("POST /v1/logs?a=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             "Content-Length: 2\r\n\r\n{}",
                             4096, 1024, &r),
            0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v1/logs");
  EXPECT_EQ(r.query, "a=1");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, "{}");
}

TEST(ParseHttpRequest, ChunkedBodyIsJoined) {
  HttpRequest r;
  ASSERT_EQ(parseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n",
                             4096, 1024, &r),
            0);
  EXPECT_EQ(r.body, "abc");
}

TEST(ParseHttpRequest, LimitsAndErrorsGiveTheServersStatus) {
  HttpRequest r;
  EXPECT_EQ(parseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 2000\r\n\r\n", 4096, 1024, &r), 413);
  EXPECT_EQ(parseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                                 std::string(2048, 'x') + "\r\n0\r\n\r\n",
                             4096, 1024, &r),
            413);
  EXPECT_EQ(parseHttpRequest("GET / HTTP/1.1\r\nX-Big: " + std::string(5000, 'h') + "\r\n\r\n", 4096, 1024, &r),
            431);
  EXPECT_EQ(parseHttpRequest("NOT HTTP AT ALL\r\n\r\n", 4096, 1024, &r), 400);
  EXPECT_EQ(parseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 4096, 1024, &r), -1);
  EXPECT_EQ(parseHttpRequest("", 4096, 1024, &r), -1);
}

}  // namespace
}  // namespace otelhouse
