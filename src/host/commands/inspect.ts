import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ImageMetadata } from '../../core/capture/creation/metadata/index.js';
import { collect, readTrustFlag, UsageError, type CliContext } from '../cli-context.js';

// The metadata parsers load when an image is inspected, not at every start of the command line.
const metadataModule = () => Promise.all([import('../../core/capture/creation/metadata/index.js'), import('../../core/capture/creation/metadata/payload.js')]);

const TOOL_NAMES: Readonly<Record<ImageMetadata['tool'], string>> = {
  a1111: 'AUTOMATIC1111',
  forge: 'Stable Diffusion WebUI Forge',
  reforge: 'Stable Diffusion WebUI reForge',
  comfyui: 'ComfyUI',
  invokeai: 'InvokeAI',
  fooocus: 'Fooocus',
  novelai: 'NovelAI',
  midjourney: 'Midjourney',
  swarmui: 'SwarmUI',
  drawthings: 'Draw Things',
  c2pa: 'named by its C2PA Content Credentials',
  unknown: 'unknown (no generator metadata found)',
};

/** `proofline inspect FILE`: what an AI tool embedded in an image, without opening a session. */
export function registerInspectCommands(program: Command, context: CliContext): void {
  program
    .command('inspect')
    .description('show the generation parameters embedded in a PNG, JPEG or WebP (exit 2 if it is not a readable image)')
    .argument('<file>', 'the image')
    .option('--json', 'print the parsed metadata as JSON (tool, prompt, negativePrompt, seed as exact digits, steps, sampler, cfgScale, width, height, model, raw, aigcLabel, c2pa)')
    .option('--archive <zip>', 'check a published image against its evidence archive: Content Credentials, device, archive, TC260 label, time-stamp (exit 0 all match, 1 a mismatch, 2 unusable input, 3 no trusted time)')
    .option('--trust <cert>', 'with --archive: trusted TSA root certificate file (PEM or DER) for the time-stamp; repeat for several', collect, [])
    .action(async (file: string, opts: { json?: boolean; archive?: string; trust: string[] }) => {
      if (opts.archive !== undefined) {
        context.out(await checkAgainstArchive(resolve(file), resolve(opts.archive), opts.trust, opts.json === true));
        return;
      }
      const [{ isImageReadError, readImageMetadata }, { metadataJson }] = await metadataModule();
      let metadata: ImageMetadata;
      try {
        metadata = await readImageMetadata(resolve(file));
      } catch (error) {
        if (isImageReadError(error)) throw new UsageError(error.message);
        throw error;
      }
      context.out(opts.json ? `${JSON.stringify(metadataJson(metadata), null, 2)}\n` : formatMetadata(file, metadata));
    });
}

async function checkAgainstArchive(file: string, archive: string, trust: readonly string[], json: boolean): Promise<string> {
  const [{ checkPublishedImage }, { formatPublishedCheck }, { ProoflineError }] = await Promise.all([
    import('../../core/provenance/published-check.js'),
    import('./published-check-output.js'),
    import('../../core/errors.js'),
  ]);
  const trustedRoots = await readTrustFlag(trust);
  try {
    const result = await checkPublishedImage(file, archive, trustedRoots);
    process.exitCode = result.exitCode;
    return json ? `${JSON.stringify(result, null, 2)}\n` : formatPublishedCheck(result);
  } catch (error) {
    if (error instanceof ProoflineError && error.code === 'publish.check-input') throw new UsageError(error.message);
    throw error;
  }
}

export function formatMetadata(file: string, m: ImageMetadata): string {
  const lines = [`${file}: ${m.format.toUpperCase()} ${m.image.width ?? '?'}×${m.image.height ?? '?'}`, `tool       ${TOOL_NAMES[m.tool]}`];
  const add = (label: string, value: string | number | null): void => {
    if (value !== null && value !== '') lines.push(`${label.padEnd(10)} ${String(value).replace(/\n/g, '\n           ')}`);
  };
  add('prompt', m.prompt);
  add('negative', m.negativePrompt);
  add('seed', m.seed);
  add('steps', m.steps);
  add('sampler', [m.sampler, m.scheduler].filter(Boolean).join(' / ') || null);
  add('cfg scale', m.cfgScale);
  add('size', m.width !== null && m.height !== null ? `${m.width}×${m.height}` : null);
  add('model', [m.model.name, m.model.hash ? `(${m.model.hash})` : null].filter(Boolean).join(' ') || null);
  add('input', m.inputImage);
  add('software', m.software);
  for (const [key, value] of Object.entries(m.parameters)) add(key.length > 10 ? `${key.slice(0, 9)}…` : key, value.length > 120 ? `${value.slice(0, 117)}…` : value);
  if (m.aigcLabel) {
    lines.push(`AIGC label ${m.aigcLabel.label ?? '?'}: ${m.aigcLabel.meaning ?? 'unknown label value'} (GB 45438-2025, in ${m.aigcLabel.carrier})`);
    add('producer', m.aigcLabel.contentProducer);
    add('produce id', m.aigcLabel.produceId);
  }
  if (m.c2pa) {
    const c = m.c2pa;
    lines.push(`C2PA       ${c.validationState ?? '?'} manifest by ${c.claimGenerator ?? '?'}${c.validationCodes.length > 0 ? ` (${c.validationCodes.join(', ')})` : ''}`);
    add('generator', [c.generator, c.digitalSourceType?.replace(/^.*\//, '')].filter(Boolean).join(', ') || null);
    add('actions', c.actions.map((a) => a.action.replace(/^c2pa\./, '')).join(', ') || null);
    add('signer', [c.signer.commonName, c.signer.issuer ? `issued by ${c.signer.issuer}` : null, c.signer.time].filter(Boolean).join(', ') || null);
  }
  const rawKeys = Object.entries(m.raw).map(([key, value]) => `${key} (${value.length} chars)`);
  lines.push(`embedded   ${rawKeys.length > 0 ? rawKeys.join(', ') : 'nothing'}`);
  for (const warning of m.warnings) lines.push(`warning    ${warning}`);
  return `${lines.join('\n')}\n`;
}
