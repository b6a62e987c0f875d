// Settings in Chromium through `proofline serve`: changes are saved to the real settings file,
// survive a reload, the language applies at once, and the host's validation shows by the field.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENS_DIR, startUi, type UiHarness } from '../support/ui.js';

let ui: UiHarness;
let rootPem: string;
let notACert: string;
const BEFORE = 'https://tsa.before.example/tsr';
const AFTER = 'https://tsa.after.example/tsr';

const stored = (): { tsaUrls: string[]; language: string; trustedRootFiles: string[]; recording: { fps: number } } => JSON.parse(readFileSync(join(ui.dataDir, 'settings.json'), 'utf8'));
const current = () => ui.host.handlers['settings.get']({}, { progress: () => undefined, signal: new AbortController().signal });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENS_DIR, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(SCREENS_DIR, { recursive: true });
  ui = await startUi({ tsaUrls: [BEFORE] });
  rootPem = join(ui.dataDir, 'tsa-root.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=Settings Test Root', '-keyout', join(ui.dataDir, 'tsa-root.key'), '-out', rootPem], { stdio: 'ignore' });
  notACert = join(ui.dataDir, 'notes.txt');
  writeFileSync(notACert, 'not a certificate\n');
});

afterAll(async () => {
  await ui?.close();
});

describe('settings', () => {
  it('saves a new TSA and a trusted root with Enter, switches language at once, and both survive a reload', async () => {
    const { page } = await ui.open('en');
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    const tsa = page.getByRole('textbox', { name: 'Time-stamping authorities 1', exact: true });
    expect(await tsa.inputValue()).toBe(BEFORE);
    const device = await ui.pl.device();
    expect(await page.getByTestId('key-id').textContent()).toBe(device.keyId);
    await page.getByText(device.keyPath, { exact: true }).waitFor();
    await page.getByText('not held in a hardware security chip').waitFor();
    await shoot(page, 'settings-en');

    await tsa.fill(AFTER);
    await page.getByRole('button', { name: 'Add: Trusted root certificates' }).click();
    const root = page.getByRole('textbox', { name: 'Trusted root certificates 1', exact: true });
    expect(await root.evaluate((el) => el === document.activeElement)).toBe(true);
    await root.fill(rootPem);
    await page.getByText('You have unsaved changes.').waitFor();
    await root.press('Enter');
    await page.getByText('Saved.').waitFor();
    expect(stored()).toMatchObject({ tsaUrls: [AFTER], trustedRootFiles: [rootPem] });
    await shoot(page, 'settings-en-saved');

    await page.locator('#field-language').selectOption('zh');
    await page.getByRole('heading', { name: '设置', exact: true }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: '打开证据包' }).waitFor();
    await expect.poll(() => stored().language).toBe('zh');

    await page.reload();
    await page.getByRole('heading', { name: '设置', exact: true }).waitFor();
    expect(await page.locator('[data-field="tsaUrls.0"]').inputValue()).toBe(AFTER);
    expect(await page.locator('[data-field="tsaUrls.0"]').getAttribute('aria-label')).toBe('时间戳机构 1');
    expect(await page.locator('[data-field="trustedRootFiles.0"]').inputValue()).toBe(rootPem);
    expect(await page.locator('#field-language').inputValue()).toBe('zh');
    await page.getByText('该密钥是一个普通文件').waitFor();
    await shoot(page, 'settings-zh');
  });

  it('shows the host’s validation next to each field and keeps what was saved (zh, then en)', async () => {
    const before = await current();
    const { page } = await ui.open('zh');
    await page.getByRole('navigation').getByRole('link', { name: '设置' }).click();
    const tsa = page.locator('[data-field="tsaUrls.0"]');
    expect(await tsa.getAttribute('aria-label')).toBe('时间戳机构 1');
    await tsa.fill('ftp://tsa.example/tsr');
    await page.locator('#field-recording-fps').fill('0');
    await page.getByRole('button', { name: '保存设置' }).click();
    await page.getByText('请输入以 http:// 或 https:// 开头的地址。').waitFor();
    await page.getByText('请输入 1 到 60 之间的整数。').waitFor();
    expect(await tsa.getAttribute('aria-invalid')).toBe('true');
    // The message belongs to the field: the input is described by it.
    const describedBy = (await tsa.getAttribute('aria-describedby'))!;
    expect(await page.locator(`#${describedBy}`).textContent()).toBe('请输入以 http:// 或 https:// 开头的地址。');
    expect(await tsa.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByText('有 2 项需要修改').waitFor();
    expect(await current()).toEqual(before);
    await shoot(page, 'settings-zh-invalid');

    await page.locator('#field-language').selectOption('en');
    await page.getByText('Enter an address starting with http:// or https://.').waitFor();
    await shoot(page, 'settings-en-invalid');

    await tsa.fill('http://tsa.fixed.example/tsr');
    await page.locator('#field-recording-fps').fill('24');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.locator('.field-error').count()).toBe(0);
    expect(stored()).toMatchObject({ tsaUrls: ['http://tsa.fixed.example/tsr'], language: 'en', recording: { fps: 24 } });
  });

  it('refuses a trusted root file that holds no certificate, beside the field, and keeps what was saved (zh)', async () => {
    const { page } = await ui.open('en');
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.locator('#field-language').selectOption('zh');
    await page.getByRole('heading', { name: '设置', exact: true }).waitFor();
    const before = await current();
    const root = page.locator('[data-field="trustedRootFiles.0"]');
    await root.fill(notACert);
    await page.getByRole('button', { name: '保存设置' }).click();
    await page.getByText('无法读取该文件，或其中没有证书（PEM 或 DER）：请提供时间戳机构的根证书。', { exact: true }).waitFor();
    expect(await root.getAttribute('aria-invalid')).toBe('true');
    expect(await current()).toEqual(before);
    await shoot(page, 'settings-zh-root-not-a-certificate');
  });
});
