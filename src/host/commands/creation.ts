import { resolve } from 'node:path';
import { Argument, Option, type Command } from 'commander';
import type { EnvironmentSnapshot as Snapshot } from '../../core/capture/environment/environment.js';
import type { ParsedInputOf } from '../../shared/contract.js';
import type { JsonValue } from '../../shared/domain.js';
import type { Comparison, EnvironmentSnapshot, Gallery, WordDiff } from '../../shared/views.js';
import { collect, ttyProgress, UsageError, type CliContext } from '../cli-context.js';

type Relation = ParsedInputOf<'generation.link'>['relation'];
type Mark = ParsedInputOf<'generation.mark'>['mark'];

/**
 * The creator's own record: marks, lineage links, comparisons, the environment, the gallery,
 * each through its operation of the contract (generation.*, environment.snapshot).
 */
export function registerCreationCommands(program: Command, context: CliContext): void {
  const { out } = context;
  const markArgument = new Argument('<mark>', 'selected, rejected or final');
  const relationOption = new Option('--relation <relation>', 'how TO came from FROM').makeOptionMandatory();
  // The choices are the contract's (a mark or relation the operation refuses is never offered),
  // set when `mark` or `link` is about to parse: the contract brings zod, which every other
  // command, and `proofline --help`, would otherwise load for nothing.
  program.hook('preSubcommand', async (_program, command) => {
    if (command.name() !== 'mark' && command.name() !== 'link') return;
    const { operations } = await import('../../shared/contract.js');
    markArgument.choices([...operations['generation.mark'].input.shape.mark.options]);
    relationOption.choices([...operations['generation.link'].input.shape.relation.options]);
  });

  program
    .command('mark')
    .description('mark a generation of the session as selected, rejected or final (a later mark supersedes an earlier one)')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<sha256>', 'the image: its SHA-256 or a unique prefix of at least 8 hex digits')
    .addArgument(markArgument)
    .option('--reason <text>', 'why')
    .action(async (id: string, sha: string, mark: string, opts: { reason?: string }) => {
      const event = await context.withHost((host) => host.call('generation.mark', { id, sha256: sha, mark: mark as Mark, reason: opts.reason }));
      out(`marked ${String(event.payload['sha256'])} ${mark} (event ${event.seq} ${event.hash})\n`);
    });

  program
    .command('link')
    .description('record that one image came from another (lineage)')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<from>', 'the earlier image (SHA-256 or unique prefix)')
    .argument('<to>', 'the image made from it')
    .addOption(relationOption)
    .option('--note <text>', 'free text')
    .action(async (id: string, from: string, to: string, opts: { relation: Relation; note?: string }) => {
      const event = await context.withHost((host) => host.call('generation.link', { id, from, to, relation: opts.relation, note: opts.note }));
      const p = event.payload;
      out(`linked ${String(p['from'])} -> ${String(p['to'])} (${opts.relation}, event ${event.seq} ${event.hash})\n`);
    });

  program
    .command('compare')
    .description('compare two images of the session (perceptual distance, pixel difference, heatmap, parameter and prompt diff) and record it')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<a>', 'first image (SHA-256 or unique prefix)')
    .argument('<b>', 'second image')
    .option('--out <dir>', 'also write the heatmap PNG into this folder')
    .option('--ffmpeg <path>', 'ffmpeg to decode images that are neither PNG nor JPEG')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, a: string, b: string, opts: { out?: string; ffmpeg?: string; json?: boolean }) => {
      const result = await context.withHost((host) => host.call('generation.compare', { id, a, b, out: opts.out ? resolve(opts.out) : undefined, ffmpegPath: opts.ffmpeg }));
      out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatComparison(result));
    });

  program
    .command('env')
    .description('record a snapshot of the environment (OS, CPU, GPUs, displays, ffmpeg, ComfyUI, model hashes, clock offset) into a session')
    .argument('[id]', 'session id or a unique prefix of it (not needed with --print)')
    .option('--models <dir>', 'a model folder to hash; repeat for several', collect, [])
    .option('--comfyui <url>', 'ComfyUI base URL, to read its /system_stats')
    .option('--a1111 <url>', 'Stable Diffusion web UI (AUTOMATIC1111/Forge, started with --api) base URL, to read the loaded checkpoint')
    .option('--ffmpeg <path>', 'the ffmpeg in use (default: FFMPEG_PATH, ffmpeg-static, PATH)')
    .option('--print', 'only print the snapshot; record nothing')
    .option('--json', 'print the whole snapshot as JSON')
    .action(async (id: string | undefined, opts: { models: string[]; comfyui?: string; a1111?: string; ffmpeg?: string; print?: boolean; json?: boolean }) => {
      if (!id && !opts.print) throw new UsageError('give a session id to record the snapshot into, or --print to only print it');
      for (const [flag, url] of [['--comfyui', opts.comfyui], ['--a1111', opts.a1111]] as const) {
        if (url && !/^https?:\/\//.test(url)) throw new UsageError(`${flag} '${url}' must start with http:// or https://`);
      }
      const progress = ttyProgress('hashing model files');
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once('SIGINT', onSigint);
      try {
        // With an id the snapshot is recorded into the session (--print or not); without, only taken.
        const input = { id, models: opts.models.map((d) => resolve(d)), comfyuiUrl: opts.comfyui, a1111Url: opts.a1111, ffmpegPath: opts.ffmpeg };
        const taken = await context.withHost((host) => host.call('environment.snapshot', input, { progress: progress?.update, signal: abort.signal }));
        if (taken.recorded && !opts.json) out(`recorded environment.snapshot (event ${taken.recorded.seq} ${taken.recorded.hash})\n`);
        progress?.end();
        out(opts.json ? `${JSON.stringify(taken.snapshot, null, 2)}\n` : formatEnvironment(taken));
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });

  program
    .command('gallery')
    .description('the creation view of a session: images, marks, lineage edges, comparisons, notes')
    .argument('<id>', 'session id or a unique prefix of it')
    .option('--json', 'print the view as JSON (for scripts)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const gallery = await context.withHost((host) => host.call('generation.gallery', { id }));
      out(opts.json ? `${JSON.stringify(galleryRecord(gallery), null, 2)}\n` : formatGallery(gallery));
    });
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.001 && ratio > 0 ? 4 : 2)}%`;
}

function value(v: JsonValue): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function words(diff: readonly WordDiff[]): string {
  return diff.map((d) => (d.op === 'same' ? d.text : d.op === 'removed' ? `[-${d.text}-]` : `{+${d.text}+}`)).join(' ');
}

function formatComparison(r: Comparison): string {
  const lines = [
    `a                  ${r.a}`,
    `b                  ${r.b}`,
    `size               ${r.size.width}x${r.size.height}${r.resized ? ` (b was ${r.resized.from.width}x${r.resized.from.height}, resized to a's size to compare pixels)` : ''}`,
    `perceptual         pHash distance ${r.hammingDistance}/64, dHash distance ${r.dHashDistance}/64`,
    `differing pixels   ${r.differingPixels} (${percent(r.differingPixelRatio)})`,
    `heatmap            ${r.heatmapPath ?? `stored as ${r.heatmapSha256}`}`,
  ];
  const { changes, same, aHasParameters, bHasParameters } = r.paramDiff;
  if (!aHasParameters && !bHasParameters) lines.push('parameters         none recorded for either image');
  else {
    lines.push(`parameters         ${changes.length} differ, ${same.length} same${!aHasParameters ? ' (none recorded for a)' : !bHasParameters ? ' (none recorded for b)' : ''}`);
    for (const c of changes) lines.push(`  ${c.field}: ${c.change === 'added' ? '(absent)' : value(c.a)} -> ${c.change === 'removed' ? '(absent)' : value(c.b)}`);
  }
  if (r.promptDiff.some((d) => d.op !== 'same')) lines.push(`prompt             ${words(r.promptDiff)}`);
  if (r.negativePromptDiff.some((d) => d.op !== 'same')) lines.push(`negative prompt    ${words(r.negativePromptDiff)}`);
  lines.push(`recorded           comparison.made, event ${r.event.seq} ${r.event.hash}`);
  return `${lines.join('\n')}\n`;
}

function formatEnvironment(taken: EnvironmentSnapshot): string {
  const { summary } = taken;
  // The snapshot is environment.json as the core wrote it (type only: nothing of the core loads).
  const s = taken.snapshot as unknown as Snapshot;
  const lines: string[] = [];
  for (const key of ['app', 'os', 'cpu', 'memoryBytes', 'gpus', 'displays', 'ffmpeg', 'comfyui', 'a1111', 'models', 'clockOffsetMs'] as const) {
    const v = summary[key];
    lines.push(`${key.padEnd(14)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  if (s.models.available) {
    for (const folder of s.models.folders) {
      if (!folder.available) lines.push(`  ${folder.folder}: not available: ${folder.reason}`);
      else for (const f of folder.files) lines.push(`  ${f.sha256}  ${f.path}${f.cached ? ' (cached)' : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `gallery --json`: the creation record as scripts have always read it: each image with
 * `firstSeq`, its latest `mark` (reason null when none was given) after its `markHistory`.
 */
function galleryRecord(g: Gallery): object {
  return {
    images: g.images.map((i) => {
      const latest = i.markHistory[i.markHistory.length - 1];
      return {
        sha256: i.sha256,
        name: i.name,
        mime: i.mime,
        size: i.size,
        firstSeq: i.seq,
        time: i.time,
        source: i.source,
        ...(i.path === undefined ? {} : { path: i.path }),
        ...(i.metadata === null ? {} : { metadata: i.metadata }),
        markHistory: i.markHistory,
        ...(latest ? { mark: latest } : {}),
      };
    }),
    edges: g.edges,
    comparisons: g.comparisons,
    notes: g.notes,
  };
}

function formatGallery(g: Gallery): string {
  if (g.images.length === 0) return 'No images in this session yet.\n';
  const lines = g.images.map((i) => `${i.sha256.slice(0, 12)}  ${i.source.padEnd(7)}  ${(i.mark?.mark ?? '-').padEnd(8)}  ${i.time}  ${i.name}`);
  if (g.edges.length > 0) lines.push('', ...g.edges.map((e) => `${e.from.slice(0, 12)} -> ${e.to.slice(0, 12)}  ${e.relation}${e.inferred ? ' (inferred)' : ''}`));
  if (g.comparisons.length > 0) lines.push('', ...g.comparisons.map((c) => `compared ${c.a.slice(0, 12)} ${c.b.slice(0, 12)}: pHash ${c.hammingDistance}/64, ${percent(c.differingPixelRatio)} pixels differ`));
  return `${lines.join('\n')}\n`;
}
