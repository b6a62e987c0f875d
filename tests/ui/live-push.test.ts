// Issue 13: "the live views pushed by events instead of re-fetched on a poll". A real `proofline
// serve` shows a session in Chromium with its fallback poll set to ten minutes; `proofline note`,
// another process on the same data folder, appends to it, and the note is in the open timeline
// (and counted by the anchoring panel) within seconds: the host noticed the append and pushed it.
// Idle, the screen asks the host for nothing.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Request } from 'playwright';
import { afterEach, describe, expect, it } from 'vitest';
import { proofline, startProofline, type RunningCli } from '../support/cli.js';
import { CHROMIUM, RENDERER_DIR, SCREENS_DIR, seeText, shot } from '../support/ui.js';

const TEXT = {
  en: { note: 'written by another process' },
  zh: { note: '另一个进程写下的备注' },
} as const;

/** Far longer than the test: a note that shows came by a push, not by the fallback poll. */
const FALLBACK_MS = 600_000;
/** Generous for a loaded two-core machine, and nothing like the fallback. */
const PUSHED_WITHIN_MS = 8_000;

let data: string | undefined;
let serve: RunningCli | undefined;
let browser: Browser | undefined;

afterEach(async () => {
  await browser?.close();
  browser = undefined;
  if (serve) {
    serve.child.kill('SIGTERM');
    await serve.exited;
    serve = undefined;
  }
  if (data) rmSync(data, { recursive: true, force: true });
  data = undefined;
});

/** Starts `proofline serve` on the data folder and returns the address it printed. */
async function startServe(dataDir: string): Promise<{ readonly origin: string; readonly secret: string }> {
  serve = startProofline(['--data', dataDir, 'serve', '--no-open', '--renderer', RENDERER_DIR]);
  let out = '';
  serve.child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/#secret=\S+/);
  const [, origin, secret] = /Open (http:\/\/127\.0\.0\.1:\d+)\/#secret=(\S+)/.exec(out)!;
  return { origin: origin!, secret: secret! };
}

describe.each(['en', 'zh'] as const)('an append by another process, pushed to the open session (%s)', (lang) => {
  it('shows the CLI’s note in the live timeline within seconds, without the fallback poll', async () => {
    mkdirSync(SCREENS_DIR, { recursive: true });
    data = mkdtempSync(join(tmpdir(), 'proofline-ui-push-'));
    const created = await proofline(['--data', data, 'session', 'new', '--kind', 'creation', '--title', `Pushed ${lang}`, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    const first = await proofline(['--data', data, 'note', id, `before the page opened ${lang}`]);
    expect(first.code, first.stderr).toBe(0);
    const { origin, secret } = await startServe(data);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'] });
    const context = await browser.newContext({ locale: lang === 'zh' ? 'zh-CN' : 'en-GB', viewport: { width: 1280, height: 820 } });
    await context.addInitScript((ms) => sessionStorage.setItem('proofline.fallbackPollMs', String(ms)), FALLBACK_MS);
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    const asked: string[] = [];
    page.on('request', (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/')) asked.push(path);
    });
    await page.goto(`${origin}/#/session/${id}#secret=${secret}`);
    const timeline = page.locator('.timeline-list');
    await seeText(timeline, `before the page opened ${lang}`);
    const panel = page.locator('section.anchoring');
    await panel.waitFor({ timeout: 20_000 });
    const events = Number(await panel.getAttribute('data-events'));
    expect(events).toBeGreaterThanOrEqual(2);

    // Idle: one stream open, and no call for events or anchoring while nothing changes.
    await page.waitForTimeout(3_000);
    const idleFrom = asked.length;
    await page.waitForTimeout(3_000);
    expect(asked.slice(idleFrom)).toEqual([]);
    expect(asked.filter((path) => path === '/api/live')).toHaveLength(1);

    const note = await proofline(['--data', data, 'note', id, `${TEXT[lang].note} ${lang}`]);
    expect(note.code, note.stderr).toBe(0);
    const written = Date.now();
    await seeText(timeline, `${TEXT[lang].note} ${lang}`, PUSHED_WITHIN_MS);
    expect(Date.now() - written).toBeLessThan(PUSHED_WITHIN_MS);
    // The anchoring panel heard the same push: the new event is counted.
    await expect.poll(() => panel.getAttribute('data-events'), { timeout: PUSHED_WITHIN_MS }).toBe(String(events + 1));
    await shot(page, `live-push-${lang}`);
  }, 120_000);
});
