// Issue 11: a UI that says only what is true. When `proofline serve` stops, every screen says the
// connection is lost, and the recording screen no longer claims a live recording it cannot see;
// when it answers again, all of that goes by itself.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

const TEXT = {
  en: { lost: 'Connection to Proofline lost: what you see may be out of date', recording: 'Recording', unknown: 'State unknown: Proofline does not answer', pause: 'Pause', stop: 'Stop' },
  zh: { lost: '与 Proofline 的连接已断开：所见内容可能已过时', recording: '正在录制', unknown: '状态未知：Proofline 没有响应', pause: '暂停', stop: '停止' },
} as const;

const ctx = { progress: () => undefined, signal: new AbortController().signal };
let ui: UiHarness | undefined;
let work: string | undefined;

afterEach(async () => {
  await ui?.close();
  ui = undefined;
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(['en', 'zh'] as const)('when the host stops answering (%s)', (lang) => {
  const t = TEXT[lang];
  it('shows the banner, no longer claims a live recording, and recovers by itself', async () => {
    work = mkdtempSync(join(tmpdir(), 'proofline-ui-conn-'));
    mkdirSync(SCREENS_DIR, { recursive: true });
    ui = await startUi({ settings: { watchFolders: [work] } });
    const session = await ui.host.handlers['session.create']({ kind: 'creation', title: `Lost connection ${lang}` }, ctx);
    await ui.host.handlers['recording.start']({ id: session.id, screen: false }, ctx);

    const { page } = await ui.open(lang, `#/session/${session.id}`);
    const status = page.locator('.recorder [role=status]').first();
    await seeText(status, t.recording);
    expect(await page.getByRole('alert').filter({ hasText: t.lost }).count()).toBe(0);

    await ui.stopServer();
    await seeText(page.getByRole('alert'), t.lost);
    await seeText(status, t.unknown);
    expect(await status.textContent()).not.toContain(t.recording);
    expect(await page.locator('.recorder').getByRole('button', { name: t.pause }).count()).toBe(0);
    expect(await page.locator('.recorder').getByRole('button', { name: t.stop }).count()).toBe(0);
    await shot(page, `connection-lost-recording-${lang}`);

    // Every screen: the banner stays on the home list too.
    await page.evaluate(() => (window.location.hash = '#/'));
    await seeText(page.getByRole('alert'), t.lost);
    await shot(page, `connection-lost-home-${lang}`);

    // The host answers again: the banner goes by itself, and the recording is shown as it is.
    await ui.restartServer();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: t.lost }).count(), { timeout: 20_000 }).toBe(0);
    await page.evaluate((id) => (window.location.hash = `#/session/${id}`), session.id);
    await seeText(page.locator('.recorder [role=status]').first(), t.recording);
    await page.locator('.recorder').getByRole('button', { name: t.stop }).waitFor({ timeout: 20_000 });
    await shot(page, `connection-back-${lang}`);
  }, 90_000);
});
