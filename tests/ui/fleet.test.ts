// The capture fleet's batch screen (issue 15), in Chromium through `proofline serve`, against the
// real Redis and Ceph gateway the global setup started: without a queue the screen says where to
// set one; with one, a batch of addresses (one given twice) is queued once each and waits; then a
// real `proofline worker` takes it, and the screen, asking again by itself while the batch is
// unfinished, shows the page captured (session, the worker's device, its key in the vault) and the
// refused address failed with the reason, as `proofline batch status` does. English and Chinese;
// the Chinese screen holds no English.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshQueue, initTestVault, startWorker, until, type FleetWorker } from '../support/fleet.js';
import { freshBucket } from '../support/services.js';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { seeText, startUi, type UiHarness } from '../support/ui.js';
import { englishOnPage } from '../support/zh-words.js';

const SHOTS = '/tmp/ui-shots';
const TEXT = {
  en: { nav: 'Capture fleet', settings: 'Settings', save: 'Save settings', saved: 'Saved.', noQueue: 'No capture queue is set', toSettings: 'Set one in Settings', submit: 'Send to the queue', waiting: 'Waiting', done: 'Done', failed: 'Failed', queued: '2 queued', duplicates: '1 address given twice was queued once.' },
  zh: { nav: '采集集群', settings: '设置', save: '保存设置', saved: '已保存。', noQueue: '尚未设置采集队列', toSettings: '前往设置', submit: '发送到队列', waiting: '等待中', done: '已完成', failed: '失败', queued: '已排队 2 个', duplicates: '1 个重复的网址只排队一次。' },
} as const;

const ctx = { progress: () => undefined, signal: new AbortController().signal };
let ui: UiHarness;
let site: TestSite;
let tsa: RunningTsa;
let root: string;
const workers: FleetWorker[] = [];
/** A Redis database per language, so the worker of one does not take the other's jobs. */
const DB = { en: 13, zh: 14 } as const;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'proofline-ui-fleet-'));
  [site, tsa] = await Promise.all([startTestSite(), startTsa({ name: 'Fleet TSA' })]);
  ui = await startUi();
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await ui?.close();
  await Promise.all([site?.stop(), tsa?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.each(['en', 'zh'] as const)('the fleet’s batch screen (%s)', (lang) => {
  const t = TEXT[lang];
  const matter = `fleet-${lang}`;
  let urls: string[];
  let queue: string;
  let page: Page;
  const english: Record<string, string[]> = {};
  const checkChinese = async (screen: string): Promise<void> => {
    if (lang !== 'zh') return;
    await page.waitForTimeout(300);
    const words = await englishOnPage(page, ['proofline serve', 'fleet-en', 'fleet-zh', ...urls]);
    if (words.length > 0) english[screen] = words;
  };

  beforeAll(async () => {
    queue = await freshQueue(DB[lang]);
    urls = [`${site.httpOrigin}/page/fleet-${lang}`, await site.refusedUrl()];
    const settings = await ui.host.handlers['settings.get']({}, ctx);
    await ui.host.handlers['settings.update']({ ...settings, queueUrl: '', vault: { ...settings.vault, matter } }, ctx);
    ({ page } = await ui.open(lang));
  });

  it('without a queue, says so and points to Settings, where the queue is set', async () => {
    await page.getByRole('navigation').getByRole('link', { name: t.nav }).click();
    await page.getByText(t.noQueue).waitFor();
    await checkChinese('fleet-no-queue');
    await shot(page, `fleet-${lang}-1-no-queue`);
    await page.getByRole('link', { name: t.toSettings }).click();
    await page.locator('#field-queueUrl').fill(queue);
    await page.getByRole('button', { name: t.save }).click();
    await page.getByText(t.saved, { exact: true }).waitFor();
    expect((await ui.host.handlers['settings.get']({}, ctx)).queueUrl).toBe(queue);
  });

  it('queues a batch once per address and follows it URL by URL', async () => {
    await page.getByRole('navigation').getByRole('link', { name: t.nav }).click();
    await page.locator('#fleet-urls').fill([...urls, urls[0]].join('\n'));
    expect(await page.locator('#fleet-matter').inputValue()).toBe(matter);
    await page.getByRole('button', { name: t.submit }).click();
    await seeText(page.locator('.notice-ok'), t.queued);
    await seeText(page.locator('.notice-ok'), t.duplicates);
    const rows = page.locator('table.fleet-jobs tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-url')))).toEqual(urls);
    // No worker takes jobs from this queue yet: both wait, and the screen says so in words.
    for (const url of urls) await seeText(page.locator(`tr[data-url="${url}"] .badge`), t.waiting);
    await seeText(page.locator('[data-submission] .fleet-counts [data-state="waiting"]'), `${t.waiting} 2`);
    // The submission the host holds is the one shown.
    const status = await ui.host.handlers['fleet.status']({}, ctx);
    const shown = await page.locator('[data-submission]').getAttribute('data-submission');
    expect(status.submissions.find((s) => s.submission === shown)?.jobs.map((j) => j.url).sort()).toEqual([...urls].sort());
    await checkChinese('fleet-batch');
    await shot(page, `fleet-${lang}-2-batch`);
  });

  it('follows a real worker taking the batch: the page captured into the vault, the refused address failed with its reason', async () => {
    const bucket = freshBucket(`ui-fleet-${lang}`);
    await initTestVault(bucket);
    const worker = startWorker(root, `worker-${lang}`, { queue, vault: `s3://${bucket}`, tsaUrl: tsa.url });
    workers.push(worker);
    const device = await until(async () => worker.device(), 60_000, `the worker ready (${worker.stderr()})`);
    // No click from here: the screen asks again by itself while the batch is unfinished.
    const [good, refused] = [page.locator(`tr[data-url="${urls[0]}"]`), page.locator(`tr[data-url="${urls[1]}"]`)];
    await expect.poll(() => good.getAttribute('data-state'), { timeout: 120_000, interval: 1000 }).not.toMatch(/waiting|active|delayed/);
    await shot(page, `fleet-${lang}-3a-settled`);
    expect(await good.getAttribute('data-state'), (await good.textContent()) ?? '').toBe('completed');
    await expect.poll(() => refused.getAttribute('data-state'), { timeout: 120_000, interval: 1000 }).toBe('failed');
    await seeText(good.locator('.badge'), t.done);
    await seeText(refused.locator('.badge'), t.failed);
    const status = await ui.host.handlers['fleet.status']({ submission: (await page.locator('[data-submission]').getAttribute('data-submission'))! }, ctx);
    const [job, failed] = [status.submissions[0]!.jobs.find((j) => j.url === urls[0])!, status.submissions[0]!.jobs.find((j) => j.url === urls[1])!];
    expect(job.device).toBe(device);
    await seeText(good, job.sessionId!);
    await seeText(good, job.archiveKey!);
    expect(job.archiveKey).toMatch(new RegExp(`^matters/${matter}/`));
    expect(await good.locator('td').nth(4).getAttribute('title')).toBe(device);
    expect(failed.failedReason).toBeTruthy();
    expect(await refused.locator('td').nth(2).textContent()).toBe(String(failed.attempts));
    // The worker's reason: as it said it in English; folded under "technical detail" in Chinese.
    const reason = page.locator(`tr[data-reason-for="${urls[1]}"]`);
    if (lang === 'en') await seeText(reason, failed.failedReason!);
    else expect(await reason.locator('details.fleet-reason span').textContent()).toBe(failed.failedReason);
    await checkChinese('fleet-done');
    await shot(page, `fleet-${lang}-3-done`);
    worker.child.kill('SIGTERM');
    await worker.exited;
    expect(english).toEqual({});
  }, 200_000);
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
