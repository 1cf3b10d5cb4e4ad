// Issue 13 item 5: with a ClickHouse server behind it, the SQL endpoint
// forwards with its own login (query.forward_user / forward_password, else
// the server's anonymous `default`), never with the ingest login.
// Gateway B is the "server" (its :8123 has a writer login; anonymous callers
// only read). A1 and A2 store into B with B's writer login (CLICKHOUSE_USER /
// PASSWORD); what B answers to the statements they forward shows which login
// those carried: B refuses a login it does not know with 516, and a write
// from its anonymous reader with 164, where the writer login would pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, WRITER, WRITER_CONFIG } from './lib/gateway.mjs';

const WRITER_ENV = { CLICKHOUSE_USER: WRITER.user, CLICKHOUSE_PASSWORD: WRITER.password };
const FORWARD_PASSWORD = 'fwd-secret-not-in-logs';

async function post(url, sql, login) {
  const headers = login ? { 'X-ClickHouse-User': login.user, 'X-ClickHouse-Key': login.password } : {};
  const res = await fetch(new URL(url + '/'), { method: 'POST', body: sql, headers });
  return { status: res.status, code: res.headers.get('x-clickhouse-exception-code'), body: await res.text() };
}

function logsRequest(body) {
  const t = String(BigInt(Date.now()) * 1000000n);
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'query-forward' } }] },
        scopeLogs: [{ logRecords: [{ timeUnixNano: t, body: { stringValue: body } }] }],
      },
    ],
  });
}

async function tableExists(b, name) {
  const rows = await b.query(`SELECT count() AS n FROM system.tables WHERE database = 'default' AND name = '${name}'`);
  return Number(rows[0].n) === 1;
}

test('the SQL endpoint forwards to a server with its forward login or anonymously, never the ingest login', async () => {
  const b = await startGateway({ config: WRITER_CONFIG });
  let a1;
  let a2;
  try {
    [a1, a2] = await Promise.all([
      startGateway({
        env: WRITER_ENV,
        args: ['--clickhouse-endpoint', b.queryUrl],
        config: `query:\n  forward_user: nobody\n  forward_password: ${FORWARD_PASSWORD}\n`,
      }),
      // A2's own :8123 has B's writer login as its writer, so a write reaches
      // A2's forwarding: only the login A2 forwards with decides B's answer.
      startGateway({ env: WRITER_ENV, args: ['--clickhouse-endpoint', b.queryUrl], config: WRITER_CONFIG }),
    ]);

    // Ingest is untouched: A1 stores into B with the writer login.
    const sent = await a1.postLogs(logsRequest('forward-probe'), { contentType: 'application/json' });
    assert.equal(sent.status, 200);
    await b.waitForCount("SELECT count() FROM otel_logs WHERE Body = 'forward-probe'", 1);

    // A1 forwards as nobody/<password>: B knows no such login -> 516, passed back by A1.
    const r1 = await post(a1.queryUrl, 'SELECT 1');
    assert.equal(r1.code, '516', `A1: HTTP ${r1.status} ${r1.body}`);
    assert.equal(r1.status, 403);
    assert.match(r1.body, /Code: 516/);
    assert.match(a1.stderr(), /SQL endpoint forwards to ClickHouse as user 'nobody'/);
    assert.doesNotMatch(a1.stderr(), new RegExp(FORWARD_PASSWORD));
    // B itself answers that login the same way (the 516 is B's, not A1's).
    const direct = await post(b.queryUrl, 'SELECT 1', { user: 'nobody', password: FORWARD_PASSWORD });
    assert.equal(direct.code, '516');

    // A2 forwards anonymously: reads work, and B sees no writer.
    assert.match(a2.stderr(), /SQL endpoint forwards to ClickHouse as the anonymous user 'default'/);
    const rows = await a2.query("SELECT count() AS n FROM otel_logs WHERE Body = 'forward-probe'");
    assert.equal(Number(rows[0].n), 1);
    const ddl = 'CREATE TABLE forward_probe (x UInt8) ENGINE = Memory';
    const w = await post(a2.queryUrl, ddl, WRITER);
    assert.equal(w.code, '164', `A2 write: HTTP ${w.status} ${w.body}`);
    assert.match(w.body, /READONLY/);
    assert.equal(await tableExists(b, 'forward_probe'), false, 'B created nothing for the forwarded write');
    // The same statement with the ingest (writer) login passes B: had A2
    // forwarded with it, the table would exist.
    const control = await post(b.queryUrl, ddl, WRITER);
    assert.equal(control.status, 200, control.body);
    assert.equal(await tableExists(b, 'forward_probe'), true);
  } finally {
    for (const g of [a1, a2]) {
      if (g) {
        await g.stop();
        await g.cleanup();
      }
    }
    await b.stop();
    await b.cleanup();
  }
});
