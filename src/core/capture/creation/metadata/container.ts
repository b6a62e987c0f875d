import { open, type FileHandle } from 'node:fs/promises';
import { CorruptImageError, NotAnImageError } from './image-errors.js';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ContainerInfo {
  readonly format: ImageFormat;
  readonly width: number | null;
  readonly height: number | null;
}

/** Sniffs the format from the first bytes and reads the pixel size of a JPEG or WebP. */
export async function readContainer(path: string): Promise<ContainerInfo> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new NotAnImageError(path, `it cannot be opened: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const { size } = await handle.stat();
    if (!(await handle.stat()).isFile()) throw new NotAnImageError(path, 'it is not a regular file');
    const head = Buffer.alloc(Math.min(size, 64));
    await handle.read(head, 0, head.length, 0);
    if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47) return { format: 'png', width: null, height: null };
    if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { format: 'jpeg', ...(await jpegSize(path, handle, size)) };
    if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return { format: 'webp', ...webpSize(path, head) };
    throw new NotAnImageError(path, size === 0 ? 'it is empty' : 'its first bytes are not those of a PNG, JPEG or WebP');
  } finally {
    await handle.close();
  }
}

// JPEG (ITU T.81 B.1.1.3): walk marker segments until a start-of-frame (SOFn, not DHT/JPG/DAC).
async function jpegSize(path: string, handle: FileHandle, size: number): Promise<{ width: number; height: number }> {
  let position = 2;
  const header = Buffer.alloc(9);
  while (position + 4 <= size) {
    await handle.read(header, 0, 9, position);
    if (header[0] !== 0xff) throw new CorruptImageError(path, `no JPEG marker at byte ${position}`);
    const marker = header[1]!;
    if (marker === 0xff) { position += 1; continue; }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = header.readUInt16BE(2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (position + 9 > size) break;
      return { height: header.readUInt16BE(5), width: header.readUInt16BE(7) };
    }
    position += 2 + length;
  }
  throw new CorruptImageError(path, 'the JPEG has no frame header before its image data or end: it is truncated or damaged');
}

// WebP container (RFC 9649): the first chunk is VP8X (canvas size), VP8L or VP8 .
function webpSize(path: string, head: Buffer): { width: number; height: number } {
  const chunk = head.toString('latin1', 12, 16);
  if (chunk === 'VP8X' && head.length >= 30) return { width: 1 + head.readUIntLE(24, 3), height: 1 + head.readUIntLE(27, 3) };
  if (chunk === 'VP8L' && head.length >= 25 && head[20] === 0x2f) {
    const bits = head.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ' && head.length >= 30 && head[23] === 0x9d && head[24] === 0x01 && head[25] === 0x2a) {
    return { width: head.readUInt16LE(26) & 0x3fff, height: head.readUInt16LE(28) & 0x3fff };
  }
  throw new CorruptImageError(path, `the WebP's first chunk '${chunk}' is not VP8X, VP8L or VP8`);
}
