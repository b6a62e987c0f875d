// A recording that cannot start, in the real UI (Debian Chromium through `proofline serve`'s web
// host), in English and in Chinese (issue 11, point 7): Settings watch a folder that no longer
// exists. Pressing Record says so at once in the reader's language, the recorder never claims
// to be recording, and the session's timeline gains no "Recording started".
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

const TEXT = {
  en: { record: 'Start recording', title: 'Not found', detail: (path: string) => `The output folder ${path} does not exist`, idle: 'Not recording', recording: 'Recording', started: 'Recording started' },
  zh: { record: '开始录制', title: '未找到', detail: (path: string) => `文件夹 ${path} 不存在：请创建它，或选择其他要监视的文件夹。`, idle: '未在录制', recording: '正在录制', started: '开始录屏' },
} as const;

let display: RunningDisplay;
let ui: UiHarness;
let work: string;
let missing: string;

beforeAll(async () => {
  display = await startXvfb();
  work = mkdtempSync(join(tmpdir(), 'proofline-ui-failed-start-'));
  missing = join(work, 'deleted-outputs');
  ui = await startUi({ settings: { watchFolders: [missing], recording: { display: display.display, fps: 5, quality: 'low', clock: true, segmentSeconds: 2 } } });
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await display?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.each(['en', 'zh'] as const)('a recording whose watched folder is gone (%s)', (lang) => {
  const t = TEXT[lang];
  it('says so in the reader’s language, does not claim to record, and leaves no "Recording started"', async () => {
    const session = await ui.pl.sessions.create({ kind: 'creation', title: `failed start ${lang}` });
    const before = await ui.pl.events.count(session.id);
    const { page } = await ui.open(lang, `#/session/${session.id}`);
    const record = page.getByRole('button', { name: t.record });
    await expect.poll(() => record.isEnabled(), { timeout: 20_000 }).toBe(true);

    const clicked = Date.now();
    await record.click();
    const notice = page.locator('section.panel', { has: page.locator('.recorder') }).locator('[role=alert].notice-error');
    await seeText(notice.locator('.notice-detail'), t.detail(missing), 5_000);
    await seeText(notice.locator('.notice-title'), t.title);
    expect(Date.now() - clicked).toBeLessThan(5_000);
    // The host's own words, with the path, stay one click away in Chinese.
    if (lang === 'zh') await seeText(notice.locator('details.technical'), `The output folder ${missing} does not exist`);

    const state = page.locator('.recorder [role=status]').first();
    await seeText(state, t.idle);
    expect(await state.textContent()).not.toContain(t.recording);
    await expect.poll(() => page.getByRole('button', { name: t.record }).isVisible()).toBe(true);

    // Nothing was entered: no recording event in the store, none in the timeline.
    expect(await ui.host.capture.status(session.id)).toMatchObject({ state: 'idle' });
    const types = [...ui.pl.events.iterate(session.id)].map((e) => e.body.type);
    expect(types.filter((type) => type.startsWith('recording.') || type.startsWith('capture.watch'))).toEqual([]);
    expect(await ui.pl.events.count(session.id)).toBe(before);
    await page.waitForTimeout(1_500); // a live-event poll or two
    expect(await page.locator('.timeline').textContent()).not.toContain(t.started);
    expect(await page.locator('.timeline-item.type-recording').count()).toBe(0);
    await shot(page, `failed-start-${lang}`);
  }, 60_000);
});
