import { EMPTY_FIELDS, numberOrNull, seedOrNull, type GenerationFields } from './types.js';

// InvokeAI 1.x–2.x wrote a PNG tEXt chunk `Dream` holding the command that made the image
// (ldm/invoke/args.py, Args.dream_prompt_str): the quoted prompt, then switches, e.g.
//   "a fox [blurry]" -s 50 -S 2980747362 -W 512 -H 768 -C 5 -A k_lms -G 0.9 -U 4 0.95
// Text in square brackets is the negative ("unconditioned") prompt. A switch may take several
// values (-U scale strength) or none (--seamless).
const SWITCHES: Readonly<Record<string, string>> = {
  s: 'steps', S: 'seed', W: 'width', H: 'height', C: 'cfg_scale', A: 'sampler', I: 'init_img', f: 'strength',
  G: 'gfpgan_strength', U: 'upscale', cf: 'codeformer_fidelity', ft: 'facetool', V: 'variation_amount', P: 'perlin', M: 'init_mask', tm: 'text_mask',
};
const COMMAND = /^\s*"((?:\\.|[^"\\])*)"(.*)$/s;
const NEGATIVE = /\[([^\]]*)\]/g;

/** InvokeAI 2.x prompts carry their negative part in square brackets. */
export function splitBracketNegative(text: string): { prompt: string; negative: string | null } {
  const negatives = [...text.matchAll(NEGATIVE)].map((m) => m[1]!.trim()).filter(Boolean);
  return { prompt: text.replace(NEGATIVE, ' ').replace(/\s+/g, ' ').trim(), negative: negatives.length > 0 ? negatives.join(', ') : null };
}

export function parseDream(text: string): GenerationFields | null {
  const command = COMMAND.exec(text);
  if (!command) return null;
  const switches: Record<string, string> = {};
  let current: string | null = null;
  for (const token of command[2]!.trim().split(/\s+/).filter(Boolean)) {
    const name = /^--?([A-Za-z_][\w-]*)$/.exec(token);
    if (name) {
      current = SWITCHES[name[1]!] ?? name[1]!;
      switches[current] = '';
    } else if (current !== null) switches[current] = switches[current] ? `${switches[current]} ${token}` : token;
  }
  const { prompt, negative } = splitBracketNegative(command[1]!.replace(/\\(.)/g, '$1'));
  const { steps, seed, width, height, cfg_scale: cfg, sampler, init_img: init, ...rest } = switches;
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) parameters[key] = value === '' ? 'true' : value;
  return {
    ...EMPTY_FIELDS,
    tool: 'invokeai',
    prompt,
    negativePrompt: negative,
    seed: seedOrNull(seed),
    steps: numberOrNull(steps),
    sampler: sampler ?? null,
    cfgScale: numberOrNull(cfg),
    width: numberOrNull(width),
    height: numberOrNull(height),
    inputImage: init ?? null,
    parameters: { ...parameters, format: 'Dream' },
  };
}
