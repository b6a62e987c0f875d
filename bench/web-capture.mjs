// Web capture against what a user would otherwise run (DESIGN.md, "Bars every feature must
// clear"): one page captured by Proofline (scroll, screenshot, MHTML, DOM, text, HAR, WACZ,
// every file hashed and chained, a checkpoint) against the same page captured by a bare
// Playwright script (screenshot + MHTML + HAR), both on one already-running Chromium; then a
// batch of local pages at concurrency 1 and 4. Imports the compiled core from build/.
//
//   npm run build:cli && node bench/web-capture.mjs [--repeats 5] [--pages 100] [--browser PATH]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../build/core/capture/web/browser-launch.js';
import { captureUrls } from '../build/core/capture/web/capture-urls.js';
import { openProofline } from '../build/core/proofline.js';

const { values: opt } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    pages: { type: 'string', default: '100' },
    browser: { type: 'string' },
  },
});
const repeats = Number(opt.repeats);
const pageCount = Number(opt.pages);
if (!(repeats > 0) || !(pageCount > 0)) throw new Error('--repeats and --pages must be positive numbers');

// A page like a product listing: text, a stylesheet, a dozen images, taller than the window.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
function pageHtml(n) {
  const items = Array.from({ length: 12 }, (_, i) => `<div class="item"><img src="/img/${n}-${i}.png" width="200" height="150"><p>Item ${i}: ${'description '.repeat(20)}</p></div>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Listing ${n}</title><link rel="stylesheet" href="/style.css"></head><body><h1>Listing ${n}</h1>${items}</body></html>`;
}
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path.startsWith('/page/')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(pageHtml(path.slice(6)));
  }
  if (path === '/style.css') {
    res.writeHead(200, { 'content-type': 'text/css' });
    return res.end('.item { height: 260px; } img { background: #ccc; }');
  }
  if (path.startsWith('/img/')) {
    res.writeHead(200, { 'content-type': 'image/png' });
    return res.end(PIXEL);
  }
  res.writeHead(404);
  res.end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const work = mkdtempSync(join(tmpdir(), 'proofline-web-bench-'));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function bareCapture(browser, url, dir) {
  const context = await browser.newContext({ recordHar: { path: join(dir, 'network.har'), content: 'embed' }, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.screenshot({ path: join(dir, 'screenshot.png'), fullPage: true });
  const cdp = await context.newCDPSession(page);
  const { data } = await cdp.send('Page.captureSnapshot', { format: 'mhtml' });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'page.mhtml'), data);
  await context.close();
}

const launched = await launchBrowser({ browserPath: opt.browser });
const pl = openProofline({ dataDir: join(work, 'data') });
const rows = [];
try {
  const session = await pl.sessions.create({ kind: 'web', title: 'bench' });
  // Warm-up: one of each, untimed.
  await bareCapture(launched.browser, `${origin}/page/warm`, mkdtempSync(join(work, 'bare-')));
  await captureUrls(pl, session.id, [`${origin}/page/warm`], { browser: launched });

  const bare = [];
  const ours = [];
  for (let i = 0; i < repeats; i += 1) {
    // Alternate which goes first so neither always gets a warmer cache.
    const runBare = async () => {
      const dir = mkdtempSync(join(work, 'bare-'));
      const t = performance.now();
      await bareCapture(launched.browser, `${origin}/page/single-${i}`, dir);
      bare.push(performance.now() - t);
    };
    const runOurs = async () => {
      const t = performance.now();
      const result = await captureUrls(pl, session.id, [`${origin}/page/single-${i}`], { browser: launched });
      if (!result.results[0].ok) throw new Error(`capture failed: ${JSON.stringify(result.results[0])}`);
      ours.push(performance.now() - t);
    };
    if (i % 2 === 0) { await runBare(); await runOurs(); } else { await runOurs(); await runBare(); }
  }
  rows.push({ task: 'one page', proofline: median(ours), reference: median(bare), note: `median of ${repeats}; reference: bare Playwright screenshot + MHTML + HAR` });

  const batch = {};
  for (const concurrency of [1, 4]) {
    const urls = Array.from({ length: pageCount }, (_, i) => `${origin}/page/c${concurrency}-${i}`);
    const t = performance.now();
    const result = await captureUrls(pl, session.id, urls, { browser: launched, concurrency });
    batch[concurrency] = performance.now() - t;
    if (result.failed > 0) throw new Error(`${result.failed} of ${pageCount} pages failed at concurrency ${concurrency}`);
  }
  rows.push({ task: `${pageCount} pages, concurrency 1`, proofline: batch[1], reference: null, note: `${(batch[1] / pageCount).toFixed(0)} ms/page` });
  rows.push({ task: `${pageCount} pages, concurrency 4`, proofline: batch[4], reference: null, note: `${(batch[4] / pageCount).toFixed(0)} ms/page; ${(batch[1] / batch[4]).toFixed(2)}x faster than concurrency 1` });
} finally {
  pl.close();
  await launched.browser.close();
  server.close();
  rmSync(work, { recursive: true, force: true });
}

const lines = ['| task | Proofline (ms) | bare Playwright (ms) | ratio | note |', '|---|---:|---:|---:|---|'];
for (const row of rows) {
  lines.push(`| ${row.task} | ${row.proofline.toFixed(0)} | ${row.reference === null ? '' : row.reference.toFixed(0)} | ${row.reference === null ? '' : (row.proofline / row.reference).toFixed(2)} | ${row.note} |`);
}
process.stdout.write(`Chromium ${launched.facts.version}, Node ${process.versions.node}\n\n${lines.join('\n')}\n`);
