// libFuzzer target for the OTLP/HTTP request path without sockets: raw bytes
// are parsed as one HTTP/1.x request by Beast, under the server's limits
// (parseHttpRequest, the seam a connection uses), then handed to
// OtlpHttpReceiver::handle(): CORS, route, method, content type,
// Content-Encoding and the bounded decompression, down to an Ingest.
// Must never crash; every answer must be a valid status; no body handed to
// the Ingest may exceed the limit; a server-made refusal must be 400/413/431.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/log.h"
#include "net/http_server.h"
#include "receivers/otlp_http.h"

namespace {

constexpr size_t kLimit = 256 * 1024;

// Touches every byte it is given and answers by the body's first byte, so
// each mapping from an ingest Status to an HTTP answer is reached.
class CheckingIngest final : public otelhouse::ImmediateIngest {
 public:
  otelhouse::IngestResult ingestNow(const otelhouse::IngestRequest& request) override {
    const std::string_view body = request.body;
    if (body.size() > kLimit) std::abort();
    unsigned sum = 0;
    for (char c : body) sum += static_cast<unsigned char>(c);
    otelhouse::IngestResult r;
    switch (body.empty() ? 0 : static_cast<unsigned char>(body[0]) % 8) {
      case 1: r.status = otelhouse::Status::invalid("bad"); break;
      case 2: r.status = otelhouse::Status::tooLarge("large"); break;
      case 3: r.status = otelhouse::Status::exhausted("busy"); break;
      case 4: r.status = otelhouse::Status::unavailable("stopping"); break;
      case 5: r.status = otelhouse::Status::internal("bug"); break;
      case 6: r.status = otelhouse::Status::unsupported("no"); break;
      case 7:
        r.accepted = sum % 5;
        r.rejected = 1;
        r.rejected_message = "some rejected";
        break;
      default: r.accepted = sum % 7; break;
    }
    return r;
  }
};

otelhouse::OtlpHttpReceiver& receiver() {
  static CheckingIngest ingest;
  static otelhouse::OtlpHttpReceiver* r = [] {
    otelhouse::OtlpHttpConfig config;
    config.max_request_bytes = kLimit;
    config.cors_allowed_origins = {"https://*.example.com", "http://localhost:8080"};
    config.cors_allowed_headers = {"content-type", "authorization"};
    return new otelhouse::OtlpHttpReceiver(config, ingest);
  }();
  return *r;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The receiver logs every ingest failure the fake ingest makes up.
  otelhouse::setLogLevel(otelhouse::LogLevel::kError);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  otelhouse::HttpRequest request;
  const int parsed = otelhouse::parseHttpRequest(bytes, 8 * 1024, kLimit, &request);
  if (parsed == -1) return 0;  // incomplete: a connection would wait for more
  otelhouse::HttpResponse response;
  if (parsed != 0) {
    if (parsed != 400 && parsed != 413 && parsed != 431) std::abort();
    response.status = parsed;
    receiver().handleServerError(request, response);
    if (response.status != parsed) std::abort();
    return 0;
  }
  if (request.body.size() > kLimit) std::abort();
  receiver().handle(request, response);
  if (response.status < 200 || response.status > 599) std::abort();
  return 0;
}
