// The ClickHouse server sink (issue 8), end to end over HTTP: gateway A's
// server sink writes into gateway B's embedded store through B's :8123, so
// the full ClickStack schema is exercised against a real ClickHouse engine.
// Every column A stores through B must equal what a gateway C stores
// embedded for the same requests; a re-sent batch is stored once; a server
// that is down at start, or stopped and restarted mid-load, loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startGateway, WRITER, WRITER_CONFIG } from './lib/gateway.mjs';

// Gateway A's server sink logs into B's :8123 with B's writer login.
const WRITER_ENV = { CLICKHOUSE_USER: WRITER.user, CLICKHOUSE_PASSWORD: WRITER.password };

const nowNs = () => BigInt(Date.now()) * 1000000n;

function attrs(obj) {
  return Object.entries(obj).map(([key, value]) => ({ key, value }));
}

// Requests covering every column kind of the three signals (JSON OTLP).
function payloads(run) {
  const t = nowNs();
  const ts = (d) => String(t + BigInt(d));
  const resource = {
    attributes: attrs({
      'service.name': { stringValue: `server-sink-${run}` },
      'k8s.pod.name': { stringValue: 'pod-1' },
      'host.cpus': { intValue: '8' },
    }),
  };
  const scope = { name: 'e2e.scope', version: '1.2.3', attributes: attrs({ 'scope.attr': { boolValue: true } }) };
  const logs = {
    resourceLogs: [
      {
        resource,
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
        scopeLogs: [
          {
            scope,
            logRecords: [
              {
                timeUnixNano: ts(1),
                observedTimeUnixNano: ts(2),
                severityNumber: 17,
                severityText: 'ERROR',
                body: { stringValue: 'payment declined for order 42' },
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                flags: 1,
                attributes: attrs({
                  'order.id': { intValue: '42' },
                  ratio: { doubleValue: 0.25 },
                  tags: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } },
                  nested: { kvlistValue: { values: attrs({ inner: { stringValue: 'x' } }) } },
                  raw: { bytesValue: 'AQID' },
                }),
              },
              { timeUnixNano: ts(3), body: { stringValue: '{"level":"warn","msg":"json body","user":{"id":7}}' } },
              { timeUnixNano: ts(4), body: { stringValue: 'WARNING: disk almost full' } },
              {
                timeUnixNano: ts(5),
                body: { stringValue: '{"type":3,"data":{"source":1}}' },
                attributes: attrs({ 'rr-web.event': { stringValue: 'true' }, 'rum.sessionId': { stringValue: 's1' } }),
              },
            ],
          },
        ],
      },
    ],
  };
  const traces = {
    resourceSpans: [
      {
        resource,
        scopeSpans: [
          {
            scope,
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                parentSpanId: 'eee19b7ec3c1b173',
                traceState: 'k=v',
                name: 'GET /orders',
                kind: 2,
                startTimeUnixNano: ts(10),
                endTimeUnixNano: ts(1000010),
                attributes: attrs({ 'http.status_code': { intValue: '500' }, 'http.route': { stringValue: '/orders' } }),
                events: [{ timeUnixNano: ts(20), name: 'exception', attributes: attrs({ 'exception.message': { stringValue: 'boom' } }) }],
                links: [{ traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000001', traceState: 'a=b', attributes: attrs({ l: { intValue: '1' } }) }],
                status: { code: 2, message: 'failed' },
              },
              { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b175', name: 'db', kind: 3, startTimeUnixNano: ts(30), endTimeUnixNano: ts(40) },
            ],
          },
        ],
      },
    ],
  };
  const point = (extra) => ({ timeUnixNano: ts(100), startTimeUnixNano: ts(50), attributes: attrs({ host: { stringValue: 'h1' } }), ...extra });
  const metrics = {
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            scope,
            metrics: [
              { name: 'queue.depth', description: 'depth', unit: '1', gauge: { dataPoints: [point({ asDouble: 3.5, exemplars: [{ timeUnixNano: ts(90), asDouble: 3.5, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', filteredAttributes: attrs({ f: { stringValue: 'v' } }) }] })] } },
              { name: 'requests', unit: '1', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [point({ asInt: '17' })] } },
              { name: 'latency', unit: 'ms', histogram: { aggregationTemporality: 1, dataPoints: [point({ count: '3', sum: 12, bucketCounts: ['1', '2', '0'], explicitBounds: [5, 10], min: 1, max: 9 })] } },
              { name: 'latency.exp', unit: 'ms', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [point({ count: '4', sum: 10, scale: 1, zeroCount: '1', positive: { offset: 1, bucketCounts: ['1', '2'] }, negative: { offset: 0, bucketCounts: ['0'] }, min: 0, max: 6 })] } },
              { name: 'rpc.summary', unit: 's', summary: { dataPoints: [point({ count: '5', sum: 2.5, quantileValues: [{ quantile: 0.5, value: 0.4 }, { quantile: 0.99, value: 1.2 }] })] } },
            ],
          },
        ],
      },
    ],
  };
  return { logs, traces, metrics };
}

async function send(gw, path, body) {
  const res = await fetch(gw.httpUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

const TABLES = [
  ['otel_logs', 'Timestamp, Body'],
  ['hyperdx_sessions', 'Timestamp, Body'],
  ['otel_traces', 'Timestamp, SpanId'],
  ['otel_metrics_gauge', 'MetricName, TimeUnix'],
  ['otel_metrics_sum', 'MetricName, TimeUnix'],
  ['otel_metrics_histogram', 'MetricName, TimeUnix'],
  ['otel_metrics_exponential_histogram', 'MetricName, TimeUnix'],
  ['otel_metrics_summary', 'MetricName, TimeUnix'],
];
const EXPECTED_ROWS = { otel_logs: 3, hyperdx_sessions: 1, otel_traces: 2 };

async function rowsOf(gw, table, order, service) {
  return gw.query(`SELECT * FROM ${table} WHERE ServiceName = '${service}' ORDER BY ${order}`);
}

test('gateway A writes through its HTTP server sink (failing over from a dead endpoint) into gateway B: every signal, every column as embedded', async () => {
  const b = await startGateway({ config: WRITER_CONFIG });
  const c = await startGateway({ config: WRITER_CONFIG });
  // The first endpoint of the failover list is down: A must move on to B.
  const dead = `http://127.0.0.1:${await freePort()}`;
  const a = await startGateway({ env: WRITER_ENV, args: ['--clickhouse-endpoint', `${dead},${b.queryUrl}`, '--clickhouse-compress', 'zstd'] });
  try {
    const service = `server-sink-full`;
    const p = payloads('full');
    for (const gw of [a, c]) {
      assert.equal(await send(gw, '/v1/logs', p.logs), 200);
      assert.equal(await send(gw, '/v1/traces', p.traces), 200);
      assert.equal(await send(gw, '/v1/metrics', p.metrics), 200);
    }
    for (const [table, order] of TABLES) {
      const n = EXPECTED_ROWS[table] ?? 1;
      const where = `SELECT count() FROM ${table} WHERE ServiceName = '${service}'`;
      await b.waitForCount(where, n, 30_000).catch((e) => {
        throw new Error(`${e.message}\n--- gateway A ---\n${a.stderrTail()}`);
      });
      await c.waitForCount(where, n, 30_000);
      const viaServer = await rowsOf(b, table, order, service);
      const embedded = await rowsOf(c, table, order, service);
      assert.equal(viaServer.length, n, table);
      assert.deepEqual(viaServer, embedded, `${table}: rows through the server sink differ from embedded ones`);
    }
    // The rollup views fired in B as they do embedded.
    const [kv] = await b.query(`SELECT count() AS n FROM otel_logs_kv_rollup_15m WHERE Value = '${service}'`);
    assert.ok(Number(kv.n) > 0, 'the logs rollup view did not fire in B');
  } finally {
    await a.cleanup();
    await b.cleanup();
    await c.cleanup();
  }
});

test('a batch re-sent after a crash between insert and done is stored once in the server', async () => {
  const b = await startGateway({ config: WRITER_CONFIG });
  const dataDir = await mkdtemp(join(tmpdir(), 'otelhouse-server-dedup-'));
  const crash = join(dataDir, 'crash');
  writeFileSync(crash, 'on');
  try {
    let a = await startGateway({ dataDir, env: WRITER_ENV, args: ['--clickhouse-endpoint', b.queryUrl, '--crash-after-insert-file', crash] });
    const p = payloads('dedup');
    assert.equal(await send(a, '/v1/logs', p.logs), 200);
    const deadline = Date.now() + 30_000;
    while (a.running && Date.now() < deadline) await delay(50);
    assert.equal(a.exitSignal, 'SIGKILL', `gateway A did not die after its insert\n${a.stderrTail()}`);
    rmSync(crash);
    // Whichever table A inserted first (logs or session chunks) landed in B.
    const [before] = await b.query(
      "SELECT (SELECT count() FROM otel_logs WHERE ServiceName = 'server-sink-dedup') + " +
        "(SELECT count() FROM hyperdx_sessions WHERE ServiceName = 'server-sink-dedup') AS n",
    );
    assert.ok(Number(before.n) > 0, 'the insert before the crash did not land');
    a = await startGateway({ dataDir, env: WRITER_ENV, args: ['--clickhouse-endpoint', b.queryUrl] });
    try {
      // The WAL still holds the batch as intended, not done: A says so at start
      // and sends it again, with the same token (the counter proves the re-send).
      assert.match(a.stderr(), /exporting what the last run left: [1-9]\d* intended batches/);
      await a.waitForMetric('otelhouse_exporter_resent_batches_total', 1);
      await delay(1000); // anything late would show up now
      await a.stop();
      const [r] = await b.query("SELECT count() AS n FROM otel_logs WHERE ServiceName = 'server-sink-dedup'");
      assert.equal(Number(r.n), 3, 'the re-sent batch was stored twice');
      const [sessions] = await b.query("SELECT count() AS n FROM hyperdx_sessions WHERE ServiceName = 'server-sink-dedup'");
      assert.equal(Number(sessions.n), 1, 'the session chunk was stored twice (or not at all)');
    } finally {
      await a.kill();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await b.cleanup();
  }
});

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// One OTLP/JSON logs request with one record per id.
function idsRequest(ids) {
  const t = String(nowNs());
  return {
    resourceLogs: [
      {
        resource: { attributes: attrs({ 'service.name': { stringValue: 'server-sink-load' } }) },
        scopeLogs: [{ logRecords: ids.map((id) => ({ timeUnixNano: t, body: { stringValue: `r ${id}` }, attributes: attrs({ id: { stringValue: id } }) })) }],
      },
    ],
  };
}

test('server down at start, then stopped and restarted mid-load: every acked record arrives once', async () => {
  const port = await freePort();
  const bDir = await mkdtemp(join(tmpdir(), 'otelhouse-server-b-'));
  const bArgs = ['--query-listen', `127.0.0.1:${port}`];
  // A starts first, against a server that is not there yet.
  const a = await startGateway({
    env: WRITER_ENV, args: ['--clickhouse-endpoint', `http://127.0.0.1:${port}`, '--retry-initial', '200ms', '--retry-max', '1s', '--batch-size', '200'],
  });
  const acked = new Set();
  const stop = { done: false };
  const statuses = new Map();
  const clients = Promise.all(
    Array.from({ length: 3 }, async (_, cl) => {
      for (let seq = 0; !stop.done; ++seq) {
        const ids = Array.from({ length: 20 }, (_, i) => `l-${cl}-${seq}-${i}`);
        let status = 0;
        try {
          status = await send(a, '/v1/logs', idsRequest(ids));
        } catch {
          status = 0;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) for (const id of ids) acked.add(id);
        await delay(10);
      }
    }),
  );
  let b;
  try {
    await delay(1500); // A acks into its WAL while nothing answers
    assert.ok(acked.size > 0, `A acked nothing while the server was down: ${JSON.stringify([...statuses])}`);
    b = await startGateway({ dataDir: bDir, args: bArgs, config: WRITER_CONFIG });
    await delay(1500);
    await b.stop(); // the server goes away mid-load...
    await delay(1000);
    b = await startGateway({ dataDir: bDir, args: bArgs, config: WRITER_CONFIG }); // ...and comes back
    await delay(1000);
    stop.done = true;
    await clients;
    await b.waitForCount("SELECT count() FROM otel_logs WHERE ServiceName = 'server-sink-load'", acked.size, 60_000).catch(
      (e) => {
        throw new Error(`${e.message}\n--- gateway A ---\n${a.stderrTail()}`);
      },
    );
    await delay(1000);
    const rows = await b.query(
      "SELECT LogAttributes['id'] AS id, count() AS n FROM otel_logs WHERE ServiceName = 'server-sink-load' GROUP BY id",
    );
    const counts = new Map(rows.map((r) => [r.id, Number(r.n)]));
    const missing = [...acked].filter((id) => !counts.has(id));
    assert.equal(missing.length, 0, `acked but not stored: ${missing.slice(0, 5)}`);
    const dup = [...counts].filter(([, n]) => n > 1);
    assert.equal(dup.length, 0, `stored twice: ${JSON.stringify(dup.slice(0, 5))}`);
    console.log(`server restart: ${acked.size} acked, ${counts.size} stored; statuses ${JSON.stringify([...statuses])}`);
  } finally {
    stop.done = true;
    await clients;
    await a.cleanup();
    if (b) await b.kill();
    await rm(bDir, { recursive: true, force: true });
  }
});

test('a server table from an older schema (a column missing) still takes the rows, without that column', async () => {
  const port = await freePort();
  const bDir = await mkdtemp(join(tmpdir(), 'otelhouse-server-old-'));
  const bArgs = ['--query-listen', `127.0.0.1:${port}`];
  let a;
  let b = await startGateway({ dataDir: bDir, args: bArgs, config: WRITER_CONFIG });
  try {
    await b.queryText('ALTER TABLE otel_logs DROP COLUMN TraceFlags', { login: WRITER });
    await b.stop();
    // A cannot ask the server at start: it encodes every column it knows.
    a = await startGateway({
      env: WRITER_ENV, args: ['--clickhouse-endpoint', `http://127.0.0.1:${port}`, '--no-create-schema', '--retry-initial', '200ms', '--retry-max', '1s'],
    });
    const p = payloads('old');
    assert.equal(await send(a, '/v1/logs', p.logs), 200);
    b = await startGateway({ dataDir: bDir, args: bArgs, config: WRITER_CONFIG });
    await b.waitForCount("SELECT count() FROM otel_logs WHERE ServiceName = 'server-sink-old'", 3, 30_000).catch((e) => {
      throw new Error(`${e.message}\n--- gateway A ---\n${a.stderrTail()}`);
    });
    const cols = await b.query("SELECT name FROM system.columns WHERE table = 'otel_logs' AND name = 'TraceFlags'");
    assert.equal(cols.length, 0, 'the column is back: the test did not exercise an older table');
    const [r] = await b.query("SELECT Body FROM otel_logs WHERE ServiceName = 'server-sink-old' ORDER BY Timestamp LIMIT 1");
    assert.equal(r.Body, 'payment declined for order 42');
  } finally {
    if (a) await a.cleanup();
    await b.kill();
    await rm(bDir, { recursive: true, force: true });
  }
});
