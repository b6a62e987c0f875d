// Issue 11: a UI that says only what is true about a seal's timestamp. The home list tells a seal
// a TSA timestamped from one no TSA answered, and a session whose seal has no token always offers
// to fetch it again, after a reload too. English and Chinese.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

const TEXT = {
  en: { sealed: 'Sealed', noTimestamp: 'Sealed, no timestamp', retry: 'Fetch the timestamp again' },
  zh: { sealed: '已封存', noTimestamp: '已封存，无时间戳', retry: '重新获取时间戳' },
} as const;

const ctx = { progress: () => undefined, signal: new AbortController().signal };
let tsa: RunningTsa;
let ui: UiHarness;
type Ids = Record<'stamped' | 'unstamped' | 'unanswered', string>;
const ids: Record<'en' | 'zh', Ids> = { en: { stamped: '', unstamped: '', unanswered: '' }, zh: { stamped: '', unstamped: '', unanswered: '' } };

beforeAll(async () => {
  mkdirSync(SCREENS_DIR, { recursive: true });
  tsa = await startTsa({ name: 'Seal list TSA' });
  ui = await startUi({ tsaUrls: [tsa.url], settings: { trustedRootFiles: [tsa.caPath] } });
  const settings = await ui.host.handlers['settings.get']({}, ctx);
  for (const lang of ['en', 'zh'] as const) {
    const stamped = await ui.host.handlers['session.create']({ kind: 'creation', title: `Timestamped seal ${lang}` }, ctx);
    const stampedSeal = await ui.host.handlers['session.seal']({ id: stamped.id }, ctx);
    expect(stampedSeal.sealTokens).toBe(1);
    try {
      // No TSA at all: signed by this device only.
      await ui.host.handlers['settings.update']({ ...settings, tsaUrls: [] }, ctx);
      const unstamped = await ui.host.handlers['session.create']({ kind: 'web', title: `Device-only seal ${lang}` }, ctx);
      await ui.host.handlers['session.seal']({ id: unstamped.id }, ctx);
      // A TSA that does not answer (nothing listens there).
      await ui.host.handlers['settings.update']({ ...settings, tsaUrls: ['http://127.0.0.1:9/tsa'] }, ctx);
      const unanswered = await ui.host.handlers['session.create']({ kind: 'creation', title: `Unanswered seal ${lang}` }, ctx);
      const unansweredSeal = await ui.host.handlers['session.seal']({ id: unanswered.id }, ctx);
      expect(unansweredSeal.sealTokens).toBe(0);
      ids[lang] = { stamped: stamped.id, unstamped: unstamped.id, unanswered: unanswered.id };
    } finally {
      await ui.host.handlers['settings.update'](settings, ctx);
    }
  }
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
});

describe.each(['en', 'zh'] as const)('a seal’s timestamp in the UI (%s)', (lang) => {
  const t = TEXT[lang];
  it('the home list marks a seal without a timestamp apart from a timestamped one', async () => {
    const { page } = await ui.open(lang);
    const badge = (title: string) => page.locator('.session', { hasText: `${title} ${lang}` }).locator('.badge');
    await expect.poll(() => badge('Unanswered seal').count(), { timeout: 20_000 }).toBe(1);
    expect(await badge('Timestamped seal').allTextContents()).toEqual([t.sealed]);
    expect(await badge('Timestamped seal').getAttribute('class')).toBe('badge badge-sealed');
    for (const title of ['Device-only seal', 'Unanswered seal']) {
      expect(await badge(title).allTextContents()).toEqual([t.noTimestamp]);
      expect(await badge(title).getAttribute('class')).toBe('badge badge-warn');
    }
    await shot(page, `home-seal-timestamp-${lang}`);
  }, 60_000);

  it('a seal without a token offers to fetch the timestamp again, after a reload too, until it has one', async () => {
    const mine = ids[lang];
    // A timestamped seal has nothing to fetch.
    const stamped = (await ui.open(lang, `#/session/${mine.stamped}`)).page;
    await seeText(stamped.locator('h1'), `Timestamped seal ${lang}`);
    await stamped.locator('.seal-export').waitFor({ timeout: 20_000 });
    expect(await stamped.getByRole('button', { name: t.retry }).count()).toBe(0);

    // The seal the unreachable TSA never answered, while that TSA is still the only one: it stays without a token.
    const settings = await ui.host.handlers['settings.get']({}, ctx);
    await ui.host.handlers['settings.update']({ ...settings, tsaUrls: ['http://127.0.0.1:9/tsa'] }, ctx);
    try {
      const { page } = await ui.open(lang, `#/session/${mine.unanswered}`);
      const retry = page.getByRole('button', { name: t.retry });
      await retry.waitFor({ timeout: 20_000 });
      await seeText(page.locator('.subtitle .badge').first(), t.noTimestamp);
      await page.reload();
      await retry.waitFor({ timeout: 20_000 });
      await retry.click();
      await page.locator('.seal-export .notice').waitFor({ timeout: 30_000 });
      expect(await page.locator('.seal-export .notice').getAttribute('class')).toBe('notice notice-warn');
      await page.reload();
      await retry.waitFor({ timeout: 20_000 });
      await shot(page, `seal-retry-unanswered-${lang}`);
    } finally {
      await ui.host.handlers['settings.update'](settings, ctx);
    }

    // Signed by this device only, then a TSA is configured: fetching again timestamps the seal.
    const device = (await ui.open(lang, `#/session/${mine.unstamped}`)).page;
    const again = device.getByRole('button', { name: t.retry });
    await again.waitFor({ timeout: 20_000 });
    await device.reload();
    await again.waitFor({ timeout: 20_000 });
    await shot(device, `seal-retry-no-token-${lang}`);
    await again.click();
    await device.locator('.seal-export .notice').waitFor({ timeout: 30_000 });
    await expect.poll(() => again.count(), { timeout: 20_000 }).toBe(0);
    expect((await ui.host.handlers['session.list']({}, ctx)).find((s) => s.id === mine.unstamped)?.sealTimestamped).toBe(true);
    await seeText(device.locator('.subtitle .badge').first(), t.sealed);
    expect(await device.locator('.subtitle .badge').first().textContent()).toBe(t.sealed);
    await shot(device, `seal-retry-done-${lang}`);
  }, 120_000);
});
