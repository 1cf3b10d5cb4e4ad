// A real browser session, recorded by the HyperDX browser SDK (@hyperdx/browser,
// the UMD bundle a site loads with a <script> tag) in headless Chromium, sent to
// the gateway across origins: the page is served by this test on its own port,
// so every OTLP request needs CORS on :4318 (a preflight OPTIONS, since the SDK
// sends authorization / content-encoding headers, and Access-Control-Allow-Origin
// on the POST answers).
//
// What the SDK sends, read from its bundle (0.26) and checked here in the store:
//  - rrweb events: gzip-compressed OTLP/protobuf logs on /v1/logs, one record per
//    event chunk with attributes rr-web.event / rr-web.offset / rr-web.chunk /
//    rr-web.total-chunks and the rrweb event JSON as the body. ClickStack routes
//    them to hyperdx_sessions, untouched by the log transforms.
//  - everything else is a span (OTLP/JSON on /v1/traces): document load and
//    resource fetches, user interactions (click), fetch() calls and, with
//    consoleCapture, one span per console.log/info/warn/debug line ("console.log",
//    SpanAttributes component=console, level, message) and per console.error
//    ("console.error", component=error, error.message). The SDK sends no console
//    line as a log record, so otel_logs receives nothing from this session.
//  - rum.sessionId is a resource attribute of both signals.
// The SDK flushes on timers (rrweb 5 s, spans 4 s); the test waits for the rows.
//
// Skips when no Chromium binary is installed (CI installs Debian's chromium).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { sqlString, startGateway } from './lib/gateway.mjs';

const CHROMIUM_CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium-browser',
].filter(Boolean);
const CHROMIUM = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
const SKIP = CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)';

const SERVICE = 'browser-e2e';
const API_KEY = 'browser-e2e-key-' + randomUUID();
const RUN = randomUUID().slice(0, 8);
const MARK = {
  log: `mark-log-${RUN}`,
  warn: `mark-warn-${RUN}`,
  error: `mark-error-${RUN}`,
  typed: `typed-${RUN}`,
  added: `added-${RUN}`,
  fetch: `fetch-${RUN}`,
};
const ROW_TIMEOUT_MS = 25_000;

const require = createRequire(import.meta.url);

let gw;
let site;
let browser;

// The page under test: loads the SDK bundle and initialises it against the
// gateway; its button mutates the DOM.
function pageHtml(gatewayUrl, siteOrigin) {
  const config = {
    url: gatewayUrl,
    apiKey: API_KEY,
    service: SERVICE,
    consoleCapture: true,
    advancedNetworkCapture: true,
    tracePropagationTargets: [siteOrigin],
    disableIntercom: true,
    maskAllInputs: false, // the typed text must show in the replay
  };
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>browser e2e</title>
<script src="/hyperdx.js"></script>
<script>window.HyperDX.init(${JSON.stringify(config)});</script>
</head><body>
<h1>otelhouse browser e2e</h1>
<input id="name" type="text" value="">
<button id="add" onclick="
  const li = document.createElement('li');
  li.textContent = '${MARK.added}';
  document.getElementById('list').appendChild(li);">add</button>
<ul id="list"></ul>
</body></html>`;
}

// The test's own site: the page, the SDK bundle and a JSON API the page calls.
async function startSite() {
  const bundle = readFileSync(require.resolve('@hyperdx/browser'));
  const apiRequests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(site.gatewayUrl, site.origin));
    } else if (url.pathname === '/hyperdx.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
    } else if (url.pathname === '/api/data') {
      apiRequests.push({ headers: req.headers, query: url.search });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, marker: MARK.fetch }));
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204); // no 404 in the browser's console
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    apiRequests,
    origin: `http://127.0.0.1:${server.address().port}`,
    gatewayUrl: '',
  };
}

before(async () => {
  if (SKIP) return;
  gw = await startGateway({ env: { OTLP_AUTH_TOKEN: API_KEY } });
  site = await startSite();
  // localhost, not 127.0.0.1: another host name as well as another port, so
  // the page and the gateway are unmistakably different origins.
  site.gatewayUrl = gw.httpUrl.replace('127.0.0.1', 'localhost');
});

after(async () => {
  await browser?.close();
  site?.server.close();
  if (gw) {
    await gw.stop();
    await gw.cleanup();
  }
});

test('HyperDX browser SDK: replay, console lines and spans of a real session', { skip: SKIP, timeout: 90_000 }, async (t) => {
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext();
  const page = await context.newPage();

  // What the browser says: console lines, page errors, failed requests, and
  // the network exchanges with the gateway (preflights included, via CDP).
  const consoleLines = [];
  const pageErrors = [];
  const failedRequests = [];
  const gatewayResponses = [];
  const preflights = new Map(); // requestId -> {url, status, headers}
  page.on('console', (m) => consoleLines.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('requestfailed', (r) => failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (!r.url().startsWith(site.gatewayUrl)) return;
    gatewayResponses.push({
      method: r.request().method(),
      url: r.url(),
      status: r.status(),
      headers: r.allHeaders().catch(() => ({})), // awaited at the end
    });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.type === 'Preflight' || e.request.method === 'OPTIONS')
      preflights.set(e.requestId, { url: e.request.url, method: e.request.method });
  });
  cdp.on('Network.responseReceived', (e) => {
    const p = preflights.get(e.requestId);
    if (p) Object.assign(p, { status: e.response.status, headers: e.response.headers });
  });

  await page.goto(site.origin + '/', { waitUntil: 'load' });
  const sessionId = await page.evaluate(() => window.HyperDX.getSessionId());
  assert.match(sessionId ?? '', /^[0-9a-f]{32}$/, `HyperDX.getSessionId() = ${sessionId}`);

  // The session: typing, a click that adds a list item, console lines, a fetch.
  await page.click('#name');
  await page.keyboard.type(MARK.typed, { delay: 5 });
  await page.click('#add');
  await page.waitForSelector(`#list li:has-text("${MARK.added}")`);
  const fetched = await page.evaluate(async ({ mark }) => {
    console.log(mark.log, { step: 1 });
    console.warn(mark.warn);
    console.error(mark.error);
    const res = await fetch('/api/data?q=' + encodeURIComponent(mark.fetch));
    return res.json();
  }, { mark: MARK });
  assert.deepEqual(fetched, { ok: true, marker: MARK.fetch });

  // --- hyperdx_sessions: the replay ---------------------------------------
  const sid = sqlString(sessionId);
  const sessionWhere = `ServiceName = '${SERVICE}' AND ResourceAttributes['rum.sessionId'] = ${sid}`;
  // The full snapshot (type 2) is sent first; wait for the typed text and the
  // added item too, which arrive in later batches.
  await gw.waitForCount(
    `SELECT countIf(Body LIKE '%"type":2%') > 0 AND countIf(Body LIKE '%${MARK.typed}%') > 0 ` +
      `AND countIf(Body LIKE '%${MARK.added}%') > 0 FROM hyperdx_sessions WHERE ${sessionWhere}`,
    1,
    ROW_TIMEOUT_MS,
  );
  const replay = await gw.query(
    `SELECT Body, LogAttributes, ResourceAttributes, ServiceName, ScopeName FROM hyperdx_sessions ` +
      `WHERE ResourceAttributes['rum.sessionId'] = ${sid}`,
  );
  assert.ok(replay.length >= 3, `replay rows: ${replay.length}`);
  const events = [];
  for (const row of replay) {
    assert.equal(row.ServiceName, SERVICE);
    assert.equal(row.ScopeName, 'rum.rr-web');
    for (const key of ['rr-web.event', 'rr-web.offset', 'rr-web.chunk', 'rr-web.total-chunks'])
      assert.ok(key in row.LogAttributes, `${key} missing: ${JSON.stringify(row.LogAttributes)}`);
    assert.equal(row.LogAttributes['rr-web.total-chunks'], '1', 'small events come in one chunk');
    // The transforms did not touch the row: no severity inferred, no JSON
    // body fields merged into the attributes.
    assert.deepEqual(Object.keys(row.LogAttributes).sort(), [
      'rr-web.chunk',
      'rr-web.event',
      'rr-web.offset',
      'rr-web.total-chunks',
    ]);
    events.push(JSON.parse(row.Body));
  }
  const types = new Set(events.map((e) => e.type));
  assert.ok(types.has(2), `a full snapshot (type 2) among event types ${[...types]}`);
  assert.ok(types.has(3), `incremental events (type 3) among event types ${[...types]}`);
  // rrweb incremental sources: 5 = input (the typed text), 0 = mutation (the
  // added item), 2 = mouse interaction (the clicks).
  const incremental = events.filter((e) => e.type === 3);
  assert.ok(
    incremental.some((e) => e.data.source === 5 && e.data.text === MARK.typed),
    'the typed text as an rrweb input event',
  );
  assert.ok(
    incremental.some((e) => e.data.source === 0 && JSON.stringify(e.data.adds ?? []).includes(MARK.added)),
    'the added list item as an rrweb mutation',
  );
  assert.ok(incremental.some((e) => e.data.source === 2), 'the clicks as rrweb mouse interactions');
  const [misrouted] = await gw.query(
    `SELECT count() AS n FROM otel_logs WHERE mapContains(LogAttributes, 'rr-web.event') OR ${sessionWhere}`,
  );
  assert.equal(Number(misrouted.n), 0, 'nothing of the session in otel_logs');

  // --- otel_traces: page load, click, fetch and the console lines ------------
  await gw.waitForCount(
    `SELECT countIf(SpanName = 'console.error' AND SpanAttributes['error.message'] = '${MARK.error}') > 0 ` +
      `AND countIf(SpanAttributes['component'] = 'fetch') > 0 FROM otel_traces WHERE ${sessionWhere}`,
    1,
    ROW_TIMEOUT_MS,
  );
  const spans = await gw.query(
    `SELECT TraceId, SpanName, ServiceName, ScopeName, SpanAttributes, ResourceAttributes FROM otel_traces ` +
      `WHERE ResourceAttributes['rum.sessionId'] = ${sid}`,
  );
  for (const s of spans) assert.equal(s.ServiceName, SERVICE);
  const byName = (name) => spans.filter((s) => s.SpanName === name);
  const names = [...new Set(spans.map((s) => s.SpanName))].sort();
  assert.ok(byName('documentLoad').length === 1, `a documentLoad span among ${names}`);
  assert.ok(byName('click').length >= 2, `click spans among ${names}`);

  const consoleSpan = (name, level, message) =>
    spans.find(
      (s) =>
        s.SpanName === name && s.SpanAttributes.level === level && s.SpanAttributes.message?.startsWith(message),
    );
  const logSpan = consoleSpan('console.log', 'info', MARK.log);
  assert.ok(logSpan, `console.log span with level info among ${names}`);
  assert.equal(logSpan.SpanAttributes.component, 'console');
  // An object argument: its fields become span attributes too.
  assert.equal(logSpan.SpanAttributes.step, '1');
  assert.ok(consoleSpan('console.warn', 'warn', MARK.warn), 'console.warn span with level warn');
  const errorSpan = byName('console.error').find((s) => s.SpanAttributes['error.message'] === MARK.error);
  assert.equal(errorSpan.SpanAttributes.component, 'error');
  assert.equal(errorSpan.SpanAttributes.error, 'true');

  // The fetch: a span whose trace the page propagated to the API (same origin).
  const fetchSpan = spans.find(
    (s) => s.SpanAttributes.component === 'fetch' && (s.SpanAttributes['http.url'] ?? '').includes(MARK.fetch),
  );
  assert.ok(fetchSpan, `a fetch span for /api/data among ${names}`);
  assert.equal(fetchSpan.SpanAttributes['http.status_code'], '200');
  const apiCall = site.apiRequests.find((r) => r.query.includes(MARK.fetch));
  assert.match(apiCall.headers.traceparent ?? '', new RegExp(`^00-${fetchSpan.TraceId}-[0-9a-f]{16}-0[01]$`));

  // Nothing of the session reached otel_logs: the SDK sends no console line
  // as a log record (see the header).
  const [logsOfSession] = await gw.query(`SELECT count() AS n FROM otel_logs WHERE ${sessionWhere}`);
  assert.equal(Number(logsOfSession.n), 0);

  // One session id on every row the page produced, in both tables.
  for (const table of ['hyperdx_sessions', 'otel_traces']) {
    const ids = await gw.query(
      `SELECT DISTINCT ResourceAttributes['rum.sessionId'] AS id FROM ${table} WHERE ServiceName = '${SERVICE}'`,
    );
    assert.deepEqual(ids, [{ id: sessionId }], `${table}: session ids`);
  }

  // --- CORS ---------------------------------------------------------------
  const posts = gatewayResponses.filter((r) => r.method === 'POST');
  assert.ok(posts.some((r) => r.url.endsWith('/v1/logs')), 'the browser POSTed replay chunks');
  assert.ok(posts.some((r) => r.url.endsWith('/v1/traces')), 'the browser POSTed spans');
  for (const r of posts) {
    const headers = await r.headers;
    assert.equal(r.status, 200, `${r.url}: HTTP ${r.status}`);
    assert.equal(headers['access-control-allow-origin'], site.origin, `${r.url}: ${JSON.stringify(headers)}`);
  }
  // The SDK keeps exporting (web vitals, later batches), so a preflight may
  // still be in flight here: check the answered ones, and that both paths had one.
  const answered = [...preflights.values()].filter((p) => p.url.startsWith(site.gatewayUrl) && p.status);
  for (const path of ['/v1/logs', '/v1/traces'])
    assert.ok(
      answered.some((p) => p.url.endsWith(path)),
      `an answered preflight for ${path}; seen: ${JSON.stringify([...preflights.values()])}`,
    );
  for (const p of answered) {
    assert.equal(p.method, 'OPTIONS', JSON.stringify(p));
    assert.equal(p.status, 204, JSON.stringify(p));
    const h = Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(h['access-control-allow-origin'], site.origin, JSON.stringify(p));
    assert.match(h['access-control-allow-headers'] ?? '', /authorization/i, JSON.stringify(p));
  }
  const complaints = [
    ...consoleLines.filter((l) => l.type === 'error' && l.text !== MARK.error).map((l) => l.text),
    ...pageErrors,
    ...failedRequests,
  ];
  assert.deepEqual(
    complaints.filter((t) => /cors|access-control|blocked|failed/i.test(t)),
    [],
    `browser complaints:\n${complaints.join('\n')}`,
  );
  t.diagnostic(
    `session ${sessionId}: ${replay.length} replay rows, ${spans.length} spans (${names.join(', ')}), ` +
      `${posts.length} POSTs after ${answered.length} preflights`,
  );
});
