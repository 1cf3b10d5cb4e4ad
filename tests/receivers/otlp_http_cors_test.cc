// CORS on the OTLP/HTTP receiver, as the collector's confighttp (rs/cors)
// answers browsers: preflights before routing and auth, headers on answers.
#include <gtest/gtest.h>

#include "receivers/otlp_http.h"

namespace otelhouse {
namespace {

class CountingIngest : public ImmediateIngest {
 public:
  IngestResult ingestNow(const IngestRequest&) override {
    ++calls;
    return {Status::ok(), 1, 0, {}};
  }
  int calls = 0;
};

HttpRequest request(const std::string& method, const std::string& path,
                    HttpHeaders headers) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.target = path;
  r.headers = std::move(headers);
  return r;
}

TEST(OtlpHttpCors, PreflightWithDefaultsAllowsAnyOriginAndHeaders) {
  CountingIngest ingest;
  OtlpHttpReceiver receiver(OtlpHttpConfig{}, ingest);
  receiver.setAuthHook([](const HttpRequest&) { return Status::invalid("no key"); });
  HttpResponse resp;
  receiver.handle(request("OPTIONS", "/v1/logs",
                          {{"Origin", "http://app.local:3000"},
                           {"Access-Control-Request-Method", "POST"},
                           {"Access-Control-Request-Headers", "content-type, authorization"}}),
                  resp);
  EXPECT_EQ(resp.status, 204);
  EXPECT_EQ(resp.header("Access-Control-Allow-Origin"), "http://app.local:3000");
  EXPECT_EQ(resp.header("Access-Control-Allow-Methods"), "POST");
  EXPECT_EQ(resp.header("Access-Control-Allow-Headers"), "content-type, authorization");
  EXPECT_EQ(resp.header("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(resp.header("Vary"),
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  EXPECT_EQ(resp.header("Access-Control-Max-Age"), "");
  EXPECT_EQ(ingest.calls, 0);
}

TEST(OtlpHttpCors, PostAnswersCarryTheHeadersEvenOnErrors) {
  CountingIngest ingest;
  OtlpHttpReceiver receiver(OtlpHttpConfig{}, ingest);
  HttpResponse ok;
  HttpRequest post = request("POST", "/v1/logs",
                             {{"Origin", "https://ui.example"}, {"Content-Type", "application/json"}});
  post.body = "{}";
  receiver.handle(post, ok);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("Access-Control-Allow-Origin"), "https://ui.example");
  EXPECT_EQ(ok.header("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(ok.header("Vary"), "Origin");
  EXPECT_EQ(ingest.calls, 1);

  HttpResponse bad;
  post.headers = {{"Origin", "https://ui.example"}, {"Content-Type", "text/plain"}};
  receiver.handle(post, bad);
  EXPECT_EQ(bad.status, 415);
  EXPECT_EQ(bad.header("Access-Control-Allow-Origin"), "https://ui.example");

  HttpResponse no_origin;
  post.headers = {{"Content-Type", "application/json"}};
  receiver.handle(post, no_origin);
  EXPECT_EQ(no_origin.header("Access-Control-Allow-Origin"), "");
}

TEST(OtlpHttpCors, ConfiguredOriginsAndHeaders) {
  CountingIngest ingest;
  OtlpHttpConfig config;
  config.cors_allowed_origins = {"https://*.example.com", "http://localhost:8080"};
  config.cors_allowed_headers = {"Content-Type", "X-Api-Key"};
  config.cors_max_age_seconds = 600;
  OtlpHttpReceiver receiver(config, ingest);
  auto preflight = [&](const std::string& origin, const std::string& method,
                       const std::string& headers) {
    HttpResponse r;
    receiver.handle(request("OPTIONS", "/v1/traces",
                            {{"Origin", origin},
                             {"Access-Control-Request-Method", method},
                             {"Access-Control-Request-Headers", headers}}),
                    r);
    EXPECT_EQ(r.status, 204);
    return r;
  };
  HttpResponse r = preflight("https://app.EXAMPLE.com", "post", "x-api-key,Content-Type");
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "https://app.EXAMPLE.com");
  EXPECT_EQ(r.header("Access-Control-Allow-Methods"), "POST");
  EXPECT_EQ(r.header("Access-Control-Max-Age"), "600");
  EXPECT_EQ(preflight("http://localhost:8080", "POST", "").header("Access-Control-Allow-Origin"),
            "http://localhost:8080");
  EXPECT_EQ(preflight("https://evil.com", "POST", "").header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(preflight("https://a.example.com", "DELETE", "").header("Access-Control-Allow-Origin"),
            "");
  EXPECT_EQ(preflight("https://a.example.com", "POST", "authorization")
                .header("Access-Control-Allow-Origin"),
            "");

  HttpResponse post;
  receiver.handle(request("POST", "/v1/logs", {{"Origin", "https://evil.com"}}), post);
  EXPECT_EQ(post.header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(post.header("Vary"), "Origin");
}

TEST(OtlpHttpCors, NoOriginsTurnsCorsOff) {
  CountingIngest ingest;
  OtlpHttpConfig config;
  config.cors_allowed_origins.clear();
  OtlpHttpReceiver receiver(config, ingest);
  HttpResponse r;
  receiver.handle(request("OPTIONS", "/v1/logs",
                          {{"Origin", "http://a"}, {"Access-Control-Request-Method", "POST"}}),
                  r);
  EXPECT_EQ(r.status, 405);  // no CORS: an OPTIONS is just another method
  EXPECT_EQ(r.header("Access-Control-Allow-Origin"), "");
}

}  // namespace
}  // namespace otelhouse
