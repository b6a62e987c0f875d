// The rights holder's path through the real UI: a web session, the clean-environment check with
// its findings, a batch of two loopback pages (one refused), the captured page with its
// screenshot, and its DOM shown in a sandboxed frame with scripts off. English and Chinese.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

const TEXT = {
  en: { newWeb: 'New web capture', start: 'Start session', run: 'Run the check', pass: 'Pass', capture: 'Capture', captured: 'Captured', failed: 'Failed', summary: '1 captured, 1 failed', show: 'Show the captured page' },
  zh: { newWeb: '新建网页取证', start: '开始会话', run: '开始检查', pass: '通过', capture: '开始取证', captured: '已固定', failed: '失败', summary: '已固定 1 个，失败 1 个', show: '显示固定的页面' },
} as const;

let site: TestSite;
let ui: UiHarness;
let display: RunningDisplay;

beforeAll(async () => {
  site = await startTestSite();
  display = await startXvfb();
  ui = await startUi({ settings: { recording: { display: display.display, fps: 5, quality: 'low', clock: true, segmentSeconds: 2 } } });
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await site?.stop();
  await display?.stop();
});



describe.each(['en', 'zh'] as const)('the rights holder in the UI (%s)', (lang) => {
  const t = TEXT[lang];
  it('checks the environment, captures a batch and sees the page only in a sandboxed frame', async () => {
    const { page } = await ui.open(lang);
    await page.getByRole('button', { name: t.newWeb }).click();
    await page.locator('form input').first().fill(`Copies on the test site (${lang})`);
    await page.getByRole('button', { name: t.start }).click();
    await page.waitForURL(/#\/session\//);
    const sessionId = page.url().split('/').pop()!;

    const plain = `${site.httpOrigin}/plain`;
    await page.locator('input[type=url]').first().fill(plain);
    await page.getByRole('button', { name: t.run }).click();
    await expect.poll(() => page.locator('.findings .finding').count(), { timeout: 30_000 }).toBeGreaterThan(10);
    expect(await page.locator('.findings .badge', { hasText: t.pass }).count()).toBeGreaterThan(0);

    const refused = await site.refusedUrl();
    await page.locator('textarea.mono').fill(`${plain}\n${refused}`);
    await page.getByRole('button', { name: t.capture, exact: true }).click();
    await seeText(page.locator('[role=status].notice'), t.summary, 90_000);
    await expect.poll(() => page.locator('.page-card').count(), { timeout: 20_000 }).toBe(1);
    await seeText(page.locator('.page-card'), 'Plain page');
    await page.getByRole('button', { name: t.show }).click();
    const frame = page.locator('.page-frame iframe');
    expect(await frame.getAttribute('sandbox')).toBe('');
    const shown = page.frames().find((f) => f.url().includes('/media/blob/'));
    await expect.poll(async () => (await page.frames().find((f) => f.url().includes('/media/blob/'))?.content()) ?? '', { timeout: 15_000 }).toContain('Infringing copy of the poster');
    // Scripts are off twice over: the frame's sandbox attribute, and the host's CSP sandbox header.
    const response = await page.request.get((shown ?? page.frames().find((f) => f.url().includes('/media/blob/')))!.url());
    expect(response.headers()['content-security-policy']).toMatch(/^sandbox;/);
    await shot(page, `web-session-${lang}`);

    const types = [...ui.pl.events.iterate(sessionId)].map((e) => e.body.type);
    expect(types).toEqual(expect.arrayContaining(['web.environment-check', 'web.navigation', 'web.capture', 'web.capture.failed']));
  }, 180_000);
});

describe('interactive capture in the UI', () => {
  it('opens a headed browser on the display, captures where it lands and on demand, records the screen, and closes', async () => {
    const session = await ui.pl.sessions.create({ kind: 'web', title: 'Interactive capture' });
    const { page } = await ui.open('en', `#/session/${session.id}`);
    await page.locator('[aria-label="Address to open"]').fill(`${site.httpOrigin}/plain`);
    await page.getByRole('button', { name: 'Open browser' }).click();
    await seeText(page.locator('[aria-label="Interactive capture"] [role=status]'), 'Browsing', 60_000);
    // The page the user lands on is captured by itself; then once more on demand.
    await seeText(page.locator('[aria-label="Interactive capture"] [role=status]'), '1 page captured', 60_000);
    await page.getByRole('button', { name: 'Capture this page' }).click();
    await seeText(page.locator('[aria-label="Interactive capture"]'), 'Captured as event #', 60_000);
    await shot(page, 'web-interactive-en');
    await page.getByRole('button', { name: 'Close browser' }).click();
    await seeText(page.locator('[aria-label="Interactive capture"] [role=status]'), 'No browser open', 60_000);
    const types = [...ui.pl.events.iterate(session.id)].map((e) => e.body.type);
    expect(types.filter((t) => t === 'web.capture').length).toBeGreaterThanOrEqual(2);
    expect(types).toEqual(expect.arrayContaining(['web.navigation', 'recording.started', 'recording.segment', 'recording.stopped']));
  }, 180_000);
});
