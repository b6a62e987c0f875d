// The trusted-time panel of the live session screens, in Chromium through `proofline serve`: how
// far a session is proven by a real RFC 3161 TSA on loopback, what waits (and why) while the TSA
// is down, and, with no TSA configured, that times rest on this device's clock — never
// "timestamped". The seal's confirmation says "timestamped" only when a TSA will be asked.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { SCREENS_DIR, shot, startUi, type UiHarness } from '../support/ui.js';

/** The shortest interval Settings allow: the panel is seen to catch up within a test. */
const ANCHOR_SECONDS = 5;

let tsa: RunningTsa;
let ui: UiHarness;
const ctx = { progress: () => undefined, signal: new AbortController().signal };

beforeAll(async () => {
  mkdirSync(SCREENS_DIR, { recursive: true });
  tsa = await startTsa({ name: 'Live panel' });
  ui = await startUi({ tsaUrls: [tsa.url], settings: { anchorSeconds: ANCHOR_SECONDS } });
  // As `proofline serve` does: the interval from Settings, and the timer that anchors open sessions.
  ui.pl.setAnchorSeconds(ANCHOR_SECONDS);
  ui.pl.startTimers();
}, 60_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
});

const panel = (page: Page) => page.locator('section.anchoring');
const attr = async (page: Page, name: string) => Number(await panel(page).getAttribute(name));

async function openSession(lang: 'en' | 'zh', id: string): Promise<Page> {
  const { page } = await ui.open(lang, `#/session/${id}`);
  await panel(page).locator('[data-testid="anchoring-upto"]').waitFor({ timeout: 20_000 });
  return page;
}

/** Waits until the panel shows every event of the session proven. */
async function allProven(page: Page): Promise<number> {
  await expect
    .poll(async () => {
      const proven = await attr(page, 'data-proven');
      return proven > 0 && proven === (await attr(page, 'data-events')) && proven === (await ui.pl.events.count(page.url().split('/').pop()!));
    }, { timeout: 60_000, interval: 500 })
    .toBe(true);
  return attr(page, 'data-proven');
}

describe('the trusted-time panel of a live session', () => {
  it('shows how far a creation session is proven, what waits while the TSA is down, then catches up and seals with a timestamp (en)', async () => {
    const session = await ui.pl.sessions.create({ kind: 'creation', title: 'Anchored while it happens' });
    const page = await openSession('en', session.id);
    // The session's first checkpoint is timestamped as it starts.
    expect(await panel(page).getByRole('heading').textContent()).toBe('Trusted time');
    expect(await panel(page).locator('[data-testid="anchoring-upto"]').textContent()).toBe('Proven up to event #0');
    expect(await panel(page).locator('[data-testid="anchoring-counts"]').textContent()).toBe('1 of 1 events proven');
    expect(await panel(page).locator('.anchoring-interval').textContent()).toBe(`Each new event is timestamped within ${ANCHOR_SECONDS} s by the TSA in Settings.`);
    expect(await panel(page).locator('[data-testid="anchoring-no-tsa"]').count()).toBe(0);
    await shot(page, 'anchoring-live-en');

    // The TSA goes down: a note waits, the request stays pending, and the panel says why.
    tsa.setDown(true);
    try {
      await ui.pl.sessions.note(session.id, 'Chose the dusk version');
      const waiting = panel(page).locator('[data-testid="anchoring-waiting"]');
      await waiting.waitFor({ timeout: 20_000 });
      expect(await waiting.getAttribute('data-from')).toBe('1');
      expect(await waiting.locator('span').first().textContent()).toBe('Events from #1');
      await panel(page).locator('.anchoring-error').waitFor({ timeout: 30_000 });
      expect((await panel(page).locator('.anchoring-error').textContent())!.startsWith('Last TSA error: ')).toBe(true);
      expect(await panel(page).locator('[data-testid="anchoring-upto"]').textContent()).toBe('Proven up to event #0');
      await shot(page, 'anchoring-live-en-waiting');
    } finally {
      tsa.setDown(false);
    }

    // Back up: the queued request is retried, and every event (the delay disclosed) is proven.
    const proven = await allProven(page);
    expect(proven).toBeGreaterThan(1);
    expect(await panel(page).locator('[data-testid="anchoring-upto"]').textContent()).toBe(`Proven up to event #${proven - 1}`);
    expect(await panel(page).locator('[data-testid="anchoring-waiting"]').count()).toBe(0);
    await shot(page, 'anchoring-live-en-caught-up');

    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Seal session' }).click();
    await page.locator('.seal-export .notice').waitFor({ timeout: 30_000 });
    expect(asked).toEqual(['Sealing closes the session for good: nothing can be added afterwards. A final checkpoint is signed by this device and timestamped by the time-stamping authority in Settings. Seal now?']);
    expect(await page.locator('.seal-export .notice').getAttribute('class')).toBe('notice notice-ok');
    expect(await page.locator('.seal-warning').count()).toBe(0);
    await allProven(page);
    // Sealed: nothing more will come, so nothing is promised about new events.
    await expect.poll(() => panel(page).locator('.anchoring-interval').count()).toBe(0);
    await shot(page, 'anchoring-sealed-en');
  }, 120_000);

  it('says how far a web capture is proven, in Chinese', async () => {
    const session = await ui.pl.sessions.create({ kind: 'web', title: '侵权网页取证' });
    const page = await openSession('zh', session.id);
    expect(await panel(page).getByRole('heading').textContent()).toBe('可信时间');
    expect(await panel(page).locator('[data-testid="anchoring-upto"]').textContent()).toBe('已证明至事件 #0');
    expect(await panel(page).locator('[data-testid="anchoring-counts"]').textContent()).toBe('1 条事件中已证明 1 条');
    expect(await panel(page).locator('.anchoring-interval').textContent()).toBe(`每个新事件在 ${ANCHOR_SECONDS} 秒内由设置中的 1 个时间戳机构加盖时间戳。`);
    await shot(page, 'anchoring-live-zh');
  });

  it('says times rest on this device’s clock when no TSA is configured, and never “timestamped” (en, zh)', async () => {
    const settings = await ui.host.handlers['settings.get']({}, ctx);
    await ui.host.handlers['settings.update']({ ...settings, tsaUrls: [] }, ctx);
    try {
      const t = {
        en: {
          title: 'No TSA: times rest on this device’s clock only',
          counts: '0 of 1 events proven',
          confirm: 'Sealing closes the session for good: nothing can be added afterwards. A final checkpoint is signed by this device only: no time-stamping authority is configured, so nothing will prove when the session was recorded. To get that proof, cancel and add one in Settings first. Seal now?',
          seal: 'Seal session',
          warning: null,
        },
        zh: {
          title: '未配置时间戳机构：时间仅依据本机时钟',
          counts: '1 条事件中已证明 0 条',
          confirm: '封存后会话即永久关闭，之后不能再添加任何内容。最后的检查点仅由本设备签名：未配置时间戳机构，因此没有任何证明表明会话的记录时间。如需这一证明，请取消并先在设置中添加时间戳机构。现在封存吗？',
          seal: '封存会话',
          warning: '未配置时间戳机构：会话仅由本设备签名，没有任何证明表明其记录时间。请在设置中添加时间戳机构，然后再次封存，为封存加盖时间戳。',
        },
      };
      for (const [lang, kind] of [['en', 'creation'], ['zh', 'web']] as const) {
        const session = await ui.pl.sessions.create({ kind, title: `Signed only here (${lang})` });
        const { page } = await ui.open(lang, `#/session/${session.id}`);
        const noTsa = panel(page).locator('[data-testid="anchoring-no-tsa"]');
        await noTsa.waitFor({ timeout: 20_000 });
        expect(await noTsa.textContent()).toBe(t[lang].title);
        expect(await panel(page).locator('[data-testid="anchoring-counts"]').textContent()).toBe(t[lang].counts);
        // Nothing waits for a TSA that is not there, and nothing is called timestamped.
        expect(await panel(page).locator('[data-testid="anchoring-waiting"], .anchoring-foot').count()).toBe(0);
        expect(await panel(page).textContent()).not.toMatch(/timestamped|时间戳机构加盖/);
        await shot(page, `anchoring-no-tsa-${lang}`);

        const asked: string[] = [];
        page.on('dialog', (dialog) => {
          asked.push(dialog.message());
          void dialog.accept();
        });
        await page.getByRole('button', { name: t[lang].seal }).click();
        await page.locator('.seal-export .notice').waitFor({ timeout: 30_000 });
        expect(asked).toEqual([t[lang].confirm]);
        // The seal says what it did not get.
        expect(await page.locator('.seal-export .notice').getAttribute('class')).toBe('notice notice-warn');
        expect(await page.locator('.seal-warning').count()).toBe(1);
        if (t[lang].warning) expect(await page.locator('.seal-warning').textContent()).toBe(t[lang].warning);
        await shot(page, `anchoring-no-tsa-sealed-${lang}`);
      }
    } finally {
      await ui.host.handlers['settings.update'](settings, ctx);
    }
  }, 120_000);
});
