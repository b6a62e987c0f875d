// The one view of a session's gallery and captured pages (src/core/views/session-view.ts): pure
// functions over event bodies, and the same session seen live and from its archive.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openProofline } from '../../src/core/proofline.js';
import { galleryFromEvents, pagesFromEvents } from '../../src/core/views/session-view.js';
import { createHost } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import type { ArtifactRef, EventBody, JsonValue } from '../../src/shared/domain.js';

const sha = (c: string): string => c.repeat(64).slice(0, 64);
const [A, B, C, D, E, F] = ['a', 'b', 'c', 'd', 'e', 'f'].map(sha) as [string, string, string, string, string, string];
const png = (hash: string, name: string): ArtifactRef => ({ sha256: hash, size: 1000, name, mime: 'image/png' });
const meta = (seed: number | null, model: string, prompt: string): { [key: string]: JsonValue } => ({ tool: 'a1111', prompt, seed, model: { name: model, hash: null }, inputImage: null });

/** A chain of event bodies, as the store would give them (hashes are not what is under test). */
function chain(...events: [string, { [key: string]: JsonValue }, ArtifactRef[]?][]): EventBody[] {
  return events.map(([type, payload, artifacts], seq) => ({
    v: 1,
    session: 's',
    seq,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    type,
    payload,
    artifacts: artifacts ?? [],
    prev: '0'.repeat(64),
  }));
}

describe('galleryFromEvents', () => {
  it('lists each image once, from its first event, with the source that recorded it, its path and metadata', () => {
    const g = galleryFromEvents(chain(
      ['session.created', {}],
      ['generation.image', { path: '/out/00001.png', metadata: meta(1, 'sdxl', 'a cat') }, [png(A, '00001.png')]],
      ['generation.image', { path: '/out/copy.png', metadata: meta(1, 'sdxl', 'a cat') }, [png(A, 'copy.png')]],
      ['draft.saved', { path: '/drafts/poster.psd', version: 1, previousSha256: null }, [{ sha256: B, size: 5, name: 'poster.psd', mime: 'image/vnd.adobe.photoshop' }]],
      ['comfyui.prompt', { promptId: 'p1' }, [png(C, 'ComfyUI_00001_.png')]],
      ['artifact.attached', { sourcePath: '/home/me/ref.jpg' }, [{ sha256: D, size: 9, name: 'ref.jpg', mime: 'image/jpeg' }]],
      ['artifact.attached', { sourcePath: '/home/me/brief.pdf' }, [{ sha256: E, size: 9, name: 'brief.pdf', mime: 'application/pdf' }]],
      ['comparison.made', { a: A, b: C, hammingDistance: 12, differingPixelRatio: 0.25, resized: null, heatmapSha256: F }, [png(F, 'heatmap.png')]],
      ['note', { text: 'chose the warmer light' }],
    ));
    expect(g.images.map((i) => [i.sha256[0], i.source, i.name, i.seq, i.path ?? null])).toEqual([
      ['a', 'watch', '00001.png', 1, '/out/00001.png'],
      ['b', 'draft', 'poster.psd', 3, '/drafts/poster.psd'],
      ['c', 'comfyui', 'ComfyUI_00001_.png', 4, null],
      ['d', 'attach', 'ref.jpg', 5, '/home/me/ref.jpg'],
    ]);
    expect(g.images[0]!.metadata?.['prompt']).toBe('a cat');
    expect(g.images[0]!.time).toBe('2026-01-01T00:00:01.000Z');
    expect(g.images[2]!.metadata).toBeNull();
    // The heatmap is a comparison's output, not a generation; the PDF is not an image.
    expect(g.images.some((i) => i.sha256 === F || i.sha256 === E)).toBe(false);
    expect(g.comparisons).toEqual([{ seq: 7, time: '2026-01-01T00:00:07.000Z', a: A, b: C, hammingDistance: 12, differingPixelRatio: 0.25, resized: false, heatmapSha256: F }]);
    expect(g.notes).toEqual([{ seq: 8, time: '2026-01-01T00:00:08.000Z', text: 'chose the warmer light' }]);
  });

  it('shows the latest mark and keeps every earlier one in the history', () => {
    const g = galleryFromEvents(chain(
      ['generation.image', { metadata: null }, [png(A, 'a.png')]],
      ['generation.image', { metadata: null }, [png(B, 'b.png')]],
      ['generation.marked', { sha256: A, mark: 'selected', reason: 'best hands' }],
      ['generation.marked', { sha256: A, mark: 'rejected', reason: null }],
      ['generation.marked', { sha256: A, mark: 'final', reason: 'client approved' }],
      ['generation.marked', { sha256: B, mark: 'favourite', reason: 'not a mark' }],
    ));
    const a = g.images.find((i) => i.sha256 === A)!;
    expect(a.mark).toEqual({ mark: 'final', reason: 'client approved', time: '2026-01-01T00:00:04.000Z' });
    expect(a.markHistory.map((m) => [m.mark, m.reason, m.seq])).toEqual([['selected', 'best hands', 2], ['rejected', null, 3], ['final', 'client approved', 4]]);
    const b = g.images.find((i) => i.sha256 === B)!;
    expect(b.mark).toBeNull();
    expect(b.markHistory).toEqual([]);
  });

  it('reads an archive timeline event (no session, no prev) as it reads a stored body', () => {
    const stored = chain(['generation.image', { path: '/out/x.png', metadata: meta(3, 'sdxl', 'x') }, [png(A, 'x.png')]], ['note', { text: 'n' }]);
    const timeline = stored.map(({ seq, time, type, payload, artifacts }) => ({ seq, time, type, payload, artifacts, hash: 'h' }));
    expect(galleryFromEvents(timeline)).toEqual(galleryFromEvents(stored));
  });
});

describe('pagesFromEvents', () => {
  const shot = png(A, 'screenshot.png');
  const dom: ArtifactRef = { sha256: B, size: 50, name: 'dom.html', mime: 'text/html' };
  const har: ArtifactRef = { sha256: C, size: 50, name: 'network.har', mime: 'application/json' };

  it('lists every captured page in order, with its screenshot, DOM and files', () => {
    const pages = pagesFromEvents(chain(
      ['web.navigation', { url: 'https://example.com/a' }],
      ['web.capture', { url: 'https://example.com/a', finalUrl: 'https://example.com/b', status: 200, title: 'B' }, [png(D, 'thumb.png'), shot, dom, har]],
      ['note', { text: 'between' }],
      ['web.capture', { url: 'https://example.com/gone', status: 404, title: '' }, [har]],
    ));
    expect(pages).toEqual([
      { seq: 1, time: '2026-01-01T00:00:01.000Z', url: 'https://example.com/a', finalUrl: 'https://example.com/b', status: 200, title: 'B', screenshot: shot, dom, artifacts: [png(D, 'thumb.png'), shot, dom, har] },
      { seq: 3, time: '2026-01-01T00:00:03.000Z', url: 'https://example.com/gone', finalUrl: 'https://example.com/gone', status: 404, title: '', screenshot: null, dom: null, artifacts: [har] },
    ]);
  });

  it('falls back to the typed address, the first PNG and the first HTML file when the names differ', () => {
    const [page] = pagesFromEvents(chain(['web.capture', { typedUrl: 'example.com', status: null }, [png(D, 'page.png'), { ...dom, name: 'page.html' }]]));
    expect(page).toMatchObject({ url: 'example.com', finalUrl: 'example.com', status: null, title: '', screenshot: { name: 'page.png' }, dom: { name: 'page.html' } });
  });
});

describe('one session, seen live and from its archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proofline-session-view-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same gallery and the same pages', async () => {
    const pl = openProofline({ dataDir: join(dir, 'data') });
    const host = createHost({ pl, settings: new SettingsStore(join(dir, 'data')), host: 'web', exportDir: join(dir, 'exports') });
    const ctx = { progress: () => undefined, signal: new AbortController().signal };
    try {
      const { id } = await pl.sessions.create({ kind: 'creation', title: 'Seen twice' });
      const stored = async (name: string, bytes: string | Buffer, mime: string): Promise<ArtifactRef> => {
        writeFileSync(join(dir, name), bytes);
        const blob = await pl.blobs.putFile(join(dir, name));
        return { sha256: blob.sha256, size: blob.size, name, mime };
      };
      const base = await stored('base.png', Buffer.alloc(100, 1), 'image/png');
      const variant = await stored('variant.png', Buffer.alloc(100, 2), 'image/png');
      const comfy = await stored('ComfyUI_00001_.png', Buffer.alloc(100, 3), 'image/png');
      const draft = await stored('poster.png', Buffer.alloc(100, 4), 'image/png');
      const screenshot = await stored('screenshot.png', Buffer.alloc(100, 5), 'image/png');
      const domFile = await stored('dom.html', '<h1>copy</h1>', 'text/html');
      pl.events.append(id, { type: 'generation.image', payload: { path: '/out/base.png', metadata: meta(9, 'sdxl', 'a cat') }, artifacts: [base] });
      pl.events.append(id, { type: 'generation.image', payload: { path: '/out/variant.png', metadata: meta(9, 'sdxl', 'a cat, night') }, artifacts: [variant] });
      pl.events.append(id, { type: 'comfyui.prompt', payload: { prompt_id: 'p', metadata: meta(4, 'flux', 'a dog'), inputImage: 'base.png' }, artifacts: [comfy] });
      pl.events.append(id, { type: 'draft.saved', payload: { path: '/d/poster.png', version: 1, previousSha256: null }, artifacts: [draft] });
      pl.events.append(id, { type: 'web.capture', payload: { url: 'https://example.com/', finalUrl: 'https://example.com/', status: 200, title: 'Example' }, artifacts: [screenshot, domFile] });
      await host.handlers['generation.mark']({ id, sha256: variant.sha256, mark: 'final', reason: 'the light' }, ctx);
      await host.handlers['generation.link']({ id, from: base.sha256, to: draft.sha256, relation: 'edit-of', note: 'painted over' }, ctx);
      await pl.sessions.note(id, 'done');
      await pl.sessions.attach(id, [join(dir, 'base.png')]);

      const live = { gallery: await host.handlers['generation.gallery']({ id }, ctx), pages: await host.handlers['web.pages']({ id }, ctx) };
      expect(live.gallery.images.map((i) => i.source)).toEqual(['watch', 'watch', 'comfyui', 'draft']);
      expect(live.gallery.edges.map((e) => e.relation).sort()).toEqual(['edit-of', 'img2img', 'variant']);
      expect(live.pages).toHaveLength(1);

      await pl.sessions.seal(id);
      const out = join(dir, 'seen-twice.zip');
      await pl.exportSession(id, { out });
      const { archive } = await host.handlers['archive.open']({ path: out }, ctx);
      const contents = await host.handlers['archive.contents']({ archive }, ctx);
      expect(contents.gallery).toEqual(live.gallery);
      expect(contents.pages).toEqual(live.pages);
      // And as the window receives both: through JSON.
      expect(JSON.parse(JSON.stringify(contents.gallery))).toEqual(JSON.parse(JSON.stringify(live.gallery)));
    } finally {
      await host.shutdown();
      pl.close();
    }
  });
});
