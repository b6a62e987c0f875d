import { EMPTY_FIELDS, numberOrNull, seedOrNull, parseJsonObject, stringOrNull, textParameters, type GenerationFields } from './types.js';

// Fooocus (modules/meta_parser.py, FooocusMetadataParser.parse_string): `parameters` holds a
// JSON object (keys sorted) and `fooocus_scheme` says "fooocus"; in JPEG/WebP the JSON is the
// EXIF UserComment and the scheme the MakerNote. resolution is a Python tuple text "(1024, 1024)".
const KNOWN = ['prompt', 'negative_prompt', 'seed', 'steps', 'sampler', 'scheduler', 'guidance_scale', 'resolution', 'base_model', 'base_model_hash'];
const RESOLUTION = /^\(?\s*'?(\d+)'?\s*,\s*'?(\d+)'?\s*\)?$/;

export function isFooocusJson(text: string, scheme: string | undefined): boolean {
  const json = parseJsonObject(text);
  if (!json) return false;
  return scheme === 'fooocus' || (typeof json['version'] === 'string' && /Fooocus/i.test(json['version'])) || 'full_prompt' in json;
}

export function parseFooocus(text: string): GenerationFields | null {
  const json = parseJsonObject(text);
  if (!json) return null;
  const size = RESOLUTION.exec(stringOrNull(json['resolution']) ?? '');
  return {
    ...EMPTY_FIELDS,
    tool: 'fooocus',
    prompt: stringOrNull(json['prompt']),
    negativePrompt: stringOrNull(json['negative_prompt']),
    seed: seedOrNull(json['seed']),
    steps: numberOrNull(json['steps']),
    sampler: stringOrNull(json['sampler']),
    scheduler: stringOrNull(json['scheduler']),
    cfgScale: numberOrNull(json['guidance_scale']),
    width: size ? Number(size[1]) : null,
    height: size ? Number(size[2]) : null,
    model: { name: stringOrNull(json['base_model']), hash: stringOrNull(json['base_model_hash']) },
    parameters: textParameters(json, KNOWN),
  };
}
