// The libprotobuf baseline for logs: the same job as decodeLogsProto (OTLP
// bytes -> otel_logs column builders, same column values) done the usual way:
// parse into arena-allocated generated messages, then walk them. The ratio
// BM_LogsProtoDecode / BM_LogsLibprotobufDecode is the decoder's speed-up.
#include <benchmark/benchmark.h>

#include <google/protobuf/arena.h>

#include <algorithm>
#include <string>
#include <vector>

#include "codec/otlp_logs_proto.h"
#include "codec/otlp_oracle.h"
#include "corpus.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "rows/logs_rows.h"

namespace otelhouse::bench {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace logs = opentelemetry::proto::logs::v1;
namespace oracle = otelhouse::testing::oracle;
using KeyValues = google::protobuf::RepeatedPtrField<common::KeyValue>;

// Reused per thread, as a real decoder built on libprotobuf would.
struct Scratch {
  struct Entry {
    std::string_view key;
    std::string_view value;
  };
  std::vector<Entry> entries;
  std::vector<std::string> rendered;  // AsString of values that are not strings
  std::string keys, values;
};

std::string_view asStringView(const common::AnyValue& v, Scratch& s, size_t slot) {
  if (v.value_case() == common::AnyValue::kStringValue) return v.string_value();
  if (s.rendered.size() <= slot) s.rendered.resize(slot + 1);
  s.rendered[slot] = oracle::asString(v);
  return s.rendered[slot];
}

// Keys sorted bytewise, the last duplicate wins; serialized as MapColumn takes them.
size_t renderMap(const KeyValues& attrs, Scratch& s) {
  s.entries.clear();
  // Sized first: views into `rendered` must not move while the map is built.
  if (s.rendered.size() < static_cast<size_t>(attrs.size())) s.rendered.resize(attrs.size());
  for (int i = 0; i < attrs.size(); ++i)
    s.entries.push_back({attrs[i].key(), asStringView(attrs[i].value(), s, i)});
  std::stable_sort(s.entries.begin(), s.entries.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  s.keys.clear();
  s.values.clear();
  size_t n = 0;
  for (size_t i = 0; i < s.entries.size(); ++i) {
    if (i + 1 < s.entries.size() && s.entries[i + 1].key == s.entries[i].key) continue;
    appendVarUInt(s.keys, s.entries[i].key.size());
    s.keys += s.entries[i].key;
    appendVarUInt(s.values, s.entries[i].value.size());
    s.values += s.entries[i].value;
    ++n;
  }
  return n;
}

void appendId(StringColumn& col, const std::string& id, std::string& hex) {
  hex.clear();
  if (id.find_first_not_of('\0') != std::string::npos) {
    static const char kHex[] = "0123456789abcdef";
    for (unsigned char c : id) {
      hex += kHex[c >> 4];
      hex += kHex[c & 15];
    }
  }
  col.append(hex);
}

bool decodeWithLibprotobuf(const std::string& body, LogsRows& rows, Scratch& s) {
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<
      opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest>(&arena);
  if (!req->ParseFromString(body)) return false;
  std::string hex, res_keys, res_values, scope_keys, scope_values;
  for (const logs::ResourceLogs& rl : req->resource_logs()) {
    const KeyValues& rattrs = rl.resource().attributes();
    std::string service;
    for (const auto& kv : rattrs) {
      if (kv.key() == "service.name") {
        service = oracle::asString(kv.value());
        break;
      }
    }
    const size_t res_n = renderMap(rattrs, s);
    res_keys = s.keys;
    res_values = s.values;
    for (const logs::ScopeLogs& sl : rl.scope_logs()) {
      const size_t scope_n = renderMap(sl.scope().attributes(), s);
      scope_keys = s.keys;
      scope_values = s.values;
      for (const logs::LogRecord& r : sl.log_records()) {
        if ((r.trace_id().size() != 0 && r.trace_id().size() != 16) ||
            (r.span_id().size() != 0 && r.span_id().size() != 8))
          return false;
        const uint64_t t = r.time_unix_nano() ? r.time_unix_nano() : r.observed_time_unix_nano();
        rows.timestamp.append(static_cast<int64_t>(t));
        appendId(rows.trace_id, r.trace_id(), hex);
        appendId(rows.span_id, r.span_id(), hex);
        rows.trace_flags.append(static_cast<uint8_t>(r.flags() & 0xff));
        rows.severity_text.append(r.severity_text());
        rows.severity_number.append(static_cast<uint8_t>(r.severity_number()));
        rows.service_name.append(service);
        rows.body.append(asStringView(r.body(), s, 0));
        rows.resource_schema_url.append(rl.schema_url());
        rows.resource_attributes.appendRow(res_keys, res_values, res_n);
        rows.scope_schema_url.append(sl.schema_url());
        rows.scope_name.append(sl.scope().name());
        rows.scope_version.append(sl.scope().version());
        rows.scope_attributes.appendRow(scope_keys, scope_values, scope_n);
        const size_t n = renderMap(r.attributes(), s);
        rows.log_attributes.appendRow(s.keys, s.values, n);
        rows.event_name.append(r.event_name());
      }
    }
  }
  return true;
}

// The baseline must do the same job: the corpus must give the same Native
// bytes both ways, with every attribute present (so a payload builder bug
// that drops fields fails bench_smoke instead of flattering the numbers).
const char* checkSameRows(const Corpus& c, Scratch& s) {
  LogsRows ours, theirs;
  std::string a, b;
  for (const std::string& body : c.requests) {
    ours.clear();
    theirs.clear();
    if (!decodeLogsProto(body, ours).isOk()) return "decodeLogsProto rejected the corpus";
    if (!decodeWithLibprotobuf(body, theirs, s)) return "libprotobuf rejected the corpus";
    for (uint32_t bit = 1; bit & kLogsAllColumns; bit <<= 1) {
      a.clear();
      b.clear();
      ours.encodeNative(a, bit);
      theirs.encodeNative(b, bit);
      if (a != b) {
        static std::string message;
        message = "libprotobuf baseline and decodeLogsProto disagree on column bit " +
                  std::to_string(bit) + " of the corpus";
        return message.c_str();
      }
    }
    if (ours.rows() != kCorpusRecords ||
        ours.log_attributes.keys().rows() != kCorpusRecords * loadgen::PayloadOptions{}.attributes)
      return "the corpus lacks records or attributes";
  }
  return nullptr;
}

void BM_LogsLibprotobufDecode(benchmark::State& state) {
  const Corpus& c = corpus(loadgen::LoadSignal::kLogs, loadgen::LoadFormat::kProtobuf);
  LogsRows rows;
  Scratch s;
  if (const char* error = checkSameRows(c, s)) {
    state.SkipWithError(error);
    return;
  }
  for (auto _ : state) {
    for (const std::string& body : c.requests) {
      rows.clear();
      if (!decodeWithLibprotobuf(body, rows, s)) {
        state.SkipWithError("libprotobuf rejected the corpus");
        return;
      }
      benchmark::DoNotOptimize(rows);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.items));
}
BENCHMARK(BM_LogsLibprotobufDecode);

// Parsing alone, the floor of any libprotobuf-based decoder.
void BM_LogsLibprotobufParseOnly(benchmark::State& state) {
  const Corpus& c = corpus(loadgen::LoadSignal::kLogs, loadgen::LoadFormat::kProtobuf);
  for (auto _ : state) {
    for (const std::string& body : c.requests) {
      google::protobuf::Arena arena;
      auto* req = google::protobuf::Arena::CreateMessage<
          opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest>(&arena);
      if (!req->ParseFromString(body)) {
        state.SkipWithError("libprotobuf rejected the corpus");
        return;
      }
      benchmark::DoNotOptimize(req);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * c.items));
}
BENCHMARK(BM_LogsLibprotobufParseOnly);

}  // namespace
}  // namespace otelhouse::bench
