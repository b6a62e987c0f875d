import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import type { JsonValue, StoredEvent } from '../../../shared/domain.js';
import type { Comparison, ParamChange, WordDiff } from '../../../shared/views.js';

export type { ParamChange, WordDiff } from '../../../shared/views.js';
import type { Proofline } from '../../proofline.js';
import { canonicalJson } from '../../store/canonical-json.js';
import { GALLERY_EVENT_PREFIXES, GALLERY_EVENT_TYPES, galleryFromEvents } from '../../views/session-view.js';
import { locateFfmpeg } from '../recording/ffmpeg-locate.js';
import { decodeImage, encodePng, resizeRgba, sniffImageFormat, toGray, type RgbaImage } from './image-decode.js';
import { assertOpen } from '../../session-guard.js';
import { findSessionArtifact } from './marks.js';
import { ProoflineError } from '../../errors.js';

// ---------------------------------------------------------------------------------------------
// Perceptual hashes: 64 bits each, as 16 hex digits; distance is the Hamming distance.

/** dHash (Krawetz, "Kind of like that", 2013): 9×8 grey, one bit per left-brighter-than-right. */
export function dHash(image: RgbaImage): string {
  const gray = toGray(resizeRgba(image, 9, 8));
  let bits = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) bits = (bits << 1n) | (gray[y * 9 + x]! > gray[y * 9 + x + 1]! ? 1n : 0n);
  }
  return bits.toString(16).padStart(16, '0');
}

const DCT_N = 32;
const DCT_COS = (() => {
  const table = new Float64Array(DCT_N * DCT_N);
  for (let u = 0; u < DCT_N; u++) for (let x = 0; x < DCT_N; x++) table[u * DCT_N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * DCT_N));
  return table;
})();

/**
 * pHash (as in pHash.org and imagehash): 32×32 grey, 2-D DCT, the 8×8 lowest frequencies, one
 * bit per coefficient above their median (the DC term left out of the median).
 */
export function pHash(image: RgbaImage): string {
  const gray = toGray(resizeRgba(image, DCT_N, DCT_N));
  const rows = new Float64Array(DCT_N * 8);
  for (let y = 0; y < DCT_N; y++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < DCT_N; x++) sum += gray[y * DCT_N + x]! * DCT_COS[u * DCT_N + x]!;
      rows[y * 8 + u] = sum;
    }
  }
  const coefficients: number[] = [];
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let y = 0; y < DCT_N; y++) sum += rows[y * 8 + u]! * DCT_COS[v * DCT_N + y]!;
      coefficients.push(sum);
    }
  }
  const sorted = coefficients.slice(1).sort((a, b) => a - b);
  const median = (sorted[31]! + sorted[32]!) / 2;
  let bits = 0n;
  for (const c of coefficients) bits = (bits << 1n) | (c > median ? 1n : 0n);
  return bits.toString(16).padStart(16, '0');
}

export function hammingDistance(hexA: string, hexB: string): number {
  let x = BigInt(`0x${hexA}`) ^ BigInt(`0x${hexB}`);
  let count = 0;
  while (x > 0n) {
    count += Number(x & 1n);
    x >>= 1n;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Pixels: pixelmatch's count, and a heatmap of how much each pixel changed.

export interface PixelDiff {
  readonly differingPixels: number;
  readonly differingPixelRatio: number;
  readonly heatmap: RgbaImage;
  /** Largest per-channel difference seen, 0–255. */
  readonly maxDelta: number;
}

/** Both images must have one size (resize first). pixelmatch threshold 0.1, its default. */
export function diffPixels(a: RgbaImage, b: RgbaImage): PixelDiff {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`diffPixels needs one size, got ${a.width}×${a.height} and ${b.width}×${b.height}`);
  const differingPixels = pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold: 0.1 });
  const heat = new Uint8Array(a.data.length);
  const grayA = toGray(a);
  let maxDelta = 0;
  for (let i = 0; i < grayA.length; i++) {
    let delta = 0;
    for (let c = 0; c < 3; c++) {
      const va = composite(a.data, i, c);
      const vb = composite(b.data, i, c);
      delta = Math.max(delta, Math.abs(va - vb));
    }
    maxDelta = Math.max(maxDelta, delta);
    // The first image, faded, underneath; the change on top, its colour and opacity by size.
    const base = 170 + (grayA[i]! / 255) * 60;
    // Square root: a change of a tenth of the range already shows clearly, a full one is red.
    const t = Math.sqrt(delta / 255);
    const [r, g, bl] = ramp(t);
    const alpha = delta === 0 ? 0 : Math.min(1, 0.35 + t * 1.5);
    heat[i * 4] = Math.round(base * (1 - alpha) + r * alpha);
    heat[i * 4 + 1] = Math.round(base * (1 - alpha) + g * alpha);
    heat[i * 4 + 2] = Math.round(base * (1 - alpha) + bl * alpha);
    heat[i * 4 + 3] = 255;
  }
  return {
    differingPixels,
    differingPixelRatio: differingPixels / (a.width * a.height),
    heatmap: { width: a.width, height: a.height, data: heat },
    maxDelta: Math.round(maxDelta),
  };
}

function composite(data: Uint8Array, pixel: number, channel: number): number {
  const alpha = data[pixel * 4 + 3]! / 255;
  return data[pixel * 4 + channel]! * alpha + 255 * (1 - alpha);
}

/** Blue → cyan → yellow → red as the change grows. */
function ramp(t: number): [number, number, number] {
  const stops: [number, number, number][] = [[0, 60, 255], [0, 220, 255], [255, 230, 0], [230, 0, 0]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const s = stops[i]!;
  const e = stops[i + 1]!;
  return [s[0] + (e[0] - s[0]) * f, s[1] + (e[1] - s[1]) * f, s[2] + (e[2] - s[2]) * f];
}

// ---------------------------------------------------------------------------------------------
// Parameters and prompts.

export interface ParamDiff {
  /** Fields that differ; `same` names the ones that do not. */
  readonly changes: ParamChange[];
  readonly same: string[];
  readonly aHasParameters: boolean;
  readonly bHasParameters: boolean;
}

const PROMPT_FIELDS = ['prompt', 'positive', 'positivePrompt'];
const NEGATIVE_FIELDS = ['negativePrompt', 'negative_prompt', 'negative'];

/** Field by field, nested objects flattened to dotted names (three levels; deeper compared whole). */
export function diffParameters(a: { readonly [key: string]: JsonValue } | undefined, b: { readonly [key: string]: JsonValue } | undefined): ParamDiff {
  const flatA = withoutRaw(flatten(a ?? {}));
  const flatB = withoutRaw(flatten(b ?? {}));
  const fields = [...new Set([...flatA.keys(), ...flatB.keys()])].sort();
  const changes: ParamChange[] = [];
  const same: string[] = [];
  for (const field of fields) {
    const va = flatA.get(field);
    const vb = flatB.get(field);
    if (va !== undefined && vb !== undefined && canonicalJson(va) === canonicalJson(vb)) same.push(field);
    else changes.push({ field, a: va ?? null, b: vb ?? null, change: va === undefined ? 'added' : vb === undefined ? 'removed' : 'changed' });
  }
  return { changes, same, aHasParameters: a !== undefined && flatA.size > 0, bHasParameters: b !== undefined && flatB.size > 0 };
}

// The texts a file carried verbatim (a whole ComfyUI workflow) and parser warnings are not
// parameters: the parsed fields beside them are what differ.
const NOT_PARAMETERS = /^(raw|warnings)(\.|$)|\.raw$/;

function withoutRaw(fields: Map<string, JsonValue>): Map<string, JsonValue> {
  for (const key of [...fields.keys()]) if (NOT_PARAMETERS.test(key)) fields.delete(key);
  return fields;
}

function flatten(object: { readonly [key: string]: JsonValue }, prefix = '', depth = 0, into = new Map<string, JsonValue>()): Map<string, JsonValue> {
  for (const [key, raw] of Object.entries(object)) {
    const name = prefix ? `${prefix}.${key}` : key;
    // Seeds are decimal strings since they stopped losing digits; events recorded before hold numbers.
    const value = name === 'seed' && typeof raw === 'number' ? String(raw) : raw;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && depth < 2) flatten(value, name, depth + 1, into);
    else into.set(name, value);
  }
  return into;
}

export function promptOf(metadata: { readonly [key: string]: JsonValue } | undefined, fields: readonly string[] = PROMPT_FIELDS): string {
  for (const field of fields) {
    const value = metadata?.[field];
    if (typeof value === 'string') return value;
  }
  return '';
}

// Han, kana and Hangul have no spaces between words: each character is a token of its own.
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[,，、。;；|]|[^\s,，、。;；|\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
const MAX_DP_CELLS = 4_000_000;

/** A word-level diff (longest common subsequence), runs of one kind merged. */
export function diffWords(a: string, b: string): WordDiff[] {
  const x = a.match(TOKEN) ?? [];
  const y = b.match(TOKEN) ?? [];
  // Common head and tail first: prompts usually change in the middle, and it keeps the table small.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const midX = x.slice(head, x.length - tail);
  const midY = y.slice(head, y.length - tail);
  const ops: { op: WordDiff['op']; word: string }[] = x.slice(0, head).map((word) => ({ op: 'same', word }));
  if ((midX.length + 1) * (midY.length + 1) > MAX_DP_CELLS) {
    // Too long for the table: report the middle as replaced rather than spend the memory.
    ops.push(...midX.map((word) => ({ op: 'removed' as const, word })), ...midY.map((word) => ({ op: 'added' as const, word })));
  } else {
    ops.push(...lcsOps(midX, midY));
  }
  ops.push(...x.slice(x.length - tail).map((word) => ({ op: 'same' as const, word })));
  const merged: WordDiff[] = [];
  for (const { op, word } of ops) {
    const last = merged[merged.length - 1];
    if (last && last.op === op) merged[merged.length - 1] = { op, text: joinToken(last.text, word) };
    else merged.push({ op, text: word });
  }
  return merged;
}

function joinToken(text: string, word: string): string {
  const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}，、。；]/u;
  if (/^[,;|]$/.test(word) || cjk.test(word) || cjk.test(text.slice(-1))) return `${text}${word}`;
  return `${text} ${word}`;
}

function lcsOps(x: readonly string[], y: readonly string[]): { op: WordDiff['op']; word: string }[] {
  const n = x.length;
  const m = y.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = x[i] === y[j] ? table[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(table[(i + 1) * (m + 1) + j]!, table[i * (m + 1) + j + 1]!);
    }
  }
  const ops: { op: WordDiff['op']; word: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      ops.push({ op: 'same', word: x[i]! });
      i++;
      j++;
    } else if (table[(i + 1) * (m + 1) + j]! >= table[i * (m + 1) + j + 1]!) {
      ops.push({ op: 'removed', word: x[i++]! });
    } else {
      ops.push({ op: 'added', word: y[j++]! });
    }
  }
  while (i < n) ops.push({ op: 'removed', word: x[i++]! });
  while (j < m) ops.push({ op: 'added', word: y[j++]! });
  return ops;
}

// ---------------------------------------------------------------------------------------------
// The recorded comparison.

/** What the app shows of a comparison (src/shared/views.ts), with the event it was recorded as. */
export type ComparisonResult = Omit<Comparison, 'event'> & { readonly event: StoredEvent };

export interface CompareOptions {
  readonly outDir?: string;
  /** For images that are neither PNG nor JPEG (WebP…); default: locateFfmpeg's search. */
  readonly ffmpegPath?: string;
  readonly signal?: AbortSignal;
}

/**
 * Compares two images of the session: perceptual hashes, pixelmatch's differing-pixel ratio, a
 * heatmap (stored as an artifact) and the diff of their recorded parameters and prompts; then
 * records it all as `comparison.made`.
 */
export async function compareImages(pl: Proofline, sessionId: string, shaA: string, shaB: string, options: CompareOptions = {}): Promise<ComparisonResult> {
  const session = assertOpen(pl, sessionId);
  const a = findSessionArtifact(pl, session.id, shaA).artifact;
  const b = findSessionArtifact(pl, session.id, shaB).artifact;
  // ffmpeg is looked for only when an image is neither PNG nor JPEG.
  let ffmpeg: Promise<string | undefined> | undefined;
  const ffmpegPath = (): Promise<string | undefined> =>
    (ffmpeg ??= options.ffmpegPath ? Promise.resolve(options.ffmpegPath) : locateFfmpeg().then((f) => f.path, () => undefined));
  const decode = async (sha: string, name: string): Promise<RgbaImage> => {
    const path = pl.blobs.pathOf(sha);
    const label = `${name} (${sha.slice(0, 12)})`;
    const bytes = await readFile(path).catch((error: Error) => {
      throw new ProoflineError('blob.missing', `Cannot read ${label} from the evidence store (${path}): ${error.message}`, { sha256: sha, sessionId: session.id }, { cause: error });
    });
    const needsFfmpeg = sniffImageFormat(bytes) === 'other';
    return decodeImage(bytes, { label, ffmpegPath: needsFfmpeg ? await ffmpegPath() : undefined, signal: options.signal });
  };
  const imageA = await decode(a.sha256, a.name);
  const imageB = await decode(b.sha256, b.name);
  const sameSize = imageA.width === imageB.width && imageA.height === imageB.height;
  const pixelsB = sameSize ? imageB : resizeRgba(imageB, imageA.width, imageA.height);
  const pixels = diffPixels(imageA, pixelsB);
  const hashes = { a: { dHash: dHash(imageA), pHash: pHash(imageA) }, b: { dHash: dHash(imageB), pHash: pHash(imageB) } };

  const events = [...pl.events.ofTypes(session.id, GALLERY_EVENT_TYPES, GALLERY_EVENT_PREFIXES)].map((e) => e.body);
  const gallery = galleryFromEvents(events);
  const metaA = gallery.images.find((i) => i.sha256 === a.sha256)?.metadata ?? undefined;
  const metaB = gallery.images.find((i) => i.sha256 === b.sha256)?.metadata ?? undefined;
  const paramDiff = diffParameters(metaA, metaB);
  const promptDiff = diffWords(promptOf(metaA), promptOf(metaB));
  const negativePromptDiff = diffWords(promptOf(metaA, NEGATIVE_FIELDS), promptOf(metaB, NEGATIVE_FIELDS));

  const heatmapPng = encodePng(pixels.heatmap);
  const heatmapName = `heatmap-${a.sha256.slice(0, 12)}-${b.sha256.slice(0, 12)}.png`;
  let heatmapPath: string | null = null;
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true });
    heatmapPath = join(options.outDir, heatmapName);
    await writeFile(heatmapPath, heatmapPng);
  }
  const blob = await pl.blobs.putBytes(heatmapPng);
  const resized = sameSize ? null : { from: { width: imageB.width, height: imageB.height }, to: { width: imageA.width, height: imageA.height } };
  const pHashDistance = hammingDistance(hashes.a.pHash, hashes.b.pHash);
  const dHashDistance = hammingDistance(hashes.a.dHash, hashes.b.dHash);
  const payload = {
    a: a.sha256,
    b: b.sha256,
    hammingDistance: pHashDistance,
    hashAlgorithm: 'pHash (64-bit DCT)',
    dHashDistance,
    hashes,
    differingPixels: pixels.differingPixels,
    differingPixelRatio: pixels.differingPixelRatio,
    pixelmatchThreshold: 0.1,
    size: { width: imageA.width, height: imageA.height },
    resized,
    heatmapSha256: blob.sha256,
    paramDiff: paramDiff as unknown as JsonValue,
    promptDiff: promptDiff as unknown as JsonValue,
    negativePromptDiff: negativePromptDiff as unknown as JsonValue,
  };
  const event = pl.events.append(session.id, {
    type: 'comparison.made',
    payload,
    artifacts: [{ sha256: blob.sha256, size: blob.size, name: heatmapName, mime: 'image/png' }],
  });
  await pl.sessions.checkpointIfDue(session.id);
  return {
    a: a.sha256,
    b: b.sha256,
    size: payload.size,
    resized,
    hashes,
    hammingDistance: pHashDistance,
    dHashDistance,
    differingPixels: pixels.differingPixels,
    differingPixelRatio: pixels.differingPixelRatio,
    heatmapSha256: blob.sha256,
    heatmapPath,
    paramDiff,
    paramChanges: paramDiff.changes,
    promptDiff,
    negativePromptDiff,
    event,
  };
}
