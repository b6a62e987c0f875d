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
import { captureEnvironment } from '../../src/core/capture/environment/environment.js';
import { markGeneration } from '../../src/core/capture/creation/marks.js';
import { readImageMetadata } from '../../src/core/capture/creation/metadata/index.js';
import { metadataJson } from '../../src/core/capture/creation/metadata/payload.js';
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
/** Events in the main archive, and in the one whose later events a TSA proved two hours on. */
let events: number;
let lateArchive: string;
let lateEvents: number;

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
  events = await pl.events.count(id);

  // Proven late: the session starts proven at once, then its note and seal are timestamped only
  // by a TSA whose clock reads two hours on, as if the events had been written two hours later.
  const late = await pl.sessions.create({ kind: 'creation', title: 'Proven two hours late' });
  await pl.sessions.note(late.id, 'written long before any TSA saw it');
  tsa.setFakeTime(new Date(Date.now() + 2 * 3600_000));
  try {
    await pl.sessions.seal(late.id);
  } finally {
    tsa.setFakeTime(null);
  }
  lateArchive = join(root, 'late.zip');
  await pl.exportSession(late.id, { out: lateArchive });
  lateEvents = await pl.events.count(late.id);

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
/** --warn-bg of styles.css in the light scheme: the amber of what is not proven in time. */
const AMBER = 'rgb(251, 240, 220)';
const background = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => getComputedStyle(el).backgroundColor);

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
    expect(await page.locator('.arc-check[data-check="time.anchoring"] .finding-title').textContent()).toBe('Every event proven to exist soon after it was recorded');
    expect(await page.locator('.arc-check[data-check="time.anchoring"] .badge').textContent()).toBe('Passed');
    // Under the verdict: every event proven in time.
    expect(await page.locator('.time-summary').getAttribute('data-late-events')).toBe('0');
    expect(await page.locator('.time-summary .time-summary-text').textContent()).toMatch(new RegExp(`^Time proven: all ${events} events were proven to exist within 2 min of being recorded\\. The last was proven at `));
    await shoot(page, 'archive-en-verified');

    // The Time tab: #0 proven by the start checkpoint's token, the rest by the seal's, all in time.
    await page.getByRole('tab', { name: 'Time', exact: true }).click();
    const ranges = page.locator('.anchor-range');
    await ranges.first().waitFor();
    expect(await ranges.first().locator('.range-events').textContent()).toBe('Event #0');
    expect(new Set(await ranges.evaluateAll((els) => els.map((el) => el.getAttribute('data-late'))))).toEqual(new Set(['false']));
    expect(new Set(await ranges.locator('.badge').allTextContents())).toEqual(new Set(['In time']));
    expect(await ranges.last().getAttribute('data-to')).toBe(String(events - 1));
    expect(await page.locator('.time-facts dd').first().textContent()).toBe('60 s, plus 60 s tolerance for the authority’s delay and clock differences');
    expect(await page.locator('.not-counted-token').count()).toBe(0);
    await shoot(page, 'archive-en-time');

    // The timeline: choosing the note seeks the recording to the moment it was written.
    await page.getByRole('tab', { name: /Timeline and recording/ }).click();
    expect(await page.locator('.timeline-item.proof-ok').count()).toBe(events);
    expect(await page.locator('.timeline-proof').count()).toBe(0);
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
    const frame = page.locator('.page-frame iframe');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.frameLocator('.page-frame iframe').getByRole('heading', { name: 'Copied illustration' }).waitFor();
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
      await verdict.locator('.verdict-problems').getByText('Every event proven to exist soon after it was recorded', { exact: true }).waitFor();
      expect(await page.locator('.arc-check-fail').count()).toBe(0);
      expect(await page.locator('.time-summary .time-summary-text').textContent()).toBe('Time not proven: no timestamp counted here covers any event; every time rests on the device’s clock.');
      expect(await background(page, '.time-summary')).toBe(AMBER);
      await shoot(page, 'archive-en-unattested');

      // Not one event is proven here: one range, amber, and every token says why it is not counted.
      await page.getByRole('tab', { name: 'Time', exact: true }).click();
      const range = page.locator('.anchor-range');
      await range.first().waitFor();
      expect(await range.count()).toBe(1);
      expect(await range.getAttribute('data-late')).toBe('true');
      expect(await range.locator('.range-events').textContent()).toBe(`Events #0–#${events - 1}`);
      expect(await range.locator('.badge').textContent()).toBe('Not proven');
      expect(await range.locator('.range-lag').textContent()).toBe('Their recorded time rests on the device’s clock only.');
      expect(await background(page, '.anchor-range')).toBe(AMBER);
      expect(new Set(await page.locator('.not-counted-token .token-reason').allTextContents())).toEqual(
        new Set(['This computer trusts no time-stamping authority yet: add the authority’s root certificate in Settings.']),
      );
      expect(await page.locator('.not-counted-token .where').allTextContents()).toContain('proofline/seal.tsr');
      await shoot(page, 'archive-en-time-unproven');

      await page.getByRole('tab', { name: /Timeline and recording/ }).click();
      expect(await page.locator('.timeline-item.proof-none').count()).toBe(events);
      expect(await page.locator('.timeline-proof').first().textContent()).toBe('not proven');
      await shoot(page, 'archive-en-timeline-unproven');
    } finally {
      await ui.host.handlers['settings.update'](settings, ctx);
    }
  });

  it('says in Chinese that no event is proven when the TSA is not trusted here', async () => {
    const ctx = { progress: () => undefined, signal: new AbortController().signal };
    const settings = await ui.host.handlers['settings.get']({}, ctx);
    await ui.host.handlers['settings.update']({ ...settings, trustedRootFiles: [] }, ctx);
    try {
      const { page } = await ui.open('zh');
      await openByPath(page, archive, '打开证据包');
      expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('unattested');
      expect(await page.locator('.verdict-title').textContent()).toBe('内容完整，但证明不完整');
      await page.locator('.verdict-problems').getByText('每条事件在记录后不久即被证明存在', { exact: true }).waitFor();
      expect(await page.locator('.time-summary .time-summary-text').textContent()).toBe('时间未被证明：本机计入的时间戳都不覆盖任何事件，所有时间仅依据设备时钟。');
      expect(await page.locator('.time-summary button').textContent()).toBe('查看每条事件何时被证明');
      await page.locator('.time-summary button').click();
      expect(await page.getByRole('tab', { name: '时间证明', exact: true }).getAttribute('aria-selected')).toBe('true');
      const range = page.locator('.anchor-range');
      await range.first().waitFor();
      expect(await range.count()).toBe(1);
      expect(await range.locator('.range-events').textContent()).toBe(`事件 #0–#${events - 1}`);
      expect(await range.locator('.badge').textContent()).toBe('未被证明');
      expect(await background(page, '.anchor-range')).toBe(AMBER);
      expect(new Set(await page.locator('.not-counted-token .token-reason').allTextContents())).toEqual(new Set(['本机尚未信任任何时间戳机构：请在设置中添加该机构的根证书。']));
      // The verifier's English sentence is folded away.
      expect(await page.locator('.not-counted-token details.technical[open]').count()).toBe(0);
      await shoot(page, 'archive-zh-time-unproven');
    } finally {
      await ui.host.handlers['settings.update'](settings, ctx);
    }
  });

  it.each(['en', 'zh'] as const)('names the events a TSA proved two hours late, in amber (%s)', async (lang) => {
    const t = {
      en: { nav: 'Open archive', title: 'Intact but not fully attested', tab: 'Time', summary: `Time not fully proven: ${lateEvents - 1} of ${lateEvents} events were proven late or not at all.`, first: 'Event #0', range: `Events #1–#${lateEvents - 1}`, ok: 'In time', late: 'Proven late', lag: '2 h', tag: 'late' },
      zh: { nav: '打开证据包', title: '内容完整，但证明不完整', tab: '时间证明', summary: `时间证明不完整：${lateEvents} 条事件中有 ${lateEvents - 1} 条证明过晚或未被证明。`, first: '事件 #0', range: `事件 #1–#${lateEvents - 1}`, ok: '及时证明', late: '证明过晚', lag: '2 小时', tag: '过晚' },
    }[lang];
    const { page } = await ui.open(lang);
    await openByPath(page, lateArchive, t.nav);
    expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('unattested');
    expect(await page.locator('.verdict-title').textContent()).toBe(t.title);
    expect(await page.locator('.arc-check-fail').count()).toBe(0);
    expect(await page.locator('.time-summary .time-summary-text').textContent()).toBe(t.summary);
    await page.getByRole('tab', { name: t.tab, exact: true }).click();
    const ranges = page.locator('.anchor-range');
    await ranges.first().waitFor();
    expect(await ranges.count()).toBe(2);
    expect(await ranges.nth(0).getAttribute('data-late')).toBe('false');
    expect(await ranges.nth(0).locator('.range-events').textContent()).toBe(t.first);
    expect(await ranges.nth(0).locator('.badge').textContent()).toBe(t.ok);
    const late = ranges.nth(1);
    expect(await late.getAttribute('data-late')).toBe('true');
    expect(await late.locator('.range-events').textContent()).toBe(t.range);
    expect(await late.locator('.badge').textContent()).toBe(t.late);
    expect(await late.locator('.range-lag-value').textContent()).toBe(t.lag);
    expect(await late.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(AMBER);
    // Every token is from the trusted TSA: counted, only late.
    expect(await page.locator('.not-counted-token').count()).toBe(0);
    await shoot(page, `archive-${lang}-time-late`);

    await page.getByRole('tab', { name: lang === 'en' ? /Timeline and recording/ : /时间线与录屏/ }).click();
    expect(await page.locator('.timeline-item.proof-late').count()).toBe(lateEvents - 1);
    expect(await page.locator('.timeline-item.proof-ok').count()).toBe(1);
    expect(new Set(await page.locator('.timeline-proof').allTextContents())).toEqual(new Set([t.tag]));
    await shoot(page, `archive-${lang}-timeline-late`);
  });

  it.each([
    { lang: 'en' as const, nav: 'Open archive', tab: /Images/, title: 'What was altered', phrase: /^Image 00001-1234\.png, marked Final, recorded .+, event #(\d+)$/, badge: 'Altered' },
    { lang: 'zh' as const, nav: '打开证据包', tab: /图像/, title: '被改动的内容', phrase: /^图像 00001-1234\.png，标记为“定稿”，记录于 .+，事件 #(\d+)$/, badge: '已被改动' },
  ])('names the altered image by its file name and mark, and flags it in the Images tab ($lang)', async ({ lang, nav, tab, title, phrase, badge }) => {
    const { page } = await ui.open(lang);
    await openByPath(page, tampered, nav);
    const altered = page.locator('.verdict .altered-items');
    await altered.getByRole('heading', { name: title }).waitFor();
    const items = await altered.locator('li').allTextContents();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(phrase);
    expect(await altered.locator('li').first().getAttribute('data-path')).toBe(tamperedFile);
    await page.getByRole('tab', { name: tab }).click();
    const tile = page.locator('.tile', { hasText: '00001-1234.png' });
    await tile.locator('.badge-tampered', { hasText: badge }).waitFor();
    // The untouched attachment is not flagged.
    expect(await page.locator('.tile .badge-tampered').count()).toBe(1);
    await tile.click();
    await page.locator('.image-detail .altered-warning').waitFor();
    await shoot(page, `archive-${lang}-altered-image`);
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
    // Nothing of a tampered archive is relied on: no "time proven" under its verdict.
    expect(await page.locator('.time-summary').count()).toBe(0);
    await shoot(page, 'archive-zh-tampered');

    await page.getByRole('button', { name: '打开其他证据包' }).click();
    await page.locator('#archive-path').fill(archive);
    await page.getByRole('button', { name: '打开并核验' }).click();
    await page.locator('.verdict[data-verdict="verified"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.verdict-title').textContent()).toBe('核验通过');
    expect(await page.locator('.time-summary .time-summary-text').textContent()).toMatch(new RegExp(`^时间已证明：全部 ${events} 条事件都在记录后 2 分钟内被证明存在。最后一次证明于 `));
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
