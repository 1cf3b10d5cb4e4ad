// Decompression bombs against the gateway's memory: gzip and zstd bodies of
// 10 GiB of zeros over OTLP/HTTP (413), gzip and deflate messages of 10 GiB
// over OTLP/gRPC (RESOURCE_EXHAUSTED). The gateway's peak resident memory
// (VmHWM) may grow by the inflate limit plus the compressed body it holds,
// plus slack for the allocator, never by the bomb's size; afterwards it
// still stores what it is sent, and /metrics counts the refusals.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { gzipBomb, zlibBomb, zstdBomb } from './lib/bombs.mjs';
import { startGateway } from './lib/gateway.mjs';
import { GrpcStatus, LOGS_EXPORT, rawUnary, statusName } from './lib/grpc_raw.mjs';
import { logsRequestProto, zstdRawFrame } from './lib/wire.mjs';

const MiB = 1024 * 1024;
const LIMIT = 20 * MiB; // the default max_request_bytes / max_recv_msg_size_mib
const BOMB_BYTES = 10 * 1024 * MiB;
const SLACK = 12 * MiB; // allocator and thread arenas; measured growth leaves about this much spare
const NOW_NS = BigInt(Date.now() - 60_000) * 1_000_000n;

let gw;

before(async () => {
  // One I/O thread and one gRPC worker: every bomb lands on the same thread,
  // so the allowance is one inflate buffer, not one per thread.
  gw = await startGateway({ args: ['--io-threads', '1'] });
});

after(async () => {
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

function peakRss() {
  const status = readFileSync(`/proc/${gw.child.pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  assert.ok(m, 'VmHWM in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

const logs = (body) =>
  logsRequestProto({ resource: { 'service.name': 'e2e-bombs' }, bodies: [body], timeNanos: NOW_NS });

// One gRPC call whose message goes on the wire exactly as given, flagged
// compressed with `encoding` (grpc-js would compress it itself).
function grpcCompressedCall(message, encoding) {
  return new Promise((resolve, reject) => {
    const client = http2.connect(`http://${gw.grpcAddress}`);
    client.on('error', reject);
    const req = client.request({
      ':method': 'POST',
      ':path': LOGS_EXPORT,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-encoding': encoding,
      'grpc-accept-encoding': 'identity',
    });
    let status;
    let messageText = '';
    const take = (headers) => {
      if (headers['grpc-status'] !== undefined) {
        status = Number(headers['grpc-status']);
        messageText = decodeURIComponent(headers['grpc-message'] ?? '');
      }
    };
    req.on('response', take);
    req.on('trailers', take);
    req.on('data', () => {});
    req.on('end', () => {
      client.close();
      resolve({ code: status, details: messageText });
    });
    req.on('error', (err) => {
      client.close();
      reject(err);
    });
    const prefix = Buffer.alloc(5);
    prefix[0] = 1; // compressed
    prefix.writeUInt32BE(message.length, 1);
    req.end(Buffer.concat([prefix, message]));
  });
}

async function limitRefusals(transport) {
  const text = await (await fetch(gw.metricsUrl + '/metrics')).text();
  const re = new RegExp(
    `^otelhouse_receiver_limit_refusals_total\\{transport="${transport}",limit="decompressed_size"\\} (\\d+)$`,
    'm',
  );
  const m = re.exec(text);
  assert.ok(m, `decompressed_size refusals of ${transport} in /metrics`);
  return Number(m[1]);
}

// Sends one bomb; asserts the answer and that peak RSS grew by at most the
// limit plus what the server had to hold of the request.
async function withinMemory(t, label, wireBytes, send) {
  const before = peakRss();
  await send();
  const grown = peakRss() - before;
  const allowed = LIMIT + wireBytes + SLACK;
  assert.ok(
    grown < allowed,
    `${label}: peak RSS grew by ${(grown / MiB).toFixed(1)} MiB, allowed ${(allowed / MiB).toFixed(1)} MiB`,
  );
  t.diagnostic(`${label}: ${(wireBytes / MiB).toFixed(2)} MiB on the wire, peak RSS +${(grown / MiB).toFixed(1)} MiB`);
}

test('gzip and zstd bombs of 10 GiB over HTTP get 413 without the memory to match', async (t) => {
  // Warm up the paths the bombs take (buffers, allocator arenas, chDB inserts).
  assert.equal((await gw.postLogs(gzipSync(logs('bomb-warm-gzip')), { headers: { 'content-encoding': 'gzip' } })).status, 200);
  assert.equal((await gw.postLogs(zstdRawFrame(logs('bomb-warm-zstd')), { headers: { 'content-encoding': 'zstd' } })).status, 200);
  const refusedBefore = await limitRefusals('http');

  const gzip = gzipBomb(BOMB_BYTES);
  const zstd = zstdBomb(BOMB_BYTES);
  assert.ok(gzip.length < LIMIT && zstd.length < MiB, 'the bombs fit under the raw body limit');
  for (const [label, body, encoding] of [
    ['gzip', gzip, 'gzip'],
    ['zstd', zstd, 'zstd'],
  ]) {
    await withinMemory(t, `HTTP ${label}`, body.length, async () => {
      const res = await gw.postLogs(body, { headers: { 'content-encoding': encoding } });
      assert.equal(res.status, 413, `${label}: ${res.body.toString().slice(0, 300)}`);
    });
  }
  assert.equal((await limitRefusals('http')) - refusedBefore, 2, 'both counted as decompressed_size');
});

test('gzip and deflate bombs of 10 GiB over gRPC get RESOURCE_EXHAUSTED without the memory to match', async (t) => {
  const warm = await rawUnary(gw.grpcAddress, LOGS_EXPORT, logs('bomb-warm-grpc'), { gzip: true });
  assert.equal(warm.code, GrpcStatus.OK, warm.details);
  const refusedBefore = await limitRefusals('grpc');

  for (const [label, message, encoding] of [
    ['gzip', gzipBomb(BOMB_BYTES), 'gzip'],
    ['deflate', zlibBomb(BOMB_BYTES), 'deflate'],
  ]) {
    await withinMemory(t, `gRPC ${label}`, message.length, async () => {
      const res = await grpcCompressedCall(message, encoding);
      assert.equal(res.code, GrpcStatus.RESOURCE_EXHAUSTED, `${label}: ${statusName(res.code)} ${res.details}`);
    });
  }
  assert.equal((await limitRefusals('grpc')) - refusedBefore, 2, 'both counted as decompressed_size');
});

test('after the bombs the gateway still stores what it is sent, over both transports', async () => {
  assert.equal((await gw.postLogs(logs('bomb-after-http'))).status, 200);
  const res = await rawUnary(gw.grpcAddress, LOGS_EXPORT, logs('bomb-after-grpc'));
  assert.equal(res.code, GrpcStatus.OK, res.details);
  const n = await gw.waitForCount(
    `SELECT count() FROM otel_logs WHERE Body IN ('bomb-after-http', 'bomb-after-grpc', 'bomb-warm-gzip', 'bomb-warm-zstd', 'bomb-warm-grpc')`,
    5,
  );
  assert.equal(n, 5);
  const none = await gw.query(`SELECT count() AS n FROM otel_logs WHERE ServiceName = 'e2e-bombs' AND Body = ''`);
  assert.equal(Number(none[0].n), 0, 'nothing of a bomb was stored');
});
