import exifr from 'exifr';
import { parseA1111, isInfotext } from './a1111.js';
import { aigcFromExif, aigcFromJson, aigcFromXmp } from './aigc-label.js';
import { jpegHasJumbf, readC2pa } from './c2pa-manifest.js';
import { drawThingsJson, parseDrawThings } from './drawthings.js';
import { parseComfyUI } from './comfyui-graph.js';
import { readContainer, type ImageFormat } from './container.js';
import { isFooocusJson, parseFooocus } from './fooocus.js';
import { CorruptImageError, NotAnImageError } from './image-errors.js';
import { parseInvokeAI } from './invokeai.js';
import { isMidjourney, parseMidjourney } from './midjourney.js';
import { isNovelAI, parseNovelAI } from './novelai.js';
import { readPngInfo } from './png-chunks.js';
import { readStealthInfo } from './stealth-pnginfo.js';
import { parseSwarmUI, swarmParams } from './swarmui.js';
import { readWebpMetadataChunks } from './webp-chunks.js';
import { EMPTY_FIELDS, parseJsonObject, type C2paSummary, type GenerationFields, type ImageMetadata, type MetadataSources } from './types.js';
import { decodeUserComment } from './user-comment.js';

export { CorruptImageError, NotAnImageError } from './image-errors.js';
export type { AigcLabel, C2paSummary, GenerationFields, GeneratorTool, ImageMetadata, ModelRef } from './types.js';
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
  let hasC2pa = false;
  let aigcChunk: string | undefined;
  let stealthCandidate = false;
  if (container.format === 'png') {
    const png = await readPngInfo(path);
    hasC2pa = png.hasC2pa;
    aigcChunk = png.aigcChunk;
    stealthCandidate = png.colourType === 2 || png.colourType === 6;
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
    hasC2pa = chunks.hasC2pa === true;
    const exif = chunks.exif ? await readExif(chunks.exif, path, warnings) : {};
    sources = { texts: new Map(), ...exif, xmp: chunks.xmp ?? exif.xmp };
  } else {
    sources = { texts: new Map(), ...(await readExif(path, path, warnings)) };
    hasC2pa = await jpegHasJumbf(path);
  }
  for (const [key, value] of Object.entries({
    'exif:UserComment': sources.userComment,
    'exif:ImageDescription': sources.imageDescription,
    'exif:Software': sources.software,
    'exif:MakerNote': sources.makerNote,
    'exif:Artist': sources.artist,
    'exif:Model': sources.cameraModel,
  })) if (value !== undefined) raw[key] = value;
  if (sources.xmp !== undefined && container.format !== 'png') raw['xmp'] = sources.xmp;

  let fields = detect(sources, warnings);
  if (fields.tool === 'unknown' && stealthCandidate && width !== null && height !== null) fields = await fromStealth(path, width, height, raw, warnings) ?? fields;
  const c2pa = hasC2pa ? await c2paOf(path, container.format, warnings) : undefined;
  // A manifest that fails validation (a changed image, a forged claim) names nobody: it is shown
  // with its failure codes, never taken as the image's generator.
  if (c2pa?.validationState === 'Invalid') warnings.push(`the C2PA manifest fails validation (${c2pa.validationCodes.join(', ')}): the image or its manifest was changed after signing`);
  else if (fields.tool === 'unknown' && c2pa) fields = { ...fields, tool: 'c2pa', model: { name: c2pa.generator, hash: null } };
  if (aigcChunk !== undefined) raw['png:AIGC'] = aigcChunk;
  const aigcLabel = aigcFromXmp(sources.xmp)
    ?? (sources.texts.has('AIGC') ? aigcFromJson(sources.texts.get('AIGC')!, 'png-text') : undefined)
    ?? (aigcChunk !== undefined ? aigcFromJson(aigcChunk, 'png-chunk') : undefined)
    ?? aigcFromExif(sources.userComment);
  return {
    ...fields,
    width: fields.width ?? width,
    height: fields.height ?? height,
    format: container.format,
    image: { width, height },
    software: sources.texts.get('Software') ?? sources.software ?? (c2pa?.validationState === 'Invalid' ? null : c2pa?.claimGenerator) ?? null,
    raw,
    ...(aigcLabel ? { aigcLabel } : {}),
    ...(c2pa ? { c2pa } : {}),
    warnings,
  };
}

/** Parameters hidden in the pixels (stealth-pnginfo.ts): A1111 infotext, or NovelAI's JSON. */
async function fromStealth(path: string, width: number, height: number, raw: Record<string, string>, warnings: string[]): Promise<GenerationFields | undefined> {
  let found;
  try {
    found = await readStealthInfo(path, width, height);
  } catch (error) {
    warnings.push(`the pixels could not be read for hidden (stealth) parameters: ${(error as Error).message}`);
    return undefined;
  }
  if (!found) return undefined;
  raw[`stealth:${found.signature}`] = found.text;
  const json = parseJsonObject(found.text);
  const texts = new Map<string, string>();
  if (json) for (const [key, value] of Object.entries(json)) texts.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  const fields = json && isNovelAI(texts) ? parseNovelAI(texts, warnings) : isInfotext(found.text) ? parseA1111(found.text) : undefined;
  if (!fields) warnings.push(`the pixels carry ${found.signature} text that is neither A1111 infotext nor NovelAI JSON; kept as raw text`);
  return fields ? { ...fields, parameters: { ...fields.parameters, carrier: found.signature } } : undefined;
}

async function c2paOf(path: string, format: ImageFormat, warnings: string[]): Promise<C2paSummary | undefined> {
  try {
    return await readC2pa(path, format);
  } catch (error) {
    warnings.push(`the file carries a C2PA manifest store that c2pa-rs cannot read: ${(error as Error).message ?? String(error)}`);
    return undefined;
  }
}

function detect(s: MetadataSources, warnings: string[]): GenerationFields {
  const t = s.texts;
  const comfy = comfyFromExif(s);
  if (t.has('prompt') || t.has('workflow') || comfy.prompt !== undefined || comfy.workflow !== undefined) {
    const found = parseComfyUI(t.get('prompt') ?? comfy.prompt, t.get('workflow') ?? comfy.workflow, warnings);
    if (found) return found;
  }
  const swarm = swarmParams(t.get('parameters')) ?? swarmParams(s.userComment) ?? swarmParams(s.cameraModel);
  if (swarm) return parseSwarmUI(swarm);
  if (t.has('invokeai_metadata') || t.has('sd-metadata') || t.has('Dream')) {
    const found = parseInvokeAI(t.get('invokeai_metadata'), t.get('sd-metadata'), warnings, t.get('Dream'));
    if (found) return found;
  }
  if (isNovelAI(t)) return parseNovelAI(t, warnings);
  const parameters = t.get('parameters') ?? s.userComment;
  const scheme = t.get('fooocus_scheme') ?? s.makerNote;
  if (parameters !== undefined && parameters.trim() !== '') {
    if (isFooocusJson(parameters, scheme)) return parseFooocus(parameters)!;
    if (isInfotext(parameters) || t.has('parameters')) return parseA1111(parameters);
  }
  const drawThings = drawThingsJson(s.xmp);
  if (drawThings) return parseDrawThings(drawThings);
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
    cameraModel: text(ifd0['Model']),
    xmp: typeof xmp === 'string' ? xmp : undefined,
  };
}

export function isImageReadError(error: unknown): error is NotAnImageError | CorruptImageError {
  return error instanceof NotAnImageError || error instanceof CorruptImageError;
}

export type { ImageFormat };
