// Metrics from the OpenTelemetry JS metrics SDK (counter, up-down counter,
// explicit and exponential histograms, observable gauges), over OTLP/HTTP
// protobuf and JSON, with cumulative and delta temporality, land in
// otel_metrics_sum / _gauge / _histogram / _exponential_histogram with every
// column of every row exactly as the collector's clickhouse exporter writes
// them (see lib/metrics.mjs and docs/COLUMNS.md).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';

import { canonical, rowKey, withoutMapKey } from './lib/canonical.mjs';
import { sqlString, startGateway } from './lib/gateway.mjs';
import {
  LATENCY_BOUNDS,
  METRIC_COLUMNS,
  METRIC_TABLES,
  emitMetricScenario,
  exportOnce,
  metricRowSelect,
  sortMetricRows,
  withRunId,
} from './lib/metrics.mjs';
import { assertRowsEqual } from './lib/row_diff.mjs';

let gw;
const runs = {};

before(async () => {
  gw = await startGateway();
  for (const t of METRIC_TABLES) {
    const cols = await gw.query(
      "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = " +
        `${sqlString(`otel_metrics_${t}`)} AND default_kind IN ('', 'DEFAULT') ORDER BY position`,
    );
    assert.deepEqual(cols.map((c) => c.name), METRIC_COLUMNS[t], `otel_metrics_${t} columns`);
  }
});

after(async () => {
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

// {table: rows} of one run, each table waited for until it holds `counts[t]`.
async function readRun(runId, counts) {
  const out = {};
  for (const t of METRIC_TABLES) {
    const sql =
      `SELECT ${metricRowSelect(t)} FROM otel_metrics_${t} ` +
      `WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)}`;
    const rows = counts[t] > 0 ? await gw.waitForRows(sql, counts[t]) : await gw.query(sql);
    out[t] = sortMetricRows(rows.map(canonical), rowKey);
  }
  return out;
}

function assertTables(name, actual, expected) {
  const failures = [];
  for (const t of METRIC_TABLES) {
    try {
      assertRowsEqual(actual[t], expected[t], { label: `${name} otel_metrics_${t} row` });
    } catch (err) {
      failures.push(err.message);
    }
  }
  if (failures.length > 0) assert.fail(failures.join('\n'));
}

async function runTransport(name, exporter, options) {
  const runId = `${name}-${randomUUID()}`;
  const recorder = await emitMetricScenario(exporter, { runId, ...options });
  const exp = recorder.expectedRows();
  const expected = {};
  for (const t of METRIC_TABLES) expected[t] = sortMetricRows(exp[t].map(canonical), rowKey);
  const counts = Object.fromEntries(METRIC_TABLES.map((t) => [t, expected[t].length]));
  const actual = await readRun(runId, counts);
  runs[name] = { runId, recorder, actual };
  assertTables(name, actual, expected);
  return { actual, recorder };
}

test('OTLP/HTTP protobuf exporter, cumulative, forceFlush: every column of every row', async () => {
  const { actual, recorder } = await runTransport(
    'proto',
    new ProtoExporter({ url: `${gw.httpUrl}/v1/metrics` }),
    { mode: 'flush' },
  );
  // forceFlush and shutdown each collect once.
  assert.equal(recorder.exports.length, 2);
  // 2 collections x (2 requests + 2 bytes + 2 queue.depth attribute sets).
  assert.equal(actual.sum.length, 12);
  assert.equal(actual.gauge.length, 6);
  assert.equal(actual.histogram.length, 6);
  assert.equal(actual.exponential_histogram.length, 4);
});

test('OTLP/HTTP JSON exporter, delta, periodic reader: every column of every row', async () => {
  await runTransport(
    'json-delta',
    new JsonExporter({
      url: `${gw.httpUrl}/v1/metrics`,
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    }),
    { mode: 'interval', intervalMs: 2000, minExports: 2 },
  );
});

test('OTLP/HTTP protobuf exporter with gzip, delta, periodic reader: every column', async () => {
  await runTransport(
    'proto-gzip-delta',
    new ProtoExporter({
      url: `${gw.httpUrl}/v1/metrics`,
      compression: 'gzip',
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    }),
    { mode: 'interval', intervalMs: 2000, minExports: 2 },
  );
});

// The oracle above is computed from the SDK's data points; these literal
// values pin the semantics it encodes.
test('the stored points hold the literal values the scenario records', () => {
  const r = runs.proto?.actual;
  assert.ok(r, 'the protobuf run stored no rows');
  const one = (rows, name, attrs = {}) => {
    const found = rows.filter(
      (x) => x.MetricName === name && JSON.stringify(x.Attributes) === JSON.stringify(canonical(attrs)),
    );
    assert.ok(found.length > 0, `no row for ${name} ${JSON.stringify(attrs)}`);
    return found[found.length - 1];
  };
  const req = one(r.sum, 'e2e.requests', { code: '200', route: '/a' });
  assert.equal(req.Value, 3.5);
  assert.equal(req.IsMonotonic, true);
  assert.equal(req.AggregationTemporality, 2);
  assert.equal(req.MetricDescription, 'Requests served');
  assert.equal(req.MetricUnit, '{request}');
  assert.equal(req.ScopeName, 'e2e.meter');
  assert.equal(req.ScopeVersion, '3.1.4');
  assert.equal(req.ScopeSchemaUrl, 'https://example.com/meter/1');
  assert.equal(req.ResourceSchemaUrl, 'https://opentelemetry.io/schemas/1.26.0');
  assert.equal(req.ServiceName, 'e2e-metrics-sdk');
  assert.equal(req.Flags, 0);
  const nowSec = Math.floor(Date.now() / 1000);
  assert.ok(req.TimeUnix <= nowSec && req.TimeUnix > nowSec - 120, `TimeUnix ${req.TimeUnix} is recent`);
  assert.ok(req.StartTimeUnix <= req.TimeUnix);
  assert.deepEqual(
    one(r.sum, 'e2e.requests', { code: '500', ok: 'false', ratio: '0.25', route: '/b', tags: '["x","y"]' }).Value,
    4,
  );
  assert.equal(one(r.sum, 'e2e.bytes').Value, 1024);
  assert.equal(one(r.sum, 'e2e.bytes', { dir: 'in' }).Value, 7);
  const depth = one(r.sum, 'e2e.queue.depth');
  assert.equal(depth.Value, -3);
  assert.equal(depth.IsMonotonic, false);

  const lat = one(r.histogram, 'e2e.latency', { route: '/a' });
  assert.equal(lat.Count, 6);
  assert.equal(lat.Sum, 1045.25);
  assert.equal(lat.Min, 0);
  assert.equal(lat.Max, 1000);
  assert.deepEqual(lat.ExplicitBounds, LATENCY_BOUNDS);
  assert.deepEqual(lat.BucketCounts, [1, 2, 1, 0, 1, 1]);
  assert.equal(lat.AggregationTemporality, 2);
  const size = one(r.histogram, 'e2e.size');
  assert.equal(size.ScopeName, 'e2e.meter.b');
  assert.equal(size.ScopeVersion, '');
  assert.equal(size.Count, 2);
  assert.equal(size.Sum, 100_011);

  const exp = one(r.exponential_histogram, 'e2e.exp.latency', { route: '/a' });
  assert.equal(exp.Count, 8);
  assert.equal(exp.ZeroCount, 2);
  assert.equal(exp.Sum, 1007.501);
  assert.equal(exp.Min, 0);
  assert.equal(exp.Max, 1000);
  assert.deepEqual(exp.NegativeBucketCounts, []);
  assert.equal(
    exp.PositiveBucketCounts.reduce((a, b) => a + b, 0),
    6,
    'the non-zero values are in the positive buckets',
  );
  const signed = one(r.exponential_histogram, 'e2e.exp.signed');
  assert.equal(signed.Count, 5);
  assert.equal(signed.ZeroCount, 1);
  assert.equal(signed.Sum, 0, 'no sum is sent for an instrument that allows negative values');
  assert.equal(signed.Min, -4);
  assert.equal(signed.Max, 2);
  assert.equal(signed.NegativeBucketCounts.reduce((a, b) => a + b, 0), 3);
  assert.equal(signed.PositiveBucketCounts.reduce((a, b) => a + b, 0), 1);

  const tempA = one(r.gauge, 'e2e.temperature', { room: 'a' });
  assert.equal(tempA.Value, 21.5);
  assert.equal(tempA.MetricUnit, 'Cel');
  assert.equal(one(r.gauge, 'e2e.temperature', { floor: '2', room: 'b' }).Value, -3.75);
  assert.equal(one(r.gauge, 'e2e.users').Value, 12);
  assert.deepEqual(tempA['Exemplars.Value'], []);
  assert.deepEqual(tempA['Exemplars.TimeUnix'], []);

  const delta = runs['json-delta']?.actual;
  assert.ok(delta, 'the delta run stored no rows');
  assert.ok(delta.sum.some((x) => x.MetricName === 'e2e.requests' && x.AggregationTemporality === 1));
  assert.ok(delta.sum.some((x) => x.MetricName === 'e2e.queue.depth' && x.AggregationTemporality === 2));
});

test('protobuf, gzip and JSON store identical rows for one exported ResourceMetrics', async () => {
  const first = runs.proto?.recorder.exports[0];
  assert.ok(first, 'the protobuf run exported nothing');
  const url = `${gw.httpUrl}/v1/metrics`;
  const exporters = {
    proto: new ProtoExporter({ url }),
    gzip: new ProtoExporter({ url, compression: 'gzip' }),
    json: new JsonExporter({ url }),
  };
  const stored = {};
  for (const [name, exporter] of Object.entries(exporters)) {
    const runId = `same-${name}-${randomUUID()}`;
    await exportOnce(exporter, withRunId(first, runId));
    await exporter.shutdown();
    const counts = {};
    for (const t of METRIC_TABLES) {
      counts[t] = first.scopeMetrics.reduce(
        (n, sm) =>
          n + sm.metrics.filter((m) => tableOf(m) === t).reduce((k, m) => k + m.dataPoints.length, 0),
        0,
      );
    }
    const rows = await readRun(runId, counts);
    stored[name] = Object.fromEntries(
      METRIC_TABLES.map((t) => [t, withoutMapKey(rows[t], 'ResourceAttributes', 'e2e.run.id')]),
    );
  }
  for (const name of ['gzip', 'json']) {
    assert.deepStrictEqual(stored[name], stored.proto, `${name} rows differ from proto rows`);
  }
});

function tableOf(metric) {
  return ['histogram', 'exponential_histogram', 'gauge', 'sum'][metric.dataPointType];
}
