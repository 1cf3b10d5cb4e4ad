// gateway: runs the real otelhouse binary for a test, on ephemeral ports and a
// fresh data directory, and talks to its query endpoint.
//
// Contract: startGateway() resolves once the binary printed its ready line
// ("otelhouse ready otlp_http=HOST:PORT query=HOST:PORT") on stderr, or
// rejects with the collected stderr when it exits or stays silent for 60 s.
// stop() sends SIGTERM and asserts a clean exit (code 0, no signal); a process
// still running when this Node process exits (a failed or aborted test) is
// killed with SIGKILL so no gateway outlives the suite. stderr is kept in
// memory for error messages. The data directory survives stop() (tests read
// it with the CLI afterwards) and is removed by cleanup().
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const OTELHOUSE_BIN = process.env.OTELHOUSE_BIN || '/work/main/build/otelhouse';

const READY_RE = /otelhouse ready otlp_http=(\S+)(?: otlp_grpc=(\S+))? query=(\S+)(?: health=(\S+))?(?: metrics=(\S+))?/;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const STDERR_KEEP = 64 * 1024;

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function binaryExists() {
  return existsSync(OTELHOUSE_BIN);
}

// The gateway's environment: ours minus OTEL_* variables, so that resource
// detection (the "env" detector) cannot add attributes the tests do not expect.
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OTEL_')) env[k] = v;
  }
  return { ...env, ...extra };
}

export class Gateway {
  constructor(child, dataDir) {
    this.child = child;
    this.dataDir = dataDir;
    this.httpUrl = '';
    this.queryUrl = '';
    this.exitCode = undefined;
    this.exitSignal = undefined;
    this._stderr = '';
    this._exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.exitCode = code;
        this.exitSignal = signal;
        resolve({ code, signal });
      });
    });
  }

  get running() {
    return this.exitCode === undefined;
  }

  stderr() {
    return this._stderr;
  }

  // The last lines of stderr, for assertion messages.
  stderrTail(chars = 4000) {
    return this._stderr.length > chars ? '...' + this._stderr.slice(-chars) : this._stderr;
  }

  _appendStderr(text) {
    this._stderr += text;
    if (this._stderr.length > STDERR_KEEP) this._stderr = this._stderr.slice(-STDERR_KEEP);
  }

  // SIGTERM, then wait for the exit; asserts code 0. The gateway must flush
  // pending rows before it exits, so tests may read the data dir afterwards.
  async stop() {
    if (!this.running) {
      return this._checkExit();
    }
    this.child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
    });
    const outcome = await Promise.race([this._exited, timeout]);
    clearTimeout(timer); // a pending timer would keep this test file's process alive
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      await this._exited;
      throw new Error(
        `otelhouse did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n` +
          `--- stderr ---\n${this.stderrTail()}`,
      );
    }
    return this._checkExit();
  }

  _checkExit() {
    if (this.exitCode !== 0 || this.exitSignal !== null) {
      throw new Error(
        `otelhouse exited with code=${this.exitCode} signal=${this.exitSignal}, expected code 0\n` +
          `--- stderr ---\n${this.stderrTail()}`,
      );
    }
  }

  async kill() {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this._exited;
    }
  }

  async cleanup() {
    await this.kill();
    await rm(this.dataDir, { recursive: true, force: true });
    await rm(`${this.dataDir}.yaml`, { force: true });
  }

  // Runs `sql` on the query endpoint and returns the rows of JSONEachRow.
  async query(sql, { params = {} } = {}) {
    const text = await this.queryText(/\bFORMAT\s+\w+\s*;?\s*$/i.test(sql) ? sql : `${sql} FORMAT JSONEachRow`, {
      params,
    });
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line));
  }

  // POSTs `sql` to the query endpoint; returns the body, throws on non-200.
  // `login` ({user, password}) is sent as X-ClickHouse-User / -Key.
  async queryText(sql, { params = {}, login } = {}) {
    const url = new URL(this.queryUrl + '/');
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers = login ? { 'X-ClickHouse-User': login.user, 'X-ClickHouse-Key': login.password } : {};
    const res = await fetch(url, { method: 'POST', body: sql, headers });
    const body = await res.text();
    if (res.status !== 200) {
      throw new Error(`query failed: HTTP ${res.status}\nSQL: ${sql}\n--- body ---\n${body}`);
    }
    return body;
  }

  // Polls `sql` (which must return one row with one numeric column) until it
  // reports at least `n`; returns the final count. Throws on timeout with the
  // last value seen and the gateway's stderr.
  async waitForCount(sql, n, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    let lastError;
    for (;;) {
      try {
        const rows = await this.query(sql);
        last = rows.length === 1 ? Number(Object.values(rows[0])[0]) : NaN;
        if (last >= n) return last;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() > deadline) break;
      await delay(100);
    }
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${n} rows; last count=${last}\nSQL: ${sql}\n` +
        (lastError ? `last error: ${lastError.message}\n` : '') +
        `--- stderr ---\n${this.stderrTail()}`,
    );
  }

  // Waits until `sql` (a SELECT of rows) returns at least n rows, then returns
  // them. The rows of one request arrive together, so tests wait for the count
  // they sent and then compare the whole result.
  async waitForRows(sql, n, timeoutMs = 15_000) {
    await this.waitForCount(`SELECT count() FROM (${stripFormat(sql)})`, n, timeoutMs);
    return this.query(sql);
  }

  // The sum of the samples of metric `name` on the metrics endpoint whose
  // labels include every `labels` pair (0 when none).
  async metric(name, labels = {}) {
    const text = await (await fetch(this.metricsUrl + '/metrics')).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = m[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
    return sum;
  }

  // Polls metric(name, labels) until it is at least n; returns it.
  async waitForMetric(name, n, { labels = {}, timeoutMs = 30_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last = 0;
    while (Date.now() < deadline) {
      last = await this.metric(name, labels).catch(() => last);
      if (last >= n) return last;
      await delay(100);
    }
    throw new Error(`timed out waiting for ${name} >= ${n} (last ${last})\n--- stderr ---\n${this.stderrTail()}`);
  }

  // POSTs an OTLP/HTTP logs request; returns {status, headers, body(Buffer)}.
  async postLogs(body, { contentType = 'application/x-protobuf', headers = {}, path = '/v1/logs' } = {}) {
    const res = await fetch(this.httpUrl + path, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  }
}

function stripFormat(sql) {
  return sql.replace(/\bFORMAT\s+\w+\s*;?\s*$/i, '').replace(/;\s*$/, '');
}

// Starts `otelhouse run` and waits for its ready line. `args` are appended to
// the defaults (ephemeral ports, fresh data dir, 200 ms batch timeout).
// `config` is YAML text, written beside the data dir and passed as --config.
export async function startGateway({ args = [], env = {}, dataDir, config } = {}) {
  if (!binaryExists()) {
    throw new Error(`otelhouse binary not found at ${OTELHOUSE_BIN} (set OTELHOUSE_BIN)`);
  }
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'otelhouse-e2e-')));
  if (config !== undefined) {
    const path = `${dir}.yaml`;
    await writeFile(path, config);
    args = ['--config', path, ...args];
  }
  const fullArgs = [
    'run',
    '--data-dir',
    dir,
    '--http-listen',
    '127.0.0.1:0',
    '--query-listen',
    '127.0.0.1:0',
    '--grpc-listen',
    '127.0.0.1:0',
    '--health-listen',
    '127.0.0.1:0',
    '--metrics-listen',
    '127.0.0.1:0',
    '--batch-timeout',
    '200ms',
    ...(process.env.OTELHOUSE_E2E_LOG_LEVEL ? ['--log-level', process.env.OTELHOUSE_E2E_LOG_LEVEL] : []),
    ...args,
  ];
  const child = spawn(OTELHOUSE_BIN, fullArgs, {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const gw = new Gateway(child, dir);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text) => gw._appendStderr(text));
  child.stderr.setEncoding('utf8');

  await new Promise((resolve, reject) => {
    let buffered = '';
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(
        new Error(
          `otelhouse printed no ready line within ${START_TIMEOUT_MS} ms\n` +
            `args: ${fullArgs.join(' ')}\n--- stderr ---\n${gw.stderrTail()}`,
        ),
      );
    }, START_TIMEOUT_MS);
    child.on('error', (err) => finish(new Error(`cannot start ${OTELHOUSE_BIN}: ${err.message}`)));
    child.stderr.on('data', (text) => {
      gw._appendStderr(text);
      if (done) return;
      buffered += text;
      const m = READY_RE.exec(buffered);
      if (m) {
        gw.httpUrl = `http://${m[1]}`;
        gw.grpcAddress = m[2] ?? '';
        gw.queryUrl = `http://${m[3]}`;
        gw.healthUrl = m[4] ? `http://${m[4]}` : '';
        gw.metricsUrl = m[5] ? `http://${m[5]}` : '';
        finish();
      }
    });
    gw._exited.then(({ code, signal }) =>
      finish(
        new Error(
          `otelhouse exited before it was ready (code=${code} signal=${signal})\n` +
            `args: ${fullArgs.join(' ')}\n--- stderr ---\n${gw.stderrTail()}`,
        ),
      ),
    );
  });
  return gw;
}

// Runs the binary with `args` to completion; returns {code, signal, stdout, stderr}.
export function runCli(args, { timeoutMs = 120_000 } = {}) {
  const r = spawnSync(OTELHOUSE_BIN, args, {
    env: childEnv({}),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`cannot run ${OTELHOUSE_BIN} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

// The writer login the e2e gateways that take DDL or INSERTs on :8123 use.
export const WRITER = { user: 'e2e-writer', password: 'e2e-writer-secret' };
export const WRITER_CONFIG = `query:\n  writer_user: ${WRITER.user}\n  writer_password: ${WRITER.password}\n`;

// Quotes a string as a ClickHouse SQL literal.
export function sqlString(s) {
  return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
