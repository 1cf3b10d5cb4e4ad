#include "ops/config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "common/duration.h"
#include "common/log.h"
#include "sinks/clickhouse_endpoint.h"

namespace otelhouse {

const char* const kRunFlagsHelp = R"(  --config FILE             YAML config file (values may use ${env:NAME:-default})
  --data-dir DIR            embedded store folder (default ./otelhouse-data)
  --database NAME           ClickHouse database (default "default")
  --http-listen HOST:PORT   OTLP/HTTP receiver (default 0.0.0.0:4318; port 0 = any)
  --grpc-listen HOST:PORT   OTLP/gRPC receiver (default 0.0.0.0:4317; port 0 = any)
  --no-grpc                 do not serve OTLP/gRPC
  --query-listen HOST:PORT  ClickHouse-compatible SQL endpoint (default 127.0.0.1:8123)
  --no-query                do not serve SQL
  --health-listen HOST:PORT health check endpoint (default 0.0.0.0:13133)
  --metrics-listen HOST:PORT Prometheus /metrics of the gateway itself (default 0.0.0.0:8888)
  --api-key-file PATH       accepted OTLP API keys, one per line, re-read when it changes
                            (also OTLP_AUTH_TOKEN and auth.api_keys in the YAML)
  --max-request-bytes N     request limit, before and after decompression (default 20 MiB)
  --max-connections N       open OTLP/HTTP connections; more are closed at once (default 10000)
  --max-header-bytes N      OTLP/HTTP request header limit, 431 beyond it (default 65536)
  --read-timeout DURATION   a request must arrive whole within this (default 30s)
  --idle-timeout DURATION   keep-alive connections silent this long are closed (default 60s)
  --http-tls-cert PATH      PEM certificate: OTLP/HTTP over TLS only (with --http-tls-key)
  --http-tls-key PATH       PEM private key of --http-tls-cert
  --http-tls-client-ca PATH require client certificates from this CA (mutual TLS)
  --http-tls-min-version V  1.2 (default) or 1.3
  --grpc-tls-cert PATH      the same for OTLP/gRPC (--grpc-tls-key, --grpc-tls-client-ca)
  --batch-size N            rows per insert batch (default 10000)
  --batch-timeout DURATION  flush a batch after this long (default 5s)
  --ttl DURATION            table TTL (default 720h; 30d works too)
  --clickhouse-endpoint URL write into a ClickHouse server instead of the embedded engine:
                            http(s)://host:8123, tcp://host:9000[?secure=true]; a comma-separated
                            list is tried in order (also CLICKHOUSE_ENDPOINT, CLICKHOUSE_USER,
                            CLICKHOUSE_PASSWORD)
  --clickhouse-user NAME    ClickHouse user (default "default")
  --clickhouse-timeout DUR  per-request timeout (default 5s; HYPERDX_OTEL_EXPORTER_TIMEOUT)
  --clickhouse-compress C   zstd (default), lz4, gzip or none
  --clickhouse-cluster NAME create the tables ON CLUSTER, Replicated, with Distributed twins
  --no-create-schema        leave the tables to ClickStack's own migrations
  --no-rollups              leave out the key/value rollup tables
  --schema VARIANT          auto (default: full_text on ClickHouse >= 26.2, compat below),
                            full_text, compat (bloom filters: cheaper inserts, no key
                            suggestions) or legacy (the layout before ClickStack #2125)
  --io-threads N            receiver threads (default: one per core)
  --chdb-lib PATH           libchdb.so to load (default: the one scripts/setup.sh installs)
  --sink chdb|null          where rows go; null counts and drops them (benchmarks)
  --durability MODE         fsync (default: acked data survives power loss) or none
  --wal-max-bytes N         disk budget of the write-ahead log (default 10 GiB)
  --memory-budget N         request bytes decoded at once; more get 429 (default 256 MiB)
  --retry-initial DURATION  first retry delay of a failed insert (default 5s)
  --retry-max DURATION      longest retry delay (default 30s)
  --shutdown-grace DURATION how long SIGTERM waits for a failing sink (default 10s)
  --no-session-routing      keep rr-web.event (session replay) records in otel_logs
  --no-parse-json-body      do not turn JSON bodies into attributes (nor flatten them)
  --no-infer-severity       keep severities as sent (no inference, no lower-casing)
  --resource-detection      add OTEL_RESOURCE_ATTRIBUTES, host.name, os.type to resources
  --cors-allowed-origins L  comma-separated origins for browsers (default *; "" = no CORS)
  --cors-allowed-headers L  comma-separated request headers browsers may send (default *)
  --fault-file PATH         testing aid: inserts fail while PATH exists
  --crash-after-insert-file PATH  testing aid: SIGKILL after an insert, before it is marked done
  --log-level LEVEL         debug, info, warn, error (default info)
  --log-format FORMAT       text (default) or json (one object per line: ts, level, msg)
)";

namespace {

Status bad(const std::string& key, const std::string& why) {
  return Status::invalid("config key '" + key + "': " + why);
}

bool parseSize(const std::string& s, size_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  *out = v;
  return true;
}

bool parseBool(const std::string& s, bool* out) {
  if (s == "true" || s == "1" || s == "yes" || s == "on") return *out = true, true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return *out = false, true;
  return false;
}

// One setter per key, shared by env, YAML and flags so they cannot drift.
using Setter = std::function<Status(Config&, const std::string& key, const std::string& value)>;

Setter sizeSetter(size_t Config::*field, size_t min_value) {
  return [field, min_value](Config& c, const std::string& k, const std::string& v) -> Status {
    size_t n;
    if (!parseSize(v, &n)) return bad(k, "'" + v + "' is not a whole number");
    if (n < min_value) return bad(k, "must be at least " + std::to_string(min_value));
    c.*field = n;
    return Status::ok();
  };
}

Setter durationSetter(int64_t Config::*field, int64_t divisor, const char* what) {
  return [=](Config& c, const std::string& k, const std::string& v) -> Status {
    int64_t ms;
    if (!parseGoDuration(v, &ms)) return bad(k, "'" + v + "' is not a duration like 5s or 720h");
    if (ms <= 0) return bad(k, std::string(what) + " must be positive");
    c.*field = ms / divisor;
    return Status::ok();
  };
}

// A table TTL: a Go duration or, as ClickStack's migration accepts, whole days ("30d").
Setter ttlSetter(int64_t Config::*field) {
  return [field](Config& c, const std::string& k, const std::string& v) -> Status {
    int64_t ms = 0;
    if (v.size() > 1 && v.back() == 'd') {
      size_t days;
      if (!parseSize(v.substr(0, v.size() - 1), &days) || days == 0 || days > 36500)
        return bad(k, "'" + v + "' is not a number of days like 30d");
      ms = static_cast<int64_t>(days) * 86400 * 1000;
    } else if (!parseGoDuration(v, &ms)) {
      return bad(k, "'" + v + "' is not a duration like 720h or 30d");
    }
    if (ms < 1000) return bad(k, "ttl must be at least 1s");
    c.*field = ms / 1000;
    return Status::ok();
  };
}

Setter stringSetter(std::string Config::*field) {
  return [field](Config& c, const std::string& k, const std::string& v) -> Status {
    if (v.empty()) return bad(k, "must not be empty");
    c.*field = v;
    return Status::ok();
  };
}

Setter listenSetter(ListenAddress Config::*field) {
  return [field](Config& c, const std::string& k, const std::string& v) -> Status {
    if (!parseListenAddress(v, &(c.*field))) return bad(k, "'" + v + "' is not HOST:PORT");
    return Status::ok();
  };
}

Setter boolSetter(bool Config::*field, bool invert = false) {
  return [=](Config& c, const std::string& k, const std::string& v) -> Status {
    bool b;
    if (!parseBool(v, &b)) return bad(k, "'" + v + "' is not true or false");
    c.*field = invert ? !b : b;
    return Status::ok();
  };
}

// A file path inside one of the TLS settings.
Setter tlsFileSetter(TlsServerSettings Config::*tls, std::string TlsServerSettings::*field) {
  return [=](Config& c, const std::string& k, const std::string& v) -> Status {
    if (v.empty()) return bad(k, "must not be empty");
    (c.*tls).*field = v;
    return Status::ok();
  };
}

Setter tlsMinVersionSetter(TlsServerSettings Config::*tls, bool grpc) {
  return [=](Config& c, const std::string& k, const std::string& v) -> Status {
    if (!isValidTlsMinVersion(v)) return bad(k, "'" + v + "' is not 1.2 or 1.3 (TLS 1.2 is the lowest)");
    if (grpc && v != "1.2")
      return bad(k, "gRPC 1.51 cannot raise its TLS floor above 1.2; leave it at \"1.2\"");
    (c.*tls).min_version = v;
    return Status::ok();
  };
}

Setter positiveSizeSetter(size_t Config::*field, size_t min_value, size_t max_value) {
  return [=](Config& c, const std::string& k, const std::string& v) -> Status {
    size_t n;
    if (!parseSize(v, &n) || n < min_value || n > max_value)
      return bad(k, "'" + v + "' is not a whole number from " + std::to_string(min_value) + " to " +
                        std::to_string(max_value));
    c.*field = n;
    return Status::ok();
  };
}

// A list arrives as a YAML sequence (joined with commas by walkYaml) or as
// comma-separated text from a flag; blanks around items are dropped.
Setter listSetter(std::vector<std::string> Config::*field) {
  return [field](Config& c, const std::string&, const std::string& v) -> Status {
    std::vector<std::string> items;
    size_t begin = 0;
    while (begin <= v.size()) {
      size_t end = v.find(',', begin);
      if (end == std::string::npos) end = v.size();
      std::string item = v.substr(begin, end - begin);
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) items.push_back(std::move(item));
      begin = end + 1;
    }
    c.*field = std::move(items);
    return Status::ok();
  };
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> m = {
      {"data_dir", stringSetter(&Config::data_dir)},
      {"database",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         if (v.empty()) return bad(k, "must not be empty");
         for (char ch : v)
           if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
             return bad(k, "'" + v + "' may hold only letters, digits and _");
         c.database = v;
         return Status::ok();
       }},
      {"log_level",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         LogLevel l;
         if (!parseLogLevel(v, &l)) return bad(k, "'" + v + "' is not debug, info, warn or error");
         c.log_level = v;
         return Status::ok();
       }},
      {"chdb_lib", stringSetter(&Config::chdb_lib)},
      {"sink",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         if (v != "chdb" && v != "null") return bad(k, "'" + v + "' is not chdb or null");
         c.sink = v;
         return Status::ok();
       }},
      {"receivers.otlp_http.endpoint", listenSetter(&Config::otlp_http)},
      {"receivers.otlp_http.max_request_bytes", sizeSetter(&Config::max_request_bytes, 1024)},
      {"receivers.otlp_http.max_connections",
       positiveSizeSetter(&Config::http_max_connections, 1, 1000000)},
      {"receivers.otlp_http.max_header_bytes",
       positiveSizeSetter(&Config::http_max_header_bytes, 1024, 16u << 20)},
      {"receivers.otlp_http.read_timeout",
       durationSetter(&Config::http_read_timeout_ms, 1, "read timeout")},
      {"receivers.otlp_http.idle_timeout",
       durationSetter(&Config::http_idle_timeout_ms, 1, "idle timeout")},
      {"receivers.otlp_http.tls.cert_file",
       tlsFileSetter(&Config::otlp_http_tls, &TlsServerSettings::cert_file)},
      {"receivers.otlp_http.tls.key_file",
       tlsFileSetter(&Config::otlp_http_tls, &TlsServerSettings::key_file)},
      {"receivers.otlp_http.tls.client_ca_file",
       tlsFileSetter(&Config::otlp_http_tls, &TlsServerSettings::client_ca_file)},
      {"receivers.otlp_http.tls.min_version", tlsMinVersionSetter(&Config::otlp_http_tls, false)},
      {"receivers.otlp_grpc.tls.cert_file",
       tlsFileSetter(&Config::otlp_grpc_tls, &TlsServerSettings::cert_file)},
      {"receivers.otlp_grpc.tls.key_file",
       tlsFileSetter(&Config::otlp_grpc_tls, &TlsServerSettings::key_file)},
      {"receivers.otlp_grpc.tls.client_ca_file",
       tlsFileSetter(&Config::otlp_grpc_tls, &TlsServerSettings::client_ca_file)},
      {"receivers.otlp_grpc.tls.min_version", tlsMinVersionSetter(&Config::otlp_grpc_tls, true)},
      {"receivers.otlp_grpc.endpoint", listenSetter(&Config::otlp_grpc)},
      {"receivers.otlp_grpc.enabled", boolSetter(&Config::otlp_grpc_enabled)},
      {"receivers.otlp_grpc.max_recv_msg_size_mib",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         size_t n;
         // gRPC takes the limit as an int of bytes.
         if (!parseSize(v, &n) || n < 1 || n > 2047)
           return bad(k, "'" + v + "' is not a whole number of MiB from 1 to 2047");
         c.grpc_max_recv_msg_size_mib = n;
         return Status::ok();
       }},
      {"receivers.otlp_grpc.max_concurrent_streams",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         size_t n;
         if (!parseSize(v, &n) || n < 1 || n > 2147483647u)
           return bad(k, "'" + v + "' is not a stream count of at least 1");
         c.grpc_max_concurrent_streams = n;
         return Status::ok();
       }},
      {"receivers.otlp_grpc.keepalive.time",
       durationSetter(&Config::grpc_keepalive_time_ms, 1, "keepalive time")},
      {"receivers.otlp_grpc.keepalive.timeout",
       durationSetter(&Config::grpc_keepalive_timeout_ms, 1, "keepalive timeout")},
      {"receivers.otlp_grpc.keepalive.min_time",
       durationSetter(&Config::grpc_keepalive_min_time_ms, 1, "keepalive min_time")},
      {"receivers.otlp_grpc.keepalive.permit_without_stream",
       boolSetter(&Config::grpc_keepalive_permit_without_stream)},
      {"receivers.io_threads",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         size_t n;
         if (!parseSize(v, &n) || n > 256) return bad(k, "'" + v + "' is not a thread count");
         c.io_threads = static_cast<int>(n);
         return Status::ok();
       }},
      {"query.endpoint", listenSetter(&Config::query)},
      {"query.enabled", boolSetter(&Config::query_enabled)},
      {"batch.send_batch_size", sizeSetter(&Config::batch_size, 1)},
      {"batch.timeout", durationSetter(&Config::batch_timeout_ms, 1, "timeout")},
      {"storage.ttl", ttlSetter(&Config::ttl_seconds)},
      {"storage.logs_ttl", ttlSetter(&Config::logs_ttl_seconds)},
      {"storage.traces_ttl", ttlSetter(&Config::traces_ttl_seconds)},
      {"storage.metrics_ttl", ttlSetter(&Config::metrics_ttl_seconds)},
      {"storage.sessions_ttl", ttlSetter(&Config::sessions_ttl_seconds)},
      {"clickhouse.endpoint",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         auto eps = parseClickHouseEndpoints(v);
         if (!eps.isOk()) return bad(k, eps.status().message());
         c.clickhouse_endpoint = v;
         return Status::ok();
       }},
      {"clickhouse.username", stringSetter(&Config::clickhouse_user)},
      // Secret: never echoed in messages.
      {"clickhouse.password",
       [](Config& c, const std::string&, const std::string& v) -> Status {
         c.clickhouse_password = v;
         return Status::ok();
       }},
      {"clickhouse.timeout", durationSetter(&Config::clickhouse_timeout_ms, 1, "timeout")},
      {"clickhouse.compress",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         ClickHouseCompression cc;
         if (!parseCompression(v, &cc)) return bad(k, "'" + v + "' is not zstd, lz4, gzip or none");
         c.clickhouse_compress = compressionName(cc);
         return Status::ok();
       }},
      {"clickhouse.async_insert", boolSetter(&Config::clickhouse_async_insert)},
      {"clickhouse.tls.ca_file", stringSetter(&Config::clickhouse_ca_file)},
      {"clickhouse.tls.insecure_skip_verify", boolSetter(&Config::clickhouse_insecure_skip_verify)},
      {"clickhouse.create_schema", boolSetter(&Config::create_schema)},
      {"clickhouse.cluster_name",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         for (char ch : v)
           if (!(isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.' || ch == '{' ||
                 ch == '}'))
             return bad(k, "'" + v + "' may hold only letters, digits, _ - . and {macro} braces");
         c.cluster_name = v;
         return Status::ok();
       }},
      {"storage.logs_rollups", boolSetter(&Config::logs_rollups)},
      {"storage.schema",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         if (v != "auto" && v != "full_text" && v != "compat" && v != "legacy")
           return bad(k, "'" + v + "' is not auto, full_text, compat or legacy");
         c.schema_variant = v;
         return Status::ok();
       }},
      {"storage.legacy_schema",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         bool b;
         if (!parseBool(v, &b)) return bad(k, "'" + v + "' is not true or false");
         if (b) c.schema_variant = "legacy";
         return Status::ok();
       }},
      {"storage.promql", boolSetter(&Config::promql)},
      {"storage.reconcile_ttl", boolSetter(&Config::reconcile_ttl)},
      {"wal.durability",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         if (v == "fsync") c.wal_fsync = true;
         else if (v == "none") c.wal_fsync = false;
         else return bad(k, "'" + v + "' is not fsync or none");
         return Status::ok();
       }},
      {"wal.max_bytes",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         size_t n;
         if (!parseSize(v, &n) || n < 4096) return bad(k, "'" + v + "' is not a byte count >= 4096");
         c.wal_max_bytes = n;
         return Status::ok();
       }},
      {"receivers.memory_budget",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         size_t n;
         if (!parseSize(v, &n) || n < 1) return bad(k, "'" + v + "' is not a byte count >= 1");
         c.memory_budget_bytes = n;
         return Status::ok();
       }},
      {"export.retry.initial_interval", durationSetter(&Config::retry_initial_ms, 1, "interval")},
      {"export.retry.max_interval", durationSetter(&Config::retry_max_ms, 1, "interval")},
      {"export.shutdown_grace", durationSetter(&Config::shutdown_grace_ms, 1, "grace")},
      {"testing.fault_file", stringSetter(&Config::fault_file)},
      {"testing.crash_after_insert_file", stringSetter(&Config::crash_after_insert_file)},
      {"processors.session_routing.enabled", boolSetter(&Config::session_routing)},
      {"processors.parse_json_body.enabled", boolSetter(&Config::parse_json_body)},
      {"processors.infer_severity.enabled", boolSetter(&Config::infer_severity)},
      {"processors.resource_detection.enabled", boolSetter(&Config::resource_detection)},
      {"receivers.otlp_http.cors.allowed_origins", listSetter(&Config::cors_allowed_origins)},
      {"receivers.otlp_http.cors.allowed_headers", listSetter(&Config::cors_allowed_headers)},
      {"receivers.otlp_http.cors.max_age",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         size_t n;
         if (!parseSize(v, &n) || n > 86400 * 365) return bad(k, "'" + v + "' is not seconds");
         c.cors_max_age_seconds = static_cast<int64_t>(n);
         return Status::ok();
       }},
      {"auth.api_keys", listSetter(&Config::api_keys)},
      {"auth.api_key_file", stringSetter(&Config::api_key_file)},
      // Secrets: never echoed in messages.
      {"query.user",
       [](Config& c, const std::string&, const std::string& v) -> Status {
         c.query_user = v;
         return Status::ok();
       }},
      {"query.password",
       [](Config& c, const std::string&, const std::string& v) -> Status {
         c.query_password = v;
         return Status::ok();
       }},
      {"query.writer_user",
       [](Config& c, const std::string&, const std::string& v) -> Status {
         c.query_writer_user = v;
         return Status::ok();
       }},
      {"query.writer_password",
       [](Config& c, const std::string&, const std::string& v) -> Status {
         c.query_writer_password = v;
         return Status::ok();
       }},
      {"query.forward_user",
       [](Config& c, const std::string&, const std::string& v) -> Status {
         c.query_forward_user = v;
         return Status::ok();
       }},
      {"query.forward_password",
       [](Config& c, const std::string&, const std::string& v) -> Status {
         c.query_forward_password = v;
         return Status::ok();
       }},
      {"query.cors_origins",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         if (Status st = listSetter(&Config::query_cors_origins)(c, k, v); !st.isOk()) return st;
         for (const auto& o : c.query_cors_origins) {
           if (o == "*" || o == "null")
             return bad(k, "'" + o + "' is not allowed: list the origins (e.g. http://localhost:8080)");
         }
         return Status::ok();
       }},
      {"health_check.endpoint", listenSetter(&Config::health)},
      {"health_check.enabled", boolSetter(&Config::health_enabled)},
      {"telemetry.metrics.endpoint", listenSetter(&Config::metrics)},
      {"telemetry.metrics.enabled", boolSetter(&Config::metrics_enabled)},
      {"log_format",
       [](Config& c, const std::string& k, const std::string& v) -> Status {
         if (v != "text" && v != "json") return bad(k, "'" + v + "' is not text or json");
         c.log_format = v;
         return Status::ok();
       }},
  };
  return m;
}

Status set(Config& c, const std::string& key, const std::string& value) {
  auto it = setters().find(key);
  if (it == setters().end()) return bad(key, "unknown key");
  return it->second(c, key, value);
}

Status walkYaml(Config& c, const YAML::Node& node, const std::string& prefix) {
  if (!node.IsMap()) return bad(prefix.empty() ? "(top)" : prefix, "must be a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    std::string path = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node& v = kv.second;
    if (v.IsMap()) {
      Status st = walkYaml(c, v, path);
      if (!st.isOk()) return st;
    } else if (v.IsScalar()) {
      Status st = set(c, path, substituteEnv(v.Scalar()));
      if (!st.isOk()) return st;
    } else if (v.IsSequence()) {
      std::string joined;
      for (const auto& item : v) {
        if (!item.IsScalar()) return bad(path, "must be a list of single values");
        if (!joined.empty()) joined += ",";
        joined += substituteEnv(item.Scalar());
      }
      Status st = set(c, path, joined);
      if (!st.isOk()) return st;
    } else if (v.IsNull()) {
      continue;
    } else {
      return bad(path, "must be a single value");
    }
  }
  return Status::ok();
}

}  // namespace

std::string substituteEnv(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "${") != 0) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = text.find('}', i);
    if (end == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    std::string inner = text.substr(i + 2, end - i - 2);
    if (inner.rfind("env:", 0) == 0) inner = inner.substr(4);
    std::string name = inner, fallback;
    bool has_default = false;
    if (size_t d = inner.find(":-"); d != std::string::npos) {
      name = inner.substr(0, d);
      fallback = inner.substr(d + 2);
      has_default = true;
    }
    const char* v = getenv(name.c_str());
    if (v && (*v || !has_default)) out += v;
    else out += fallback;
    i = end + 1;
  }
  return out;
}

bool parseListenAddress(const std::string& text, ListenAddress* out) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  size_t port;
  if (!parseSize(text.substr(colon + 1), &port) || port > 65535) return false;
  out->host = host.empty() ? "0.0.0.0" : host;
  out->port = static_cast<uint16_t>(port);
  return true;
}

Status applyEnvironment(Config& c) {
  static const std::pair<const char*, const char*> kEnv[] = {
      {"HYPERDX_OTEL_BATCH_SEND_BATCH_SIZE", "batch.send_batch_size"},
      {"HYPERDX_OTEL_BATCH_TIMEOUT", "batch.timeout"},
      {"HYPERDX_OTEL_EXPORTER_CLICKHOUSE_DATABASE", "database"},
      {"HYPERDX_OTEL_EXPORTER_TABLES_TTL", "storage.ttl"},
      {"HYPERDX_OTEL_EXPORTER_LOGS_TTL", "storage.logs_ttl"},
      {"HYPERDX_OTEL_EXPORTER_TRACES_TTL", "storage.traces_ttl"},
      {"HYPERDX_OTEL_EXPORTER_METRICS_TTL", "storage.metrics_ttl"},
      {"HYPERDX_OTEL_EXPORTER_SESSIONS_TTL", "storage.sessions_ttl"},
      {"HYPERDX_OTEL_EXPORTER_CREATE_LEGACY_SCHEMA", "storage.legacy_schema"},
      {"ENABLE_PROMQL", "storage.promql"},
      {"HYPERDX_OTEL_EXPORTER_RECONCILE_TABLE_TTL", "storage.reconcile_ttl"},
      {"CLICKHOUSE_ENDPOINT", "clickhouse.endpoint"},
      {"CLICKHOUSE_USER", "clickhouse.username"},
      {"CLICKHOUSE_PASSWORD", "clickhouse.password"},
      {"HYPERDX_OTEL_EXPORTER_TIMEOUT", "clickhouse.timeout"},
      {"CLICKHOUSE_TLS_CA_FILE", "clickhouse.tls.ca_file"},
      {"CLICKHOUSE_TLS_INSECURE_SKIP_VERIFY", "clickhouse.tls.insecure_skip_verify"},
      {"HYPERDX_LOG_LEVEL", "log_level"},
  };
  // Appended beside auth.api_keys rather than replaced by it: every source counts.
  if (const char* token = getenv("OTLP_AUTH_TOKEN"); token && *token) c.otlp_auth_token = token;
  for (auto& [env, key] : kEnv) {
    const char* v = getenv(env);
    if (!v || !*v) continue;
    Status st = set(c, key, v);
    if (!st.isOk()) return Status::invalid(std::string("environment variable ") + env + ": " + st.message());
  }
  return Status::ok();
}

Status applyYamlText(Config& c, const std::string& text, const std::string& origin) {
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return Status::ok();
    Status st = walkYaml(c, root, "");
    if (!st.isOk()) return Status::invalid(origin + ": " + st.message());
    return st;
  } catch (const YAML::Exception& e) {
    return Status::invalid(origin + ": not valid YAML: " + e.what());
  }
}

Status applyYamlFile(Config& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::invalid("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return applyYamlText(c, ss.str(), path);
}

Status applyFlags(Config& c, std::vector<std::string>& args) {
  static const std::map<std::string, std::string> kFlags = {
      {"data-dir", "data_dir"},
      {"database", "database"},
      {"log-level", "log_level"},
      {"chdb-lib", "chdb_lib"},
      {"sink", "sink"},
      {"http-listen", "receivers.otlp_http.endpoint"},
      {"max-request-bytes", "receivers.otlp_http.max_request_bytes"},
      {"max-connections", "receivers.otlp_http.max_connections"},
      {"max-header-bytes", "receivers.otlp_http.max_header_bytes"},
      {"read-timeout", "receivers.otlp_http.read_timeout"},
      {"idle-timeout", "receivers.otlp_http.idle_timeout"},
      {"http-tls-cert", "receivers.otlp_http.tls.cert_file"},
      {"http-tls-key", "receivers.otlp_http.tls.key_file"},
      {"http-tls-client-ca", "receivers.otlp_http.tls.client_ca_file"},
      {"http-tls-min-version", "receivers.otlp_http.tls.min_version"},
      {"grpc-tls-cert", "receivers.otlp_grpc.tls.cert_file"},
      {"grpc-tls-key", "receivers.otlp_grpc.tls.key_file"},
      {"grpc-tls-client-ca", "receivers.otlp_grpc.tls.client_ca_file"},
      {"io-threads", "receivers.io_threads"},
      {"grpc-listen", "receivers.otlp_grpc.endpoint"},
      {"query-listen", "query.endpoint"},
      {"health-listen", "health_check.endpoint"},
      {"metrics-listen", "telemetry.metrics.endpoint"},
      {"log-format", "log_format"},
      {"api-key-file", "auth.api_key_file"},
      {"batch-size", "batch.send_batch_size"},
      {"batch-timeout", "batch.timeout"},
      {"ttl", "storage.ttl"},
      {"schema", "storage.schema"},
      {"clickhouse-endpoint", "clickhouse.endpoint"},
      {"clickhouse-user", "clickhouse.username"},
      {"clickhouse-timeout", "clickhouse.timeout"},
      {"clickhouse-compress", "clickhouse.compress"},
      {"clickhouse-cluster", "clickhouse.cluster_name"},
      {"durability", "wal.durability"},
      {"wal-max-bytes", "wal.max_bytes"},
      {"memory-budget", "receivers.memory_budget"},
      {"retry-initial", "export.retry.initial_interval"},
      {"retry-max", "export.retry.max_interval"},
      {"shutdown-grace", "export.shutdown_grace"},
      {"fault-file", "testing.fault_file"},
      {"crash-after-insert-file", "testing.crash_after_insert_file"},
      {"cors-allowed-origins", "receivers.otlp_http.cors.allowed_origins"},
      {"cors-allowed-headers", "receivers.otlp_http.cors.allowed_headers"},
  };
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      rest.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (name == "no-query") {
      c.query_enabled = false;
      continue;
    }
    if (name == "no-grpc") {
      c.otlp_grpc_enabled = false;
      continue;
    }
    if (name == "no-session-routing" || name == "no-parse-json-body" ||
        name == "no-infer-severity" || name == "resource-detection") {
      if (inline_value) return Status::invalid("flag --" + name + " takes no value");
      if (name == "no-session-routing") c.session_routing = false;
      if (name == "no-parse-json-body") c.parse_json_body = false;
      if (name == "no-infer-severity") c.infer_severity = false;
      if (name == "resource-detection") c.resource_detection = true;
      continue;
    }
    if (name == "no-create-schema") {
      c.create_schema = false;
      continue;
    }
    if (name == "no-rollups") {
      c.logs_rollups = false;
      continue;
    }
    if (name == "config") {  // already applied by loadConfig
      if (!inline_value) ++i;
      continue;
    }
    auto it = kFlags.find(name);
    if (it == kFlags.end()) return Status::invalid("unknown flag --" + name + " (see --help)");
    if (!inline_value) {
      if (i + 1 >= args.size()) return Status::invalid("flag --" + name + " needs a value");
      value = args[++i];
    }
    Status st = set(c, it->second, value);
    if (!st.isOk()) return Status::invalid("flag --" + name + ": " + st.message());
  }
  args = std::move(rest);
  return Status::ok();
}

static Status checkTls(const TlsServerSettings& tls, const std::string& prefix) {
  if (tls.cert_file.empty() != tls.key_file.empty())
    return Status::invalid("config keys '" + prefix + ".cert_file' and '" + prefix +
                           ".key_file' must be set together");
  if (!tls.client_ca_file.empty() && tls.cert_file.empty())
    return Status::invalid("config key '" + prefix +
                           ".client_ca_file' needs cert_file and key_file (mutual TLS is TLS)");
  return Status::ok();
}

Result<Config> loadConfig(std::vector<std::string> args) {
  Config c;
  Status st = applyEnvironment(c);
  if (!st.isOk()) return st;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string path;
    if (args[i] == "--config" && i + 1 < args.size()) path = args[i + 1];
    else if (args[i].rfind("--config=", 0) == 0) path = args[i].substr(9);
    else continue;
    st = applyYamlFile(c, path);
    if (!st.isOk()) return st;
  }
  st = applyFlags(c, args);
  if (!st.isOk()) return st;
  if (!args.empty()) return Status::invalid("unexpected argument '" + args.front() + "'");
  st = checkTls(c.otlp_http_tls, "receivers.otlp_http.tls");
  if (!st.isOk()) return st;
  st = checkTls(c.otlp_grpc_tls, "receivers.otlp_grpc.tls");
  if (!st.isOk()) return st;
  return c;
}

}  // namespace otelhouse
