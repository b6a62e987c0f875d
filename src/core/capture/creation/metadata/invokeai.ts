import { parseDream, splitBracketNegative } from './invokeai-dream.js';
import { EMPTY_FIELDS, numberOrNull, seedOrNull, parseJsonObject, stringOrNull, textParameters, type GenerationFields } from './types.js';

// InvokeAI 3.x–5.x write the `invokeai_metadata` PNG text (JSON of the core_metadata node):
// positive_prompt, negative_prompt, seed, steps, cfg_scale, scheduler, width, height, model
// ({name, hash, base…}; 3.x: {model_name, base_model}). InvokeAI 2.x wrote `sd-metadata`
// (negative prompt in [brackets]) beside `Dream`, the command line (invokeai-dream.ts).
const KNOWN = ['positive_prompt', 'negative_prompt', 'seed', 'steps', 'cfg_scale', 'scheduler', 'width', 'height', 'model'];

export function parseInvokeAI(metadataText: string | undefined, legacyText: string | undefined, warnings: string[], dreamText?: string): GenerationFields | null {
  const meta = parseJsonObject(metadataText);
  if (metadataText !== undefined && !meta) warnings.push('the `invokeai_metadata` text is not JSON; kept as raw text');
  if (meta) {
    const model = (meta['model'] ?? {}) as Record<string, unknown>;
    const init = meta['init_image'] ?? meta['image'];
    const initName = typeof init === 'string' ? init : stringOrNull((init as Record<string, unknown> | undefined)?.['image_name']);
    return {
      ...EMPTY_FIELDS,
      tool: 'invokeai',
      prompt: stringOrNull(meta['positive_prompt']),
      negativePrompt: stringOrNull(meta['negative_prompt']),
      seed: seedOrNull(meta['seed']),
      steps: numberOrNull(meta['steps']),
      sampler: stringOrNull(meta['scheduler']),
      scheduler: stringOrNull(meta['scheduler']),
      cfgScale: numberOrNull(meta['cfg_scale']),
      width: numberOrNull(meta['width']),
      height: numberOrNull(meta['height']),
      model: { name: stringOrNull(model['name'] ?? model['model_name']), hash: stringOrNull(model['hash']) },
      inputImage: initName,
      parameters: textParameters(meta, KNOWN),
    };
  }
  const legacy = parseJsonObject(legacyText);
  if (!legacy) {
    if (legacyText !== undefined) warnings.push('the InvokeAI `sd-metadata` text is not JSON; kept as raw text');
    const dream = dreamText === undefined ? null : parseDream(dreamText);
    if (dreamText !== undefined && !dream) warnings.push('the InvokeAI `Dream` text is not a quoted prompt followed by switches; kept as raw text');
    return dream;
  }
  const image = (legacy['image'] ?? {}) as Record<string, unknown>;
  const promptText = Array.isArray(image['prompt'])
    ? (image['prompt'] as Record<string, unknown>[]).map((p) => stringOrNull(p['prompt']) ?? '').join(' ')
    : stringOrNull(image['prompt']);
  const { prompt, negative } = promptText === null ? { prompt: null, negative: null } : splitBracketNegative(promptText);
  return {
    ...EMPTY_FIELDS,
    tool: 'invokeai',
    prompt,
    negativePrompt: negative,
    seed: seedOrNull(image['seed']),
    steps: numberOrNull(image['steps']),
    sampler: stringOrNull(image['sampler']),
    cfgScale: numberOrNull(image['cfg_scale']),
    width: numberOrNull(image['width']),
    height: numberOrNull(image['height']),
    model: { name: stringOrNull(legacy['model_weights']), hash: stringOrNull(legacy['model_hash']) },
    inputImage: stringOrNull(image['init_image_path']),
    parameters: textParameters(image, ['prompt', 'seed', 'steps', 'sampler', 'cfg_scale', 'width', 'height']),
  };
}
