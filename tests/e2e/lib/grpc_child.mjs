// grpc_child: a client process for the concurrency test (child_process.fork).
// It sends `requests` OTLP/gRPC log exports at once, each of `records` log
// records, through the real JS SDK and gRPC exporter, then reports to the
// parent {ok: true} or {ok: false, error} and exits.
//
// argv: grpcAddress runId childIndex requests records baseSec
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';

import { emitWithSdk } from './sdk.mjs';

const [address, runId, child, requests, records, baseSec] = process.argv.slice(2);

async function oneRequest(r) {
  const resource = {
    attributes: { 'service.name': 'e2e-grpc-child', 'e2e.run.id': runId, 'e2e.child': child },
  };
  const recs = [];
  for (let i = 0; i < Number(records); i++) {
    recs.push({
      resource,
      scope: { name: 'e2e.grpc.child' },
      timestamp: [Number(baseSec), Number(child) * 1_000_000 + r * 10_000 + i],
      severityNumber: 9,
      severityText: 'info',
      body: `child ${child} request ${r} record ${i}`,
    });
  }
  await emitWithSdk(new OTLPLogExporter({ url: `http://${address}` }), recs, { processor: 'batch' });
}

try {
  await Promise.all(Array.from({ length: Number(requests) }, (_, r) => oneRequest(r)));
  process.send({ ok: true }, () => process.disconnect());
} catch (err) {
  process.send({ ok: false, error: String(err?.stack ?? err) }, () => process.disconnect());
  process.exitCode = 1;
}
