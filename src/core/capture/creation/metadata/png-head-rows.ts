import { open } from 'node:fs/promises';
import { constants, inflateSync } from 'node:zlib';

// The first rows of a PNG's pixels, without decoding the rest: enough to look for a stealth-info
// signature (it sits at the top of the first column) in a 40-megapixel render for the cost of a
// few kilobytes. Only what pngjs would otherwise be asked for: 8-bit RGB / RGBA, not interlaced.
// PNG 1.2 §6 (filter types 0–4, Paeth predictor), §4.1.2 (IDAT concatenation).

export interface HeadRows { readonly width: number; readonly rows: number; readonly channels: 3 | 4; readonly data: Buffer }

/** Up to `rows` unfiltered rows, or null when the PNG is not 8-bit non-interlaced RGB(A). */
export async function readHeadRows(path: string, rows: number): Promise<HeadRows | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(8);
    const ihdr = Buffer.alloc(13);
    await handle.read(ihdr, 0, 13, 16);
    const width = ihdr.readUInt32BE(0);
    const height = ihdr.readUInt32BE(4);
    const channels = ihdr[9] === 6 ? 4 : ihdr[9] === 2 ? 3 : 0;
    if (ihdr[8] !== 8 || channels === 0 || ihdr[12] !== 0) return null;
    const want = Math.min(rows, height);
    const stride = width * channels;
    const needed = want * (stride + 1);
    const compressed: Buffer[] = [];
    let total = 0;
    let nextTry = 1 << 16;
    let position = 8;
    let raw = Buffer.alloc(0);
    while (position + 8 <= size && raw.length < needed) {
      await handle.read(header, 0, 8, position);
      const length = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (type === 'IEND') break;
      if (type === 'IDAT') {
        const body = Buffer.alloc(length);
        await handle.read(body, 0, length, position + 8);
        compressed.push(body);
        total += length;
        if (total >= nextTry) {
          raw = inflateSync(Buffer.concat(compressed), { finishFlush: constants.Z_SYNC_FLUSH });
          nextTry *= 2;
        }
      }
      position += 12 + length;
    }
    if (raw.length < needed) raw = inflateSync(Buffer.concat(compressed), { finishFlush: constants.Z_SYNC_FLUSH });
    return { width, rows: Math.min(want, Math.floor(raw.length / (stride + 1))), channels, data: unfilter(raw, want, stride, channels) };
  } finally {
    await handle.close();
  }
}

function unfilter(raw: Buffer, rows: number, stride: number, bpp: number): Buffer {
  const out = Buffer.alloc(rows * stride);
  for (let y = 0; y < rows && (y + 1) * (stride + 1) <= raw.length; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const at = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[at + x - bpp]! : 0;
      const b = y > 0 ? out[at - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[at - stride + x - bpp]! : 0;
      let value = line[x]!;
      if (filter === 1) value += a;
      else if (filter === 2) value += b;
      else if (filter === 3) value += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[at + x] = value & 0xff;
    }
  }
  return out;
}
