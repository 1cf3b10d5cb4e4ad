// traces: a fixed set of spans emitted through the real OpenTelemetry JS
// tracing SDK (BasicTracerProvider) and an OTLP exporter, and the oracle for
// the otel_traces rows ClickStack's collector (clickhouse exporter) writes
// for them (see docs/COLUMNS.md).
//
// Contract: emitTraceScenario() starts and ends the same spans, with the same
// ids (a deterministic IdGenerator), names, times and attributes on every
// call; only the resource attribute e2e.run.id differs, so the rows of two
// transports must be equal but for that attribute. It returns the
// ReadableSpans the SDK handed to the exporter (what went on the wire), from
// which expectedSpanRow() computes the rows, and fails unless every export
// succeeded.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import { asString, attributesColumn, hrTimeToNanos, typedEntries } from './otel_model.mjs';

const EXPORT_SUCCESS = 0;

export const SPECIAL = 'quote" backslash\\ nl\n tab\t <&> é ✓ 😀 \u0001 \u007f';

// Ids from a counter, so every run of the scenario has the same ones.
export class CountingIdGenerator {
  constructor() {
    this.traces = 0;
    this.spans = 0;
  }
  generateTraceId() {
    this.traces += 1;
    return '5e2e' + this.traces.toString(16).padStart(28, '0');
  }
  generateSpanId() {
    this.spans += 1;
    return 'a0b0c0d0' + this.spans.toString(16).padStart(8, '0');
  }
}

// Exporter wrapper that keeps every exported span and every result.
export class RecordingSpanExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
    this.spans = [];
  }
  export(spans, done) {
    this.inner.export(spans, (result) => {
      this.results.push({ items: spans.length, ...result });
      if (result.code === EXPORT_SUCCESS) this.spans.push(...spans);
      done(result);
    });
  }
  forceFlush() {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
  shutdown() {
    return this.inner.shutdown();
  }
  assertAllExported(expected) {
    const failed = this.results.filter((r) => r.code !== EXPORT_SUCCESS);
    if (failed.length > 0) {
      throw new Error(
        `OTLP export failed:\n${failed.map((r) => `${r.items} items: ${r.error?.message ?? r.error}`).join('\n')}`,
      );
    }
    const sent = this.results.reduce((n, r) => n + r.items, 0);
    if (sent !== expected) throw new Error(`exported ${sent} items, expected ${expected}`);
  }
}

export const REMOTE_PARENT = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
};
export const LINK_A = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceState: 'vendor=abc,other=x-y_z',
};
export const LINK_B = { traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000001' };

export const SPAN_COUNT = 7;

// Every attribute value the tracing API accepts: primitives and homogeneous
// arrays (which may hold null / undefined). No double of 2^53 or more: the
// SDK sends every integral number as intValue.
export const SPAN_ATTRIBUTES = {
  'str': 'plain',
  'str.special': SPECIAL,
  'str.empty': '',
  'int': 42,
  'int.neg': -7,
  'int.zero': 0,
  'int.maxsafe': 9007199254740991,
  'int.minsafe': -9007199254740991,
  'double': 1.5,
  'double.small': 1e-7,
  'double.edge': 0.000001,
  'double.tiny': 5e-324,
  'double.exp': 1.25e-10,
  'double.neg': -0.25,
  'double.pi': 3.141592653589793,
  'bool.true': true,
  'bool.false': false,
  'array.str': ['a', SPECIAL, ''],
  'array.int': [1, -2, 3],
  'array.double': [1.5, 2, -0.125],
  'array.bool': [true, false],
  'array.nulls': ['x', null, undefined, 'y'],
  'array.empty': [],
};

const hr = (baseSec, sec, nanos) => [baseSec + sec, nanos];

// Emits the scenario's spans with one provider; `processor` 'batch' sends
// them in one request, 'simple' one request per span. Returns the exported
// ReadableSpans in end order.
export async function emitTraceScenario(exporter, { runId, baseSec, service = 'e2e-traces-sdk', processor = 'batch' }) {
  const recorder = new RecordingSpanExporter(exporter);
  const resource = resourceFromAttributes(
    {
      'service.name': service,
      'host.name': 'e2e-host',
      'os.type': 'linux',
      'e2e.run.id': runId,
      'res.int': 7,
      'res.double': 0.5,
      'res.bool': true,
      'res.bytes': new Uint8Array([104, 105]),
      'res.array': ['x', 2, 1.25, true, null],
      'res.map': { b: [1, { c: 'd' }], a: 'z<&>', e: {} },
      'res.special': SPECIAL,
    },
    { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
  );
  const proc =
    processor === 'batch'
      ? new BatchSpanProcessor(recorder, {
          maxExportBatchSize: 10_000,
          maxQueueSize: 10_000,
          scheduledDelayMillis: 600_000,
        })
      : new SimpleSpanProcessor(recorder);
  const provider = new BasicTracerProvider({
    resource,
    idGenerator: new CountingIdGenerator(),
    spanProcessors: [proc],
  });
  const tracerA = provider.getTracer('e2e.tracer.a', '2.0.1', { schemaUrl: 'https://example.com/scope/1' });
  const tracerB = provider.getTracer('e2e.tracer.b');

  // 1. A server span with every attribute type, two events, status Ok.
  const root = tracerA.startSpan(
    'GET /checkout',
    { kind: SpanKind.SERVER, attributes: SPAN_ATTRIBUTES, startTime: hr(baseSec, 0, 100_000_001) },
    ROOT_CONTEXT,
  );
  root.addEvent(
    'request.received',
    { 'ev.int': 3, 'ev.str': 'v<&>', 'ev.bool': false, 'ev.double': 0.5, 'ev.array': ['p', 'q'] },
    hr(baseSec, 0, 100_500_000),
  );
  root.addEvent('no.attributes', undefined, hr(baseSec, 1, 0));
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);

  // 2. A client child with an error status and an exception event.
  const child = tracerA.startSpan(
    'SELECT orders',
    {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM "orders" WHERE id = $1' },
      startTime: hr(baseSec, 0, 200_000_000),
    },
    rootCtx,
  );
  child.recordException({ name: 'DeadlockError', message: 'deadlock detected\nretry' }, hr(baseSec, 0, 250_000_000));
  child.setStatus({ code: SpanStatusCode.ERROR, message: `lock wait "timeout" ${SPECIAL}` });
  const childCtx = trace.setSpan(rootCtx, child);

  // 3. An internal grandchild with links (one added after the start).
  const grandchild = tracerA.startSpan(
    'cache.lookup',
    {
      kind: SpanKind.INTERNAL,
      startTime: hr(baseSec, 0, 210_000_000),
      links: [
        {
          context: { ...LINK_A, traceState: createTraceState(LINK_A.traceState), traceFlags: 1, isRemote: true },
          attributes: { 'link.str': 'first', 'link.int': 1, 'link.array': [true] },
        },
      ],
    },
    childCtx,
  );
  grandchild.addLink({ context: { ...LINK_B, traceFlags: 0 } });
  grandchild.setAttribute('cache.hit', false);
  grandchild.end(hr(baseSec, 0, 210_000_999));
  child.end(hr(baseSec, 0, 300_000_000));
  root.setStatus({ code: SpanStatusCode.OK, message: 'ignored for Ok' });
  root.end(hr(baseSec, 2, 5));

  // 4. A producer under a remote parent that carries a trace state.
  const remoteCtx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: REMOTE_PARENT.traceId,
    spanId: REMOTE_PARENT.spanId,
    traceFlags: 1,
    isRemote: true,
    traceState: createTraceState(REMOTE_PARENT.traceState),
  });
  const producer = tracerB.startSpan(
    'orders publish',
    { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka' }, startTime: hr(baseSec, 3, 0) },
    remoteCtx,
  );
  producer.end(hr(baseSec, 3, 999_999_999));

  // 5. A consumer root span of zero duration, nothing else set.
  const consumer = tracerB.startSpan(
    'orders process',
    { kind: SpanKind.CONSUMER, startTime: hr(baseSec, 4, 123) },
    ROOT_CONTEXT,
  );
  consumer.end(hr(baseSec, 4, 123));

  // 6. A long span (hours) with an error status without message.
  const long = tracerB.startSpan('batch job', { startTime: hr(baseSec, 5, 1) }, ROOT_CONTEXT);
  long.setStatus({ code: SpanStatusCode.ERROR });
  long.end(hr(baseSec, 5 + 3 * 3600, 7));

  // 7. A span whose name and attributes are non-ASCII, with many events.
  const many = tracerB.startSpan(
    'näme ✓ 😀',
    { startTime: hr(baseSec, 6, 0), attributes: { 'ключ': 'значение' } },
    ROOT_CONTEXT,
  );
  for (let i = 0; i < 5; i++) many.addEvent(`tick ${i}`, { i }, hr(baseSec, 6, 1000 * (i + 1)));
  many.end(hr(baseSec, 7, 0));

  await provider.forceFlush();
  await provider.shutdown();
  recorder.assertAllExported(SPAN_COUNT);
  return recorder.spans;
}

const KIND_TEXT = ['Internal', 'Server', 'Client', 'Producer', 'Consumer']; // API kind -> OTLP kind - 1
const STATUS_TEXT = ['Unset', 'Ok', 'Error'];

// The otel_traces row the collector's clickhouse exporter writes for `span`
// (a ReadableSpan), in the shape of traceRowSelect().
export function expectedSpanRow(span) {
  const ctx = span.spanContext();
  const resAttrs = typedEntries(span.resource.attributes);
  const service = resAttrs.find(([k]) => k === 'service.name');
  const start = hrTimeToNanos(span.startTime);
  const end = hrTimeToNanos(span.endTime);
  return {
    Timestamp: start.toString(),
    TraceId: ctx.traceId,
    SpanId: ctx.spanId,
    ParentSpanId: span.parentSpanContext?.spanId ?? '',
    TraceState: ctx.traceState?.serialize() ?? '',
    SpanName: span.name,
    SpanKind: KIND_TEXT[span.kind],
    ServiceName: service ? asString(service[1]) : '',
    ResourceAttributes: attributesColumn(resAttrs),
    ScopeName: span.instrumentationScope.name,
    ScopeVersion: span.instrumentationScope.version ?? '',
    SpanAttributes: attributesColumn(typedEntries(span.attributes)),
    Duration: BigInt.asUintN(64, end - start).toString(),
    StatusCode: STATUS_TEXT[span.status.code],
    StatusMessage: span.status.message ?? '',
    'Events.Timestamp': span.events.map((e) => hrTimeToNanos(e.time).toString()),
    'Events.Name': span.events.map((e) => e.name),
    'Events.Attributes': span.events.map((e) => attributesColumn(typedEntries(e.attributes))),
    'Links.TraceId': span.links.map((l) => l.context.traceId),
    'Links.SpanId': span.links.map((l) => l.context.spanId),
    'Links.TraceState': span.links.map((l) => l.context.traceState?.serialize() ?? ''),
    'Links.Attributes': span.links.map((l) => attributesColumn(typedEntries(l.attributes))),
  };
}

// ClickStack's inserted otel_traces columns (not the MATERIALIZED ones).
export const TRACE_COLUMNS = [
  'Timestamp',
  'TraceId',
  'SpanId',
  'ParentSpanId',
  'TraceState',
  'SpanName',
  'SpanKind',
  'ServiceName',
  'ResourceAttributes',
  'ScopeName',
  'ScopeVersion',
  'SpanAttributes',
  'Duration',
  'StatusCode',
  'StatusMessage',
  'Events.Timestamp',
  'Events.Name',
  'Events.Attributes',
  'Links.TraceId',
  'Links.SpanId',
  'Links.TraceState',
  'Links.Attributes',
];

// Every column in a form JSONEachRow renders exactly.
export function traceRowSelect() {
  return TRACE_COLUMNS.map((c) => {
    if (c === 'Timestamp') return 'toString(toUnixTimestamp64Nano(Timestamp)) AS Timestamp';
    if (c === 'Duration') return 'toString(Duration) AS Duration';
    if (c === 'Events.Timestamp') {
      return "arrayMap(t -> toString(toUnixTimestamp64Nano(t)), `Events.Timestamp`) AS `Events.Timestamp`";
    }
    return c.includes('.') ? `\`${c}\`` : c;
  }).join(', ');
}

// Rows sorted as `ORDER BY Timestamp, SpanId` sorts them.
export function sortSpanRows(rows) {
  return [...rows].sort((a, b) => {
    const ta = BigInt(a.Timestamp);
    const tb = BigInt(b.Timestamp);
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.SpanId < b.SpanId ? -1 : a.SpanId > b.SpanId ? 1 : 0;
  });
}
