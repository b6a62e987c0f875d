import { xmlUnescape } from './aigc-label.js';
import { EMPTY_FIELDS, numberOrNull, parseJsonObject, seedOrNull, stringOrNull, textParameters, type GenerationFields } from './types.js';

// Draw Things (iOS/macOS) writes XMP (PNG iTXt `XML:com.adobe.xmp`) with xmp:CreatorTool
// "Draw Things" and, in exif:UserComment (an rdf:Alt), a JSON of the generation: c (prompt),
// uc (negative), seed, steps, scale, sampler, size "WxH", model, strength, seed_mode, lora…
// (as SD Prompt Reader's format/drawthings.py and sd-parsers read it).
const USER_COMMENT = /<exif:UserComment>[\s\S]*?<rdf:li[^>]*>([\s\S]*?)<\/rdf:li>/;
const KNOWN = ['c', 'uc', 'seed', 'steps', 'scale', 'sampler', 'size', 'model'];

export function drawThingsJson(xmp: string | undefined): Record<string, unknown> | null {
  if (xmp === undefined || !/Draw Things/i.test(xmp)) return null;
  const m = USER_COMMENT.exec(xmp);
  if (!m) return null;
  const json = parseJsonObject(xmlUnescape(m[1]!.replace(/^<!\[CDATA\[|\]\]>$/g, '')).trim());
  return json && ('c' in json || 'seed' in json) ? json : null;
}

export function parseDrawThings(json: Record<string, unknown>): GenerationFields {
  const size = /^(\d+)\s*x\s*(\d+)$/.exec(stringOrNull(json['size']) ?? '');
  return {
    ...EMPTY_FIELDS,
    tool: 'drawthings',
    prompt: stringOrNull(json['c']),
    negativePrompt: stringOrNull(json['uc']),
    seed: seedOrNull(json['seed']),
    steps: numberOrNull(json['steps']),
    sampler: stringOrNull(json['sampler']),
    cfgScale: numberOrNull(json['scale']),
    width: size ? Number(size[1]) : null,
    height: size ? Number(size[2]) : null,
    model: { name: stringOrNull(json['model']), hash: null },
    parameters: textParameters(json, KNOWN),
  };
}
