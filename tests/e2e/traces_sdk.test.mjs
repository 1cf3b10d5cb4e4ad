// Spans from the OpenTelemetry JS tracing SDK, over OTLP/HTTP protobuf (plain
// and gzip) and OTLP/HTTP JSON, land in otel_traces with every column of
// every row exactly as the collector's clickhouse exporter writes them (see
// lib/traces.mjs and docs/COLUMNS.md), and the transports store identical
// rows for identical spans.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';

import { canonical, withoutMapKey } from './lib/canonical.mjs';
import { sqlString, startGateway } from './lib/gateway.mjs';
import { assertRowsEqual } from './lib/row_diff.mjs';
import {
  LINK_A,
  LINK_B,
  REMOTE_PARENT,
  SPAN_COUNT,
  TRACE_COLUMNS,
  emitTraceScenario,
  expectedSpanRow,
  sortSpanRows,
  traceRowSelect,
} from './lib/traces.mjs';

// Recent (the tables' TTL drops old rows at insert), fixed for the file so
// every transport sends identical spans.
const BASE_SEC = Math.floor(Date.now() / 1000) - 3600;

let gw;
const runs = {};

before(async () => {
  gw = await startGateway();
  const cols = await gw.query(
    "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'otel_traces' " +
      "AND default_kind IN ('', 'DEFAULT') ORDER BY position",
  );
  assert.deepEqual(
    cols.map((c) => c.name),
    TRACE_COLUMNS,
    'otel_traces must have exactly ClickStack\'s inserted columns, in order',
  );
});

after(async () => {
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

function readRun(runId) {
  return gw.waitForRows(
    `SELECT ${traceRowSelect()} FROM otel_traces WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)} ` +
      'ORDER BY Timestamp, SpanId',
    SPAN_COUNT,
  );
}

async function runTransport(name, exporter, processor) {
  const runId = `${name}-${randomUUID()}`;
  const spans = await emitTraceScenario(exporter, { runId, baseSec: BASE_SEC, processor });
  const rows = (await readRun(runId)).map(canonical);
  const expected = sortSpanRows(spans.map(expectedSpanRow)).map(canonical);
  runs[name] = rows;
  assertRowsEqual(rows, expected, { label: `${name} span row` });
  return rows;
}

test('OTLP/HTTP protobuf exporter, one batch: every column of every span row', async () => {
  await runTransport('proto', new ProtoExporter({ url: `${gw.httpUrl}/v1/traces` }), 'batch');
});

test('OTLP/HTTP protobuf exporter with gzip, one request per span: every column', async () => {
  await runTransport(
    'proto-gzip',
    new ProtoExporter({ url: `${gw.httpUrl}/v1/traces`, compression: 'gzip' }),
    'simple',
  );
});

test('OTLP/HTTP JSON exporter, one request per span: every column of every span row', async () => {
  await runTransport('json', new JsonExporter({ url: `${gw.httpUrl}/v1/traces` }), 'simple');
});

test('OTLP/HTTP JSON exporter, one batch: every column of every span row', async () => {
  await runTransport('json-batch', new JsonExporter({ url: `${gw.httpUrl}/v1/traces` }), 'batch');
});

// The oracle above is computed from the SDK's spans; these literal values pin
// the semantics it encodes, so a shared mistake cannot pass unnoticed.
test('the stored spans hold the literal values the scenario sets', () => {
  const rows = runs.proto;
  assert.ok(rows, 'the protobuf run stored no rows');
  const byName = Object.fromEntries(rows.map((r) => [r.SpanName, r]));
  assert.deepEqual(
    Object.keys(byName).sort(),
    ['GET /checkout', 'SELECT orders', 'batch job', 'cache.lookup', 'näme ✓ 😀', 'orders process', 'orders publish'],
  );
  const root = byName['GET /checkout'];
  const child = byName['SELECT orders'];
  const grandchild = byName['cache.lookup'];
  const producer = byName['orders publish'];
  const consumer = byName['orders process'];
  const long = byName['batch job'];

  assert.equal(root.Timestamp, `${BASE_SEC}100000001`);
  assert.equal(root.Duration, '1900000004');
  assert.equal(root.SpanKind, 'Server');
  assert.equal(root.StatusCode, 'Ok');
  assert.equal(root.StatusMessage, '', 'the SDK drops the message of an Ok status');
  assert.equal(root.ParentSpanId, '');
  assert.equal(root.TraceId, '5e2e0000000000000000000000000001');
  assert.equal(root.ServiceName, 'e2e-traces-sdk');
  assert.equal(root.ScopeName, 'e2e.tracer.a');
  assert.equal(root.ScopeVersion, '2.0.1');
  assert.equal(root.SpanAttributes['int.maxsafe'], '9007199254740991');
  assert.equal(root.SpanAttributes['double.small'], '1e-7');
  assert.equal(root.SpanAttributes['double.tiny'], '5e-324');
  assert.equal(root.SpanAttributes['double.exp'], '1.25e-10');
  assert.equal(root.SpanAttributes['array.nulls'], '["x",null,null,"y"]');
  assert.equal(root.SpanAttributes['array.double'], '[1.5,2,-0.125]');
  assert.deepEqual(root['Events.Name'], ['request.received', 'no.attributes']);
  assert.deepEqual(root['Events.Timestamp'], [`${BASE_SEC}100500000`, `${BASE_SEC + 1}000000000`]);
  assert.deepEqual(root['Events.Attributes'][1], {});
  assert.equal(root.ResourceAttributes['res.map'], '{"a":"z<&>","b":[1,{"c":"d"}],"e":{}}');
  assert.equal(root.ResourceAttributes['res.bytes'], 'aGk=');

  assert.equal(child.SpanKind, 'Client');
  assert.equal(child.ParentSpanId, root.SpanId);
  assert.equal(child.TraceId, root.TraceId);
  assert.equal(child.StatusCode, 'Error');
  assert.match(child.StatusMessage, /^lock wait "timeout" quote" backslash\\ nl\n/);
  assert.deepEqual(child['Events.Name'], ['exception']);
  assert.deepEqual(child['Events.Attributes'], [
    { 'exception.message': 'deadlock detected\nretry', 'exception.type': 'DeadlockError' },
  ]);

  assert.equal(grandchild.SpanKind, 'Internal');
  assert.equal(grandchild.ParentSpanId, child.SpanId);
  assert.equal(grandchild.Duration, '999');
  assert.deepEqual(grandchild['Links.TraceId'], [LINK_A.traceId, LINK_B.traceId]);
  assert.deepEqual(grandchild['Links.SpanId'], [LINK_A.spanId, LINK_B.spanId]);
  assert.deepEqual(grandchild['Links.TraceState'], [LINK_A.traceState, '']);
  assert.deepEqual(grandchild['Links.Attributes'], [
    { 'link.array': '[true]', 'link.int': '1', 'link.str': 'first' },
    {},
  ]);

  assert.equal(producer.SpanKind, 'Producer');
  assert.equal(producer.TraceId, REMOTE_PARENT.traceId);
  assert.equal(producer.ParentSpanId, REMOTE_PARENT.spanId);
  assert.equal(producer.TraceState, REMOTE_PARENT.traceState);
  assert.equal(producer.ScopeName, 'e2e.tracer.b');
  assert.equal(producer.ScopeVersion, '');
  assert.equal(producer.Duration, '999999999');

  assert.equal(consumer.SpanKind, 'Consumer');
  assert.equal(consumer.Duration, '0');
  assert.equal(consumer.StatusCode, 'Unset');
  assert.deepEqual(consumer.SpanAttributes, {});

  assert.equal(long.SpanKind, 'Internal');
  assert.equal(long.StatusCode, 'Error');
  assert.equal(long.StatusMessage, '');
  assert.equal(long.Duration, String(3 * 3600 * 1e9 + 6));
});

test('the transports store identical rows for identical spans', () => {
  const names = ['proto', 'proto-gzip', 'json', 'json-batch'];
  for (const n of names) assert.ok(runs[n], `transport ${n} did not store its rows`);
  const strip = (rows) => withoutMapKey(rows, 'ResourceAttributes', 'e2e.run.id');
  for (const n of names.slice(1)) {
    assert.deepStrictEqual(strip(runs[n]), strip(runs.proto), `${n} rows differ from proto rows`);
  }
});

test('ClickStack\'s materialized SampleRate is computed for the stored spans', async () => {
  const runId = runs.proto && runs.proto[0].ResourceAttributes['e2e.run.id'];
  assert.ok(runId);
  const [r] = await gw.query(
    `SELECT count() AS n, min(SampleRate) AS lo, max(SampleRate) AS hi FROM otel_traces ` +
      `WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)}`,
  );
  assert.deepEqual(r, { n: SPAN_COUNT, lo: 1, hi: 1 });
});
