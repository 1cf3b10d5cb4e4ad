// HyperDX-shaped queries on the current tables (issue 14): the shapes of the
// default sources' logs search (a Body token search, an EventName filter and
// the direct_read rewrite of a map filter to has(LogAttributeItems, 'k=v')),
// value facets from otel_logs_kv_rollup_15m, the trace waterfall, a metrics
// chart and a session's replay rows, written here after HyperDX's query
// forms (not rendered by packages/common-utils itself), asserting rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from './lib/gateway.mjs';

const attrs = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value }));
const TRACE = '5b8efff798038103d269b633813fc60c';

async function post(gw, path, body) {
  const res = await fetch(gw.httpUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  assert.equal(res.status, 200, path);
}

test('HyperDX default-source query shapes return the rows sent', async () => {
  const gw = await startGateway();
  try {
    const t = BigInt(Date.now()) * 1000000n;
    const ts = (d) => String(t + BigInt(d));
    const resource = { attributes: attrs({ 'service.name': { stringValue: 'hdx-q' }, 'k8s.namespace.name': { stringValue: 'shop' } }) };
    await post(gw, '/v1/logs', {
      resourceLogs: [{
        resource,
        scopeLogs: [{
          logRecords: [
            { timeUnixNano: ts(1), severityText: 'error', severityNumber: 17, eventName: 'payment.failed', traceId: TRACE, spanId: 'eee19b7ec3c1b174', body: { stringValue: 'Payment DECLINED for order 42' }, attributes: attrs({ 'order.id': { stringValue: '42' } }) },
            { timeUnixNano: ts(2), severityText: 'info', severityNumber: 9, body: { stringValue: 'order shipped' }, attributes: attrs({ 'order.id': { stringValue: '43' } }) },
            { timeUnixNano: ts(3), body: { stringValue: '{"type":3}' }, attributes: attrs({ 'rr-web.event': { stringValue: 'true' }, 'rum.sessionId': { stringValue: 'sess-1' } }) },
          ],
        }],
      }],
    });
    await post(gw, '/v1/traces', {
      resourceSpans: [{
        resource,
        scopeSpans: [{
          spans: [
            { traceId: TRACE, spanId: 'eee19b7ec3c1b173', name: 'POST /pay', kind: 2, startTimeUnixNano: ts(0), endTimeUnixNano: ts(5000000) },
            { traceId: TRACE, spanId: 'eee19b7ec3c1b174', parentSpanId: 'eee19b7ec3c1b173', name: 'charge', kind: 3, startTimeUnixNano: ts(1000), endTimeUnixNano: ts(2000000), status: { code: 2 } },
          ],
        }],
      }],
    });
    await post(gw, '/v1/metrics', {
      resourceMetrics: [{
        resource,
        scopeMetrics: [{ metrics: [{ name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: ts(0), asDouble: 3 }, { timeUnixNano: ts(1000), asDouble: 5 }] } }] }],
      }],
    });
    await gw.waitForCount("SELECT count() FROM otel_logs WHERE ServiceName = 'hdx-q'", 2);
    await gw.waitForCount("SELECT count() FROM otel_traces WHERE ServiceName = 'hdx-q'", 2);
    await gw.waitForCount("SELECT count() FROM otel_metrics_gauge WHERE ServiceName = 'hdx-q'", 2);
    await gw.waitForCount("SELECT count() FROM hyperdx_sessions WHERE ServiceName = 'hdx-q'", 1);
    const from = `fromUnixTimestamp64Milli(${Date.now() - 3600_000})`;
    const to = `fromUnixTimestamp64Milli(${Date.now() + 3600_000})`;
    const range = `(Timestamp >= ${from} AND Timestamp <= ${to})`;

    // Logs search: a Body token (the lower(Body) text index), a map filter in its
    // direct_read form, and EventName.
    const search = await gw.query(
      `SELECT Timestamp, ServiceName, SeverityText, Body, EventName FROM default.otel_logs WHERE ${range} ` +
        `AND hasToken(lower(Body), 'declined') AND has(LogAttributeItems, concat('order.id', '=', '42')) ` +
        `AND EventName = 'payment.failed' ORDER BY toStartOfFiveMinutes(Timestamp) DESC, Timestamp DESC LIMIT 200`,
    );
    assert.deepEqual(search.map((r) => [r.ServiceName, r.Body, r.EventName]), [['hdx-q', 'Payment DECLINED for order 42', 'payment.failed']]);
    const [byAttr] = await gw.query(`SELECT count() AS n FROM default.otel_logs WHERE ${range} AND LogAttributes['order.id'] = '43'`);
    assert.equal(Number(byAttr.n), 1);

    // Facets: value suggestions from the rollup (native columns since #2643).
    const facets = await gw.query(
      "SELECT Key, Value, sum(count) AS count FROM default.otel_logs_kv_rollup_15m WHERE ColumnIdentifier = 'NativeColumn' " +
        "AND Key IN ('ServiceName', 'SeverityText', '__hdx_materialized_k8s.namespace.name') AND Timestamp >= toStartOfFifteenMinutes(now() - 3600) " +
        'GROUP BY Key, Value ORDER BY Key, Value',
    );
    const got = Object.fromEntries(facets.map((f) => [`${f.Key}=${f.Value}`, Number(f.count)]));
    assert.equal(got['ServiceName=hdx-q'], 2);
    assert.equal(got['SeverityText=error'], 1);
    assert.equal(got['__hdx_materialized_k8s.namespace.name=shop'], 2);

    // Trace waterfall: the trace's spans, and its logs.
    const spans = await gw.query(
      `SELECT SpanId, ParentSpanId, SpanName, Duration, StatusCode FROM default.otel_traces WHERE ${range} AND TraceId = '${TRACE}' ORDER BY Timestamp`,
    );
    assert.deepEqual(spans.map((s) => [s.SpanName, s.ParentSpanId, s.StatusCode]), [['POST /pay', '', 'Unset'], ['charge', 'eee19b7ec3c1b173', 'Error']]);
    const [traceLogs] = await gw.query(`SELECT count() AS n FROM default.otel_logs WHERE ${range} AND TraceId = '${TRACE}'`);
    assert.equal(Number(traceLogs.n), 1);

    // Metrics chart: avg per minute.
    const chart = await gw.query(
      `SELECT toStartOfInterval(TimeUnix, INTERVAL 1 minute) AS ts, avg(Value) AS v FROM default.otel_metrics_gauge WHERE MetricName = 'queue.depth' ` +
        `AND TimeUnix >= toDateTime(${from}) GROUP BY ts ORDER BY ts`,
    );
    assert.equal(chart.reduce((a, r) => a + Number(r.v), 0) / chart.length >= 3, true);
    assert.ok(chart.length >= 1 && chart.length <= 2);

    // Sessions: the replay rows of one session.
    const replay = await gw.query(
      `SELECT Body FROM default.hyperdx_sessions WHERE ${range} AND LogAttributes['rum.sessionId'] = 'sess-1' ORDER BY Timestamp`,
    );
    assert.deepEqual(replay.map((r) => r.Body), ['{"type":3}']);
  } finally {
    await gw.stop();
    await gw.cleanup();
  }
});
