import { EMPTY_FIELDS, numberOrNull, seedOrNull, type GenerationFields } from './types.js';

// AUTOMATIC1111's infotext (modules/infotext_utils.py, parse_generation_parameters): prompt
// lines, then "Negative prompt: …" lines, then one line of `Key: value, Key: "quoted, value"`.
// The last line counts as the settings line only when it holds at least three such pairs.
const PARAM = /\s*([\w ]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;
const NEGATIVE = 'Negative prompt:';

export interface InfotextParts {
  readonly prompt: string;
  readonly negativePrompt: string | null;
  readonly settings: Record<string, string>;
}

export function splitInfotext(text: string): InfotextParts {
  const lines = text.trim().split('\n');
  let settingsLine = '';
  const last = lines[lines.length - 1] ?? '';
  if (lines.length > 0 && [...last.matchAll(PARAM)].length >= 3) {
    settingsLine = last;
    lines.pop();
  }
  const prompt: string[] = [];
  let negative: string[] | null = null;
  for (const line of lines) {
    if (negative === null && line.trimStart().startsWith(NEGATIVE)) {
      negative = [line.trimStart().slice(NEGATIVE.length).trimStart()];
    } else if (negative !== null) {
      negative.push(line);
    } else {
      prompt.push(line);
    }
  }
  const settings: Record<string, string> = {};
  for (const match of settingsLine.matchAll(PARAM)) {
    const key = match[1]!.trim();
    let value = match[2]!.trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    }
    if (key) settings[key] = value;
  }
  return { prompt: prompt.join('\n').trim(), negativePrompt: negative === null ? null : negative.join('\n').trim(), settings };
}

/** Whether a `parameters` text looks like A1111/Forge infotext (and not JSON). */
export function isInfotext(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return false;
  const last = trimmed.split('\n').pop() ?? '';
  return [...last.matchAll(PARAM)].length >= 3 && /\b(Steps|Seed|Sampler):/.test(last);
}

const SIZE = /^(\d+)\s*x\s*(\d+)$/;
const KNOWN = ['Steps', 'Sampler', 'Schedule type', 'CFG scale', 'Seed', 'Size', 'Model', 'Model hash'];

// Forge (lllyasviel/stable-diffusion-webui-forge, modules/launch_utils.py git_tag) writes
// `Version: f<forge version>-<A1111 tag>`, e.g. "f2.0.1v1.10.1-previous-313-g3a9e8b9a".
// reForge (Panchovix/stable-diffusion-webui-reForge, modules_forge/forge_version.py) writes its
// own version with no "f": "2.0.0dev-v1.10.1RC", "1.0.0-v1.10.1RC-latest-…".
// A1111 itself writes its git tag, "v1.10.1".
function toolOfVersion(version: string): GenerationFields['tool'] {
  if (/^Fooocus/i.test(version)) return 'fooocus';
  if (/reforge/i.test(version) || /^\d+\.\d+[\w.]*-v\d+\.\d+/.test(version)) return 'reforge';
  if (/^f\d/.test(version)) return 'forge';
  return 'a1111';
}

export function parseA1111(text: string): GenerationFields {
  const { prompt, negativePrompt, settings } = splitInfotext(text);
  const size = SIZE.exec(settings['Size'] ?? '');
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) if (!KNOWN.includes(key)) parameters[key] = value;
  return {
    ...EMPTY_FIELDS,
    tool: toolOfVersion(settings['Version'] ?? ''),
    prompt,
    negativePrompt,
    seed: seedOrNull(settings['Seed']),
    steps: numberOrNull(settings['Steps']),
    sampler: settings['Sampler'] ?? null,
    scheduler: settings['Schedule type'] ?? null,
    cfgScale: numberOrNull(settings['CFG scale']),
    width: size ? Number(size[1]) : null,
    height: size ? Number(size[2]) : null,
    model: { name: settings['Model'] ?? null, hash: settings['Model hash'] ?? null },
    parameters,
  };
}
