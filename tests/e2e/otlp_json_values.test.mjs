// Values the JS SDK cannot produce, sent as hand-written OTLP/JSON: int64
// extremes, integral and huge doubles, duplicate keys, upper-case hex ids,
// a record without time_unix_nano. Rows are checked column by column against
// lib/otel_model.mjs. Log attributes are scalars and severity text is lower
// case, so ClickStack's log transform leaves these records as they are.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { sqlString, startGateway } from './lib/gateway.mjs';
import { T, expectedLogRow, otlpJsonRequest, rowSelect } from './lib/otel_model.mjs';
import { assertRowsEqual } from './lib/row_diff.mjs';

const BASE_NS = BigInt(Math.floor(Date.now() / 1000) - 3600) * 1_000_000_000n;

let gw;

before(async () => {
  gw = await startGateway();
});

after(async () => {
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

test('OTLP/JSON edge values are stored as the Collector renders them', async () => {
  const runId = randomUUID();
  const resource = {
    schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
    attributes: [
      ['service.name', 'e2e-json-values'],
      ['host.name', 'e2e-host'],
      ['os.type', 'linux'],
      ['e2e.run.id', runId],
      ['res.int64.max', T.int('9223372036854775807')],
      ['res.int64.min', T.int('-9223372036854775808')],
      ['res.nested', T.map([['d', T.double(1e21)], ['i', T.int('9223372036854775807')], ['x', T.double(3)]])],
      ['res.list', T.array([T.double(1e-7), T.int(-1), T.double(0.1)])],
    ],
  };
  // Duplicate keys: the exporter's map keeps the last value, once.
  const scope = { name: 'e2e.json', version: '0.0.1', attributes: [['dup', 'a'], ['dup', 'b']] };
  const attributes = [
    ['double.integral', T.double(2)],
    ['double.huge', T.double(1e21)],
    ['double.big', T.double(1e20)],
    ['double.max', T.double(1.7976931348623157e308)],
    ['double.negexp', T.double(-1.5e-10)],
    ['int.max', T.int('9223372036854775807')],
    ['int.min', T.int('-9223372036854775808')],
  ];
  const records = [
    {
      resource,
      scope,
      timestamp: BASE_NS + 1n,
      observedTimestamp: BASE_NS + 999n,
      severityNumber: 13,
      severityText: 'warn',
      // In an array so that ClickStack's transform leaves it alone.
      body: T.array([T.map([['k', 'first'], ['k', 'last'], ['big', T.double(1e21)]])]),
      attributes,
      trace: { traceId: '0AF7651916CD43DD8448EB211C80319C', spanId: 'B7AD6B7169203331', flags: 1 },
    },
    {
      // No time_unix_nano: the exporter stores the observed time.
      resource,
      scope,
      timestamp: 0n,
      observedTimestamp: BASE_NS + 2n,
      severityNumber: 9,
      severityText: 'info',
      body: T.double(1e21),
      attributes: [],
    },
    {
      resource,
      scope,
      timestamp: BASE_NS + 3n,
      observedTimestamp: BASE_NS + 3n,
      severityNumber: 9,
      severityText: 'info',
      body: T.int('-9223372036854775808'),
      attributes: [['a', 'first'], ['a', 'last']],
    },
  ];
  const res = await gw.postLogs(otlpJsonRequest(records), { contentType: 'application/json' });
  assert.equal(res.status, 200, `body: ${res.body.toString()}`);

  const rows = await gw.waitForRows(
    `SELECT ${rowSelect()} FROM otel_logs WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)} ` +
      'ORDER BY Timestamp',
    records.length,
  );
  const expected = records.map((r) => {
    const row = expectedLogRow(r);
    delete row.EventName;
    return row;
  });
  assertRowsEqual(rows, expected);
  // JSON objects hide duplicate map keys; count them in SQL.
  const sizes = await gw.query(
    'SELECT length(ScopeAttributes) AS s, length(LogAttributes) AS l FROM otel_logs ' +
      `WHERE ResourceAttributes['e2e.run.id'] = ${sqlString(runId)} ORDER BY Timestamp`,
  );
  assert.deepStrictEqual(
    sizes.map((r) => [Number(r.s), Number(r.l)]),
    expected.map((r) => [Object.keys(r.ScopeAttributes).length, Object.keys(r.LogAttributes).length]),
  );
});
