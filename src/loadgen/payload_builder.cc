#include "loadgen/payload_builder.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "loadgen/otlp_writer.h"

namespace otelhouse::loadgen {
namespace {

const char* const kServices[] = {"checkout", "cart", "payment", "frontend", "ad-service",
                                 "shipping", "currency", "recommendation"};
const char* const kRoutes[] = {"/api/cart", "/api/checkout", "/api/products/{id}",
                               "/api/recommendations", "/api/currency/convert", "/healthz",
                               "/api/orders/{id}/items", "/api/users/{id}/session"};
const char* const kMethods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
const char* const kWords[] = {"request", "completed", "for", "user", "in", "ms", "cache",
                              "miss", "upstream", "returned", "status", "retrying", "order",
                              "payment", "authorized", "item", "added", "to", "cart", "session",
                              "timeout", "connection", "pool", "exhausted", "query", "rows"};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint64_t below(uint64_t n) { return n ? rng_() % n : 0; }
  std::string bytes(size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng_());
    if (s[0] == 0) s[0] = 1;  // never all zero: that means "no id"
    return s;
  }
  std::string text(size_t n) {
    std::string s;
    s.reserve(n + 16);
    while (s.size() < n) {
      if (!s.empty()) s += ' ';
      s += kWords[below(std::size(kWords))];
      if (below(5) == 0) {
        s += ' ';
        s += std::to_string(below(100000));
      }
    }
    s.resize(n);
    return s;
  }
  template <size_t N>
  const char* pick(const char* const (&a)[N]) {
    return a[below(N)];
  }

 private:
  std::mt19937_64 rng_;
};

struct Ctx {
  OtlpWriter& w;
  Gen& g;
  const PayloadOptions& o;
  uint64_t now;
  uint64_t seq = 0;
};

void kvString(OtlpWriter& w, std::string_view key, std::string_view v) {
  w.beginMessage(0, "");
  w.string(1, "key", key);
  w.beginMessage(2, "value");
  w.string(1, "stringValue", v);
  w.endMessage();
  w.endMessage();
}
void kvInt(OtlpWriter& w, std::string_view key, int64_t v) {
  w.beginMessage(0, "");
  w.string(1, "key", key);
  w.beginMessage(2, "value");
  w.int64(3, "intValue", v);
  w.endMessage();
  w.endMessage();
}
void kvDouble(OtlpWriter& w, std::string_view key, double v) {
  w.beginMessage(0, "");
  w.string(1, "key", key);
  w.beginMessage(2, "value");
  w.dbl(4, "doubleValue", v);
  w.endMessage();
  w.endMessage();
}
void kvBool(OtlpWriter& w, std::string_view key, bool v) {
  w.beginMessage(0, "");
  w.string(1, "key", key);
  w.beginMessage(2, "value");
  w.boolean(2, "boolValue", v);
  w.endMessage();
  w.endMessage();
}

// The id's digits start as the item's index; stampIds() rewrites them.
void idAttribute(Ctx& c) {
  char digits[kSeqDigits + 1];
  snprintf(digits, sizeof digits, "%012llx", static_cast<unsigned long long>(c.seq++));
  kvString(c.w, "loadgen.id", c.o.run_id + "-" + digits);
}

// `count` attributes in the elements of an open "attributes" array: the id,
// then typical HTTP / code attributes, then filler strings.
void itemAttributes(Ctx& c, size_t count, const char* route, const char* method, int status) {
  OtlpWriter& w = c.w;
  Gen& g = c.g;
  if (count == 0) return;
  idAttribute(c);
  for (size_t i = 1; i < count; ++i) {
    switch (i) {
      case 1: kvString(w, "http.request.method", method); break;
      case 2: kvString(w, "http.route", route); break;
      case 3: kvInt(w, "http.response.status_code", status); break;
      case 4: kvString(w, "user.id", "user-" + std::to_string(g.below(50000))); break;
      case 5: kvDouble(w, "duration_ms", static_cast<double>(g.below(200000)) / 100.0); break;
      case 6:
        kvString(w, "client.address", "10.0." + std::to_string(g.below(256)) + "." +
                                          std::to_string(g.below(256)));
        break;
      case 7: kvString(w, "thread.name", "worker-" + std::to_string(g.below(32))); break;
      case 8: kvBool(w, "cache.hit", g.below(2) == 0); break;
      case 9: kvString(w, "code.function", "handle" + std::to_string(g.below(40))); break;
      case 10: kvInt(w, "db.rows_affected", static_cast<int64_t>(g.below(1000))); break;
      default: kvString(w, "extra.attr." + std::to_string(i), g.text(12)); break;
    }
  }
}

void resource(Ctx& c, size_t index) {
  OtlpWriter& w = c.w;
  Gen& g = c.g;
  const char* svc = kServices[(index + c.o.seed) % std::size(kServices)];
  w.beginMessage(1, "resource");
  w.beginArray(1, "attributes");
  kvString(w, "service.name", svc);
  kvString(w, "service.version", "1." + std::to_string(g.below(20)) + ".0");
  kvString(w, "service.namespace", "shop");
  kvString(w, "deployment.environment", "production");
  kvString(w, "host.name", "node-" + std::to_string(g.below(64)));
  kvString(w, "host.arch", "amd64");
  kvString(w, "os.type", "linux");
  kvString(w, "k8s.namespace.name", "shop-prod");
  kvString(w, "k8s.pod.name", std::string(svc) + "-7d9f8b6c5-" + g.text(5));
  kvString(w, "container.id", g.text(24));
  kvInt(w, "process.pid", static_cast<int64_t>(1 + g.below(60000)));
  kvString(w, "telemetry.sdk.name", "opentelemetry");
  kvString(w, "telemetry.sdk.language", "go");
  kvString(w, "telemetry.sdk.version", "1.32.0");
  w.endArray();
  w.endMessage();
}

void scope(Ctx& c, size_t index) {
  OtlpWriter& w = c.w;
  w.beginMessage(1, "scope");
  w.string(1, "name", std::string("shop/") + kServices[index % std::size(kServices)]);
  w.string(2, "version", "0.4.2");
  w.beginArray(3, "attributes");
  kvString(w, "library.kind", "instrumentation");
  w.endArray();
  w.endMessage();
}

void logRecord(Ctx& c) {
  OtlpWriter& w = c.w;
  Gen& g = c.g;
  static const struct {
    uint32_t number;
    const char* text;
  } kSeverities[] = {{9, "INFO"}, {9, "INFO"}, {9, "INFO"}, {9, "INFO"}, {5, "DEBUG"},
                     {13, "WARN"}, {17, "ERROR"}};
  auto sev = kSeverities[g.below(std::size(kSeverities))];
  const uint64_t t = c.now - g.below(1000000000);
  w.beginMessage(0, "");
  w.fixed64(1, "timeUnixNano", t);
  w.fixed64(11, "observedTimeUnixNano", t + g.below(1000000));
  w.uint(2, "severityNumber", sev.number);
  w.string(3, "severityText", sev.text);
  w.beginMessage(5, "body");
  w.string(1, "stringValue", g.text(c.o.body_bytes));
  w.endMessage();
  w.beginArray(6, "attributes");
  itemAttributes(c, c.o.attributes, g.pick(kRoutes), g.pick(kMethods),
                 g.below(10) == 0 ? 500 : 200);
  w.endArray();
  w.fixed32(8, "flags", 1);
  w.id(9, "traceId", g.bytes(16));
  w.id(10, "spanId", g.bytes(8));
  w.endMessage();
}

void span(Ctx& c) {
  OtlpWriter& w = c.w;
  Gen& g = c.g;
  const char* route = g.pick(kRoutes);
  const char* method = g.pick(kMethods);
  const bool error = g.below(10) == 0;
  const uint64_t start = c.now - g.below(1000000000);
  const uint64_t end = start + 1000 + g.below(50000000);
  w.beginMessage(0, "");
  w.id(1, "traceId", g.bytes(16));
  w.id(2, "spanId", g.bytes(8));
  if (g.below(4) != 0) w.id(4, "parentSpanId", g.bytes(8));
  w.string(5, "name", std::string(method) + " " + route);
  w.uint(6, "kind", 1 + g.below(3));
  w.fixed64(7, "startTimeUnixNano", start);
  w.fixed64(8, "endTimeUnixNano", end);
  w.beginArray(9, "attributes");
  itemAttributes(c, c.o.attributes, route, method, error ? 500 : 200);
  w.endArray();
  if (c.o.events_per_span > 0) {
    w.beginArray(11, "events");
    for (size_t e = 0; e < c.o.events_per_span; ++e) {
      w.beginMessage(0, "");
      w.fixed64(1, "timeUnixNano", start + (end - start) * (e + 1) / (c.o.events_per_span + 1));
      w.string(2, "name", error && e == 0 ? "exception" : "message");
      w.beginArray(3, "attributes");
      kvString(w, error && e == 0 ? "exception.message" : "message.type",
               error && e == 0 ? g.text(40) : "SENT");
      kvInt(w, "message.id", static_cast<int64_t>(e + 1));
      w.endArray();
      w.endMessage();
    }
    w.endArray();
  }
  w.beginMessage(15, "status");
  if (error) w.string(2, "message", "upstream returned 500");
  w.uint(3, "code", error ? 2 : 0);
  w.endMessage();
  w.endMessage();
}

// `points` data points of one gauge or sum metric.
void metric(Ctx& c, size_t index, size_t points) {
  static const struct {
    const char* name;
    const char* unit;
    bool sum;
  } kMetrics[] = {{"http.server.request.count", "{request}", true},
                  {"process.cpu.utilization", "1", false},
                  {"db.client.connections.usage", "{connection}", false},
                  {"http.server.response.body.size", "By", true}};
  OtlpWriter& w = c.w;
  Gen& g = c.g;
  auto m = kMetrics[index % std::size(kMetrics)];
  w.beginMessage(0, "");
  w.string(1, "name", m.name);
  w.string(2, "description", std::string("The ") + m.name);
  w.string(3, "unit", m.unit);
  w.beginMessage(m.sum ? 7 : 5, m.sum ? "sum" : "gauge");
  w.beginArray(1, "dataPoints");
  for (size_t p = 0; p < points; ++p) {
    w.beginMessage(0, "");
    w.beginArray(7, "attributes");
    itemAttributes(c, c.o.attributes, g.pick(kRoutes), g.pick(kMethods),
                   g.below(10) == 0 ? 500 : 200);
    w.endArray();
    w.fixed64(2, "startTimeUnixNano", c.now - 60000000000ull);
    w.fixed64(3, "timeUnixNano", c.now - g.below(1000000000));
    if (m.sum) w.sfixed64(6, "asInt", static_cast<int64_t>(g.below(1000000)));
    else w.dbl(4, "asDouble", static_cast<double>(g.below(10000)) / 10000.0);
    w.endMessage();
  }
  w.endArray();
  if (m.sum) {
    w.uint(2, "aggregationTemporality", 2);
    w.boolean(3, "isMonotonic", true);
  }
  w.endMessage();
  w.endMessage();
}

}  // namespace

const char* loadSignalName(LoadSignal signal) {
  switch (signal) {
    case LoadSignal::kLogs: return "logs";
    case LoadSignal::kTraces: return "traces";
    case LoadSignal::kMetrics: return "metrics";
  }
  return "?";
}

Payload buildPayload(const PayloadOptions& o, uint64_t variant) {
  auto writer = o.format == LoadFormat::kJson ? makeJsonWriter() : makeProtoWriter();
  OtlpWriter& w = *writer;
  Gen g(o.seed * 0x9e3779b97f4a7c15ull + variant);
  uint64_t now = o.time_unix_nano;
  if (now == 0)
    now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  Ctx c{w, g, o, now};

  static const char* const kResourceName[] = {"resourceLogs", "resourceSpans", "resourceMetrics"};
  static const char* const kScopeName[] = {"scopeLogs", "scopeSpans", "scopeMetrics"};
  static const char* const kItemName[] = {"logRecords", "spans", "metrics"};
  const int s = static_cast<int>(o.signal);
  const size_t resources = o.resources ? o.resources : 1;
  constexpr size_t kPointsPerMetric = 10;

  w.beginArray(1, kResourceName[s]);
  for (size_t r = 0; r < resources; ++r) {
    const size_t first = o.records * r / resources;
    const size_t items = o.records * (r + 1) / resources - first;
    w.beginMessage(0, "");
    resource(c, r + variant);
    w.beginArray(2, kScopeName[s]);
    w.beginMessage(0, "");
    scope(c, r + variant);
    w.beginArray(2, kItemName[s]);
    if (o.signal == LoadSignal::kMetrics) {
      for (size_t done = 0, m = 0; done < items; ++m) {
        size_t n = std::min(kPointsPerMetric, items - done);
        metric(c, m, n);
        done += n;
      }
    } else {
      for (size_t i = 0; i < items; ++i) {
        if (o.signal == LoadSignal::kLogs) logRecord(c);
        else span(c);
      }
    }
    w.endArray();
    w.string(3, "schemaUrl", "https://opentelemetry.io/schemas/1.24.0");
    w.endMessage();
    w.endArray();
    w.string(3, "schemaUrl", "https://opentelemetry.io/schemas/1.24.0");
    w.endMessage();
  }
  w.endArray();

  Payload p;
  p.body = w.take();
  if (o.attributes > 0) {
    const std::string marker = o.run_id + "-";
    for (size_t at = p.body.find(marker); at != std::string::npos;
         at = p.body.find(marker, at + 1))
      p.id_offsets.push_back(static_cast<uint32_t>(at + marker.size()));
  }
  return p;
}

void stampIds(Payload& payload, uint64_t first_seq) {
  static const char kHex[] = "0123456789abcdef";
  char* body = payload.body.data();
  for (uint32_t off : payload.id_offsets) {
    uint64_t v = first_seq++;
    for (size_t d = kSeqDigits; d-- > 0;) {
      body[off + d] = kHex[v & 15];
      v >>= 4;
    }
  }
}

std::string makeRunId() {
  std::random_device rd;
  char buf[9];
  snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return buf;
}

}  // namespace otelhouse::loadgen
