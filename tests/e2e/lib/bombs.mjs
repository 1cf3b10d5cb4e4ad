// bombs: compressed bodies that are tiny on the wire and inflate to gigabytes
// of zeros, built without ever holding the inflated bytes.
//
// The gzip / zlib ones repeat one raw-deflate segment that ends in a full
// flush (byte-aligned, no back-references across it), so N copies inflate to
// N times its size. Their trailers (CRC-32 / Adler-32) are not those of the
// content: a decoder that honours its limit stops long before it reads them,
// and one that does not would answer "corrupt" (400), which tests refuse.
// The zstd one is a frame of RLE blocks: 4 bytes per 128 KiB of output.
import { constants, deflateRawSync } from 'node:zlib';

const SEGMENT_ZEROS = 64 * 1024 * 1024;
let segment;

function deflateSegments(totalBytes) {
  segment ??= deflateRawSync(Buffer.alloc(SEGMENT_ZEROS), {
    level: 9,
    finishFlush: constants.Z_FULL_FLUSH,
  });
  const count = Math.ceil(totalBytes / SEGMENT_ZEROS);
  const lastEmptyBlock = Buffer.from([0x03, 0x00]); // final fixed-Huffman block, no data
  return Buffer.concat([...Array(count).fill(segment), lastEmptyBlock]);
}

// gzip (RFC 1952) of `totalBytes` zeros.
export function gzipBomb(totalBytes) {
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0x02, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(totalBytes % 2 ** 32, 4);
  return Buffer.concat([header, deflateSegments(totalBytes), trailer]);
}

// zlib (RFC 1950), what HTTP and gRPC call "deflate".
export function zlibBomb(totalBytes) {
  return Buffer.concat([Buffer.from([0x78, 0xda]), deflateSegments(totalBytes), Buffer.alloc(4)]);
}

// zstd (RFC 8878): no content size in the header, RLE blocks of 128 KiB
// zeros. The window defaults to 2^27 (128 MiB), the largest the gateway's
// decoder accepts, so the decoder's own window buffer is part of the attack.
export function zstdBomb(totalBytes, windowLog = 27) {
  const BLOCK = 128 * 1024;
  const count = Math.ceil(totalBytes / BLOCK);
  const out = Buffer.alloc(6 + count * 4);
  out.writeUInt32LE(0xfd2fb528, 0);
  out[4] = 0x00; // no content size, no checksum, not single segment
  out[5] = (windowLog - 10) << 3; // window 2^windowLog, no mantissa
  for (let i = 0; i < count; i++) {
    const last = i === count - 1 ? 1 : 0;
    const header = (BLOCK << 3) | (1 << 1) | last; // block type 1 = RLE
    const at = 6 + i * 4;
    out[at] = header & 0xff;
    out[at + 1] = (header >> 8) & 0xff;
    out[at + 2] = (header >> 16) & 0xff;
    out[at + 3] = 0x00; // the byte repeated
  }
  return out;
}
