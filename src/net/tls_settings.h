// TlsServerSettings: what a listener needs for TLS, as the config names it
// (receivers.otlp_http.tls.*, receivers.otlp_grpc.tls.*). Plain data, no
// OpenSSL: the config includes it; net/tls_context.h turns it into a context.
#pragma once

#include <string>

namespace otelhouse {

struct TlsServerSettings {
  std::string cert_file;       // PEM certificate chain, leaf first; empty: no TLS
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // PEM CA bundle; set: clients must present a cert (mTLS)
  std::string min_version = "1.2";  // "1.2" or "1.3"
  bool enabled() const { return !cert_file.empty(); }
};

// "1.2" / "1.3" -> true; anything else (older versions included) -> false.
inline bool isValidTlsMinVersion(const std::string& version) {
  return version == "1.2" || version == "1.3";
}

}  // namespace otelhouse
