#include "codec/otlp_random.h"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace otelhouse::testing {

namespace pb = google::protobuf;
namespace common = opentelemetry::proto::common::v1;
namespace logs = opentelemetry::proto::logs::v1;
namespace collector = opentelemetry::proto::collector::logs::v1;
namespace trace = opentelemetry::proto::trace::v1;
namespace trace_collector = opentelemetry::proto::collector::trace::v1;
namespace metrics = opentelemetry::proto::metrics::v1;
namespace metrics_collector = opentelemetry::proto::collector::metrics::v1;

OtlpRandom::OtlpRandom(uint64_t seed, OtlpRandomOptions options) : rng_(seed), opt_(options) {}

uint64_t OtlpRandom::below(uint64_t n) {
  if (n == 0) return 0;
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_);
}

bool OtlpRandom::chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

std::string OtlpRandom::text() {
  static const char* const kPieces[] = {
      "a",      "hello",  " ",      "\"",           "\\",      "/",           "<",
      ">",      "&",      "\n",     "\t",           "\r",      "\b",          "\f",
      "\x01",   "\x1f",   "\x7f",   "\xc3\xa9",     "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80",
      "\xe2\x80\xa8",     "\xe2\x80\xa9",           "{\"k\":1}", "[1,2]",     "null",    "0",
      "service.name",     "\xef\xbf\xbd",           "\x00",
  };
  static const char* const kInvalid[] = {"\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80",
                                         "\xf8\x88\x80\x80\x80", "\xc0\xaf"};
  if (chance(opt_.empty_chance * 0.5)) return "";
  std::string s;
  const int n = 1 + static_cast<int>(below(6));
  for (int i = 0; i < n; ++i) {
    if (opt_.invalid_utf8 && chance(0.1)) {
      s += kInvalid[below(std::size(kInvalid))];
    } else if (chance(opt_.special_chance * 2)) {
      const char* p = kPieces[below(std::size(kPieces))];
      s.append(p, *p ? std::strlen(p) : 1);  // "\x00" is one NUL byte
    } else {
      const int len = 1 + static_cast<int>(below(10));
      for (int j = 0; j < len; ++j) s.push_back(static_cast<char>('a' + below(26)));
    }
  }
  return s;
}

std::string OtlpRandom::key() {
  static const char* const kPool[] = {"service.name", "host.name", "a",  "b",      "k",
                                      "key",          "A",         "a.b", "\xc3\xa9", "z"};
  if (chance(0.05)) return "";
  if (chance(0.6)) return kPool[below(std::size(kPool))];
  return text();
}

std::string OtlpRandom::bytes(size_t max) {
  std::string s(below(max + 1), '\0');
  for (char& c : s) c = static_cast<char>(below(256));
  return s;
}

double OtlpRandom::number() {
  static const double kSpecial[] = {0.0,
                                    -0.0,
                                    1e-7,
                                    1e-6,
                                    9.999999e-7,
                                    1e20,
                                    1e21,
                                    -1e21,
                                    0.1,
                                    1.0 / 3,
                                    123456789.0,
                                    -1.5,
                                    1e300,
                                    std::numeric_limits<double>::max(),
                                    std::numeric_limits<double>::min(),
                                    std::numeric_limits<double>::denorm_min(),
                                    std::numeric_limits<double>::quiet_NaN(),
                                    std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity()};
  if (chance(opt_.special_chance)) return kSpecial[below(std::size(kSpecial))];
  if (chance(0.2)) {
    uint64_t bits = rng_();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;  // may be NaN or Inf, rarely
  }
  if (chance(0.3)) return static_cast<double>(static_cast<int64_t>(below(2000000)) - 1000000);
  return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
}

int64_t OtlpRandom::integer() {
  static const int64_t kSpecial[] = {0, 1, -1, std::numeric_limits<int64_t>::min(),
                                     std::numeric_limits<int64_t>::max(), 1LL << 53};
  if (chance(opt_.special_chance)) return kSpecial[below(std::size(kSpecial))];
  if (chance(0.5)) return static_cast<int64_t>(below(1000));
  return static_cast<int64_t>(rng_());
}

void OtlpRandom::fillAnyValue(common::AnyValue* v, int depth) {
  const int kinds = depth > 0 ? 8 : 6;
  switch (below(kinds)) {
    case 0:
      if (chance(0.5)) break;  // unset
      [[fallthrough]];
    case 1:
      v->set_string_value(text());
      break;
    case 2:
      v->set_bool_value(chance(0.5));
      break;
    case 3:
      v->set_int_value(integer());
      break;
    case 4:
      v->set_double_value(number());
      break;
    case 5:
      v->set_bytes_value(bytes(8));
      break;
    case 6: {
      auto* arr = v->mutable_array_value();
      const int n = static_cast<int>(below(5));
      for (int i = 0; i < n; ++i) fillAnyValue(arr->add_values(), depth - 1);
      break;
    }
    case 7:
      fillAttributes(v->mutable_kvlist_value()->mutable_values(), depth - 1);
      break;
  }
}

void OtlpRandom::fillAttributes(pb::RepeatedPtrField<common::KeyValue>* attrs, int depth) {
  const int n = static_cast<int>(below(static_cast<uint64_t>(opt_.max_attributes) + 1));
  for (int i = 0; i < n; ++i) {
    auto* kv = attrs->Add();
    kv->set_key(key());
    if (!chance(opt_.empty_chance * 0.3)) fillAnyValue(kv->mutable_value(), depth);
  }
}

void OtlpRandom::fillResource(opentelemetry::proto::resource::v1::Resource* r) {
  fillAttributes(r->mutable_attributes(), opt_.max_depth);
  if (chance(0.7)) {
    auto* kv = r->add_attributes();
    kv->set_key("service.name");
    if (chance(0.8)) {
      kv->mutable_value()->set_string_value(chance(0.5) ? "checkout" : text());
    } else {
      fillAnyValue(kv->mutable_value(), 1);
    }
  }
  if (chance(0.1)) r->set_dropped_attributes_count(static_cast<uint32_t>(below(100)));
  if (chance(0.1)) {
    auto* e = r->add_entity_refs();
    e->set_type("service");
    e->add_id_keys("service.name");
    e->set_schema_url(text());
  }
}

void OtlpRandom::fillScope(common::InstrumentationScope* s) {
  if (!chance(opt_.empty_chance)) s->set_name(chance(0.5) ? "io.opentelemetry.logs" : text());
  if (!chance(opt_.empty_chance)) s->set_version(chance(0.5) ? "1.2.3" : text());
  if (chance(0.5)) fillAttributes(s->mutable_attributes(), opt_.max_depth);
  if (chance(0.1)) s->set_dropped_attributes_count(static_cast<uint32_t>(below(10)));
}

void OtlpRandom::fillLogRecord(logs::LogRecord* r) {
  const uint64_t base = 1700000000000000000ull;
  if (!chance(opt_.empty_chance)) r->set_time_unix_nano(base + below(1ull << 40));
  if (!chance(opt_.empty_chance)) r->set_observed_time_unix_nano(base + below(1ull << 40));
  if (chance(opt_.special_chance)) r->set_time_unix_nano(rng_());
  if (!chance(opt_.empty_chance)) {
    int32_t sev = static_cast<int32_t>(below(25));
    if (chance(opt_.special_chance)) sev = static_cast<int32_t>(rng_());
    r->set_severity_number(static_cast<logs::SeverityNumber>(sev));
  }
  if (!chance(opt_.empty_chance)) r->set_severity_text(chance(0.5) ? "INFO" : text());
  if (!chance(opt_.empty_chance)) fillAnyValue(r->mutable_body(), opt_.max_depth);
  fillAttributes(r->mutable_attributes(), opt_.max_depth);
  if (chance(0.1)) r->set_dropped_attributes_count(static_cast<uint32_t>(below(5)));
  if (chance(0.5)) r->set_flags(chance(0.5) ? 1 : static_cast<uint32_t>(rng_()));
  auto id = [&](size_t len) {
    if (opt_.bad_ids && chance(0.2)) return bytes(20);
    if (chance(0.1)) return std::string(len, '\0');
    std::string s = bytes(0);
    for (size_t i = 0; i < len; ++i) s.push_back(static_cast<char>(below(256)));
    return s;
  };
  if (!chance(opt_.empty_chance)) r->set_trace_id(id(16));
  if (!chance(opt_.empty_chance)) r->set_span_id(id(8));
  if (chance(0.3)) r->set_event_name(chance(0.5) ? "app.started" : text());
}

collector::ExportLogsServiceRequest OtlpRandom::logsRequest() {
  collector::ExportLogsServiceRequest req;
  const int nr = static_cast<int>(below(static_cast<uint64_t>(opt_.max_resources) + 1));
  for (int i = 0; i < nr; ++i) {
    auto* rl = req.add_resource_logs();
    if (!chance(opt_.empty_chance)) fillResource(rl->mutable_resource());
    if (chance(0.3)) rl->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
    const int ns = static_cast<int>(below(static_cast<uint64_t>(opt_.max_scopes) + 1));
    for (int j = 0; j < ns; ++j) {
      auto* sl = rl->add_scope_logs();
      if (!chance(opt_.empty_chance)) fillScope(sl->mutable_scope());
      if (chance(0.3)) sl->set_schema_url(text());
      const int nl = static_cast<int>(below(static_cast<uint64_t>(opt_.max_records) + 1));
      for (int k = 0; k < nl; ++k) fillLogRecord(sl->add_log_records());
    }
  }
  return req;
}

std::string OtlpRandom::randomId(size_t len) {
  if (opt_.bad_ids && chance(0.1)) return bytes(20);
  if (chance(0.1)) return std::string(len, '\0');
  std::string s;
  for (size_t i = 0; i < len; ++i) s.push_back(static_cast<char>(below(256)));
  return s;
}

namespace {

int32_t enumValue(OtlpRandom& r, int named) {
  if (r.chance(r.options().special_chance)) {
    static const int32_t kOdd[] = {-1, 6, 100, std::numeric_limits<int32_t>::min(),
                                   std::numeric_limits<int32_t>::max()};
    return kOdd[r.below(std::size(kOdd))];
  }
  return static_cast<int32_t>(r.below(static_cast<uint64_t>(named)));
}

}  // namespace

void OtlpRandom::fillSpan(trace::Span* s) {
  const uint64_t base = 1700000000000000000ull;
  if (!chance(opt_.empty_chance)) s->set_trace_id(randomId(16));
  if (!chance(opt_.empty_chance)) s->set_span_id(randomId(8));
  if (chance(0.5)) s->set_parent_span_id(randomId(8));
  if (chance(0.3)) s->set_trace_state(chance(0.5) ? "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" : text());
  if (!chance(opt_.empty_chance)) s->set_name(chance(0.5) ? "GET /api/orders" : text());
  if (!chance(opt_.empty_chance)) s->set_kind(static_cast<trace::Span::SpanKind>(enumValue(*this, 6)));
  if (!chance(opt_.empty_chance)) {
    const uint64_t start = base + below(1ull << 40);
    s->set_start_time_unix_nano(start);
    s->set_end_time_unix_nano(start + below(2000000000));
    if (chance(opt_.special_chance)) s->set_end_time_unix_nano(start - below(1000) - 1);
    if (chance(opt_.special_chance)) s->set_start_time_unix_nano(rng_());
  }
  fillAttributes(s->mutable_attributes(), opt_.max_depth);
  if (chance(0.1)) s->set_dropped_attributes_count(static_cast<uint32_t>(below(5)));
  const int ne = static_cast<int>(below(static_cast<uint64_t>(opt_.max_points) + 1));
  for (int i = 0; i < ne; ++i) {
    auto* e = s->add_events();
    if (!chance(opt_.empty_chance)) e->set_time_unix_nano(base + below(1ull << 40));
    if (!chance(opt_.empty_chance)) e->set_name(chance(0.5) ? "exception" : text());
    if (chance(0.5)) fillAttributes(e->mutable_attributes(), opt_.max_depth);
    if (chance(0.1)) e->set_dropped_attributes_count(1);
  }
  if (chance(0.1)) s->set_dropped_events_count(2);
  const int nl = static_cast<int>(below(static_cast<uint64_t>(opt_.max_points) + 1));
  for (int i = 0; i < nl; ++i) {
    auto* l = s->add_links();
    if (!chance(opt_.empty_chance)) l->set_trace_id(randomId(16));
    if (!chance(opt_.empty_chance)) l->set_span_id(randomId(8));
    if (chance(0.3)) l->set_trace_state(text());
    if (chance(0.5)) fillAttributes(l->mutable_attributes(), opt_.max_depth);
    if (chance(0.2)) l->set_flags(static_cast<uint32_t>(rng_()));
  }
  if (chance(0.6)) {
    auto* st = s->mutable_status();
    if (!chance(opt_.empty_chance)) {
      st->set_code(static_cast<trace::Status::StatusCode>(enumValue(*this, 3)));
    }
    if (chance(0.4)) st->set_message(text());
  }
  if (chance(0.3)) s->set_flags(static_cast<uint32_t>(rng_()));
}

trace_collector::ExportTraceServiceRequest OtlpRandom::tracesRequest() {
  trace_collector::ExportTraceServiceRequest req;
  const int nr = static_cast<int>(below(static_cast<uint64_t>(opt_.max_resources) + 1));
  for (int i = 0; i < nr; ++i) {
    auto* rs = req.add_resource_spans();
    if (!chance(opt_.empty_chance)) fillResource(rs->mutable_resource());
    if (chance(0.3)) rs->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
    const int ns = static_cast<int>(below(static_cast<uint64_t>(opt_.max_scopes) + 1));
    for (int j = 0; j < ns; ++j) {
      auto* ss = rs->add_scope_spans();
      if (!chance(opt_.empty_chance)) fillScope(ss->mutable_scope());
      if (chance(0.3)) ss->set_schema_url(text());
      const int n = static_cast<int>(below(static_cast<uint64_t>(opt_.max_records) + 1));
      for (int k = 0; k < n; ++k) fillSpan(ss->add_spans());
    }
  }
  return req;
}

void OtlpRandom::fillExemplar(metrics::Exemplar* e) {
  if (chance(0.5)) fillAttributes(e->mutable_filtered_attributes(), 1);
  if (!chance(opt_.empty_chance)) e->set_time_unix_nano(1700000000000000000ull + below(1ull << 40));
  switch (below(3)) {
    case 0: e->set_as_double(number()); break;
    case 1: e->set_as_int(integer()); break;
    default: break;
  }
  if (chance(0.6)) e->set_span_id(randomId(8));
  if (chance(0.6)) e->set_trace_id(randomId(16));
}

void OtlpRandom::fillMetric(metrics::Metric* m) {
  const uint64_t base = 1700000000000000000ull;
  if (!chance(opt_.empty_chance)) m->set_name(chance(0.5) ? "http.server.duration" : text());
  if (chance(0.5)) m->set_description(text());
  if (chance(0.5)) m->set_unit(chance(0.5) ? "ms" : text());
  if (chance(0.1)) fillAttributes(m->mutable_metadata(), 1);
  const int npoints = static_cast<int>(below(static_cast<uint64_t>(opt_.max_points) + 1));
  auto times = [&](auto* p) {
    if (!chance(opt_.empty_chance)) p->set_start_time_unix_nano(base + below(1ull << 40));
    if (!chance(opt_.empty_chance)) p->set_time_unix_nano(base + below(1ull << 40));
    if (chance(opt_.special_chance)) p->set_time_unix_nano(rng_());
    if (chance(0.3)) p->set_flags(chance(0.5) ? 1 : static_cast<uint32_t>(rng_()));
  };
  auto exemplars = [&](auto* p) {
    const int n = static_cast<int>(below(3));
    for (int i = 0; i < n; ++i) fillExemplar(p->add_exemplars());
  };
  auto number = [&](metrics::NumberDataPoint* p) {
    fillAttributes(p->mutable_attributes(), 1);
    times(p);
    switch (below(3)) {
      case 0: p->set_as_double(this->number()); break;
      case 1: p->set_as_int(integer()); break;
      default: break;
    }
    exemplars(p);
  };
  switch (below(11)) {
    case 0:
    case 1: {
      auto* g = m->mutable_gauge();
      for (int i = 0; i < npoints; ++i) number(g->add_data_points());
      break;
    }
    case 2:
    case 3: {
      auto* s = m->mutable_sum();
      for (int i = 0; i < npoints; ++i) number(s->add_data_points());
      if (!chance(opt_.empty_chance)) {
        s->set_aggregation_temporality(
            static_cast<metrics::AggregationTemporality>(enumValue(*this, 3)));
      }
      if (chance(0.5)) s->set_is_monotonic(true);
      break;
    }
    case 4:
    case 5: {
      auto* h = m->mutable_histogram();
      for (int i = 0; i < npoints; ++i) {
        auto* p = h->add_data_points();
        fillAttributes(p->mutable_attributes(), 1);
        times(p);
        p->set_count(chance(opt_.special_chance) ? rng_() : below(1000));
        if (chance(0.7)) p->set_sum(this->number());
        const int nb = static_cast<int>(below(6));
        for (int b = 0; b < nb; ++b) p->add_bucket_counts(chance(0.1) ? rng_() : below(100));
        for (int b = 0; b + 1 < nb; ++b) p->add_explicit_bounds(b * 2.5);
        if (chance(0.2)) p->add_explicit_bounds(this->number());
        if (chance(0.6)) p->set_min(this->number());
        if (chance(0.6)) p->set_max(this->number());
        exemplars(p);
      }
      if (!chance(opt_.empty_chance)) {
        h->set_aggregation_temporality(
            static_cast<metrics::AggregationTemporality>(enumValue(*this, 3)));
      }
      break;
    }
    case 6:
    case 7: {
      auto* h = m->mutable_exponential_histogram();
      for (int i = 0; i < npoints; ++i) {
        auto* p = h->add_data_points();
        fillAttributes(p->mutable_attributes(), 1);
        times(p);
        p->set_count(below(1000));
        if (chance(0.7)) p->set_sum(this->number());
        static const int32_t kScales[] = {std::numeric_limits<int32_t>::min(), -10, -1,
                                          std::numeric_limits<int32_t>::max()};
        p->set_scale(chance(opt_.special_chance) ? kScales[below(std::size(kScales))]
                                                 : static_cast<int32_t>(below(41)) - 20);
        if (chance(0.5)) p->set_zero_count(below(10));
        for (auto* b : {p->mutable_positive(), p->mutable_negative()}) {
          if (chance(0.2)) continue;
          b->set_offset(chance(opt_.special_chance) ? static_cast<int32_t>(rng_())
                                                    : static_cast<int32_t>(below(20)) - 10);
          const int nb = static_cast<int>(below(6));
          for (int k = 0; k < nb; ++k) b->add_bucket_counts(chance(0.1) ? rng_() : below(300));
        }
        if (chance(0.2)) p->clear_negative();
        if (chance(0.6)) p->set_min(this->number());
        if (chance(0.6)) p->set_max(this->number());
        if (chance(0.3)) p->set_zero_threshold(1e-9);
        exemplars(p);
      }
      if (!chance(opt_.empty_chance)) {
        h->set_aggregation_temporality(
            static_cast<metrics::AggregationTemporality>(enumValue(*this, 3)));
      }
      break;
    }
    case 8:
    case 9: {
      auto* s = m->mutable_summary();
      for (int i = 0; i < npoints; ++i) {
        auto* p = s->add_data_points();
        fillAttributes(p->mutable_attributes(), 1);
        times(p);
        p->set_count(below(1000));
        if (chance(0.8)) p->set_sum(this->number());
        const int nq = static_cast<int>(below(4));
        for (int q = 0; q < nq; ++q) {
          auto* v = p->add_quantile_values();
          if (chance(0.9)) v->set_quantile(q / 4.0);
          if (chance(0.9)) v->set_value(this->number());
        }
      }
      break;
    }
    default:
      break;  // no data: MetricTypeEmpty
  }
}

metrics_collector::ExportMetricsServiceRequest OtlpRandom::metricsRequest() {
  metrics_collector::ExportMetricsServiceRequest req;
  const int nr = static_cast<int>(below(static_cast<uint64_t>(opt_.max_resources) + 1));
  for (int i = 0; i < nr; ++i) {
    auto* rm = req.add_resource_metrics();
    if (!chance(opt_.empty_chance)) fillResource(rm->mutable_resource());
    if (chance(0.3)) rm->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
    const int ns = static_cast<int>(below(static_cast<uint64_t>(opt_.max_scopes) + 1));
    for (int j = 0; j < ns; ++j) {
      auto* sm = rm->add_scope_metrics();
      if (!chance(opt_.empty_chance)) fillScope(sm->mutable_scope());
      if (chance(0.3)) sm->set_schema_url(text());
      const int n = static_cast<int>(below(static_cast<uint64_t>(opt_.max_records) + 1));
      for (int k = 0; k < n; ++k) fillMetric(sm->add_metrics());
    }
  }
  return req;
}

// ---------------------------------------------------------------------------
// Wire encoding by reflection.

namespace {

int nativeWireType(const pb::FieldDescriptor* f) {
  using T = pb::FieldDescriptor;
  switch (f->type()) {
    case T::TYPE_DOUBLE:
    case T::TYPE_FIXED64:
    case T::TYPE_SFIXED64:
      return 1;
    case T::TYPE_FLOAT:
    case T::TYPE_FIXED32:
    case T::TYPE_SFIXED32:
      return 5;
    case T::TYPE_STRING:
    case T::TYPE_BYTES:
    case T::TYPE_MESSAGE:
      return 2;
    case T::TYPE_GROUP:
      return 3;
    default:
      return 0;
  }
}

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

void appendFixed(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

void OtlpRandom::appendVarint(std::string* out, uint64_t v, int max_bytes, const WireOptions& w) {
  int len = 1;
  for (uint64_t x = v >> 7; x; x >>= 7) ++len;
  if (len < max_bytes && chance(w.pad_chance)) len += 1 + static_cast<int>(below(max_bytes - len));
  for (int i = 0; i < len; ++i) {
    uint8_t b = i < 10 ? static_cast<uint8_t>((v >> (7 * i)) & 0x7F) : 0;
    if (i + 1 < len) b |= 0x80;
    out->push_back(static_cast<char>(b));
  }
}

void OtlpRandom::appendUnknown(const pb::Descriptor* d, std::string* out, const WireOptions& w) {
  uint32_t number;
  int wt;
  const pb::FieldDescriptor* known = nullptr;
  if (d->field_count() > 0 && chance(0.3)) {
    known = d->field(static_cast<int>(below(static_cast<uint64_t>(d->field_count()))));
    number = static_cast<uint32_t>(known->number());
    do {
      static const int kTypes[] = {0, 1, 2, 3, 5};
      wt = kTypes[below(5)];
    } while (wt == nativeWireType(known) ||
             (wt == 2 && known->is_repeated() && known->is_packable()));
  } else {
    do {
      number = chance(0.1) ? static_cast<uint32_t>(1 + below((1u << 29) - 1))
                           : static_cast<uint32_t>(1 + below(60));
    } while (d->FindFieldByNumber(static_cast<int>(number)) != nullptr);
    static const int kTypes[] = {0, 1, 2, 3, 5};
    wt = kTypes[below(5)];
  }
  appendVarint(out, (static_cast<uint64_t>(number) << 3) | static_cast<uint64_t>(wt), 5, w);
  switch (wt) {
    case 0:
      appendVarint(out, rng_(), 10, w);
      break;
    case 1:
      appendFixed(out, rng_(), 8);
      break;
    case 5:
      appendFixed(out, rng_(), 4);
      break;
    case 2: {
      std::string b = bytes(8);
      appendVarint(out, b.size(), 5, w);
      *out += b;
      break;
    }
    case 3: {
      const int n = static_cast<int>(below(3));
      for (int i = 0; i < n; ++i) {
        appendVarint(out, ((1 + below(20)) << 3) | 0, 5, w);
        appendVarint(out, below(1000), 10, w);
      }
      appendVarint(out, (static_cast<uint64_t>(number) << 3) | 4, 5, w);
      break;
    }
  }
}

void OtlpRandom::encodeMessage(const pb::Message& m, const WireOptions& w, std::string* out) {
  const pb::Reflection* refl = m.GetReflection();
  const pb::Descriptor* desc = m.GetDescriptor();
  std::vector<const pb::FieldDescriptor*> fields;
  refl->ListFields(m, &fields);
  std::vector<std::vector<std::string>> seqs;

  // Encodes one value of f (index < 0: singular) or, with `decoy`, a random
  // value of f's type.
  auto encodeValue = [&](const pb::FieldDescriptor* f, int index, bool decoy, std::string* o) {
    using T = pb::FieldDescriptor;
    const bool rep = index >= 0;
    const int wt = nativeWireType(f);
    appendVarint(o, (static_cast<uint64_t>(f->number()) << 3) | static_cast<uint64_t>(wt), 5, w);
    switch (f->type()) {
      case T::TYPE_DOUBLE: {
        double d = decoy ? number() : rep ? refl->GetRepeatedDouble(m, f, index) : refl->GetDouble(m, f);
        uint64_t bits;
        std::memcpy(&bits, &d, 8);
        appendFixed(o, bits, 8);
        break;
      }
      case T::TYPE_FLOAT: {
        float d = decoy ? static_cast<float>(number())
                        : rep ? refl->GetRepeatedFloat(m, f, index) : refl->GetFloat(m, f);
        uint32_t bits;
        std::memcpy(&bits, &d, 4);
        appendFixed(o, bits, 4);
        break;
      }
      case T::TYPE_FIXED64:
        appendFixed(o, decoy ? rng_() : rep ? refl->GetRepeatedUInt64(m, f, index) : refl->GetUInt64(m, f), 8);
        break;
      case T::TYPE_SFIXED64:
        appendFixed(o, static_cast<uint64_t>(decoy ? integer() : rep ? refl->GetRepeatedInt64(m, f, index) : refl->GetInt64(m, f)), 8);
        break;
      case T::TYPE_FIXED32:
        appendFixed(o, decoy ? rng_() : rep ? refl->GetRepeatedUInt32(m, f, index) : refl->GetUInt32(m, f), 4);
        break;
      case T::TYPE_SFIXED32:
        appendFixed(o, static_cast<uint32_t>(decoy ? static_cast<int32_t>(rng_()) : rep ? refl->GetRepeatedInt32(m, f, index) : refl->GetInt32(m, f)), 4);
        break;
      case T::TYPE_INT64:
        appendVarint(o, static_cast<uint64_t>(decoy ? integer() : rep ? refl->GetRepeatedInt64(m, f, index) : refl->GetInt64(m, f)), 10, w);
        break;
      case T::TYPE_UINT64:
        appendVarint(o, decoy ? rng_() : rep ? refl->GetRepeatedUInt64(m, f, index) : refl->GetUInt64(m, f), 10, w);
        break;
      case T::TYPE_INT32:
        appendVarint(o, static_cast<uint64_t>(static_cast<int64_t>(decoy ? static_cast<int32_t>(rng_()) : rep ? refl->GetRepeatedInt32(m, f, index) : refl->GetInt32(m, f))), 10, w);
        break;
      case T::TYPE_UINT32:
        appendVarint(o, decoy ? static_cast<uint32_t>(rng_()) : rep ? refl->GetRepeatedUInt32(m, f, index) : refl->GetUInt32(m, f), 10, w);
        break;
      case T::TYPE_SINT64:
        appendVarint(o, zigzag(decoy ? integer() : rep ? refl->GetRepeatedInt64(m, f, index) : refl->GetInt64(m, f)), 10, w);
        break;
      case T::TYPE_SINT32:
        appendVarint(o, static_cast<uint32_t>(zigzag(decoy ? static_cast<int32_t>(rng_()) : rep ? refl->GetRepeatedInt32(m, f, index) : refl->GetInt32(m, f))), 10, w);
        break;
      case T::TYPE_BOOL:
        appendVarint(o, decoy ? below(3) : (rep ? refl->GetRepeatedBool(m, f, index) : refl->GetBool(m, f)) ? 1 : 0, 10, w);
        break;
      case T::TYPE_ENUM:
        appendVarint(o, static_cast<uint64_t>(static_cast<int64_t>(decoy ? static_cast<int32_t>(below(30)) : rep ? refl->GetRepeatedEnumValue(m, f, index) : refl->GetEnumValue(m, f))), 10, w);
        break;
      case T::TYPE_STRING:
      case T::TYPE_BYTES: {
        std::string s = decoy ? (f->type() == T::TYPE_STRING ? text() : bytes(8))
                              : rep ? refl->GetRepeatedString(m, f, index) : refl->GetString(m, f);
        appendVarint(o, s.size(), 5, w);
        *o += s;
        break;
      }
      case T::TYPE_MESSAGE: {
        std::string sub;
        if (!decoy) {
          encodeMessage(rep ? refl->GetRepeatedMessage(m, f, index) : refl->GetMessage(m, f), w, &sub);
        }
        appendVarint(o, sub.size(), 5, w);
        *o += sub;
        break;
      }
      default:
        break;
    }
  };

  for (const pb::FieldDescriptor* f : fields) {
    std::vector<std::string> seq;
    if (f->is_repeated()) {
      const int n = refl->FieldSize(m, f);
      if (f->is_packable() && chance(0.5)) {
        // Packed: the values without their tags in one length-delimited field.
        std::string payload;
        for (int i = 0; i < n; ++i) {
          std::string one;
          encodeValue(f, i, false, &one);
          // Drop the (possibly padded) tag that encodeValue wrote.
          size_t tag_len = 0;
          while (static_cast<uint8_t>(one[tag_len]) & 0x80) ++tag_len;
          payload += one.substr(tag_len + 1);
        }
        std::string chunk;
        appendVarint(&chunk, (static_cast<uint64_t>(f->number()) << 3) | 2, 5, w);
        appendVarint(&chunk, payload.size(), 5, w);
        chunk += payload;
        seq.push_back(std::move(chunk));
      } else {
        for (int i = 0; i < n; ++i) {
          std::string chunk;
          encodeValue(f, i, false, &chunk);
          seq.push_back(std::move(chunk));
        }
      }
    } else {
      if (chance(w.decoy_chance)) {
        const pb::OneofDescriptor* oneof = f->containing_oneof();
        std::string chunk;
        if (oneof && oneof->field_count() > 1) {
          const pb::FieldDescriptor* other;
          do {
            other = oneof->field(static_cast<int>(below(static_cast<uint64_t>(oneof->field_count()))));
          } while (other == f);
          encodeValue(other, -1, true, &chunk);
          seq.push_back(std::move(chunk));
        } else if (!oneof && f->type() != pb::FieldDescriptor::TYPE_MESSAGE) {
          encodeValue(f, -1, true, &chunk);
          seq.push_back(std::move(chunk));
        }
      }
      if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE && chance(w.split_chance)) {
        // Two occurrences whose merge is the message: split its encoding at
        // a field boundary by encoding the fields in two halves.
        std::string whole;
        encodeMessage(refl->GetMessage(m, f), w, &whole);
        // Walk top-level fields of `whole` to find boundaries.
        std::vector<size_t> bounds{0};
        size_t p = 0;
        auto readV = [&](uint64_t* v) {
          *v = 0;
          for (int s = 0; p < whole.size(); s += 7) {
            uint8_t b = static_cast<uint8_t>(whole[p++]);
            if (s < 64) *v |= static_cast<uint64_t>(b & 0x7F) << s;
            if (!(b & 0x80)) break;
          }
        };
        std::function<void(uint32_t)> skipField = [&](uint32_t tag) {
          uint64_t v;
          switch (tag & 7) {
            case 0: readV(&v); break;
            case 1: p += 8; break;
            case 5: p += 4; break;
            case 2: readV(&v); p += v; break;
            case 3:
              while (true) {
                uint64_t t;
                readV(&t);
                if ((t & 7) == 4) break;
                skipField(static_cast<uint32_t>(t));
              }
              break;
          }
        };
        while (p < whole.size()) {
          uint64_t tag;
          readV(&tag);
          skipField(static_cast<uint32_t>(tag));
          bounds.push_back(p);
        }
        const size_t cut = bounds[below(bounds.size())];
        for (std::string_view part : {std::string_view(whole).substr(0, cut),
                                      std::string_view(whole).substr(cut)}) {
          std::string chunk;
          appendVarint(&chunk, (static_cast<uint64_t>(f->number()) << 3) | 2, 5, w);
          appendVarint(&chunk, part.size(), 5, w);
          chunk += part;
          seq.push_back(std::move(chunk));
        }
      } else {
        std::string chunk;
        encodeValue(f, -1, false, &chunk);
        seq.push_back(std::move(chunk));
      }
    }
    seqs.push_back(std::move(seq));
  }
  if (chance(w.unknown_chance)) {
    const int n = 1 + static_cast<int>(below(3));
    for (int i = 0; i < n; ++i) {
      std::string chunk;
      appendUnknown(desc, &chunk, w);
      seqs.push_back({std::move(chunk)});
    }
  }
  if (!w.shuffle) {
    for (auto& seq : seqs)
      for (auto& c : seq) *out += c;
    return;
  }
  std::vector<size_t> pos(seqs.size(), 0);
  size_t remaining = 0;
  for (auto& seq : seqs) remaining += seq.size();
  while (remaining > 0) {
    size_t pick = below(seqs.size());
    while (pos[pick] == seqs[pick].size()) pick = (pick + 1) % seqs.size();
    *out += seqs[pick][pos[pick]++];
    --remaining;
  }
}

std::string OtlpRandom::wireEncode(const pb::Message& m, const WireOptions& w) {
  std::string out;
  encodeMessage(m, w, &out);
  return out;
}

std::string OtlpRandom::mutate(std::string s) {
  const int n = 1 + static_cast<int>(below(3));
  for (int i = 0; i < n; ++i) {
    if (s.empty()) {
      s.push_back(static_cast<char>(below(256)));
      continue;
    }
    const size_t at = below(s.size());
    switch (below(7)) {
      case 0:
        s[at] = static_cast<char>(s[at] ^ (1 << below(8)));
        break;
      case 1:
        s[at] = static_cast<char>(below(256));
        break;
      case 2:
        s.insert(s.begin() + static_cast<ptrdiff_t>(at), static_cast<char>(below(256)));
        break;
      case 3:
        s.erase(at, 1 + below(4));
        break;
      case 4:
        s.resize(at);
        break;
      case 5: {
        const size_t len = 1 + below(std::min<size_t>(16, s.size() - at));
        s.insert(below(s.size() + 1), s.substr(at, len));
        break;
      }
      case 6: {
        // A byte that often matters: a length or a tag, nudged by one.
        s[at] = static_cast<char>(s[at] + (chance(0.5) ? 1 : -1));
        break;
      }
    }
  }
  return s;
}

}  // namespace otelhouse::testing
