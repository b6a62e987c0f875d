// An archive renewed twice (RFC 4998 evidence record, `proofline renew`), opened in the viewer in
// Chromium through `proofline serve`: the Time tab shows each archive timestamp of the chain with
// its authority, and until when the archive's time is attested, in en and zh; an archive never
// renewed offers "Add an evidence record": clicking it renews the file itself (archive.renew with
// Settings' TSA) and the Time tab redraws with the new chain; with no TSA in Settings it says so.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_RECORD } from '../../src/core/archive/bag-layout.js';
import { renewArchive } from '../../src/core/archive/renew-archive.js';
import { verifyArchive } from '../../src/core/archive/verify-archive.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { seeText, shot, SCREENS_DIR, startUi, type UiHarness } from '../support/ui.js';

let tsa: RunningTsa;
let ui: UiHarness;
let root: string;
let plain: string;
let renewed: string;

const TEXT = {
  en: { nav: 'Open archive', time: 'Time', title: 'Renewal of the archive’s time (evidence record, RFC 4998)', until: /^The archive’s time is attested until /, link: 'Archive timestamp', ok: 'In time', add: 'Add an evidence record', renew: 'Renew the archive’s time' },
  zh: { nav: '打开证据包', time: '时间证明', title: '证据包时间的续期（证据记录，RFC 4998）', until: /^证据包的时间证明有效至 /, link: '存档时间戳', ok: '按期续期', add: '添加证据记录', renew: '续期证据包的时间' },
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

/** The entry names of a ZIP, as Info-ZIP's unzip lists them (-Z1: one name a line). */
function entries(zip: string): string[] {
  return execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

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

  for (const lang of ['en', 'zh'] as const) {
    it(`adds an evidence record to a never-renewed archive from its button, and shows the chain (${lang})`, async () => {
      const t = TEXT[lang];
      // A copy per language: each test renews its own file.
      const copy = join(root, `never-renewed-${lang}.zip`);
      copyFileSync(plain, copy);
      expect(entries(copy)).not.toContain(EVIDENCE_RECORD);
      const { page } = await ui.open(lang);
      await openTime(page, lang, copy);
      const section = page.getByRole('region', { name: t.title });
      await section.waitFor();
      expect(await section.locator('.renewal-links li').count()).toBe(0);
      expect(await section.getAttribute('data-attested-until')).toBeNull();
      await section.getByRole('button', { name: t.add, exact: true }).click();
      // The viewer verifies again after renewing: the Time tab redraws with archive timestamp 1.
      const links = section.locator('.renewal-links li');
      await links.first().waitFor({ timeout: 60_000 });
      expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('verified');
      expect(await links.count()).toBe(1);
      expect(await links.first().getAttribute('data-status')).toBe('ok');
      const text = await links.first().innerText();
      expect(text).toContain(`${t.link} 1`);
      expect(text).toContain('Renewal Viewer TSA');
      expect(await section.locator('p').first().textContent()).toMatch(t.until);
      // Now it is renewed, the same button renews the chain.
      expect(await section.getByRole('button', { name: t.renew, exact: true }).count()).toBe(1);
      await section.scrollIntoViewIfNeeded();
      await shot(page, `renewal-added-${lang}`);
      // The file on disk holds the record and still verifies, on its own, with the same root.
      expect(entries(copy)).toContain(EVIDENCE_RECORD);
      const report = await verifyArchive(copy, { trustedRoots: [readFileSync(tsa.caPath, 'utf8')] });
      expect(report.exitCode).toBe(0);
      expect(report.checks.find((c) => c.id === 'time.renewal')?.status).toBe('pass');
    }, 120_000);
  }

  it('says in the reader’s language to add a time-stamping authority in Settings when none is configured', async () => {
    const bare = await startUi({ settings: { trustedRootFiles: [tsa.caPath] } });
    try {
      const copy = join(root, 'no-tsa.zip');
      copyFileSync(plain, copy);
      const { page } = await bare.open('zh');
      await openTime(page, 'zh', copy);
      const section = page.getByRole('region', { name: TEXT.zh.title });
      await section.getByRole('button', { name: TEXT.zh.add, exact: true }).click();
      await seeText(section.getByRole('alert'), '续期需要时间戳机构：请在设置中添加一个');
      expect(await section.getByRole('alert').getByRole('link', { name: '打开设置' }).getAttribute('href')).toBe('#/settings');
      await shot(page, 'renewal-no-tsa-zh');
      expect(entries(copy)).not.toContain(EVIDENCE_RECORD);
    } finally {
      await bare.close();
    }
  }, 60_000);
});
