// An archive renewed twice (RFC 4998 evidence record, `proofline renew`), opened in the viewer in
// Chromium through `proofline serve`: the Time tab shows each archive timestamp of the chain with
// its authority, and until when the archive's time is attested, in en and zh; an archive never
// renewed shows no renewal section at all.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renewArchive } from '../../src/core/archive/renew-archive.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { shot, SCREENS_DIR, startUi, type UiHarness } from '../support/ui.js';

let tsa: RunningTsa;
let ui: UiHarness;
let root: string;
let plain: string;
let renewed: string;

const TEXT = {
  en: { nav: 'Open archive', time: 'Time', title: 'Renewal of the archive’s time (evidence record, RFC 4998)', until: /^The archive’s time is attested until /, link: 'Archive timestamp', ok: 'In time' },
  zh: { nav: '打开证据包', time: '时间证明', title: '证据包时间的续期（证据记录，RFC 4998）', until: /^证据包的时间证明有效至 /, link: '存档时间戳', ok: '按期续期' },
} as const;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-renewal-ui-'));
  mkdirSync(SCREENS_DIR, { recursive: true });
  tsa = await startTsa({ dir: root, name: 'Renewal Viewer' });
  ui = await startUi({ tsaUrls: [tsa.url], settings: { trustedRootFiles: [tsa.caPath] } });
  const session = await ui.pl.sessions.create({ kind: 'creation', title: 'Renewed for the years of a trial', creator: 'Li Wei' });
  await ui.pl.sessions.note(session.id, 'chose the warm variant');
  await ui.pl.sessions.seal(session.id);
  plain = join(root, 'plain.zip');
  await ui.pl.exportSession(session.id, { out: plain });
  renewed = join(root, 'renewed.zip');
  copyFileSync(plain, renewed);
  for (let i = 0; i < 2; i++) expect((await renewArchive(renewed, { tsaUrl: tsa.url, trustedRoots: [tsa.caPath] })).action).toBe(i === 0 ? 'created' : 'renewed');
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function openTime(page: Page, lang: 'en' | 'zh', archive: string): Promise<void> {
  const t = TEXT[lang];
  await page.getByRole('navigation').getByRole('link', { name: t.nav }).click();
  await page.locator('#archive-path').fill(archive);
  await page.locator('#archive-path').press('Enter');
  await page.locator('.verdict').waitFor({ timeout: 30_000 });
  expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('verified');
  await page.getByRole('tab', { name: t.time, exact: true }).click();
}

describe('the Time tab of a renewed archive', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`shows the chain of two archive timestamps and until when the time is attested (${lang})`, async () => {
      const t = TEXT[lang];
      const { page } = await ui.open(lang);
      await openTime(page, lang, renewed);
      const section = page.getByRole('region', { name: t.title });
      await section.waitFor();
      expect(await section.getByRole('heading').textContent()).toBe(t.title);
      expect(await section.locator('p').first().textContent()).toMatch(t.until);
      expect(await section.getAttribute('data-attested-until')).not.toBe('');
      const links = section.locator('.renewal-links li');
      expect(await links.count()).toBe(2);
      expect(await links.evaluateAll((items) => items.map((item) => item.getAttribute('data-status')))).toEqual(['ok', 'ok']);
      for (const [i, text] of (await links.allInnerTexts()).entries()) {
        expect(text).toContain(`${t.link} ${i + 1}`);
        expect(text).toContain(t.ok);
        expect(text).toContain('Renewal Viewer TSA');
      }
      await section.scrollIntoViewIfNeeded();
      await shot(page, `renewal-time-${lang}`);
    }, 60_000);
  }

  it('is absent for an archive that was never renewed', async () => {
    const { page } = await ui.open('en');
    await openTime(page, 'en', plain);
    await page.locator('details.all-tokens').waitFor();
    expect(await page.getByRole('region', { name: TEXT.en.title }).count()).toBe(0);
  }, 60_000);
});
