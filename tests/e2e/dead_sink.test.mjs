// A dead store under load (issue 12): gateway A writes through its HTTP
// server sink into gateway B; B is frozen with SIGSTOP while clients keep
// sending. A keeps acking into its WAL until the WAL's budget, then answers
// 429 with Retry-After; A's memory stays bounded meanwhile (the backlog is on
// disk, not in RAM). After SIGCONT every acked record arrives in B exactly
// once, without restarting anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { startGateway, WRITER, WRITER_CONFIG } from './lib/gateway.mjs';

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

function logsRequest(ids) {
  const t = String(BigInt(Date.now()) * 1000000n);
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'dead-sink' } }] },
        scopeLogs: [
          {
            logRecords: ids.map((id) => ({
              timeUnixNano: t,
              body: { stringValue: `record ${id} ` + 'z'.repeat(400) },
              attributes: [{ key: 'id', value: { stringValue: id } }],
            })),
          },
        ],
      },
    ],
  });
}

test('the store frozen (SIGSTOP) under load: WAL fills to its budget, then 429; RSS bounded; after SIGCONT every acked record arrives once', { timeout: 110_000 }, async () => {
  // B takes A's inserts through its writer login (its :8123 is read-only otherwise).
  const b = await startGateway({ config: WRITER_CONFIG, args: ['--no-rollups'] });
  const a = await startGateway({
    env: { CLICKHOUSE_USER: WRITER.user, CLICKHOUSE_PASSWORD: WRITER.password },
    args: [
      '--clickhouse-endpoint', b.queryUrl,
      '--clickhouse-timeout', '2s',
      '--retry-initial', '200ms', '--retry-max', '1s',
      '--wal-max-bytes', String(24 << 20),
      '--batch-size', '2000',
    ],
  });
  const acked = new Set();
  const statuses = new Map();
  const state = { stop: false };
  let rssPeak = 0;
  let rssBefore = 0;
  const clients = Promise.all(
    Array.from({ length: 4 }, async (_, c) => {
      for (let seq = 0; !state.stop; ++seq) {
        const ids = Array.from({ length: 50 }, (_, i) => `d-${c}-${seq}-${i}`);
        let status = 0;
        let retryAfter = null;
        try {
          const res = await fetch(a.httpUrl + '/v1/logs', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: logsRequest(ids),
          });
          await res.arrayBuffer();
          status = res.status;
          retryAfter = res.headers.get('retry-after');
        } catch {
          status = 0;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) for (const id of ids) acked.add(id);
        else {
          if (status === 429) assert.ok(Number(retryAfter) >= 1, '429 without Retry-After');
          await delay(50);
        }
      }
    }),
  );
  let frozen = false;
  try {
    await delay(1500);
    rssBefore = rssMiB(a.child.pid);
    process.kill(b.child.pid, 'SIGSTOP');
    frozen = true;
    // Frozen until the WAL's budget refuses for a while (bounded).
    const deadline = Date.now() + 40_000;
    let fullSince = 0;
    while (Date.now() < deadline) {
      await delay(250);
      rssPeak = Math.max(rssPeak, rssMiB(a.child.pid));
      if (!fullSince && (statuses.get(429) ?? 0) > 0) fullSince = Date.now();
      if (fullSince && Date.now() - fullSince > 4000) break;
    }
    assert.ok(fullSince, `the WAL never reached its budget: ${JSON.stringify([...statuses])}\n${a.stderrTail()}`);
    const walBytes = await a.metric('otelhouse_wal_size_bytes');
    assert.ok(walBytes > 16 << 20, `the WAL held only ${walBytes} bytes at the refusals`);
    // The backlog is on disk: A (no embedded engine) stays small.
    assert.ok(rssPeak < rssBefore + 150, `RSS grew from ${rssBefore.toFixed(0)} to ${rssPeak.toFixed(0)} MiB`);
    process.kill(b.child.pid, 'SIGCONT');
    frozen = false;
    await delay(1000);
    state.stop = true;
    await clients;
    const other = [...statuses.keys()].filter((s) => s !== 200 && s !== 429 && s !== 503);
    assert.equal(other.length, 0, `unexpected statuses: ${JSON.stringify([...statuses])}`);
    await b.waitForCount("SELECT count() FROM otel_logs WHERE ServiceName = 'dead-sink'", acked.size, 60_000).catch((e) => {
      throw new Error(`${e.message}\n--- gateway A ---\n${a.stderrTail()}`);
    });
    await delay(1500); // a duplicate would land now
    const rows = await b.query(
      "SELECT LogAttributes['id'] AS id, count() AS n FROM otel_logs WHERE ServiceName = 'dead-sink' GROUP BY id",
    );
    const counts = new Map(rows.map((r) => [r.id, Number(r.n)]));
    const missing = [...acked].filter((id) => !counts.has(id));
    assert.equal(missing.length, 0, `acked but not stored: ${missing.slice(0, 5)} (+${missing.length})`);
    const dup = [...counts].filter(([, n]) => n > 1);
    assert.equal(dup.length, 0, `stored twice: ${JSON.stringify(dup.slice(0, 5))}`);
    assert.ok((await a.metric('otelhouse_exporter_retries_total')) > 0, 'A never retried while B was frozen');
    console.log(
      `dead sink: ${acked.size} acked and stored once; statuses ${JSON.stringify([...statuses])}; ` +
        `RSS ${rssBefore.toFixed(0)} -> peak ${rssPeak.toFixed(0)} MiB; WAL ${(walBytes / 1048576).toFixed(1)} MiB at the 429s`,
    );
    await a.stop();
  } finally {
    state.stop = true;
    if (frozen) process.kill(b.child.pid, 'SIGCONT');
    await clients;
    await a.cleanup();
    await b.cleanup();
  }
});
