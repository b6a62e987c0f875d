// Proofline against what a user would otherwise run (DESIGN.md, "Bars every feature must clear"):
// export vs `zip -0 -r`, verify vs `sha256sum -c`, and event appends per second. One run, one
// table of ratios. `npm run bench` builds first; this file imports the compiled core from build/.
//
//   node bench/run.mjs [--size-mb 1536] [--repeats 3] [--events 200000] [--single 2000]
//                      [--no-deflate] [--cpu-prof] [--keep]
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as eventBench from './lib/events.mjs';
import { generateSessionFiles } from './lib/generate.mjs';
import { flushAll, median, runTimed, toolVersion } from './lib/measure.mjs';
import { topSelfTime } from './lib/profile.mjs';
import { markdown } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1536' },
    repeats: { type: 'string', default: '3' },
    events: { type: 'string', default: '200000' },
    single: { type: 'string', default: '2000' },
    'no-deflate': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const sizeBytes = Number(opt['size-mb']) * 1e6;
const repeats = Number(opt.repeats);
const eventCount = Number(opt.events);
const singleCount = Number(opt.single);
for (const [name, n] of [['--size-mb', sizeBytes], ['--repeats', repeats], ['--events', eventCount], ['--single', singleCount]]) {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
}
for (const tool of ['zip', 'unzip', 'sha256sum', 'sync']) {
  if (runSyncOk(tool)) continue;
  process.stderr.write(`bench: '${tool}' is not on PATH; install it (apt-get install -y zip unzip coreutils) and run again.\n`);
  process.exit(2);
}
if (!existsSync(join(here, '../build/core/proofline.js'))) {
  process.stderr.write("bench: the core is not built; run 'npm run bench' (or 'npm run build:cli' first).\n");
  process.exit(2);
}

const work = join(here, '.work', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const filesDir = join(work, 'files');
const storeDir = join(work, 'store');
const outDir = join(work, 'out');
const scratch = join(work, 'tmp');
const resultsDir = join(here, 'results');
for (const d of [filesDir, outDir, scratch, resultsDir]) mkdirSync(d, { recursive: true });
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

try {
  const session = await buildSession();
  const exportResult = await benchExport(session);
  const verifyResult = await benchVerify(exportResult.zip);
  const events = await benchEvents();
  const profiles = opt['cpu-prof'] ? await profileOurs(session, exportResult.zip) : undefined;
  const results = {
    date: new Date().toISOString(),
    repeats,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.versions.node,
      zip: zipVersion(),
      sha256sum: toolVersion('sha256sum'),
    },
    session: session.summary,
    export: exportResult.figures,
    verify: verifyResult,
    events,
    profiles,
  };
  const md = markdown(results);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), md);
  process.stdout.write(md);
  log(`wrote ${join(resultsDir, 'latest.md')} and latest.json`);
} finally {
  if (opt.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

// --- 1. A sealed session of generated files -----------------------------------------------

async function buildSession() {
  log(`generating ~${opt['size-mb']} MB of session files in ${filesDir}`);
  let t = performance.now();
  const generated = generateSessionFiles(filesDir, sizeBytes);
  const generateSeconds = (performance.now() - t) / 1000;
  const { openProofline } = await import('../build/core/proofline.js');
  const pl = openProofline({ dataDir: storeDir });
  try {
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'bench: AI drawing session with screen recording' });
    log(`attaching ${generated.files.length} files to session ${id}`);
    t = performance.now();
    const segments = generated.files.filter((f) => f.group === 'segment');
    const others = generated.files.filter((f) => f.group !== 'segment');
    // As a recorder would: one segment at a time, images and prompts in small groups.
    for (const f of segments) await pl.sessions.attach(id, [f.path]);
    for (let i = 0; i < others.length; i += 25) await pl.sessions.attach(id, others.slice(i, i + 25).map((f) => f.path));
    const attachSeconds = (performance.now() - t) / 1000;
    for (let i = 0; i < 20; i++) await pl.sessions.note(id, `Chose image ${i * 7} over its neighbours: better hands; raised cfg to ${5 + (i % 5)}.`);
    const promptLog = Array.from({ length: 10_000 }, (_, i) => ({ type: 'note', payload: { text: `prompt ${i}: cat crystal pendant, seed ${i * 7919}` } }));
    for (let i = 0; i < promptLog.length; i += 1000) pl.events.appendBatch(id, promptLog.slice(i, i + 1000));
    t = performance.now();
    await pl.sessions.seal(id);
    const sealSeconds = (performance.now() - t) / 1000;
    return {
      id,
      summary: {
        files: generated.files.length,
        payloadBytes: generated.bytes,
        segments: segments.length,
        images: generated.files.filter((f) => f.group === 'image').length,
        texts: generated.files.filter((f) => f.group === 'text').length,
        events: pl.events.count(id),
        generateSeconds,
        attachSeconds,
        sealSeconds,
      },
    };
  } finally {
    pl.close();
  }
}

// --- 2. Export vs zip ----------------------------------------------------------------------

function oursChild(mode, args, nodeFlags = []) {
  return runTimed(process.execPath, [...nodeFlags, join(here, 'lib/child.mjs'), mode, ...args], { scratch }).then((r) => {
    const figures = JSON.parse(r.stdout.trim().split('\n').pop());
    return { ...figures, processSeconds: r.seconds };
  });
}

async function benchExport(session) {
  const zipName = (name) => join(outDir, `${name}.zip`);
  const contenders = {
    ours: async () => {
      rmSync(zipName('ours'), { force: true });
      return oursChild('export', [storeDir, session.id, zipName('ours')]);
    },
    zip0: async () => {
      rmSync(zipName('zip0'), { force: true });
      const zipped = await runTimed('zip', ['-0', '-r', '-q', zipName('zip0'), 'files'], { cwd: work, scratch });
      // What the export's own fsync costs zip: flush that one file to disk.
      const synced = await runTimed('sync', ['--data', zipName('zip0')], { scratch });
      return { seconds: zipped.seconds, maxRssKb: zipped.maxRssKb, syncSeconds: synced.seconds };
    },
  };
  if (!opt['no-deflate']) {
    contenders.zip6 = async () => {
      rmSync(zipName('zip6'), { force: true });
      const r = await runTimed('zip', ['-r', '-q', zipName('zip6'), 'files'], { cwd: work, scratch });
      rmSync(zipName('zip6'), { force: true });
      return { seconds: r.seconds, maxRssKb: r.maxRssKb };
    };
  }
  const runs = await rounds('export', contenders, ['ours', 'zip0']);
  const ours = pickMedian(runs.ours);
  const check = await oursChild('verify', [zipName('ours')]);
  if (check.exitCode !== 0 && check.exitCode !== 3) throw new Error(`the exported archive does not verify: ${check.failed.join('; ')}`);
  const figures = {
    ours,
    zip0: pickMedian(runs.zip0),
    zip0Sync: { seconds: median(runs.zip0.map((r) => r.syncSeconds)) },
    zip6: runs.zip6 ? pickMedian(runs.zip6) : undefined,
    zipBytes: { ours: statSync(zipName('ours')).size, zip0: statSync(zipName('zip0')).size },
    runs,
  };
  rmSync(zipName('zip0'), { force: true });
  return { zip: zipName('ours'), figures };
}

// --- 3. Verify vs sha256sum ----------------------------------------------------------------

async function benchVerify(zip) {
  const extracted = join(work, 'extracted');
  mkdirSync(extracted);
  await runTimed('unzip', ['-q', zip, '-d', extracted], { scratch });
  let n = 0;
  const contenders = {
    ours: () => oursChild('verify', [zip]).then((r) => {
      if (r.exitCode !== 0 && r.exitCode !== 3) throw new Error(`verifyArchive failed: ${r.failed.join('; ')}`);
      return r;
    }),
    sha256sum: () => runTimed('sha256sum', ['-c', '--quiet', '--strict', 'manifest-sha256.txt'], { cwd: extracted, scratch }),
    unzipSha: async () => {
      const dir = join(work, `unzip-${n++}`);
      const u = await runTimed('unzip', ['-q', zip, '-d', dir], { scratch });
      const c = await runTimed('sha256sum', ['-c', '--quiet', '--strict', 'manifest-sha256.txt'], { cwd: dir, scratch });
      rmSync(dir, { recursive: true, force: true });
      return { seconds: u.seconds + c.seconds, unzipSeconds: u.seconds, shaSeconds: c.seconds };
    },
  };
  const runs = await rounds('verify', contenders, Object.keys(contenders));
  rmSync(extracted, { recursive: true, force: true });
  return {
    ours: pickMedian(runs.ours),
    sha256sum: pickMedian(runs.sha256sum),
    unzipSha: pickMedian(runs.unzipSha),
    runs,
  };
}

// --- 4. Event appends ----------------------------------------------------------------------

async function benchEvents() {
  const dir = join(work, 'events');
  const modes = [
    { batch: 1000, count: eventCount },
    { batch: 100, count: eventCount },
    { batch: 1, count: singleCount },
  ];
  const out = [];
  for (const m of modes) {
    const ours = [];
    const bare = [];
    // Alternate, so that disk or CPU drift lands on both.
    for (let i = 0; i < repeats; i++) {
      ours.push(await eventBench.proofline(dir, m.count, m.batch));
      bare.push(eventBench.bareSqlite(dir, m.count, m.batch));
    }
    const row = { ...m, ours: median(ours), bare: median(bare), oursRuns: ours, bareRuns: bare };
    log(`events batch ${m.batch}: ${Math.round(m.count / row.ours)}/s (bare ${Math.round(m.count / row.bare)}/s)`);
    out.push(row);
  }
  return out;
}

// --- Optional: where our time goes ---------------------------------------------------------

async function profileOurs(session, zip) {
  const profDir = join(resultsDir, 'prof');
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
  const profiles = {};
  for (const [name, mode, args] of [
    ['export', 'export', [storeDir, session.id, join(outDir, 'profiled.zip')]],
    ['verify', 'verify', [zip]],
  ]) {
    const dir = join(profDir, name);
    flushAll();
    await oursChild(mode, args, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    profiles[name] = topSelfTime(join(dir, file));
    log(`cpu profile of ${name}: ${join(dir, file)}`);
  }
  return profiles;
}

// --- Helpers -------------------------------------------------------------------------------

/**
 * One untimed warm-up of each contender named in `warm` (reads every input into the page
 * cache), then `repeats` rounds, rotating the order each round; `sync` before every run.
 */
async function rounds(label, contenders, warm) {
  const names = Object.keys(contenders);
  for (const name of warm) {
    flushAll();
    log(`${label}: warm-up ${name}`);
    await contenders[name]();
  }
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < repeats; i++) {
    const order = names.map((_, k) => names[(k + i) % names.length]);
    for (const name of order) {
      flushAll();
      const r = await contenders[name]();
      runs[name].push(r);
      log(`${label} ${i + 1}/${repeats} ${name}: ${r.seconds.toFixed(2)} s`);
    }
  }
  return runs;
}

/** The run with the median time, whole (so its splits and RSS stay together). */
function pickMedian(runs) {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[(sorted.length - 1) >> 1];
}

function zipVersion() {
  const line = toolVersion('zip', ['-v'], /This is Zip/);
  return /Zip \d[\d.]*/.exec(line)?.[0] ?? line;
}

function runSyncOk(tool) {
  return process.env.PATH.split(':').some((d) => existsSync(join(d, tool)));
}
