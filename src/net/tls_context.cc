#include "net/tls_context.h"

#include <openssl/ssl.h>
#include <sys/stat.h>

#include <exception>

#include "common/log.h"

namespace otelhouse {

namespace ssl = boost::asio::ssl;

Result<std::unique_ptr<TlsContextSource>> TlsContextSource::create(
    TlsServerSettings settings, std::chrono::milliseconds reload_interval) {
  if (settings.cert_file.empty() || settings.key_file.empty())
    return Status::invalid("TLS needs both cert_file and key_file");
  if (!isValidTlsMinVersion(settings.min_version))
    return Status::invalid("TLS min_version '" + settings.min_version + "' is not 1.2 or 1.3");
  std::unique_ptr<TlsContextSource> source(
      new TlsContextSource(std::move(settings), reload_interval));
  auto stamps = source->stamps();
  auto built = source->build();
  if (!built.isOk()) return built.status();
  source->context_ = std::move(built.value());
  source->loaded_stamps_ = std::move(stamps);
  source->next_check_ = std::chrono::steady_clock::now() + reload_interval;
  return source;
}

std::vector<TlsContextSource::FileStamp> TlsContextSource::stamps() const {
  std::vector<FileStamp> out;
  for (const std::string* path :
       {&settings_.cert_file, &settings_.key_file, &settings_.client_ca_file}) {
    FileStamp s;
    struct stat st {};
    if (!path->empty() && ::stat(path->c_str(), &st) == 0) {
      s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      s.size = static_cast<int64_t>(st.st_size);
    }
    out.push_back(s);
  }
  return out;
}

Result<std::shared_ptr<ssl::context>> TlsContextSource::build() const {
  std::shared_ptr<ssl::context> ctx;
  try {
    ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot create a TLS context: ") + e.what());
  }
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                   ec);
  SSL_CTX* native = ctx->native_handle();
  const int min = settings_.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(native, min) != 1)
    return Status::internal("cannot set the minimum TLS version");
  ctx->use_certificate_chain_file(settings_.cert_file, ec);
  if (ec) return Status::invalid("TLS cert_file " + settings_.cert_file + ": " + ec.message());
  ctx->use_private_key_file(settings_.key_file, ssl::context::pem, ec);
  if (ec) return Status::invalid("TLS key_file " + settings_.key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1)
    return Status::invalid("TLS key_file " + settings_.key_file +
                           " does not match the certificate in " + settings_.cert_file);
  if (!settings_.client_ca_file.empty()) {
    ctx->load_verify_file(settings_.client_ca_file, ec);
    if (ec)
      return Status::invalid("TLS client_ca_file " + settings_.client_ca_file + ": " + ec.message());
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return Status::internal("cannot require client certificates: " + ec.message());
    // Tell clients which CAs we accept, so they pick the right certificate.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(settings_.client_ca_file.c_str()))
      SSL_CTX_set_client_CA_list(native, names);
    // Session resumption with client certificates needs a session id context.
    static const unsigned char kSessionContext[] = "otelhouse";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  }
  return ctx;
}

std::shared_ptr<ssl::context> TlsContextSource::current() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now < next_check_) return context_;
  next_check_ = now + interval_;
  auto stamps_now = stamps();
  if (stamps_now == loaded_stamps_) return context_;
  // Remember these stamps whatever the outcome: a broken file is reported
  // once, not on every connection, and retried when it changes again.
  loaded_stamps_ = stamps_now;
  auto built = build();
  if (!built.isOk()) {
    ++failures_;
    LOG_ERROR("TLS certificate reload failed, keeping the previous certificate: %s",
              built.status().message().c_str());
    return context_;
  }
  context_ = std::move(built.value());
  ++reloads_;
  LOG_INFO("TLS certificate reloaded from %s", settings_.cert_file.c_str());
  return context_;
}

uint64_t TlsContextSource::reloads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reloads_;
}

uint64_t TlsContextSource::reloadFailures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

}  // namespace otelhouse
