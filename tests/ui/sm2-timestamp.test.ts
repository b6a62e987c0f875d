// A session timestamped by an SM2 TSA (GM/T 0033, as Chinese TSAs sign: the loopback one of
// tests/support/sm2-tsa-server.ts), seen in Chromium through `proofline serve`: the archive
// viewer's Time tab names each token's signature beside its authority ("SM2 with SM3"; in
// Chinese "SM2（SM3 摘要）"), and Settings' Test TSA says how the SM2 TSA signs, in en and zh.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSm2Tsa, type RunningSm2Tsa } from '../support/sm2-tsa-server.js';
import { seeText, shot, SCREENS_DIR, startUi, type UiHarness } from '../support/ui.js';

let tsa: RunningSm2Tsa;
let ui: UiHarness;
let root: string;
let archive: string;

const TEXT = {
  en: { nav: 'Open archive', time: 'Time', allTokens: /^All timestamps in the archive/, algorithm: 'SM2 with SM3', settings: 'Settings', test: 'Test TSA', label: 'Signature', verified: 'Verified' },
  zh: { nav: '打开证据包', time: '时间证明', allTokens: /^证据包中的全部时间戳/, algorithm: 'SM2（SM3 摘要）', settings: '设置', test: '测试时间戳机构', label: '签名算法', verified: '核验通过' },
} as const;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-sm2-ui-'));
  mkdirSync(SCREENS_DIR, { recursive: true });
  tsa = await startSm2Tsa({ name: 'GM Viewer' });
  ui = await startUi({ tsaUrls: [tsa.url], settings: { trustedRootFiles: [tsa.caPath] } });
  const session = await ui.pl.sessions.create({ kind: 'creation', title: 'SM2 timestamped', creator: 'Li Wei' });
  await ui.pl.sessions.note(session.id, 'chose the warm variant');
  const sealed = await ui.pl.sessions.seal(session.id);
  expect(sealed.sealTimestamps.pending).toBe(0);
  archive = join(root, 'sm2-evidence.zip');
  await ui.pl.exportSession(session.id, { out: archive });
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function openArchive(page: Page, nav: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: nav }).click();
  await page.locator('#archive-path').fill(archive);
  await page.locator('#archive-path').press('Enter');
  await page.locator('.verdict').waitFor({ timeout: 30_000 });
}

describe('an archive timestamped by an SM2 TSA, in the viewer', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`lists every token with its authority and "${TEXT[lang].algorithm}" (${lang})`, async () => {
      const t = TEXT[lang];
      const { page } = await ui.open(lang);
      await openArchive(page, t.nav);
      expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('verified');
      await page.getByRole('tab', { name: t.time, exact: true }).click();
      const details = page.locator('details.all-tokens');
      await details.locator('summary').click();
      expect(await details.locator('summary').textContent()).toMatch(t.allTokens);
      const rows = details.locator('tbody tr');
      await rows.first().waitFor();
      const count = await rows.count();
      expect(count).toBeGreaterThanOrEqual(2); // the first checkpoint's token and seal.tsr
      const authority = rows.locator('td:nth-child(3)');
      expect(await authority.allInnerTexts()).toEqual(Array.from({ length: count }, () => `GM Viewer TSA\n${t.algorithm}`));
      expect(await rows.locator('.token-algorithm').allTextContents()).toEqual(Array.from({ length: count }, () => t.algorithm));
      await details.scrollIntoViewIfNeeded();
      await shot(page, `sm2-archive-time-${lang}`);
    }, 60_000);
  }
});

describe('Settings: Test TSA against the SM2 TSA', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`names the signature "${TEXT[lang].algorithm}" beside the signer (${lang})`, async () => {
      const t = TEXT[lang];
      const { page } = await ui.open(lang);
      await page.getByRole('navigation').getByRole('link', { name: t.settings }).click();
      const section = page.locator('section[aria-labelledby=set-tsa]');
      await section.getByRole('button', { name: t.test, exact: true }).click();
      const answer = section.locator('.tsa-result');
      await seeText(answer, 'GM Viewer TSA');
      const facts = answer.locator('.tsa-facts');
      expect(await facts.locator('dt').allTextContents()).toContain(t.label);
      expect(await facts.locator('.tsa-algorithm').textContent()).toBe(t.algorithm);
      expect(await answer.getAttribute('class')).toContain('tsa-result-ok'); // its SM2 root is trusted in Settings
      await shot(page, `sm2-settings-tsa-test-${lang}`);
    }, 60_000);
  }
});
