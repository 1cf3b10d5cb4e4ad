#include "clickhouse/clickhouse_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/quoting.h"

namespace otelhouse::testing {
namespace {

bool isExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// A port nobody listens on now: bind port 0 and read what the kernel chose.
// Another process could take it before the server binds; on a test machine
// that is rare enough, and start() reports the server's log if it happens.
uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}


// One HTTP/1.0 exchange (the server then closes, so the body is all that
// follows the headers and needs no chunked decoding).
Status httpExchange(uint16_t port, const std::string& request, int timeout_ms, int* status,
                    std::string* body) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::unavailable(std::string("socket: ") + strerror(errno));
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string e = strerror(errno);
    ::close(fd);
    return Status::unavailable("connect: " + e);
  }
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return Status::unavailable("send failed");
    }
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return Status::unavailable(std::string("recv: ") + strerror(errno));
    }
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t header_end = response.find("\r\n\r\n");
  if (header_end == std::string::npos || response.compare(0, 5, "HTTP/") != 0) {
    return Status::unavailable("malformed HTTP response");
  }
  size_t sp = response.find(' ');
  *status = std::atoi(response.c_str() + sp + 1);
  *body = response.substr(header_end + 4);
  return Status::ok();
}

std::string configXml(const std::string& dir, uint16_t tcp, uint16_t http, uint16_t tls) {
  std::ostringstream x;
  x << "<?xml version=\"1.0\"?>\n<yandex>\n"
    << "  <logger><level>information</level><log>" << dir << "/log/server.log</log>"
    << "<errorlog>" << dir << "/log/error.log</errorlog><console>0</console></logger>\n"
    << "  <listen_host>127.0.0.1</listen_host>\n"
    << "  <tcp_port>" << tcp << "</tcp_port>\n"
    << "  <http_port>" << http << "</http_port>\n";
  if (tls != 0) {
    x << "  <tcp_port_secure>" << tls << "</tcp_port_secure>\n"
      << "  <openSSL><server><certificateFile>" << dir << "/cert.pem</certificateFile>"
      << "<privateKeyFile>" << dir << "/key.pem</privateKeyFile>"
      << "<verificationMode>none</verificationMode><loadDefaultCAFile>false</loadDefaultCAFile>"
      << "</server></openSSL>\n";
  }
  x
    << "  <path>" << dir << "/data/</path>\n"
    << "  <tmp_path>" << dir << "/tmp/</tmp_path>\n"
    << "  <users_config>" << dir << "/users.xml</users_config>\n"
    << "  <default_profile>default</default_profile>\n"
    << "  <default_database>default</default_database>\n"
    << "  <timezone>UTC</timezone>\n"
    << "  <mark_cache_size>5368709</mark_cache_size>\n"
    << "  <uncompressed_cache_size>5368709</uncompressed_cache_size>\n"
    << "  <max_concurrent_queries>50</max_concurrent_queries>\n"
    << "</yandex>\n";
  return x.str();
}

std::string usersXml() {
  std::ostringstream x;
  auto user = [&](const char* name, const char* password) {
    x << "    <" << name << "><password>" << password << "</password>"
      << "<networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></"
      << name << ">\n";
  };
  // LowCardinality columns need the opt-in on 18.16 (later servers ignore it).
  x << "<?xml version=\"1.0\"?>\n<yandex>\n  <profiles><default>"
    << "<allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>"
    << "</default></profiles>\n  <users>\n";
  user("default", "");
  user(ClickHouseServer::kAuthUser, ClickHouseServer::kAuthPassword);
  x << "  </users>\n  <quotas><default></default></quotas>\n</yandex>\n";
  return x.str();
}

}  // namespace

std::string ClickHouseServer::binaryPath() {
  if (const char* env = std::getenv("OTELHOUSE_CLICKHOUSE_SERVER"); env && *env) {
    return isExecutable(env) ? env : "";
  }
  for (const char* p : {"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server",
                        "/usr/local/bin/clickhouse-server"}) {
    if (isExecutable(p)) return p;
  }
  return "";
}

std::unique_ptr<ClickHouseServer> ClickHouseServer::start(std::string* error,
                                                          bool* missing_binary, bool tls) {
  *missing_binary = false;
  std::string binary = binaryPath();
  if (binary.empty()) {
    *missing_binary = true;
    *error = "clickhouse-server is not installed (apt-get install clickhouse-server, "
             "or set OTELHOUSE_CLICKHOUSE_SERVER); skipping the real-server test";
    return nullptr;
  }
  std::unique_ptr<ClickHouseServer> s(new ClickHouseServer());
  s->binary_ = binary;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/otelhouse-ch-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    *error = std::string("mkdtemp: ") + strerror(errno);
    return nullptr;
  }
  s->dir_ = pattern;
  std::error_code ec;
  for (const char* sub : {"/log", "/data", "/tmp"}) std::filesystem::create_directories(s->dir_ + sub, ec);
  s->tcp_port_ = freePort();
  s->http_port_ = freePort();
  while (s->http_port_ == s->tcp_port_) s->http_port_ = freePort();
  if (tls) {
    s->tls_port_ = freePort();
    while (s->tls_port_ == s->tcp_port_ || s->tls_port_ == s->http_port_) s->tls_port_ = freePort();
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
                      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
                      s->dir_ + "/key.pem' -out '" + s->dir_ + "/cert.pem' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      *missing_binary = true;
      *error = "cannot make a test certificate with the openssl CLI; skipping the TLS test";
      return nullptr;
    }
  }
  if (s->tcp_port_ == 0 || s->http_port_ == 0 ||
      !writeFile(s->dir_ + "/config.xml",
                 configXml(s->dir_, s->tcp_port_, s->http_port_, s->tls_port_)) ||
      !writeFile(s->dir_ + "/users.xml", usersXml())) {
    *error = "cannot prepare the server directory " + s->dir_;
    return nullptr;
  }
  Status st = s->launch();
  if (!st.isOk()) {
    *error = st.message();
    return nullptr;
  }
  return s;
}

Status ClickHouseServer::launch() {
  std::string config_arg = "--config-file=" + dir_ + "/config.xml";
  std::string out = dir_ + "/log/stdout.log";
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Status::internal(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);
    char* argv[] = {binary_.data(), config_arg.data(), nullptr};
    ::execv(binary_.c_str(), argv);
    ::_exit(127);
  }
  pid_ = pid;
  Status st = waitReady(30000);
  if (!st.isOk()) {
    std::string tail = logTail();
    (void)stop(true);
    return Status::unavailable(st.message() + "\n--- server log ---\n" + tail);
  }
  return Status::ok();
}

Status ClickHouseServer::waitReady(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string request = "GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::unavailable("clickhouse-server exited during start (status " +
                                 std::to_string(wstatus) + ")");
    }
    int status = 0;
    std::string body;
    if (httpExchange(http_port_, request, 1000, &status, &body).isOk() && status == 200) {
      return Status::ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::unavailable("clickhouse-server did not answer /ping within " +
                             std::to_string(timeout_ms) + " ms");
}

Status ClickHouseServer::stop(bool hard) {
  if (pid_ <= 0) return Status::ok();
  ::kill(pid_, hard ? SIGKILL : SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    int wstatus = 0;
    pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &wstatus, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return Status::ok();
}

Status ClickHouseServer::restart() {
  Status st = stop();
  if (!st.isOk()) return st;
  // The old server's listening sockets are closed once it has exited; the
  // ports stay ours, so clients reconnect to the same address.
  return launch();
}

ClickHouseServer::~ClickHouseServer() {
  (void)stop(true);
  if (!dir_.empty() && std::getenv("OTELHOUSE_KEEP_CLICKHOUSE_DIR") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Result<std::string> ClickHouseServer::query(std::string_view sql, std::string_view user,
                                             std::string_view password) const {
  std::string request = "POST /?user=" + urlEncode(user) + "&password=" + urlEncode(password) +
                        " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: " +
                        std::to_string(sql.size()) + "\r\n\r\n";
  request.append(sql);
  int status = 0;
  std::string body;
  Status st = httpExchange(http_port_, request, 30000, &status, &body);
  if (!st.isOk()) return st;
  if (status != 200) return Status::invalid(body);
  return body;
}

std::string ClickHouseServer::logTail(size_t bytes) const {
  std::string text;
  for (const char* name : {"/log/stdout.log", "/log/error.log"}) {
    std::ifstream in(dir_ + name, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (all.size() > bytes) all = all.substr(all.size() - bytes);
    text += all;
  }
  return text;
}

}  // namespace otelhouse::testing
