#include "ops/query_auth.h"

#include "ops/api_keys.h"

#include <gtest/gtest.h>

namespace otelhouse {
namespace {

HttpRequest queryRequest() {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = "query=SELECT+1";
  return r;
}

constexpr const char* kRefusedBody =
    "Code: 516. DB::Exception: default: Authentication failed: password is incorrect, or there "
    "is no user with such name. (AUTHENTICATION_FAILED)\n";

TEST(QueryAuthTest, OffWithoutUserOrPassword) {
  QueryAuth auth("", "");
  EXPECT_FALSE(auth.enabled());
  HttpResponse resp;
  EXPECT_EQ(auth.check(queryRequest(), {}, resp), QueryRole::kReader);
}

TEST(QueryAuthTest, AcceptsEveryClickHouseCredentialForm) {
  MetricsRegistry metrics;
  QueryAuth auth("", "pw", &metrics);  // no user: "default"
  ASSERT_TRUE(auth.enabled());
  HttpResponse resp;

  HttpRequest basic = queryRequest();
  basic.headers = {{"Authorization", "Basic ZGVmYXVsdDpwdw=="}};  // default:pw
  EXPECT_EQ(auth.check(basic, {}, resp), QueryRole::kReader);

  HttpRequest headers = queryRequest();
  headers.headers = {{"X-ClickHouse-User", "default"}, {"X-ClickHouse-Key", "pw"}};
  EXPECT_EQ(auth.check(headers, {}, resp), QueryRole::kReader);
  HttpRequest key_only = queryRequest();
  key_only.headers = {{"x-clickhouse-key", "pw"}};
  EXPECT_EQ(auth.check(key_only, {}, resp), QueryRole::kReader);

  EXPECT_EQ(auth.check(queryRequest(), {{"user", "default"}, {"password", "pw"}}, resp), QueryRole::kReader);
  EXPECT_EQ(auth.check(queryRequest(), {{"password", "pw"}}, resp), QueryRole::kReader);
  EXPECT_EQ(metrics.render().find("otelhouse_query_auth_failures_total 0\n") != std::string::npos,
            true);
}

TEST(QueryAuthTest, RefusesAsClickHouseDoes) {
  MetricsRegistry metrics;
  QueryAuth auth("reader", "s3cret", &metrics);
  HttpResponse none;
  EXPECT_EQ(auth.check(queryRequest(), {}, none), QueryRole::kRefused);
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(none.header("X-ClickHouse-Exception-Code"), "516");
  EXPECT_EQ(none.header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(none.body, kRefusedBody);

  HttpResponse wrong;
  HttpRequest basic = queryRequest();
  basic.headers = {{"Authorization", "Basic cmVhZGVyOnMzY3JldFg="}};  // reader:s3cretX
  EXPECT_EQ(auth.check(basic, {}, wrong), QueryRole::kRefused);
  EXPECT_EQ(wrong.body,
            "Code: 516. DB::Exception: reader: Authentication failed: password is incorrect, or "
            "there is no user with such name. (AUTHENTICATION_FAILED)\n");
  EXPECT_EQ(wrong.body.find("s3cret"), std::string::npos);  // the password never shows

  HttpResponse ok;
  basic.headers = {{"Authorization", "Basic cmVhZGVyOnMzY3JldA=="}};  // reader:s3cret
  EXPECT_EQ(auth.check(basic, {}, ok), QueryRole::kReader);
  HttpResponse wrong_user;
  EXPECT_EQ(auth.check(queryRequest(), {{"user", "default"}, {"password", "s3cret"}}, wrong_user), QueryRole::kRefused);
  EXPECT_NE(metrics.render().find("otelhouse_query_auth_failures_total 3\n"), std::string::npos);
}

TEST(QueryAuthTest, DecodesBase64) {
  std::string out;
  ASSERT_TRUE(decodeBase64("ZGVmYXVsdDpwdw==", &out));
  EXPECT_EQ(out, "default:pw");
  ASSERT_TRUE(decodeBase64("YQ", &out));
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(decodeBase64("a*b", &out));
}


TEST(QueryAuthTest, WriterLoginAndApiKeysMayWrite) {
  MetricsRegistry metrics;
  ApiKeyOptions keys;
  keys.keys = {"ingest-key"};
  auto api = ApiKeyAuth::create(keys, &metrics);
  ASSERT_TRUE(api.isOk());
  QueryAuth auth(QueryLogins{"", "", "sink", "w-pass", api.value().get()}, &metrics);
  HttpResponse resp;
  // The anonymous default stays a reader.
  EXPECT_EQ(auth.check(queryRequest(), {}, resp), QueryRole::kReader);
  HttpRequest writer = queryRequest();
  writer.headers = {{"X-ClickHouse-User", "sink"}, {"X-ClickHouse-Key", "w-pass"}};
  EXPECT_EQ(auth.check(writer, {}, resp), QueryRole::kWriter);
  EXPECT_EQ(auth.check(queryRequest(), {{"user", "any"}, {"password", "ingest-key"}}, resp),
            QueryRole::kWriter);
  // Wrong credentials are refused even though anonymous reads are open.
  HttpResponse refused;
  EXPECT_EQ(auth.check(queryRequest(), {{"user", "sink"}, {"password", "nope"}}, refused),
            QueryRole::kRefused);
  EXPECT_EQ(refused.header("X-ClickHouse-Exception-Code"), "516");
  // No writer password configured: the writer user name alone grants nothing.
  QueryAuth no_writer(QueryLogins{"", "", "sink", "", nullptr}, &metrics);
  EXPECT_EQ(no_writer.check(queryRequest(), {{"user", "sink"}}, resp), QueryRole::kRefused);
}

}  // namespace
}  // namespace otelhouse
