// Cancel in the real UI, through `proofline serve`: an export and a verify stopped half-way by
// their Cancel buttons, said as cancelled (not failed) in English and Chinese, and nothing left
// half-written. The work is large enough to be under way when the first progress shows: a session
// with big attached files, an archive with a 3.5 GiB entry (a hole on disk, seconds to hash).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealedSessionWithLargeFiles, withLargeEntry } from '../support/large-archive.js';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

const WORDS = {
  en: {
    export: 'Export archive', cancel: 'Cancel', exportCancelled: 'Export cancelled: no archive was written.', open: 'Open and verify', verifyCancelled: 'Verification cancelled: there is no verdict.', again: 'Verify again',
    batch: 'Capture pages', urls: 'Addresses, one per line', capture: 'Capture', loading: 'Loading', notCaptured: 'Not captured', batchCancelled: 'Capture cancelled: 0 of 2 captured; the session records the 2 not captured.',
  },
  zh: {
    export: '导出证据包', cancel: '取消', exportCancelled: '导出已取消：未写出证据包。', open: '打开并核验', verifyCancelled: '核验已取消：没有结论。', again: '重新核验',
    batch: '网页取证', urls: '网址（每行一个）', capture: '开始取证', loading: '加载中', notCaptured: '未固定', batchCancelled: '取证已取消：已固定 0 / 2 个；会话中记录了未固定的 2 个。',
  },
} as const;

let root: string;
let ui: UiHarness;
let sessionId: string;
let large: string;
let site: TestSite;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-ui-cancel-'));
  mkdirSync(SCREENS_DIR, { recursive: true });
  [ui, site] = await Promise.all([startUi(), startTestSite(root)]);
  sessionId = await sealedSessionWithLargeFiles(ui.pl, root);
  const small = join(root, 'small.zip');
  await ui.pl.exportSession(await sealedSessionWithLargeFiles(ui.pl, root, 1, 1), { out: small });
  large = join(root, 'large.zip');
  await withLargeEntry(small, large);
}, 120_000);

afterAll(async () => {
  await ui?.close();
  await site?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('Cancel buttons', () => {
  for (const lang of ['en', 'zh'] as const) {
    const t = WORDS[lang];

    it(`cancels an export half-way and says so (${lang}); no archive is left`, async () => {
      const exports = join(ui.dataDir, 'exports');
      const { page } = await ui.open(lang, `#/session/${sessionId}`);
      await page.getByRole('button', { name: t.export, exact: true }).click();
      // The first progress shown: the export is under way. Cancel then.
      const bar = page.locator('.seal-export [role=progressbar]');
      await expect.poll(async () => Number((await bar.count()) > 0 ? await bar.getAttribute('aria-valuenow') : -1), { timeout: 30_000 }).toBeGreaterThanOrEqual(0);
      const cancel = page.locator('.seal-export').getByRole('button', { name: t.cancel, exact: true });
      // One picture of the button beside the bar, in English only: the export has seconds left.
      if (lang === 'en') await page.locator('.seal-export').screenshot({ path: join(SCREENS_DIR, 'cancel-export-progress-en.png') });
      await cancel.click();
      await seeText(page.locator('.seal-export .notice-cancelled'), t.exportCancelled, 30_000);
      expect(await page.locator('.seal-export [role=alert]').count()).toBe(0);
      await shot(page, `cancel-export-${lang}`);
      expect(readdirSync(exports)).toEqual([]);
      await page.context().close();
    }, 90_000);

    it(`cancels a verify inside a large entry and says so (${lang}); it can verify again`, async () => {
      const { page } = await ui.open(lang, '#/archive');
      await page.locator('#archive-path').fill(large);
      await page.getByRole('button', { name: t.open, exact: true }).click();
      // The first progress names a payload file: the 3.5 GiB entry is being read now.
      await seeText(page.locator('.verifying .progress-label'), 'data/', 30_000);
      if (lang === 'en') await page.locator('.verifying').screenshot({ path: join(SCREENS_DIR, 'cancel-verify-progress-en.png') });
      await page.locator('.verifying').getByRole('button', { name: t.cancel, exact: true }).click();
      await seeText(page.locator('.notice-cancelled'), t.verifyCancelled, 30_000);
      expect(await page.locator('[role=alert]').count()).toBe(0);
      expect(await page.locator('.verdict').count()).toBe(0);
      await shot(page, `cancel-verify-${lang}`);
      await expect.poll(() => page.getByRole('button', { name: t.again, exact: true }).count()).toBe(1);
      await page.context().close();
    }, 90_000);

    it(`cancels a batch capture of pages that never finish loading and says what was not captured (${lang})`, async () => {
      const session = await ui.pl.sessions.create({ kind: 'web', title: `Slow pages (${lang})` });
      const urls = [1, 2].map((n) => `${site.httpOrigin}/never?${lang}=${n}`);
      const { page } = await ui.open(lang, `#/session/${session.id}`);
      const panel = page.getByRole('region', { name: t.batch, exact: true });
      await panel.getByLabel(t.urls).fill(urls.join('\n'));
      await panel.getByRole('button', { name: t.capture, exact: true }).click();
      // The first page loading: the browser runs. Cancel then (each page would wait out its time limit).
      await seeText(panel.locator('.url-states .badge'), t.loading, 30_000);
      await panel.getByRole('button', { name: t.cancel, exact: true }).click();
      await seeText(panel.locator('.notice-cancelled'), t.batchCancelled, 30_000);
      expect(await panel.locator('.url-states .badge', { hasText: t.notCaptured }).count()).toBe(2);
      await shot(page, `cancel-batch-${lang}`);
      const cancelled = [...ui.pl.events.iterate(session.id)].find((e) => e.body.type === 'web.capture.cancelled');
      expect(cancelled?.body.payload['notCaptured']).toEqual(urls);
      await page.context().close();
    }, 90_000);
  }
});
