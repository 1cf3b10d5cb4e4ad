#include "ops/query_auth.h"

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
  EXPECT_TRUE(auth.check(queryRequest(), {}, resp));
}

TEST(QueryAuthTest, AcceptsEveryClickHouseCredentialForm) {
  MetricsRegistry metrics;
  QueryAuth auth("", "pw", &metrics);  // no user: "default"
  ASSERT_TRUE(auth.enabled());
  HttpResponse resp;

  HttpRequest basic = queryRequest();
  basic.headers = {{"Authorization", "Basic ZGVmYXVsdDpwdw=="}};  // default:pw
  EXPECT_TRUE(auth.check(basic, {}, resp));

  HttpRequest headers = queryRequest();
  headers.headers = {{"X-ClickHouse-User", "default"}, {"X-ClickHouse-Key", "pw"}};
  EXPECT_TRUE(auth.check(headers, {}, resp));
  HttpRequest key_only = queryRequest();
  key_only.headers = {{"x-clickhouse-key", "pw"}};
  EXPECT_TRUE(auth.check(key_only, {}, resp));

  EXPECT_TRUE(auth.check(queryRequest(), {{"user", "default"}, {"password", "pw"}}, resp));
  EXPECT_TRUE(auth.check(queryRequest(), {{"password", "pw"}}, resp));
  EXPECT_EQ(metrics.render().find("otelhouse_query_auth_failures_total 0\n") != std::string::npos,
            true);
}

TEST(QueryAuthTest, RefusesAsClickHouseDoes) {
  MetricsRegistry metrics;
  QueryAuth auth("reader", "s3cret", &metrics);
  HttpResponse none;
  EXPECT_FALSE(auth.check(queryRequest(), {}, none));
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(none.header("X-ClickHouse-Exception-Code"), "516");
  EXPECT_EQ(none.header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(none.body, kRefusedBody);

  HttpResponse wrong;
  HttpRequest basic = queryRequest();
  basic.headers = {{"Authorization", "Basic cmVhZGVyOnMzY3JldFg="}};  // reader:s3cretX
  EXPECT_FALSE(auth.check(basic, {}, wrong));
  EXPECT_EQ(wrong.body,
            "Code: 516. DB::Exception: reader: Authentication failed: password is incorrect, or "
            "there is no user with such name. (AUTHENTICATION_FAILED)\n");
  EXPECT_EQ(wrong.body.find("s3cret"), std::string::npos);  // the password never shows

  HttpResponse ok;
  basic.headers = {{"Authorization", "Basic cmVhZGVyOnMzY3JldA=="}};  // reader:s3cret
  EXPECT_TRUE(auth.check(basic, {}, ok));
  HttpResponse wrong_user;
  EXPECT_FALSE(auth.check(queryRequest(), {{"user", "default"}, {"password", "s3cret"}}, wrong_user));
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

}  // namespace
}  // namespace otelhouse
