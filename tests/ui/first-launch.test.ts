// Issue 11: the first-launch check. Home lists what evidence made now would lack (no TSA, no X
// display, no ffmpeg, no trusted roots), with what it means and a way to Settings; Test TSA asks
// each TSA for a real token and shows its name and time, or why none came; with everything in
// place the panel is gone. English and Chinese.
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import type { Page } from 'playwright';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/shared/contract.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { seeText, startUi, type UiHarness } from '../support/ui.js';

const SHOTS = '/tmp/shots';
const TEXT = {
  en: {
    title: 'Before you start',
    noTsa: 'No time-stamping authority (TSA) is configured.',
    noRoots: 'No trusted TSA root certificate is configured.',
    settings: 'Fix in Settings',
    hide: 'Hide',
    incomplete: 'Setup incomplete',
    test: 'Test TSA',
    ready: 'Ready',
    untrusted: 'Not trusted yet',
    unreachable: 'did not answer: check the address and the network connection.',
    // What no screen may say while nothing timestamps anything.
    claim: /timestamped/i,
  },
  zh: {
    title: '开始之前',
    noTsa: '尚未配置时间戳机构（TSA）。',
    noRoots: '尚未配置受信任的时间戳机构根证书。',
    settings: '前往设置修复',
    hide: '隐藏',
    incomplete: '设置未完成',
    test: '测试时间戳机构',
    ready: '就绪',
    untrusted: '尚不可信',
    unreachable: '没有响应：请检查地址和网络连接。',
    claim: /已加盖|加盖了|timestamped/i,
  },
} as const;

const ctx = { progress: () => undefined, signal: new AbortController().signal };
let tsa: RunningTsa;
let ui: UiHarness | undefined;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  tsa = await startTsa({ name: 'First Launch' });
}, 60_000);
afterAll(async () => tsa?.stop());
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

/** A loopback port nothing listens on: taken, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function configure(patch: Partial<Settings>): Promise<void> {
  const current = await ui!.host.handlers['settings.get']({}, ctx);
  await ui!.host.handlers['settings.update']({ ...current, ...patch, recording: { ...current.recording, ...patch.recording } }, ctx);
}

async function home(page: Page): Promise<void> {
  await page.evaluate(() => (window.location.hash = '#/settings'));
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await page.evaluate(() => (window.location.hash = '#/'));
}

describe.each(['en', 'zh'] as const)('the first-launch check (%s)', (lang) => {
  const t = TEXT[lang];
  it('names what is missing, tests the TSA, and goes away once everything is in place', async () => {
    ui = await startUi();
    const { page } = await ui.open(lang);
    const panel = page.getByRole('region', { name: t.title });

    // Nothing configured: the TSA is named as missing, with its meaning and the way to Settings.
    await seeText(panel.locator('[data-item=tsa]'), t.noTsa);
    await seeText(panel.locator('[data-item=roots]'), t.noRoots);
    expect(await panel.locator('[data-item=tsa]').getByRole('link', { name: t.settings }).getAttribute('href')).toBe('#/settings');
    expect(await page.locator('main').innerText()).not.toMatch(t.claim);
    await page.screenshot({ path: `${SHOTS}/readiness-missing-${lang}.png`, fullPage: true });

    // Hidden, a small link stays; it brings the panel back.
    await panel.getByRole('button', { name: t.hide }).click();
    await seeText(page.locator('.readiness-link'), t.incomplete);
    expect(await panel.count()).toBe(0);
    await page.locator('.readiness-link').getByRole('button').click();
    await seeText(panel.locator('[data-item=tsa]'), t.noTsa);

    // The loopback TSA configured: Test TSA shows its name and the token's time.
    await configure({ tsaUrls: [tsa.url] });
    await home(page);
    const tsaItem = panel.locator('[data-item=tsa]');
    await seeText(tsaItem, t.ready);
    await tsaItem.getByRole('button', { name: t.test }).click();
    const answer = tsaItem.locator('.tsa-result');
    await seeText(answer, 'First Launch TSA');
    const genTime = await answer.locator('time').getAttribute('datetime');
    expect(Math.abs(Date.parse(genTime!) - Date.now())).toBeLessThan(60_000);
    expect((await answer.locator('time').innerText()).length).toBeGreaterThan(5);
    await seeText(answer, t.untrusted); // no trusted root yet: said, not hidden
    await page.screenshot({ path: `${SHOTS}/readiness-tested-${lang}.png`, fullPage: true });

    // A TSA on a closed port, tested from Settings before saving: a failure naming it.
    const closed = `http://127.0.0.1:${await closedPort()}/tsr`;
    await page.evaluate(() => (window.location.hash = '#/settings'));
    const first = page.locator('[data-field="tsaUrls.0"]');
    await first.waitFor();
    await first.fill(closed);
    const section = page.locator('section[aria-labelledby=set-tsa]');
    await section.getByRole('button', { name: t.test, exact: true }).click();
    const failure = section.locator('.tsa-result-fail');
    await seeText(failure, `${closed} ${t.unreachable}`);
    await page.screenshot({ path: `${SHOTS}/settings-tsa-failed-${lang}.png`, fullPage: true });

    // Everything in place: TSA, trusted root, a display, ffmpeg. No panel, no link.
    await configure({ tsaUrls: [tsa.url], trustedRootFiles: [tsa.caPath], recording: { display: ':99' } as Settings['recording'] });
    const info = await ui.host.handlers['app.info']({}, ctx);
    expect(info.capabilities.ffmpeg.ok).toBe(true); // the test machine has ffmpeg
    await page.evaluate(() => (window.location.hash = '#/'));
    await page.locator('[data-readiness=complete]').waitFor();
    expect(await page.locator('.readiness, .readiness-link').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/readiness-complete-${lang}.png`, fullPage: true });
  }, 120_000);
});
