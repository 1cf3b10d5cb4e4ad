// The ClickHouse-compatible query endpoint answers plain HTTP and the
// official ClickHouse JS client; the `otelhouse query` CLI reads the same rows
// through a running gateway and, once it stopped, straight from the data dir.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ClickHouseError, createClient } from '@clickhouse/client';

import { runCli, startGateway, WRITER, WRITER_CONFIG } from './lib/gateway.mjs';

const SERVICE = 'e2e-query';
const BODIES = ['cli-a', 'cli-b', 'tab\there'];
// TabSeparated escapes the tab.
const BODIES_TSV = 'cli-a\ncli-b\ntab\\there\n';
const NOW_NS = BigInt(Date.now() - 60_000) * 1_000_000n;
const BODY_SQL = `SELECT Body FROM otel_logs WHERE ServiceName = '${SERVICE}' ORDER BY Body`;

let gw;
let client;
let writer; // DDL and INSERTs need the writer login (SECURITY.md)

before(async () => {
  gw = await startGateway({ config: WRITER_CONFIG });
  const request = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
        scopeLogs: [
          {
            scope: { name: 'e2e.query' },
            logRecords: BODIES.map((b, i) => ({
              timeUnixNano: (NOW_NS + BigInt(i)).toString(),
              severityNumber: 9,
              severityText: 'INFO',
              body: { stringValue: b },
            })),
          },
        ],
      },
    ],
  };
  const res = await gw.postLogs(JSON.stringify(request), { contentType: 'application/json' });
  assert.equal(res.status, 200, `seed request: ${res.body.toString()}`);
  await gw.waitForRows(BODY_SQL, BODIES.length);
  client = createClient({ url: gw.queryUrl, request_timeout: 30_000 });
  writer = createClient({ url: gw.queryUrl, request_timeout: 30_000, username: WRITER.user, password: WRITER.password });
});

after(async () => {
  await client?.close();
  await writer?.close();
  if (gw) {
    await gw.stop(); // idempotent: the CLI test below may have stopped it already
    await gw.cleanup();
  }
});

test('plain HTTP: /ping, GET and POST queries, default_format, FORMAT, errors', async () => {
  const ping = await fetch(gw.queryUrl + '/ping');
  assert.equal(ping.status, 200);
  assert.equal(await ping.text(), 'Ok.\n');

  const get = await fetch(gw.queryUrl + '/?query=' + encodeURIComponent('SELECT 1 + 1'));
  assert.equal(get.status, 200);
  assert.equal(await get.text(), '2\n', 'the default format is TabSeparated');

  const post = await fetch(gw.queryUrl + '/', { method: 'POST', body: BODY_SQL });
  assert.equal(post.status, 200);
  assert.equal(await post.text(), BODIES_TSV);

  const df = await fetch(gw.queryUrl + '/?default_format=JSONEachRow', {
    method: 'POST',
    body: "SELECT 1 AS a, 'x' AS b",
  });
  assert.equal(df.status, 200);
  assert.equal(await df.text(), '{"a":1,"b":"x"}\n');

  const fmt = await fetch(gw.queryUrl + '/?default_format=JSONEachRow', {
    method: 'POST',
    body: "SELECT 1 AS a, 'x' AS b FORMAT CSV",
  });
  assert.equal(fmt.status, 200);
  assert.equal(await fmt.text(), '1,"x"\n', 'a FORMAT clause beats default_format');

  const bad = await fetch(gw.queryUrl + '/', { method: 'POST', body: 'SELECT * FROM no_such_table_e2e' });
  const text = await bad.text();
  assert.ok(bad.status >= 400 && bad.status < 600, `status ${bad.status}`);
  assert.match(text, /^Code: 60\. DB::Exception: .*no_such_table_e2e.*\(UNKNOWN_TABLE\)/s);
});

test('@clickhouse/client: ping, query, errors, insert', async () => {
  const ping = await client.ping();
  assert.equal(ping.success, true, `ping: ${ping.error?.message}`);

  const count = await client.query({
    query: `SELECT count() AS n FROM otel_logs WHERE ServiceName = '${SERVICE}'`,
    format: 'JSONEachRow',
  });
  // UInt64 in JSON is a string or a number by output_format_json_quote_64bit_integers,
  // whose default changed across ClickHouse versions.
  const countRows = await count.json();
  assert.equal(countRows.length, 1);
  assert.equal(Number(countRows[0].n), BODIES.length);

  const rows = await client.query({ query: BODY_SQL, format: 'JSONEachRow' });
  assert.deepStrictEqual(await rows.json(), BODIES.map((Body) => ({ Body })));

  const plain = await client.query({ query: 'SELECT count() FROM otel_logs', format: 'JSONEachRow' });
  const plainRows = await plain.json();
  assert.deepStrictEqual(Object.keys(plainRows[0] ?? {}), ['count()']);
  assert.equal(Number(plainRows[0]['count()']), BODIES.length);

  await assert.rejects(
    client.query({ query: 'SELECT * FROM no_such_table_e2e', format: 'JSONEachRow' }),
    (err) => {
      assert.ok(err instanceof ClickHouseError, `a ClickHouseError, got ${err?.constructor?.name}: ${err?.message}`);
      assert.equal(err.code, '60');
      assert.equal(err.type, 'UNKNOWN_TABLE');
      assert.match(err.message, /no_such_table_e2e/);
      return true;
    },
  );
  await assert.rejects(client.query({ query: 'SELEC 1', format: 'JSONEachRow' }), (err) => {
    assert.ok(err instanceof ClickHouseError, `a ClickHouseError, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.code, '62');
    assert.equal(err.type, 'SYNTAX_ERROR');
    return true;
  });

  // The anonymous reader may not create tables; the writer may.
  await assert.rejects(
    client.command({ query: 'CREATE TABLE e2e_scratch (id UInt32) ENGINE = MergeTree ORDER BY id' }),
    (err) => err instanceof ClickHouseError && err.code === '164',
  );
  await writer.command({ query: 'DROP TABLE IF EXISTS e2e_scratch' });
  await writer.command({
    query: 'CREATE TABLE e2e_scratch (id UInt32, name String, tags Array(String)) ENGINE = MergeTree ORDER BY id',
  });
  const values = [
    { id: 2, name: 'two', tags: ['b'] },
    { id: 1, name: 'one "quoted"\n', tags: [] },
    { id: 3, name: 'ünïcode ✓', tags: ['x', 'y'] },
  ];
  await assert.rejects(
    client.insert({ table: 'e2e_scratch', values, format: 'JSONEachRow' }),
    (err) => err instanceof ClickHouseError && err.code === '164',
  );
  await writer.insert({ table: 'e2e_scratch', values, format: 'JSONEachRow' });
  const back = await client.query({ query: 'SELECT id, name, tags FROM e2e_scratch ORDER BY id', format: 'JSONEachRow' });
  assert.deepStrictEqual(await back.json(), [...values].sort((a, b) => a.id - b.id));
  await writer.command({ query: 'DROP TABLE e2e_scratch' });
});

test('@clickhouse/client: query parameters', async () => {
  const rs = await client.query({
    query: 'SELECT {n:UInt32} AS n, {s:String} AS s',
    query_params: { n: 41, s: "it's" },
    format: 'JSONEachRow',
  });
  assert.deepStrictEqual(await rs.json(), [{ n: 41, s: "it's" }]);
});

test('otelhouse query --query-url asks the running gateway', () => {
  const r = runCli(['query', '--query-url', gw.queryUrl, BODY_SQL]);
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, BODIES_TSV);

  const bad = runCli(['query', '--query-url', gw.queryUrl, 'SELECT * FROM no_such_table_e2e']);
  assert.notEqual(bad.code, 0, 'a failing query exits non-zero');
  assert.match(bad.stderr, /UNKNOWN_TABLE|no_such_table_e2e/);
});

test('otelhouse query --data-dir reads the stored rows after the gateway stopped', async () => {
  await gw.stop();
  const r = runCli(['query', '--data-dir', gw.dataDir, BODY_SQL]);
  assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, BODIES_TSV);
});
