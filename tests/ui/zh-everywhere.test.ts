// Chinese throughout the Chinese UI (issue 12): every screen walked in zh — Home with sessions of
// both kinds and an interrupted one, a creation session with images, marks, a comparison and
// lineage, a web session after a real clean-environment check and a batch with a failed capture,
// Settings, and the archive viewer on a verified creation archive, a web archive (every tab) and
// a tampered one. What a person sees (innerText, title, aria-label, placeholder), less what the
// session recorded and a short list of names, must hold no ASCII word of three letters or more.
// Also: the verdict agrees with its checks, printing shows only the verdict and the content, and
// screenshots at 1920 and 1280 px for people to look at.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEnvironment } from '../../src/core/capture/environment/environment.js';
import { readImageMetadata } from '../../src/core/capture/creation/metadata/index.js';
import { metadataJson } from '../../src/core/capture/creation/metadata/payload.js';
import { recoverInterruptedRecordings } from '../../src/core/capture/recording/recording-recovery.js';
import { pngWithText } from '../support/ai-images.js';
import { unzipTo, zipFolder } from '../support/bag-files.js';
import { run } from '../support/cli.js';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { SCREENS_DIR, startUi, type UiHarness } from '../support/ui.js';

/**
 * Names that stay as they are in a Chinese UI, each for a reason. Kept short on purpose: a word
 * that is not here and not recorded data is English that a Chinese reader should not meet.
 */
const ALLOWED = new Set([
  'Proofline', // the product's name
  'SHA', // SHA-256, the fingerprint's standard name (FIPS 180-4)
  'RFC', // RFC 3161 / RFC 8493: standards are cited by their number
  'BagIt', // the archive layout's standard name (RFC 8493)
  'WACZ', // web archive formats, named by their file types
  'HAR',
  'MHTML',
  'DOM', // the page's document as the browser built it: the W3C term Chinese texts use too
  'TSA', // time-stamping authority, the RFC 3161 abbreviation
  'PNG', // image format
  'ZIP', // archive format
  'zip', // the .zip extension a person looks for
  'URL', // used as is in Chinese technical writing
  'DNS', // the protocol's name
  'NTP',
  'PAC', // proxy auto-config: the file format's name
  'VPN',
  'hosts', // the hosts file is called by its file name
  'ComfyUI', // tool names shown as product names
  'ffmpeg',
  'Chromium',
  'English', // the language menu names each language in itself
  'GPU', // hardware abbreviations used as is in Chinese
  'CPU',
  'IP', // (two letters, listed for clarity)
  'HTTP',
  'HTTPS',
  'TLS',
  'JSON', // a file format
  'MPEG', // the recording's container (MPEG-TS)
  'CFG', // classifier-free guidance: the parameter's name in every Stable Diffusion tool, Chinese ones too
  'LoRA', // a kind of model file, named so in Chinese AI-art writing
  'AIGC', // GB 45438-2025's own term for the label of AI-generated content
  'WebUI', // part of a tool's product name (AUTOMATIC1111 WebUI)
  'PEM', // certificate file formats, named by their types
  'DER',
  'PSD', // the drafts hint names the file types and apps a creator knows
  'Krita',
  'Figma',
  'Chrome', // a browser's product name
  'Ctrl', // key names as printed on the keyboard (Ctrl+Enter)
  'Enter',
  'PDF', // the report's file format
  'Node', // Node.js, the runtime's product name in the environment snapshot
  'RSA', // signature algorithms, named as standards name them ("RSA（SHA-256 摘要）")
  'ECDSA',
  'JPEG', // image format
  'XMP', // the metadata format the TC260 label is written in (GB 45438-2025 names it)
]);

/** Phrases that stay as they are. */
const ALLOWED_PHRASES = [
  'proofline serve', // a command a person types
  'ffmpeg version', // the tool's own version line, as ffmpeg prints it
  'ReplayWeb.page', // the replay tool's product name, where the WACZ check says who else can check it
];

const TITLE_C = 'Poster series Spring river draft';
const TITLE_W = 'Copies of the poster on the test site';
const TITLE_I = 'Interrupted moodboard';
const CREATOR = 'Li Wei';
const NOTE = 'Chose seed 1234 for the pose';
const REASON = 'the hands are right';
const PROMPT_A = 'a crystal cat pendant on a spring river, studio light';
const PROMPT_B = 'a crystal cat pendant on a winter river, studio light';
const a1111 = (seed: number, prompt: string, cfg: number): string =>
  `${prompt}\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: ${cfg}, Seed: ${seed}, Size: 512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly`;

let root: string;
let tsa: RunningTsa;
let site: TestSite;
let ui: UiHarness;
let creationId: string;
let webId: string;
let creationArchive: string;
let webArchive: string;
let tamperedArchive: string;
/** Every string a session recorded that a screen may show: titles, notes, prompts, file names… */
const recorded = new Set<string>([TITLE_C, TITLE_W, TITLE_I, CREATOR, NOTE, REASON, PROMPT_A, PROMPT_B, 'Walk TSA', 'blurry', 'Euler a', 'v1-5-pruned-emaonly']);

const ctx = () => ({ progress: () => undefined, signal: new AbortController().signal });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every string inside a JSON value (an environment snapshot's values are what the machine said). */
function stringsOf(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, into);
  // A part the machine could not give carries the core's own reason: English to translate, not data.
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'reason') stringsOf(v, into);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-zh-'));
  const video = join(root, 'segment-0.webm');
  const [startedTsa, startedSite, encoded] = await Promise.all([
    startTsa({ name: 'Walk' }),
    startTestSite(),
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-t', '3', '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-y', video]),
  ]);
  tsa = startedTsa;
  site = startedSite;
  expect(encoded.code, encoded.stderr).toBe(0);
  ui = await startUi({ tsaUrls: [tsa.url], settings: { trustedRootFiles: [tsa.caPath] } });
  const pl = ui.pl;

  // The creation session: a recording stopped by the user, two A1111 generations, a mark, a note,
  // a comparison, a lineage link, an attached sketch, and the environment snapshot.
  const session = await pl.sessions.create({ kind: 'creation', title: TITLE_C, creator: CREATOR });
  creationId = session.id;
  const environment = captureEnvironment(pl, creationId, { tsaUrls: [] });
  const recording = randomUUID();
  const startedAt = Date.now();
  pl.events.append(creationId, { type: 'recording.started', payload: { recording } });
  const shas: string[] = [];
  for (const [i, prompt, cfg] of [[1, PROMPT_A, 7], [2, PROMPT_B, 9]] as const) {
    const file = join(root, `0000${i}-a1111.png`);
    writeFileSync(file, pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111(i, prompt, cfg) }], { width: 96, height: 96, seed: i }));
    const blob = await pl.blobs.putFile(file);
    shas.push(blob.sha256);
    recorded.add(file);
    // What the file says of itself (tool, format, sizes…) is recorded data, shown as is.
    const metadata = metadataJson(await readImageMetadata(file));
    stringsOf(metadata, recorded);
    pl.events.append(creationId, {
      type: 'generation.image',
      payload: { path: file, metadata },
      artifacts: [{ sha256: blob.sha256, size: blob.size, name: `0000${i}-a1111.png`, mime: 'image/png' }],
    });
  }
  await ui.host.handlers['generation.mark']({ id: creationId, sha256: shas[0]!, mark: 'final', reason: REASON }, ctx());
  await ui.host.handlers['generation.mark']({ id: creationId, sha256: shas[1]!, mark: 'rejected' }, ctx());
  await ui.host.handlers['generation.link']({ id: creationId, from: shas[1]!, to: shas[0]!, relation: 'img2img' }, ctx());
  await ui.host.handlers['generation.compare']({ id: creationId, a: shas[0]!, b: shas[1]! }, ctx());
  await pl.sessions.note(creationId, NOTE);
  const sketch = join(root, 'sketch.png');
  writeFileSync(sketch, pngWithText([], { width: 64, height: 48, seed: 3 }));
  await pl.sessions.attach(creationId, [sketch]);
  recorded.add(sketch);
  await sleep(Math.max(0, startedAt + 3000 - Date.now()));
  const segment = await pl.blobs.putFile(video);
  pl.events.append(creationId, {
    type: 'recording.segment',
    payload: { recording, run: 1, index: 0, file: 'segment-0.webm', startSeconds: 0, endSeconds: 3, durationSeconds: 3, startedAt: new Date(startedAt).toISOString(), endedAt: new Date(startedAt + 3000).toISOString(), sm3: segment.sm3, partial: false },
    artifacts: [{ sha256: segment.sha256, size: segment.size, name: 'segment-0.webm', mime: 'video/webm' }],
  });
  pl.events.append(creationId, { type: 'recording.stopped', payload: { recording, reason: 'stopped by the user' } });
  const snapshot = await environment;
  stringsOf(snapshot, recorded);

  // An interrupted session: a recording the app never closed, found at the next start.
  const interrupted = await pl.sessions.create({ kind: 'creation', title: TITLE_I });
  pl.events.append(interrupted.id, { type: 'recording.started', payload: { recording: randomUUID() } });
  await recoverInterruptedRecordings(pl, { sessionId: interrupted.id, isAlive: () => false });

  // The web session is filled through its screen (walk below); created here so Home lists it.
  webId = (await pl.sessions.create({ kind: 'web', title: TITLE_W })).id;
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
  await site?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** What a person reads on the page: the rendered text and the words of tooltips, labels, hints. */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts = [document.body.innerText];
    for (const el of document.querySelectorAll<HTMLElement>('[title], [aria-label], [placeholder]')) {
      if (el.closest('details:not([open])') || el.getClientRects().length === 0) continue;
      for (const name of ['title', 'aria-label', 'placeholder']) {
        const value = el.getAttribute(name);
        if (value) parts.push(value);
      }
    }
    return parts.join('\n');
  });
}

/** The ASCII words left once recorded data, identifiers and the allowed names are taken out. */
function englishLeft(text: string): string[] {
  const phrases = [...recorded, ...ALLOWED_PHRASES].filter((value) => value.length > 2).sort((a, b) => b.length - a.length);
  const strip = (from: string, values: readonly string[]): string =>
    values.reduce((acc, value) => acc.replace(new RegExp(`(?<![A-Za-z])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z])`, 'g'), ' '), from);
  // Recorded phrases of several words or with a slash (a title, "Debian GNU/Linux 12") whole;
  // then URLs, paths and file names, whole, before a one-word phrase can cut one.
  let rest = strip(text, phrases.filter((value) => /[\s/]/.test(value)))
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s）)，,]+/gi, ' ') // URLs
    .replace(/\b[\w.-]+(?:\/[\w.…-]+)+\/?/g, ' ') // paths inside the archive
    .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@+…-]+)+[\\/]?/g, ' ') // absolute paths
    .replace(/[\w.-]+\.\s*(?:png|jpe?g|webp|zip|json|jsonl|html?|webm|ts|m3u8|tsr|txt|pem|crt|der|wacz|har|mhtml|cer|log|conf)\b/gi, ' '); // file names (a tile may break one before its extension)
  // Recorded strings as whole phrases, longest first (never word by word: a common word that
  // happens to be in a prompt must not hide the same word in a label).
  rest = strip(rest, phrases);
  rest = rest
    .replace(/\b(?:CN|OU|O|C|L|ST)=[^,\n]+/g, ' ') // a certificate's subject, as the TSA's token names it
    .replace(/\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|cn|io|gov|edu|localhost)\b/gi, ' ') // host names
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, ' ') // ids
    .replace(/\b[0-9a-f]{8,}\b/gi, ' '); // hashes, key ids
  // A token with a digit in it is a version, a model file, a device or a number, not a word.
  const tokens = (rest.match(/[A-Za-z0-9_'’-]+/g) ?? []).filter((token) => !/[0-9_]/.test(token));
  const words = tokens.map((token) => token.replace(/^['’-]+|['’-]+$/g, '')).filter((word) => /[A-Za-z]{3}/.test(word.replace(/['’-]/g, '')));
  return [...new Set(words.filter((word) => !ALLOWED.has(word)))];
}

const WALK_DIR = join(SCREENS_DIR, '..', 'zh-walk');

/** The English found on each screen, with a few words around each for whoever fixes it. */
const found: Record<string, string[]> = {};
async function walk(page: Page, screen: string): Promise<void> {
  await page.waitForTimeout(400);
  const text = await visibleText(page);
  // What each screen said, for whoever reads the failure: test-results/zh-walk/<screen>.txt.
  mkdirSync(WALK_DIR, { recursive: true });
  writeFileSync(join(WALK_DIR, `${screen.replace(/\//g, '-')}.txt`), text);
  const words = englishLeft(text);
  if (words.length > 0) {
    found[screen] = words.map((word) => {
      const at = text.indexOf(word);
      return `${word} «${text.slice(Math.max(0, at - 30), at + word.length + 30).replace(/\s+/g, ' ')}»`;
    });
  }
}

async function openArchive(page: Page, path: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: '打开证据包' }).click();
  await page.locator('#archive-path').fill(path);
  await page.locator('#archive-path').press('Enter');
  await page.locator('.verdict').waitFor({ timeout: 60_000 });
}

async function walkArchive(page: Page, name: string): Promise<void> {
  for (const tab of await page.getByRole('tab').all()) {
    await tab.click();
    const id = ((await tab.getAttribute('id')) ?? '').replace('archive-tab-', '');
    if (id === 'pages') for (const button of await page.getByRole('button', { name: '显示固定的页面' }).all()) await button.click();
    await walk(page, `${name}/${id}`);
  }
}

describe('the Chinese UI', () => {
  it('walks every screen in zh and finds no English outside recorded data', async () => {
    const { page } = await ui.open('zh');
    page.on('dialog', (dialog) => void dialog.accept());

    // The web session, through its screen: the clean-environment check, a batch with a refused URL.
    const plain = `${site.httpOrigin}/plain`;
    const refused = await site.refusedUrl();
    recorded.add(plain).add(refused).add('Plain page').add('Infringing copy of the poster.');
    await page.goto(`${ui.web.origin}/#/session/${webId}`);
    await page.locator('input[type=url]').first().fill(plain);
    await page.getByRole('button', { name: '开始检查' }).click();
    await expect.poll(() => page.locator('.findings .finding').count(), { timeout: 60_000 }).toBeGreaterThan(10);
    await page.locator('textarea.mono').fill(`${plain}\n${refused}`);
    await page.getByRole('button', { name: '开始取证', exact: true }).click();
    await expect.poll(() => page.locator('[role=status].notice').textContent().catch(() => ''), { timeout: 120_000 }).toContain('已固定 1 个，失败 1 个');
    await expect.poll(() => page.locator('.page-card').count(), { timeout: 20_000 }).toBe(1);
    await page.getByRole('button', { name: '显示固定的页面' }).click();
    await walk(page, 'web-session');

    // The creation session: choose an image, compare the two generations.
    await page.goto(`${ui.web.origin}/#/session/${creationId}`);
    await page.locator('.tile').first().waitFor();
    await page.locator('.tile-image').first().click();
    for (const box of await page.locator('.tile-select input').all()) await box.check();
    await page.getByRole('button', { name: '比对所选图像' }).click();
    await expect.poll(() => page.locator('.compare img').count(), { timeout: 20_000 }).toBe(3);
    await walk(page, 'creation-session');

    // Seal and export both, tamper with a copy of the creation archive.
    const sealed = await ui.pl.sessions.seal(creationId);
    expect(sealed.sealTimestamps.pending).toBe(0);
    await ui.pl.sessions.seal(webId);
    creationArchive = join(root, 'creation.zip');
    webArchive = join(root, 'web.zip');
    await ui.pl.exportSession(creationId, { out: creationArchive });
    await ui.pl.exportSession(webId, { out: webArchive });
    const dir = join(root, 'tampered');
    await unzipTo(creationArchive, dir);
    const png = readdirSync(join(dir, 'data', 'artifacts')).find((name) => name.endsWith('.png'))!;
    const bytes = readFileSync(join(dir, 'data', 'artifacts', png));
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    writeFileSync(join(dir, 'data', 'artifacts', png), bytes);
    tamperedArchive = join(root, 'tampered.zip');
    await zipFolder(dir, tamperedArchive);
    for (const file of [creationArchive, webArchive, tamperedArchive]) recorded.add(file);

    await page.goto(`${ui.web.origin}/#/`);
    await page.locator('.session').first().waitFor();
    await expect.poll(() => page.locator('.session').count()).toBe(3);
    await walk(page, 'home');
    await page.getByRole('button', { name: '新建网页取证' }).click();
    await walk(page, 'home-new-session');

    await page.getByRole('navigation').getByRole('link', { name: '设置' }).click();
    await page.locator('.screen').waitFor();
    await walk(page, 'settings');

    await openArchive(page, creationArchive);
    await walkArchive(page, 'archive-creation');
    await page.getByRole('button', { name: '打开其他证据包' }).click();
    await openArchive(page, webArchive);
    await walkArchive(page, 'archive-web');
    await page.getByRole('button', { name: '打开其他证据包' }).click();
    await openArchive(page, tamperedArchive);
    expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('tampered');
    await walkArchive(page, 'archive-tampered');

    if (Object.keys(found).length > 0) console.log(JSON.stringify(found, null, 2));
    expect(found).toEqual({});
  }, 400_000);

  it('says what the checks say: the seal time proven by the TSA, advice that fits the case', async () => {
    for (const lang of ['en', 'zh'] as const) {
      const { page } = await ui.open(lang);
      const nav = lang === 'zh' ? '打开证据包' : 'Open archive';
      const open = async (path: string): Promise<void> => {
        await page.getByRole('navigation').getByRole('link', { name: nav }).click();
        await page.locator('#archive-path').fill(path);
        await page.locator('#archive-path').press('Enter');
        await page.locator('.verdict').waitFor({ timeout: 60_000 });
      };
      await open(creationArchive);
      const verdict = page.locator('.verdict');
      expect(await verdict.getAttribute('data-verdict')).toBe('verified');
      expect(await page.locator('.arc-check[data-check="seal.timestamp"]').getAttribute('class')).toContain('arc-check-pass');
      const meaning = (await verdict.locator('.verdict-meaning').textContent()) ?? '';
      expect(meaning).toContain(lang === 'zh' ? '封存时间由独立的时间戳机构证明' : 'The time of the seal is proven by');
      expect(meaning).not.toMatch(lang === 'zh' ? /设备.*时钟/ : /device’s (own )?clock/);
      await page.locator('.facts').getByText(lang === 'zh' ? '由时间戳机构证明' : 'proven by a time-stamping authority', { exact: false }).first().waitFor();

      await page.getByRole('button', { name: lang === 'zh' ? '打开其他证据包' : 'Open another archive' }).click();
      await open(tamperedArchive);
      const tamperedMeaning = (await page.locator('.verdict-meaning').textContent()) ?? '';
      expect(tamperedMeaning).not.toMatch(lang === 'zh' ? /根证书/ : /root certificate/);
      expect(tamperedMeaning).not.toMatch(lang === 'zh' ? /可以按现状采信/ : /can be relied on as it stands/);
    }

    // Not trusted here: the seal time is not proven, it rests on the device's clock, and the
    // advice is to trust the authority's root.
    const settings = await ui.host.handlers['settings.get']({}, ctx());
    await ui.host.handlers['settings.update']({ ...settings, trustedRootFiles: [] }, ctx());
    try {
      for (const lang of ['en', 'zh'] as const) {
        const { page } = await ui.open(lang);
        await page.getByRole('navigation').getByRole('link', { name: lang === 'zh' ? '打开证据包' : 'Open archive' }).click();
        await page.locator('#archive-path').fill(creationArchive);
        await page.locator('#archive-path').press('Enter');
        await page.locator('.verdict[data-verdict="unattested"]').waitFor({ timeout: 60_000 });
        const meaning = (await page.locator('.verdict-meaning').textContent()) ?? '';
        expect(meaning).toMatch(lang === 'zh' ? /封存时间.*设备.*时钟/ : /time of the seal rests on the device’s clock/);
        expect(meaning).toContain(lang === 'zh' ? '根证书' : 'root certificate');
        await page.locator('.facts').getByText(lang === 'zh' ? '仅依据设备时钟' : 'rests on the device’s clock', { exact: false }).first().waitFor();
      }
    } finally {
      await ui.host.handlers['settings.update'](settings, ctx());
    }
  }, 120_000);

  it('prints the verdict, the checks and the tab, not the sidebar, the language menu or the buttons', async () => {
    const { page } = await ui.open('en');
    await page.getByRole('navigation').getByRole('link', { name: 'Open archive' }).click();
    await page.locator('#archive-path').fill(creationArchive);
    await page.locator('#archive-path').press('Enter');
    await page.locator('.verdict[data-verdict="verified"]').waitFor({ timeout: 60_000 });
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation').first().isVisible()).toBe(false);
    expect(await page.locator('select').filter({ has: page.locator('option', { hasText: '中文' }) }).first().isVisible().catch(() => false)).toBe(false);
    expect(await page.getByRole('tablist').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Open another archive' }).isVisible()).toBe(false);
    expect(await page.locator('.verdict').isVisible()).toBe(true);
    expect(await page.locator('.arc-checks').isVisible()).toBe(true);
    mkdirSync('/tmp/shots', { recursive: true });
    await page.screenshot({ path: '/tmp/shots/print-en.png', fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByRole('tablist').isVisible()).toBe(true);
  }, 60_000);

  it('takes screenshots at 1920 and 1280 px in both languages for people to look at', async () => {
    mkdirSync('/tmp/shots', { recursive: true });
    for (const lang of ['en', 'zh'] as const) {
      for (const [width, height] of [[1920, 1080], [1280, 800]] as const) {
        const { page } = await ui.open(lang);
        await page.setViewportSize({ width, height });
        await page.goto(`${ui.web.origin}/#/session/${webId}`);
        await page.locator('.page-card').first().waitFor({ timeout: 20_000 });
        await page.screenshot({ path: `/tmp/shots/wide-${lang}-${width}-web-session.png`, fullPage: true });
        await page.goto(`${ui.web.origin}/#/session/${creationId}`);
        await page.locator('.tile').first().waitFor();
        await page.screenshot({ path: `/tmp/shots/wide-${lang}-${width}-creation.png`, fullPage: true });
        await page.getByRole('navigation').getByRole('link', { name: lang === 'zh' ? '打开证据包' : 'Open archive' }).click();
        await page.locator('#archive-path').fill(creationArchive);
        await page.locator('#archive-path').press('Enter');
        await page.locator('.verdict').waitFor({ timeout: 60_000 });
        await page.screenshot({ path: `/tmp/shots/wide-${lang}-${width}-archive.png`, fullPage: true });
        await page.getByRole('tab').nth(3).click();
        await page.locator('.gallery .tile').first().waitFor();
        await page.screenshot({ path: `/tmp/shots/wide-${lang}-${width}-archive-images.png`, fullPage: true });
        await page.context().close();
      }
    }
  }, 240_000);
});
