// Proofline against what a user would otherwise run (DESIGN.md, "Bars every feature must clear"):
// export vs `zip -0 -r` + `sync`, verify vs `sha256sum -c` and `unzip` + `sha256sum -c`, the
// CLI's start-up, and event appends per second. Both sides are timed the same way: whole
// processes from the outside (`proofline export` and `proofline verify` as child processes, Node's
// start-up included), one round at a time in rotating order, the ratio taken per round; the
// report gives the median ratio and its spread, and the load average at each run.
// `npm run bench` builds first; this file runs bin/proofline, which runs the compiled build/.
//
//   node bench/run.mjs [--shapes small,media] [--size-mb 1536] [--small-files 20000]
//                      [--small-kb 2] [--repeats 5] [--events 200000] [--single 2000]
//                      [--startup 15] [--no-deflate] [--cpu-prof] [--keep]
import { cpus, loadavg } from 'node:os';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as eventBench from './lib/events.mjs';
import { generateSessionFiles, generateSmallFiles } from './lib/generate.mjs';
import { flushAll, runTimed, spread, toolVersion } from './lib/measure.mjs';
import { topSelfTime } from './lib/profile.mjs';
import { markdown } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../bin/proofline');
const { values: opt } = parseArgs({
  options: {
    shapes: { type: 'string', default: 'small,media' },
    'size-mb': { type: 'string', default: '1536' },
    'small-files': { type: 'string', default: '20000' },
    'small-kb': { type: 'string', default: '2' },
    repeats: { type: 'string', default: '5' },
    events: { type: 'string', default: '200000' },
    single: { type: 'string', default: '2000' },
    startup: { type: 'string', default: '15' },
    'no-deflate': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const shapes = opt.shapes.split(',').map((s) => s.trim()).filter(Boolean);
const sizeBytes = Number(opt['size-mb']) * 1e6;
const smallFiles = Number(opt['small-files']);
const smallBytes = Math.round(Number(opt['small-kb']) * 1024);
const repeats = Number(opt.repeats);
const eventCount = Number(opt.events);
const singleCount = Number(opt.single);
const startupRuns = Number(opt.startup);
for (const [name, n] of [['--size-mb', sizeBytes], ['--small-files', smallFiles], ['--small-kb', smallBytes], ['--repeats', repeats], ['--events', eventCount], ['--single', singleCount], ['--startup', startupRuns]]) {
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
}
for (const shape of shapes) {
  if (shape !== 'small' && shape !== 'media') throw new Error(`--shapes: unknown shape '${shape}' (small, media)`);
}
for (const tool of ['zip', 'unzip', 'sha256sum', 'sync']) {
  if (onPath(tool)) continue;
  process.stderr.write(`bench: '${tool}' is not on PATH; install it (apt-get install -y zip unzip coreutils) and run again.\n`);
  process.exit(2);
}
if (!existsSync(join(here, '../build/core/proofline.js')) || !existsSync(join(here, '../build/host/cli.js'))) {
  process.stderr.write("bench: the core is not built; run 'npm run bench' (or 'npm run build:cli' first).\n");
  process.exit(2);
}

const work = join(here, '.work', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const resultsDir = join(here, 'results');
const scratch = join(work, 'tmp');
for (const d of [scratch, resultsDir]) mkdirSync(d, { recursive: true });
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
// No TSA: nothing in a timed run waits on the network (and the store's Settings are not read).
const cliEnv = { ...process.env, PROOFLINE_TSA_URLS: '' };

try {
  const results = {
    date: new Date().toISOString(),
    repeats,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.versions.node,
      zip: zipVersion(),
      sha256sum: toolVersion('sha256sum'),
      loadAtStart: loadavg().map((l) => Number(l.toFixed(2))),
    },
    shapes: {},
  };
  for (const shape of shapes) {
    const ctx = await buildSession(shape);
    const exported = await benchExport(ctx);
    const verified = await benchVerify(ctx, exported.zip);
    const profiles = opt['cpu-prof'] ? await profileOurs(ctx, exported.zip) : undefined;
    results.shapes[shape] = { session: ctx.summary, export: exported.figures, verify: verified, profiles };
    if (!opt.keep) rmSync(ctx.dir, { recursive: true, force: true });
  }
  results.startup = await benchStartup();
  results.events = await benchEvents();
  results.machine.loadAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
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

/** Generates a shape's files and attaches them to a session (through the API), then seals it. */
async function buildSession(shape) {
  const dir = join(work, shape);
  const filesDir = join(dir, 'files');
  const storeDir = join(dir, 'store');
  const outDir = join(dir, 'out');
  for (const d of [filesDir, outDir]) mkdirSync(d, { recursive: true });
  let t = performance.now();
  const generated = shape === 'small' ? generateSmallFiles(filesDir, smallFiles, smallBytes) : generateSessionFiles(filesDir, sizeBytes);
  log(`${shape}: generated ${generated.files.length.toLocaleString('en-US')} files, ${(generated.bytes / 1e6).toFixed(0)} MB, in ${filesDir}`);
  const generateSeconds = (performance.now() - t) / 1000;
  const { openProofline } = await import('../build/core/proofline.js');
  const pl = openProofline({ dataDir: storeDir, tsaUrls: [] });
  try {
    const title = shape === 'small' ? 'bench: many small files (page resources)' : 'bench: AI drawing session with screen recording';
    const { id } = await pl.sessions.create({ kind: 'creation', title });
    log(`${shape}: attaching them to session ${id}`);
    t = performance.now();
    const segments = generated.files.filter((f) => f.group === 'segment');
    const others = generated.files.filter((f) => f.group !== 'segment');
    // As a recorder would: one segment at a time, other files in groups.
    for (const f of segments) await pl.sessions.attach(id, [f.path]);
    const group = shape === 'small' ? 200 : 25;
    for (let i = 0; i < others.length; i += group) await pl.sessions.attach(id, others.slice(i, i + group).map((f) => f.path));
    const attachSeconds = (performance.now() - t) / 1000;
    if (shape === 'media') {
      for (let i = 0; i < 20; i++) await pl.sessions.note(id, `Chose image ${i * 7} over its neighbours: better hands; raised cfg to ${5 + (i % 5)}.`);
      const promptLog = Array.from({ length: 10_000 }, (_, i) => ({ type: 'note', payload: { text: `prompt ${i}: cat crystal pendant, seed ${i * 7919}` } }));
      for (let i = 0; i < promptLog.length; i += 1000) pl.events.appendBatch(id, promptLog.slice(i, i + 1000));
    }
    t = performance.now();
    await pl.sessions.seal(id);
    const sealSeconds = (performance.now() - t) / 1000;
    return {
      shape,
      id,
      dir,
      filesDir,
      storeDir,
      outDir,
      summary: {
        shape,
        files: generated.files.length,
        payloadBytes: generated.bytes,
        segments: segments.length,
        images: generated.files.filter((f) => f.group === 'image').length,
        texts: generated.files.filter((f) => f.group === 'text').length,
        smallFileBytes: shape === 'small' ? smallBytes : undefined,
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

function proofline(args, nodeFlags = [], allowFail = false) {
  return runTimed(process.execPath, [...nodeFlags, bin, ...args], { scratch, env: cliEnv, allowFail });
}

async function benchExport(ctx) {
  const zipName = (name) => join(ctx.outDir, `${name}.zip`);
  const contenders = {
    ours: async () => {
      rmSync(zipName('ours'), { force: true });
      return proofline(['--data', ctx.storeDir, 'export', ctx.id, '--out', zipName('ours'), '--json']);
    },
    // The same durability as the export's fsync: zip, then flush that one file to disk.
    zip0Sync: async () => {
      rmSync(zipName('zip0'), { force: true });
      const zipped = await runTimed('zip', ['-0', '-r', '-q', zipName('zip0'), 'files'], { cwd: ctx.dir, scratch });
      const synced = await runTimed('sync', ['--data', zipName('zip0')], { scratch });
      return { seconds: zipped.seconds + synced.seconds, zipSeconds: zipped.seconds, syncSeconds: synced.seconds, maxRssKb: zipped.maxRssKb };
    },
  };
  if (!opt['no-deflate']) {
    contenders.zip6 = async () => {
      rmSync(zipName('zip6'), { force: true });
      const r = await runTimed('zip', ['-r', '-q', zipName('zip6'), 'files'], { cwd: ctx.dir, scratch });
      rmSync(zipName('zip6'), { force: true });
      return { seconds: r.seconds, maxRssKb: r.maxRssKb };
    };
  }
  const runs = await rounds(`${ctx.shape} export`, contenders, ['ours', 'zip0Sync']);
  const check = await proofline(['verify', zipName('ours'), '--json'], [], true);
  if (check.code !== 0 && check.code !== 3) throw new Error(`the exported archive does not verify (exit ${check.code}): ${check.stdout.slice(0, 2000)}`);
  const figures = {
    ours: summarise(runs.ours),
    zip0Sync: summarise(runs.zip0Sync),
    zip0Only: spread(runs.zip0Sync.map((r) => r.zipSeconds)),
    zip6: runs.zip6 ? summarise(runs.zip6) : undefined,
    ratio: {
      zip0Sync: ratios(runs.ours, runs.zip0Sync),
      zip6: runs.zip6 ? ratios(runs.ours, runs.zip6) : undefined,
    },
    zipBytes: { ours: statSync(zipName('ours')).size, zip0: statSync(zipName('zip0')).size },
    runs,
  };
  rmSync(zipName('zip0'), { force: true });
  return { zip: zipName('ours'), figures };
}

// --- 3. Verify vs sha256sum ----------------------------------------------------------------

async function benchVerify(ctx, zip) {
  const extracted = join(ctx.dir, 'extracted');
  mkdirSync(extracted);
  await runTimed('unzip', ['-q', zip, '-d', extracted], { scratch });
  let n = 0;
  const contenders = {
    ours: async () => {
      const r = await proofline(['verify', zip, '--json'], [], true);
      if (r.code !== 0 && r.code !== 3) throw new Error(`proofline verify exited ${r.code}: ${r.stdout.slice(0, 2000)}${r.stderr.slice(-2000)}`);
      return r;
    },
    sha256sum: () => runTimed('sha256sum', ['-c', '--quiet', '--strict', 'manifest-sha256.txt'], { cwd: extracted, scratch }),
    unzipSha: async () => {
      const dir = join(ctx.dir, `unzip-${n++}`);
      const u = await runTimed('unzip', ['-q', zip, '-d', dir], { scratch });
      const c = await runTimed('sha256sum', ['-c', '--quiet', '--strict', 'manifest-sha256.txt'], { cwd: dir, scratch });
      rmSync(dir, { recursive: true, force: true });
      return { seconds: u.seconds + c.seconds, unzipSeconds: u.seconds, shaSeconds: c.seconds, maxRssKb: Math.max(u.maxRssKb ?? 0, c.maxRssKb ?? 0) || undefined };
    },
  };
  const runs = await rounds(`${ctx.shape} verify`, contenders, Object.keys(contenders));
  rmSync(extracted, { recursive: true, force: true });
  return {
    ours: summarise(runs.ours),
    sha256sum: summarise(runs.sha256sum),
    unzipSha: summarise(runs.unzipSha),
    ratio: { sha256sum: ratios(runs.ours, runs.sha256sum), unzipSha: ratios(runs.ours, runs.unzipSha) },
    runs,
  };
}

// --- 4. Start-up of the command line --------------------------------------------------------

/** `proofline --help` against Node starting and exiting (`node -e 0`), alternately. */
async function benchStartup() {
  const help = [];
  const bare = [];
  for (let i = 0; i < startupRuns; i++) {
    const load = loadavg()[0];
    help.push({ ...(await runTimed(process.execPath, [bin, '--help'], { scratch, env: cliEnv })), load });
    bare.push({ ...(await runTimed(process.execPath, ['-e', '0'], { scratch })), load });
  }
  const result = { help: summarise(help), node: summarise(bare), ratio: ratios(help, bare) };
  log(`startup: proofline --help ${ms(result.help.seconds.median)} ms (node -e 0: ${ms(result.node.seconds.median)} ms)`);
  return result;
}

// --- 5. Event appends ----------------------------------------------------------------------

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
    // Alternate, so that disk or CPU drift lands on both; the ratio is taken per round.
    for (let i = 0; i < repeats; i++) {
      const load = loadavg()[0];
      ours.push({ seconds: await eventBench.proofline(dir, m.count, m.batch), load });
      bare.push({ seconds: eventBench.bareSqlite(dir, m.count, m.batch), load });
    }
    const row = { ...m, ours: spread(ours.map((r) => r.seconds)), bare: spread(bare.map((r) => r.seconds)), ratio: ratios(ours, bare), load: spread(ours.map((r) => r.load)) };
    log(`events batch ${m.batch}: ${Math.round(m.count / row.ours.median)}/s (bare ${Math.round(m.count / row.bare.median)}/s), ratio ${row.ratio.median.toFixed(2)}`);
    out.push(row);
  }
  return out;
}

// --- Optional: where our time goes ---------------------------------------------------------

async function profileOurs(ctx, zip) {
  const profDir = join(resultsDir, 'prof', ctx.shape);
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
  const profiles = {};
  for (const [name, args] of [
    ['export', ['--data', ctx.storeDir, 'export', ctx.id, '--out', join(ctx.outDir, 'profiled.zip')]],
    ['verify', ['verify', zip]],
  ]) {
    const dir = join(profDir, name);
    flushAll();
    await proofline(args, ['--cpu-prof', `--cpu-prof-dir=${dir}`], true);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    profiles[name] = topSelfTime(join(dir, file));
    log(`cpu profile of ${ctx.shape} ${name}: ${join(dir, file)}`);
  }
  rmSync(join(ctx.outDir, 'profiled.zip'), { force: true });
  return profiles;
}

// --- Helpers -------------------------------------------------------------------------------

/**
 * One untimed warm-up of each contender named in `warm` (reads every input into the page
 * cache), then `repeats` rounds, rotating the order each round; `sync` before every run, and
 * the 1-minute load average noted with it.
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
      const load = loadavg()[0];
      const r = await contenders[name]();
      runs[name].push({ seconds: r.seconds, maxRssKb: r.maxRssKb, load, ...pick(r) });
      log(`${label} ${i + 1}/${repeats} ${name}: ${r.seconds.toFixed(3)} s (load ${load.toFixed(2)})`);
    }
  }
  return runs;
}

/** The parts of a run worth keeping (not its stdout). */
function pick(r) {
  const { stdout: _o, stderr: _e, code: _c, ...rest } = r;
  return rest;
}

/** Median and spread of a contender's seconds, its peak RSS and the load it ran under. */
function summarise(runs) {
  const rss = runs.map((r) => r.maxRssKb).filter((x) => x !== undefined);
  return { seconds: spread(runs.map((r) => r.seconds)), maxRssKb: rss.length ? spread(rss) : undefined, load: spread(runs.map((r) => r.load)) };
}

/** ours / reference in each round (the two ran back to back), then median and spread. */
function ratios(ours, reference) {
  return spread(ours.map((r, i) => r.seconds / reference[i].seconds));
}

function ms(seconds) {
  return (seconds * 1000).toFixed(0);
}

function zipVersion() {
  const line = toolVersion('zip', ['-v'], /This is Zip/);
  return /Zip \d[\d.]*/.exec(line)?.[0] ?? line;
}

function onPath(tool) {
  return process.env.PATH.split(':').some((d) => existsSync(join(d, tool)));
}
