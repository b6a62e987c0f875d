// The first screen a person sees: the empty state that says what to do, then the session list
// with search and filters, and the new-session form. English and Chinese.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

const TEXT = {
  en: { empty: 'No sessions yet', search: 'Search sessions', newWeb: 'New web capture', start: 'Start session', noMatch: 'No session matches', sealed: 'Sealed', web: 'Web capture' },
  zh: { empty: '还没有会话', search: '搜索会话', newWeb: '新建网页取证', start: '开始会话', noMatch: '没有与', sealed: '已封存', web: '网页取证' },
} as const;

let ui: UiHarness;
beforeAll(async () => {
  ui = await startUi();
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 60_000);
afterAll(async () => ui?.close());

describe.each(['en', 'zh'] as const)('the sessions screen (%s)', (lang) => {
  const t = TEXT[lang];
  it('says what to do when empty, then finds sessions by text, kind and state', async () => {
    const before = ui.pl.sessions.list().length;
    const { page } = await ui.open(lang);
    if (before === 0) {
      await seeText(page.locator('.empty'), t.empty);
      await shot(page, `home-empty-${lang}`);
    }
    await ui.pl.sessions.create({ kind: 'creation', title: `Poster series ${lang}`, creator: 'Lin Yue' });
    const web = await ui.pl.sessions.create({ kind: 'web', title: `Copies on example.com ${lang}` });
    await ui.pl.sessions.seal(web.id);
    await page.reload();
    await expect.poll(() => page.locator('.session').count()).toBe(before + 2);

    await page.getByPlaceholder(t.search).fill(`Poster series ${lang}`);
    await expect.poll(() => page.locator('.session-title').allTextContents()).toEqual([`Poster series ${lang}`]);
    await page.getByPlaceholder(t.search).fill('nothing like this');
    await seeText(page.locator('.screen'), t.noMatch);
    await page.getByPlaceholder(t.search).fill('');
    await page.locator('.toolbar select').nth(1).selectOption('sealed');
    await expect.poll(() => page.locator('.session-title').allTextContents()).toContain(`Copies on example.com ${lang}`);
    expect(await page.locator('.session-title').allTextContents()).not.toContain(`Poster series ${lang}`);
    await seeText(page.locator('.session', { hasText: `Copies on example.com ${lang}` }), t.sealed);
    await page.locator('.toolbar select').nth(1).selectOption('');
    await page.locator('.toolbar select').nth(0).selectOption('creation');
    expect(await page.locator('.session-title').allTextContents()).toContain(`Poster series ${lang}`);
    expect(await page.locator('.session-title').allTextContents()).not.toContain(`Copies on example.com ${lang}`);
    await page.locator('.toolbar select').nth(0).selectOption('');
    await shot(page, `home-list-${lang}`);

    // The form will not start a session without a title, and says what the session records.
    await page.getByRole('button', { name: t.newWeb }).click();
    expect(await page.getByRole('button', { name: t.start }).isDisabled()).toBe(true);
    await shot(page, `home-new-session-${lang}`);
    await page.locator('form input').first().fill(`Fixing a page ${lang}`);
    await page.getByRole('button', { name: t.start }).click();
    await page.waitForURL(/#\/session\//);
    await seeText(page.locator('.subtitle'), t.web);
    expect(ui.pl.sessions.list().some((s) => s.title === `Fixing a page ${lang}` && s.kind === 'web')).toBe(true);
  }, 120_000);
});
