// Web capture against what a user would otherwise run (DESIGN.md, "Bars every feature must
// clear"; issue 13, "performance that holds as the work grows"). Three measurements, all on one
// already-running Chromium shared by both sides, with a context per page:
//
// 1. one page: Proofline's `captureUrls` of one URL into a session (scroll, screenshot, MHTML,
//    DOM, text, HAR, WACZ, every file hashed and chained, its checkpoint) against a bare
//    Playwright script (screenshot + MHTML + HAR). Aim: ≤ 1.3×.
// 2. a batch of --pages local pages at each --concurrency (1 and 2 by default). Aim: 2 at least
//    1.4× faster than 1.
// 3. one page into an empty session against one page into a session already holding --events
//    events (appended through the store's batch path, then a checkpoint, untimed). Aim: the same.
//
// Each measurement runs in rounds; the two sides of a round run back to back in alternating
// order, the ratio is taken within the round, and the median with the min–max over the rounds is
// reported, beside the 1-minute load average at the start of each round (other jobs on a 2-core
// machine move every absolute figure). Imports the compiled core from build/ (`--build DIR` for
// another build).
//
//   npm run build:cli && node bench/web-capture.mjs [--repeats 7] [--pages 20] [--batch-repeats 3]
//     [--concurrency 1,2] [--events 100000] [--browser PATH] [--build build]
//     [--out bench/results/web-capture.json]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { spread } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    repeats: { type: 'string', default: '7' },
    pages: { type: 'string', default: '20' },
    'batch-repeats': { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,2' },
    events: { type: 'string', default: '100000' },
    browser: { type: 'string' },
    build: { type: 'string', default: join(here, '../build') },
    out: { type: 'string', default: join(here, 'results', 'web-capture.json') },
  },
});
const repeats = Number(opt.repeats);
const pageCount = Number(opt.pages);
const batchRepeats = Number(opt['batch-repeats']);
const levels = opt.concurrency.split(',').map(Number);
const base = levels[0];
const eventCount = Number(opt.events);
if (!(repeats > 0) || !(pageCount > 0) || !(Number.isInteger(batchRepeats) && batchRepeats >= 0) || !levels.every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(eventCount) && eventCount >= 0)) {
  throw new Error('--repeats and --pages must be positive numbers, --batch-repeats a whole number (0: no batches), --concurrency whole numbers separated by commas, --events a whole number');
}
const build = resolve(opt.build);
const load = (path) => import(pathToFileURL(join(build, path)).href);
const { launchBrowser } = await load('core/capture/web/browser-launch.js');
const { captureUrls } = await load('core/capture/web/capture-urls.js');
const { openProofline } = await load('core/proofline.js');

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const load1 = () => loadavg()[0];

// A page like a product listing: text, a stylesheet, a dozen images, taller than the window.
// Served by a process of its own, as a site is served from elsewhere: its writes to the
// browser's sockets would otherwise take turns with the capture on this process's event loop (a
// profile of the old bench showed ~90 ms of socket writes per page on the capture's thread), and
// its CPU would be counted as the capture's.
const SITE = `
const { createServer } = require('node:http');
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
function pageHtml(n) {
  const items = Array.from({ length: 12 }, (_, i) => '<div class="item"><img src="/img/' + n + '-' + i + '.png" width="200" height="150"><p>Item ' + i + ': ' + 'description '.repeat(20) + '</p></div>').join('');
  return '<!doctype html><html><head><meta charset="utf-8"><title>Listing ' + n + '</title><link rel="stylesheet" href="/style.css"></head><body><h1>Listing ' + n + '</h1>' + items + '</body></html>';
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
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;
const site = spawn(process.execPath, ['-e', SITE], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  site.stdout.once('data', (data) => resolve(Number(String(data).trim())));
  site.once('error', reject);
  site.once('exit', (code) => reject(new Error(`the test site exited with ${code}`)));
});
const origin = `http://127.0.0.1:${port}`;
const work = mkdtempSync(join(tmpdir(), 'proofline-web-bench-'));
let unique = 0;
const url = (label) => `${origin}/page/${label}-${(unique += 1)}`;

async function bareCapture(browser, pageUrl) {
  const dir = mkdtempSync(join(work, 'bare-'));
  const context = await browser.newContext({ recordHar: { path: join(dir, 'network.har'), content: 'embed' }, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(pageUrl, { waitUntil: 'load' });
  await page.screenshot({ path: join(dir, 'screenshot.png'), fullPage: true });
  const cdp = await context.newCDPSession(page);
  const { data } = await cdp.send('Page.captureSnapshot', { format: 'mhtml' });
  await writeFile(join(dir, 'page.mhtml'), data);
  await context.close();
}

async function ours(pl, sessionId, launched, urls, concurrency = 1) {
  const result = await captureUrls(pl, sessionId, urls, { browser: launched, concurrency });
  if (result.failed > 0) throw new Error(`capture failed: ${JSON.stringify(result.results.filter((r) => !r.ok))}`);
}

/**
 * CPU seconds used so far by this process (its thread pool included) and by the browser's
 * processes (every descendant but the test site, with the children they reaped: the renderers
 * of closed contexts). Linux only (/proc); NaN elsewhere.
 */
function cpuSeconds() {
  const own = process.cpuUsage();
  if (process.platform !== 'linux') return NaN;
  const parent = new Map();
  const times = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
      parent.set(Number(pid), Number(fields[1]));
      times.set(Number(pid), Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]));
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  for (const [pid, t] of times) {
    let up = parent.get(pid);
    while (up && up !== process.pid && up !== site.pid && up > 1) up = parent.get(up);
    if (up === process.pid && pid !== site.pid) ticks += t;
  }
  return (own.user + own.system) / 1e6 + ticks / 100; // USER_HZ
}

const timed = async (work) => {
  const c = cpuSeconds();
  const t = performance.now();
  await work();
  return { ms: performance.now() - t, cpu: (cpuSeconds() - c) * 1000 };
};

/** `count` rounds of a and b back to back, alternating which goes first; the ratio a/b within each round. */
async function rounds(count, a, b) {
  const out = { a: [], b: [], ratio: [], aCpu: [], bCpu: [], cpuRatio: [], load: [] };
  for (let i = 0; i < count; i += 1) {
    out.load.push(load1());
    let ta;
    let tb;
    if (i % 2 === 0) {
      ta = await timed(a);
      tb = await timed(b);
    } else {
      tb = await timed(b);
      ta = await timed(a);
    }
    out.a.push(ta.ms);
    out.b.push(tb.ms);
    out.ratio.push(ta.ms / tb.ms);
    out.aCpu.push(ta.cpu);
    out.bCpu.push(tb.cpu);
    out.cpuRatio.push(ta.cpu / tb.cpu);
  }
  return Object.fromEntries(Object.entries(out).map(([key, values]) => [key, spread(values)]));
}

/** Appends `count` events through the store's batch path, then one checkpoint (neither timed). */
function fill(pl, sessionId, count) {
  const BATCH = 10_000;
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    pl.events.appendBatch(sessionId, Array.from({ length: n }, (_, i) => ({ type: 'note', payload: { text: `filler ${done + i}: the prompt changed to a softer light` } })));
  }
}

const launched = await launchBrowser({ browserPath: opt.browser });
const pl = openProofline({ dataDir: join(work, 'data') });
const results = { date: new Date().toISOString(), node: process.version, chromium: launched.facts.version, build, loadAtStart: loadavg() };
try {
  const session = await pl.sessions.create({ kind: 'web', title: 'bench' });
  // Warm-up: one of each, untimed.
  await bareCapture(launched.browser, url('warm'));
  await ours(pl, session.id, launched, [url('warm')]);

  log(`one page, ${repeats} rounds`);
  const single = await rounds(repeats, () => ours(pl, session.id, launched, [url('single')]), () => bareCapture(launched.browser, url('bare')));
  results.onePage = single;

  if (batchRepeats > 0) log(`${pageCount} pages at concurrency ${levels.join(', ')}, ${batchRepeats} rounds`);
  const batch = Object.fromEntries(levels.map((c) => [c, []]));
  const batchLoad = [];
  for (let i = 0; i < batchRepeats; i += 1) {
    batchLoad.push(load1());
    const order = i % 2 === 0 ? levels : [...levels].reverse();
    for (const c of order) {
      const urls = Array.from({ length: pageCount }, () => url(`c${c}`));
      batch[c].push(await timed(() => ours(pl, session.id, launched, urls, c)));
    }
  }
  if (batchRepeats > 0) results.batch = {
    pages: pageCount,
    load: spread(batchLoad),
    levels: Object.fromEntries(levels.map((c) => [c, {
      ms: spread(batch[c].map((r) => r.ms)),
      cpuPerPage: spread(batch[c].map((r) => r.cpu / pageCount)),
      cores: spread(batch[c].map((r) => r.cpu / r.ms)),
      speedup: spread(batch[base].map((r, i) => r.ms / batch[c][i].ms)),
    }])),
  };

  if (eventCount > 0) {
    log(`filling a session with ${eventCount.toLocaleString('en-US')} events`);
    const full = await pl.sessions.create({ kind: 'web', title: 'bench, full' });
    const filled = await timed(async () => {
      fill(pl, full.id, eventCount);
      await pl.sessions.checkpoint(full.id, 'manual');
    });
    log(`filled in ${(filled.ms / 1000).toFixed(1)} s`);
    await ours(pl, full.id, launched, [url('warm-full')]);
    const empty = await pl.sessions.create({ kind: 'web', title: 'bench, empty' });
    await ours(pl, empty.id, launched, [url('warm-empty')]);
    log(`one page into ${eventCount.toLocaleString('en-US')} events vs an empty session, ${repeats} rounds`);
    results.sessionSize = { events: eventCount, ...(await rounds(repeats, () => ours(pl, full.id, launched, [url('full')]), () => ours(pl, empty.id, launched, [url('empty')]))) };
  }
} finally {
  pl.close();
  await launched.browser.close();
  site.kill();
  rmSync(work, { recursive: true, force: true });
}
results.loadAtEnd = loadavg();

const ms = (sp) => `${sp.median.toFixed(0)} (${sp.min.toFixed(0)}–${sp.max.toFixed(0)})`;
const x = (sp) => `**${sp.median.toFixed(2)}×** (${sp.min.toFixed(2)}–${sp.max.toFixed(2)})`;
const ld = (sp) => `${sp.min.toFixed(1)}–${sp.max.toFixed(1)}`;
const single = results.onePage;
const lines = [
  '| task | Proofline (ms) | reference (ms) | ratio per round | aim | load |',
  '|---|--:|--:|--:|---|--:|',
  `| one page (12 images, taller than the window) | ${ms(single.a)} | bare Playwright screenshot + MHTML + HAR: ${ms(single.b)} | ${x(single.ratio)} | ≤ 1.3× | ${ld(single.load)} |`,
  `| same, CPU time (this process and the browser's) | ${ms(single.aCpu)} | ${ms(single.bCpu)} | ${x(single.cpuRatio)} | | |`,
];
for (const c of results.batch ? levels : []) {
  const row = results.batch.levels[c];
  const speedup = c === base ? '' : `${x(row.speedup)} faster than ${base}`;
  lines.push(`| ${pageCount} pages, concurrency ${c} | ${ms(row.ms)} (${(row.ms.median / pageCount).toFixed(0)} ms/page; CPU ${row.cpuPerPage.median.toFixed(0)} ms/page, ${row.cores.median.toFixed(2)} cores) | | ${speedup} | ${c === base ? '' : '≥ 1.4× (at 2)'} | ${ld(results.batch.load)} |`);
}
if (results.sessionSize) {
  const s = results.sessionSize;
  lines.push(`| one page into a session of ${s.events.toLocaleString('en-US')} events | ${ms(s.a)} | one page into an empty session: ${ms(s.b)} | ${x(s.ratio)} | 1.0× | ${ld(s.load)} |`);
}
const fmt = (l) => l.map((v) => v.toFixed(2)).join(' ');
process.stdout.write(`Chromium ${launched.facts.version}, Node ${process.versions.node}; ${repeats} rounds (batches: ${batchRepeats}), median (min–max); load average (1, 5, 15 min) at start ${fmt(results.loadAtStart)}, at end ${fmt(results.loadAtEnd)}.\n\n${lines.join('\n')}\n`);
mkdirSync(dirname(resolve(opt.out)), { recursive: true });
writeFileSync(resolve(opt.out), `${JSON.stringify(results, null, 2)}\n`);
