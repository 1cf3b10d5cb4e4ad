// metrics: a fixed set of instruments recorded through the real
// OpenTelemetry JS metrics SDK (MeterProvider + PeriodicExportingMetricReader)
// and exported with an OTLP exporter, and the oracle for the otel_metrics_*
// rows ClickStack's collector (clickhouse exporter) writes for them (see
// docs/COLUMNS.md).
//
// Contract: emitMetricScenario() records the same values on every call; the
// times are the SDK's (collection time, instrument start). Every
// ResourceMetrics the reader hands to the exporter is kept (exports), and
// expectedMetricRows() computes from those the rows per table: one per data
// point, whatever the number of collections. exportOnce() sends one kept
// ResourceMetrics again through another exporter, with another run id, so
// transports can be compared on identical data.
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';

import { asString, attributesColumn, hrTimeToNanos, typedEntries } from './otel_model.mjs';

const EXPORT_SUCCESS = 0;

export const METRIC_TABLES = ['sum', 'gauge', 'histogram', 'exponential_histogram'];

const HEAD = [
  'ResourceAttributes',
  'ResourceSchemaUrl',
  'ScopeName',
  'ScopeVersion',
  'ScopeAttributes',
  'ScopeDroppedAttrCount',
  'ScopeSchemaUrl',
  'ServiceName',
  'MetricName',
  'MetricDescription',
  'MetricUnit',
  'Attributes',
  'StartTimeUnix',
  'TimeUnix',
];
const EXEMPLARS = [
  'Exemplars.FilteredAttributes',
  'Exemplars.TimeUnix',
  'Exemplars.Value',
  'Exemplars.SpanId',
  'Exemplars.TraceId',
];
const HIST_TAIL = ['Flags', 'Min', 'Max', 'AggregationTemporality'];

// ClickStack's columns of each otel_metrics_* table, in table order.
export const METRIC_COLUMNS = {
  gauge: [...HEAD, 'Value', 'Flags', ...EXEMPLARS],
  sum: [...HEAD, 'Value', 'Flags', ...EXEMPLARS, 'AggregationTemporality', 'IsMonotonic'],
  histogram: [...HEAD, 'Count', 'Sum', 'BucketCounts', 'ExplicitBounds', ...EXEMPLARS, ...HIST_TAIL],
  exponential_histogram: [
    ...HEAD,
    'Count',
    'Sum',
    'Scale',
    'ZeroCount',
    'PositiveOffset',
    'PositiveBucketCounts',
    'NegativeOffset',
    'NegativeBucketCounts',
    ...EXEMPLARS,
    ...HIST_TAIL,
  ],
};

// Every column of `table` in a form JSONEachRow renders exactly (DateTime as
// seconds).
export function metricRowSelect(table) {
  return METRIC_COLUMNS[table]
    .map((c) => {
      if (c === 'StartTimeUnix' || c === 'TimeUnix') return `toUInt32(toUnixTimestamp(${c})) AS ${c}`;
      if (c === 'Exemplars.TimeUnix') {
        return 'arrayMap(t -> toUInt32(toUnixTimestamp(t)), `Exemplars.TimeUnix`) AS `Exemplars.TimeUnix`';
      }
      return c.includes('.') ? `\`${c}\`` : c;
    })
    .join(', ');
}

const seconds = (t) => Number(hrTimeToNanos(t) / 1_000_000_000n);

// SDK AggregationTemporality -> OTLP enum value.
function otlpTemporality(t) {
  if (t === AggregationTemporality.DELTA) return 1;
  if (t === AggregationTemporality.CUMULATIVE) return 2;
  throw new Error(`unknown temporality ${t}`);
}

// {table: [row, ...]} for one ResourceMetrics as the SDK exported it.
export function expectedMetricRows(resourceMetrics) {
  const out = Object.fromEntries(METRIC_TABLES.map((t) => [t, []]));
  const resAttrs = typedEntries(resourceMetrics.resource.attributes);
  const service = resAttrs.find(([k]) => k === 'service.name');
  for (const sm of resourceMetrics.scopeMetrics) {
    for (const m of sm.metrics) {
      for (const dp of m.dataPoints) {
        const row = {
          ResourceAttributes: attributesColumn(resAttrs),
          ResourceSchemaUrl: resourceMetrics.resource.schemaUrl ?? '',
          ScopeName: sm.scope.name,
          ScopeVersion: sm.scope.version ?? '',
          ScopeAttributes: attributesColumn(typedEntries(sm.scope.attributes)),
          ScopeDroppedAttrCount: 0,
          ScopeSchemaUrl: sm.scope.schemaUrl ?? '',
          ServiceName: service ? asString(service[1]) : '',
          MetricName: m.descriptor.name,
          MetricDescription: m.descriptor.description,
          MetricUnit: m.descriptor.unit,
          Attributes: attributesColumn(typedEntries(dp.attributes)),
          StartTimeUnix: seconds(dp.startTime),
          TimeUnix: seconds(dp.endTime),
        };
        const noExemplars = {
          'Exemplars.FilteredAttributes': [],
          'Exemplars.TimeUnix': [],
          'Exemplars.Value': [],
          'Exemplars.SpanId': [],
          'Exemplars.TraceId': [],
        };
        switch (m.dataPointType) {
          case DataPointType.GAUGE:
            out.gauge.push({ ...row, Value: dp.value, Flags: 0, ...noExemplars });
            break;
          case DataPointType.SUM:
            out.sum.push({
              ...row,
              Value: dp.value,
              Flags: 0,
              ...noExemplars,
              AggregationTemporality: otlpTemporality(m.aggregationTemporality),
              IsMonotonic: m.isMonotonic,
            });
            break;
          case DataPointType.HISTOGRAM: {
            const h = dp.value;
            out.histogram.push({
              ...row,
              Count: h.count,
              Sum: h.sum ?? 0,
              BucketCounts: h.buckets.counts,
              ExplicitBounds: h.buckets.boundaries,
              ...noExemplars,
              Flags: 0,
              Min: h.min ?? 0,
              Max: h.max ?? 0,
              AggregationTemporality: otlpTemporality(m.aggregationTemporality),
            });
            break;
          }
          case DataPointType.EXPONENTIAL_HISTOGRAM: {
            const h = dp.value;
            out.exponential_histogram.push({
              ...row,
              Count: h.count,
              Sum: h.sum ?? 0,
              Scale: h.scale,
              ZeroCount: h.zeroCount,
              PositiveOffset: h.positive.offset,
              PositiveBucketCounts: h.positive.bucketCounts,
              NegativeOffset: h.negative.offset,
              NegativeBucketCounts: h.negative.bucketCounts,
              ...noExemplars,
              Flags: 0,
              Min: h.min ?? 0,
              Max: h.max ?? 0,
              AggregationTemporality: otlpTemporality(m.aggregationTemporality),
            });
            break;
          }
          default:
            throw new Error(`unexpected data point type ${m.dataPointType}`);
        }
      }
    }
  }
  return out;
}

// Exporter wrapper keeping every exported ResourceMetrics and every result.
export class RecordingMetricExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
    this.exports = [];
  }
  export(resourceMetrics, done) {
    this.inner.export(resourceMetrics, (result) => {
      this.results.push(result);
      if (result.code === EXPORT_SUCCESS) this.exports.push(resourceMetrics);
      done(result);
    });
  }
  selectAggregationTemporality(kind) {
    return this.inner.selectAggregationTemporality(kind);
  }
  selectAggregation(kind) {
    return this.inner.selectAggregation ? this.inner.selectAggregation(kind) : { type: AggregationType.DEFAULT };
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
  shutdown() {
    return this.inner.shutdown();
  }
  assertAllExported() {
    const failed = this.results.filter((r) => r.code !== EXPORT_SUCCESS);
    if (failed.length > 0) {
      throw new Error(`OTLP export failed:\n${failed.map((r) => r.error?.message ?? r.error).join('\n')}`);
    }
    if (this.exports.length === 0) throw new Error('nothing was exported');
  }
  // All expected rows of every export, per table.
  expectedRows() {
    const out = Object.fromEntries(METRIC_TABLES.map((t) => [t, []]));
    for (const rm of this.exports) {
      const rows = expectedMetricRows(rm);
      for (const t of METRIC_TABLES) out[t].push(...rows[t]);
    }
    return out;
  }
}

export const METRIC_RESOURCE_SCHEMA = 'https://opentelemetry.io/schemas/1.26.0';

export function metricResourceAttributes(runId, service = 'e2e-metrics-sdk') {
  return {
    'service.name': service,
    'host.name': 'e2e-host',
    'os.type': 'linux',
    'e2e.run.id': runId,
    'res.int': 7,
    'res.double': 0.5,
    'res.bool': true,
    'res.array': ['x', 2, 1.25, true, null],
    'res.map': { b: [1, { c: 'd' }], a: 'z<&>' },
    'res.special': 'quote" \\ nl\n <&> é ✓ 😀',
  };
}

export const LATENCY_BOUNDS = [0, 5, 10, 25.5, 100];

// Records the scenario's measurements on `provider`.
function recordScenario(provider) {
  const meter = provider.getMeter('e2e.meter', '3.1.4', { schemaUrl: 'https://example.com/meter/1' });
  const meterB = provider.getMeter('e2e.meter.b');

  const requests = meter.createCounter('e2e.requests', { description: 'Requests served', unit: '{request}' });
  requests.add(1, { route: '/a', code: 200 });
  requests.add(2.5, { route: '/a', code: 200 });
  requests.add(4, { route: '/b', code: 500, ok: false, ratio: 0.25, tags: ['x', 'y'] });

  const bytes = meter.createCounter('e2e.bytes', { unit: 'By', valueType: ValueType.INT });
  bytes.add(1024);
  bytes.add(7, { dir: 'in' });

  const depth = meter.createUpDownCounter('e2e.queue.depth', { description: 'Items queued' });
  depth.add(5);
  depth.add(-8);
  depth.add(2, { queue: 'q2' });

  const latency = meter.createHistogram('e2e.latency', {
    description: 'Request latency',
    unit: 'ms',
    advice: { explicitBucketBoundaries: LATENCY_BOUNDS },
  });
  for (const v of [0, 3, 5, 7.25, 30, 1000]) latency.record(v, { route: '/a' });
  latency.record(12.5, { route: '/b' });

  const size = meterB.createHistogram('e2e.size', { unit: 'By', valueType: ValueType.INT });
  size.record(12);
  size.record(99_999);

  const expLatency = meter.createHistogram('e2e.exp.latency', { unit: 's', description: 'exponential' });
  for (const v of [0, 0, 1, 2, 3, 1.5, 1000, 0.001]) expLatency.record(v, { route: '/a' });

  // An up-down counter aggregated as an exponential histogram may see
  // negative values: negative buckets, and no sum.
  const signed = meter.createUpDownCounter('e2e.exp.signed', { description: 'signed values' });
  for (const v of [-4, -0.5, 2, 0, -4]) signed.add(v);

  const temperature = meterB.createObservableGauge('e2e.temperature', { unit: 'Cel', description: 'Room temperature' });
  temperature.addCallback((result) => {
    result.observe(21.5, { room: 'a' });
    result.observe(-3.75, { room: 'b', floor: 2 });
  });
  const users = meter.createObservableGauge('e2e.users', { valueType: ValueType.INT });
  users.addCallback((result) => result.observe(12));
}

const VIEWS = [
  {
    instrumentName: 'e2e.exp.latency',
    aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } },
  },
  {
    instrumentName: 'e2e.exp.signed',
    aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 20 } },
  },
];

// Records the scenario and exports it. mode 'flush': one forceFlush (and the
// reader's final export at shutdown); mode 'interval': the reader exports
// every intervalMs, and this waits for `minExports` exports. Returns the
// RecordingMetricExporter.
export async function emitMetricScenario(
  exporter,
  { runId, service, mode = 'flush', intervalMs = 1000, minExports = 2, timeoutMs = 30_000 },
) {
  const recorder = new RecordingMetricExporter(exporter);
  const reader = new PeriodicExportingMetricReader({
    exporter: recorder,
    exportIntervalMillis: mode === 'flush' ? 600_000 : intervalMs,
    exportTimeoutMillis: mode === 'flush' ? 30_000 : intervalMs,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes(metricResourceAttributes(runId, service), {
      schemaUrl: METRIC_RESOURCE_SCHEMA,
    }),
    readers: [reader],
    views: VIEWS,
  });
  recordScenario(provider);
  if (mode === 'flush') {
    await provider.forceFlush();
  } else {
    const deadline = Date.now() + timeoutMs;
    while (recorder.results.length < minExports) {
      if (Date.now() > deadline) throw new Error(`only ${recorder.results.length} periodic exports in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await provider.shutdown();
  recorder.assertAllExported();
  return recorder;
}

// `resourceMetrics` with its resource's e2e.run.id replaced.
export function withRunId(resourceMetrics, runId) {
  const res = resourceMetrics.resource;
  return {
    resource: resourceFromAttributes({ ...res.attributes, 'e2e.run.id': runId }, { schemaUrl: res.schemaUrl }),
    scopeMetrics: resourceMetrics.scopeMetrics,
  };
}

// One export() call; resolves when it succeeded, rejects with its error.
export function exportOnce(exporter, item) {
  return new Promise((resolve, reject) => {
    exporter.export(item, (result) => {
      if (result.code === EXPORT_SUCCESS) resolve();
      else reject(result.error ?? new Error(`export failed with code ${result.code}`));
    });
  });
}

// Sorts rows by metric, data point attributes and times, then whole content.
export function sortMetricRows(rows, key) {
  const k = (r) =>
    JSON.stringify([r.MetricName, Object.entries(r.Attributes).sort(), r.TimeUnix, r.StartTimeUnix]) + key(r);
  return [...rows].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}
