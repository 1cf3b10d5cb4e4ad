// grpc_raw: unary gRPC calls carrying raw bytes (no generated client, no
// protobuf library), so tests control every byte of the request message and
// see the server's status code, message and trailers as they are.
import grpc from '@grpc/grpc-js';

export const GrpcStatus = grpc.status;

export const LOGS_EXPORT = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
export const TRACES_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const METRICS_EXPORT = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

const identity = (b) => b;

// Calls `path` on `address` (host:port) with the message bytes `message`.
// gzip: compress the message (grpc-encoding: gzip). credentials: a
// grpc.credentials value (default insecure; TLS tests pass createSsl(...)),
// options: extra channel options. Resolves (never rejects)
// to {code, details, metadata, response}: code 0 with the response bytes on
// success, else the gRPC status code and message.
export function rawUnary(
  address,
  path,
  message,
  { gzip = false, deadlineMs = 30_000, metadata, credentials, options: extraOptions } = {},
) {
  const Client = grpc.makeGenericClientConstructor(
    {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'RawService',
  );
  const options = {
    // The client must not refuse what the test wants the server to judge.
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  };
  if (gzip) options['grpc.default_compression_algorithm'] = 2; // gzip
  Object.assign(options, extraOptions ?? {});
  const client = new Client(address, credentials ?? grpc.credentials.createInsecure(), options);
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata ?? {})) md.set(k, v);
  return new Promise((resolve) => {
    client.Export(message, md, { deadline: Date.now() + deadlineMs }, (err, response) => {
      client.close();
      if (err) resolve({ code: err.code, details: err.details, metadata: err.metadata, response: null });
      else resolve({ code: GrpcStatus.OK, details: '', metadata: null, response });
    });
  });
}

// The name of a gRPC status code, for assertion messages.
export function statusName(code) {
  return Object.keys(GrpcStatus).find((k) => GrpcStatus[k] === code) ?? String(code);
}
