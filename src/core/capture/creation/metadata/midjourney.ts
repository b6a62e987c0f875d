import { EMPTY_FIELDS, numberOrNull, seedOrNull, type GenerationFields } from './types.js';

// Midjourney downloads carry the prompt with its parameters and the job id in a Description:
// PNG tEXt `Description`, XMP dc:description, or EXIF ImageDescription, e.g.
// "a red fox in snow --ar 3:2 --v 6.1 --seed 42 Job ID: 1b7c…". Author is the account name.
const JOB_ID = /\s*Job ID:\s*([0-9a-f-]{8,})\s*$/i;
const FLAG = /\s--([a-z]+)(?:\s+([^\s-][^\s]*))?/gi;

export function isMidjourney(description: string | undefined, xmp: string | undefined): boolean {
  return (description !== undefined && JOB_ID.test(description)) || /midjourney/i.test(xmp ?? '');
}

export function parseMidjourney(description: string): GenerationFields {
  const job = JOB_ID.exec(description);
  const body = job ? description.slice(0, job.index) : description;
  const firstFlag = body.search(/\s--[a-z]/i);
  const prompt = (firstFlag < 0 ? body : body.slice(0, firstFlag)).trim();
  const flags: Record<string, string> = {};
  for (const m of (firstFlag < 0 ? '' : body.slice(firstFlag)).matchAll(FLAG)) flags[m[1]!.toLowerCase()] = m[2] ?? 'true';
  const version = flags['v'] ?? flags['version'];
  const niji = flags['niji'];
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(flags)) parameters[`--${key}`] = value;
  if (job) parameters['Job ID'] = job[1]!;
  return {
    ...EMPTY_FIELDS,
    tool: 'midjourney',
    prompt,
    negativePrompt: flags['no'] ?? null,
    seed: seedOrNull(flags['seed']),
    model: { name: niji ? `niji ${niji}` : version ? `Midjourney v${version}` : 'Midjourney', hash: null },
    parameters,
  };
}
