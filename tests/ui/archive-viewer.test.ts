// The lawyer's archive viewer, end to end: a real session (SQLite on disk, real PNGs with A1111
// parameters, a real environment snapshot, a real WebM segment from ffmpeg), sealed against a
// real RFC 3161 TSA, exported, then opened in Chromium through `proofline serve`'s web host —
// by path, by upload, and tampered — in English and Chinese.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEnvironment } from '../../src/core/capture/environment.js';
import { markGeneration } from '../../src/core/capture/marks.js';
import { readImageMetadata } from '../../src/core/capture/metadata/index.js';
import { metadataJson } from '../../src/core/capture/metadata/payload.js';
import { a1111Parameters, pngWithText } from '../support/ai-images.js';
import { unzipTo, zipFolder } from '../support/bag-files.js';
import { run } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { SCREENS_DIR, startUi, type UiHarness } from '../support/ui.js';

const TITLE = 'Poster series “Spring river” — 春江 draft 3';
const NOTE = 'Chose seed 1234 for the pose';
const PROMPT = 'a crystal cat pendant on a spring river, studio light';
const SEGMENT_SECONDS = 6;
const NOTE_AFTER_MS = 2000;

let root: string;
let tsa: RunningTsa;
let ui: UiHarness;
let archive: string;
let tampered: string;
let tamperedFile: string;
let noteOffsetSeconds: number;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-viewer-'));
  mkdirSync(SCREENS_DIR, { recursive: true });
  const video = join(root, 'segment-0.webm');
  const [startedTsa, encoded] = await Promise.all([
    startTsa({ name: 'Viewer' }),
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-t', String(SEGMENT_SECONDS), '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-y', video]),
  ]);
  tsa = startedTsa;
  expect(encoded.code, encoded.stderr).toBe(0);
  ui = await startUi({ tsaUrls: [tsa.url], settings: { trustedRootFiles: [tsa.caPath] } });
  const pl = ui.pl;
  const session = await pl.sessions.create({ kind: 'creation', title: TITLE, creator: 'Li Wei' });
  const id = session.id;
  const environment = captureEnvironment(pl, id, { tsaUrls: [] });

  // A screen recording as the recorder writes it: started, one segment with its wall-clock range, stopped.
  const recording = randomUUID();
  const startedAt = Date.now();
  pl.events.append(id, { type: 'recording.started', payload: { recording } });
  await sleep(NOTE_AFTER_MS);
  const note = await pl.sessions.note(id, NOTE);
  noteOffsetSeconds = (Date.parse(note.body.time) - startedAt) / 1000;

  const generated = join(root, '00001-1234.png');
  writeFileSync(generated, pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1234, PROMPT) }], { width: 96, height: 96, seed: 7 }));
  const blob = await pl.blobs.putFile(generated);
  pl.events.append(id, {
    type: 'generation.image',
    payload: { path: generated, metadata: metadataJson(await readImageMetadata(generated)) },
    artifacts: [{ sha256: blob.sha256, size: blob.size, name: '00001-1234.png', mime: 'image/png' }],
  });
  await markGeneration(pl, id, blob.sha256, 'final', 'the hands are right');
  const sketch = join(root, 'sketch.png');
  writeFileSync(sketch, pngWithText([], { width: 64, height: 48, seed: 3 }));
  await pl.sessions.attach(id, [sketch]);

  // A captured page whose DOM carries a script: the viewer must never run it.
  const shot = join(root, 'screenshot.png');
  writeFileSync(shot, pngWithText([], { width: 120, height: 80, seed: 11 }));
  const dom = join(root, 'dom.html');
  writeFileSync(dom, '<!doctype html><title>Copied illustration</title><h1>Copied illustration</h1><script>fetch("/marker-script-ran")</script><img src="/marker-img-loaded">');
  const shotBlob = await pl.blobs.putFile(shot);
  const domBlob = await pl.blobs.putFile(dom);
  pl.events.append(id, {
    type: 'web.capture',
    payload: { url: 'https://example.com/gallery/42', finalUrl: 'https://example.com/gallery/42', status: 200, title: 'Copied illustration' },
    artifacts: [
      { sha256: shotBlob.sha256, size: shotBlob.size, name: 'screenshot.png', mime: 'image/png' },
      { sha256: domBlob.sha256, size: domBlob.size, name: 'dom.html', mime: 'text/html' },
    ],
  });

  await sleep(Math.max(0, startedAt + SEGMENT_SECONDS * 1000 - Date.now()));
  const segment = await pl.blobs.putFile(video);
  pl.events.append(id, {
    type: 'recording.segment',
    payload: {
      recording,
      run: 1,
      index: 0,
      file: 'segment-0.webm',
      startSeconds: 0,
      endSeconds: SEGMENT_SECONDS,
      durationSeconds: SEGMENT_SECONDS,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(startedAt + SEGMENT_SECONDS * 1000).toISOString(),
      sm3: segment.sm3,
      partial: false,
    },
    artifacts: [{ sha256: segment.sha256, size: segment.size, name: 'segment-0.webm', mime: 'video/webm' }],
  });
  pl.events.append(id, { type: 'recording.stopped', payload: { recording, reason: 'stopped by the user' } });
  await environment;

  const sealed = await pl.sessions.seal(id);
  expect(sealed.sealTimestamps.pending).toBe(0);
  archive = join(root, 'evidence.zip');
  await pl.exportSession(id, { out: archive });

  // Tampering: one byte of the generated image flipped, the archive zipped again.
  const dir = join(root, 'tampered');
  await unzipTo(archive, dir);
  tamperedFile = `data/artifacts/${readdirSync(join(dir, 'data', 'artifacts')).find((name) => name.startsWith(blob.sha256))!}`;
  const bytes = readFileSync(join(dir, tamperedFile));
  bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
  writeFileSync(join(dir, tamperedFile), bytes);
  tampered = join(root, 'tampered.zip');
  await zipFolder(dir, tampered);
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function openByPath(page: Page, path: string, nav: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: nav }).click();
  await page.locator('#archive-path').fill(path);
  await page.locator('#archive-path').press('Enter');
  await page.locator('.verdict').waitFor({ timeout: 30_000 });
}

const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENS_DIR, `${name}.png`), fullPage: true });

describe('archive viewer', () => {
  it('opens an archive by path: verified, every check, the session, the recording at an event, images, pages, environment (en)', async () => {
    const { page } = await ui.open('en');
    await page.getByRole('navigation').getByRole('link', { name: 'Open archive' }).click();
    await page.getByText('Drop a Proofline .zip here').waitFor();
    await shoot(page, 'archive-en-empty');

    await openByPath(page, archive, 'Open archive');
    const verdict = page.locator('.verdict');
    expect(await verdict.getAttribute('data-verdict')).toBe('verified');
    expect(await verdict.locator('.verdict-title').textContent()).toBe('Verified');
    await page.getByText('Every file is exactly as it was when the session was sealed').waitFor();
    expect(await page.locator('.arc-check-fail').count()).toBe(0);
    for (const check of ['bag.payload-manifest', 'events.chain', 'checkpoints.signatures', 'seal.timestamp', 'recording.continuity']) {
      expect(await page.locator(`.arc-check[data-check="${check}"] .badge`).textContent(), check).toBe('Passed');
    }
    expect(await page.locator('.fact-title').textContent()).toBe(TITLE);
    await page.locator('.facts').getByText('AI creation').waitFor();
    await shoot(page, 'archive-en-verified');

    // The timeline: choosing the note seeks the recording to the moment it was written.
    await page.getByRole('tab', { name: /Timeline and recording/ }).click();
    await page.locator('.timeline-button', { hasText: NOTE }).click();
    await page.waitForFunction(
      (expected) => {
        const video = document.querySelector('video');
        return video !== null && video.readyState >= 1 && Math.abs(video.currentTime - expected) < 0.6;
      },
      noteOffsetSeconds,
      { timeout: 15_000 },
    );
    await page.locator('.event-detail').getByText(NOTE).first().waitFor();
    await shoot(page, 'archive-en-timeline');

    await page.getByRole('tab', { name: /Images/ }).click();
    const detail = page.locator('.image-detail');
    await detail.getByText(PROMPT).waitFor();
    expect(await detail.locator('dd', { hasText: '1234' }).count()).toBeGreaterThan(0);
    await detail.getByText('Final', { exact: true }).waitFor();
    await detail.getByText('the hands are right').waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.image-large');
      return img !== null && img.complete && img.naturalWidth === 96;
    });
    expect(await page.locator('.gallery .tile').count()).toBe(2);
    await shoot(page, 'archive-en-images');

    // The captured page: a screenshot, and the DOM only in a frame with no scripts.
    const requested: string[] = [];
    const reached: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfinished', (request) => reached.push(request.url()));
    await page.getByRole('tab', { name: /Web pages/ }).click();
    await page.getByRole('button', { name: 'Show the captured page' }).click();
    const frame = page.locator('iframe.arc-page-frame');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.frameLocator('iframe.arc-page-frame').getByRole('heading', { name: 'Copied illustration' }).waitFor();
    await page.waitForTimeout(300);
    // The script never ran (it would have fetched), and the frame's CSP stopped its image.
    expect(requested.filter((url) => url.includes('marker-script-ran'))).toEqual([]);
    expect(reached.filter((url) => url.includes('marker-'))).toEqual([]);
    await shoot(page, 'archive-en-pages');

    await page.getByRole('tab', { name: /Environment/ }).click();
    const env = page.locator('.env-report').first();
    await env.getByText('Operating system').waitFor({ timeout: 10_000 });
    await env.getByText('Processor', { exact: true }).waitFor();
    await shoot(page, 'archive-en-environment');
  });

  it('opens an archive chosen in the browser: uploaded with progress, then verified (en)', async () => {
    const { page } = await ui.open('en');
    await page.getByRole('navigation').getByRole('link', { name: 'Open archive' }).click();
    await page.locator('[data-testid="archive-file"]').setInputFiles(archive);
    await page.locator('.verdict[data-verdict="verified"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.archive-name').textContent()).toBe('evidence.zip');
    // Not a zip: said plainly, nothing opened.
    await page.getByRole('button', { name: 'Open another archive' }).click();
    await page.locator('[data-testid="archive-file"]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByText('notes.txt is not a .zip file').waitFor();
    expect(await page.locator('.verdict').count()).toBe(0);
    // A .zip that is not a ZIP: unusable, and the viewer says so rather than failing.
    await page.locator('[data-testid="archive-file"]').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\u0003\u0004 this is not really a zip') });
    await page.locator('.verdict[data-verdict="unusable"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.verdict-title').textContent()).toBe('Cannot be checked');
    await shoot(page, 'archive-en-unusable');
  });

  it('says what is missing when the TSA is not trusted here: intact but not fully attested (en)', async () => {
    const ctx = { progress: () => undefined, signal: new AbortController().signal };
    const settings = await ui.host.handlers['settings.get']({}, ctx);
    await ui.host.handlers['settings.update']({ ...settings, trustedRootFiles: [] }, ctx);
    try {
      const { page } = await ui.open('en');
      await openByPath(page, archive, 'Open archive');
      const verdict = page.locator('.verdict');
      expect(await verdict.getAttribute('data-verdict')).toBe('unattested');
      expect(await verdict.locator('.verdict-title').textContent()).toBe('Intact but not fully attested');
      await verdict.getByText('Add the authority’s root certificate in Settings').waitFor();
      await verdict.locator('.verdict-problems').getByText('Trusted timestamp of the seal (RFC 3161)').waitFor();
      expect(await page.locator('.arc-check-fail').count()).toBe(0);
      await shoot(page, 'archive-en-unattested');
    } finally {
      await ui.host.handlers['settings.update'](settings, ctx);
    }
  });

  it('names the changed file at the top of a tampered archive, in Chinese', async () => {
    const { page } = await ui.open('zh');
    await openByPath(page, tampered, '打开证据包');
    const verdict = page.locator('.verdict');
    expect(await verdict.getAttribute('data-verdict')).toBe('tampered');
    expect(await verdict.locator('.verdict-title').textContent()).toBe('已被篡改或损坏');
    await verdict.getByText('请勿将其内容作为证据采信').waitFor();
    await verdict.locator('.verdict-problems').getByText('每个文件的 SHA-256 指纹').waitFor();
    expect(await verdict.locator('.verdict-problems .where').allTextContents()).toContain(tamperedFile);
    await page.locator('.arc-check[data-check="bag.payload-manifest"] .badge').getByText('未通过').waitFor();
    await shoot(page, 'archive-zh-tampered');

    await page.getByRole('button', { name: '打开其他证据包' }).click();
    await page.locator('#archive-path').fill(archive);
    await page.getByRole('button', { name: '打开并核验' }).click();
    await page.locator('.verdict[data-verdict="verified"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.verdict-title').textContent()).toBe('核验通过');
    await page.getByRole('tab', { name: /时间线与录屏/ }).click();
    await page.locator('.timeline-button', { hasText: NOTE }).click();
    await page.getByText('当前位置').waitFor();
    await shoot(page, 'archive-zh-timeline');
    await page.getByRole('tab', { name: /核验项目/ }).click();
    await shoot(page, 'archive-zh-verified');

    await page.getByRole('button', { name: '打开其他证据包' }).click();
    await page.locator('#archive-path').fill(join(root, 'missing.zip'));
    await page.locator('#archive-path').press('Enter');
    await page.getByRole('alert').getByText('未找到').waitFor();
    await shoot(page, 'archive-zh-not-found');
  });
});
