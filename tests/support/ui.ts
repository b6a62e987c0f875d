// Drives the real UI: `proofline serve`'s web host in this process over a real store on disk,
// and Debian's Chromium through Playwright. The renderer must be built (npm test builds it).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright';
import { expect } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { createHost, type Host } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { startWebHost, type WebHost } from '../../src/host/web-host.js';

export const RENDERER_DIR = resolve('out/renderer');
export const CHROMIUM = process.env['PROOFLINE_BROWSER'] ?? '/usr/bin/chromium';

export interface UiHarness {
  readonly dataDir: string;
  readonly pl: Proofline;
  readonly host: Host;
  readonly web: WebHost;
  readonly browser: Browser;
  /** A fresh browser context in the given language, already on the app with the secret. */
  open(lang: 'en' | 'zh', path?: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Stops the web host's HTTP server (as if `proofline serve` were stopped); the pages stay open. */
  stopServer(): Promise<void>;
  /** Starts it again on the same address with the same secret, as the pages knew it. */
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export async function startUi(options: { tsaUrls?: string[]; settings?: Record<string, unknown> } = {}): Promise<UiHarness> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`The UI is not built (${RENDERER_DIR}): run npm run build:ui`);
  const dataDir = mkdtempSync(join(tmpdir(), 'proofline-ui-'));
  const pl = openProofline({ dataDir, tsaUrls: options.tsaUrls ?? [] });
  const settings = new SettingsStore(dataDir, { tsaUrls: options.tsaUrls ?? [], ...(options.settings ?? {}) });
  const host = createHost({ pl, settings, host: 'web', exportDir: join(dataDir, 'exports') });
  const webOptions = { host, pl, rendererDir: RENDERER_DIR, archivePath: host.archivePath, ffmpegPath: () => settings.get().ffmpegPath || undefined };
  let web = await startWebHost(webOptions);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const contexts: BrowserContext[] = [];
  let serverStopped = false;
  return {
    dataDir,
    pl,
    host,
    get web() {
      return web;
    },
    browser,
    async open(lang, path = '') {
      const context = await browser.newContext({ locale: lang === 'zh' ? 'zh-CN' : 'en-GB', viewport: { width: 1280, height: 820 }, deviceScaleFactor: 1 });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => {
        throw error;
      });
      await page.goto(`${web.origin}/${path}#secret=${web.secret}`);
      return { context, page };
    },
    async stopServer() {
      if (serverStopped) return;
      serverStopped = true;
      await web.close();
    },
    async restartServer() {
      if (!serverStopped) return;
      web = await startWebHost({ ...webOptions, port: web.port, secret: web.secret });
      serverStopped = false;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await host.shutdown();
      if (!serverStopped) await web.close();
      pl.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go: test-results/screens (git-ignored), for people to look at. */
export const SCREENS_DIR = resolve('test-results/screens');

/** Playwright's own matchers belong to @playwright/test; with Vitest, poll the page instead. */
export async function seeText(locator: Locator, text: string, timeout = 20_000): Promise<void> {
  await expect.poll(async () => ((await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '') : ''), { timeout }).toContain(text);
}

/** A full-page screenshot into SCREENS_DIR, for people to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`), fullPage: true });
}
