import exifr from 'exifr';
import { parseA1111, isInfotext } from './a1111.js';
import { aigcFromJson, aigcFromXmp } from './aigc-label.js';
import { parseComfyUI } from './comfyui-graph.js';
import { readContainer, type ImageFormat } from './container.js';
import { isFooocusJson, parseFooocus } from './fooocus.js';
import { CorruptImageError, NotAnImageError } from './image-errors.js';
import { parseInvokeAI } from './invokeai.js';
import { isMidjourney, parseMidjourney } from './midjourney.js';
import { isNovelAI, parseNovelAI } from './novelai.js';
import { readPngInfo } from './png-chunks.js';
import { readWebpMetadataChunks } from './webp-chunks.js';
import { EMPTY_FIELDS, type GenerationFields, type ImageMetadata, type MetadataSources } from './types.js';
import { decodeUserComment } from './user-comment.js';

export { CorruptImageError, NotAnImageError } from './image-errors.js';
export type { AigcLabel, GenerationFields, GeneratorTool, ImageMetadata, ModelRef } from './types.js';
export { summariseComfyGraph, asComfyGraph, type ComfyGraph } from './comfyui-graph.js';

/**
 * Reads what an AI tool embedded in a PNG, JPEG or WebP: the tool, prompt, seed, model and the
 * other settings in one shape, the raw texts untouched, and the GB 45438-2025 AIGC label when
 * present. Throws NotAnImageError for anything else and CorruptImageError for a damaged file.
 */
export async function readImageMetadata(path: string): Promise<ImageMetadata> {
  const container = await readContainer(path);
  const warnings: string[] = [];
  const raw: Record<string, string> = {};
  let sources: MetadataSources;
  let width = container.width;
  let height = container.height;
  if (container.format === 'png') {
    const png = await readPngInfo(path);
    width = png.width;
    height = png.height;
    const texts = new Map<string, string>();
    for (const chunk of png.texts) {
      if (!texts.has(chunk.keyword)) texts.set(chunk.keyword, chunk.text);
      if (!(chunk.keyword in raw)) raw[chunk.keyword] = chunk.text;
    }
    const exif = png.exif ? await readExif(png.exif, path, warnings) : {};
    sources = { texts, ...exif, xmp: texts.get('XML:com.adobe.xmp') ?? exif.xmp };
  } else if (container.format === 'webp') {
    const chunks = await readWebpMetadataChunks(path);
    const exif = chunks.exif ? await readExif(chunks.exif, path, warnings) : {};
    sources = { texts: new Map(), ...exif, xmp: chunks.xmp ?? exif.xmp };
  } else {
    sources = { texts: new Map(), ...(await readExif(path, path, warnings)) };
  }
  for (const [key, value] of Object.entries({
    'exif:UserComment': sources.userComment,
    'exif:ImageDescription': sources.imageDescription,
    'exif:Software': sources.software,
    'exif:MakerNote': sources.makerNote,
    'exif:Artist': sources.artist,
  })) if (value !== undefined) raw[key] = value;
  if (sources.xmp !== undefined && container.format !== 'png') raw['xmp'] = sources.xmp;

  const fields = withExactSeed(detect(sources, warnings), Object.values(raw));
  const aigcLabel = aigcFromXmp(sources.xmp) ?? (sources.texts.has('AIGC') ? aigcFromJson(sources.texts.get('AIGC')!, 'png-text') : undefined);
  return {
    ...fields,
    width: fields.width ?? width,
    height: fields.height ?? height,
    format: container.format,
    image: { width, height },
    software: sources.texts.get('Software') ?? sources.software ?? null,
    raw,
    ...(aigcLabel ? { aigcLabel } : {}),
    warnings,
  };
}

/**
 * Seeds above 2^53 (ComfyUI draws them up to 2^64) lose digits as JSON numbers; the exact digits
 * from the embedded text go to parameters.seedExact so nobody re-runs with a rounded seed.
 */
function withExactSeed(fields: GenerationFields, texts: readonly string[]): GenerationFields {
  if (fields.seed === null || Number.isSafeInteger(fields.seed)) return fields;
  for (const text of texts) {
    for (const match of text.matchAll(/\d{16,20}/g)) {
      if (Number(match[0]) === fields.seed) return { ...fields, parameters: { ...fields.parameters, seedExact: match[0] } };
    }
  }
  return fields;
}

function detect(s: MetadataSources, warnings: string[]): GenerationFields {
  const t = s.texts;
  const comfy = comfyFromExif(s);
  if (t.has('prompt') || t.has('workflow') || comfy.prompt !== undefined || comfy.workflow !== undefined) {
    const found = parseComfyUI(t.get('prompt') ?? comfy.prompt, t.get('workflow') ?? comfy.workflow, warnings);
    if (found) return found;
  }
  if (t.has('invokeai_metadata') || t.has('sd-metadata')) {
    const found = parseInvokeAI(t.get('invokeai_metadata'), t.get('sd-metadata'), warnings);
    if (found) return found;
  }
  if (isNovelAI(t)) return parseNovelAI(t, warnings);
  const parameters = t.get('parameters') ?? s.userComment;
  const scheme = t.get('fooocus_scheme') ?? s.makerNote;
  if (parameters !== undefined && parameters.trim() !== '') {
    if (isFooocusJson(parameters, scheme)) return parseFooocus(parameters)!;
    if (isInfotext(parameters) || t.has('parameters')) return parseA1111(parameters);
  }
  const description = t.get('Description') ?? s.imageDescription ?? xmpDescription(s.xmp);
  if (isMidjourney(description, s.xmp) && description !== undefined) return parseMidjourney(description);
  return { ...EMPTY_FIELDS, tool: 'unknown' };
}

/** ComfyUI's WebP/animated savers put "Prompt:{…}" and "Workflow:{…}" in EXIF Make/ImageDescription. */
function comfyFromExif(s: MetadataSources): { prompt?: string; workflow?: string } {
  const out: { prompt?: string; workflow?: string } = {};
  for (const value of [s.imageDescription, s.software, s.artist, s.makerNote]) {
    const m = value === undefined ? null : /^(prompt|workflow):\s*(\{[\s\S]*)$/i.exec(value);
    if (m) out[m[1]!.toLowerCase() as 'prompt' | 'workflow'] = m[2]!;
  }
  return out;
}

function xmpDescription(xmp: string | undefined): string | undefined {
  const m = xmp === undefined ? null : /<dc:description>[\s\S]*?<rdf:li[^>]*>([\s\S]*?)<\/rdf:li>/.exec(xmp);
  return m ? m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"') : undefined;
}

type ExifSources = Omit<MetadataSources, 'texts'>;

async function readExif(input: string | Buffer, path: string, warnings: string[]): Promise<ExifSources> {
  let output: Record<string, Record<string, unknown> | string | undefined> | undefined;
  try {
    output = (await exifr.parse(input, {
      tiff: true, exif: true, xmp: { parse: false }, icc: false, iptc: false, jfif: false, ihdr: false, gps: false, interop: false,
      userComment: true, makerNote: true, mergeOutput: false, translateValues: false, reviveValues: false, multiSegment: true,
    })) as typeof output;
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/Unknown file format|Invalid input/i.test(message)) throw new NotAnImageError(path, message);
    warnings.push(`EXIF/XMP could not be read: ${message}`);
    return {};
  }
  if (!output) return {};
  const ifd0 = (output['ifd0'] ?? {}) as Record<string, unknown>;
  const exif = (output['exif'] ?? {}) as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v.replace(/\0+$/, '') : v instanceof Uint8Array ? decodeUserComment(v) : undefined);
  const xmp = output['xmp'];
  return {
    userComment: decodeUserComment(output['userComment'] ?? exif['UserComment']),
    imageDescription: text(ifd0['ImageDescription']),
    software: text(ifd0['Software']),
    makerNote: text(output['makerNote'] ?? exif['MakerNote']),
    artist: text(ifd0['Artist']) ?? text(ifd0['Make']),
    xmp: typeof xmp === 'string' ? xmp : undefined,
  };
}

export function isImageReadError(error: unknown): error is NotAnImageError | CorruptImageError {
  return error instanceof NotAnImageError || error instanceof CorruptImageError;
}

export type { ImageFormat };
