// The Publish button on a sealed session's final image, in the real UI (serve's web host, Debian's
// Chromium), in Chinese and English: the published file is read back by c2pa-rs and exiftool.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readC2pa } from '../../src/core/provenance/c2pa-read.js';
import { makePublishSession, type PublishSession } from '../support/publish-session.js';
import { SCREENS_DIR, seeText, startUi, type UiHarness } from '../support/ui.js';

let ui: UiHarness;
let root: string;
let s: PublishSession;

beforeAll(async () => {
  ui = await startUi();
  root = mkdtempSync(join(tmpdir(), 'proofline-ui-publish-'));
  s = await makePublishSession(root, { pl: ui.pl });
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await ui?.close();
  rmSync(root, { recursive: true, force: true });
});

const TEXT = {
  en: { title: 'Publish with Content Credentials', button: 'Publish', label: 'Label it as AI-generated', done: 'Published 00003-final-published', labeled: 'TC260 label: AI-generated', unlabeled: 'TC260 label: none', ingredients: '2 earlier images named as ingredients', noTime: 'None: no TSA is configured (Settings), so the publication time is only this device’s word', download: 'Download the published image' },
  zh: { title: '发布（附内容凭证）', button: '发布', label: '标识为人工智能生成', done: '已发布 00003-final-published', labeled: 'TC260 标识：人工智能生成', unlabeled: 'TC260 标识：无', ingredients: '2 张先前图像列为成分', noTime: '无：未配置时间戳服务机构（见设置），发布时间仅由本设备自行声明', download: '下载已发布的图像' },
} as const;

describe('the Publish button on a final image', () => {
  for (const [lang, labeled] of [['zh', true], ['en', false]] as const) {
    it(`publishes from the image's panel (${lang}, ${labeled ? 'labelled' : 'not labelled'})`, { timeout: 180_000 }, async () => {
      const t = TEXT[lang];
      const { page } = await ui.open(lang, `#/session/${s.id}`);
      await page.getByRole('button', { name: '00003-final.png', exact: true }).click();
      const box = page.locator('.publish-box');
      await seeText(box, t.title);
      // The draft, marked rejected, offers no Publish.
      const checkbox = box.getByRole('checkbox', { name: new RegExp(t.label) });
      expect(await checkbox.isChecked()).toBe(true);
      if (!labeled) await checkbox.uncheck();
      await box.getByRole('button', { name: t.button, exact: true }).click();
      await seeText(box.locator('.publish-done'), t.done, 60_000);
      await seeText(box.locator('.publish-done'), labeled ? t.labeled : t.unlabeled);
      await seeText(box.locator('.publish-done'), t.ingredients);
      // No TSA is configured in this harness: the result says the time is only the device's word.
      await seeText(box.locator('.publish-done'), t.noTime);
      await box.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENS_DIR, `publish-${lang}.png`), fullPage: true });

      const path = (await box.locator('.publish-done dd').first().textContent())!.trim();
      const bytes = readFileSync(path);
      const reading = await readC2pa(bytes, 'image/png');
      expect(reading.failures).toEqual(['signingCredential.untrusted']);
      expect(reading.ingredients.map((i) => i.relationship)).toEqual(['parentOf', 'componentOf']);
      const tags = JSON.parse(execFileSync('exiftool', ['-a', '-G1', '-j', path], { encoding: 'utf8' }))[0] as Record<string, unknown>;
      if (labeled) expect(JSON.parse(String(tags['XMP-TC260:Aigc']))).toMatchObject({ Label: '1', ProduceID: s.id });
      else expect(tags['XMP-TC260:Aigc']).toBeUndefined();

      // The browser downloads the server's file byte for byte (/media/published/<id>).
      const [download] = await Promise.all([page.waitForEvent('download'), box.getByRole('link', { name: t.download }).click()]);
      expect(download.suggestedFilename()).toBe(path.split('/').pop());
      expect(readFileSync((await download.path())!).equals(bytes)).toBe(true);
    });
  }

  it('offers no Publish on an image that is not final', { timeout: 120_000 }, async () => {
    const { page } = await ui.open('en', `#/session/${s.id}`);
    await page.getByRole('button', { name: '00001-draft.png', exact: true }).click();
    await seeText(page.locator('.image-details .tile-name'), '00001-draft.png');
    expect(await page.locator('.publish-box').count()).toBe(0);
  });
});
