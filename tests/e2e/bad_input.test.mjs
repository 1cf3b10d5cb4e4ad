// Bad OTLP/HTTP input is refused with the right status and body, stores
// nothing, and does not stop the gateway from serving the next good request.
// The gateway runs with a 1 MiB request limit; every request is raw bytes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';

import { startGateway } from './lib/gateway.mjs';
import { logsRequestProto, readProto, readRpcStatus, zstdRawFrame } from './lib/wire.mjs';

const LIMIT = 1048576;
const SERVICE = 'e2e-bad-input';
const NOW_NS = BigInt(Date.now() - 60_000) * 1_000_000n;

let gw;

before(async () => {
  gw = await startGateway({ args: ['--max-request-bytes', String(LIMIT)] });
});

after(async () => {
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

const validProto = (body) =>
  logsRequestProto({ resource: { 'service.name': SERVICE }, bodies: [body], timeNanos: NOW_NS });

const validJson = (body) =>
  JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
        scopeLogs: [
          {
            scope: { name: 'e2e.raw' },
            logRecords: [
              {
                timeUnixNano: NOW_NS.toString(),
                severityNumber: 9,
                severityText: 'INFO',
                body: { stringValue: body },
              },
            ],
          },
        ],
      },
    ],
  });

// A POST through node:http, so that a reply that comes before the whole body
// was sent (413 on a large upload) is still read. Resolves {status, headers, body}.
function rawPost(path, body, headers, { chunked = false } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(gw.httpUrl + path);
    const h = { ...headers };
    if (!chunked) h['content-length'] = String(body.length);
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: 'POST', headers: h, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => reject(new Error(`${path}: no response (${err.code ?? err.message})`)));
    if (chunked) {
      for (let off = 0; off < body.length; off += 64 * 1024) req.write(body.subarray(off, off + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

function assertStatusBody(res, expectedCode) {
  assert.match(
    res.headers.get('content-type') ?? '',
    /^application\/x-protobuf/,
    'a protobuf request gets a protobuf error body',
  );
  const st = readRpcStatus(res.body);
  assert.equal(st.code, expectedCode, `google.rpc.Status code (message: ${st.message})`);
  assert.ok(st.message.length > 0, 'google.rpc.Status message is not empty');
  return st;
}

test('malformed protobuf -> 400 with a google.rpc.Status body', async () => {
  // A valid record first, then a length prefix running past the end: a
  // decoder that streams must still store nothing of it.
  const truncated = Buffer.concat([
    validProto('bad-proto-partial'),
    Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01, 0x02]),
  ]);
  const res = await gw.postLogs(truncated);
  assert.equal(res.status, 400, `body: ${res.body.toString()}`);
  assertStatusBody(res, 3);
});

// Known deviation, kept visible: the Go collector refuses a known message
// field sent with another wire type ("proto: wrong wireType"); our decoders
// follow libprotobuf, which keeps it as an unknown field, and the differential
// tests pin that. Changing it means changing the oracle's rule as well.
test('wrong wire type for a known field -> 400 (as the Go collector)', { todo: 'decoders follow libprotobuf here' }, async () => {
  const wrongType = await gw.postLogs(Buffer.from([0x08, 0x01]));
  assert.equal(wrongType.status, 400);
  assertStatusBody(wrongType, 3);
});

test('malformed JSON -> 400 with a JSON status body, code 3', async () => {
  const body = validJson('bad-json-partial').slice(0, -3) + ',{"oops"';
  const res = await gw.postLogs(body, { contentType: 'application/json' });
  assert.equal(res.status, 400, `body: ${res.body.toString()}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const st = JSON.parse(res.body.toString('utf8'));
  assert.equal(st.code, 3, `status: ${res.body.toString()}`);
  assert.equal(typeof st.message, 'string');
  assert.ok(st.message.length > 0, 'message is not empty');

  // Well-formed JSON of the wrong shape.
  const shape = await gw.postLogs('{"resourceLogs": 5}', { contentType: 'application/json' });
  assert.equal(shape.status, 400, `body: ${shape.body.toString()}`);
  assert.equal(JSON.parse(shape.body.toString('utf8')).code, 3);

  // A bad hex trace id is malformed too (the Collector refuses it).
  const hex = JSON.parse(validJson('bad-json-traceid'));
  hex.resourceLogs[0].scopeLogs[0].logRecords[0].traceId = 'zz';
  const hexRes = await gw.postLogs(JSON.stringify(hex), { contentType: 'application/json' });
  assert.equal(hexRes.status, 400, `body: ${hexRes.body.toString()}`);
  assert.equal(JSON.parse(hexRes.body.toString('utf8')).code, 3);
});

test('unsupported content type -> 415', async () => {
  const res = await gw.postLogs('bad-text-plain', { contentType: 'text/plain' });
  assert.equal(res.status, 415, `body: ${res.body.toString()}`);
});

test('GET /v1/logs -> 405', async () => {
  const res = await fetch(gw.httpUrl + '/v1/logs');
  assert.equal(res.status, 405, `body: ${await res.text()}`);
});

test('unknown path -> 404', async () => {
  const res = await gw.postLogs(validProto('bad-unknown-path'), { path: '/v1/nope' });
  assert.equal(res.status, 404, `body: ${res.body.toString()}`);
});

test('a body over --max-request-bytes -> 413 (Content-Length and chunked)', async () => {
  const big = validProto('bad-oversize-' + 'x'.repeat(2 * LIMIT));
  const res = await rawPost('/v1/logs', big, { 'content-type': 'application/x-protobuf' });
  assert.equal(res.status, 413, `body: ${res.body.toString().slice(0, 500)}`);

  const chunked = await rawPost('/v1/logs', big, { 'content-type': 'application/x-protobuf' }, { chunked: true });
  assert.equal(chunked.status, 413, `body: ${chunked.body.toString().slice(0, 500)}`);
});

test('a gzip bomb (50 MB of zeros) -> 413', async () => {
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
  assert.ok(bomb.length < LIMIT / 4, `bomb is small on the wire (${bomb.length} bytes)`);
  const res = await gw.postLogs(bomb, { headers: { 'content-encoding': 'gzip' } });
  assert.equal(res.status, 413, `body: ${res.body.toString().slice(0, 500)}`);

  // A valid message that inflates past the limit is refused the same way.
  const padded = gzipSync(validProto('bad-inflated-' + 'y'.repeat(2 * LIMIT)));
  assert.ok(padded.length < LIMIT);
  const res2 = await gw.postLogs(padded, { headers: { 'content-encoding': 'gzip' } });
  assert.equal(res2.status, 413, `body: ${res2.body.toString().slice(0, 500)}`);
});

test('a corrupt gzip body -> 400', async () => {
  const gz = gzipSync(validProto('bad-corrupt-gzip'));
  const corrupt = Buffer.concat([gz.subarray(0, 10), Buffer.alloc(gz.length - 10, 0xab)]);
  const res = await gw.postLogs(corrupt, { headers: { 'content-encoding': 'gzip' } });
  assert.equal(res.status, 400, `body: ${res.body.toString()}`);
});

test('an empty protobuf body -> 200 with an empty ExportLogsServiceResponse', async () => {
  const res = await gw.postLogs(Buffer.alloc(0));
  assert.equal(res.status, 200, `body: ${res.body.toString()}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/x-protobuf/);
  const fields = readProto(res.body);
  assert.equal(fields[1], undefined, 'no partial_success in the response');

  const json = await gw.postLogs('{}', { contentType: 'application/json' });
  assert.equal(json.status, 200, `body: ${json.body.toString()}`);
  assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
  const parsed = JSON.parse(json.body.toString('utf8'));
  assert.equal(parsed.partialSuccess?.rejectedLogRecords ?? 0, 0);
});

test('after all that, valid requests (plain, gzip, deflate, zstd) get 200 and only they are stored', async () => {
  const sent = [];
  const post = async (label, body, opts) => {
    const res = await gw.postLogs(body, opts);
    assert.equal(res.status, 200, `${label}: body ${res.body.toString()}`);
    sent.push(label);
  };
  await post('good-proto', validProto('good-proto'));
  await post('good-json', validJson('good-json'), { contentType: 'application/json' });
  await post('good-gzip', gzipSync(validProto('good-gzip')), { headers: { 'content-encoding': 'gzip' } });
  await post('good-deflate', deflateSync(validProto('good-deflate')), { headers: { 'content-encoding': 'deflate' } });
  await post('good-zstd-raw', zstdRawFrame(validProto('good-zstd-raw')), {
    headers: { 'content-encoding': 'zstd' },
  });
  const z = spawnSync('zstd', ['-q', '-c', '-19'], { input: validProto('good-zstd') });
  if (z.status === 0) {
    await post('good-zstd', z.stdout, { headers: { 'content-encoding': 'zstd' } });
  }
  await post('good-json-gzip', gzipSync(validJson('good-json-gzip')), {
    contentType: 'application/json',
    headers: { 'content-encoding': 'gzip' },
  });

  const rows = await gw.waitForRows('SELECT Body, ServiceName FROM otel_logs ORDER BY Body', sent.length);
  assert.deepStrictEqual(
    rows,
    [...sent].sort().map((b) => ({ Body: b, ServiceName: SERVICE })),
    'exactly the valid records are stored, once each',
  );
  const bad = await gw.query("SELECT count() AS n FROM otel_logs WHERE Body LIKE 'bad-%'");
  assert.equal(bad.length, 1);
  assert.equal(Number(bad[0].n), 0, 'nothing of a refused request is stored');
});
