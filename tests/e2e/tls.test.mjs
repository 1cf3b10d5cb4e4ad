// TLS and mutual TLS on :4318 and :4317, with certificates this test makes
// with the openssl CLI: HTTPS and gRPC over TLS accepted and stored; plain
// HTTP / plaintext gRPC on the TLS ports, TLS 1.1, and (under mTLS) missing
// or untrusted client certificates refused; certificates replaced on disk
// reach new connections without a restart, and a broken replacement keeps
// the previous certificate.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';

import grpc from '@grpc/grpc-js';

import { startGateway } from './lib/gateway.mjs';
import { GrpcStatus, LOGS_EXPORT, rawUnary, statusName } from './lib/grpc_raw.mjs';
import { logsRequestProto } from './lib/wire.mjs';

const dir = mkdtempSync(join(tmpdir(), 'otelhouse-tls-'));
const path = (name) => join(dir, name);
const NOW_NS = BigInt(Date.now() - 60_000) * 1_000_000n;

function openssl(...args) {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
}

function makeCa(name) {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.pem`);
}

// A certificate signed by `ca`; servers get localhost / 127.0.0.1 names.
function makeCert(name, ca, { server = false } = {}) {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`,
    '-out', `${name}.csr`);
  const ext = server
    ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
    : 'extendedKeyUsage=clientAuth\n';
  writeFileSync(path(`${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`,
    '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

const read = (name) => readFileSync(path(name));
const fingerprint = (name) => new X509Certificate(read(`${name}.pem`)).fingerprint256;

// Where the gateway reads its certificate; the test swaps files in here.
function installServerCert(prefix, name) {
  copyFileSync(path(`${name}.key`), path(`${prefix}-live.key`));
  copyFileSync(path(`${name}.pem`), path(`${prefix}-live.pem`));
}

before(() => {
  makeCa('ca');
  makeCa('rogue-ca');
  makeCert('server1', 'ca', { server: true });
  makeCert('server2', 'ca', { server: true });
  makeCert('client', 'ca');
  makeCert('rogue-client', 'rogue-ca');
  installServerCert('http', 'server1');
  installServerCert('grpc', 'server1');
});

after(() => rmSync(dir, { recursive: true, force: true }));

const logsBody = (body) =>
  logsRequestProto({ resource: { 'service.name': 'e2e-tls' }, bodies: [body], timeNanos: NOW_NS });

const hostPort = (url) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
};

// POSTs OTLP protobuf over HTTPS; resolves {status, body} or rejects with the
// TLS / socket error.
function httpsPost(gw, body, tlsOptions = {}) {
  const { host, port } = hostPort(gw.httpUrl);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host,
        port,
        path: '/v1/logs',
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        ca: read('ca.pem'),
        servername: 'localhost',
        agent: false,
        ...tlsOptions,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// A bare TLS handshake; resolves {protocol, fingerprint} or rejects.
function handshake(address, options = {}) {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ca: read('ca.pem'), servername: 'localhost', ...options }, () => {
      const cert = socket.getPeerX509Certificate();
      const result = { protocol: socket.getProtocol(), fingerprint: cert?.fingerprint256 };
      socket.end();
      resolve(result);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', reject);
  });
}

// Waits until new connections to `address` present `name`'s certificate.
async function waitForCert(address, name, options = {}) {
  const want = fingerprint(name);
  const deadline = Date.now() + 10_000;
  let seen;
  while (Date.now() < deadline) {
    seen = (await handshake(address, options)).fingerprint;
    if (seen === want) return;
    await delay(200);
  }
  assert.equal(seen, want, `new connections present ${name}'s certificate`);
}

const grpcTls = (withClientCert) =>
  withClientCert
    ? grpc.credentials.createSsl(read('ca.pem'), read('client.key'), read('client.pem'))
    : grpc.credentials.createSsl(read('ca.pem'));
const grpcOptions = { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' };

async function storedCount(gw, body) {
  return gw.waitForCount(`SELECT count() FROM otel_logs WHERE Body = '${body}'`, 1);
}

describe('TLS', () => {
  let gw;
  let httpAddress;

  before(async () => {
    gw = await startGateway({
      args: [
        '--http-tls-cert', path('http-live.pem'), '--http-tls-key', path('http-live.key'),
        '--grpc-tls-cert', path('grpc-live.pem'), '--grpc-tls-key', path('grpc-live.key'),
      ],
    });
    const { host, port } = hostPort(gw.httpUrl);
    httpAddress = `${host}:${port}`;
  });

  after(async () => {
    if (gw) {
      await gw.stop();
      await gw.cleanup();
    }
  });

  test('an HTTPS request is accepted and stored', async () => {
    const res = await httpsPost(gw, logsBody('tls-https-1'));
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(await storedCount(gw, 'tls-https-1'), 1);
  });

  test('plain HTTP on the TLS port gets no HTTP answer', async () => {
    const { host, port } = hostPort(gw.httpUrl);
    const outcome = await new Promise((resolve) => {
      const req = http.request({ host, port, path: '/v1/logs', method: 'POST', agent: false,
        headers: { 'content-type': 'application/x-protobuf' } }, (res) => resolve({ status: res.statusCode }));
      req.on('error', (err) => resolve({ error: err.code ?? err.message }));
      req.end(logsBody('tls-plain-refused'));
    });
    assert.ok(outcome.error, `expected the connection to fail, got HTTP ${outcome.status}`);
  });

  test('TLS 1.1 is refused by the server, TLS 1.2 and 1.3 are accepted', async () => {
    // SECLEVEL=0 lets Node's OpenSSL offer TLS 1.1 at all; the refusal must
    // then come from the server as a protocol_version alert.
    await assert.rejects(
      handshake(httpAddress, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
      (err) => /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION/i.test(`${err.code} ${err.message}`),
    );
    assert.equal((await handshake(httpAddress, { maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
    assert.equal((await handshake(httpAddress, { minVersion: 'TLSv1.3' })).protocol, 'TLSv1.3');
  });

  test('a replaced certificate reaches new connections; a broken one keeps the last good one', async () => {
    await waitForCert(httpAddress, 'server1');
    installServerCert('http', 'server2');
    await waitForCert(httpAddress, 'server2');
    const res = await httpsPost(gw, logsBody('tls-after-reload'));
    assert.equal(res.status, 200);

    writeFileSync(path('http-live.pem'), '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
    await delay(1500); // past the once-a-second check
    assert.equal((await handshake(httpAddress)).fingerprint, fingerprint('server2'));
    assert.match(gw.stderr(), /TLS certificate reload failed, keeping the previous certificate/);
    assert.equal((await httpsPost(gw, logsBody('tls-after-bad-reload'))).status, 200);
  });

  test('gRPC over TLS is accepted and stored; a plaintext client is refused', async () => {
    const ok = await rawUnary(gw.grpcAddress, LOGS_EXPORT, logsBody('tls-grpc-1'), {
      credentials: grpcTls(false),
      options: grpcOptions,
    });
    assert.equal(ok.code, GrpcStatus.OK, `${statusName(ok.code)}: ${ok.details}`);
    assert.equal(await storedCount(gw, 'tls-grpc-1'), 1);

    const plain = await rawUnary(gw.grpcAddress, LOGS_EXPORT, logsBody('tls-grpc-plain'), { deadlineMs: 5000 });
    assert.equal(plain.code, GrpcStatus.UNAVAILABLE, `${statusName(plain.code)}: ${plain.details}`);
  });

  test('a replaced gRPC certificate reaches new connections', async () => {
    const h2 = { ALPNProtocols: ['h2'] };
    await waitForCert(gw.grpcAddress, 'server1', h2);
    installServerCert('grpc', 'server2');
    await waitForCert(gw.grpcAddress, 'server2', h2);
  });
});

describe('mutual TLS', () => {
  let gw;

  before(async () => {
    installServerCert('http', 'server1');
    installServerCert('grpc', 'server1');
    gw = await startGateway({
      args: [
        '--http-tls-cert', path('http-live.pem'), '--http-tls-key', path('http-live.key'),
        '--http-tls-client-ca', path('ca.pem'),
        '--grpc-tls-cert', path('grpc-live.pem'), '--grpc-tls-key', path('grpc-live.key'),
        '--grpc-tls-client-ca', path('ca.pem'),
      ],
    });
  });

  after(async () => {
    if (gw) {
      await gw.stop();
      await gw.cleanup();
    }
  });

  test('HTTPS: a client certificate from the CA is accepted, none or another CA is refused', async () => {
    const ok = await httpsPost(gw, logsBody('mtls-https-1'), { key: read('client.key'), cert: read('client.pem') });
    assert.equal(ok.status, 200, ok.body.toString());
    assert.equal(await storedCount(gw, 'mtls-https-1'), 1);

    await assert.rejects(httpsPost(gw, logsBody('mtls-no-cert')), 'no client certificate');
    await assert.rejects(
      httpsPost(gw, logsBody('mtls-rogue'), { key: read('rogue-client.key'), cert: read('rogue-client.pem') }),
      'a certificate from another CA',
    );
    const rows = await gw.query(`SELECT count() AS n FROM otel_logs WHERE Body IN ('mtls-no-cert', 'mtls-rogue')`);
    assert.equal(Number(rows[0].n), 0, 'nothing of the refused requests is stored');
  });

  test('gRPC: a client certificate from the CA is accepted, none is refused', async () => {
    const ok = await rawUnary(gw.grpcAddress, LOGS_EXPORT, logsBody('mtls-grpc-1'), {
      credentials: grpcTls(true),
      options: grpcOptions,
    });
    assert.equal(ok.code, GrpcStatus.OK, `${statusName(ok.code)}: ${ok.details}`);
    assert.equal(await storedCount(gw, 'mtls-grpc-1'), 1);

    const none = await rawUnary(gw.grpcAddress, LOGS_EXPORT, logsBody('mtls-grpc-none'), {
      credentials: grpcTls(false),
      options: grpcOptions,
      deadlineMs: 5000,
    });
    assert.equal(none.code, GrpcStatus.UNAVAILABLE, `${statusName(none.code)}: ${none.details}`);
  });
});
