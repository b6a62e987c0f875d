import { parseJsonExact } from './exact-json.js';

/**
 * Who made the image, as its metadata says. 'forge' / 'reforge' write A1111 infotext and are told
 * apart by its Version; 'c2pa' means only a C2PA manifest names the generator (see `c2pa`).
 */
export type GeneratorTool =
  | 'a1111' | 'forge' | 'reforge' | 'comfyui' | 'invokeai' | 'fooocus' | 'novelai' | 'midjourney'
  | 'swarmui' | 'drawthings' | 'c2pa' | 'unknown';

export interface ModelRef {
  readonly name: string | null;
  readonly hash: string | null;
}

/** The implicit AIGC label of GB 45438-2025 (TC260 metadata field `AIGC`), as found. */
export interface AigcLabel {
  /** "1" AI-generated, "2" possibly AI-generated, "3" suspected AI-generated. */
  readonly label: string | null;
  readonly meaning: string | null;
  readonly contentProducer: string | null;
  readonly produceId: string | null;
  readonly contentPropagator: string | null;
  readonly propagateId: string | null;
  readonly reservedCode1: string | null;
  readonly reservedCode2: string | null;
  /**
   * Where it was carried: 'xmp' (TC260:AIGC), 'png-text' (a text chunk named AIGC), 'png-chunk'
   * (a private PNG chunk of type AIGC / aIGC), 'exif' (UserComment).
   */
  readonly carrier: 'xmp' | 'png-text' | 'png-chunk' | 'exif';
  /** The label's JSON exactly as embedded. */
  readonly raw: string;
}

/** The active C2PA manifest of an input image, as c2pa-rs reads and validates it. */
export interface C2paSummary {
  readonly claimGenerator: string | null;
  /** The software agent of the c2pa.created action (the generator, e.g. "GPT-4o"), when named. */
  readonly generator: string | null;
  /** IPTC digital source type of the created action (trainedAlgorithmicMedia = generative AI). */
  readonly digitalSourceType: string | null;
  readonly actions: readonly { readonly action: string; readonly softwareAgent: string | null; readonly when: string | null }[];
  readonly signer: { readonly commonName: string | null; readonly issuer: string | null; readonly time: string | null; readonly alg: string | null };
  /** c2pa-rs's verdict: 'Valid', 'Trusted' or 'Invalid', and the status codes behind it. */
  readonly validationState: string | null;
  readonly validationCodes: readonly string[];
  readonly title: string | null;
  readonly manifestCount: number;
}

/** What a generator said about an image, in one shape whatever the tool. Unknown is null. */
export interface GenerationFields {
  readonly tool: GeneratorTool;
  readonly prompt: string | null;
  readonly negativePrompt: string | null;
  /**
   * The seed as its decimal digits, always a string: 64-bit seeds (ComfyUI, Fooocus, SwarmUI)
   * do not fit a JSON number. Events recorded before this change may hold a number.
   */
  readonly seed: string | null;
  readonly steps: number | null;
  readonly sampler: string | null;
  readonly scheduler: string | null;
  readonly cfgScale: number | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly model: ModelRef;
  /** img2img / inpaint source image name, when the tool records it (ComfyUI LoadImage, InvokeAI). */
  readonly inputImage: string | null;
  /** Every other setting the tool wrote, as text, under the tool's own names. */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface ImageMetadata extends GenerationFields {
  readonly format: 'png' | 'jpeg' | 'webp';
  /** Pixel size of the file itself (width/height above are what the generator was asked for). */
  readonly image: { readonly width: number | null; readonly height: number | null };
  readonly software: string | null;
  /** Every text the file carries that a parser read, by key, untouched (PNG keyword, exif:UserComment, xmp). */
  readonly raw: Readonly<Record<string, string>>;
  readonly aigcLabel?: AigcLabel;
  /** A C2PA manifest already in the file (OpenAI, Adobe Firefly, cameras…), read with c2pa-rs. */
  readonly c2pa?: C2paSummary;
  /** What could not be parsed (a broken JSON, an unexpected graph): the raw text is still kept. */
  readonly warnings: readonly string[];
}

/** The texts found in a file, whatever the container: what the per-tool parsers read. */
export interface MetadataSources {
  /** PNG text chunks by keyword (first occurrence wins). */
  readonly texts: ReadonlyMap<string, string>;
  readonly userComment?: string;
  readonly imageDescription?: string;
  readonly software?: string;
  readonly makerNote?: string;
  readonly artist?: string;
  /** EXIF Model (0x0110): StableSwarmUI once wrote its parameters JSON there. */
  readonly cameraModel?: string;
  readonly xmp?: string;
}

export const EMPTY_FIELDS: Omit<GenerationFields, 'tool'> = {
  prompt: null,
  negativePrompt: null,
  seed: null,
  steps: null,
  sampler: null,
  scheduler: null,
  cfgScale: null,
  width: null,
  height: null,
  model: { name: null, hash: null },
  inputImage: null,
  parameters: {},
};

/**
 * A seed as exact decimal digits: strings of digits pass as they are (trimmed, no '+'), safe
 * integers become their digits. A number already beyond 2^53 has lost digits before it got here
 * (callers parse JSON with parseJsonExact so this does not happen); it is kept as JavaScript
 * prints it, as events recorded before seeds were strings show it.
 */
export function seedOrNull(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) && Number.isInteger(value) ? String(value) : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
    const m = /^\s*\+?(-?\d+)\s*$/.exec(value);
    return m ? m[1]!.replace(/^(-?)0+(?=\d)/, '$1') : null;
  }
  return null;
}

/** A number from a tool's text or JSON; null when absent or not a finite number. */
export function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** Flattens a tool's JSON settings to text values for `parameters`. */
export function textParameters(object: Readonly<Record<string, unknown>>, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    if (skip.includes(key) || value === null || value === undefined) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

export function parseJsonObject(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  try {
    const value: unknown = parseJsonExact(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
