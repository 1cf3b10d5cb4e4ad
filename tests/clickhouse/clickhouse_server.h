// ClickHouseServer: a real clickhouse-server child process for tests (the
// Debian package's 18.16 in CI), on free ports, in its own temp directory.
//
// Use:
//   #include "clickhouse/clickhouse_server.h"      // tests/ is on the include path
//   TEST(MySink, Inserts) {
//     OTELHOUSE_START_CLICKHOUSE_OR_SKIP(server);  // std::unique_ptr<ClickHouseServer>
//     ... connect to 127.0.0.1:server->tcpPort() or server->httpPort() ...
//     auto rows = server->query("SELECT count() FROM t FORMAT TSV");
//     ASSERT_TRUE(rows.isOk()) << rows.status().toString();
//   }
// and link the target `otelhouse_test_clickhouse_server`. Starting takes
// about a second; a fixture shared by a suite (SetUpTestSuite) saves it.
//
// The generated config listens on 127.0.0.1 only, with two users: `default`
// (no password) and kAuthUser/kAuthPassword for authentication tests. Server
// time zone is UTC. query() goes over HTTP (POST, the SQL in the body) and
// returns the body, or Status::invalid with the server's exception text.
//
// stop() ends the server (SIGTERM, or SIGKILL when hard); restart() starts it
// again on the same ports and data, so tests can cut a connection mid-load.
// The destructor kills the server and deletes the directory; the child also
// gets SIGKILL if the test process dies (PR_SET_PDEATHSIG).
//
// TLS: start(..., /*tls=*/true) (or OTELHOUSE_START_CLICKHOUSE_TLS_OR_SKIP)
// also serves the native protocol over TLS on tlsPort(), with a self-signed
// certificate for 127.0.0.1/localhost made by the `openssl` CLI; caFile() is
// that certificate, to verify it with.
//
// When no server binary is installed, start() fails with a message saying so
// and the macro skips the test. Set OTELHOUSE_CLICKHOUSE_SERVER to use another
// binary. 18.16 runs as root without extra flags.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace otelhouse::testing {

class ClickHouseServer {
 public:
  static constexpr const char* kAuthUser = "otelhouse_auth";
  static constexpr const char* kAuthPassword = "s3cret pass";

  // The server binary, or "" when none is installed.
  static std::string binaryPath();
  // Starts a server and waits until /ping answers (up to 30 s). On failure,
  // *error says why (and *missing_binary tells a skip from a failure).
  static std::unique_ptr<ClickHouseServer> start(std::string* error, bool* missing_binary,
                                                 bool tls = false);

  ~ClickHouseServer();
  ClickHouseServer(const ClickHouseServer&) = delete;
  ClickHouseServer& operator=(const ClickHouseServer&) = delete;

  uint16_t tcpPort() const { return tcp_port_; }
  uint16_t httpPort() const { return http_port_; }
  uint16_t tlsPort() const { return tls_port_; }  // 0 unless started with tls
  std::string caFile() const { return dir_ + "/cert.pem"; }
  const std::string& directory() const { return dir_; }
  bool running() const { return pid_ > 0; }

  // Runs sql over HTTP and returns the response body.
  Result<std::string> query(std::string_view sql, std::string_view user = "default",
                            std::string_view password = "") const;

  Status stop(bool hard = false);
  Status restart();
  // The end of the server's log, for failure messages.
  std::string logTail(size_t bytes = 4000) const;

 private:
  ClickHouseServer() = default;
  Status launch();
  Status waitReady(int timeout_ms);

  std::string binary_;
  std::string dir_;
  uint16_t tcp_port_ = 0;
  uint16_t http_port_ = 0;
  uint16_t tls_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace otelhouse::testing

#define OTELHOUSE_START_CLICKHOUSE_WITH_OR_SKIP(var, tls)                                      \
  std::unique_ptr<::otelhouse::testing::ClickHouseServer> var;                                 \
  do {                                                                                         \
    std::string start_error_;                                                                  \
    bool missing_binary_ = false;                                                              \
    var = ::otelhouse::testing::ClickHouseServer::start(&start_error_, &missing_binary_, tls); \
    if (!var && missing_binary_) GTEST_SKIP() << start_error_;                                 \
    ASSERT_TRUE(var) << start_error_;                                                          \
  } while (0)
#define OTELHOUSE_START_CLICKHOUSE_OR_SKIP(var) OTELHOUSE_START_CLICKHOUSE_WITH_OR_SKIP(var, false)
#define OTELHOUSE_START_CLICKHOUSE_TLS_OR_SKIP(var) OTELHOUSE_START_CLICKHOUSE_WITH_OR_SKIP(var, true)
