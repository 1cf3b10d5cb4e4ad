// sdk: emits model records (see otel_model.mjs) through the real
// OpenTelemetry JS logs SDK and an OTLP exporter, and fails loudly when an
// export does not succeed (the SDK's processors only log export errors).
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';

// ExportResultCode.SUCCESS of @opentelemetry/core (not a direct dependency).
const EXPORT_SUCCESS = 0;

// Wraps an exporter and keeps the result of every export() call.
export class RecordingExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
  }
  export(records, done) {
    this.inner.export(records, (result) => {
      this.results.push({ records: records.length, ...result });
      done(result);
    });
  }
  forceFlush() {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
  shutdown() {
    return this.inner.shutdown();
  }
  // Throws unless every export succeeded and `expected` records went out.
  assertAllExported(expected) {
    const failed = this.results.filter((r) => r.code !== EXPORT_SUCCESS);
    if (failed.length > 0) {
      const msgs = failed.map((r) => `${r.records} records: ${r.error?.message ?? r.error}`);
      throw new Error(`OTLP export failed:\n${msgs.join('\n')}`);
    }
    const sent = this.results.reduce((n, r) => n + r.records, 0);
    if (sent !== expected) throw new Error(`exported ${sent} records, expected ${expected}`);
  }
}

// Emits `records` (all sharing records[0].resource) with one LoggerProvider.
// processor: 'batch' sends everything in one request, 'simple' one request
// per record.
export async function emitWithSdk(exporter, records, { processor = 'batch' } = {}) {
  const recorder = new RecordingExporter(exporter);
  const res = records[0].resource;
  const resource = resourceFromAttributes(res.attributes, { schemaUrl: res.schemaUrl });
  const proc =
    processor === 'batch'
      ? new BatchLogRecordProcessor({
          exporter: recorder,
          maxExportBatchSize: 10_000,
          maxQueueSize: 10_000,
          scheduledDelayMillis: 600_000,
        })
      : new SimpleLogRecordProcessor({ exporter: recorder });
  const provider = new LoggerProvider({ resource, processors: [proc] });
  for (const rec of records) {
    const scope = rec.scope ?? {};
    const logger = provider.getLogger(scope.name, scope.version, {
      schemaUrl: scope.schemaUrl,
      attributes: scope.attributes,
    });
    const ctx = rec.trace
      ? trace.setSpanContext(context.active(), {
          traceId: rec.trace.traceId,
          spanId: rec.trace.spanId,
          traceFlags: rec.trace.flags,
        })
      : undefined;
    logger.emit({
      timestamp: rec.timestamp,
      observedTimestamp: rec.observedTimestamp,
      severityNumber: rec.severityNumber,
      severityText: rec.severityText,
      body: rec.body,
      attributes: rec.attributes,
      eventName: rec.eventName,
      context: ctx,
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
  recorder.assertAllExported(records.length);
}
