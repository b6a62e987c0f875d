import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import pngjs from 'pngjs';
import { readHeadRows, type HeadRows } from './png-head-rows.js';

// "Stealth" PNG info (sd-webui-stealth-pnginfo, stealth_pnginfo.py read_info_from_image_stealth;
// NovelAI writes the same alpha form): the parameters hidden in the least significant bits of the
// pixels, so they survive tools that strip text chunks. The bits run down each column, left to
// right (x outer, y inner); in alpha mode one bit per pixel from A, in RGB mode three (R, G, B).
// The stream is a 15-byte signature, a 32-bit big-endian length in bits, then the payload:
//   stealth_pnginfo / stealth_pngcomp  alpha, plain / gzip
//   stealth_rgbinfo / stealth_rgbcomp  RGB,   plain / gzip
const SIGNATURES: Readonly<Record<string, { mode: 'alpha' | 'rgb'; compressed: boolean }>> = {
  stealth_pnginfo: { mode: 'alpha', compressed: false },
  stealth_pngcomp: { mode: 'alpha', compressed: true },
  stealth_rgbinfo: { mode: 'rgb', compressed: false },
  stealth_rgbcomp: { mode: 'rgb', compressed: true },
};
const SIGNATURE_BITS = 15 * 8;
/** Decoding is the cost: beyond this the pixels are not read for hidden text. */
const MAX_PIXELS = 64_000_000;
const MAX_PAYLOAD_BYTES = 16 << 20;
const UTF8 = new TextDecoder('utf-8');

export interface StealthInfo {
  readonly signature: string;
  readonly text: string;
}

export interface Rgba { readonly width: number; readonly height: number; readonly data: Uint8Array }

/**
 * Reads the hidden text of a PNG's pixels; null when there is none. Throws only on a broken
 * payload. The signature lies in the first column's top 120 pixels, so those rows are looked at
 * first (png-head-rows.ts) and the whole image is decoded only when a signature is there.
 */
export async function readStealthInfo(path: string, width: number, height: number): Promise<StealthInfo | null> {
  if (width * height > MAX_PIXELS || width * height < SIGNATURE_BITS / 3) return null;
  if (height >= SIGNATURE_BITS) {
    const head = await readHeadRows(path, SIGNATURE_BITS);
    if (head && head.rows === SIGNATURE_BITS && !hasSignature(head)) return null;
  }
  const png = pngjs.PNG.sync.read(await readFile(path));
  return stealthFromPixels(png);
}

/** Whether the first column's top pixels spell a signature, in alpha (120 px) or RGB (40 px) mode. */
function hasSignature({ width, channels, data }: HeadRows): boolean {
  const column = (count: number, bitsOf: (y: number) => number[]): string => {
    const bits = Array.from({ length: count }, (_, y) => bitsOf(y)).flat();
    let text = '';
    for (let i = 0; i + 8 <= bits.length; i += 8) text += String.fromCharCode(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
    return text;
  };
  const px = (y: number): number => y * width * channels;
  const rgb = column(SIGNATURE_BITS / 3, (y) => [data[px(y)]! & 1, data[px(y) + 1]! & 1, data[px(y) + 2]! & 1]);
  const alpha = channels === 4 ? column(SIGNATURE_BITS, (y) => [data[px(y) + 3]! & 1]) : '';
  return SIGNATURES[rgb]?.mode === 'rgb' || SIGNATURES[alpha]?.mode === 'alpha';
}

export function stealthFromPixels(image: Rgba): StealthInfo | null {
  for (const mode of ['alpha', 'rgb'] as const) {
    const bit = bitReader(image, mode);
    if (bit.count < SIGNATURE_BITS + 32) continue;
    const signature = String.fromCharCode(...bytesAt(bit, 0, 15));
    const kind = SIGNATURES[signature];
    if (!kind || kind.mode !== mode) continue;
    let length = 0;
    for (let i = 0; i < 32; i++) length = length * 2 + bit.at(SIGNATURE_BITS + i);
    const bytes = Math.floor(length / 8);
    if (bytes > MAX_PAYLOAD_BYTES || SIGNATURE_BITS + 32 + bytes * 8 > bit.count) {
      throw new Error(`${signature} declares ${length} bits of parameters but the image holds only ${bit.count - SIGNATURE_BITS - 32}`);
    }
    const payload = Buffer.from(bytesAt(bit, SIGNATURE_BITS + 32, bytes));
    return { signature, text: UTF8.decode(kind.compressed ? gunzipSync(payload, { maxOutputLength: MAX_PAYLOAD_BYTES * 8 }) : payload) };
  }
  return null;
}

interface BitReader { readonly count: number; at(index: number): number }

function bitReader({ width, height, data }: Rgba, mode: 'alpha' | 'rgb'): BitReader {
  if (mode === 'alpha') {
    return { count: width * height, at: (i) => data[((i % height) * width + Math.floor(i / height)) * 4 + 3]! & 1 };
  }
  return {
    count: width * height * 3,
    at: (i) => {
      const pixel = Math.floor(i / 3);
      return data[((pixel % height) * width + Math.floor(pixel / height)) * 4 + (i % 3)]! & 1;
    },
  };
}

function bytesAt(bit: BitReader, start: number, count: number): number[] {
  const out = new Array<number>(count);
  for (let b = 0; b < count; b++) {
    let byte = 0;
    for (let i = 0; i < 8; i++) byte = (byte << 1) | bit.at(start + b * 8 + i);
    out[b] = byte;
  }
  return out;
}
