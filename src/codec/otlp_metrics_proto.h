// decodeMetricsProto: OTLP ExportMetricsServiceRequest (protobuf) -> rows of
// the five ClickStack metrics tables (MetricsRows).
//
// One row per data point, in the table of its metric's type, with the column
// values the OpenTelemetry Collector's clickhouse exporter writes
// (internal/metrics/*_metrics.go and metrics_model.go; the full table is in
// docs/COLUMNS.md). In short:
//   Resource* / Scope* / ServiceName   as for logs; ScopeDroppedAttrCount is
//                    the scope's dropped_attributes_count
//   MetricName / MetricDescription / MetricUnit   as sent
//   Attributes       the point's attributes (keys sorted, last duplicate wins)
//   StartTimeUnix / TimeUnix   nanoseconds, the uint64 read as int64
//   Flags            the point's flags
//   Value            as_double, or as_int converted to float64; 0 when unset
//   Exemplars.*      one element per exemplar; ids ALWAYS as hex of the
//                    fixed-size pdata array (hex.EncodeToString(id[:])), so
//                    an absent id is all zeros, unlike spans and logs
//   Sum: AggregationTemporality (the enum's int32), IsMonotonic
//   Histogram: Count, Sum, BucketCounts, ExplicitBounds, Min, Max (optional
//                    sum/min/max read 0 when absent), AggregationTemporality
//   ExponentialHistogram: Scale, ZeroCount, Positive/Negative Offset and
//                    BucketCounts (an absent Buckets is offset 0, no counts)
//   Summary: Count, Sum, ValueAtQuantiles.Quantile / .Value
//
// A metric whose `data` is absent yields no rows and does not fail the
// request. (The exporter returns "metrics type is unset" for the whole
// batch, after the receiver has already answered 200; storing the rest is
// the behaviour a client can rely on.)
//
// Protobuf semantics are libprotobuf's, as for decodeLogsProto (merging of
// repeated singular messages, the last member of a oneof wins, packed and
// unpacked repeated scalars, unknown fields skipped, 100 levels of nesting,
// no UTF-8 check). Bad exemplar ids fail the request like span ids.
//
// Errors: Code::kInvalidArgument naming the place, e.g.
// "resource_metrics[0].scope_metrics[0].metrics[3].sum.data_points[1]
// .exemplars[0].trace_id: invalid length 5 (want 0 or 16)". On error `rows`
// holds a partial batch; throw it away.
#pragma once

#include <string_view>

#include "common/status.h"
#include "rows/metrics_rows.h"

namespace otelhouse {

// Appends one row per data point of the request in `body` to `rows`.
// Thread-safe (each thread uses its own scratch).
Status decodeMetricsProto(std::string_view body, MetricsRows& rows);

}  // namespace otelhouse
