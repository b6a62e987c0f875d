import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline } from '../../src/core/proofline.js';
import { mediaTypeOf } from '../../src/core/store/media-types.js';
import { proofline, run } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

const { PNG } = pngjs;

let root: string;
let tsa: RunningTsa;

/** A small picture: gradient sky, a sun at (sx, sy), a dark ground. */
function picture(width: number, height: number, sx: number, sy: number): { width: number; height: number; data: Buffer } {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      let rgb = [60 + 100 * v, 120 + 80 * v, 230 - 60 * u];
      if ((u - sx) ** 2 + ((v - sy) * (height / width)) ** 2 < 0.01) rgb = [250, 210, 60];
      if (v > 0.7) rgb = [40 + 30 * u, 70, 30];
      data.set([...rgb.map(Math.round), 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

function writePng(path: string, image: { width: number; height: number; data: Buffer }): void {
  const png = new PNG({ width: image.width, height: image.height });
  image.data.copy(png.data);
  writeFileSync(path, PNG.sync.write(png));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-creation-cli-'));
  tsa = await startTsa({ dir: root, name: 'Creation' });
});

afterAll(async () => {
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

// Each command is a fresh Node process (seconds each on a loaded two-core machine): the steps
// share one session and run in order, each with room for its commands.
const STEP = { timeout: 150_000 };

describe('marks, links, comparisons and the environment from the command line', () => {
  let data: string;
  let images: string;
  let out: string;
  let models: string;
  let id: string;
  let a: string;
  let b: string;
  let small: string;
  let jpg: string;
  let webp: string;
  let heatmapSha256: string;
  const cli = (args: string[]) => proofline(['--data', data, '--tsa', tsa.url, ...args]);

  it('marks generations by SHA-256 prefix, a later mark superseding, and refuses what it cannot mark', STEP, async () => {
    data = join(root, 'data');
    images = join(root, 'images');
    out = join(root, 'heatmaps');
    models = join(root, 'models');
    mkdirSync(images);
    mkdirSync(models);

    // Real images: two generations that differ in the sun's place, a smaller copy, a JPEG and a WebP.
    writePng(join(images, 'sunrise-1234.png'), picture(160, 120, 0.25, 0.3));
    writePng(join(images, 'sunrise-1235.png'), picture(160, 120, 0.7, 0.35));
    writePng(join(images, 'sunrise-small.png'), picture(80, 60, 0.25, 0.3));
    writeFileSync(join(images, 'sunrise.jpg'), jpeg.encode(picture(160, 120, 0.25, 0.3), 85).data);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', join(images, 'sunrise-1235.png'), '-lossless', '1', join(images, 'sunrise.webp')]);
    writeFileSync(join(models, 'tiny.safetensors'), Buffer.alloc(300_000, 7));

    const created = await cli(['session', 'new', '--title', 'Sunrise poster', '--json']);
    expect(created.code, created.stderr).toBe(0);
    id = (JSON.parse(created.stdout) as { id: string }).id;

    // Two generations as the folder watcher records them: generation.image with payload.metadata.
    const pl = openProofline({ dataDir: data });
    const generated: string[] = [];
    try {
      for (const [file, seed, prompt] of [['sunrise-1234.png', 1234, 'a sunrise over hills, warm light'], ['sunrise-1235.png', 1235, 'a sunrise over calm hills, cold light']] as const) {
        const path = join(images, file);
        const blob = await pl.blobs.putFile(path);
        pl.events.append(id, {
          type: 'generation.image',
          payload: { path, metadata: { tool: 'a1111', prompt, negativePrompt: 'blurry', seed, steps: 30, sampler: 'DPM++ 2M', model: { name: 'sdxl_base.safetensors', hash: '31e35c80fc' }, inputImage: null } },
          artifacts: [{ sha256: blob.sha256, size: blob.size, name: file, mime: mediaTypeOf(file) }],
        });
        generated.push(blob.sha256);
      }
    } finally {
      pl.close();
    }
    [a, b] = generated as [string, string];
    const attached = await cli(['attach', id, join(images, 'sunrise-small.png'), join(images, 'sunrise.jpg'), join(images, 'sunrise.webp')]);
    expect(attached.code, attached.stderr).toBe(0);
    [small, jpg, webp] = attached.stdout.trim().split('\n').map((line) => line.split(' ')[0]!) as [string, string, string];

    // Marks: by unique prefix; a later one supersedes; bad input is refused with the reason.
    const selected = await cli(['mark', id, a.slice(0, 10), 'selected', '--reason', 'the warm light matches the brief']);
    expect(selected.code, selected.stderr).toBe(0);
    expect(selected.stdout).toMatch(new RegExp(`^marked ${a} selected \\(event \\d+ [0-9a-f]{64}\\)`));
    expect((await cli(['mark', id, b, 'rejected'])).code).toBe(0);
    expect((await cli(['mark', id, a, 'final', '--reason', 'client approved'])).code).toBe(0);
    const unknown = await cli(['mark', id, 'deadbeef00', 'final']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No artifact with SHA-256 starting deadbeef00 is in session .*: only files already recorded in it can be marked/);
    const short = await cli(['mark', id, a.slice(0, 5), 'final']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/too short: give at least 8 hex digits/);
    const badMark = await cli(['mark', id, a, 'approved']);
    expect(badMark.code).not.toBe(0);
    expect(badMark.stderr).toMatch(/approved.*Allowed choices are selected, rejected, final/s);
  });

  it('links images, refusing a loop onto itself and unknown relations', STEP, async () => {
    const linked = await cli(['link', id, a, small, '--relation', 'upscale-of', '--note', 'downscaled for the thumbnail']);
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toMatch(new RegExp(`^linked ${a} -> ${small} \\(upscale-of, event \\d+`));
    const self = await cli(['link', id, a, a.slice(0, 12), '--relation', 'edit-of']);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/cannot come from itself/);
    expect((await cli(['link', id, a, b, '--relation', 'cousin'])).stderr).toMatch(/Allowed choices are img2img, variant, draft-of, edit-of, upscale-of/);
  });

  it('compares two generations: distances, heatmap on disk, parameter and prompt diff', STEP, async () => {
    const compared = await cli(['compare', id, a.slice(0, 8), b.slice(0, 8), '--out', out, '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const result = JSON.parse(compared.stdout) as {
      hammingDistance: number; dHashDistance: number; differingPixelRatio: number; differingPixels: number; heatmapPath: string; heatmapSha256: string; resized: unknown;
      paramChanges: { field: string; a: unknown; b: unknown }[]; promptDiff: { op: string; text: string }[]; negativePromptDiff: { op: string; text: string }[];
    };
    expect(result.hammingDistance).toBeGreaterThan(0);
    expect(result.hammingDistance).toBeLessThanOrEqual(64);
    expect(result.differingPixelRatio).toBeGreaterThan(0.005);
    expect(result.differingPixelRatio).toBeLessThan(0.2);
    expect(result.resized).toBeNull();
    expect(result.paramChanges).toEqual([
      { field: 'prompt', a: 'a sunrise over hills, warm light', b: 'a sunrise over calm hills, cold light', change: 'changed' },
      { field: 'seed', a: '1234', b: '1235', change: 'changed' },
    ]);
    expect(result.promptDiff).toEqual([
      { op: 'same', text: 'a sunrise over' },
      { op: 'added', text: 'calm' },
      { op: 'same', text: 'hills,' },
      { op: 'removed', text: 'warm' },
      { op: 'added', text: 'cold' },
      { op: 'same', text: 'light' },
    ]);
    expect(result.negativePromptDiff).toEqual([{ op: 'same', text: 'blurry' }]);
    const heatmap = PNG.sync.read(readFileSync(result.heatmapPath));
    expect([heatmap.width, heatmap.height]).toEqual([160, 120]);
    expect((await run('sha256sum', [result.heatmapPath])).stdout.split(' ')[0]).toBe(result.heatmapSha256);
    expect(existsSync(join(out, `heatmap-${a.slice(0, 12)}-${b.slice(0, 12)}.png`))).toBe(true);
    heatmapSha256 = result.heatmapSha256;
  });

  it('compares images of another size and format (JPEG, WebP through ffmpeg)', STEP, async () => {
    // Another size: B is resized to A's, and the output says so. The JPEG is near A.
    const resized = await cli(['compare', id, a, small]);
    expect(resized.code, resized.stderr).toBe(0);
    expect(resized.stdout).toMatch(/size\s+160x120 \(b was 80x60, resized to a's size to compare pixels\)/);
    expect(resized.stdout).toMatch(/parameters\s+\d+ differ, \d+ same \(none recorded for b\)/);
    const nearJpeg = JSON.parse((await cli(['compare', id, a, jpg, '--json'])).stdout) as { hammingDistance: number };
    expect(nearJpeg.hammingDistance).toBeLessThanOrEqual(4);
    // WebP goes through ffmpeg; it is B's picture, losslessly.
    const viaWebp = JSON.parse((await cli(['compare', id, b, webp, '--json'])).stdout) as { hammingDistance: number; differingPixels: number };
    expect(viaWebp).toMatchObject({ hammingDistance: 0, differingPixels: 0 });
  });

  it('records the environment with a model folder', STEP, async () => {
    const env = await cli(['env', id, '--models', models]);
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout).toMatch(/^recorded environment\.snapshot \(event \d+/);
    expect(env.stdout).toMatch(/ffmpeg\s+ffmpeg version /);
    expect(env.stdout).toContain(`${execFileSync('sha256sum', [join(models, 'tiny.safetensors')], { encoding: 'utf8' }).split(' ')[0]}  ${join(models, 'tiny.safetensors')}`);
    expect(env.stdout).toMatch(/clockOffsetMs\s+-?\d+/);
    const noId = await cli(['env']);
    expect(noId.code).toBe(2);
    expect(noId.stderr).toMatch(/give a session id .* or --print/);
  });

  it('shows it all in the gallery view, and carries it in a sealed archive that verifies', STEP, async () => {
    const galleryRun = await cli(['gallery', id, '--json']);
    expect(galleryRun.code, galleryRun.stderr).toBe(0);
    const gallery = JSON.parse(galleryRun.stdout) as {
      images: { sha256: string; source: string; mark?: { mark: string; reason: string | null }; markHistory: { mark: string }[]; metadata?: { seed?: number } }[];
      edges: { from: string; to: string; relation: string; inferred: boolean }[];
      comparisons: { a: string; b: string; heatmapSha256: string }[];
    };
    expect(gallery.images.map((i) => [i.sha256, i.source])).toEqual([[a, 'watch'], [b, 'watch'], [small, 'attach'], [jpg, 'attach'], [webp, 'attach']]);
    const imageA = gallery.images[0]!;
    expect(imageA.mark).toMatchObject({ mark: 'final', reason: 'client approved' });
    expect(imageA.markHistory.map((m) => m.mark)).toEqual(['selected', 'final']);
    expect(gallery.images[1]!.mark).toMatchObject({ mark: 'rejected', reason: null });
    expect(imageA.metadata?.seed).toBe(1234);
    expect(gallery.edges).toContainEqual(expect.objectContaining({ from: a, to: small, relation: 'upscale-of', inferred: false }));
    expect(gallery.comparisons.map((c) => [c.a, c.b])).toEqual([[a, b], [a, small], [a, jpg], [b, webp]]);
    expect(gallery.comparisons[0]!.heatmapSha256).toBe(heatmapSha256);

    // Seal, export, verify: the heatmap and environment.json are in the archive and it verifies.
    expect((await cli(['seal', id])).code).toBe(0);
    const afterSeal = await cli(['mark', id, b, 'selected']);
    expect(afterSeal.code).toBe(1);
    expect(afterSeal.stderr).toMatch(/was sealed at .*nothing more can be added/);
    const zip = join(root, 'sunrise.zip');
    expect((await cli(['export', id, '--out', zip])).code).toBe(0);
    const verified = await proofline(['verify', zip, '--trust', tsa.caPath]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const listing = (await run('unzip', ['-Z1', zip])).stdout.split('\n');
    expect(listing).toContain(`data/artifacts/${heatmapSha256}.png`);
    const events = (await run('unzip', ['-p', zip, 'data/events.jsonl'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; payload: Record<string, unknown>; artifacts: { sha256: string; name: string }[] });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'generation.marked')).toHaveLength(3);
    expect(types.filter((t) => t === 'lineage.linked')).toHaveLength(1);
    expect(types.filter((t) => t === 'comparison.made')).toHaveLength(4);
    const snapshotEvent = events.find((e) => e.type === 'environment.snapshot')!;
    const envArtifact = snapshotEvent.artifacts[0]!;
    expect(envArtifact.name).toBe('environment.json');
    expect(listing).toContain(`data/artifacts/${envArtifact.sha256}.json`);
    const snapshot = JSON.parse((await run('unzip', ['-p', zip, `data/artifacts/${envArtifact.sha256}.json`])).stdout) as { format: string; ffmpeg: { available: boolean } };
    expect(snapshot).toMatchObject({ format: 'proofline.environment/1', ffmpeg: { available: true } });
  });
});
