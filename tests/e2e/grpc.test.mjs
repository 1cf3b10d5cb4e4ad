// OTLP/gRPC: the JS SDK's gRPC exporters (plain and gzip) for logs, traces
// and metrics store exactly the rows the OTLP/HTTP protobuf exporter stores
// for the same data; malformed, over-limit and misrouted calls get the gRPC
// status the collector gives (INVALID_ARGUMENT, RESOURCE_EXHAUSTED,
// UNIMPLEMENTED) and store nothing; the server keeps serving; and several
// client processes exporting at once all land, counted exactly.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { OTLPLogExporter as LogsGrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsGrpcExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TracesGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TracesProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';

import { canonical, rowKey, withoutMapKey } from './lib/canonical.mjs';
import { sqlString, startGateway } from './lib/gateway.mjs';
import { GrpcStatus, LOGS_EXPORT, METRICS_EXPORT, TRACES_EXPORT, rawUnary, statusName } from './lib/grpc_raw.mjs';
import {
  METRIC_TABLES,
  emitMetricScenario,
  expectedMetricRows,
  exportOnce,
  metricRowSelect,
  sortMetricRows,
  withRunId,
} from './lib/metrics.mjs';
import { OTEL_LOGS_INSERTABLE, expectedLogRow, rowSelect } from './lib/otel_model.mjs';
import { assertRowsEqual } from './lib/row_diff.mjs';
import { emitWithSdk } from './lib/sdk.mjs';
import { SPAN_COUNT, emitTraceScenario, expectedSpanRow, sortSpanRows, traceRowSelect } from './lib/traces.mjs';
import { logsRequestProto, pb, readProto } from './lib/wire.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BASE_SEC = Math.floor(Date.now() / 1000) - 3600;
const BASE_NANOS = BigInt(BASE_SEC) * 1_000_000_000n;
const SPECIAL = 'quote" backslash\\ nl\n tab\t <&> é ✓ 😀 \u0001';

let gw;
let withEventName = false;

before(async () => {
  gw = await startGateway();
  assert.match(gw.grpcAddress, /^127\.0\.0\.1:\d+$/, 'the ready line names the gRPC address');
  const cols = await gw.query(
    "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'otel_logs' " +
      "AND default_kind IN ('', 'DEFAULT')",
  );
  withEventName = cols.some((c) => c.name === 'EventName');
  assert.ok(OTEL_LOGS_INSERTABLE.every((c) => cols.some((x) => x.name === c)), 'otel_logs has ClickStack\'s columns');
});

after(async () => {
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

const grpcUrl = () => `http://${gw.grpcAddress}`;

// ---------------------------------------------------------------- logs --

function logRecords(runId) {
  const resource = {
    schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
    attributes: {
      'service.name': 'e2e-grpc',
      'host.name': 'e2e-host',
      'os.type': 'linux',
      'e2e.run.id': runId,
      'res.map': { b: [1, { c: 'd' }], a: 'z<&>' },
      'res.bytes': new Uint8Array([104, 105]),
    },
  };
  const scope = { name: 'e2e.grpc.logs', version: '0.1.0', schemaUrl: 'https://example.com/s', attributes: { s: 1 } };
  const recs = [
    {
      severityNumber: 13,
      severityText: 'warn',
      eventName: 'e2e.grpc.event',
      body: 'every attribute type',
      attributes: {
        str: SPECIAL,
        int: -42,
        'int.max': 9007199254740991,
        double: 1e-7,
        'double.neg': -0.25,
        bool: true,
        bytes: new Uint8Array([0, 255]),
        empty: null,
        array: [1, 'two', 2.5, [false]],
        map: { z: 1, a: { deep: 'x' } },
      },
      trace: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', flags: 1 },
    },
    { severityNumber: 9, severityText: 'info', body: 12345 },
    { severityNumber: 9, severityText: 'info', body: { k: 'v', n: [1, null] } },
    { body: 'disk ERROR on /dev/sda1 {"user":{"id":7},"ok":true}' },
    { severityNumber: 17, severityText: 'Error', body: new Uint8Array([1, 2, 3]) },
    { severityNumber: 5, severityText: 'debug', body: '' },
  ];
  return recs.map((r, i) => ({
    resource,
    scope,
    timestamp: [BASE_SEC, 500_000_000 + i * 1_000 + 7],
    observedTimestamp: [BASE_SEC + 1, i],
    ...r,
  }));
}

async function readLogRun(runId, n) {
  const rows = await gw.waitForRows(
    `SELECT ${rowSelect({ withEventName })} FROM otel_logs ` +
      `WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)} ORDER BY Timestamp`,
    n,
  );
  return rows.map(canonical);
}

function expectedLogRows(records) {
  return records
    .map((rec) => {
      const row = expectedLogRow(rec);
      if (!withEventName) delete row.EventName;
      return canonical(row);
    })
    .sort((a, b) => (BigInt(a.Timestamp) < BigInt(b.Timestamp) ? -1 : 1));
}

const logRuns = {};

test('logs: gRPC exporter (plain and gzip) stores the rows HTTP protobuf stores', async (t) => {
  const transports = {
    http: (url) => new LogsProtoExporter({ url: `${url}/v1/logs` }),
    grpc: () => new LogsGrpcExporter({ url: grpcUrl() }),
    'grpc-gzip': () => new LogsGrpcExporter({ url: grpcUrl(), compression: 'gzip' }),
  };
  for (const [name, make] of Object.entries(transports)) {
    const runId = `logs-${name}-${randomUUID()}`;
    const records = logRecords(runId);
    await emitWithSdk(make(gw.httpUrl), records, { processor: 'batch' });
    logRuns[name] = { records, rows: await readLogRun(runId, records.length) };
  }
  const strip = (name) => withoutMapKey(logRuns[name].rows, 'ResourceAttributes', 'e2e.run.id');
  await t.test('gRPC rows equal HTTP protobuf rows', () => {
    assert.deepStrictEqual(strip('grpc'), strip('http'), 'gRPC rows differ from HTTP protobuf rows');
    assert.deepStrictEqual(strip('grpc-gzip'), strip('http'), 'gRPC gzip rows differ from HTTP protobuf rows');
  });
  await t.test('every column of every row as the collector writes it', () => {
    for (const name of Object.keys(transports)) {
      assertRowsEqual(logRuns[name].rows, expectedLogRows(logRuns[name].records), { label: `${name} log row` });
    }
  });
});

// -------------------------------------------------------------- traces --

test('traces: gRPC exporter (plain and gzip) stores the rows HTTP protobuf stores', async () => {
  const stored = {};
  const transports = {
    http: () => new TracesProtoExporter({ url: `${gw.httpUrl}/v1/traces` }),
    grpc: () => new TracesGrpcExporter({ url: grpcUrl() }),
    'grpc-gzip': () => new TracesGrpcExporter({ url: grpcUrl(), compression: 'gzip' }),
    'grpc-simple': () => new TracesGrpcExporter({ url: grpcUrl() }),
  };
  for (const [name, make] of Object.entries(transports)) {
    const runId = `traces-${name}-${randomUUID()}`;
    const spans = await emitTraceScenario(make(), {
      runId,
      baseSec: BASE_SEC,
      service: 'e2e-grpc',
      processor: name === 'grpc-simple' ? 'simple' : 'batch',
    });
    const rows = (
      await gw.waitForRows(
        `SELECT ${traceRowSelect()} FROM otel_traces ` +
          `WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)} ORDER BY Timestamp, SpanId`,
        SPAN_COUNT,
      )
    ).map(canonical);
    assertRowsEqual(rows, sortSpanRows(spans.map(expectedSpanRow)).map(canonical), { label: `${name} span row` });
    stored[name] = withoutMapKey(rows, 'ResourceAttributes', 'e2e.run.id');
  }
  for (const name of ['grpc', 'grpc-gzip', 'grpc-simple']) {
    assert.deepStrictEqual(stored[name], stored.http, `${name} span rows differ from HTTP protobuf rows`);
  }
});

// ------------------------------------------------------------- metrics --

async function readMetricRun(runId, counts) {
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

test('metrics: gRPC exporter (plain and gzip) stores the rows HTTP protobuf stores', async () => {
  // Record once (through the SDK and a real export), then send that very
  // ResourceMetrics over each transport with its own run id.
  const recorder = await emitMetricScenario(new MetricsProtoExporter({ url: `${gw.httpUrl}/v1/metrics` }), {
    runId: `metrics-source-${randomUUID()}`,
    service: 'e2e-grpc',
    mode: 'flush',
  });
  const source = recorder.exports[0];
  const transports = {
    http: () => new MetricsProtoExporter({ url: `${gw.httpUrl}/v1/metrics` }),
    grpc: () => new MetricsGrpcExporter({ url: grpcUrl() }),
    'grpc-gzip': () => new MetricsGrpcExporter({ url: grpcUrl(), compression: 'gzip' }),
  };
  const stored = {};
  for (const [name, make] of Object.entries(transports)) {
    const runId = `metrics-${name}-${randomUUID()}`;
    const item = withRunId(source, runId);
    const exporter = make();
    await exportOnce(exporter, item);
    await exporter.shutdown();
    const exp = expectedMetricRows(item);
    const counts = Object.fromEntries(METRIC_TABLES.map((t) => [t, exp[t].length]));
    assert.ok(counts.sum > 0 && counts.gauge > 0 && counts.histogram > 0 && counts.exponential_histogram > 0);
    const rows = await readMetricRun(runId, counts);
    for (const t of METRIC_TABLES) {
      assertRowsEqual(rows[t], sortMetricRows(exp[t].map(canonical), rowKey), {
        label: `${name} otel_metrics_${t} row`,
      });
    }
    stored[name] = Object.fromEntries(
      METRIC_TABLES.map((t) => [t, withoutMapKey(rows[t], 'ResourceAttributes', 'e2e.run.id')]),
    );
  }
  assert.deepStrictEqual(stored.grpc, stored.http, 'gRPC metric rows differ from HTTP protobuf rows');
  assert.deepStrictEqual(stored['grpc-gzip'], stored.http, 'gRPC gzip metric rows differ from HTTP protobuf rows');
});

// ------------------------------------------------------ refused calls --

async function logCount(where) {
  const [r] = await gw.query(`SELECT count() AS n FROM otel_logs WHERE ${where}`);
  return Number(r.n);
}

// Sends one good raw logs request with `marker` in its resource and waits
// for it: rows of calls answered before it have been written by then.
async function barrier(marker) {
  const msg = logsRequestProto({ resource: { 'e2e.marker': marker }, bodies: ['barrier'], timeNanos: BASE_NANOS });
  const r = await rawUnary(gw.grpcAddress, LOGS_EXPORT, msg);
  assert.equal(statusName(r.code), 'OK', `barrier call: ${r.details}`);
  await gw.waitForCount(`SELECT count() FROM otel_logs WHERE ResourceAttributes['e2e.marker'] = ${sqlString(marker)}`, 1);
  // One more batch period: a row of an earlier call would have been flushed.
  await new Promise((r2) => setTimeout(r2, 400));
}

test('a malformed Export message gets INVALID_ARGUMENT with a message and stores nothing', async () => {
  const marker = `malformed-${randomUUID()}`;
  const good = logsRequestProto({ resource: { 'e2e.marker': marker }, bodies: ['a', 'b'], timeNanos: BASE_NANOS });
  const cases = {
    'truncated length-delimited field after a valid record': Buffer.concat([good, Buffer.from([0x0a, 0x05, 0x01])]),
    'varint longer than 10 bytes': Buffer.concat([good, Buffer.from([0x10]), Buffer.alloc(11, 0xff), Buffer.from([0x01])]),
    'field number 0': Buffer.concat([good, Buffer.from([0x00, 0x01])]),
    'wire type 7': Buffer.concat([good, Buffer.from([0x0f])]),
    'a record whose length runs past its parent': Buffer.concat([
      pb.message(1, pb.message(2, Buffer.from([0x12, 0x7f, 0x09]))),
      good,
    ]),
  };
  for (const [name, msg] of Object.entries(cases)) {
    for (const gzip of [false, true]) {
      const r = await rawUnary(gw.grpcAddress, LOGS_EXPORT, msg, { gzip });
      assert.equal(
        statusName(r.code),
        'INVALID_ARGUMENT',
        `${name}${gzip ? ' (gzip)' : ''}: expected INVALID_ARGUMENT, got ${statusName(r.code)} "${r.details}"`,
      );
      assert.ok(r.details.length > 0, `${name}: the status carries a message`);
    }
  }
  // Spans and metrics are checked as strictly: a trace id of 3 bytes, a
  // truncated metrics message.
  const badSpan = pb.message(
    1,
    pb.message(2, pb.message(2, pb.bytes(1, Buffer.from([1, 2, 3])), pb.bytes(2, Buffer.alloc(8, 1)), pb.string(5, 's'))),
  );
  let r = await rawUnary(gw.grpcAddress, TRACES_EXPORT, badSpan);
  assert.equal(statusName(r.code), 'INVALID_ARGUMENT', `3-byte trace id: ${r.details}`);
  assert.ok(r.details.length > 0);
  r = await rawUnary(gw.grpcAddress, METRICS_EXPORT, Buffer.from([0x0a, 0x10, 0x0a]));
  assert.equal(statusName(r.code), 'INVALID_ARGUMENT', `truncated metrics message: ${r.details}`);

  await barrier(`after-malformed-${randomUUID()}`);
  assert.equal(await logCount(`ResourceAttributes['e2e.marker'] = ${sqlString(marker)}`), 0, 'nothing stored');
  const [t] = await gw.query("SELECT count() AS n FROM otel_traces WHERE SpanName = 's'");
  assert.equal(Number(t.n), 0, 'no span of the refused traces call');
});

test('an unknown method or service gets UNIMPLEMENTED', async () => {
  const logs = 'opentelemetry.proto.collector.logs.v1.LogsService';
  const profiles = 'opentelemetry.proto.collector.profiles.v1development.ProfilesService';
  const cases = [
    [`/${logs}/Nope`, `unknown method Nope for service ${logs}`],
    [`/${profiles}/Export`, `unknown service ${profiles}`],
    ['/grpc.health.v1.Health/Check', 'unknown service grpc.health.v1.Health'],
  ];
  for (const [path, message] of cases) {
    const r = await rawUnary(gw.grpcAddress, path, logsRequestProto({ bodies: ['x'], timeNanos: BASE_NANOS }));
    assert.equal(statusName(r.code), 'UNIMPLEMENTED', `${path}: ${r.details}`);
    assert.equal(r.details, message, path);
  }
});

test('an empty Export message is answered OK with an empty response', async () => {
  for (const path of [LOGS_EXPORT, TRACES_EXPORT, METRICS_EXPORT]) {
    const r = await rawUnary(gw.grpcAddress, path, Buffer.alloc(0));
    assert.equal(statusName(r.code), 'OK', `${path}: ${r.details}`);
    assert.deepEqual(readProto(r.response), {}, `${path}: no partial_success`);
  }
});

test('over the gRPC message limit: RESOURCE_EXHAUSTED, plain and after gzip inflation', async () => {
  // --max-request-bytes limits OTLP/HTTP; `otelhouse --help` lists no gRPC
  // flag, the gRPC limit is the YAML key receivers.otlp_grpc.max_recv_msg_size_mib
  // (the collector's max_recv_msg_size_mib).
  const configDir = await mkdtemp(join(tmpdir(), 'otelhouse-e2e-config-'));
  const configPath = join(configDir, 'grpc-limit.yaml');
  await writeFile(configPath, 'receivers:\n  otlp_grpc:\n    max_recv_msg_size_mib: 1\n');
  const lim = await startGateway({ args: ['--max-request-bytes', '1048576', '--config', configPath] });
  try {
    const marker = `big-${randomUUID()}`;
    const big = logsRequestProto({
      resource: { 'e2e.marker': marker },
      bodies: ['x'.repeat(1_100_000)],
      timeNanos: BASE_NANOS,
    });
    assert.ok(big.length > 1_048_576);
    let r = await rawUnary(lim.grpcAddress, LOGS_EXPORT, big);
    assert.equal(statusName(r.code), 'RESOURCE_EXHAUSTED', `plain ${big.length} bytes: ${r.details}`);
    assert.ok(r.details.length > 0);
    // Compressed to a few KiB, past the limit once inflated.
    r = await rawUnary(lim.grpcAddress, LOGS_EXPORT, big, { gzip: true });
    assert.equal(statusName(r.code), 'RESOURCE_EXHAUSTED', `gzip, ${big.length} bytes inflated: ${r.details}`);
    assert.ok(r.details.length > 0);
    // The same through the SDK's gRPC exporter: the export fails.
    await assert.rejects(
      emitWithSdk(new LogsGrpcExporter({ url: `http://${lim.grpcAddress}`, compression: 'gzip' }), [
        {
          resource: { attributes: { 'e2e.marker': marker } },
          timestamp: [BASE_SEC, 0],
          body: 'y'.repeat(1_100_000),
        },
      ]),
      /OTLP export failed/,
    );
    // Just under the limit passes, so the limit is the configured one.
    const okMarker = `under-${randomUUID()}`;
    const under = logsRequestProto({
      resource: { 'e2e.marker': okMarker },
      bodies: ['z'.repeat(1_000_000)],
      timeNanos: BASE_NANOS,
    });
    r = await rawUnary(lim.grpcAddress, LOGS_EXPORT, under);
    assert.equal(statusName(r.code), 'OK', `${under.length} bytes: ${r.details}`);
    await lim.waitForCount(
      `SELECT count() FROM otel_logs WHERE ResourceAttributes['e2e.marker'] = ${sqlString(okMarker)}`,
      1,
    );
    await new Promise((res) => setTimeout(res, 400));
    const [n] = await lim.query(
      `SELECT count() AS n FROM otel_logs WHERE ResourceAttributes['e2e.marker'] = ${sqlString(marker)}`,
    );
    assert.equal(Number(n.n), 0, 'nothing of the refused calls is stored');
  } finally {
    await lim.stop();
    await lim.cleanup();
    await rm(configDir, { recursive: true, force: true });
  }
});

test('the server keeps serving after the refused calls', async () => {
  const runId = `after-${randomUUID()}`;
  const records = logRecords(runId);
  await emitWithSdk(new LogsGrpcExporter({ url: grpcUrl() }), records);
  const rows = await readLogRun(runId, records.length);
  assert.ok(logRuns.http, 'the HTTP protobuf logs run stored no rows');
  assert.deepStrictEqual(
    withoutMapKey(rows, 'ResourceAttributes', 'e2e.run.id'),
    withoutMapKey(logRuns.http.rows, 'ResourceAttributes', 'e2e.run.id'),
    'rows after the refused calls differ from the HTTP protobuf rows of the same records',
  );
  assert.ok(gw.running, 'the gateway is still running');
});

// ---------------------------------------------------------- concurrency --

function runChild(args) {
  return new Promise((resolve, reject) => {
    const child = fork(join(HERE, 'lib', 'grpc_child.mjs'), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report;
    child.on('message', (m) => {
      report = m;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && report?.ok) resolve();
      else reject(new Error(`child ${args[2]} exited code=${code} signal=${signal}: ${report?.error ?? 'no report'}`));
    });
  });
}

test('several client processes exporting over gRPC at once all land, counted exactly', async () => {
  const runId = `concurrent-${randomUUID()}`;
  const CHILDREN = 4;
  const REQUESTS = 6;
  const RECORDS = 150;
  await Promise.all(
    Array.from({ length: CHILDREN }, (_, c) =>
      runChild([gw.grpcAddress, runId, String(c), String(REQUESTS), String(RECORDS), String(BASE_SEC)]),
    ),
  );
  const total = CHILDREN * REQUESTS * RECORDS;
  const where = `ResourceAttributes['e2e.run.id'] = ${sqlString(runId)}`;
  await gw.waitForCount(`SELECT count() FROM otel_logs WHERE ${where}`, total, 60_000);
  await new Promise((res) => setTimeout(res, 400));
  const perChild = await gw.query(
    `SELECT ResourceAttributes['e2e.child'] AS child, count() AS n, uniqExact(Body) AS bodies ` +
      `FROM otel_logs WHERE ${where} GROUP BY child ORDER BY child`,
  );
  assert.deepEqual(
    perChild.map((r) => ({ child: r.child, n: Number(r.n), bodies: Number(r.bodies) })),
    Array.from({ length: CHILDREN }, (_, c) => ({
      child: String(c),
      n: REQUESTS * RECORDS,
      bodies: REQUESTS * RECORDS,
    })),
    'every record of every child exactly once',
  );
});
