// Differential tests: decodeTracesProto against an oracle that parses with
// libprotobuf and fills TracesRows by walking the parsed messages, written
// independently here from the collector's exporter_traces.go. Both must
// accept and reject the same payloads and, when they accept, produce
// byte-identical Native blocks (all columns).
//
// The one documented difference, as for logs: libprotobuf rejects invalid
// UTF-8 in proto3 strings, the decoder (like the Go collector) keeps it.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "codec/otlp_oracle.h"
#include "codec/otlp_random.h"
#include "codec/otlp_traces_proto.h"
#include "rows/traces_rows.h"

namespace otelhouse {
namespace {

namespace tracepb = opentelemetry::proto::trace::v1;
namespace collector = opentelemetry::proto::collector::trace::v1;
namespace oracle = testing::oracle;
using testing::OtlpRandom;
using testing::OtlpRandomOptions;
using testing::WireOptions;

const char* const kColumns[] = {
    "Timestamp",       "TraceId",          "SpanId",           "ParentSpanId",
    "TraceState",      "SpanName",         "SpanKind",         "ServiceName",
    "ResourceAttributes", "ScopeName",     "ScopeVersion",     "SpanAttributes",
    "Duration",        "StatusCode",       "StatusMessage",    "Events.Timestamp",
    "Events.Name",     "Events.Attributes", "Links.TraceId",   "Links.SpanId",
    "Links.TraceState", "Links.Attributes"};

std::string kindName(int32_t k) {
  static const char* const kNames[] = {"Unspecified", "Internal", "Server",
                                       "Client",      "Producer", "Consumer"};
  return k >= 0 && k < 6 ? kNames[k] : "";
}

std::string codeName(int32_t c) {
  static const char* const kNames[] = {"Unset", "Ok", "Error"};
  return c >= 0 && c < 3 ? kNames[c] : "";
}

struct Outcome {
  bool ok = false;
  bool utf8 = false;
  std::string error;
  TracesRows rows;
};

bool badId(const std::string& id, size_t want) { return !id.empty() && id.size() != want; }

Outcome runOracle(const std::string& bytes) {
  Outcome o;
  collector::ExportTraceServiceRequest req;
  if (!oracle::parse(bytes, &req, &o.utf8)) {
    o.error = "libprotobuf parse failed";
    return o;
  }
  TracesRows& rows = o.rows;
  for (const auto& rs : req.resource_spans()) {
    const std::string service = oracle::serviceName(rs.resource().attributes());
    const auto res_attrs = oracle::attributes(rs.resource().attributes());
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& s : ss.spans()) {
        bool bad = badId(s.trace_id(), 16) || badId(s.span_id(), 8) ||
                   badId(s.parent_span_id(), 8);
        for (const auto& l : s.links()) bad = bad || badId(l.trace_id(), 16) || badId(l.span_id(), 8);
        if (bad) {
          o.error = "bad id";
          return o;
        }
        rows.timestamp.append(static_cast<int64_t>(s.start_time_unix_nano()));
        rows.trace_id.append(oracle::idOrEmpty(s.trace_id()));
        rows.span_id.append(oracle::idOrEmpty(s.span_id()));
        rows.parent_span_id.append(oracle::idOrEmpty(s.parent_span_id()));
        rows.trace_state.append(s.trace_state());
        rows.span_name.append(s.name());
        rows.span_kind.append(kindName(s.kind()));
        rows.service_name.append(service);
        for (const auto& [k, v] : res_attrs) rows.resource_attributes.addEntry(k, v);
        rows.resource_attributes.endRow();
        rows.scope_name.append(ss.scope().name());
        rows.scope_version.append(ss.scope().version());
        for (const auto& [k, v] : oracle::attributes(s.attributes())) {
          rows.span_attributes.addEntry(k, v);
        }
        rows.span_attributes.endRow();
        rows.duration.append(s.end_time_unix_nano() - s.start_time_unix_nano());
        rows.status_code.append(codeName(s.status().code()));
        rows.status_message.append(s.status().message());
        for (const auto& e : s.events()) {
          rows.events_timestamp.add(static_cast<int64_t>(e.time_unix_nano()));
          rows.events_name.add(e.name());
          for (const auto& [k, v] : oracle::attributes(e.attributes())) {
            rows.events_attributes.element().addEntry(k, v);
          }
          rows.events_attributes.element().endRow();
        }
        rows.events_timestamp.endRow();
        rows.events_name.endRow();
        rows.events_attributes.endRow();
        for (const auto& l : s.links()) {
          rows.links_trace_id.add(oracle::idOrEmpty(l.trace_id()));
          rows.links_span_id.add(oracle::idOrEmpty(l.span_id()));
          rows.links_trace_state.add(l.trace_state());
          for (const auto& [k, v] : oracle::attributes(l.attributes())) {
            rows.links_attributes.element().addEntry(k, v);
          }
          rows.links_attributes.element().endRow();
        }
        rows.links_trace_id.endRow();
        rows.links_span_id.endRow();
        rows.links_trace_state.endRow();
        rows.links_attributes.endRow();
      }
    }
  }
  o.ok = true;
  return o;
}

Outcome runDecoder(const std::string& bytes) {
  Outcome o;
  Status s = decodeTracesProto(bytes, o.rows);
  o.ok = s.isOk();
  o.error = s.message();
  if (!o.ok) {
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.message();
  } else {
    EXPECT_TRUE(o.rows.consistent());
  }
  return o;
}

std::string firstDiff(const TracesRows& a, const TracesRows& b) {
  for (const char* name : kColumns) {
    std::string ea, eb;
    a.encodeNative(ea, ColumnSet({name}));
    b.encodeNative(eb, ColumnSet({name}));
    if (ea != eb) return name;
  }
  return a.rows() != b.rows() ? "row count" : "";
}

struct Tally {
  int both_ok = 0;
  int both_rejected = 0;
  int utf8_allowed = 0;
  size_t rows = 0;
};

bool agree(const std::string& bytes, Tally* tally, const std::string& label) {
  Outcome want = runOracle(bytes);
  Outcome got = runDecoder(bytes);
  if (!want.ok && want.utf8 && got.ok) {
    ++tally->utf8_allowed;
    return true;
  }
  if (want.ok != got.ok) {
    ADD_FAILURE() << label << ": oracle " << (want.ok ? "accepted" : "rejected (" + want.error + ")")
                  << ", decoder " << (got.ok ? "accepted" : "rejected (" + got.error + ")")
                  << "\npayload: " << oracle::hex(bytes);
    return false;
  }
  if (!want.ok) {
    ++tally->both_rejected;
    return true;
  }
  std::string ew, eg;
  want.rows.encodeNative(ew);
  got.rows.encodeNative(eg);
  if (ew != eg || want.rows.rows() != got.rows.rows()) {
    ADD_FAILURE() << label << ": rows differ in column " << firstDiff(want.rows, got.rows)
                  << "\npayload: " << oracle::hex(bytes);
    return false;
  }
  ++tally->both_ok;
  tally->rows += got.rows.rows();
  return true;
}

// --- hand-written payloads

std::string varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string tag(uint32_t field, int wt) { return varint((uint64_t{field} << 3) | wt); }
std::string len(uint32_t field, const std::string& payload) {
  return tag(field, 2) + varint(payload.size()) + payload;
}
std::string fixed64(uint32_t field, uint64_t v) {
  std::string s = tag(field, 1);
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string fixed32(uint32_t field, uint32_t v) {
  std::string s = tag(field, 5);
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}
std::string vfield(uint32_t field, uint64_t v) { return tag(field, 0) + varint(v); }
std::string str(const std::string& s) { return len(1, s); }
std::string kv(const std::string& k, const std::string& any) { return len(1, k) + len(2, any); }
std::string request(const std::string& resource, const std::string& scope,
                    const std::string& span) {
  return len(1, len(1, resource) + len(2, len(1, scope) + len(2, span)));
}

const std::string kTid(16, '\x11');
const std::string kSid(8, '\x22');

TEST(OtlpTracesDifferential, HandWrittenEdgeCases) {
  const std::string span = len(1, kTid) + len(2, kSid) + len(5, "GET /") + vfield(6, 2) +
                           fixed64(7, 1000) + fixed64(8, 2500) + len(9, kv("a", str("b")));
  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"empty resource_spans", len(1, "")},
      {"empty span", request("", "", "")},
      {"basic", request(len(1, kv("service.name", str("svc"))), len(1, "lib") + len(2, "1.0"),
                        span)},
      {"every field",
       request(len(1, kv("service.name", vfield(3, 7))) + len(1, kv("host", str("h"))),
               len(1, "tracer") + len(2, "2.0") + len(3, kv("sa", str("x"))) + vfield(4, 3),
               span + len(3, "k=v") + len(4, std::string(8, '\x33')) + vfield(10, 4) +
                   len(11, fixed64(1, 1500) + len(2, "ev") + len(3, kv("e", vfield(2, 1)))) +
                   len(11, "") +
                   len(13, len(1, kTid) + len(2, kSid) + len(3, "ts") +
                               len(4, kv("l", str("1"))) + fixed32(6, 1)) +
                   len(13, "") + len(15, len(2, "boom") + vfield(3, 2)) + fixed32(16, 0x301))},
      {"kinds: unknown 7", request("", "", vfield(6, 7))},
      {"kinds: negative", request("", "", vfield(6, ~uint64_t{0}))},
      {"kinds: 2^32 + 3 keeps low bits", request("", "", vfield(6, (uint64_t{1} << 32) + 3))},
      {"kind as fixed32 is unknown", request("", "", fixed32(6, 2) + vfield(6, 5))},
      {"status unknown code", request("", "", len(15, vfield(3, 9)))},
      {"status negative code", request("", "", len(15, vfield(3, ~uint64_t{1})))},
      {"status twice merges", request("", "", len(15, len(2, "m1") + vfield(3, 2)) +
                                                  len(15, len(2, "m2")))},
      {"status deprecated field 1", request("", "", len(15, vfield(1, 2)))},
      {"end before start", request("", "", fixed64(7, 5000) + fixed64(8, 10))},
      {"start only", request("", "", fixed64(7, ~uint64_t{0}))},
      {"end only", request("", "", fixed64(8, 77))},
      {"zero ids", request("", "", len(1, std::string(16, '\0')) + len(2, std::string(8, '\0')) +
                                       len(4, std::string(8, '\0')) +
                                       len(13, len(1, std::string(16, '\0')) +
                                                   len(2, std::string(8, '\0'))))},
      {"bad trace id", request("", "", len(1, "12345"))},
      {"bad span id", request("", "", len(2, std::string(9, 'a')))},
      {"bad parent id", request("", "", len(4, std::string(7, 'a')))},
      {"bad link trace id", request("", "", len(13, len(1, std::string(15, 'a'))))},
      {"bad link span id", request("", "", len(13, len(2, "a")))},
      {"bad id overwritten", request("", "", len(1, "12345") + len(1, kTid))},
      {"resource after scope_spans",
       len(1, len(2, len(2, span)) + len(1, len(1, kv("service.name", str("late")))))},
      {"scope twice merges",
       len(1, len(2, len(1, len(1, "n1") + len(2, "v1")) + len(2, span) + len(1, len(1, "n2"))))},
      {"duplicate attribute keys",
       request("", "", len(9, kv("k", str("1"))) + len(9, kv("k", str("2"))) +
                           len(11, len(3, kv("e", str("1"))) + len(3, kv("e", str("2")))))},
      {"unknown fields everywhere",
       len(1, vfield(99, 1) + len(2, fixed64(77, 1) + len(2, span + len(100, "junk") + tag(40, 3) +
                                                         vfield(1, 1) + tag(40, 4)) +
                                     len(1, fixed32(9, 1)))) +
           fixed32(1000, 5)},
      {"event fields with foreign wire types",
       request("", "", len(11, vfield(1, 5) + fixed64(2, 1) + fixed32(3, 1)))},
      {"malformed event", request("", "", len(11, "\x0a\x05"))},
      {"malformed link attribute", request("", "", len(13, len(4, "\x12\x09\x0a")))},
      {"malformed status", request("", "", len(15, "\x10"))},
      {"truncated", request("", "", span).substr(0, 20)},
      {"NaN attribute", request("", "", len(9, kv("n", fixed64(4, 0x7FF8000000000001))))},
  };
  Tally t;
  for (const auto& [name, bytes] : cases) agree(bytes, &t, name);
  EXPECT_GE(t.both_ok, 22);
  EXPECT_GE(t.both_rejected, 9);
}

TEST(OtlpTracesDifferential, RandomPayloads) {
  Tally t;
  int failures = 0;
  for (uint64_t seed = 1; seed <= 1500 && failures < 5; ++seed) {
    OtlpRandom rnd(seed);
    const auto req = rnd.tracesRequest();
    const std::string bytes = seed % 3 == 0 ? req.SerializeAsString() : rnd.wireEncode(req);
    if (!agree(bytes, &t, "seed " + std::to_string(seed))) ++failures;
  }
  EXPECT_EQ(t.both_rejected, 0);
  EXPECT_GE(t.both_ok, 1500);
  std::printf("random traces requests: %d agreed, %zu spans\n", t.both_ok, t.rows);
}

TEST(OtlpTracesDifferential, RandomPayloadsHeavyWireVariation) {
  Tally t;
  int failures = 0;
  WireOptions w;
  w.unknown_chance = 0.6;
  w.split_chance = 0.5;
  w.decoy_chance = 0.5;
  w.pad_chance = 0.3;
  for (uint64_t seed = 10001; seed <= 10600 && failures < 5; ++seed) {
    OtlpRandomOptions opt;
    opt.max_depth = 4;
    OtlpRandom rnd(seed, opt);
    const auto req = rnd.tracesRequest();
    if (!agree(rnd.wireEncode(req, w), &t, "seed " + std::to_string(seed))) ++failures;
  }
  EXPECT_GE(t.both_ok, 550);
}

TEST(OtlpTracesDifferential, RandomBadIds) {
  Tally t;
  OtlpRandomOptions opt;
  opt.bad_ids = true;
  for (uint64_t seed = 20001; seed <= 20400; ++seed) {
    OtlpRandom rnd(seed, opt);
    agree(rnd.tracesRequest().SerializeAsString(), &t, "seed " + std::to_string(seed));
  }
  EXPECT_GT(t.both_rejected, 50);
  EXPECT_GT(t.both_ok, 50);
}

TEST(OtlpTracesDifferential, RandomMutations) {
  Tally t;
  int failures = 0;
  for (uint64_t seed = 30001; seed <= 33000 && failures < 5; ++seed) {
    OtlpRandomOptions opt;
    opt.max_resources = 2;
    opt.max_records = 3;
    OtlpRandom rnd(seed, opt);
    const auto req = rnd.tracesRequest();
    const std::string base = seed % 2 ? req.SerializeAsString() : rnd.wireEncode(req);
    if (!agree(rnd.mutate(base), &t, "seed " + std::to_string(seed))) ++failures;
  }
  std::printf("traces mutations: %d both accepted, %d both rejected, %d UTF-8 only\n", t.both_ok,
              t.both_rejected, t.utf8_allowed);
  EXPECT_GT(t.both_rejected, 400);
  EXPECT_GT(t.both_ok, 400);
}

TEST(OtlpTracesDifferential, InvalidUtf8IsKeptWhereLibprotobufRejects) {
  Tally t;
  OtlpRandomOptions opt;
  opt.invalid_utf8 = true;
  for (uint64_t seed = 40001; seed <= 40200; ++seed) {
    OtlpRandom rnd(seed, opt);
    agree(rnd.tracesRequest().SerializeAsString(), &t, "seed " + std::to_string(seed));
  }
  EXPECT_GT(t.utf8_allowed, 30);
}

}  // namespace
}  // namespace otelhouse
