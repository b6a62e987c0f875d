import { readFile } from 'node:fs/promises';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { cancelled, ProoflineError } from '../../errors.js';
import { failureOf, run } from '../../process/launch.js';

const { PNG } = pngjs;

/** Decoded pixels: 8-bit RGBA, row-major, `width * height * 4` bytes. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface DecodedImage extends RgbaImage {
  /** What the bytes were: 'png', 'jpeg', or 'ffmpeg' when ffmpeg converted another format. */
  readonly decodedAs: 'png' | 'jpeg' | 'ffmpeg';
}

export interface DecodeOptions {
  /** ffmpeg for formats pngjs and jpeg-js cannot read (WebP, AVIF, GIF…); none: a clear error. */
  readonly ffmpegPath?: string;
  /** A name for error messages (file name or sha256). */
  readonly label?: string;
  readonly signal?: AbortSignal;
}

/** Larger than this is refused rather than decoded: 100 megapixels is already 400 MB of RGBA. */
export const MAX_PIXELS = 100_000_000;
const FFMPEG_TIMEOUT_MS = 60_000;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniffImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'other' {
  if (bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(PNG_MAGIC)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return 'other';
}

export async function decodeImageFile(path: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ProoflineError('image.unreadable', `Cannot read image ${options.label ?? path}: ${(error as Error).message}`, { path }, { cause: error });
  }
  return decodeImage(bytes, { ...options, label: options.label ?? path, sourcePath: path });
}

/**
 * PNG through pngjs, JPEG through jpeg-js, anything else converted to PNG by ffmpeg (the first
 * frame). Throws an error naming the image and what to do when none of them can read it.
 */
export async function decodeImage(bytes: Buffer, options: DecodeOptions & { sourcePath?: string } = {}): Promise<DecodedImage> {
  const label = options.label ?? 'image';
  const format = sniffImageFormat(bytes);
  if (format === 'png') return { ...decodePng(bytes, label), decodedAs: 'png' };
  if (format === 'jpeg') return { ...decodeJpeg(bytes, label), decodedAs: 'jpeg' };
  if (!options.ffmpegPath) {
    throw new ProoflineError('image.needs-ffmpeg', `Cannot decode ${label}: it is neither PNG nor JPEG, and no ffmpeg was found to convert it. Install ffmpeg or set FFMPEG_PATH.`, { label });
  }
  const png = await convertWithFfmpeg(options.ffmpegPath, bytes, label, options.signal);
  return { ...decodePng(png, `${label} (as converted by ffmpeg)`), decodedAs: 'ffmpeg' };
}

function decodePng(bytes: Buffer, label: string): RgbaImage {
  try {
    // pngjs normalises every colour type and bit depth to 8-bit RGBA.
    const png = PNG.sync.read(bytes);
    assertSize(png.width, png.height, label);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
  } catch (error) {
    throw new ProoflineError('image.corrupt', `Cannot decode PNG ${label}: ${(error as Error).message}. The file may be truncated or corrupt.`, { label }, { cause: error });
  }
}

function decodeJpeg(bytes: Buffer, label: string): RgbaImage {
  try {
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
    assertSize(image.width, image.height, label);
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    throw new ProoflineError('image.corrupt', `Cannot decode JPEG ${label}: ${(error as Error).message}. The file may be truncated or corrupt.`, { label }, { cause: error });
  }
}

function assertSize(width: number, height: number, label: string): void {
  if (width < 1 || height < 1) throw new Error(`${label} has no pixels (${width}×${height})`);
  if (width * height > MAX_PIXELS) throw new Error(`${label} is ${width}×${height}, over the ${MAX_PIXELS / 1e6} megapixel limit`);
}

/** `ffmpeg -i - -frames:v 1 -f image2pipe -vcodec png -`: the first frame as PNG on stdout. */
export function ffmpegToPngArgs(input = '-'): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-i', input, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'];
}

async function convertWithFfmpeg(ffmpegPath: string, bytes: Buffer, label: string, signal?: AbortSignal): Promise<Buffer> {
  // ffmpeg may exit before reading all of stdin (it rejected the input); its exit reports why.
  const result = await run(ffmpegPath, ffmpegToPngArgs(), { input: bytes, maxBuffer: MAX_PIXELS * 4 + (1 << 20), timeoutMs: FFMPEG_TIMEOUT_MS, signal });
  if (result.aborted) throw cancelled(`Decoding ${label} was cancelled.`, { label });
  if (result.code !== 0 || result.error || result.overflow) {
    const detail = result.stderr.toString('utf8').trim().split('\n').pop() || failureOf(ffmpegPath, result, FFMPEG_TIMEOUT_MS);
    throw new ProoflineError('image.convert-failed', `Cannot decode ${label}: ffmpeg (${ffmpegPath}) could not convert it to PNG: ${detail}`, { label });
  }
  if (sniffImageFormat(result.stdout) !== 'png') {
    throw new ProoflineError('image.not-image', `Cannot decode ${label}: ffmpeg (${ffmpegPath}) gave no PNG frame for it. Is it an image?`, { label });
  }
  return result.stdout;
}

export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length).copy(png.data);
  return PNG.sync.write(png);
}

/** Bilinear resampling to `width × height` (area-averaged first when shrinking by 2× or more). */
export function resizeRgba(image: RgbaImage, width: number, height: number): RgbaImage {
  if (image.width === width && image.height === height) return image;
  let source = image;
  // Halve while still twice as large: bilinear alone would skip pixels and alias.
  while (source.width >= width * 2 && source.height >= height * 2) source = halve(source);
  const out = new Uint8Array(width * height * 4);
  const sx = source.width / width;
  const sy = source.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(source.height - 1, Math.floor(fy));
    const y1 = Math.min(source.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(source.width - 1, Math.floor(fx));
      const x1 = Math.min(source.width - 1, x0 + 1);
      const wx = fx - x0;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const a = source.data[(y0 * source.width + x0) * 4 + c]!;
        const b = source.data[(y0 * source.width + x1) * 4 + c]!;
        const d = source.data[(y1 * source.width + x0) * 4 + c]!;
        const e = source.data[(y1 * source.width + x1) * 4 + c]!;
        out[o + c] = Math.round((a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy);
      }
    }
  }
  return { width, height, data: out };
}

function halve(image: RgbaImage): RgbaImage {
  const width = Math.floor(image.width / 2);
  const height = Math.floor(image.height / 2);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        const at = (yy: number, xx: number): number => image.data[(yy * image.width + xx) * 4 + c]!;
        out[(y * width + x) * 4 + c] = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1) + 2) >> 2;
      }
    }
  }
  return { width, height, data: out };
}

/** Luma (BT.601) of each pixel, alpha composited over white. */
export function toGray(image: RgbaImage): Float64Array {
  const out = new Float64Array(image.width * image.height);
  for (let i = 0; i < out.length; i++) {
    const alpha = image.data[i * 4 + 3]! / 255;
    const r = image.data[i * 4]! * alpha + 255 * (1 - alpha);
    const g = image.data[i * 4 + 1]! * alpha + 255 * (1 - alpha);
    const b = image.data[i * 4 + 2]! * alpha + 255 * (1 - alpha);
    out[i] = 0.299 * r + 0.587 * g + 0.114 * b;
  }
  return out;
}
