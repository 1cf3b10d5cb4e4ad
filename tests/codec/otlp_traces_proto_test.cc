// decodeTracesProto on hand-built payloads, with exact expected column values.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "codec/otlp_random.h"
#include "codec/otlp_traces_proto.h"
#include "rows/traces_rows.h"

namespace otelhouse {
namespace {

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
std::string vfield(uint32_t field, uint64_t v) { return tag(field, 0) + varint(v); }
std::string sv(const std::string& s) { return len(1, s); }
std::string kv(const std::string& k, const std::string& any) { return len(1, k) + len(2, any); }
std::string request(const std::string& resource, const std::string& scope,
                    const std::vector<std::string>& spans) {
  std::string ss = len(1, scope);
  for (const auto& s : spans) ss += len(2, s);
  return len(1, len(1, resource) + len(2, ss));
}
std::string oneSpan(const std::string& span) { return request("", "", {span}); }

std::vector<std::string> strings(const StringColumn& c) {
  std::vector<std::string> out;
  const std::string& d = c.serialized();
  size_t p = 0;
  while (p < d.size()) {
    uint64_t n = 0;
    for (int s = 0;; s += 7) {
      uint8_t b = static_cast<uint8_t>(d[p++]);
      n |= uint64_t{b & 0x7Fu} << s;
      if (b < 0x80) break;
    }
    out.push_back(d.substr(p, n));
    p += n;
  }
  return out;
}

using Map = std::vector<std::pair<std::string, std::string>>;
std::vector<Map> maps(const MapColumn& c) {
  const auto keys = strings(c.keys());
  const auto values = strings(c.values());
  std::vector<Map> out;
  uint64_t prev = 0;
  for (uint64_t off : c.offsets().values()) {
    Map m;
    for (uint64_t i = prev; i < off; ++i) m.emplace_back(keys[i], values[i]);
    out.push_back(std::move(m));
    prev = off;
  }
  return out;
}

// Row `row` of an Array(String) column.
std::vector<std::string> arrayRow(const ArrayStringColumn& c, size_t row) {
  const auto all = strings(c.data());
  const auto& off = c.offsets().values();
  const uint64_t b = row ? off[row - 1] : 0;
  return {all.begin() + static_cast<ptrdiff_t>(b), all.begin() + static_cast<ptrdiff_t>(off[row])};
}

TracesRows decodeOk(const std::string& body) {
  TracesRows rows;
  Status s = decodeTracesProto(body, rows);
  EXPECT_TRUE(s.isOk()) << s.message();
  EXPECT_TRUE(rows.consistent());
  return rows;
}

std::string decodeError(const std::string& body) {
  TracesRows rows;
  Status s = decodeTracesProto(body, rows);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  return s.message();
}

const std::string kTid("\x5b\x8e\xff\x66\x79\x8e\xa7\x84\x74\x0e\x2b\x5a\x1f\x00\x99\x0a", 16);
const std::string kSid("\xee\x57\xf0\x1b\x20\x00\x11\xff", 8);

TEST(OtlpTracesProto, EmptyRequestHasNoRows) {
  EXPECT_EQ(decodeOk("").rows(), 0u);
  EXPECT_EQ(decodeOk(len(1, "")).rows(), 0u);
  EXPECT_EQ(decodeOk(request("", "", {})).rows(), 0u);
}

TEST(OtlpTracesProto, FullSpanExactColumns) {
  const std::string span =
      len(1, kTid) + len(2, kSid) + len(3, "rojo=00f067aa0ba902b7") +
      len(4, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8)) + len(5, "GET /orders") +
      vfield(6, 2) + fixed64(7, 1700000000123456789ull) + fixed64(8, 1700000000123458289ull) +
      len(9, kv("http.status_code", vfield(3, 200))) + len(9, kv("a", sv("x"))) +
      len(11, fixed64(1, 1700000000200000000ull) + len(2, "e1") + len(3, kv("x", sv("1")))) +
      len(11, fixed64(1, 1700000000300000000ull) + len(2, "e2")) +
      len(13, len(1, kTid) + len(2, std::string(8, '\0')) + len(3, "k=v") +
                  len(4, kv("l", vfield(2, 1)))) +
      len(15, len(2, "boom") + vfield(3, 2));
  const std::string resource = len(1, kv("service.name", sv("checkout"))) + len(1, kv("h", sv("1")));
  const std::string scope = len(1, "io.tracer") + len(2, "1.2.3") + len(3, kv("s", sv("v")));
  TracesRows rows = decodeOk(request(resource, scope, {span}));
  ASSERT_EQ(rows.rows(), 1u);
  EXPECT_EQ(rows.timestamp.values()[0], 1700000000123456789ll);
  EXPECT_EQ(strings(rows.trace_id)[0], "5b8eff66798ea784740e2b5a1f00990a");
  EXPECT_EQ(strings(rows.span_id)[0], "ee57f01b200011ff");
  EXPECT_EQ(strings(rows.parent_span_id)[0], "0102030405060708");
  EXPECT_EQ(strings(rows.trace_state)[0], "rojo=00f067aa0ba902b7");
  EXPECT_EQ(strings(rows.span_name)[0], "GET /orders");
  EXPECT_EQ(strings(rows.span_kind)[0], "Server");
  EXPECT_EQ(strings(rows.service_name)[0], "checkout");
  EXPECT_EQ(maps(rows.resource_attributes)[0], (Map{{"h", "1"}, {"service.name", "checkout"}}));
  EXPECT_EQ(strings(rows.scope_name)[0], "io.tracer");
  EXPECT_EQ(strings(rows.scope_version)[0], "1.2.3");
  // The scope is not copied into SpanAttributes (newest exporter).
  EXPECT_EQ(maps(rows.span_attributes)[0], (Map{{"a", "x"}, {"http.status_code", "200"}}));
  EXPECT_EQ(rows.duration.values()[0], 1500u);
  EXPECT_EQ(strings(rows.status_code)[0], "Error");
  EXPECT_EQ(strings(rows.status_message)[0], "boom");
  EXPECT_EQ(rows.events_timestamp.data().values(),
            (std::vector<int64_t>{1700000000200000000ll, 1700000000300000000ll}));
  EXPECT_EQ(arrayRow(rows.events_name, 0), (std::vector<std::string>{"e1", "e2"}));
  EXPECT_EQ(maps(rows.events_attributes.data()), (std::vector<Map>{{{"x", "1"}}, {}}));
  EXPECT_EQ(rows.events_attributes.offsets().values(), (std::vector<uint64_t>{2}));
  EXPECT_EQ(arrayRow(rows.links_trace_id, 0),
            (std::vector<std::string>{"5b8eff66798ea784740e2b5a1f00990a"}));
  EXPECT_EQ(arrayRow(rows.links_span_id, 0), (std::vector<std::string>{""}));
  EXPECT_EQ(arrayRow(rows.links_trace_state, 0), (std::vector<std::string>{"k=v"}));
  EXPECT_EQ(maps(rows.links_attributes.data()), (std::vector<Map>{{{"l", "true"}}}));
}

TEST(OtlpTracesProto, EmptySpanDefaults) {
  TracesRows rows = decodeOk(oneSpan(""));
  ASSERT_EQ(rows.rows(), 1u);
  EXPECT_EQ(rows.timestamp.values()[0], 0);
  EXPECT_EQ(strings(rows.trace_id)[0], "");
  EXPECT_EQ(strings(rows.parent_span_id)[0], "");
  EXPECT_EQ(strings(rows.span_kind)[0], "Unspecified");
  EXPECT_EQ(strings(rows.status_code)[0], "Unset");
  EXPECT_EQ(rows.duration.values()[0], 0u);
  EXPECT_EQ(rows.events_name.offsets().values(), (std::vector<uint64_t>{0}));
  EXPECT_EQ(rows.links_attributes.offsets().values(), (std::vector<uint64_t>{0}));
}

TEST(OtlpTracesProto, SpanKindAndStatusNames) {
  const char* const kKinds[] = {"Unspecified", "Internal", "Server", "Client", "Producer",
                                "Consumer",    "",         ""};
  for (uint64_t k = 0; k < 8; ++k) {
    EXPECT_EQ(strings(decodeOk(oneSpan(vfield(6, k))).span_kind)[0], kKinds[k]) << k;
  }
  EXPECT_EQ(strings(decodeOk(oneSpan(vfield(6, ~uint64_t{0}))).span_kind)[0], "");
  // int32 on the wire: the low 32 bits count.
  EXPECT_EQ(strings(decodeOk(oneSpan(vfield(6, (uint64_t{1} << 32) + 4))).span_kind)[0],
            "Producer");
  const char* const kCodes[] = {"Unset", "Ok", "Error", ""};
  for (uint64_t c = 0; c < 4; ++c) {
    EXPECT_EQ(strings(decodeOk(oneSpan(len(15, vfield(3, c)))).status_code)[0], kCodes[c]);
  }
}

TEST(OtlpTracesProto, DurationWrapsWhenEndBeforeStart) {
  TracesRows rows = decodeOk(oneSpan(fixed64(7, 1000) + fixed64(8, 400)));
  EXPECT_EQ(rows.duration.values()[0], ~uint64_t{0} - 599);
  rows = decodeOk(oneSpan(fixed64(7, ~uint64_t{0})));
  EXPECT_EQ(rows.timestamp.values()[0], -1);
  EXPECT_EQ(rows.duration.values()[0], 1u);
}

TEST(OtlpTracesProto, StatusMergesAndLastWins) {
  TracesRows rows = decodeOk(oneSpan(len(15, len(2, "first") + vfield(3, 1)) +
                                     len(15, len(2, "second"))));
  EXPECT_EQ(strings(rows.status_message)[0], "second");
  EXPECT_EQ(strings(rows.status_code)[0], "Ok");
}

TEST(OtlpTracesProto, ZeroIdsAreEmpty) {
  TracesRows rows = decodeOk(oneSpan(len(1, std::string(16, '\0')) + len(2, std::string(8, '\0')) +
                                     len(4, std::string(8, '\0'))));
  EXPECT_EQ(strings(rows.trace_id)[0], "");
  EXPECT_EQ(strings(rows.span_id)[0], "");
  EXPECT_EQ(strings(rows.parent_span_id)[0], "");
}

TEST(OtlpTracesProto, BadIdLengthsNameThePlace) {
  EXPECT_EQ(decodeError(request("", "", {"", len(1, "12345")})),
            "resource_spans[0].scope_spans[0].spans[1].trace_id: invalid length 5 (want 0 or 16)");
  EXPECT_EQ(decodeError(oneSpan(len(2, "123"))),
            "resource_spans[0].scope_spans[0].spans[0].span_id: invalid length 3 (want 0 or 8)");
  EXPECT_EQ(decodeError(oneSpan(len(4, std::string(9, 'x')))),
            "resource_spans[0].scope_spans[0].spans[0].parent_span_id: invalid length 9 "
            "(want 0 or 8)");
  EXPECT_EQ(decodeError(oneSpan(len(13, "") + len(13, len(2, "1")))),
            "resource_spans[0].scope_spans[0].spans[0].links[1].span_id: invalid length 1 "
            "(want 0 or 8)");
  EXPECT_EQ(decodeError(oneSpan(len(13, len(1, std::string(17, 'x'))))),
            "resource_spans[0].scope_spans[0].spans[0].links[0].trace_id: invalid length 17 "
            "(want 0 or 16)");
}

TEST(OtlpTracesProto, WireErrorsNameThePlace) {
  EXPECT_EQ(decodeError(oneSpan(len(11, len(3, "\x0a\x05")))),
            "resource_spans[0].scope_spans[0].spans[0].events[0].attributes[0]: length exceeds "
            "the input at byte 14");
}

TEST(OtlpTracesProto, ResourceAndScopeRepeatPerSpanAndAcrossScopes) {
  const std::string body =
      len(1, len(2, len(1, len(1, "s1")) + len(2, "") + len(2, "")) +
                 len(2, len(1, len(1, "s2")) + len(2, "")) +
                 len(1, len(1, kv("service.name", vfield(3, 7)))));
  TracesRows rows = decodeOk(body);
  ASSERT_EQ(rows.rows(), 3u);
  EXPECT_EQ(strings(rows.scope_name), (std::vector<std::string>{"s1", "s1", "s2"}));
  EXPECT_EQ(strings(rows.service_name), (std::vector<std::string>{"7", "7", "7"}));
}

TEST(OtlpTracesProto, TruncationAtEveryOffsetFailsCleanly) {
  const std::string body = request(len(1, kv("service.name", sv("s"))), len(1, "n"),
                                   {len(1, kTid) + len(11, len(2, "e")) + len(13, len(1, kTid))});
  for (size_t n = 0; n < body.size(); ++n) {
    TracesRows rows;
    Status s = decodeTracesProto(std::string_view(body).substr(0, n), rows);
    if (!s.isOk()) {
      EXPECT_EQ(s.code(), Code::kInvalidArgument);
    }
  }
}

TEST(OtlpTracesProto, DecodeSpeedPrintout) {
  // Not an assertion: a rough MB/s figure for the test log.
  testing::OtlpRandomOptions opt;
  opt.special_chance = 0.02;
  opt.max_depth = 1;
  opt.max_attributes = 8;
  opt.max_points = 2;
  testing::OtlpRandom rnd(7, opt);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  rnd.fillResource(rs->mutable_resource());
  auto* ss = rs->add_scope_spans();
  for (int i = 0; i < 2000; ++i) rnd.fillSpan(ss->add_spans());
  const std::string body = req.SerializeAsString();
  TracesRows rows;
  const int iters = 20;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    rows.clear();
    ASSERT_TRUE(decodeTracesProto(body, rows).isOk());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest parsed;
    ASSERT_TRUE(parsed.ParseFromString(body));
  }
  const double pb = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const double mb = static_cast<double>(body.size()) * iters / 1e6;
  std::printf("decodeTracesProto: %.1f MB/s, %.0f spans/s (libprotobuf parse only: %.1f MB/s); "
              "payload %zu bytes, 2000 spans\n",
              mb / secs, 2000.0 * iters / secs, mb / pb, body.size());
}

}  // namespace
}  // namespace otelhouse
