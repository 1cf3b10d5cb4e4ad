// otelhouse-loadgen: an OTLP/HTTP load generator for otelhouse (or any OTLP
// receiver). The program only parses flags; the work is in src/loadgen.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/duration.h"
#include "loadgen/load_generator.h"

namespace {

using otelhouse::loadgen::LoadFormat;
using otelhouse::loadgen::LoadOptions;
using otelhouse::loadgen::LoadSignal;

const char kUsage[] = R"(otelhouse-loadgen: send OTLP/HTTP export requests and report what came back.

Usage: otelhouse-loadgen [flags]

  --endpoint HOST:PORT   OTLP/HTTP receiver (default 127.0.0.1:4318)
  --signal S             logs | traces | metrics (default logs)
  --format F             protobuf | json (default protobuf)
  --compression C        none | gzip | zstd (default none)
  --connections N        keep-alive connections, one thread each (default 4)
  --rate N               items per second over all connections; 0 = flat out (default 0)
  --duration D           how long to send, Go duration such as 10s or 500ms (default 10s)
  --requests N           stop after N requests instead (with --duration 0) or whichever first
  --records N            items (log records, spans, data points) per request (default 100)
  --body-bytes N         log body length (default 200)
  --attributes N         attributes per item, loadgen.id included (default 10)
  --resources N          resources per request (default 2)
  --events N             events per span (default 2)
  --pool N               payload templates per connection (default 8)
  --no-unique-ids        send the templates as built (no per-send id stamping or
                         compression: least client CPU, but ids repeat)
  --seed N               payload seed (default 1)
  --run-id ID            8 characters naming this run in loadgen.id (default random)
  --report text|kv|both  human text, one key=value line, or both (default text)
  --help                 this text

Every item carries the attribute loadgen.id = "<run id>-<12 hex digits>", unique
per send, so a reader can count distinct ids for loss and duplicates. Exit status:
0 when nothing failed and something was acked, 1 otherwise, 2 on bad flags.
)";

bool parseCount(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  unsigned long long v = strtoull(s.c_str(), &end, 10);
  if (*end != '\0') return false;
  *out = v;
  return true;
}

int bad(const std::string& why) {
  fprintf(stderr, "otelhouse-loadgen: %s (see --help)\n", why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  LoadOptions o;
  std::string report = "text";
  std::string run_id;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    if (name == "--help" || name == "-h") {
      fputs(kUsage, stdout);
      return 0;
    }
    if (name == "--no-unique-ids") {
      o.unique_ids = false;
      continue;
    }
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) return bad("flag " + name + " needs a value");
      value = args[++i];
    }
    uint64_t n = 0;
    auto count = [&](uint64_t min) {
      return parseCount(value, &n) && n >= min;
    };
    if (name == "--endpoint") {
      size_t colon = value.rfind(':');
      uint64_t port = 0;
      if (colon == std::string::npos || !parseCount(value.substr(colon + 1), &port) ||
          port == 0 || port > 65535)
        return bad("--endpoint must be HOST:PORT");
      o.host = value.substr(0, colon);
      if (o.host.size() >= 2 && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
      if (o.host.empty() || o.host == "0.0.0.0") o.host = "127.0.0.1";
      o.port = static_cast<uint16_t>(port);
    } else if (name == "--signal") {
      if (value == "logs") o.payload.signal = LoadSignal::kLogs;
      else if (value == "traces") o.payload.signal = LoadSignal::kTraces;
      else if (value == "metrics") o.payload.signal = LoadSignal::kMetrics;
      else return bad("--signal must be logs, traces or metrics");
    } else if (name == "--format") {
      if (value == "protobuf" || value == "proto") o.payload.format = LoadFormat::kProtobuf;
      else if (value == "json") o.payload.format = LoadFormat::kJson;
      else return bad("--format must be protobuf or json");
    } else if (name == "--compression") {
      if (value == "none" || value == "identity") o.encoding.clear();
      else if (value == "gzip" || value == "zstd") o.encoding = value;
      else return bad("--compression must be none, gzip or zstd");
    } else if (name == "--connections") {
      if (!count(1)) return bad("--connections must be at least 1");
      o.connections = n;
    } else if (name == "--rate") {
      char* end = nullptr;
      o.rate = strtod(value.c_str(), &end);
      if (*end != '\0' || o.rate < 0) return bad("--rate must be a number >= 0");
    } else if (name == "--duration") {
      int64_t ms = 0;
      if (value == "0") ms = 0;
      else if (!otelhouse::parseGoDuration(value, &ms) || ms < 0) return bad("bad --duration " + value);
      o.duration_seconds = static_cast<double>(ms) / 1000.0;
    } else if (name == "--requests") {
      if (!count(1)) return bad("--requests must be at least 1");
      o.max_requests = n;
    } else if (name == "--records") {
      if (!count(1)) return bad("--records must be at least 1");
      o.payload.records = n;
    } else if (name == "--body-bytes") {
      if (!count(0)) return bad("--body-bytes must be a whole number");
      o.payload.body_bytes = n;
    } else if (name == "--attributes") {
      if (!count(0)) return bad("--attributes must be a whole number");
      o.payload.attributes = n;
    } else if (name == "--resources") {
      if (!count(1)) return bad("--resources must be at least 1");
      o.payload.resources = n;
    } else if (name == "--events") {
      if (!count(0)) return bad("--events must be a whole number");
      o.payload.events_per_span = n;
    } else if (name == "--pool") {
      if (!count(1)) return bad("--pool must be at least 1");
      o.pool = n;
    } else if (name == "--seed") {
      if (!count(0)) return bad("--seed must be a whole number");
      o.payload.seed = n;
    } else if (name == "--run-id") {
      if (value.size() != 8 || value.find('-') != std::string::npos)
        return bad("--run-id must be 8 characters without '-'");
      run_id = value;
    } else if (name == "--report") {
      if (value != "text" && value != "kv" && value != "both")
        return bad("--report must be text, kv or both");
      report = value;
    } else {
      return bad("unknown flag " + name);
    }
  }
  if (o.duration_seconds <= 0 && o.max_requests == 0)
    return bad("--duration 0 needs --requests N");
  o.payload.run_id = run_id.empty() ? otelhouse::loadgen::makeRunId() : run_id;

  auto result = otelhouse::loadgen::runLoad(o);
  if (!result.isOk()) {
    fprintf(stderr, "otelhouse-loadgen: %s\n", result.status().message().c_str());
    return 2;
  }
  const auto& r = result.value();
  if (report != "kv") fputs(otelhouse::loadgen::reportText(r).c_str(), stdout);
  if (report != "text") printf("loadgen %s\n", otelhouse::loadgen::reportKeyValues(r).c_str());
  return r.failed_requests == 0 && r.acked_requests > 0 ? 0 : 1;
}
