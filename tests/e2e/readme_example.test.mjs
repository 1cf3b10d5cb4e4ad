// The README's first example, pasted: its shell block runs as written against
// a real gateway (only the ports and the binary's path are the test's), and
// the row it sends must come back, so the example's timestamp cannot fall
// behind the TTL again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTELHOUSE_BIN, startGateway } from './lib/gateway.mjs';

const SOURCE_DIR = process.env.OTELHOUSE_SOURCE_DIR || join(import.meta.dirname, '..', '..');

function firstExample() {
  const readme = readFileSync(join(SOURCE_DIR, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Send your first log'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README has a sh block under "Send your first log"');
  return m[1];
}

test('the README first example stores its log and the queries show it', async () => {
  const gw = await startGateway();
  try {
    const script = firstExample()
      .replaceAll('http://localhost:4318', gw.httpUrl)
      .replaceAll('http://localhost:8123', gw.queryUrl)
      .replaceAll('build/otelhouse query', `${OTELHOUSE_BIN} query --query-url ${gw.queryUrl}`);
    const r = spawnSync('sh', ['-e', '-c', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `the example failed:\n${r.stderr}`);
    assert.match(r.stdout, /checkout\terror\tpayment\.declined\tpayment declined\t\{'order\.id':'42'\}/i);
    assert.match(r.stdout, /^1$/m, 'the count query shows the one row');
    const [row] = await gw.query(
      'SELECT toUnixTimestamp(Timestamp) AS t, EventName FROM otel_logs FORMAT JSONEachRow',
    );
    assert.equal(row.EventName, 'payment.declined');
    assert.ok(Math.abs(Number(row.t) - Date.now() / 1000) < 120, 'the example logs "now"');
  } finally {
    await gw.stop();
    await gw.cleanup();
  }
});
