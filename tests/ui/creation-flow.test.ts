// The creator's whole path through the real UI, in Debian Chromium through the web host: make a
// session, record the screen of a real Xvfb display, drop generated images into the watched
// folder, mark and note, compare, seal with a real TSA, export, and open the archive in the
// viewer to see it verified. Once in English and once in Chinese.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a1111Parameters, pngWithText } from '../support/ai-images.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

const TEXT = {
  en: { newCreation: 'New creation session', start: 'Start session', record: 'Start recording', recording: 'Recording', stop: 'Stop', final: 'Final', addNote: 'Add note', compare: 'Compare selected', seal: 'Seal session', export: 'Export archive', written: 'Archive written', verified: 'Verified' },
  zh: { newCreation: '新建 AI 创作会话', start: '开始会话', record: '开始录制', recording: '正在录制', stop: '停止', final: '定稿', addNote: '添加备注', compare: '比对所选图像', seal: '封存会话', export: '导出证据包', written: '证据包已写入', verified: '核验通过' },
} as const;

let display: RunningDisplay;
let tsa: RunningTsa;
let ui: UiHarness;
let work: string;

beforeAll(async () => {
  display = await startXvfb({ animate: true });
  tsa = await startTsa({ name: 'UI flow TSA' });
  work = mkdtempSync(join(tmpdir(), 'proofline-ui-flow-'));
  mkdirSync(join(work, 'outputs'));
  ui = await startUi({
    tsaUrls: [tsa.url],
    settings: { trustedRootFiles: [tsa.caPath], watchFolders: [join(work, 'outputs')], recording: { display: display.display, fps: 5, quality: 'low', clock: true, segmentSeconds: 2 } },
  });
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
  await display?.stop();
  rmSync(work, { recursive: true, force: true });
});



describe.each(['en', 'zh'] as const)('the creator in the UI (%s)', (lang) => {
  const t = TEXT[lang];
  it('records, marks, notes, compares, seals, exports and sees the archive verified', async () => {
    const { page } = await ui.open(lang);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: t.newCreation }).click();
    await page.locator('form input').first().fill(`Spring river ${lang}`);
    await page.getByRole('button', { name: t.start }).click();
    await page.waitForURL(/#\/session\//);
    const sessionId = page.url().split('/').pop()!;

    await page.getByRole('button', { name: t.record }).click();
    await expect.poll(async () => page.locator('.recorder [role=status]').first().textContent(), { timeout: 20_000 }).toContain(t.recording);

    // Two generations arrive in the watched folder while the screen records.
    const outputs = join(work, 'outputs');
    writeFileSync(join(outputs, `${lang}-00001.png`), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1234, 'a lighthouse at dusk, oil painting') }], { width: 64, height: 64, seed: 1 }));
    writeFileSync(join(outputs, `${lang}-00002.png`), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1235, 'a lighthouse at dawn, oil painting') }], { width: 64, height: 64, seed: 2 }));
    await expect.poll(() => page.locator('.tile').count(), { timeout: 20_000 }).toBe(2);

    // Wait for at least one closed segment before stopping, so the recording is in the archive.
    await expect.poll(async () => (await ui.pl.sessions.get(sessionId)).eventCount, { timeout: 20_000 }).toBeGreaterThan(4);
    await expect.poll(() => page.locator('.timeline-item.type-recording').count(), { timeout: 20_000 }).toBeGreaterThan(1);

    await page.locator('.tile-image').first().click();
    await seeText(page.locator('.image-details .prompt').first(), 'lighthouse');
    await page.locator('.mark-box input').fill(lang === 'zh' ? '构图最好' : 'best composition');
    await page.locator('.mark-box').getByRole('button', { name: t.final }).click();
    await seeText(page.locator('.tile .badge').first(), t.final);

    await page.locator('.note-box textarea').fill(lang === 'zh' ? '选择黄昏版本：光线更柔和' : 'Chose the dusk version: softer light');
    await page.getByRole('button', { name: t.addNote }).click();
    await seeText(page.locator('.timeline'), lang === 'zh' ? '选择黄昏版本' : 'Chose the dusk version');

    for (const box of await page.locator('.tile-select input').all()) await box.check();
    await page.getByRole('button', { name: t.compare }).click();
    await expect.poll(() => page.locator('.compare img').count()).toBe(3);
    // The watcher may store either file first: the diff has one word removed and one added.
    await expect.poll(async () => (await page.locator('.prompt .diff-added, .prompt .diff-removed').allTextContents()).map((w) => w.trim()).sort()).toEqual(['dawn', 'dusk']);
    await shot(page, `creation-session-${lang}`);

    await page.getByRole('button', { name: t.stop }).click();
    await expect.poll(async () => (await ui.host.capture.status(sessionId)).state, { timeout: 20_000 }).toBe('idle');
    await page.getByRole('button', { name: t.seal }).click();
    await page.locator('.seal-export .notice').first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: t.export }).click();
    await seeText(page.locator('.seal-export .notice'), t.written, 60_000);
    const archive = (await page.locator('.seal-export .notice').textContent())!.split(/[:：]\s*/).pop()!.trim();
    // In the browser host the archive is on the host's disk: the browser saves a byte-identical copy.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.export-download a').click()]);
    expect(download.suggestedFilename()).toBe(basename(archive));
    const saved = join(work, `downloaded-${lang}.zip`);
    await download.saveAs(saved);
    expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(createHash('sha256').update(readFileSync(archive)).digest('hex'));
    await shot(page, `creation-sealed-${lang}`);

    // The lawyer's view of the same archive.
    await page.goto(`${ui.web.origin}/#/archive`);
    await page.locator('input[type=text], input:not([type])').first().fill(archive);
    await page.keyboard.press('Enter');
    await seeText(page.locator('body'), t.verified, 60_000);
    const events = await ui.pl.events.count(sessionId);
    const types = [...ui.pl.events.iterate(sessionId)].map((e) => e.body.type);
    expect(types).toEqual(expect.arrayContaining(['recording.started', 'recording.segment', 'recording.stopped', 'generation.image', 'generation.marked', 'note', 'comparison.made', 'session.sealed']));
    expect(events).toBeGreaterThan(8);
    await shot(page, `creation-archive-${lang}`);

    // The screen recording plays in the viewer (its MPEG-TS segments remuxed for the browser)
    // and jumps to the moment of the note.
    await page.getByRole('tab', { name: /Timeline and recording|时间线与录屏/ }).click();
    await page.locator('.timeline-button', { hasText: lang === 'zh' ? '选择黄昏版本' : 'Chose the dusk version' }).first().click();
    await expect.poll(() => page.locator('video.recording-video').evaluate((v: HTMLVideoElement) => v.readyState).catch(() => 0), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(await page.locator('video.recording-video').evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(0.5);
    await shot(page, `creation-archive-recording-${lang}`);
  }, 180_000);
});
