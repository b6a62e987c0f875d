import { copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchFolders } from '../../src/core/capture/creation/folder-watch.js';
import type { CaptureNotice } from '../../src/core/capture/capture-source.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { sha256Hex } from '../../src/core/store/hashing.js';
import type { EventBody } from '../../src/shared/domain.js';
import { proofline } from '../support/cli.js';
import { A1111_CHINESE, a1111Parameters, comfyPng, jpegWithExif, pngWithText, userCommentBytes } from '../support/ai-images.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'proofline-watch-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function events(pl: Proofline, sessionId: string, type?: string): EventBody[] {
  return [...pl.events.iterate(sessionId)].map((e) => e.body).filter((b) => type === undefined || b.type === type);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('watching output and draft folders', () => {
  it('records dropped images with their parameters, keeps draft versions, and the sealed archive verifies', async () => {
    const dataDir = join(root, 'data');
    const out = join(root, 'outputs');
    const work = join(root, 'work');
    mkdirSync(join(out, 'txt2img-images'), { recursive: true });
    mkdirSync(work, { recursive: true });
    const pl = openProofline({ dataDir, tsaUrls: [] });
    const notices: CaptureNotice[] = [];
    const session = await pl.sessions.create({ kind: 'creation', title: 'ink landscapes' });
    const watch = await watchFolders(pl, session.id, { folders: [out], drafts: [work], onNotice: (n) => notices.push(n), stabilityMs: 150 });
    await watch.ready;

    const chinese = pngWithText([{ type: 'iTXt', keyword: 'parameters', text: A1111_CHINESE, compressed: true }], { seed: 7 });
    writeFileSync(join(out, 'txt2img-images', '00001-20250901.png'), chinese);
    writeFileSync(join(out, 'ComfyUI_00001_.png'), comfyPng(42, { pixelSeed: 9 }));
    writeFileSync(join(out, 'photo.jpg'), jpegWithExif({ userComment: userCommentBytes(a1111Parameters(99), 'unicode-be') }));
    writeFileSync(join(out, 'notes.txt'), 'not an image');
    writeFileSync(join(out, 'half.png.part'), chinese.subarray(0, 40));
    // Written in two parts with a pause: the event must carry the whole file, not the first half.
    const slow = pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(5) }], { width: 64, height: 64, seed: 5 });
    const fd = openSync(join(out, 'slow.png'), 'w');
    writeSync(fd, slow.subarray(0, 100));
    await new Promise((r) => setTimeout(r, 60));
    writeSync(fd, slow.subarray(100));
    closeSync(fd);
    // A truncated PNG is still kept as evidence, with the reason its metadata could not be read.
    writeFileSync(join(out, 'broken.png'), chinese.subarray(0, chinese.length - 30));
    // A file that vanishes before it settles is no crash.
    writeFileSync(join(out, 'gone.png'), chinese);
    unlinkSync(join(out, 'gone.png'));
    writeFileSync(join(work, 'poster.kra'), 'draft version one');

    await waitFor(() => events(pl, session.id, 'generation.image').length >= 5 && events(pl, session.id, 'draft.saved').length >= 1, 'first images and draft');
    // Same bytes again at the same path: nothing new. Same bytes at another path: an event naming the first.
    writeFileSync(join(out, 'ComfyUI_00001_.png'), comfyPng(42, { pixelSeed: 9 }));
    copyFileSync(join(out, 'txt2img-images', '00001-20250901.png'), join(out, 'copy-of-00001.png'));
    writeFileSync(join(work, 'poster.kra'), 'draft version two, with the sky repainted');
    await waitFor(() => events(pl, session.id, 'generation.image').length >= 6 && events(pl, session.id, 'draft.saved').length >= 2, 'duplicate and second draft');
    await new Promise((r) => setTimeout(r, 400));
    await watch.stop();

    const images = events(pl, session.id, 'generation.image');
    const byName = new Map(images.map((e) => [e.payload['relativePath'] as string, e]));
    expect([...byName.keys()].sort()).toEqual(['ComfyUI_00001_.png', 'broken.png', 'copy-of-00001.png', 'photo.jpg', 'slow.png', 'txt2img-images/00001-20250901.png']);
    expect(images).toHaveLength(6);

    const a1111 = byName.get('txt2img-images/00001-20250901.png')!;
    const meta = a1111.payload['metadata'] as Record<string, unknown>;
    expect(meta).toMatchObject({ tool: 'a1111', prompt: '一只在雪地里的红狐狸，水墨画风格，金色阳光', negativePrompt: '模糊，低质量', seed: '20250901', steps: 30, cfgScale: 7, width: 768, height: 512, model: { name: '国风_v3', hash: '7f96a1a9ca' } });
    expect(a1111.payload['change']).toBe('added');
    expect(a1111.artifacts[0]).toMatchObject({ sha256: sha256Hex(chinese), size: chinese.length, name: '00001-20250901.png', mime: 'image/png' });

    const comfy = byName.get('ComfyUI_00001_.png')!.payload['metadata'] as Record<string, unknown>;
    expect(comfy).toMatchObject({ tool: 'comfyui', seed: '42', model: { name: 'sd_xl_base_1.0.safetensors' }, prompt: '水墨山水，远山与小舟, ink landscape' });
    expect((byName.get('photo.jpg')!.payload['metadata'] as Record<string, unknown>)['seed']).toBe('99');
    expect(byName.get('slow.png')!.artifacts[0]!.sha256).toBe(sha256Hex(slow));
    expect(byName.get('broken.png')!.payload['metadata']).toBeNull();
    expect(byName.get('broken.png')!.payload['metadataError']).toMatch(/broken\.png.*truncated/);
    expect(byName.get('copy-of-00001.png')!.payload['duplicateOf']).toEqual({ path: join(out, 'txt2img-images', '00001-20250901.png'), seq: a1111.seq });

    const drafts = events(pl, session.id, 'draft.saved');
    expect(drafts.map((d) => d.payload['version'])).toEqual([1, 2]);
    expect(drafts[1]!.payload['previousSha256']).toBe(drafts[0]!.artifacts[0]!.sha256);
    expect(drafts[0]!.payload['previousSha256']).toBeNull();
    expect(watch.stats()).toEqual({ images: 6, drafts: 2, errors: 0 });
    const stopped = events(pl, session.id, 'capture.watch.stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.payload).toMatchObject({ images: 6, drafts: 2 });
    expect(notices.some((n) => n.message.includes('seed 42'))).toBe(true);

    await pl.sessions.seal(session.id);
    pl.close();
    const zip = join(root, 'watch.zip');
    const exported = await proofline(['--data', dataDir, 'export', session.id, '--out', zip]);
    expect(exported.code, exported.stderr).toBe(0);
    const verified = await proofline(['verify', zip, '--json']);
    // No TSA in this test: intact but not fully attested (3); every artifact's hash checks out.
    expect([0, 3], verified.stdout + verified.stderr).toContain(verified.code);
    const report = JSON.parse(verified.stdout) as { checks: { id: string; status: string }[] };
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('does not record again what a restarted watch on the same session already holds', async () => {
    const dataDir = join(root, 'data-restart');
    const out = join(root, 'out-restart');
    mkdirSync(out, { recursive: true });
    const pl = openProofline({ dataDir, tsaUrls: [] });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'restart' });
      const first = await watchFolders(pl, session.id, { folders: [out], stabilityMs: 100 });
      await first.ready;
      writeFileSync(join(out, 'a.png'), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1) }]));
      await waitFor(() => events(pl, session.id, 'generation.image').length === 1, 'first image');
      await first.stop();
      const second = await watchFolders(pl, session.id, { folders: [out], stabilityMs: 100 });
      await second.ready;
      writeFileSync(join(out, 'a.png'), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1) }]));
      writeFileSync(join(out, 'b.png'), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(2) }]));
      await waitFor(() => events(pl, session.id, 'generation.image').length >= 2, 'second image');
      await new Promise((r) => setTimeout(r, 400));
      await second.stop();
      expect(events(pl, session.id, 'generation.image').map((e) => e.payload['relativePath'])).toEqual(['a.png', 'b.png']);
    } finally {
      pl.close();
    }
  });

  it('refuses a folder that does not exist, with the path in the message', async () => {
    const pl = openProofline({ dataDir: join(root, 'data-missing'), tsaUrls: [] });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'missing' });
      await expect(watchFolders(pl, session.id, { folders: [join(root, 'nope')] })).rejects.toThrow(/nope does not exist/);
    } finally {
      pl.close();
    }
  });
});
