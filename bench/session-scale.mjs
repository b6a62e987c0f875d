// What one operation costs as a session grows (issue 13: "at 1k, 100k and 1M events, checkpoint,
// note, seal, session.get, one gallery page, one timeline page are flat, within 2x from 1k to
// 1M"). Each operation is called as the hosts call it, through the contract's handlers
// (operations.ts), in-process, on a session of N events; the time is the handler's alone.
//
// The session holds what a long creation session holds: 20 images attached, marks, notes, a few
// captured pages, and for the rest screen-recording segments (the bulk of a real session), each
// naming one small stored file. A seal needs a session of its own each time: one per repeat,
// filled the same way (the filling is not timed).
//
// Imports the compiled core from build/ (run `npm run build:cli` first); `--build DIR` times
// another build (the code before a change, for the before/after table).
//
//   node bench/session-scale.mjs [--sizes 1000,100000,1000000] [--repeats 5] [--seal-repeats 5]
//                                [--build build] [--out bench/results/session-scale.json] [--keep]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { median } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,100000,1000000' },
    repeats: { type: 'string', default: '5' },
    'seal-repeats': { type: 'string' },
    build: { type: 'string', default: join(here, '../build') },
    out: { type: 'string', default: join(here, 'results', 'session-scale.json') },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = opt.sizes.split(',').map(Number);
const repeats = Number(opt.repeats);
const sealRepeats = Number(opt['seal-repeats'] ?? opt.repeats);
if (!sizes.every((n) => Number.isSafeInteger(n) && n >= 200) || !(repeats > 0) || !(sealRepeats > 0)) {
  throw new Error('--sizes must be whole numbers of at least 200 separated by commas, --repeats and --seal-repeats positive numbers');
}
const build = resolve(opt.build);
if (!existsSync(join(build, 'core/proofline.js'))) {
  process.stderr.write(`bench: no compiled core in ${build}; run 'npm run build:cli' first.\n`);
  process.exit(2);
}
const load = (path) => import(pathToFileURL(join(build, path)).href);
const { openProofline } = await load('core/proofline.js');
const { createHost } = await load('host/operations.js');
const { SettingsStore } = await load('host/settings-store.js');

const BATCH = 10_000;
const IMAGES = 20;
const work = join(here, '.work', `session-scale-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const context = { progress: () => {}, signal: new AbortController().signal };

/** Fills the session to `size` events: the fixed content first, then recording segments. */
async function fill(pl, id, size, stored) {
  const { images, segment } = stored;
  const fixed = [
    ...images.map((blob, i) => ({ type: 'artifact.attached', payload: { sourcePath: `/work/out/image-${i}.png`, sm3: blob.sm3 }, artifacts: [{ sha256: blob.sha256, size: blob.size, name: `image-${i}.png`, mime: 'image/png' }] })),
    ...images.slice(0, 10).map((blob, i) => ({ type: 'generation.marked', payload: { sha256: blob.sha256, mark: i % 2 ? 'final' : 'rejected', reason: 'bench' } })),
    ...Array.from({ length: 10 }, (_, i) => ({ type: 'note', payload: { text: `note ${i}: the prompt changed to a softer light` } })),
    ...Array.from({ length: 5 }, (_, i) => ({ type: 'web.capture', payload: { url: `https://example.org/${i}`, finalUrl: `https://example.org/${i}`, status: 200, title: `page ${i}` }, artifacts: [{ sha256: images[i].sha256, size: images[i].size, name: 'screenshot.png', mime: 'image/png' }] })),
  ];
  let appended = pl.events.count(id);
  pl.events.appendBatch(id, fixed);
  appended += fixed.length;
  while (appended < size) {
    const n = Math.min(BATCH, size - appended);
    pl.events.appendBatch(id, segments(appended, n, segment));
    appended += n;
  }
  return appended;
}

function segments(from, n, blob) {
  return Array.from({ length: n }, (_, i) => ({
    type: 'recording.segment',
    payload: { recording: 'bench', run: 0, index: from + i, startSeconds: (from + i) * 2, startedAt: '2026-01-01T00:00:00.000Z', durationSeconds: 2, bytes: blob.size },
    artifacts: [{ sha256: blob.sha256, size: blob.size, name: `segment-${String(from + i).padStart(7, '0')}.ts`, mime: 'video/mp2t' }],
  }));
}

async function time(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function timeRepeated(fn, before = async () => {}) {
  const times = [];
  for (let r = 0; r < repeats; r++) {
    await before(r);
    times.push((await time(fn)).ms);
  }
  return median(times);
}

async function measure(size) {
  const dataDir = join(work, String(size));
  const pl = openProofline({ dataDir, tsaUrls: [] });
  const host = createHost({ pl, settings: new SettingsStore(join(dataDir, 'settings'), { tsaUrls: [] }), host: 'web', exportDir: join(dataDir, 'exports') });
  const call = (name, input) => host.handlers[name](input, context);
  try {
    const images = [];
    for (let i = 0; i < IMAGES; i++) images.push(await pl.blobs.putBytes(Buffer.from(`image ${i} ${'x'.repeat(512)}`)));
    const stored = { images, segment: await pl.blobs.putBytes(Buffer.from('segment bytes')) };
    const session = await pl.sessions.create({ kind: 'creation', title: `scale bench ${size}` });
    const id = session.id;
    const filled = await time(() => fill(pl, id, size, stored));
    log(`${size} events in ${(filled.ms / 1000).toFixed(1)} s`);
    await pl.sessions.checkpoint(id, 'anchor');
    let appended = filled.value;

    const row = { events: size };
    row.noteMs = await timeRepeated(() => call('session.note', { id, text: 'a note while the session is long' }));
    appended += repeats;
    row.checkpointMs = await timeRepeated(
      () => pl.sessions.checkpoint(id, 'anchor'),
      async () => {
        pl.events.appendBatch(id, segments(appended, 100, stored.segment));
        appended += 100;
      },
    );
    row.sessionGetMs = await timeRepeated(() => call('session.get', { id }));
    row.sessionListMs = await timeRepeated(() => call('session.list', {}));
    row.galleryMs = await timeRepeated(() => call('generation.gallery', { id }));
    row.webPagesMs = await timeRepeated(() => call('web.pages', { id }));
    row.timelineFirstPageMs = await timeRepeated(() => call('session.events', { id, afterSeq: -1, limit: 500 }));
    row.timelineLastPageMs = await timeRepeated(() => call('session.events', { id, afterSeq: appended - 501, limit: 500 }));
    row.blobLookupMs = await timeRepeated(() => call('blob.get', { id, sha256: images[7].sha256.slice(0, 12), maxBytes: 1 << 20 }));
    // What `serve` and the app do at start: look for interrupted recordings and batches (the
    // session is open, so it is looked at; no recording or batch is open in it).
    row.recoverAtStartMs = await timeRepeated(() => host.capture.recoverInterrupted({ strict: true }));

    // Seal: a session of its own each time.
    const seals = [];
    for (let r = 0; r < sealRepeats; r++) {
      const { id: sealId } = await pl.sessions.create({ kind: 'creation', title: `scale bench ${size} seal ${r}` });
      await fill(pl, sealId, size, stored);
      await pl.sessions.checkpoint(sealId, 'anchor');
      seals.push((await time(() => call('session.seal', { id: sealId }))).ms);
    }
    row.sealMs = median(seals);
    // All sessions but the first sealed now: the start's recovery scan again.
    row.recoverAtStartMostlySealedMs = await timeRepeated(() => host.capture.recoverInterrupted({ strict: true }));
    for (const key of Object.keys(row)) if (key !== 'events') row[key] = round(row[key]);
    log(JSON.stringify(row));
    return row;
  } finally {
    await host.shutdown();
    pl.close();
    if (!opt.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const OPS = [
  ['noteMs', 'note'],
  ['checkpointMs', 'checkpoint (+100)'],
  ['sealMs', 'seal'],
  ['sessionGetMs', 'session.get'],
  ['sessionListMs', 'session.list'],
  ['galleryMs', 'gallery'],
  ['webPagesMs', 'web.pages'],
  ['timelineFirstPageMs', 'timeline page (first)'],
  ['timelineLastPageMs', 'timeline page (last)'],
  ['blobLookupMs', 'blob.get by prefix'],
  ['recoverAtStartMs', 'recovery at start'],
  ['recoverAtStartMostlySealedMs', 'recovery at start, others sealed'],
];

function table(rows) {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const head = ['operation (median ms)', ...rows.map((r) => `${r.events.toLocaleString('en-US')} events`), `ratio ${last.events.toLocaleString('en-US')}/${first.events.toLocaleString('en-US')}`];
  const lines = [`| ${head.join(' | ')} |`, `|---|${head.slice(1).map(() => '---:').join('|')}|`];
  for (const [key, label] of OPS) {
    const ratio = first[key] > 0 ? `${(last[key] / first[key]).toFixed(2)}×` : '—';
    lines.push(`| ${[label, ...rows.map((r) => r[key]), ratio].join(' | ')} |`);
  }
  return lines.join('\n');
}

mkdirSync(work, { recursive: true });
try {
  const loadBefore = loadavg();
  const rows = [];
  for (const size of sizes) rows.push(await measure(size));
  const loadAfter = loadavg();
  console.log(table(rows));
  const fmt = (l) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\nmedian of ${repeats} (seal: ${sealRepeats}); build ${build}; load average at start ${fmt(loadBefore)}, at end ${fmt(loadAfter)}; node ${process.version}.`);
  mkdirSync(dirname(resolve(opt.out)), { recursive: true });
  writeFileSync(resolve(opt.out), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, build, repeats, sealRepeats, loadavg: { start: loadBefore, end: loadAfter }, rows }, null, 2)}\n`);
} finally {
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
}
