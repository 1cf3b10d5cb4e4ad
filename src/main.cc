// otelhouse: an OpenTelemetry (OTLP) gateway that stores into ClickHouse.
// The only program in the tree; everything it runs lives in the libraries.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "ops/config.h"
#include "otelhouse_version.h"

namespace {

void usage(FILE* out) {
  fprintf(out,
          "otelhouse %s: OpenTelemetry ingestion gateway for ClickHouse (ClickStack tables)\n\n"
          "Usage:\n"
          "  otelhouse run [flags]            start the gateway (OTLP/HTTP :4318, SQL :8123)\n"
          "  otelhouse query [flags] \"SQL\"    print a query's result (TabSeparated)\n"
          "  otelhouse version                print the version\n"
          "  otelhouse --help                 this text\n\n"
          "run flags:\n%s\n"
          "query flags:\n"
          "  --query-url URL           ask a running gateway (default http://127.0.0.1:8123 when it answers)\n"
          "  --data-dir DIR            otherwise open this store directly (default ./otelhouse-data)\n"
          "  --format FORMAT           output format (default TabSeparated)\n"
          "  (OTELHOUSE_QUERY_USER / OTELHOUSE_QUERY_PASSWORD log in to a gateway with query.user set)\n\n"
          "Environment: HYPERDX_OTEL_BATCH_SEND_BATCH_SIZE, HYPERDX_OTEL_BATCH_TIMEOUT,\n"
          "HYPERDX_OTEL_EXPORTER_CLICKHOUSE_DATABASE, HYPERDX_OTEL_EXPORTER_TABLES_TTL,\n"
          "HYPERDX_LOG_LEVEL, OTELHOUSE_CHDB_LIB.\n",
          OTELHOUSE_VERSION, otelhouse::kRunFlagsHelp);
}

std::string exeDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  if (cmd == "version" || cmd == "--version") {
    printf("otelhouse %s\n", OTELHOUSE_VERSION);
    return 0;
  }
  for (auto& a : args) {
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    }
  }
  if (cmd == "run") return otelhouse::runCommand(std::move(args), exeDir());
  if (cmd == "query") return otelhouse::queryCommand(std::move(args), exeDir());
  fprintf(stderr, "otelhouse: unknown command '%s' (see otelhouse --help)\n", cmd.c_str());
  return 2;
}
