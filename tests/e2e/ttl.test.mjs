// TTLs (issue 14): rows older than their table's TTL at arrival are counted
// and logged (the engine drops them); HYPERDX_OTEL_EXPORTER_RECONCILE_TABLE_TTL
// brings an existing table's TTL in line at start, by #2709's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from './lib/gateway.mjs';

const attrs = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value }));

function logsAt(service, nsList) {
  return {
    resourceLogs: [{
      resource: { attributes: attrs({ 'service.name': { stringValue: service } }) },
      scopeLogs: [{ logRecords: nsList.map((ns, i) => ({ timeUnixNano: String(ns), body: { stringValue: `r${i}` } })) }],
    }],
  };
}

async function metricValue(gw, name, table) {
  const text = await (await fetch(gw.metricsUrl + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{table="${table}"}`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

test('rows older than the TTL at arrival are counted and logged, newer ones stored', async () => {
  const gw = await startGateway({ args: ['--ttl', '1h'] });
  try {
    const now = BigInt(Date.now()) * 1000000n;
    const twoHoursAgo = now - 2n * 3600n * 1000000000n;
    const res = await fetch(gw.httpUrl + '/v1/logs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(logsAt('ttl-e2e', [now, twoHoursAgo, twoHoursAgo])),
    });
    assert.equal(res.status, 200);
    await gw.waitForCount("SELECT count() FROM otel_logs WHERE ServiceName = 'ttl-e2e'", 1);
    assert.equal(await metricValue(gw, 'otelhouse_pipeline_expired_on_arrival_rows_total', 'otel_logs'), 2);
    assert.equal(await metricValue(gw, 'otelhouse_pipeline_expired_on_arrival_rows_total', 'otel_traces'), 0);
    assert.match(gw.stderr(), /2 rows older than their table's TTL arrived/);
  } finally {
    await gw.stop();
    await gw.cleanup();
  }
});

async function logsTtl(gw) {
  const [row] = await gw.query("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'otel_logs'");
  return /TTL (.*?) SETTINGS/.exec(row.engine_full)[1];
}

test('HYPERDX_OTEL_EXPORTER_RECONCILE_TABLE_TTL changes an existing table\'s TTL; without it the table keeps its own', async () => {
  let gw = await startGateway();
  const dir = gw.dataDir;
  try {
    assert.equal(await logsTtl(gw), 'toDateTime(Timestamp) + toIntervalDay(30)');
    await gw.stop();
    gw = await startGateway({ dataDir: dir, env: { HYPERDX_OTEL_EXPORTER_LOGS_TTL: '48h' } });
    assert.equal(await logsTtl(gw), 'toDateTime(Timestamp) + toIntervalDay(30)', 'no reconcile without the switch');
    await gw.stop();
    gw = await startGateway({
      dataDir: dir,
      env: { HYPERDX_OTEL_EXPORTER_LOGS_TTL: '48h', HYPERDX_OTEL_EXPORTER_RECONCILE_TABLE_TTL: 'true' },
    });
    assert.equal(await logsTtl(gw), 'toDateTime(Timestamp) + toIntervalDay(2)');
    assert.match(gw.stderr(), /TTL of default\.otel_logs: toIntervalDay\(30\) -> toIntervalDay\(2\) \(rows past it go as parts are merged/);
    await gw.stop();
    gw = await startGateway({
      dataDir: dir,
      env: { HYPERDX_OTEL_EXPORTER_LOGS_TTL: '2160h', HYPERDX_OTEL_EXPORTER_RECONCILE_TABLE_TTL: 'true' },
    });
    assert.equal(await logsTtl(gw), 'toDateTime(Timestamp) + toIntervalDay(90)');
  } finally {
    await gw.stop();
    await gw.cleanup();
  }
});
