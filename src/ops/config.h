// Config: every setting of the gateway, and where it comes from.
//
// Precedence, lowest first: built-in defaults, ClickStack's environment
// variables (HYPERDX_OTEL_BATCH_SEND_BATCH_SIZE, HYPERDX_OTEL_BATCH_TIMEOUT,
// HYPERDX_OTEL_EXPORTER_CLICKHOUSE_DATABASE, HYPERDX_OTEL_EXPORTER_TABLES_TTL,
// HYPERDX_LOG_LEVEL), the YAML file given with --config (values may use
// ${env:NAME:-default}), then command-line flags. Any bad value or unknown
// key is an error whose message names the key and says what is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace otelhouse {

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
  std::string toString() const { return host + ":" + std::to_string(port); }
};

struct Config {
  std::string data_dir = "./otelhouse-data";
  std::string database = "default";
  std::string log_level = "info";
  std::string chdb_lib;  // empty: search the default places
  ListenAddress otlp_http{"0.0.0.0", 4318};
  size_t max_request_bytes = 20u << 20;
  int io_threads = 0;  // 0: one per core
  ListenAddress query{"127.0.0.1", 8123};
  bool query_enabled = true;
  size_t batch_size = 10000;
  int64_t batch_timeout_ms = 5000;
  int64_t ttl_seconds = 720 * 3600;
  bool logs_rollups = true;
  bool wal_fsync = true;                     // wal.durability: fsync | none
  uint64_t wal_max_bytes = 10ull << 30;      // disk budget of the WAL
  int64_t retry_initial_ms = 5000;           // as ClickStack's exporter retry_on_failure
  int64_t retry_max_ms = 30000;
  int64_t shutdown_grace_ms = 10000;
  std::string fault_file;                    // test aid: inserts fail while this file exists
};

// Replaces ${env:NAME}, ${env:NAME:-default} and ${NAME} with the environment.
std::string substituteEnv(const std::string& text);

bool parseListenAddress(const std::string& text, ListenAddress* out);

Status applyEnvironment(Config& config);
Status applyYamlFile(Config& config, const std::string& path);
Status applyYamlText(Config& config, const std::string& text, const std::string& origin);
// Flags are "--name value" or "--name=value"; consumed ones are removed.
Status applyFlags(Config& config, std::vector<std::string>& args);

// Defaults, environment, then --config FILE (found among args), then flags.
Result<Config> loadConfig(std::vector<std::string> args);

extern const char* const kRunFlagsHelp;

}  // namespace otelhouse
