// QueryAuth: the logins of the :8123 SQL endpoint and the role each gets.
//   reader: query.user / query.password. When neither is set, a caller that
//           sends no credentials (or user "default" with no password) is a
//           reader: the anonymous default of a local gateway.
//   writer: query.writer_user / query.writer_password, or any user with an
//           ingestion API key as its password. Only a writer may INSERT.
// Credentials are read the ways ClickHouse's HTTP interface accepts
// credentials, first found wins: HTTP basic auth (Authorization: Basic),
// the X-ClickHouse-User / X-ClickHouse-Key headers, the user / password URL
// parameters. A missing user is "default", a missing password empty, as in
// ClickHouse. A configured password with no user logs in as "default".
// Credentials that match no login are refused, even when the reader login is
// open (a client that meant to write must learn that its login is wrong).
//
// Refused: ClickHouse's "Code: 516. DB::Exception: <user>: Authentication
// failed: password is incorrect, or there is no user with such name.
// (AUTHENTICATION_FAILED)" with its HTTP status (403) and
// X-ClickHouse-Exception-Code. User and password are compared in constant
// time and never logged; refusals count in otelhouse_query_auth_failures_total.
//
// Thread-safety: immutable after construction; check() from any thread.
#pragma once

#include <string>

#include "net/http_server.h"
#include "ops/metrics_registry.h"
#include "query/query_http.h"

namespace otelhouse {

class ApiKeyAuth;

struct QueryLogins {
  std::string user;
  std::string password;
  std::string writer_user;
  std::string writer_password;
  ApiKeyAuth* api_keys = nullptr;  // outlives QueryAuth; null or disabled: no key logins
};

class QueryAuth {
 public:
  QueryAuth(QueryLogins logins, MetricsRegistry* metrics = nullptr);
  QueryAuth(std::string user, std::string password, MetricsRegistry* metrics = nullptr);

  // True when the reader login asks for a password.
  bool enabled() const { return enabled_; }
  // Reader or writer; kRefused (response filled) for credentials of no login.
  QueryRole check(const HttpRequest& request, const HttpHeaders& params,
                  HttpResponse& response) const;
  QueryAuthHook hook() const;

 private:
  QueryLogins logins_;
  bool enabled_ = false;
  bool writer_ = false;
  Counter* failures_ = nullptr;
};

// RFC 4648 base64 (padding optional); false on a character outside the alphabet.
bool decodeBase64(std::string_view in, std::string* out);

}  // namespace otelhouse
