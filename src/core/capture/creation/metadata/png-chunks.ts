import { open } from 'node:fs/promises';
import { crc32, inflateSync } from 'node:zlib';
import { CorruptImageError } from './image-errors.js';

/** One text chunk of a PNG, decoded (PNG 1.2 §11.3.4: tEXt Latin-1, zTXt zlib, iTXt UTF-8). */
export interface PngTextChunk {
  readonly type: 'tEXt' | 'zTXt' | 'iTXt';
  readonly keyword: string;
  readonly text: string;
  readonly compressed: boolean;
  /** iTXt only: language tag and translated keyword (often empty). */
  readonly languageTag?: string;
  readonly translatedKeyword?: string;
}

export interface PngInfo {
  readonly width: number;
  readonly height: number;
  readonly texts: readonly PngTextChunk[];
  /** Raw eXIf chunk (PNG 1.5 extension), when present: a TIFF header and IFDs. */
  readonly exif?: Buffer;
  /** A private chunk of type AIGC (any case), as the TC260 practice guide allows: its UTF-8 text. */
  readonly aigcChunk?: string;
  /** Whether a caBX chunk (C2PA 2.1 §A.3.3, the JUMBF manifest store in PNG) is present. */
  readonly hasC2pa: boolean;
  /** Colour type from IHDR (PNG 1.2 §4.1.1): 2 RGB, 6 RGBA — the ones stealth info can live in. */
  readonly colourType: number;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// A text chunk is metadata, not pixels: anything larger is hostile or broken. ComfyUI workflows
// run to a few MB at most.
const MAX_TEXT_CHUNK = 64 << 20;
const MAX_INFLATED = 128 << 20;
const LATIN1 = new TextDecoder('latin1');
const UTF8 = new TextDecoder('utf-8');

/**
 * Reads a PNG's header and text chunks straight from disk, skipping image data (IDAT) without
 * reading it, so a 40 MB render costs a few small reads. Every non-IDAT chunk's CRC is checked;
 * a file that ends before IEND is reported as truncated.
 */
export async function readPngInfo(path: string): Promise<PngInfo> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead < length) throw new CorruptImageError(path, `the file ends at byte ${position + bytesRead}, inside a chunk: it is truncated`);
      return buffer;
    };
    const signature = await read(0, 8);
    if (!signature.equals(PNG_SIGNATURE)) throw new CorruptImageError(path, 'the PNG signature is wrong');
    let position = 8;
    let width = 0;
    let height = 0;
    let sawIhdr = false;
    const texts: PngTextChunk[] = [];
    let exif: Buffer | undefined;
    let aigcChunk: string | undefined;
    let hasC2pa = false;
    let colourType = 0;
    for (;;) {
      if (position + 12 > size) throw new CorruptImageError(path, `the file ends at byte ${size} before the IEND chunk: it is truncated`);
      const header = await read(position, 8);
      const length = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (!/^[A-Za-z]{4}$/.test(type)) throw new CorruptImageError(path, `bad chunk type at byte ${position}`);
      if (length > 0x7fffffff || position + 12 + length > size) {
        throw new CorruptImageError(path, `chunk ${type} at byte ${position} runs past the end of the file (${size} bytes): it is truncated`);
      }
      if (!sawIhdr && type !== 'IHDR') throw new CorruptImageError(path, 'the first chunk is not IHDR');
      const dataStart = position + 8;
      position = dataStart + length + 4;
      if (type === 'IDAT') continue;
      if (type === 'caBX') {
        hasC2pa = true;
        continue;
      }
      if (type === 'IEND') break;
      if (length > MAX_TEXT_CHUNK) throw new CorruptImageError(path, `chunk ${type} is ${length} bytes, too large for metadata`);
      const body = await read(dataStart - 4, length + 8);
      const data = body.subarray(4, 4 + length);
      if (crc32(body.subarray(0, 4 + length)) !== body.readUInt32BE(4 + length)) {
        throw new CorruptImageError(path, `chunk ${type} at byte ${dataStart - 8} fails its CRC check: the file is damaged`);
      }
      if (type === 'IHDR') {
        if (length !== 13) throw new CorruptImageError(path, 'IHDR is not 13 bytes');
        width = data.readUInt32BE(0);
        height = data.readUInt32BE(4);
        colourType = data[9]!;
        sawIhdr = true;
      } else if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
        texts.push(decodeTextChunk(path, type, data));
      } else if (type === 'eXIf') {
        exif = Buffer.from(data);
      } else if (type.toUpperCase() === 'AIGC' && aigcChunk === undefined) {
        aigcChunk = UTF8.decode(data);
      }
    }
    return { width, height, texts, ...(exif ? { exif } : {}), ...(aigcChunk !== undefined ? { aigcChunk } : {}), hasC2pa, colourType };
  } finally {
    await handle.close();
  }
}

export function decodeTextChunk(path: string, type: 'tEXt' | 'zTXt' | 'iTXt', data: Buffer): PngTextChunk {
  const nul = data.indexOf(0);
  if (nul < 1 || nul > 79) throw new CorruptImageError(path, `a ${type} chunk has no valid keyword`);
  const keyword = LATIN1.decode(data.subarray(0, nul));
  if (type === 'tEXt') return { type, keyword, text: LATIN1.decode(data.subarray(nul + 1)), compressed: false };
  if (type === 'zTXt') {
    // Byte after the keyword's NUL is the compression method; 0 (zlib) is the only one defined.
    if (data[nul + 1] !== 0) throw new CorruptImageError(path, `zTXt '${keyword}' uses unknown compression method ${data[nul + 1]}`);
    return { type, keyword, text: LATIN1.decode(inflate(path, keyword, data.subarray(nul + 2))), compressed: true };
  }
  // iTXt: keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text.
  const flag = data[nul + 1];
  const method = data[nul + 2];
  const langEnd = data.indexOf(0, nul + 3);
  const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
  if (flag === undefined || langEnd < 0 || transEnd < 0) throw new CorruptImageError(path, `iTXt '${keyword}' is malformed`);
  const compressed = flag === 1;
  if (compressed && method !== 0) throw new CorruptImageError(path, `iTXt '${keyword}' uses unknown compression method ${method}`);
  const payload = data.subarray(transEnd + 1);
  return {
    type,
    keyword,
    text: UTF8.decode(compressed ? inflate(path, keyword, payload) : payload),
    compressed,
    languageTag: LATIN1.decode(data.subarray(nul + 3, langEnd)),
    translatedKeyword: UTF8.decode(data.subarray(langEnd + 1, transEnd)),
  };
}

function inflate(path: string, keyword: string, data: Buffer): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: MAX_INFLATED });
  } catch (error) {
    throw new CorruptImageError(path, `the compressed text '${keyword}' cannot be inflated (${(error as Error).message})`);
  }
}
