#include "codec/otlp_metrics_json.h"

#include <string>
#include <vector>

#include "codec/otlp_json_common.h"

namespace otelhouse {
namespace {

using otlpjson::Element;
using otlpjson::EnumName;
using otlpjson::isField;
using otlpjson::JsonScratch;
using otlpjson::PathScope;

constexpr EnumName kTemporalities[] = {
    {"AGGREGATION_TEMPORALITY_UNSPECIFIED", 0},
    {"AGGREGATION_TEMPORALITY_DELTA", 1},
    {"AGGREGATION_TEMPORALITY_CUMULATIVE", 2},
};

// Exemplar ids are written as Go's hex.EncodeToString of the fixed-size id,
// so an absent id is all zeros (unlike span / log ids, which become "").
constexpr bool kExemplarIdsKeepZero = true;

enum class DataKind : uint8_t { kNone, kGauge, kSum, kHistogram, kExponentialHistogram, kSummary };

struct DataMember {
  DataKind kind;
  std::string_view camel;
  std::string_view snake;
};

constexpr DataMember kDataMembers[] = {
    {DataKind::kGauge, "gauge", "gauge"},
    {DataKind::kSum, "sum", "sum"},
    {DataKind::kHistogram, "histogram", "histogram"},
    {DataKind::kExponentialHistogram, "exponentialHistogram", "exponential_histogram"},
    {DataKind::kSummary, "summary", "summary"},
};

std::string_view memberName(DataKind kind) {
  for (const DataMember& m : kDataMembers) {
    if (m.kind == kind) return m.camel;
  }
  return {};
}

// The scalar fields of any kind of data point; each kind reads its own.
struct PointFields {
  uint64_t start = 0;
  uint64_t time = 0;
  uint32_t flags = 0;
  double value = 0;  // NumberDataPoint
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  int32_t scale = 0;
  uint64_t zero_count = 0;
  int32_t positive_offset = 0;
  int32_t negative_offset = 0;
};

void endExemplarRow(ExemplarColumns& e) {
  e.filtered_attributes.endRow();
  e.time_unix.endRow();
  e.value.endRow();
  e.span_id.endRow();
  e.trace_id.endRow();
}

// Requests bigger than this do not keep their buffers after decoding.
constexpr size_t kKeepScratchBytes = 8u << 20;

// Walks the DOM of one request. Resource, scope and metric columns are
// rendered once and copied into each data point's row; each level is read in
// two passes because the fields it copies down may come after its children
// in the JSON text. A data point is read in one pass: its array columns
// (exemplars, buckets, quantiles) are filled as they come, its scalar
// columns are written at its end.
class MetricsJsonDecoder {
 public:
  Status decode(std::string_view body, MetricsRows& rows);

 private:
  Status resourceMetrics(Element el, MetricsRows& rows);
  Status scopeMetrics(Element el, MetricsRows& rows);
  Status metric(Element el, MetricsRows& rows);
  // Decodes the data member occurrences_[begin, end) of one kind.
  Status metricData(DataKind kind, size_t begin, size_t end, MetricsRows& rows);
  Status dataPoint(Element el, DataKind kind, MetricsRows& rows);
  Status exemplar(Element el, ExemplarColumns& columns);
  Status buckets(Element el, int32_t& offset, ArrayColumn<uint64_t>& counts);
  Status valueAtQuantile(Element el, SummaryRows& rows);
  void appendPoint(MetricPointColumns& p, const PointFields& f, size_t attr_count);

  JsonScratch js_;

  std::string service_name_;
  std::string_view resource_schema_url_;
  std::string resource_keys_;
  std::string resource_values_;
  size_t resource_count_ = 0;

  otlpjson::ScopeFields scope_;
  std::string_view scope_schema_url_;
  std::string scope_keys_;
  std::string scope_values_;
  size_t scope_count_ = 0;

  std::string_view name_;
  std::string_view description_;
  std::string_view unit_;
  int32_t temporality_ = 0;
  bool monotonic_ = false;
  std::vector<Element> occurrences_;  // of the metric's current data member
  MetricsRows discard_;               // rows of data members a later one replaced

  std::string attr_keys_;
  std::string attr_values_;
  std::string nested_keys_;  // exemplar attributes, metric metadata
  std::string nested_values_;
  std::string trace_id_;
  std::string span_id_;
};

Status MetricsJsonDecoder::decode(std::string_view body, MetricsRows& rows) {
  Element root;
  Status s = js_.parse(body, root);
  if (!s) return s;
  s = js_.forEachField(root, [&](std::string_view key, Element v) -> Status {
    if (!isField(key, "resourceMetrics", "resource_metrics")) return Status::ok();
    PathScope field(js_.path(), "resourceMetrics");
    return js_.forEach(v, [&](size_t, Element item) { return resourceMetrics(item, rows); });
  });
  discard_.clear();
  if (body.size() > kKeepScratchBytes) {
    js_.trim(kKeepScratchBytes);
    discard_ = MetricsRows();
  }
  return s;
}

Status MetricsJsonDecoder::resourceMetrics(Element el, MetricsRows& rows) {
  resource_schema_url_ = {};
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "resource") return otlpjson::readResource(js_, v);
    if (isField(key, "schemaUrl", "schema_url")) {
      PathScope field(js_.path(), "schemaUrl");
      return js_.readString(v, resource_schema_url_);
    }
    return Status::ok();
  });
  if (!s) return s;
  bool found = false;
  s = js_.firstValue(mark, "service.name", service_name_, found);
  if (!s) return s;
  s = js_.finishMap(mark, resource_keys_, resource_values_, resource_count_);
  if (!s) return s;
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (!isField(key, "scopeMetrics", "scope_metrics")) return Status::ok();
    PathScope field(js_.path(), "scopeMetrics");
    return js_.forEach(v, [&](size_t, Element item) { return scopeMetrics(item, rows); });
  });
}

Status MetricsJsonDecoder::scopeMetrics(Element el, MetricsRows& rows) {
  scope_ = {};
  scope_schema_url_ = {};
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "scope") return otlpjson::readScope(js_, v, scope_);
    if (isField(key, "schemaUrl", "schema_url")) {
      PathScope field(js_.path(), "schemaUrl");
      return js_.readString(v, scope_schema_url_);
    }
    return Status::ok();
  });
  if (!s) return s;
  s = js_.finishMap(mark, scope_keys_, scope_values_, scope_count_);
  if (!s) return s;
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key != "metrics") return Status::ok();
    PathScope field(js_.path(), "metrics");
    return js_.forEach(v, [&](size_t, Element item) { return metric(item, rows); });
  });
}

Status MetricsJsonDecoder::metric(Element el, MetricsRows& rows) {
  name_ = {};
  description_ = {};
  unit_ = {};
  DataKind kind = DataKind::kNone;
  occurrences_.clear();
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "name") {
      PathScope field(js_.path(), "name");
      return js_.readString(v, name_);
    }
    if (key == "description") {
      PathScope field(js_.path(), "description");
      return js_.readString(v, description_);
    }
    if (key == "unit") {
      PathScope field(js_.path(), "unit");
      return js_.readString(v, unit_);
    }
    if (key == "metadata") return js_.addKeyValues(v, "metadata");
    for (const DataMember& m : kDataMembers) {
      if (!isField(key, m.camel, m.snake)) continue;
      if (v.is_null()) return Status::ok();
      if (m.kind != kind && !occurrences_.empty()) {
        // Another oneof member replaces this one, which must still be valid.
        Status r = metricData(kind, 0, occurrences_.size(), discard_);
        discard_.clear();
        if (!r) return r;
        occurrences_.clear();
      }
      kind = m.kind;
      occurrences_.push_back(v);
      return Status::ok();
    }
    return Status::ok();
  });
  if (!s) return s;
  size_t ignored = 0;
  s = js_.finishMap(mark, nested_keys_, nested_values_, ignored);
  if (!s) return s;
  if (kind == DataKind::kNone) return Status::ok();
  return metricData(kind, 0, occurrences_.size(), rows);
}

Status MetricsJsonDecoder::metricData(DataKind kind, size_t begin, size_t end,
                                      MetricsRows& rows) {
  PathScope member(js_.path(), memberName(kind));
  temporality_ = 0;
  monotonic_ = false;
  // First the fields every data point copies, from all occurrences (merged).
  for (size_t i = begin; i < end; ++i) {
    Element el = occurrences_[i];
    if (!el.is_object()) return js_.failType("an object");
    Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
      if (kind != DataKind::kGauge && kind != DataKind::kSummary &&
          isField(key, "aggregationTemporality", "aggregation_temporality")) {
        PathScope field(js_.path(), "aggregationTemporality");
        return js_.readEnum(v, kTemporalities, std::size(kTemporalities), temporality_);
      }
      if (kind == DataKind::kSum && isField(key, "isMonotonic", "is_monotonic")) {
        PathScope field(js_.path(), "isMonotonic");
        return js_.readBool(v, monotonic_);
      }
      return Status::ok();
    });
    if (!s) return s;
  }
  for (size_t i = begin; i < end; ++i) {
    Status s = js_.forEachField(occurrences_[i], [&](std::string_view key, Element v) -> Status {
      if (!isField(key, "dataPoints", "data_points")) return Status::ok();
      PathScope field(js_.path(), "dataPoints");
      return js_.forEach(v, [&](size_t, Element item) { return dataPoint(item, kind, rows); });
    });
    if (!s) return s;
  }
  return Status::ok();
}

Status MetricsJsonDecoder::exemplar(Element el, ExemplarColumns& columns) {
  uint64_t time = 0;
  double value = 0;
  trace_id_.clear();
  span_id_.clear();
  if (kExemplarIdsKeepZero) {
    trace_id_.assign(32, '0');
    span_id_.assign(16, '0');
  }
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (isField(key, "filteredAttributes", "filtered_attributes")) {
      return js_.addKeyValues(v, "filteredAttributes");
    }
    if (isField(key, "timeUnixNano", "time_unix_nano")) {
      PathScope field(js_.path(), "timeUnixNano");
      return js_.readUint64(v, time);
    }
    if (isField(key, "asDouble", "as_double")) {
      if (v.is_null()) return Status::ok();
      PathScope field(js_.path(), "asDouble");
      return js_.readDouble(v, value);
    }
    if (isField(key, "asInt", "as_int")) {
      if (v.is_null()) return Status::ok();
      PathScope field(js_.path(), "asInt");
      int64_t i = 0;
      Status r = js_.readInt64(v, i);
      value = static_cast<double>(i);
      return r;
    }
    if (isField(key, "traceId", "trace_id")) {
      PathScope field(js_.path(), "traceId");
      return js_.readId(v, 16, trace_id_, kExemplarIdsKeepZero);
    }
    if (isField(key, "spanId", "span_id")) {
      PathScope field(js_.path(), "spanId");
      return js_.readId(v, 8, span_id_, kExemplarIdsKeepZero);
    }
    return Status::ok();
  });
  if (!s) return s;
  size_t count = 0;
  s = js_.finishMap(mark, nested_keys_, nested_values_, count);
  if (!s) return s;
  columns.filtered_attributes.element().appendRow(nested_keys_, nested_values_, count);
  columns.time_unix.add(static_cast<int64_t>(time));
  columns.value.add(value);
  columns.span_id.add(span_id_);
  columns.trace_id.add(trace_id_);
  return Status::ok();
}

Status MetricsJsonDecoder::buckets(Element el, int32_t& offset, ArrayColumn<uint64_t>& counts) {
  if (!el.is_object() && !el.is_null()) return js_.failType("an object");
  return js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "offset") {
      PathScope field(js_.path(), "offset");
      return js_.readInt32(v, offset);
    }
    if (isField(key, "bucketCounts", "bucket_counts")) {
      PathScope field(js_.path(), "bucketCounts");
      return js_.forEach(v, [&](size_t, Element item) -> Status {
        uint64_t c = 0;
        Status r = js_.readUint64(item, c);
        counts.add(c);
        return r;
      });
    }
    return Status::ok();
  });
}

Status MetricsJsonDecoder::valueAtQuantile(Element el, SummaryRows& rows) {
  double quantile = 0;
  double value = 0;
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "quantile") {
      PathScope field(js_.path(), "quantile");
      return js_.readDouble(v, quantile);
    }
    if (key == "value") {
      PathScope field(js_.path(), "value");
      return js_.readDouble(v, value);
    }
    return Status::ok();
  });
  if (!s) return s;
  rows.quantiles.add(quantile);
  rows.values.add(value);
  return Status::ok();
}

Status MetricsJsonDecoder::dataPoint(Element el, DataKind kind, MetricsRows& rows) {
  const bool number = kind == DataKind::kGauge || kind == DataKind::kSum;
  const bool histogram = kind == DataKind::kHistogram;
  const bool exponential = kind == DataKind::kExponentialHistogram;
  const bool summary = kind == DataKind::kSummary;
  ExemplarColumns* exemplars = nullptr;
  switch (kind) {
    case DataKind::kGauge:
      exemplars = &rows.gauge.exemplars;
      break;
    case DataKind::kSum:
      exemplars = &rows.sum.exemplars;
      break;
    case DataKind::kHistogram:
      exemplars = &rows.histogram.exemplars;
      break;
    case DataKind::kExponentialHistogram:
      exemplars = &rows.exponential_histogram.exemplars;
      break;
    default:
      break;
  }
  PointFields f;
  const size_t mark = js_.beginMap();
  Status s = js_.forEachField(el, [&](std::string_view key, Element v) -> Status {
    if (key == "attributes") return js_.addKeyValues(v, "attributes");
    if (isField(key, "startTimeUnixNano", "start_time_unix_nano")) {
      PathScope field(js_.path(), "startTimeUnixNano");
      return js_.readUint64(v, f.start);
    }
    if (isField(key, "timeUnixNano", "time_unix_nano")) {
      PathScope field(js_.path(), "timeUnixNano");
      return js_.readUint64(v, f.time);
    }
    if (key == "flags") {
      PathScope field(js_.path(), "flags");
      return js_.readUint32(v, f.flags);
    }
    if (exemplars && key == "exemplars") {
      PathScope field(js_.path(), "exemplars");
      return js_.forEach(v, [&](size_t, Element item) { return exemplar(item, *exemplars); });
    }
    if (number) {
      if (isField(key, "asDouble", "as_double")) {
        if (v.is_null()) return Status::ok();
        PathScope field(js_.path(), "asDouble");
        return js_.readDouble(v, f.value);
      }
      if (isField(key, "asInt", "as_int")) {
        if (v.is_null()) return Status::ok();
        PathScope field(js_.path(), "asInt");
        int64_t i = 0;
        Status r = js_.readInt64(v, i);
        f.value = static_cast<double>(i);
        return r;
      }
      return Status::ok();
    }
    if (key == "count") {
      PathScope field(js_.path(), "count");
      return js_.readUint64(v, f.count);
    }
    if (key == "sum") {
      PathScope field(js_.path(), "sum");
      return js_.readDouble(v, f.sum);
    }
    if (summary) {
      if (!isField(key, "quantileValues", "quantile_values")) return Status::ok();
      PathScope field(js_.path(), "quantileValues");
      return js_.forEach(v, [&](size_t, Element item) {
        return valueAtQuantile(item, rows.summary);
      });
    }
    if (key == "min") {
      PathScope field(js_.path(), "min");
      return js_.readDouble(v, f.min);
    }
    if (key == "max") {
      PathScope field(js_.path(), "max");
      return js_.readDouble(v, f.max);
    }
    if (histogram) {
      if (isField(key, "bucketCounts", "bucket_counts")) {
        PathScope field(js_.path(), "bucketCounts");
        return js_.forEach(v, [&](size_t, Element item) -> Status {
          uint64_t c = 0;
          Status r = js_.readUint64(item, c);
          rows.histogram.bucket_counts.add(c);
          return r;
        });
      }
      if (isField(key, "explicitBounds", "explicit_bounds")) {
        PathScope field(js_.path(), "explicitBounds");
        return js_.forEach(v, [&](size_t, Element item) -> Status {
          double b = 0;
          Status r = js_.readDouble(item, b);
          rows.histogram.explicit_bounds.add(b);
          return r;
        });
      }
      return Status::ok();
    }
    if (exponential) {
      ExponentialHistogramRows& e = rows.exponential_histogram;
      if (key == "scale") {
        PathScope field(js_.path(), "scale");
        return js_.readInt32(v, f.scale);
      }
      if (isField(key, "zeroCount", "zero_count")) {
        PathScope field(js_.path(), "zeroCount");
        return js_.readUint64(v, f.zero_count);
      }
      if (key == "positive") {
        PathScope field(js_.path(), "positive");
        return buckets(v, f.positive_offset, e.positive_bucket_counts);
      }
      if (key == "negative") {
        PathScope field(js_.path(), "negative");
        return buckets(v, f.negative_offset, e.negative_bucket_counts);
      }
      if (isField(key, "zeroThreshold", "zero_threshold")) {
        PathScope field(js_.path(), "zeroThreshold");
        double ignored = 0;
        return js_.readDouble(v, ignored);
      }
    }
    return Status::ok();
  });
  if (!s) return s;
  size_t attr_count = 0;
  s = js_.finishMap(mark, attr_keys_, attr_values_, attr_count);
  if (!s) return s;

  switch (kind) {
    case DataKind::kGauge: {
      GaugeRows& r = rows.gauge;
      appendPoint(r.point, f, attr_count);
      r.value.append(f.value);
      endExemplarRow(r.exemplars);
      break;
    }
    case DataKind::kSum: {
      SumRows& r = rows.sum;
      appendPoint(r.point, f, attr_count);
      r.value.append(f.value);
      endExemplarRow(r.exemplars);
      r.aggregation_temporality.append(temporality_);
      r.is_monotonic.append(monotonic_ ? 1 : 0);
      break;
    }
    case DataKind::kHistogram: {
      HistogramRows& r = rows.histogram;
      appendPoint(r.point, f, attr_count);
      r.count.append(f.count);
      r.sum.append(f.sum);
      r.bucket_counts.endRow();
      r.explicit_bounds.endRow();
      endExemplarRow(r.exemplars);
      r.min.append(f.min);
      r.max.append(f.max);
      r.aggregation_temporality.append(temporality_);
      break;
    }
    case DataKind::kExponentialHistogram: {
      ExponentialHistogramRows& r = rows.exponential_histogram;
      appendPoint(r.point, f, attr_count);
      r.count.append(f.count);
      r.sum.append(f.sum);
      r.scale.append(f.scale);
      r.zero_count.append(f.zero_count);
      r.positive_offset.append(f.positive_offset);
      r.positive_bucket_counts.endRow();
      r.negative_offset.append(f.negative_offset);
      r.negative_bucket_counts.endRow();
      endExemplarRow(r.exemplars);
      r.min.append(f.min);
      r.max.append(f.max);
      r.aggregation_temporality.append(temporality_);
      break;
    }
    case DataKind::kSummary: {
      SummaryRows& r = rows.summary;
      appendPoint(r.point, f, attr_count);
      r.count.append(f.count);
      r.sum.append(f.sum);
      r.quantiles.endRow();
      r.values.endRow();
      break;
    }
    case DataKind::kNone:
      break;
  }
  return Status::ok();
}

void MetricsJsonDecoder::appendPoint(MetricPointColumns& p, const PointFields& f,
                                     size_t attr_count) {
  p.resource_attributes.appendRow(resource_keys_, resource_values_, resource_count_);
  p.resource_schema_url.append(resource_schema_url_);
  p.scope_name.append(scope_.name);
  p.scope_version.append(scope_.version);
  p.scope_attributes.appendRow(scope_keys_, scope_values_, scope_count_);
  p.scope_dropped_attr_count.append(scope_.dropped_attributes_count);
  p.scope_schema_url.append(scope_schema_url_);
  p.service_name.append(service_name_);
  p.metric_name.append(name_);
  p.metric_description.append(description_);
  p.metric_unit.append(unit_);
  p.attributes.appendRow(attr_keys_, attr_values_, attr_count);
  p.start_time_unix.append(static_cast<int64_t>(f.start));
  p.time_unix.append(static_cast<int64_t>(f.time));
  p.flags.append(f.flags);
}

}  // namespace

Status decodeMetricsJson(std::string_view body, MetricsRows& rows) {
  thread_local MetricsJsonDecoder decoder;
  return decoder.decode(body, rows);
}

}  // namespace otelhouse
