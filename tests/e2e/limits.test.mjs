// Connection limits and timeouts of the receivers, set through their config
// keys (flags and YAML), each with its refusal and its counter in /metrics:
// max connections, header size (431), body before decompression (413) and
// after (413), a slowloris client (read timeout), an idle keep-alive
// connection (idle timeout), and gRPC's concurrent streams per connection.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

import grpc from '@grpc/grpc-js';

import { startGateway } from './lib/gateway.mjs';
import { GrpcStatus, LOGS_EXPORT, rawUnary, statusName } from './lib/grpc_raw.mjs';
import { logsRequestProto } from './lib/wire.mjs';

const BODY_LIMIT = 64 * 1024;
const NOW_NS = BigInt(Date.now() - 60_000) * 1_000_000n;
const configDir = mkdtempSync(join(tmpdir(), 'otelhouse-limits-'));
let gw;
let host;
let port;

before(async () => {
  const yaml = join(configDir, 'config.yaml');
  writeFileSync(yaml, 'receivers:\n  otlp_grpc:\n    max_concurrent_streams: 1\n');
  gw = await startGateway({
    args: [
      '--config', yaml,
      '--max-connections', '3',
      '--max-header-bytes', '4096',
      '--read-timeout', '1s',
      '--idle-timeout', '1s',
      '--max-request-bytes', String(BODY_LIMIT),
    ],
  });
  const u = new URL(gw.httpUrl);
  host = u.hostname;
  port = Number(u.port);
});

after(async () => {
  rmSync(configDir, { recursive: true, force: true });
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

const logs = (body) =>
  logsRequestProto({ resource: { 'service.name': 'e2e-limits' }, bodies: [body], timeNanos: NOW_NS });

async function counter(limit) {
  const text = await (await fetch(gw.metricsUrl + '/metrics')).text();
  const m = new RegExp(`^otelhouse_receiver_limit_refusals_total\\{transport="http",limit="${limit}"\\} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `limit="${limit}" in /metrics`);
  return Number(m[1]);
}

// A timed-out connection is closed by the server's timer before the handler
// that counts it runs: poll the counter briefly rather than read it once.
async function counterReaches(limit, want) {
  let n = await counter(limit);
  for (let i = 0; i < 100 && n < want; ++i) {
    await delay(20);
    n = await counter(limit);
  }
  return n;
}

// A raw TCP connection: what it received and when the server closed it.
function connect() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => resolve(conn));
    const conn = { socket, data: '', closedAt: 0, openedAt: Date.now() };
    conn.closed = new Promise((done) => socket.on('close', () => {
      conn.closedAt = Date.now();
      done();
    }));
    socket.setEncoding('latin1');
    socket.on('data', (d) => (conn.data += d));
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

function request(path, headers, body = Buffer.alloc(0)) {
  let head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  head += `Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const statusOf = (conn) => Number(/^HTTP\/1\.1 (\d{3})/.exec(conn.data)?.[1] ?? 0);

async function exchange(bytes) {
  const conn = await connect();
  conn.socket.end(bytes);
  await conn.closed;
  return conn;
}

test('a header block over max_header_bytes -> 431, counted', async () => {
  const before = await counter('header_size');
  const conn = await exchange(request('/v1/logs', { 'content-type': 'application/x-protobuf', 'x-big': 'a'.repeat(8000) }));
  assert.equal(statusOf(conn), 431, conn.data.slice(0, 200));
  assert.equal((await counter('header_size')) - before, 1);
});

test('a body over max_request_bytes -> 413 before decompression, counted', async () => {
  const before = await counter('body_size');
  const conn = await exchange(request('/v1/logs', { 'content-type': 'application/x-protobuf' }, Buffer.alloc(BODY_LIMIT + 1)));
  assert.equal(statusOf(conn), 413, conn.data.slice(0, 200));
  assert.equal((await counter('body_size')) - before, 1);
});

test('a body inflating past max_request_bytes -> 413 after decompression, counted', async () => {
  const before = await counter('decompressed_size');
  const body = gzipSync(logs('limits-inflated-' + 'z'.repeat(4 * BODY_LIMIT)));
  assert.ok(body.length < BODY_LIMIT);
  const res = await gw.postLogs(body, { headers: { 'content-encoding': 'gzip' } });
  assert.equal(res.status, 413);
  assert.equal((await counter('decompressed_size')) - before, 1);
});

test('a slowloris client trickling its header is cut off at the read timeout, counted', async () => {
  const before = await counter('read_timeout');
  const conn = await connect();
  conn.socket.write(`POST /v1/logs HTTP/1.1\r\nHost: ${host}\r\n`);
  // One header line every 200 ms: each write is well within any per-read
  // timeout; only a deadline for the whole request stops it.
  const trickle = setInterval(() => conn.socket.write(`X-Slow-${Date.now()}: 1\r\n`), 200);
  await Promise.race([conn.closed, delay(6000)]);
  clearInterval(trickle);
  assert.ok(conn.closedAt > 0, 'the server closed the connection');
  const lasted = conn.closedAt - conn.openedAt;
  assert.ok(lasted >= 900 && lasted < 4000, `closed after ${lasted} ms (read timeout 1s)`);
  assert.equal(statusOf(conn), 0, 'no response to a request never finished');
  assert.ok((await counterReaches('read_timeout', before + 1)) - before >= 1);
});

test('an idle keep-alive connection is closed at the idle timeout, counted', async () => {
  const before = await counter('idle_timeout');
  const conn = await connect();
  conn.socket.write(request('/v1/logs', { 'content-type': 'application/x-protobuf' }, logs('limits-keepalive')));
  await delay(300);
  assert.equal(statusOf(conn), 200, conn.data.slice(0, 200));
  const answeredAt = Date.now();
  await Promise.race([conn.closed, delay(5000)]);
  assert.ok(conn.closedAt > 0, 'the server closed the idle connection');
  const idle = conn.closedAt - answeredAt;
  assert.ok(idle >= 500 && idle < 4000, `closed ${idle} ms after the answer (idle timeout 1s)`);
  assert.ok((await counterReaches('idle_timeout', before + 1)) - before >= 1);
});

test('connections past max_connections are closed at once, counted; freed slots serve again', async () => {
  await delay(1500); // let keep-alive sockets of earlier tests time out
  const before = await counter('max_connections');
  const held = [await connect(), await connect(), await connect()];
  await delay(200); // accepted by the server, not just by the kernel
  const extra = await connect();
  await Promise.race([extra.closed, delay(800)]);
  assert.ok(extra.closedAt > 0, 'the 4th connection was closed');
  assert.ok(held.every((c) => c.closedAt === 0), 'the 3 held connections are still open');
  assert.equal(extra.data, '', 'no response on a refused connection');
  assert.equal((await counter('max_connections')) - before, 1);

  for (const c of held) c.socket.destroy();
  await Promise.all(held.map((c) => c.closed));
  await delay(200);
  const res = await gw.postLogs(logs('limits-after-max-connections'));
  assert.equal(res.status, 200);
});

test('gRPC: max_concurrent_streams 1 holds a second call on the same connection until the first ends', async () => {
  const Client = grpc.makeGenericClientConstructor(
    {
      Export: {
        path: LOGS_EXPORT,
        requestStream: true,
        responseStream: false,
        requestSerialize: (b) => b,
        requestDeserialize: (b) => b,
        responseSerialize: (b) => b,
        responseDeserialize: (b) => b,
      },
    },
    'RawStreamingService',
  );
  const client = new Client(gw.grpcAddress, grpc.credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1, // a connection of its own
  });
  // Call 1 takes the connection's only stream and sends nothing yet.
  const first = new Promise((resolve) => {
    const call = client.Export((err) => resolve(err ? err.code : GrpcStatus.OK));
    setTimeout(() => call.end(), 2500);
  });
  await delay(300);
  const second = new Promise((resolve) => {
    const startedAt = Date.now();
    const call = client.Export((err) => resolve({ code: err ? err.code : GrpcStatus.OK, at: Date.now() - startedAt }));
    call.write(logs('limits-grpc-second'));
    call.end();
  });
  // Meanwhile another connection is not held back.
  const other = await rawUnary(gw.grpcAddress, LOGS_EXPORT, logs('limits-grpc-other'), { deadlineMs: 2000 });
  assert.equal(other.code, GrpcStatus.OK, `other connection: ${statusName(other.code)} ${other.details}`);

  const firstCode = await first;
  assert.equal(firstCode, GrpcStatus.INVALID_ARGUMENT, 'call 1 ended without a message');
  const res = await second;
  assert.equal(res.code, GrpcStatus.OK, statusName(res.code));
  assert.ok(res.at >= 1800, `call 2 waited for call 1's stream (${res.at} ms)`);
  client.close();
  const n = await gw.waitForCount(`SELECT count() FROM otel_logs WHERE Body IN ('limits-grpc-second', 'limits-grpc-other')`, 2);
  assert.equal(n, 2);
});

test('memory budget (receivers.memory_budget / --memory-budget): overlapping requests past it get 429 "memory budget" with Retry-After; a lone one always passes', async () => {
  const mgw = await startGateway({ args: ['--memory-budget', '1', '--io-threads', '4'] });
  try {
    const body = (req) =>
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'e2e-membudget' } }] },
            scopeLogs: [
              {
                logRecords: Array.from({ length: 400 }, (_, i) => ({
                  timeUnixNano: String(NOW_NS),
                  body: { stringValue: `request ${req} record ${i} ` + 'y'.repeat(300) },
                })),
              },
            ],
          },
        ],
      });
    const post = async (req) => {
      const res = await fetch(mgw.httpUrl + '/v1/logs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(req),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
    };
    // ~150 KiB alone, far over a 1-byte budget: let in.
    assert.equal((await post('alone')).status, 200);
    const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => post(i)));
    const refused = answers.filter((a) => a.status === 429);
    const ok = answers.filter((a) => a.status === 200);
    assert.equal(refused.length + ok.length, answers.length, `other statuses: ${answers.map((a) => a.status)}`);
    assert.ok(refused.length > 0, 'no overlap was refused');
    for (const r of refused) {
      assert.match(r.text, /memory budget/);
      assert.ok(Number(r.retryAfter) >= 1, 'no Retry-After');
    }
    const counted = await mgw.metric('otelhouse_receiver_refused_requests_total', { reason: 'overloaded' });
    assert.equal(counted, refused.length);
    // What was acked is stored; nothing of the refused requests is.
    await mgw.waitForCount(
      "SELECT count() FROM otel_logs WHERE ServiceName = 'e2e-membudget'",
      (ok.length + 1) * 400,
      30_000,
    );
    await delay(500);
    const [n] = await mgw.query("SELECT count() AS n FROM otel_logs WHERE ServiceName = 'e2e-membudget'");
    assert.equal(Number(n.n), (ok.length + 1) * 400);
  } finally {
    await mgw.stop();
    await mgw.cleanup();
  }
});
