// A real Chromium (Debian's, driven by playwright-core) loads two pages: one
// from an origin the gateway does not know, which tries to read the stored
// logs and drop otel_logs through :8123 the way issue 13 found possible
// (`POST /?add_http_cors_header=1`, text/plain: no preflight), and one from
// the origin configured in query.cors_origins (HyperDX's local-mode page).
// The first reads nothing and drops nothing; the second reads the rows.
// Skips when no Chromium binary is installed (CI installs Debian's chromium).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { startGateway } from './lib/gateway.mjs';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser']
  .filter(Boolean)
  .find((p) => existsSync(p));
const SKIP = CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)';
const SERVICE = 'e2e-cors';

let gw;
let evil;
let friend;
let browser;

async function startSite() {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>site</title>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port };
}

before(async () => {
  if (SKIP) return;
  evil = await startSite();
  friend = await startSite();
  gw = await startGateway({
    config: `query:\n  cors_origins:\n    - http://localhost:${friend.port}\n`,
  });
  const res = await gw.postLogs(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: String(BigInt(Date.now() - 60_000) * 1_000_000n), body: { stringValue: 'secret log line' } }] }],
        },
      ],
    }),
    { contentType: 'application/json' },
  );
  assert.equal(res.status, 200);
  await gw.waitForCount(`SELECT count() FROM otel_logs WHERE ServiceName = '${SERVICE}'`, 1);
});

after(async () => {
  await browser?.close();
  evil?.server.close();
  friend?.server.close();
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

// Runs in the page: what a script of that origin gets back from :8123.
async function tryFromPage(page, queryUrl) {
  return page.evaluate(async (url) => {
    const attempt = async (sql, init = {}) => {
      try {
        const r = await fetch(url + '/?add_http_cors_header=1&default_format=JSONEachRow', {
          method: 'POST',
          body: sql,
          headers: { 'content-type': 'text/plain' },
          ...init,
        });
        return { ok: true, status: r.status, body: await r.text() };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    };
    return {
      read: await attempt(`SELECT Body FROM otel_logs WHERE ServiceName = 'e2e-cors'`),
      drop: await attempt('DROP TABLE otel_logs'),
      // A non-simple request: the browser asks first (preflight).
      preflighted: await attempt('SELECT 1', { headers: { 'content-type': 'text/plain', 'x-clickhouse-format': 'JSON' } }),
    };
  }, queryUrl);
}

test('a page from another origin can neither read nor drop through :8123; the configured origin reads', { skip: SKIP, timeout: 90_000 }, async () => {
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const allowOrigins = [];
  page.on('response', (r) => {
    if (r.url().startsWith(gw.queryUrl)) allowOrigins.push(r.headers()['access-control-allow-origin']);
  });

  await page.goto(`http://127.0.0.1:${evil.port}/`);
  const hostile = await tryFromPage(page, gw.queryUrl);
  assert.equal(hostile.read.ok, false, `the page read the answer: ${JSON.stringify(hostile.read)}`);
  assert.equal(hostile.drop.ok, false, 'the page read the DROP answer');
  assert.equal(hostile.preflighted.ok, false, 'the preflight let the page in');
  assert.ok(!allowOrigins.includes('*'), `Access-Control-Allow-Origin: * seen: ${allowOrigins}`);
  const [n] = await gw.query(`SELECT count() AS n FROM otel_logs WHERE ServiceName = '${SERVICE}'`);
  assert.equal(Number(n.n), 1, 'otel_logs still has its row: the DROP was refused');

  await page.goto(`http://localhost:${friend.port}/`);
  const friendly = await tryFromPage(page, gw.queryUrl);
  assert.equal(friendly.read.ok, true, JSON.stringify(friendly.read));
  assert.equal(friendly.read.status, 200);
  assert.deepEqual(JSON.parse(friendly.read.body.trim()), { Body: 'secret log line' });
  // Its DROP arrives and is refused as for anyone without the writer login.
  assert.equal(friendly.drop.ok, true);
  assert.match(friendly.drop.body, /^Code: 164\./);
  assert.equal(friendly.preflighted.ok, true, JSON.stringify(friendly.preflighted));
  assert.ok(!allowOrigins.includes('*'));
});
