import { EMPTY_FIELDS, numberOrNull, parseJsonObject, seedOrNull, stringOrNull, textParameters, type GenerationFields } from './types.js';

// SwarmUI (mcmonkeyprojects/SwarmUI, T2IParamInput / Image metadata): a JSON object whose
// `sui_image_params` holds the user's parameters under Swarm's ids (prompt, negativeprompt,
// model, seed, steps, cfgscale, width, height, sampler, scheduler, swarm_version…), beside
// `sui_extra_data` and `sui_models`. PNG: the `parameters` text; JPEG/WebP: EXIF UserComment,
// or in older builds (StableSwarmUI) the EXIF Model tag (0x0110).
const KNOWN = ['prompt', 'negativeprompt', 'model', 'seed', 'steps', 'cfgscale', 'width', 'height', 'sampler', 'scheduler', 'comfyuisampler', 'autowebuisampler', 'initimage'];

export function swarmParams(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined || !text.includes('sui_image_params')) return null;
  const json = parseJsonObject(text.trim());
  const params = json?.['sui_image_params'];
  return params !== null && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : null;
}

export function parseSwarmUI(params: Record<string, unknown>): GenerationFields {
  return {
    ...EMPTY_FIELDS,
    tool: 'swarmui',
    prompt: stringOrNull(params['prompt']),
    negativePrompt: stringOrNull(params['negativeprompt']),
    seed: seedOrNull(params['seed']),
    steps: numberOrNull(params['steps']),
    sampler: stringOrNull(params['sampler'] ?? params['comfyuisampler'] ?? params['autowebuisampler']),
    scheduler: stringOrNull(params['scheduler']),
    cfgScale: numberOrNull(params['cfgscale']),
    width: numberOrNull(params['width']),
    height: numberOrNull(params['height']),
    model: { name: stringOrNull(params['model']), hash: null },
    inputImage: typeof params['initimage'] === 'string' && params['initimage'].length < 512 ? params['initimage'] : null,
    parameters: textParameters(params, KNOWN),
  };
}
