// Issue 11: "the live timeline stops updating after an error until a reload". After failed
// answers (503), refused connections and a host that stops and comes back, the open session's
// timeline resumes by itself, with every event added meanwhile, and the page is never reloaded.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright';
import { afterEach, describe, expect, it } from 'vitest';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

const TEXT = {
  en: { lost: 'Connection to Proofline lost' },
  zh: { lost: '与 Proofline 的连接已断开' },
} as const;

const ctx = { progress: () => undefined, signal: new AbortController().signal };
let ui: UiHarness | undefined;

afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

const timeline = (page: Page) => page.locator('.timeline-list');
/** A value only this load of the page holds: gone if the page were reloaded. */
const markLoad = (page: Page) => page.evaluate(() => ((window as unknown as { loadMark: number }).loadMark = 42));
const sameLoad = (page: Page) => page.evaluate(() => (window as unknown as { loadMark?: number }).loadMark === 42);

describe.each(['en', 'zh'] as const)('the live timeline after an error (%s)', (lang) => {
  it('catches up by itself after failed answers, refused connections and a host that came back', async () => {
    mkdirSync(SCREENS_DIR, { recursive: true });
    ui = await startUi();
    const session = await ui.host.handlers['session.create']({ kind: 'web', title: `Live recovery ${lang}` }, ctx);
    await ui.host.handlers['session.note']({ id: session.id, text: `before any error ${lang}` }, ctx);
    const { page } = await ui.open(lang, `#/session/${session.id}`);
    await seeText(timeline(page), `before any error ${lang}`);
    await markLoad(page);

    // 1. The event endpoint fails for a while: 503s, then refused connections.
    let mode: '503' | 'refuse' | 'hang' | 'pass' = '503';
    let failed = 0;
    const held: (() => Promise<void>)[] = [];
    await page.route('**/api/session.events', async (route) => {
      if (mode === 'pass') return route.continue();
      if (mode === 'hang') {
        // An answer that never comes (a host that froze mid-reply): held until the end.
        held.push(() => route.abort('failed').catch(() => undefined));
        mode = 'pass';
        return;
      }
      failed++;
      if (mode === 'refuse') return route.abort('connectionrefused');
      return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ ok: false, error: { kind: 'unavailable', message: 'busy' } }) });
    });
    await ui.host.handlers['session.note']({ id: session.id, text: `during the 503s ${lang}` }, ctx);
    await expect.poll(() => failed, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    mode = 'refuse';
    const refusedFrom = failed;
    await ui.host.handlers['session.note']({ id: session.id, text: `while refused ${lang}` }, ctx);
    await expect.poll(() => failed, { timeout: 30_000 }).toBeGreaterThanOrEqual(refusedFrom + 1);
    expect(await timeline(page).innerText()).not.toContain(`during the 503s ${lang}`);
    mode = 'pass';
    await seeText(timeline(page), `while refused ${lang}`, 30_000);
    const text = await timeline(page).innerText();
    expect(text).toContain(`during the 503s ${lang}`);
    // Each event once, in order: the catch-up went by seq.
    expect(text.split(`during the 503s ${lang}`).length).toBe(2);

    // A call that never answers: the timeline gives it up and goes on.
    mode = 'hang';
    await expect.poll(() => held.length, { timeout: 20_000 }).toBe(1);
    await ui.host.handlers['session.note']({ id: session.id, text: `after a call that never answered ${lang}` }, ctx);
    await seeText(timeline(page), `after a call that never answered ${lang}`, 30_000);
    for (const release of held) await release();
    await page.unroute('**/api/session.events');

    // 2. The host stops (as if `proofline serve` were stopped) and comes back on the same address.
    await ui.stopServer();
    await seeText(page.getByRole('alert'), TEXT[lang].lost);
    await ui.host.handlers['session.note']({ id: session.id, text: `while the host was away ${lang}` }, ctx);
    await ui.restartServer();
    await seeText(timeline(page), `while the host was away ${lang}`, 30_000);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: TEXT[lang].lost }).count(), { timeout: 20_000 }).toBe(0);

    // 3. And it keeps following: a note added now comes in as before.
    await ui.host.handlers['session.note']({ id: session.id, text: `after recovery ${lang}` }, ctx);
    await seeText(timeline(page), `after recovery ${lang}`);
    expect(await sameLoad(page)).toBe(true);
    await shot(page, `live-recovery-${lang}`);
  }, 120_000);
});
