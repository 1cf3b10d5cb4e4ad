// Differential tests: decodeLogsProto against an oracle that parses with
// libprotobuf and fills LogsRows by walking the parsed messages, written
// independently and straightforwardly here (std::map for attribute maps).
// Both must accept and reject the same payloads and, when they accept,
// produce byte-identical Native blocks (all columns).
//
// The one documented difference: libprotobuf's proto3 parser rejects
// invalid UTF-8 in string fields; the decoder (like the Go collector) keeps
// the bytes. The oracle notices that case from libprotobuf's log message and
// the tests allow "oracle rejected for UTF-8, decoder accepted".
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "codec/otlp_logs_proto.h"
#include "codec/otlp_oracle.h"
#include "codec/otlp_random.h"
#include "rows/logs_rows.h"

namespace otelhouse {
namespace {

namespace logspb = opentelemetry::proto::logs::v1;
namespace collector = opentelemetry::proto::collector::logs::v1;
namespace oracle = otelhouse::testing::oracle;
using testing::OtlpRandom;
using testing::OtlpRandomOptions;
using testing::WireOptions;

// ---------------------------------------------------------------------------
// The oracle: libprotobuf parsing plus the shared column-text helpers of
// otlp_oracle.h (the traces and metrics differential tests use the same).

struct Outcome {
  bool ok = false;
  bool utf8 = false;  // the oracle rejected because of invalid UTF-8
  std::string error;
  LogsRows rows;
};

Outcome runOracle(const std::string& bytes) {
  Outcome o;
  collector::ExportLogsServiceRequest req;
  if (!oracle::parse(bytes, &req, &o.utf8)) {
    o.error = "libprotobuf parse failed";
    return o;
  }
  LogsRows& rows = o.rows;
  for (const auto& rl : req.resource_logs()) {
    const std::string service = oracle::serviceName(rl.resource().attributes());
    const auto res_attrs = oracle::attributes(rl.resource().attributes());
    for (const auto& sl : rl.scope_logs()) {
      const auto scope_attrs = oracle::attributes(sl.scope().attributes());
      for (const auto& r : sl.log_records()) {
        if (!r.trace_id().empty() && r.trace_id().size() != 16) {
          o.error = "bad trace_id";
          return o;
        }
        if (!r.span_id().empty() && r.span_id().size() != 8) {
          o.error = "bad span_id";
          return o;
        }
        const uint64_t t = r.time_unix_nano() ? r.time_unix_nano() : r.observed_time_unix_nano();
        rows.timestamp.append(static_cast<int64_t>(t));
        rows.trace_id.append(oracle::idOrEmpty(r.trace_id()));
        rows.span_id.append(oracle::idOrEmpty(r.span_id()));
        rows.trace_flags.append(static_cast<uint8_t>(r.flags() & 0xFF));
        rows.severity_text.append(r.severity_text());
        rows.severity_number.append(static_cast<uint8_t>(r.severity_number()));
        rows.service_name.append(service);
        rows.body.append(oracle::asString(r.body()));
        rows.resource_schema_url.append(rl.schema_url());
        for (const auto& [k, v] : res_attrs) rows.resource_attributes.addEntry(k, v);
        rows.resource_attributes.endRow();
        rows.scope_schema_url.append(sl.schema_url());
        rows.scope_name.append(sl.scope().name());
        rows.scope_version.append(sl.scope().version());
        for (const auto& [k, v] : scope_attrs) rows.scope_attributes.addEntry(k, v);
        rows.scope_attributes.endRow();
        for (const auto& [k, v] : oracle::attributes(r.attributes()))
          rows.log_attributes.addEntry(k, v);
        rows.log_attributes.endRow();
        rows.event_name.append(r.event_name());
      }
    }
  }
  o.ok = true;
  return o;
}

Outcome runDecoder(const std::string& bytes) {
  Outcome o;
  Status s = decodeLogsProto(bytes, o.rows);
  o.ok = s.isOk();
  o.error = s.message();
  if (!o.ok) {
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.message();
  } else {
    EXPECT_TRUE(o.rows.consistent());
  }
  return o;
}

// The name of the first column whose bytes differ, or "" when none does.
std::string firstDiff(const LogsRows& a, const LogsRows& b) {
  for (uint32_t bit = 1; bit & kLogsAllColumns; bit <<= 1) {
    std::string ea, eb;
    a.encodeNative(ea, bit);
    b.encodeNative(eb, bit);
    if (ea != eb) {
      for (const char* name :
           {"Timestamp", "TraceId", "SpanId", "TraceFlags", "SeverityText", "SeverityNumber",
            "ServiceName", "Body", "ResourceSchemaUrl", "ResourceAttributes", "ScopeSchemaUrl",
            "ScopeName", "ScopeVersion", "ScopeAttributes", "LogAttributes", "EventName"}) {
        if (logsColumnBit(name) == bit) return name;
      }
    }
  }
  if (a.rows() != b.rows()) return "row count";
  return "";
}

std::string hex(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

struct Tally {
  int both_ok = 0;
  int both_rejected = 0;
  int utf8_allowed = 0;
};

// Compares the decoder with the oracle on one payload; returns false on a
// disagreement (already reported).
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
                  << "\npayload: " << hex(bytes);
    return false;
  }
  if (!want.ok) {
    ++tally->both_rejected;
    return true;
  }
  std::string ew, eg;
  want.rows.encodeNative(ew, kLogsAllColumns);
  got.rows.encodeNative(eg, kLogsAllColumns);
  if (ew != eg || want.rows.rows() != got.rows.rows()) {
    ADD_FAILURE() << label << ": rows differ in column " << firstDiff(want.rows, got.rows)
                  << "\npayload: " << hex(bytes);
    return false;
  }
  ++tally->both_ok;
  return true;
}

// ---------------------------------------------------------------------------
// Hand-written payloads.

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

std::string str(const std::string& s) { return len(1, s); }                       // AnyValue
std::string kv(const std::string& k, const std::string& any) { return len(1, k) + len(2, any); }
std::string request(const std::string& resource, const std::string& scope,
                    const std::string& record) {
  return len(1, len(1, resource) + len(2, len(1, scope) + len(2, record)));
}

TEST(OtlpLogsDifferential, HandWrittenEdgeCases) {
  const std::string rec = fixed64(1, 5) + len(3, "INFO") + len(5, str("hello"));
  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"empty resource_logs", len(1, "")},
      {"empty everything", len(1, len(1, "") + len(2, len(1, "") + len(2, "")))},
      {"basic", request(len(1, kv("service.name", str("svc"))), len(1, "lib"), rec)},
      {"resource after scope_logs",
       len(1, len(2, len(2, rec)) + len(1, len(1, kv("service.name", str("late")))))},
      {"resource twice merges",
       len(1, len(1, len(1, kv("a", str("1")))) + len(2, len(2, rec)) +
                  len(1, len(1, kv("b", str("2"))) + len(1, kv("a", str("3")))))},
      {"scope twice merges",
       len(1, len(2, len(1, len(1, "n1") + len(2, "v1")) + len(2, rec) + len(1, len(1, "n2"))))},
      {"body twice: kvlists merge",
       request("", "", len(5, len(6, len(1, kv("x", str("1"))))) +
                           len(5, len(6, len(1, kv("y", vfield(3, 2)))))) },
      {"body twice: oneof switch drops kvlist",
       request("", "", len(5, len(6, len(1, kv("x", str("1"))))) + len(5, vfield(2, 1)) +
                           len(5, len(6, len(1, kv("y", str("2"))))))},
      {"body: array then string", request("", "", len(5, len(5, len(1, str("a"))) + str("s")))},
      {"kv value twice merges", request("", "", len(6, len(1, "k") + len(2, str("a")) +
                                                          len(2, vfield(3, 7))))},
      {"kv key twice: last wins",
       request("", "", len(6, len(1, "k1") + len(2, str("a")) + len(1, "k2")))},
      {"duplicate keys", request(len(1, kv("k", str("1"))) + len(1, kv("k", str("2"))), "",
                                 len(6, kv("a", str("x"))) + len(6, kv("a", str("y"))))},
      {"time twice: last wins", request("", "", fixed64(1, 9) + fixed64(1, 0) + fixed64(11, 77))},
      {"time as varint is unknown", request("", "", vfield(1, 5) + fixed64(11, 6))},
      {"severity as fixed32 is unknown", request("", "", fixed32(2, 9) + vfield(2, 300))},
      {"negative severity", request("", "", vfield(2, ~uint64_t{0}))},
      {"flags as varint is unknown", request("", "", vfield(8, 5) + fixed32(8, 0x1ff))},
      {"trace_id as varint is unknown", request("", "", vfield(9, 5))},
      {"zero ids", request("", "", len(9, std::string(16, '\0')) + len(10, std::string(8, '\0')))},
      {"bad trace id", request("", "", len(9, "12345"))},
      {"bad span id", request("", "", len(10, std::string(9, 'a')))},
      {"bad trace id overwritten", request("", "", len(9, "12345") + len(9, ""))},
      {"unknown fields everywhere",
       len(1, vfield(99, 1) + len(1, vfield(50, 3) + len(1, kv("a", str("b") + fixed32(9, 1)))) +
                  len(2, fixed64(77, 1) + len(2, rec + len(100, "junk") + tag(40, 3) +
                                                     vfield(1, 1) + tag(40, 4)))) +
           fixed32(1000, 5)},
      {"group at top level", tag(5, 3) + tag(6, 3) + tag(6, 4) + tag(5, 4)},
      {"mismatched group", tag(5, 3) + tag(6, 4)},
      {"unterminated group", tag(5, 3) + vfield(1, 1)},
      {"end group at top", tag(5, 4)},
      {"tag zero", std::string(1, '\0')},
      {"field number zero", std::string("\x02\x00", 2)},
      {"wire type 6", tag(3, 6)},
      {"wire type 7", tag(3, 7) + "abc"},
      {"truncated varint", tag(3, 0) + "\x80"},
      {"11-byte varint", tag(3, 0) + std::string(10, '\x80') + "\x01"},
      {"10-byte varint with high bits", tag(3, 0) + std::string(9, '\xff') + "\x7f"},
      {"padded length", std::string("\x0a\x80\x00", 3)},
      {"6-byte length", std::string("\x0a\x80\x80\x80\x80\x80\x00", 7)},
      {"5-byte tag", std::string("\x8a\x80\x80\x80\x00", 5) + varint(0)},
      {"5-byte tag with high bits", std::string("\x8a\x80\x80\x80\x70", 5) + varint(0)},
      {"6-byte tag", std::string("\x8a\x80\x80\x80\x80\x00", 6) + varint(0)},
      {"length past end", std::string("\x0a\x05\x00", 3)},
      {"huge length", std::string("\x0a\xff\xff\xff\xff\x07", 6)},
      {"every AnyValue type",
       request(len(1, kv("s", str("x")) + kv("b", vfield(2, 1))) +
                   len(1, kv("i", vfield(3, ~uint64_t{0}))) + len(1, kv("d", fixed64(4, 0x3FB999999999999A))) +
                   len(1, kv("y", len(7, "\x01\x02\xff"))) + len(1, kv("e", "")) +
                   len(1, len(1, "novalue")) +
                   len(1, kv("arr", len(5, len(1, str("a")) + len(1, "") + len(1, vfield(3, 5))))) +
                   len(1, kv("map", len(6, len(1, kv("z", "") ) + len(1, kv("a", len(7, "")))))),
               "", rec)},
      {"NaN nested and top level",
       request("", "", len(6, kv("n", fixed64(4, 0x7FF8000000000001))) +
                           len(6, kv("arr", len(5, len(1, fixed64(4, 0x7FF0000000000000))))))},
  };
  Tally t;
  for (const auto& [name, bytes] : cases) agree(bytes, &t, name);
  EXPECT_GT(t.both_ok, 20);
  EXPECT_GT(t.both_rejected, 10);
}

// Nested kvlists: libprotobuf allows 100 levels below the request.
std::string nestedBody(int levels) {
  std::string v = str("leaf");
  for (int i = 0; i < levels; ++i) v = len(6, len(1, kv("k", v)));
  return v;
}

TEST(OtlpLogsDifferential, NestingDepthLimit) {
  // request > resource_logs > scope_logs > log_records > body: body is at
  // depth 4; each kvlist level adds 3 (kvlist_value, KeyValue, value).
  Tally t;
  for (int levels = 28; levels <= 36; ++levels) {
    agree(request("", "", len(5, nestedBody(levels))), &t, "levels " + std::to_string(levels));
  }
  EXPECT_GT(t.both_ok, 0);
  EXPECT_GT(t.both_rejected, 0);
  // Groups in unknown fields count too.
  for (int groups = 90; groups <= 100; ++groups) {
    std::string g;
    for (int i = 0; i < groups; ++i) g += tag(20, 3);
    for (int i = 0; i < groups; ++i) g += tag(20, 4);
    agree(request("", "", g), &t, "groups " + std::to_string(groups));
  }
}

TEST(OtlpLogsDifferential, RandomPayloads) {
  Tally t;
  int failures = 0;
  for (uint64_t seed = 1; seed <= 2500 && failures < 5; ++seed) {
    OtlpRandom rnd(seed);
    const auto req = rnd.logsRequest();
    const std::string bytes = seed % 3 == 0 ? req.SerializeAsString() : rnd.wireEncode(req);
    if (!agree(bytes, &t, "seed " + std::to_string(seed))) ++failures;
  }
  EXPECT_EQ(t.both_rejected, 0);
  EXPECT_GE(t.both_ok, 2500);
  std::printf("random payloads: %d agreed\n", t.both_ok);
}

TEST(OtlpLogsDifferential, RandomPayloadsHeavyWireVariation) {
  Tally t;
  int failures = 0;
  WireOptions w;
  w.unknown_chance = 0.6;
  w.split_chance = 0.5;
  w.decoy_chance = 0.5;
  w.pad_chance = 0.3;
  for (uint64_t seed = 10001; seed <= 11000 && failures < 5; ++seed) {
    OtlpRandomOptions opt;
    opt.max_depth = 5;
    OtlpRandom rnd(seed, opt);
    const auto req = rnd.logsRequest();
    if (!agree(rnd.wireEncode(req, w), &t, "seed " + std::to_string(seed))) ++failures;
  }
  // Deep unknown groups may legitimately exceed the depth limit.
  EXPECT_GE(t.both_ok, 950);
}

TEST(OtlpLogsDifferential, RandomBadIds) {
  Tally t;
  OtlpRandomOptions opt;
  opt.bad_ids = true;
  for (uint64_t seed = 20001; seed <= 20500; ++seed) {
    OtlpRandom rnd(seed, opt);
    agree(rnd.logsRequest().SerializeAsString(), &t, "seed " + std::to_string(seed));
  }
  EXPECT_GT(t.both_rejected, 50);
  EXPECT_GT(t.both_ok, 50);
}

TEST(OtlpLogsDifferential, RandomMutations) {
  Tally t;
  int failures = 0;
  for (uint64_t seed = 30001; seed <= 34000 && failures < 5; ++seed) {
    OtlpRandomOptions opt;
    opt.max_resources = 2;
    opt.max_records = 3;
    OtlpRandom rnd(seed, opt);
    const auto req = rnd.logsRequest();
    const std::string base = seed % 2 ? req.SerializeAsString() : rnd.wireEncode(req);
    if (!agree(rnd.mutate(base), &t, "seed " + std::to_string(seed))) ++failures;
  }
  std::printf("mutations: %d both accepted, %d both rejected, %d UTF-8 only\n", t.both_ok,
              t.both_rejected, t.utf8_allowed);
  EXPECT_GT(t.both_rejected, 500);
  EXPECT_GT(t.both_ok, 500);
}

TEST(OtlpLogsDifferential, InvalidUtf8IsKeptWhereLibprotobufRejects) {
  Tally t;
  OtlpRandomOptions opt;
  opt.invalid_utf8 = true;
  for (uint64_t seed = 40001; seed <= 40300; ++seed) {
    OtlpRandom rnd(seed, opt);
    agree(rnd.logsRequest().SerializeAsString(), &t, "seed " + std::to_string(seed));
  }
  // The documented difference happens, and nothing else differs.
  EXPECT_GT(t.utf8_allowed, 50);
}

}  // namespace
}  // namespace otelhouse
