export type GeneratorTool = 'a1111' | 'comfyui' | 'invokeai' | 'fooocus' | 'novelai' | 'midjourney' | 'unknown';

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
  /** Where it was carried: 'xmp' (TC260:AIGC), 'png-text' (a text chunk named AIGC), 'exif'. */
  readonly carrier: 'xmp' | 'png-text' | 'exif';
  /** The label's JSON exactly as embedded. */
  readonly raw: string;
}

/** What a generator said about an image, in one shape whatever the tool. Unknown is null. */
export interface GenerationFields {
  readonly tool: GeneratorTool;
  readonly prompt: string | null;
  readonly negativePrompt: string | null;
  readonly seed: number | null;
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
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
