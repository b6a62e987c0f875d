// "Check a published image" in the archive viewer (archive.checkPublished, the check behind
// `proofline inspect IMAGE --archive ZIP`), in the real UI (serve's web host, Debian's Chromium),
// in English and Chinese: the image published from the opened archive passes every line, with a
// trusted time (the TSA's root is in Settings); an image published from another archive of the same
// device, and this image with its TC260 label edited after signing, each name their mismatch.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishImage } from '../../src/core/provenance/publish-image.js';
import { makePublishSession, type PublishSession } from '../support/publish-session.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

let ui: UiHarness;
let root: string;
let tsa: RunningTsa;
let s: PublishSession;
let second: PublishSession;
const file = (name: string): string => join(root, name);
const context = { progress: () => undefined, signal: new AbortController().signal };

/** One digit of ReservedCode1 (the archive SHA-256 in the XMP label) changed, the iTXt CRC made right (PNG §5.3). */
function editLabel(png: Buffer, archiveSha: string): Buffer {
  const text = png.toString('latin1');
  const at = text.indexOf(archiveSha, text.indexOf('ReservedCode1'));
  if (at < 0) throw new Error('no ReservedCode1 in the published image');
  const edited = Buffer.from(png);
  edited[at] = edited[at] === 0x30 ? 0x31 : 0x30;
  const chunk = text.lastIndexOf('iTXt', at) - 4;
  const length = edited.readUInt32BE(chunk);
  edited.writeUInt32BE(crc32(edited.subarray(chunk + 4, chunk + 8 + length)), chunk + 8 + length);
  return edited;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-ui-publish-check-'));
  tsa = await startTsa({ dir: root, name: 'Check UI' });
  ui = await startUi({ settings: { trustedRootFiles: [tsa.caPath] } });
  s = await makePublishSession(file('main'), { pl: ui.pl });
  second = await makePublishSession(file('second'), { pl: ui.pl });
  const published = await publishImage(ui.pl, { sessionId: s.id, sha256: s.final, out: file('published.png'), archive: s.archive, label: true, tsaUrls: [tsa.url] });
  expect(published.timeStamp).not.toBeNull();
  await publishImage(ui.pl, { sessionId: second.id, sha256: second.final, out: file('other-archive.png'), archive: second.archive, label: true, tsaUrls: [tsa.url] });
  const archiveSha = (await ui.host.handlers['archive.checkPublished'](
    { archive: (await ui.host.handlers['archive.open']({ path: s.archive }, context)).archive, image: file('published.png') },
    context,
  )).archive.sha256;
  writeFileSync(file('label-edited.png'), editLabel(readFileSync(file('published.png')), archiveSha));
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 300_000);

afterAll(async () => {
  await ui?.close();
  await tsa?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const TEXT = {
  en: { nav: 'Open archive', tab: 'Images', title: 'Check a published image', check: 'Check', yes: 'yes', no: 'no', all: 'Everything matches, with a trusted time.', notOurs: 'This image does NOT belong to this archive as published. Mismatch: archive, session, TC260 label.', edited: 'This image does NOT belong to this archive as published. Mismatch: Content Credentials, TC260 label.', stamp: 'valid, from a trusted authority', device: 'Signed by the device that made this archive' },
  zh: { nav: '打开证据包', tab: '图像', title: '核对已发布的图像', check: '核对', yes: '是', no: '否', all: '全部相符，且有可信时间。', notOurs: '此图像并非本证据包所发布的图像。不符之处：证据包、会话、TC260 标识。', edited: '此图像并非本证据包所发布的图像。不符之处：内容凭证、TC260 标识。', stamp: '有效，来自受信任的机构', device: '由制作本证据包的设备签名' },
} as const;

async function checkImage(page: Page, path: string): Promise<{ exit: string | null; badges: Record<string, string> }> {
  const panel = page.locator('.published-check');
  await panel.locator('#published-image-path').fill(path);
  await panel.locator('button[type=submit]').click();
  const result = panel.locator(`.published-result[data-file="${path}"]`);
  await result.waitFor({ timeout: 60_000 });
  const badges: Record<string, string> = {};
  for (const li of await result.locator('li').all()) badges[(await li.getAttribute('data-fact'))!] = (await li.locator('.badge').textContent())!;
  return { exit: await result.getAttribute('data-exit'), badges };
}

describe('checking a published image in the archive viewer', () => {
  for (const lang of ['en', 'zh'] as const) {
    it(`the image from this archive matches; one from another archive and a label-edited one name their mismatch (${lang})`, { timeout: 180_000 }, async () => {
      const t = TEXT[lang];
      const { page } = await ui.open(lang);
      await page.getByRole('navigation').getByRole('link', { name: t.nav }).click();
      await page.locator('#archive-path').fill(s.archive);
      await page.locator('#archive-path').press('Enter');
      await page.locator('.verdict').waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: new RegExp(`^${t.tab}`) }).click();
      await seeText(page.locator('.published-check h3'), t.title);

      const ours = await checkImage(page, file('published.png'));
      expect(ours.exit).toBe('0');
      expect(ours.badges).toEqual({ c2pa: t.yes, device: t.yes, archive: t.yes, session: t.yes, label: t.yes, 'time-stamp': t.yes });
      await seeText(page.locator('.published-verdict'), t.all);
      await seeText(page.locator('[data-fact="device"]'), t.device);
      await seeText(page.locator('[data-fact="session"]'), s.id);
      await seeText(page.locator('[data-fact="time-stamp"]'), t.stamp);
      await page.locator('.published-check').scrollIntoViewIfNeeded();
      await shot(page, `publish-check-${lang}-match`);

      const notOurs = await checkImage(page, file('other-archive.png'));
      expect(notOurs.exit).toBe('1');
      expect(notOurs.badges).toMatchObject({ c2pa: t.yes, device: t.yes, archive: t.no, session: t.no, label: t.no });
      expect(await page.locator('.published-verdict').textContent()).toBe(t.notOurs);
      await seeText(page.locator('[data-fact="session"]'), second.id);
      await shot(page, `publish-check-${lang}-other-archive`);

      const edited = await checkImage(page, file('label-edited.png'));
      expect(edited.exit).toBe('1');
      expect(edited.badges).toMatchObject({ c2pa: t.no, device: t.yes, archive: t.yes, session: t.yes, label: t.no });
      expect(await page.locator('.published-verdict').textContent()).toBe(t.edited);
      await seeText(page.locator('[data-fact="c2pa"]'), 'assertion.dataHash.mismatch');
      await shot(page, `publish-check-${lang}-label-edited`);
    });
  }

  it('a path that is not an image says so, in Chinese', { timeout: 120_000 }, async () => {
    const { page } = await ui.open('zh');
    await page.getByRole('navigation').getByRole('link', { name: TEXT.zh.nav }).click();
    await page.locator('#archive-path').fill(s.archive);
    await page.locator('#archive-path').press('Enter');
    await page.locator('.verdict').waitFor({ timeout: 30_000 });
    await page.getByRole('tab', { name: /^图像/ }).click();
    const panel = page.locator('.published-check');
    await panel.locator('#published-image-path').fill(s.archive);
    await panel.locator('button[type=submit]').click();
    await seeText(panel, `无法核对 ${s.archive}`);
    expect(await panel.locator('.published-result').count()).toBe(0);
  });
});
