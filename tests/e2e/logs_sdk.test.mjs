// Logs from the OpenTelemetry JS SDK, over OTLP/HTTP protobuf (plain and
// gzip) and OTLP/HTTP JSON, land in otel_logs with every column exactly as
// ClickStack's collector would write it (see lib/otel_model.mjs), and the
// transports give identical rows for identical input.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';

import { sqlString, startGateway } from './lib/gateway.mjs';
import { OTEL_LOGS_INSERTABLE, expectedLogRow, rowSelect } from './lib/otel_model.mjs';
import { assertRowsEqual } from './lib/row_diff.mjs';
import { emitWithSdk } from './lib/sdk.mjs';

// Recent enough that no TTL can drop the rows, fixed across runs of a file so
// that every transport sends identical records.
const BASE_SEC = Math.floor(Date.now() / 1000) - 3600;

const SPECIAL = 'quote" backslash\\ nl\n tab\t <&> é ✓ 😀 \u0001 \u007f';

// Every scalar AnyValue type the JS SDK sends. Log attributes of these types
// pass ClickStack's transform unchanged.
const SCALAR_ATTRIBUTES = {
  'str': 'plain',
  'str.special': SPECIAL,
  'str.empty': '',
  'int': 42,
  'int.neg': -7,
  'int.zero': 0,
  'int.maxsafe': 9007199254740991,
  'int.minsafe': -9007199254740991,
  'double': 1.5,
  'double.small': 1e-7,
  'double.edge': 0.000001,
  'double.neg': -0.25,
  'double.pi': 3.141592653589793,
  'double.tiny': 5e-324,
  'bool.true': true,
  'bool.false': false,
  'bytes': new Uint8Array([0, 1, 2, 253, 254, 255]),
  'bytes.empty': new Uint8Array(0),
  'empty.null': null,
  'empty.undefined': undefined,
};

// Arrays and maps, nested, holding every type.
const NESTED_ATTRIBUTES = {
  'array': [1, 'two', 3.5, false, null, new Uint8Array([9]), [1, [2]], { k: 'v', j: SPECIAL }],
  'array.empty': [],
  'map': { z: 1, a: { deep: 'x', list: [1, 2.5] }, 'b<&>': 'html<&>', n: null, bin: new Uint8Array([255]) },
  'map.empty': {},
};

// Records in two kinds: 'values' pass ClickStack's log transform unchanged
// (lower-case severity text set, scalar log attributes, no string body holding
// "{...}", no map body), so they check decoding and the exporter's rendering
// alone; 'transform' records check the transform (attribute flattening, JSON
// and map bodies merged into attributes, severity inference, lower-casing).
function scenario(runId) {
  const resource = {
    schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
    attributes: {
      'service.name': 'e2e-logs-sdk',
      // Set so that resource detection (override: false) has nothing to add.
      'host.name': 'e2e-host',
      'os.type': 'linux',
      'e2e.run.id': runId,
      'deployment.environment.name': 'test',
      'res.int': 7,
      'res.double': 0.5,
      'res.bool': true,
      'res.bytes': new Uint8Array([104, 105]),
      'res.array': ['x', 2, 1.25, true, null],
      'res.map': { b: [1, { c: 'd' }], a: 'z<&>', e: {} },
      'res.special': SPECIAL,
      ...NESTED_ATTRIBUTES,
    },
  };
  const scopeA = {
    name: 'e2e.scope.a',
    version: '1.2.3',
    schemaUrl: 'https://example.com/scope/1.0.0',
    attributes: {
      'scope.str': 'v',
      'scope.int': 3,
      'scope.double': 2.75,
      'scope.bool': false,
      'scope.list': ['a', 'b'],
      'scope.map': { k: { n: 1.5 } },
      'scope.bytes': new Uint8Array([1]),
      ...NESTED_ATTRIBUTES,
    },
  };
  const scopeB = { name: 'e2e.scope.b' };
  const sampled = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', flags: 1 };
  const unsampled = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 0 };

  const values = [
    {
      scope: scopeA,
      trace: sampled,
      severityNumber: 13,
      severityText: 'warn',
      eventName: 'e2e.event.rich',
      body: 'record with every scalar attribute type',
      attributes: SCALAR_ATTRIBUTES,
    },
    { scope: scopeA, severityNumber: 5, body: 12345, attributes: { 'only.number': 5 } },
    { scope: scopeA, severityNumber: 9, severityText: 'info', body: 0.125, eventName: 'e2e.event.double' },
    { scope: scopeA, severityNumber: 9, severityText: 'info', body: -3.5e-9 },
    { scope: scopeA, severityNumber: 9, severityText: 'info', body: true },
    { scope: scopeA, severityNumber: 9, severityText: 'info', body: new Uint8Array([0, 255, 16]) },
    {
      scope: scopeA,
      severityNumber: 9,
      severityText: 'info',
      body: ['a', 1, { b: null, a: [new Uint8Array([7])] }, SPECIAL, [1.5], []],
    },
    { scope: scopeA, severityNumber: 1, severityText: 'trace', body: undefined },
    { scope: scopeA, severityNumber: 24, severityText: 'fatal4', body: '', trace: sampled },
    { scope: scopeB, trace: unsampled, severityNumber: 17, severityText: 'error', body: SPECIAL },
  ].map((r) => ({ ...r, kind: 'values' }));

  const transform = [
    {
      scope: scopeA,
      trace: sampled,
      severityNumber: 13,
      severityText: 'WARN',
      body: 'nested attributes are flattened',
      attributes: { ...NESTED_ATTRIBUTES, 'str': 'kept' },
    },
    {
      scope: scopeA,
      severityNumber: 17,
      severityText: 'Error',
      body: {
        msg: 'from the body',
        nested: { b: 2, a: [true, null] },
        bin: new Uint8Array([104, 105]),
        num: 2.5,
        'x<y>': '&',
        special: SPECIAL,
      },
      attributes: { attr: 'kept', msg: 'overwritten by the map body' },
    },
    {
      scope: scopeB,
      body:
        'request done {"user":{"id":7,"name":"ann"},"tags":["a","b"],"ok":true,"ratio":0.25,' +
        '"none":null,"k":"from-body"} trailing',
      attributes: { k: 'from-attr', other: 'x' },
    },
    { scope: scopeB, trace: unsampled, body: 'disk ERROR on /dev/sda1' },
    { scope: scopeB, body: 'Warning: disk almost full' },
    { scope: scopeB, body: 'hello world' },
    { scope: scopeB, body: 'fatal: out of memory' },
    { scope: scopeB, body: 'db debug output' },
    { scope: scopeB, body: '' },
    { scope: scopeA, severityText: 'Info', body: 'severity text without number: no inference, lowered' },
  ].map((r) => ({ ...r, kind: 'transform' }));

  return [...values, ...transform].map((r, i) => ({
    resource,
    timestamp: [BASE_SEC, 100_000_000 + i * 1_111 + 1],
    observedTimestamp: [BASE_SEC + 1, i],
    ...r,
  }));
}

let gw;
let withEventName = false;
const runs = {};

before(async () => {
  gw = await startGateway();
  const cols = await gw.query(
    "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'otel_logs' " +
      "AND default_kind IN ('', 'DEFAULT') ORDER BY position",
  );
  const names = cols.map((c) => c.name);
  withEventName = names.includes('EventName');
  assert.deepEqual(
    [...names].sort(),
    [...OTEL_LOGS_INSERTABLE].sort(),
    'otel_logs must have exactly the columns of ClickStack\'s current layout',
  );
});

after(async () => {
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

async function readRun(runId, n) {
  return gw.waitForRows(
    `SELECT ${rowSelect({ withEventName })} FROM otel_logs ` +
      `WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)} ORDER BY Timestamp`,
    n,
  );
}

// [{kind, row}] sorted like the query's ORDER BY Timestamp.
function expectedRows(records) {
  return records
    .map((rec) => {
      const row = expectedLogRow(rec);
      if (!withEventName) delete row.EventName;
      return { kind: rec.kind, row };
    })
    .sort((a, b) => (BigInt(a.row.Timestamp) < BigInt(b.row.Timestamp) ? -1 : 1));
}

function assertRows(actual, expected, kind) {
  assertRowsEqual(
    actual,
    expected.map((e) => e.row),
    { label: `${kind} row`, select: (i) => expected[i].kind === kind },
  );
}

async function runTransport(t, name, exporter, processor) {
  const runId = `${name}-${randomUUID()}`;
  const records = scenario(runId);
  await emitWithSdk(exporter, records, { processor });
  const rows = await readRun(runId, records.length);
  runs[name] = { runId, rows };
  const expected = expectedRows(records);
  assert.equal(rows.length, expected.length, 'row count');
  assert.deepStrictEqual(
    rows.map((r) => r.Timestamp),
    expected.map((e) => e.row.Timestamp),
    'one row per record, by Timestamp',
  );
  await t.test('decoded values as the clickhouse exporter renders them', () => {
    assertRows(rows, expected, 'values');
  });
  await t.test('ClickStack log transform', () => {
    assertRows(rows, expected, 'transform');
  });
}

test('OTLP/HTTP protobuf exporter: every column of every row', async (t) => {
  await runTransport(t, 'proto', new ProtoExporter({ url: `${gw.httpUrl}/v1/logs` }), 'batch');
});

test('OTLP/HTTP protobuf exporter with gzip: every column of every row', async (t) => {
  await runTransport(
    t,
    'proto-gzip',
    new ProtoExporter({ url: `${gw.httpUrl}/v1/logs`, compression: 'gzip' }),
    'batch',
  );
});

test('OTLP/HTTP JSON exporter (one request per record): every column of every row', async (t) => {
  await runTransport(t, 'json', new JsonExporter({ url: `${gw.httpUrl}/v1/logs` }), 'simple');
});

test('the transports store identical rows for identical input', () => {
  const names = ['proto', 'proto-gzip', 'json'];
  for (const n of names) assert.ok(runs[n], `transport ${n} did not store its rows`);
  const strip = (rows) =>
    rows.map((r) => {
      const attrs = { ...r.ResourceAttributes };
      delete attrs['e2e.run.id'];
      return { ...r, ResourceAttributes: attrs };
    });
  for (const n of names.slice(1)) {
    assert.deepStrictEqual(strip(runs[n].rows), strip(runs.proto.rows), `${n} rows differ from proto rows`);
  }
});
