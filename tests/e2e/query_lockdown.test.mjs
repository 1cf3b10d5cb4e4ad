// The SQL endpoint (:8123) of the real binary over the embedded store, locked
// down (SECURITY.md, "SQL endpoint"): every hostile query of the table below
// is refused with ClickHouse's code and HTTP status, and nothing changes:
// no file written, no file read back, no table dropped, no row lost. The
// engine's own readonly=2 is on for every reader statement. Writes
// (INSERT ... FORMAT Native, DDL) need the writer login or an ingestion API
// key. HyperDX's query shapes (settings in URL parameters, bind parameters
// over 4 KiB in a multipart body) still pass, through the real
// @clickhouse/client. Logins of OTLP/HTTP, OTLP/gRPC and the SQL endpoint
// are checked with missing, wrong and right credentials.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { createClient } from '@clickhouse/client';

import { LOGS_EXPORT, GrpcStatus, rawUnary } from './lib/grpc_raw.mjs';
import { startGateway, WRITER, WRITER_CONFIG } from './lib/gateway.mjs';

const SERVICE = 'e2e-lockdown';
const NOW_NS = BigInt(Date.now() - 60_000) * 1_000_000n;
const API_KEY = 'lockdown-key-' + randomUUID();

let gw;
let scratch; // a folder the hostile queries try to write into
let canary; // an HTTP server that must never be called (SSRF)
let canaryHits = 0;

function logsRequest(bodies) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
        scopeLogs: [
          {
            logRecords: bodies.map((b, i) => ({
              timeUnixNano: (NOW_NS + BigInt(i)).toString(),
              severityNumber: 9,
              body: { stringValue: b },
            })),
          },
        ],
      },
    ],
  });
}

async function post(url, sql, { params = {}, headers = {}, method = 'POST' } = {}) {
  const u = new URL(url + '/');
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  if (method === 'GET') u.searchParams.set('query', sql);
  const res = await fetch(u, { method, body: method === 'GET' ? undefined : sql, headers });
  return { status: res.status, code: res.headers.get('x-clickhouse-exception-code'), body: await res.text(), headers: res.headers };
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'otelhouse-lockdown-'));
  canary = createServer((req, res) => {
    canaryHits++;
    res.end('canary\n');
  });
  await new Promise((resolve) => canary.listen(0, '127.0.0.1', resolve));
  gw = await startGateway({ config: WRITER_CONFIG, env: { OTLP_AUTH_TOKEN: API_KEY } });
  const res = await gw.postLogs(logsRequest(['one', 'two', 'three']), {
    contentType: 'application/json',
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  assert.equal(res.status, 200, res.body.toString());
  await gw.waitForCount(`SELECT count() FROM otel_logs WHERE ServiceName = '${SERVICE}'`, 3);
});

after(async () => {
  canary?.close();
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// [sql, expected code, extra URL parameters]
function hostileQueries() {
  const pwn = join(scratch, 'pwn.txt');
  const out = join(scratch, 'out.txt');
  const canaryUrl = `http://127.0.0.1:${canary.address().port}/x`;
  return [
    ["SELECT * FROM file('/etc/passwd', 'LineAsString')", '497'],
    ["select * from FILE('/etc/passwd', 'LineAsString')", '497'],
    ["SELECT * FROM `file`('/etc/passwd', 'LineAsString')", '497'],
    ["SELECT * FROM file /* c */ ('/etc/passwd', 'LineAsString')", '497'],
    ["SELECT file('/etc/passwd')", '497'],
    ["DESCRIBE file('/etc/passwd', 'LineAsString')", '497'],
    [`INSERT INTO FUNCTION file('${pwn}', 'LineAsString') SELECT 'x'`, '164'],
    [`SELECT * FROM url('${canaryUrl}', 'LineAsString')`, '497'],
    [`SELECT * FROM urlCluster('default', '${canaryUrl}', 'LineAsString')`, '497'],
    [`SELECT * FROM s3('${canaryUrl}', 'LineAsString')`, '497'],
    ["SELECT * FROM hdfs('hdfs://127.0.0.1:1/x', 'LineAsString')", '497'],
    ["SELECT * FROM remote('127.0.0.1:1', system.one)", '497'],
    ["SELECT * FROM remoteSecure('127.0.0.1:1', system.one)", '497'],
    ["SELECT * FROM cluster('default', system.one)", '497'],
    ["SELECT * FROM mysql('127.0.0.1:1', 'd', 't', 'u', 'p')", '497'],
    ["SELECT * FROM postgresql('127.0.0.1:1', 'd', 't', 'u', 'p')", '497'],
    ["SELECT * FROM executable('x.sh', 'TSV', 'a String')", '497'],
    ["SELECT * FROM input('a String')", '497'],
    [`SELECT * FROM azureBlobStorage('${canaryUrl}', 'c', 'b')`, '497'],
    ["SELECT * FROM dictionary('d')", '497'],
    ["SELECT * FROM sqlite('/etc/passwd', 't')", '497'],
    ["SELECT * FROM merge('system', '.*')", '497'],
    [`SELECT 1 INTO OUTFILE '${out}'`, '497'],
    [`SELECT * FROM otel_logs INTO OUTFILE '${out}' FORMAT TSV`, '497'],
    ["INSERT INTO otel_logs FROM INFILE '/etc/passwd' FORMAT LineAsString", '164'],
    ['DROP TABLE otel_logs', '164'],
    ['drop table otel_logs', '164'],
    ['/* hi */ DrOp TaBlE otel_logs', '164'],
    ['-- comment\nTRUNCATE TABLE otel_logs', '164'],
    ['CREATE TABLE pwn (a String) ENGINE = MergeTree ORDER BY a', '164'],
    [`CREATE TABLE pwn (a String) ENGINE = File(LineAsString, '${pwn}')`, '164'],
    ['CREATE TEMPORARY TABLE pwn (a String) ENGINE = Memory', '164'],
    ['ALTER TABLE otel_logs DELETE WHERE 1', '164'],
    ['ALTER TABLE otel_logs DROP COLUMN Body', '164'],
    ['OPTIMIZE TABLE otel_logs FINAL', '164'],
    ['SYSTEM DROP MARK CACHE', '164'],
    ['KILL QUERY WHERE 1', '164'],
    ['SET readonly = 0', '164'],
    ['SET allow_ddl = 1', '164'],
    ['RENAME TABLE otel_logs TO pwn', '164'],
    ['DETACH TABLE otel_logs', '164'],
    ['SELECT 1 SETTINGS readonly = 0', '164'],
    ["SELECT * FROM (SELECT * FROM otel_logs SETTINGS readonly = 0) SETTINGS readonly = 2", '164'],
    ['SELECT 1', '164', { readonly: '0' }],
    ['SELECT 1', '164', { allow_ddl: '1' }],
    ['SELECT 1', '164', { user_files_path: '/' }],
    ['SELECT 1; DROP TABLE otel_logs', '62'],
    ['SELECT 1;DROP TABLE otel_logs;', '62'],
    ['SELECT 1 -- x\n; DROP TABLE otel_logs', '62'],
    ["SELECT 1 /* unterminated ; DROP TABLE otel_logs", '62'],
  ];
}

test('hostile queries are refused with ClickHouse codes; tables and files stay as they were', async () => {
  const statusOf = { 497: 403, 164: 500, 62: 400 };
  for (const [sql, code, params] of hostileQueries()) {
    const r = await post(gw.queryUrl, sql, { params });
    assert.equal(r.code, code, `${sql} ${JSON.stringify(params ?? {})}: HTTP ${r.status} ${r.body}`);
    assert.equal(r.status, statusOf[code], `${sql}: ${r.body}`);
    assert.match(r.body, new RegExp(`^Code: ${code}\\. DB::Exception: `), sql);
    assert.doesNotMatch(r.body, /root:x:0:0/, `${sql}: /etc/passwd came back`);
  }
  // The same through GET (read-only by ClickHouse's rules as well).
  const g = await post(gw.queryUrl, 'DROP TABLE otel_logs', { method: 'GET' });
  assert.equal(g.code, '164');

  assert.equal(existsSync(join(scratch, 'pwn.txt')), false, 'no file written');
  assert.equal(existsSync(join(scratch, 'out.txt')), false, 'no INTO OUTFILE file');
  assert.equal(canaryHits, 0, 'no request reached the canary server');
  const [n] = await gw.query(`SELECT count() AS n FROM otel_logs WHERE ServiceName = '${SERVICE}'`);
  assert.equal(Number(n.n), 3, 'otel_logs kept its rows');
  const tables = await gw.query("SELECT name FROM system.tables WHERE database = 'default' AND name = 'pwn'");
  assert.deepEqual(tables, [], 'no table created');
});

test('the engine itself runs reader statements with readonly=2', async () => {
  const [row] = await gw.query("SELECT getSetting('readonly') AS r");
  assert.equal(Number(row.r), 2);
  // A harmless setting from the URL reaches the engine.
  const text = await gw.queryText("SELECT getSetting('max_execution_time') AS t FORMAT TSV", {
    params: { max_execution_time: '17' },
  });
  assert.equal(text.trim(), '17');
});

test('HyperDX query shapes: settings in the URL, bind parameters over 4 KiB in a multipart body', async () => {
  const client = createClient({
    url: gw.queryUrl,
    request_timeout: 30_000,
    use_multipart_params_auto: true,
    clickhouse_settings: {
      date_time_output_format: 'iso',
      output_format_json_quote_64bit_integers: 1,
      max_execution_time: 60,
    },
  });
  try {
    const filler = Array.from({ length: 400 }, (_, i) => `no-such-body-${i}`);
    const bodies = [...filler, 'two', 'three'];
    const rs = await client.query({
      query:
        'SELECT Body, count() AS n, max(Timestamp) AS ts FROM otel_logs ' +
        'WHERE ServiceName = {service:String} AND Body IN {bodies:Array(String)} GROUP BY Body ORDER BY Body',
      query_params: { service: SERVICE, bodies },
      format: 'JSONEachRow',
    });
    assert.ok(JSON.stringify(bodies).length > 4096, 'the parameters pass 4 KiB');
    const rows = await rs.json();
    assert.deepEqual(rows.map((r) => [r.Body, r.n]), [['three', '1'], ['two', '1']]);
    assert.match(rows[0].ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, 'date_time_output_format=iso reached the engine');
  } finally {
    await client.close();
  }
});

test('writes need the writer login or an API key, never the anonymous default', async () => {
  const anon = createClient({ url: gw.queryUrl, request_timeout: 30_000 });
  const writer = createClient({ url: gw.queryUrl, request_timeout: 30_000, username: WRITER.user, password: WRITER.password });
  const keyed = createClient({ url: gw.queryUrl, request_timeout: 30_000, username: 'ingest', password: API_KEY });
  try {
    await writer.command({ query: 'CREATE TABLE lockdown_w (a String) ENGINE = MergeTree ORDER BY a' });
    await assert.rejects(anon.insert({ table: 'lockdown_w', values: [{ a: 'anon' }], format: 'JSONEachRow' }), /readonly/i);
    await writer.insert({ table: 'lockdown_w', values: [{ a: 'writer' }], format: 'JSONEachRow' });
    await keyed.insert({ table: 'lockdown_w', values: [{ a: 'key' }], format: 'JSONEachRow' });
    // Even the writer never leaves the store.
    const r = await post(gw.queryUrl, "SELECT * FROM file('/etc/passwd', 'LineAsString')", {
      headers: { 'X-ClickHouse-User': WRITER.user, 'X-ClickHouse-Key': WRITER.password },
    });
    assert.equal(r.code, '497');
    const w = await post(gw.queryUrl, `CREATE TABLE pwn2 (a String) ENGINE = File(LineAsString)`, {
      headers: { 'X-ClickHouse-User': WRITER.user, 'X-ClickHouse-Key': WRITER.password },
    });
    assert.equal(w.code, '497');
    const rows = await gw.query('SELECT a FROM lockdown_w ORDER BY a');
    assert.deepEqual(rows, [{ a: 'key' }, { a: 'writer' }]);
    // INSERT ... FORMAT Native (what a server sink sends) from the anonymous default.
    const native = await post(gw.queryUrl, 'x', { params: { query: 'INSERT INTO lockdown_w FORMAT Native' } });
    assert.equal(native.code, '164');
    await writer.command({ query: 'DROP TABLE lockdown_w' });
  } finally {
    await anon.close();
    await writer.close();
    await keyed.close();
  }
});

test('logins in the real binary: OTLP/HTTP, OTLP/gRPC and SQL with missing, wrong and right credentials', async () => {
  const g = await startGateway({
    env: { OTLP_AUTH_TOKEN: API_KEY },
    config: 'query:\n  user: reader\n  password: reader-secret\n',
  });
  try {
    const body = logsRequest(['auth']);
    const json = { contentType: 'application/json' };
    assert.equal((await g.postLogs(body, json)).status, 401, 'HTTP: no key');
    assert.equal((await g.postLogs(body, { ...json, headers: { authorization: 'Bearer wrong' } })).status, 401, 'HTTP: wrong key');
    assert.equal((await g.postLogs(body, { ...json, headers: { authorization: `Bearer ${API_KEY}` } })).status, 200, 'HTTP: right key');

    const empty = Buffer.alloc(0); // an empty ExportLogsServiceRequest
    const none = await rawUnary(g.grpcAddress, LOGS_EXPORT, empty);
    assert.equal(none.code, GrpcStatus.UNAUTHENTICATED, 'gRPC: no key');
    const wrong = await rawUnary(g.grpcAddress, LOGS_EXPORT, empty, { metadata: { authorization: 'Bearer wrong' } });
    assert.equal(wrong.code, GrpcStatus.UNAUTHENTICATED, 'gRPC: wrong key');
    const right = await rawUnary(g.grpcAddress, LOGS_EXPORT, empty, { metadata: { authorization: `Bearer ${API_KEY}` } });
    assert.equal(right.code, GrpcStatus.OK, `gRPC: right key: ${right.details}`);

    const missing = await post(g.queryUrl, 'SELECT 1');
    assert.equal(missing.status, 403);
    assert.equal(missing.code, '516');
    const bad = await post(g.queryUrl, 'SELECT 1', { headers: { 'X-ClickHouse-User': 'reader', 'X-ClickHouse-Key': 'nope' } });
    assert.equal(bad.code, '516');
    assert.doesNotMatch(bad.body, /nope/);
    const good = await post(g.queryUrl, 'SELECT 1', {
      headers: { Authorization: 'Basic ' + Buffer.from('reader:reader-secret').toString('base64') },
    });
    assert.equal(good.status, 200, good.body);
    assert.equal(good.body, '1\n');
    // The reader login reads, never writes.
    const drop = await post(g.queryUrl, 'DROP TABLE otel_logs', {
      headers: { 'X-ClickHouse-User': 'reader', 'X-ClickHouse-Key': 'reader-secret' },
    });
    assert.equal(drop.code, '164');
  } finally {
    await g.stop();
    await g.cleanup();
  }
});

test('through a server sink: gateway A forwards gated statements with readonly=2 into gateway B', async () => {
  const b = await startGateway({ config: WRITER_CONFIG });
  let a;
  try {
    // A's server sink writes into B with B's writer login; A's :8123 forwards reads to B.
    a = await startGateway({
      env: { CLICKHOUSE_USER: WRITER.user, CLICKHOUSE_PASSWORD: WRITER.password },
      args: ['--clickhouse-endpoint', b.queryUrl],
    });
    const [row] = await a.query("SELECT getSetting('readonly') AS r");
    assert.equal(Number(row.r), 2, 'B ran the forwarded statement with readonly=2');
    const checks = hostileQueries().filter(([, , params]) => !params);
    for (const [sql, code] of checks) {
      const r = await post(a.queryUrl, sql);
      assert.equal(r.code, code, `via A: ${sql}: HTTP ${r.status} ${r.body}`);
      assert.doesNotMatch(r.body, /root:x:0:0/);
    }
    assert.equal(existsSync(join(scratch, 'pwn.txt')), false);
    assert.equal(existsSync(join(scratch, 'out.txt')), false);
    assert.equal(canaryHits, 0);
    const tables = await b.query("SELECT count() AS n FROM system.tables WHERE database = 'default' AND name = 'otel_logs'");
    assert.equal(Number(tables[0].n), 1, "B's otel_logs is still there");
  } finally {
    if (a) {
      await a.stop();
      await a.cleanup();
    }
    await b.stop();
    await b.cleanup();
  }
});
