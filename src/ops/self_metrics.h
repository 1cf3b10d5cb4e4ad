// self_metrics: scrape-time collectors that publish the stats other stages
// already keep (receiver request counts, exporter per-table counts, WAL size
// and backlog age) and the process's own CPU, memory and file descriptors,
// under the names listed in docs/METRICS.md.
//
// Each register* call adds a collector holding a reference to its source:
// the source must outlive every later MetricsRegistry::render(). Collectors
// only read atomics or take the source's own short locks.
#pragma once

#include "export/exporter.h"
#include "ops/metrics_registry.h"
#include "receivers/otlp_grpc.h"
#include "receivers/otlp_http.h"
#include "wal/wal.h"

namespace otelhouse {

void registerProcessMetrics(MetricsRegistry& registry);
void registerHttpReceiverMetrics(MetricsRegistry& registry, const OtlpHttpReceiver& receiver);
void registerGrpcReceiverMetrics(MetricsRegistry& registry, const OtlpGrpcReceiver& receiver);
void registerExporterMetrics(MetricsRegistry& registry, Exporter& exporter, const Wal& wal);

}  // namespace otelhouse
