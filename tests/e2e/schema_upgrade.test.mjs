// Upgrades lose nothing (issue 14): a data folder created with the previous
// release's DDL (tests/schema/data/schema_legacy.reference, the fixture) keeps
// taking every signal with the new binary, with no manual step; the gateway
// names the tables on an older layout in one log line. Embedded, and through
// the HTTP server sink into a gateway whose store has the old layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as gateway from './lib/gateway.mjs';
import { runCli, startGateway } from './lib/gateway.mjs';

// Where :8123 takes writes only from a writer login (the query lockdown), the
// server gateway gets one and the sink logs in with it; otherwise neither is needed.
const SERVER_OPTIONS = gateway.WRITER_CONFIG ? { config: gateway.WRITER_CONFIG } : {};
const SINK_ENV = gateway.WRITER ? { CLICKHOUSE_USER: gateway.WRITER.user, CLICKHOUSE_PASSWORD: gateway.WRITER.password } : {};

const SOURCE_DIR = process.env.OTELHOUSE_SOURCE_DIR || join(import.meta.dirname, '..', '..');

function fixtureStatements() {
  const text = readFileSync(join(SOURCE_DIR, 'tests/schema/data/schema_legacy.reference'), 'utf8');
  return text
    .split(';\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

// A data folder holding the previous release's tables, made without the new binary's schema code.
async function oldStore() {
  const dir = await mkdtemp(join(tmpdir(), 'otelhouse-upgrade-'));
  for (const sql of fixtureStatements()) {
    const r = runCli(['query', '--data-dir', dir, sql]);
    assert.equal(r.code, 0, `fixture statement failed: ${r.stderr}\n${sql}`);
  }
  return dir;
}

const attrs = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value }));

function payloads(service) {
  const t = BigInt(Date.now()) * 1000000n;
  const ts = (d) => String(t + BigInt(d));
  const resource = { attributes: attrs({ 'service.name': { stringValue: service }, 'k8s.pod.name': { stringValue: 'pod-1' } }) };
  const logs = {
    resourceLogs: [{
      resource,
      scopeLogs: [{
        logRecords: [
          { timeUnixNano: ts(1), severityText: 'ERROR', severityNumber: 17, eventName: 'upgrade.event', body: { stringValue: 'payment declined' }, attributes: attrs({ 'order.id': { intValue: '42' } }) },
          { timeUnixNano: ts(2), body: { stringValue: 'second' } },
          { timeUnixNano: ts(3), body: { stringValue: '{"type":3}' }, attributes: attrs({ 'rr-web.event': { stringValue: 'true' }, 'rum.sessionId': { stringValue: 's1' } }) },
        ],
      }],
    }],
  };
  const traces = {
    resourceSpans: [{
      resource,
      scopeSpans: [{
        spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /orders', kind: 2, startTimeUnixNano: ts(10), endTimeUnixNano: ts(1000010), attributes: attrs({ 'http.route': { stringValue: '/orders' } }) }],
      }],
    }],
  };
  const point = (extra) => ({ timeUnixNano: ts(100), startTimeUnixNano: ts(50), attributes: attrs({ host: { stringValue: 'h1' } }), ...extra });
  const metrics = {
    resourceMetrics: [{
      resource,
      scopeMetrics: [{
        metrics: [
          { name: 'queue.depth', gauge: { dataPoints: [point({ asDouble: 3.5 })] } },
          { name: 'requests', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point({ asInt: '17' })] } },
          { name: 'latency', histogram: { aggregationTemporality: 1, dataPoints: [point({ count: '3', sum: 12, bucketCounts: ['1', '2', '0'], explicitBounds: [5, 10] })] } },
          { name: 'latency.exp', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [point({ count: '4', sum: 10, scale: 1, zeroCount: '1', positive: { offset: 1, bucketCounts: ['1', '2'] } })] } },
          { name: 'rpc.summary', summary: { dataPoints: [point({ count: '5', sum: 2.5, quantileValues: [{ quantile: 0.5, value: 0.4 }] })] } },
        ],
      }],
    }],
  };
  return { logs, traces, metrics };
}

const EXPECTED = {
  otel_logs: 2,
  hyperdx_sessions: 1,
  otel_traces: 1,
  otel_metrics_gauge: 1,
  otel_metrics_sum: 1,
  otel_metrics_histogram: 1,
  otel_metrics_exponential_histogram: 1,
  otel_metrics_summary: 1,
};

async function sendAll(gw, service) {
  const p = payloads(service);
  for (const [path, body] of [['/v1/logs', p.logs], ['/v1/traces', p.traces], ['/v1/metrics', p.metrics]]) {
    const res = await fetch(gw.httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    assert.equal(res.status, 200, path);
  }
}

async function assertEveryRow(store, service) {
  for (const [table, n] of Object.entries(EXPECTED)) {
    await store.waitForCount(`SELECT count() FROM ${table} WHERE ServiceName = '${service}'`, n, 30_000);
    const [row] = await store.query(`SELECT count() AS n FROM ${table} WHERE ServiceName = '${service}'`);
    assert.equal(Number(row.n), n, table);
  }
  // The old layout is kept as it was, and its views (key rollups included) still fire.
  const [old] = await store.query(
    "SELECT countIf(name = 'TimestampTime') AS tt, countIf(name = 'EventName') AS ev FROM system.columns WHERE database = currentDatabase() AND table = 'otel_logs'",
  );
  assert.deepEqual([Number(old.tt), Number(old.ev)], [1, 0]);
  await store.waitForCount(`SELECT count() FROM otel_logs_key_rollup_15m WHERE Key = 'order.id'`, 1, 30_000);
  await store.waitForCount(`SELECT count() FROM otel_logs_kv_rollup_15m WHERE Value = '${service}'`, 1, 30_000);
}

test('a store made by the previous release keeps taking every signal with the new binary (embedded)', async () => {
  const dir = await oldStore();
  const gw = await startGateway({ dataDir: dir });
  try {
    await sendAll(gw, 'upgrade-embedded');
    await assertEveryRow(gw, 'upgrade-embedded');
    assert.match(gw.stderr(), /tables on an older ClickStack layout[^\n]*otel_logs \(no EventName, TimestampTime key\)[^\n]*otel_logs_key_rollup_15m/);
    // No table of the new layout was created beside the old ones.
    const [t] = await gw.query("SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'metrics_ts'");
    assert.equal(Number(t.n), 1, 'the fixture made metrics_ts (the previous release did), and it is kept');
  } finally {
    await gw.stop();
    await gw.cleanup();
  }
});

test('a server database made by the previous release keeps taking every signal through the server sink', async () => {
  const dir = await oldStore();
  const server = await startGateway({ dataDir: dir, ...SERVER_OPTIONS });
  const gw = await startGateway({ env: SINK_ENV, args: ['--clickhouse-endpoint', server.queryUrl] });
  try {
    await sendAll(gw, 'upgrade-server');
    await assertEveryRow(server, 'upgrade-server');
    assert.match(gw.stderr(), /tables on an older ClickStack layout[^\n]*otel_logs/);
  } finally {
    await gw.stop();
    await server.stop();
    await gw.cleanup();
    await server.cleanup();
  }
});
