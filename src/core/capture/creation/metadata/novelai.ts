import { EMPTY_FIELDS, numberOrNull, seedOrNull, parseJsonObject, stringOrNull, textParameters, type GenerationFields } from './types.js';

// NovelAI PNGs carry tEXt `Software` = "NovelAI", `Source` = model name and a short hash
// ("Stable Diffusion XL C1E1DE52", "NovelAI Diffusion V4.5 4BDE2A90"), `Description` = the
// prompt, and `Comment` = JSON of the request: prompt, uc (undesired content, the negative),
// steps, scale, seed, sampler, width, height, noise_schedule, and for V4 v4_prompt captions.
const KNOWN = ['prompt', 'uc', 'steps', 'scale', 'seed', 'sampler', 'width', 'height', 'noise_schedule'];
const SOURCE = /^(.*?)\s+([0-9A-F]{8})$/i;

export function isNovelAI(texts: ReadonlyMap<string, string>): boolean {
  return /NovelAI/i.test(texts.get('Software') ?? '') || (texts.has('Comment') && /NovelAI/i.test(texts.get('Source') ?? ''));
}

export function parseNovelAI(texts: ReadonlyMap<string, string>, warnings: string[]): GenerationFields {
  const comment = parseJsonObject(texts.get('Comment'));
  if (texts.has('Comment') && !comment) warnings.push('the NovelAI `Comment` text is not JSON; kept as raw text');
  const c = comment ?? {};
  const source = texts.get('Source') ?? '';
  const match = SOURCE.exec(source.trim());
  const v4 = (c['v4_prompt'] as { caption?: { base_caption?: unknown } } | undefined)?.caption?.base_caption;
  const v4uc = (c['v4_negative_prompt'] as { caption?: { base_caption?: unknown } } | undefined)?.caption?.base_caption;
  return {
    ...EMPTY_FIELDS,
    tool: 'novelai',
    prompt: stringOrNull(c['prompt']) ?? stringOrNull(v4) ?? texts.get('Description') ?? null,
    negativePrompt: stringOrNull(c['uc']) ?? stringOrNull(v4uc),
    seed: seedOrNull(c['seed']),
    steps: numberOrNull(c['steps']),
    sampler: stringOrNull(c['sampler']),
    scheduler: stringOrNull(c['noise_schedule']),
    cfgScale: numberOrNull(c['scale']),
    width: numberOrNull(c['width']),
    height: numberOrNull(c['height']),
    model: { name: match ? match[1]! : source || null, hash: match ? match[2]! : null },
    parameters: textParameters(c, [...KNOWN, 'v4_prompt', 'v4_negative_prompt']),
  };
}
