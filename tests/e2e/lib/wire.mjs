// wire: just enough protobuf and zstd to craft raw requests and read replies
// without a generated client, so bad-input tests control every byte.
//
// The protobuf writer covers the OTLP logs messages the tests send (string
// bodies and string attributes); the reader walks any message into
// {field: [values]} for checking google.rpc.Status and ExportLogsServiceResponse.
// zstdRawFrame() emits a valid zstd frame of raw (stored) blocks, which every
// conforming decoder must accept; it needs no zstd library.

export function varint(n) {
  let v = BigInt(n);
  const out = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

function tag(field, wireType) {
  return varint((field << 3) | wireType);
}

export const pb = {
  bytes: (field, buf) => {
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
    return Buffer.concat([tag(field, 2), varint(b.length), b]);
  },
  string: (field, s) => pb.bytes(field, Buffer.from(s, 'utf8')),
  message: (field, ...parts) => pb.bytes(field, Buffer.concat(parts)),
  uint: (field, n) => Buffer.concat([tag(field, 0), varint(n)]),
  fixed64: (field, n) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return Buffer.concat([tag(field, 1), b]);
  },
  fixed32: (field, n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return Buffer.concat([tag(field, 5), b]);
  },
};

const kv = (key, value) => pb.message(1, pb.string(1, key), pb.message(2, pb.string(1, value)));

// ExportLogsServiceRequest with one resource (string attributes), one scope
// and one record per body; `timeNanos` stamps every record.
export function logsRequestProto({ resource = {}, scopeName = 'e2e.raw', bodies, timeNanos, attributes = {} }) {
  const resourceMsg = Buffer.concat(Object.entries(resource).map(([k, v]) => kv(k, v)));
  const records = bodies.map((body) =>
    pb.message(
      2,
      pb.fixed64(1, timeNanos),
      pb.uint(2, 9),
      pb.string(3, 'INFO'),
      pb.message(5, pb.string(1, body)),
      ...Object.entries(attributes).map(([k, v]) =>
        pb.message(6, pb.string(1, k), pb.message(2, pb.string(1, v))),
      ),
      pb.fixed64(11, timeNanos),
    ),
  );
  const scopeLogs = pb.message(2, pb.message(1, pb.string(1, scopeName)), ...records);
  return pb.message(1, pb.bytes(1, resourceMsg), scopeLogs);
}

// Decodes one protobuf message into {fieldNumber: [value, ...]}: varints as
// BigInt, length-delimited as Buffer, fixed as Buffer. Throws on bad input.
export function readProto(buf) {
  const fields = {};
  let i = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  };
  while (i < buf.length) {
    const key = Number(readVarint());
    const field = key >> 3;
    const wt = key & 7;
    let value;
    if (wt === 0) value = readVarint();
    else if (wt === 1) {
      if (i + 8 > buf.length) throw new Error('truncated fixed64');
      value = buf.subarray(i, i + 8);
      i += 8;
    } else if (wt === 2) {
      const len = Number(readVarint());
      if (i + len > buf.length) throw new Error('truncated bytes');
      value = buf.subarray(i, i + len);
      i += len;
    } else if (wt === 5) {
      if (i + 4 > buf.length) throw new Error('truncated fixed32');
      value = buf.subarray(i, i + 4);
      i += 4;
    } else {
      throw new Error(`unsupported wire type ${wt}`);
    }
    if (field === 0) throw new Error('field number 0');
    (fields[field] ??= []).push(value);
  }
  return fields;
}

// google.rpc.Status {code = 1, message = 2, details = 3}.
export function readRpcStatus(buf) {
  const f = readProto(buf);
  return {
    code: f[1] ? Number(f[1][0]) : 0,
    message: f[2] ? f[2][0].toString('utf8') : '',
    details: f[3] ?? [],
  };
}

// A zstd frame (RFC 8878) of raw blocks: single segment, 4-byte content size.
export function zstdRawFrame(data) {
  const MAX_BLOCK = 128 * 1024;
  const header = Buffer.alloc(9);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = (2 << 6) | (1 << 5); // FCS field 4 bytes, single segment
  header.writeUInt32LE(data.length, 5);
  const parts = [header];
  let off = 0;
  do {
    const n = Math.min(MAX_BLOCK, data.length - off);
    const last = off + n >= data.length ? 1 : 0;
    const bh = (n << 3) | (0 << 1) | last; // block type 0 = raw
    parts.push(Buffer.from([bh & 0xff, (bh >> 8) & 0xff, (bh >> 16) & 0xff]));
    parts.push(data.subarray(off, off + n));
    off += n;
  } while (off < data.length);
  return Buffer.concat(parts);
}
