#include "codec/otlp_metrics_proto.h"

#include <cstring>
#include <string>
#include <vector>

#include "codec/any_value_proto.h"
#include "codec/otlp_proto_common.h"
#include "codec/proto_reader.h"

namespace otelhouse {
namespace {

extern const ProtoMessageSpec kResourceMetricsSpec;
extern const ProtoMessageSpec kScopeMetricsSpec;
extern const ProtoMessageSpec kMetricSpec;
extern const ProtoMessageSpec kGaugeSpec;  // Gauge and Sum: data_points = 1
extern const ProtoMessageSpec kHistogramSpec;
extern const ProtoMessageSpec kExpHistogramSpec;
extern const ProtoMessageSpec kSummarySpec;
extern const ProtoMessageSpec kNumberPointSpec;
extern const ProtoMessageSpec kHistogramPointSpec;
extern const ProtoMessageSpec kExpHistogramPointSpec;
extern const ProtoMessageSpec kBucketsSpec;
extern const ProtoMessageSpec kSummaryPointSpec;
extern const ProtoMessageSpec kQuantileSpec;
extern const ProtoMessageSpec kExemplarSpec;

constexpr ProtoFieldSpec kRequestFields[] = {
    {1, ProtoFieldKind::kMessage, true, "resource_metrics", &kResourceMetricsSpec},
};
constexpr ProtoFieldSpec kResourceMetricsFields[] = {
    {1, ProtoFieldKind::kMessage, false, "resource", &kResourceSpec},
    {2, ProtoFieldKind::kMessage, true, "scope_metrics", &kScopeMetricsSpec},
};
constexpr ProtoFieldSpec kScopeMetricsFields[] = {
    {1, ProtoFieldKind::kMessage, false, "scope", &kInstrumentationScopeSpec},
    {2, ProtoFieldKind::kMessage, true, "metrics", &kMetricSpec},
};
constexpr ProtoFieldSpec kMetricFields[] = {
    {5, ProtoFieldKind::kMessage, false, "gauge", &kGaugeSpec},
    {7, ProtoFieldKind::kMessage, false, "sum", &kGaugeSpec},
    {9, ProtoFieldKind::kMessage, false, "histogram", &kHistogramSpec},
    {10, ProtoFieldKind::kMessage, false, "exponential_histogram", &kExpHistogramSpec},
    {11, ProtoFieldKind::kMessage, false, "summary", &kSummarySpec},
    {12, ProtoFieldKind::kMessage, true, "metadata", &kKeyValueSpec},
};
constexpr ProtoFieldSpec kGaugeFields[] = {
    {1, ProtoFieldKind::kMessage, true, "data_points", &kNumberPointSpec},
};
constexpr ProtoFieldSpec kHistogramFields[] = {
    {1, ProtoFieldKind::kMessage, true, "data_points", &kHistogramPointSpec},
};
constexpr ProtoFieldSpec kExpHistogramFields[] = {
    {1, ProtoFieldKind::kMessage, true, "data_points", &kExpHistogramPointSpec},
};
constexpr ProtoFieldSpec kSummaryFields[] = {
    {1, ProtoFieldKind::kMessage, true, "data_points", &kSummaryPointSpec},
};
constexpr ProtoFieldSpec kNumberPointFields[] = {
    {7, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
    {5, ProtoFieldKind::kMessage, true, "exemplars", &kExemplarSpec},
};
constexpr ProtoFieldSpec kHistogramPointFields[] = {
    {9, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
    {6, ProtoFieldKind::kPackedFixed64, false, "bucket_counts", nullptr},
    {7, ProtoFieldKind::kPackedFixed64, false, "explicit_bounds", nullptr},
    {8, ProtoFieldKind::kMessage, true, "exemplars", &kExemplarSpec},
};
constexpr ProtoFieldSpec kExpHistogramPointFields[] = {
    {1, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
    {8, ProtoFieldKind::kMessage, false, "positive", &kBucketsSpec},
    {9, ProtoFieldKind::kMessage, false, "negative", &kBucketsSpec},
    {11, ProtoFieldKind::kMessage, true, "exemplars", &kExemplarSpec},
};
constexpr ProtoFieldSpec kBucketsFields[] = {
    {2, ProtoFieldKind::kPackedVarint, false, "bucket_counts", nullptr},
};
constexpr ProtoFieldSpec kSummaryPointFields[] = {
    {7, ProtoFieldKind::kMessage, true, "attributes", &kKeyValueSpec},
    {6, ProtoFieldKind::kMessage, true, "quantile_values", &kQuantileSpec},
};
constexpr ProtoFieldSpec kExemplarFields[] = {
    {7, ProtoFieldKind::kMessage, true, "filtered_attributes", &kKeyValueSpec},
};

const ProtoMessageSpec kRequestSpec{kRequestFields, std::size(kRequestFields)};
const ProtoMessageSpec kResourceMetricsSpec{kResourceMetricsFields,
                                            std::size(kResourceMetricsFields)};
const ProtoMessageSpec kScopeMetricsSpec{kScopeMetricsFields, std::size(kScopeMetricsFields)};
const ProtoMessageSpec kMetricSpec{kMetricFields, std::size(kMetricFields)};
const ProtoMessageSpec kGaugeSpec{kGaugeFields, std::size(kGaugeFields)};
const ProtoMessageSpec kHistogramSpec{kHistogramFields, std::size(kHistogramFields)};
const ProtoMessageSpec kExpHistogramSpec{kExpHistogramFields, std::size(kExpHistogramFields)};
const ProtoMessageSpec kSummarySpec{kSummaryFields, std::size(kSummaryFields)};
const ProtoMessageSpec kNumberPointSpec{kNumberPointFields, std::size(kNumberPointFields)};
const ProtoMessageSpec kHistogramPointSpec{kHistogramPointFields,
                                           std::size(kHistogramPointFields)};
const ProtoMessageSpec kExpHistogramPointSpec{kExpHistogramPointFields,
                                              std::size(kExpHistogramPointFields)};
const ProtoMessageSpec kBucketsSpec{kBucketsFields, std::size(kBucketsFields)};
const ProtoMessageSpec kSummaryPointSpec{kSummaryPointFields, std::size(kSummaryPointFields)};
const ProtoMessageSpec kQuantileSpec{nullptr, 0};  // two doubles
const ProtoMessageSpec kExemplarSpec{kExemplarFields, std::size(kExemplarFields)};

// Metric.data oneof members, by field number.
enum MetricKind : uint32_t {
  kNoData = 0,
  kGauge = 5,
  kSum = 7,
  kHistogram = 9,
  kExpHistogram = 10,
  kSummary = 11,
};

const char* metricKindName(uint32_t kind) {
  switch (kind) {
    case kGauge: return "gauge";
    case kSum: return "sum";
    case kHistogram: return "histogram";
    case kExpHistogram: return "exponential_histogram";
    case kSummary: return "summary";
    default: return "data";
  }
}

double bitsToDouble(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// sint32 on the wire: libprotobuf reads a varint, keeps its low 32 bits and
// zigzag-decodes them.
int32_t sint32(uint64_t wire) { return proto_wire::zigzag32(static_cast<uint32_t>(wire)); }

// The scalar a data point or exemplar carries in its `value` oneof.
struct NumberValue {
  enum Kind : uint8_t { kNone, kDouble, kInt } kind = kNone;
  uint64_t bits = 0;

  // getValue (internal/metrics/metrics_model.go): the double, or the int64
  // converted to float64, or 0 when unset.
  double asDouble() const {
    switch (kind) {
      case kDouble: return bitsToDouble(bits);
      case kInt: return static_cast<double>(static_cast<int64_t>(bits));
      default: return 0;
    }
  }
};

class MetricsProtoDecoder {
 public:
  Status decode(std::string_view body, MetricsRows& rows);

 private:
  Status decodeResourceMetrics(std::string_view payload, MetricsRows& rows);
  Status decodeScopeMetrics(std::string_view payload, MetricsRows& rows);
  Status decodeMetric(std::string_view payload, MetricsRows& rows);
  Status decodePoint(std::string_view payload, MetricsRows& rows);
  Status decodeNumberPoint(std::string_view payload, MetricsRows& rows);
  Status decodeHistogramPoint(std::string_view payload, HistogramRows& rows);
  Status decodeExpHistogramPoint(std::string_view payload, ExponentialHistogramRows& rows);
  Status decodeSummaryPoint(std::string_view payload, SummaryRows& rows);
  // Appends the columns every table shares; consumes the point's attribute
  // entries from `entry_mark`.
  void appendPoint(MetricPointColumns& p, size_t entry_mark, uint64_t start, uint64_t time,
                   uint32_t flags);
  Status checkExemplars();
  void appendExemplars(ExemplarColumns& e);
  void releaseStacks(size_t seg_mark, size_t entry_mark) {
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
  }
  // Releases the point's stacks and returns `s`.
  Status release(size_t seg_mark, size_t entry_mark, Status s) {
    releaseStacks(seg_mark, entry_mark);
    return s;
  }
  std::string pointPath() const;
  Status internalError(const ProtoReader& r) const;

  AnyValueRenderer av_;
  std::string scratch_;

  size_t resource_index_ = 0;
  size_t scope_index_ = 0;
  size_t metric_index_ = 0;
  size_t point_index_ = 0;

  std::string_view resource_schema_url_;
  ResourceRendering resource_;
  std::string_view scope_schema_url_;
  ScopeRendering scope_;

  // The current metric.
  std::string_view metric_name_, metric_description_, metric_unit_;
  uint32_t metric_kind_ = kNoData;
  std::vector<std::string_view> data_segs_;
  int32_t temporality_ = 0;
  bool monotonic_ = false;

  // The current point (views into the request).
  std::vector<std::string_view> exemplars_;
  std::vector<ProtoField> packed_a_;  // bucket_counts / positive buckets
  std::vector<ProtoField> packed_b_;  // explicit_bounds / negative buckets
  std::vector<std::string_view> quantiles_;
};

std::string MetricsProtoDecoder::pointPath() const {
  return "resource_metrics[" + std::to_string(resource_index_) + "].scope_metrics[" +
         std::to_string(scope_index_) + "].metrics[" + std::to_string(metric_index_) + "]." +
         metricKindName(metric_kind_) + ".data_points[" + std::to_string(point_index_) + "]";
}

Status MetricsProtoDecoder::internalError(const ProtoReader& r) const {
  // Validation accepted the input, so a second walk cannot fail.
  return Status::internal("metrics decoder: " + r.describeError() + " after validation");
}

Status MetricsProtoDecoder::decode(std::string_view body, MetricsRows& rows) {
  std::string error;
  if (!validateProto(body, kRequestSpec, &error)) return Status::invalid(std::move(error));
  ProtoReader r(body, kProtoNoDepthLimit);
  ProtoField f;
  resource_index_ = 0;
  while (r.next(&f)) {
    if (f.number != 1 || !f.isLen()) continue;
    Status s = decodeResourceMetrics(f.bytes, rows);
    if (!s.isOk()) return s;
    ++resource_index_;
  }
  if (r.failed()) return internalError(r);
  return Status::ok();
}

Status MetricsProtoDecoder::decodeResourceMetrics(std::string_view payload, MetricsRows& rows) {
  scope_index_ = 0;
  return walkOtlpContainer(
      av_, payload, kProtoNoDepthLimit, nullptr, nullptr,
      [&](size_t seg_begin, size_t seg_end, std::string_view schema_url) {
        resource_schema_url_ = schema_url;
        renderResource(av_, seg_begin, seg_end, &scratch_, &resource_);
      },
      [&](std::string_view scope_metrics, int) {
        Status s = decodeScopeMetrics(scope_metrics, rows);
        if (s.isOk()) ++scope_index_;
        return s;
      });
}

Status MetricsProtoDecoder::decodeScopeMetrics(std::string_view payload, MetricsRows& rows) {
  metric_index_ = 0;
  return walkOtlpContainer(
      av_, payload, kProtoNoDepthLimit, nullptr, nullptr,
      [&](size_t seg_begin, size_t seg_end, std::string_view schema_url) {
        scope_schema_url_ = schema_url;
        renderScope(av_, seg_begin, seg_end, &scratch_, &scope_);
      },
      [&](std::string_view metric, int) {
        Status s = decodeMetric(metric, rows);
        if (s.isOk()) ++metric_index_;
        return s;
      });
}

Status MetricsProtoDecoder::decodeMetric(std::string_view payload, MetricsRows& rows) {
  metric_name_ = metric_description_ = metric_unit_ = {};
  metric_kind_ = kNoData;
  data_segs_.clear();
  ProtoReader r(payload, kProtoNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    if (!f.isLen()) continue;
    switch (f.number) {
      case 1: metric_name_ = f.bytes; break;
      case 2: metric_description_ = f.bytes; break;
      case 3: metric_unit_ = f.bytes; break;
      case kGauge:
      case kSum:
      case kHistogram:
      case kExpHistogram:
      case kSummary:
        // A oneof member merges with itself only while it stays the current
        // member; another member in between replaces it.
        if (metric_kind_ != f.number) data_segs_.clear();
        metric_kind_ = f.number;
        data_segs_.push_back(f.bytes);
        break;
      default:
        break;
    }
  }
  if (r.failed()) return internalError(r);
  // MetricTypeEmpty: no rows (see the header).
  if (metric_kind_ == kNoData) return Status::ok();

  // aggregation_temporality = 2 (Sum, Histogram, ExponentialHistogram),
  // is_monotonic = 3 (Sum); the last occurrence wins.
  temporality_ = 0;
  monotonic_ = false;
  for (std::string_view seg : data_segs_) {
    ProtoReader dr(seg, kProtoNoDepthLimit);
    while (dr.next(&f)) {
      if (!f.isVarint() || metric_kind_ == kGauge || metric_kind_ == kSummary) continue;
      if (f.number == 2) {
        temporality_ = static_cast<int32_t>(static_cast<uint32_t>(f.value));
      } else if (f.number == 3 && metric_kind_ == kSum) {
        monotonic_ = f.value != 0;
      }
    }
  }

  point_index_ = 0;
  for (size_t i = 0; i < data_segs_.size(); ++i) {
    ProtoReader dr(data_segs_[i], kProtoNoDepthLimit);
    while (dr.next(&f)) {
      if (f.number != 1 || !f.isLen()) continue;
      Status s = decodePoint(f.bytes, rows);
      if (!s.isOk()) return s;
      ++point_index_;
    }
    if (dr.failed()) return internalError(dr);
  }
  return Status::ok();
}

Status MetricsProtoDecoder::decodePoint(std::string_view payload, MetricsRows& rows) {
  switch (metric_kind_) {
    case kGauge:
    case kSum:
      return decodeNumberPoint(payload, rows);
    case kHistogram:
      return decodeHistogramPoint(payload, rows.histogram);
    case kExpHistogram:
      return decodeExpHistogramPoint(payload, rows.exponential_histogram);
    case kSummary:
      return decodeSummaryPoint(payload, rows.summary);
    default:
      return Status::ok();
  }
}

void MetricsProtoDecoder::appendPoint(MetricPointColumns& p, size_t entry_mark, uint64_t start,
                                      uint64_t time, uint32_t flags) {
  p.resource_attributes.appendRow(resource_.keys, resource_.values, resource_.count);
  p.resource_schema_url.append(resource_schema_url_);
  p.scope_name.append(scope_.name);
  p.scope_version.append(scope_.version);
  p.scope_attributes.appendRow(scope_.keys, scope_.values, scope_.count);
  p.scope_dropped_attr_count.append(scope_.dropped_attributes_count);
  p.scope_schema_url.append(scope_schema_url_);
  p.service_name.append(resource_.service_name);
  p.metric_name.append(metric_name_);
  p.metric_description.append(metric_description_);
  p.metric_unit.append(metric_unit_);
  appendAttributes(av_, entry_mark, &scratch_, p.attributes);
  // pcommon.Timestamp.AsTime is time.Unix(0, int64(t)): the bits as int64.
  p.start_time_unix.append(static_cast<int64_t>(start));
  p.time_unix.append(static_cast<int64_t>(time));
  p.flags.append(flags);
}

Status MetricsProtoDecoder::checkExemplars() {
  for (size_t i = 0; i < exemplars_.size(); ++i) {
    std::string_view trace_id, span_id;
    ProtoReader r(exemplars_[i], kProtoNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      if (!f.isLen()) continue;
      if (f.number == 4) {
        span_id = f.bytes;
      } else if (f.number == 5) {
        trace_id = f.bytes;
      }
    }
    if (idLengthOk(trace_id, 16) && idLengthOk(span_id, 8)) continue;
    const std::string path = pointPath() + ".exemplars[" + std::to_string(i) + "]";
    return idLengthOk(trace_id, 16) ? badIdLength(path, "span_id", span_id.size(), 8)
                                    : badIdLength(path, "trace_id", trace_id.size(), 16);
  }
  return Status::ok();
}

void MetricsProtoDecoder::appendExemplars(ExemplarColumns& e) {
  // convertExemplars: hex.EncodeToString of the fixed-size id arrays, so an
  // empty id renders as zeros.
  static const std::string_view kZeroTrace = "00000000000000000000000000000000";
  static const std::string_view kZeroSpan = "0000000000000000";
  // Exemplar: time_unix_nano = 2, as_double = 3, span_id = 4, trace_id = 5,
  // as_int = 6, filtered_attributes = 7.
  for (std::string_view payload : exemplars_) {
    uint64_t time = 0;
    NumberValue value;
    std::string_view trace_id, span_id;
    const size_t seg_mark = av_.segMark();
    const size_t entry_mark = av_.entryMark();
    ProtoReader r(payload, kProtoNoDepthLimit);
    ProtoField f;
    while (r.next(&f)) {
      switch (f.number) {
        case 2:
          if (f.isFixed64()) time = f.value;
          break;
        case 3:
          if (f.isFixed64()) value = {NumberValue::kDouble, f.value};
          break;
        case 6:
          if (f.isFixed64()) value = {NumberValue::kInt, f.value};
          break;
        case 4:
          if (f.isLen()) span_id = f.bytes;
          break;
        case 5:
          if (f.isLen()) trace_id = f.bytes;
          break;
        case 7:
          if (f.isLen()) av_.addKeyValue(f.bytes);
          break;
        default:
          break;
      }
    }
    appendAttributes(av_, entry_mark, &scratch_, e.filtered_attributes.element());
    av_.releaseEntries(entry_mark);
    av_.releaseSegments(seg_mark);
    e.time_unix.add(static_cast<int64_t>(time));
    e.value.add(value.asDouble());
    char buf[32];
    e.span_id.add(span_id.empty() ? kZeroSpan : idHex(span_id, buf));
    e.trace_id.add(trace_id.empty() ? kZeroTrace : idHex(trace_id, buf));
  }
  e.filtered_attributes.endRow();
  e.time_unix.endRow();
  e.value.endRow();
  e.span_id.endRow();
  e.trace_id.endRow();
}

Status MetricsProtoDecoder::decodeNumberPoint(std::string_view payload, MetricsRows& rows) {
  // NumberDataPoint: start = 2, time = 3, as_double = 4, exemplars = 5,
  // as_int = 6, attributes = 7, flags = 8.
  uint64_t start = 0, time = 0;
  uint32_t flags = 0;
  NumberValue value;
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  exemplars_.clear();
  ProtoReader r(payload, kProtoNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    switch (f.number) {
      case 2:
        if (f.isFixed64()) start = f.value;
        break;
      case 3:
        if (f.isFixed64()) time = f.value;
        break;
      case 4:
        if (f.isFixed64()) value = {NumberValue::kDouble, f.value};
        break;
      case 6:
        if (f.isFixed64()) value = {NumberValue::kInt, f.value};
        break;
      case 5:
        if (f.isLen()) exemplars_.push_back(f.bytes);
        break;
      case 7:
        if (f.isLen()) av_.addKeyValue(f.bytes);
        break;
      case 8:
        if (f.isVarint()) flags = static_cast<uint32_t>(f.value);
        break;
      default:
        break;
    }
  }
  if (r.failed()) return release(seg_mark, entry_mark, internalError(r));
  if (Status s = checkExemplars(); !s.isOk()) return release(seg_mark, entry_mark, s);

  if (metric_kind_ == kGauge) {
    GaugeRows& g = rows.gauge;
    appendPoint(g.point, entry_mark, start, time, flags);
    releaseStacks(seg_mark, entry_mark);
    g.value.append(value.asDouble());
    appendExemplars(g.exemplars);
  } else {
    SumRows& s = rows.sum;
    appendPoint(s.point, entry_mark, start, time, flags);
    releaseStacks(seg_mark, entry_mark);
    s.value.append(value.asDouble());
    appendExemplars(s.exemplars);
    s.aggregation_temporality.append(temporality_);
    s.is_monotonic.append(monotonic_ ? 1 : 0);
  }
  return Status::ok();
}

Status MetricsProtoDecoder::decodeHistogramPoint(std::string_view payload, HistogramRows& h) {
  // HistogramDataPoint: start = 2, time = 3, count = 4, sum = 5,
  // bucket_counts = 6, explicit_bounds = 7, exemplars = 8, attributes = 9,
  // flags = 10, min = 11, max = 12.
  uint64_t start = 0, time = 0, count = 0, sum = 0, min = 0, max = 0;
  uint32_t flags = 0;
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  exemplars_.clear();
  packed_a_.clear();
  packed_b_.clear();
  ProtoReader r(payload, kProtoNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    switch (f.number) {
      case 2:
        if (f.isFixed64()) start = f.value;
        break;
      case 3:
        if (f.isFixed64()) time = f.value;
        break;
      case 4:
        if (f.isFixed64()) count = f.value;
        break;
      case 5:
        if (f.isFixed64()) sum = f.value;
        break;
      case 6:
        packed_a_.push_back(f);
        break;
      case 7:
        packed_b_.push_back(f);
        break;
      case 8:
        if (f.isLen()) exemplars_.push_back(f.bytes);
        break;
      case 9:
        if (f.isLen()) av_.addKeyValue(f.bytes);
        break;
      case 10:
        if (f.isVarint()) flags = static_cast<uint32_t>(f.value);
        break;
      case 11:
        if (f.isFixed64()) min = f.value;
        break;
      case 12:
        if (f.isFixed64()) max = f.value;
        break;
      default:
        break;
    }
  }
  if (r.failed()) return release(seg_mark, entry_mark, internalError(r));
  if (Status s = checkExemplars(); !s.isOk()) return release(seg_mark, entry_mark, s);

  appendPoint(h.point, entry_mark, start, time, flags);
  releaseStacks(seg_mark, entry_mark);
  h.count.append(count);
  // Optional sum / min / max: pdata's getters read 0 when unset.
  h.sum.append(bitsToDouble(sum));
  for (const ProtoField& pf : packed_a_) {
    forEachRepeatedFixed64(pf, [&](uint64_t v) { h.bucket_counts.add(v); });
  }
  h.bucket_counts.endRow();
  for (const ProtoField& pf : packed_b_) {
    forEachRepeatedFixed64(pf, [&](uint64_t v) { h.explicit_bounds.add(bitsToDouble(v)); });
  }
  h.explicit_bounds.endRow();
  appendExemplars(h.exemplars);
  h.min.append(bitsToDouble(min));
  h.max.append(bitsToDouble(max));
  h.aggregation_temporality.append(temporality_);
  return Status::ok();
}

Status MetricsProtoDecoder::decodeExpHistogramPoint(std::string_view payload,
                                                    ExponentialHistogramRows& e) {
  // ExponentialHistogramDataPoint: attributes = 1, start = 2, time = 3,
  // count = 4, sum = 5, scale = 6, zero_count = 7, positive = 8,
  // negative = 9, flags = 10, exemplars = 11, min = 12, max = 13.
  uint64_t start = 0, time = 0, count = 0, sum = 0, zero_count = 0, min = 0, max = 0;
  int32_t scale = 0;
  uint32_t flags = 0;
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  exemplars_.clear();
  packed_a_.clear();
  packed_b_.clear();
  ProtoReader r(payload, kProtoNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    switch (f.number) {
      case 1:
        if (f.isLen()) av_.addKeyValue(f.bytes);
        break;
      case 2:
        if (f.isFixed64()) start = f.value;
        break;
      case 3:
        if (f.isFixed64()) time = f.value;
        break;
      case 4:
        if (f.isFixed64()) count = f.value;
        break;
      case 5:
        if (f.isFixed64()) sum = f.value;
        break;
      case 6:
        if (f.isVarint()) scale = sint32(f.value);
        break;
      case 7:
        if (f.isFixed64()) zero_count = f.value;
        break;
      case 8:
        // Buckets occurrences merge; kept whole, read below.
        if (f.isLen()) packed_a_.push_back(f);
        break;
      case 9:
        if (f.isLen()) packed_b_.push_back(f);
        break;
      case 10:
        if (f.isVarint()) flags = static_cast<uint32_t>(f.value);
        break;
      case 11:
        if (f.isLen()) exemplars_.push_back(f.bytes);
        break;
      case 12:
        if (f.isFixed64()) min = f.value;
        break;
      case 13:
        if (f.isFixed64()) max = f.value;
        break;
      default:
        break;
    }
  }
  if (r.failed()) return release(seg_mark, entry_mark, internalError(r));
  if (Status s = checkExemplars(); !s.isOk()) return release(seg_mark, entry_mark, s);

  appendPoint(e.point, entry_mark, start, time, flags);
  releaseStacks(seg_mark, entry_mark);
  e.count.append(count);
  e.sum.append(bitsToDouble(sum));
  e.scale.append(scale);
  e.zero_count.append(zero_count);
  // Buckets: offset = 1 (sint32, last wins), bucket_counts = 2 (uint64,
  // concatenated over the merged occurrences).
  auto buckets = [&](const std::vector<ProtoField>& segs, FixedColumn<int32_t>& offset,
                     ArrayColumn<uint64_t>& counts) {
    int32_t off = 0;
    for (const ProtoField& seg : segs) {
      ProtoReader br(seg.bytes, kProtoNoDepthLimit);
      ProtoField bf;
      while (br.next(&bf)) {
        if (bf.number == 1 && bf.isVarint()) {
          off = sint32(bf.value);
        } else if (bf.number == 2) {
          forEachRepeatedVarint(bf, [&](uint64_t v) { counts.add(v); });
        }
      }
    }
    offset.append(off);
    counts.endRow();
  };
  buckets(packed_a_, e.positive_offset, e.positive_bucket_counts);
  buckets(packed_b_, e.negative_offset, e.negative_bucket_counts);
  appendExemplars(e.exemplars);
  e.min.append(bitsToDouble(min));
  e.max.append(bitsToDouble(max));
  e.aggregation_temporality.append(temporality_);
  return Status::ok();
}

Status MetricsProtoDecoder::decodeSummaryPoint(std::string_view payload, SummaryRows& s) {
  // SummaryDataPoint: start = 2, time = 3, count = 4, sum = 5,
  // quantile_values = 6, attributes = 7, flags = 8.
  uint64_t start = 0, time = 0, count = 0, sum = 0;
  uint32_t flags = 0;
  const size_t seg_mark = av_.segMark();
  const size_t entry_mark = av_.entryMark();
  quantiles_.clear();
  ProtoReader r(payload, kProtoNoDepthLimit);
  ProtoField f;
  while (r.next(&f)) {
    switch (f.number) {
      case 2:
        if (f.isFixed64()) start = f.value;
        break;
      case 3:
        if (f.isFixed64()) time = f.value;
        break;
      case 4:
        if (f.isFixed64()) count = f.value;
        break;
      case 5:
        if (f.isFixed64()) sum = f.value;
        break;
      case 6:
        if (f.isLen()) quantiles_.push_back(f.bytes);
        break;
      case 7:
        if (f.isLen()) av_.addKeyValue(f.bytes);
        break;
      case 8:
        if (f.isVarint()) flags = static_cast<uint32_t>(f.value);
        break;
      default:
        break;
    }
  }
  if (r.failed()) return release(seg_mark, entry_mark, internalError(r));

  appendPoint(s.point, entry_mark, start, time, flags);
  releaseStacks(seg_mark, entry_mark);
  s.count.append(count);
  s.sum.append(bitsToDouble(sum));
  // ValueAtQuantile: quantile = 1, value = 2.
  for (std::string_view q : quantiles_) {
    uint64_t quantile = 0, value = 0;
    ProtoReader qr(q, kProtoNoDepthLimit);
    while (qr.next(&f)) {
      if (!f.isFixed64()) continue;
      if (f.number == 1) {
        quantile = f.value;
      } else if (f.number == 2) {
        value = f.value;
      }
    }
    s.quantiles.add(bitsToDouble(quantile));
    s.values.add(bitsToDouble(value));
  }
  s.quantiles.endRow();
  s.values.endRow();
  return Status::ok();
}

}  // namespace

Status decodeMetricsProto(std::string_view body, MetricsRows& rows) {
  thread_local MetricsProtoDecoder decoder;
  return decoder.decode(body, rows);
}

}  // namespace otelhouse
