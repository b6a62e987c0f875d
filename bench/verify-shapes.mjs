// `proofline verify` on the archive shapes whose cost grows with the session (issue 13), timed
// as whole processes on both sides, every round:
//
//   files   20,000 files of 2 KB (half random ".png", stored; half text, deflated): the per-entry
//           cost. Reference: `unzip -q X.zip -d tmp && (cd tmp && sha256sum -c --quiet
//           manifest-sha256.txt)`, what a lawyer without Proofline runs.
//   events  1,000,000 events: the chain's walk, the checkpoints' Merkle roots, the memory.
//           References: the same unzip + sha256sum -c, and `sha256sum -c` alone on the bag
//           extracted beforehand.
//
// Sessions are made with the real core (build/): files attached in groups, events appended in
// batches through the store's own appendBatch (as bench/checkpoint.mjs), sealed without a TSA,
// exported with exportSession. Each round runs every contender once, in rotating order, with
// `sync` before each; the ratio is taken per round (ours / reference of the same round), then
// the median and the spread of those ratios. Peak RSS from GNU time (%M), load average printed.
//
//   node bench/verify-shapes.mjs [--shapes files,events] [--files 20000] [--file-bytes 2048]
//        [--events 1000000] [--rounds 3] [--cli bin/proofline] [--build build] [--label NAME]
//        [--reuse] [--keep]
//
// --cli times another build of the command line (e.g. an older checkout's bin/proofline), on the
// same archives; --build makes the sessions with another compiled core; --reuse keeps the
// archives of an earlier run in bench/.work/verify-shapes/ (and uses them if there).
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { flushAll, median, runTimed, toolVersion } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WORDS = 'a cat crystal pendant lit from the left, soft rim light, 85mm, shallow depth of field, seed steps cfg sampler euler ancestral'.split(' ');

const { values: opt } = parseArgs({
  options: {
    shapes: { type: 'string', default: 'files,events' },
    files: { type: 'string', default: '20000' },
    'file-bytes': { type: 'string', default: '2048' },
    events: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    cli: { type: 'string', default: join(here, '../bin/proofline') },
    build: { type: 'string', default: join(here, '../build') },
    label: { type: 'string', default: 'latest' },
    reuse: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const shapes = opt.shapes.split(',').map((s) => s.trim()).filter(Boolean);
const fileCount = Number(opt.files);
const fileBytes = Number(opt['file-bytes']);
const eventCount = Number(opt.events);
const rounds = Number(opt.rounds);
const cli = resolve(opt.cli);
for (const [name, n] of [['--files', fileCount], ['--file-bytes', fileBytes], ['--events', eventCount], ['--rounds', rounds]]) {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
}
if (shapes.some((s) => s !== 'files' && s !== 'events')) throw new Error(`--shapes takes 'files' and/or 'events', not '${opt.shapes}'`);
for (const tool of ['unzip', 'sha256sum', 'sync', '/usr/bin/time']) {
  if (runOk(tool)) continue;
  process.stderr.write(`bench: '${tool}' is missing; install it (apt-get install -y unzip coreutils time) and run again.\n`);
  process.exit(2);
}
const build = resolve(opt.build);
if (!existsSync(join(build, 'core/proofline.js')) || !existsSync(cli)) {
  process.stderr.write("bench: the core is not built; run 'npm run build:cli' first.\n");
  process.exit(2);
}

const work = join(here, '.work', 'verify-shapes');
const scratch = join(work, `tmp-${process.pid}`); // one per run: runs may overlap
mkdirSync(scratch, { recursive: true });
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

const results = {
  date: new Date().toISOString(),
  label: opt.label,
  cli,
  rounds,
  loadavgAtStart: loadavg(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.versions.node, unzip: toolVersion('unzip', ['-v'], /UnZip/), sha256sum: toolVersion('sha256sum') },
  shapes: {},
};
try {
  for (const shape of shapes) {
    const archive = await buildArchive(shape);
    results.shapes[shape] = await measure(shape, archive);
  }
  results.loadavgAtEnd = loadavg();
  const md = table(results);
  process.stdout.write(`${md}\n`);
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const name = `verify-shapes-${opt.label.replace(/[^\w.-]+/g, '_')}`;
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), `${md}\n`);
  log(`wrote bench/results/${name}.json and .md`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  if (!opt.keep && !opt.reuse) rmSync(work, { recursive: true, force: true });
}

// --- Archives --------------------------------------------------------------------------------

async function buildArchive(shape) {
  const dir = join(work, shape === 'files' ? `files-${fileCount}x${fileBytes}` : `events-${eventCount}`);
  const zip = join(dir, 'archive.zip');
  const extracted = join(dir, 'extracted');
  if (opt.reuse && existsSync(zip) && existsSync(join(extracted, 'manifest-sha256.txt'))) {
    log(`reusing ${zip}`);
    return { zip, extracted, ...JSON.parse(readFileSync(join(dir, 'shape.json'), 'utf8')) };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { openProofline } = await import(pathToFileURL(join(build, 'core/proofline.js')).href);
  const pl = openProofline({ dataDir: join(dir, 'store'), tsaUrls: [] });
  const started = performance.now();
  let summary;
  try {
    const { id } = await pl.sessions.create({ kind: 'creation', title: `verify bench: ${shape}` });
    if (shape === 'files') {
      const src = join(dir, 'src');
      mkdirSync(src);
      const paths = [];
      for (let i = 0; i < fileCount; i++) {
        // Random bytes behind a PNG signature are stored; text is deflated (write-bag.ts).
        const png = i % 2 === 0;
        const path = join(src, `${String(i).padStart(6, '0')}.${png ? 'png' : 'txt'}`);
        writeFileSync(path, png ? Buffer.concat([PNG_SIGNATURE, randomBytes(fileBytes - PNG_SIGNATURE.length)]) : words(fileBytes));
        paths.push(path);
      }
      log(`attaching ${fileCount} files of ${fileBytes} bytes`);
      for (let i = 0; i < paths.length; i += 500) await pl.sessions.attach(id, paths.slice(i, i + 500));
      rmSync(src, { recursive: true, force: true });
    } else {
      log(`appending ${eventCount.toLocaleString('en-US')} events`);
      const BATCH = 10_000;
      for (let appended = pl.events.count(id); appended < eventCount; ) {
        const n = Math.min(BATCH, eventCount - appended);
        pl.events.appendBatch(id, notes(appended, n));
        appended += n;
      }
    }
    log('sealing');
    await pl.sessions.seal(id);
    log('exporting');
    await pl.exportSession(id, { out: zip });
    summary = { files: shape === 'files' ? fileCount : 0, fileBytes: shape === 'files' ? fileBytes : 0, events: pl.events.count(id) };
  } finally {
    pl.close();
  }
  rmSync(join(dir, 'store'), { recursive: true, force: true });
  await runTimed('unzip', ['-q', zip, '-d', extracted], { scratch });
  writeFileSync(join(dir, 'shape.json'), `${JSON.stringify(summary)}\n`);
  log(`${shape}: archive built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { zip, extracted, ...summary };
}

function words(bytes) {
  let text = '';
  while (text.length < bytes) text += `${WORDS[randomInt(WORDS.length)]} `;
  return text.slice(0, bytes);
}

function notes(from, n) {
  return Array.from({ length: n }, (_, i) => ({
    type: 'note',
    payload: { text: `prompt ${from + i}: a cat crystal pendant, soft rim light, seed ${((from + i) * 2654435761) % 2 ** 31}, steps 30, cfg 7` },
  }));
}

// --- Timing ----------------------------------------------------------------------------------

async function measure(shape, archive) {
  let n = 0;
  const contenders = {
    verify: async () => {
      const r = await runTimed(process.execPath, [cli, 'verify', archive.zip], { scratch, allowFail: true });
      // 0 verified; 3 intact but not fully attested (no TSA here). Anything else is a failure.
      if (r.code !== 0 && r.code !== 3) throw new Error(`proofline verify exited ${r.code}:\n${r.stdout.slice(-3000)}${r.stderr.slice(-2000)}`);
      return { seconds: r.seconds, maxRssKb: r.maxRssKb };
    },
    unzipSha: async () => {
      const dir = join(scratch, `unzip-${n++}`);
      const script = 'unzip -q "$1" -d "$2" && cd "$2" && sha256sum -c --quiet --strict manifest-sha256.txt';
      const r = await runTimed('sh', ['-c', script, 'sh', archive.zip, dir], { scratch });
      rmSync(dir, { recursive: true, force: true });
      flushAll(); // the extraction's writeback must not land in the next contender's time
      return { seconds: r.seconds, maxRssKb: r.maxRssKb };
    },
  };
  if (shape === 'events') {
    contenders.sha256sum = async () => {
      const r = await runTimed('sha256sum', ['-c', '--quiet', '--strict', 'manifest-sha256.txt'], { cwd: archive.extracted, scratch });
      return { seconds: r.seconds, maxRssKb: r.maxRssKb };
    };
  }
  const names = Object.keys(contenders);
  log(`${shape}: warm-up (page cache)`);
  for (const name of names) await contenders[name]();
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    const figures = { loadavg: loadavg()[0] };
    for (const name of order) {
      flushAll();
      figures[name] = await contenders[name]();
    }
    figures.ratioUnzipSha = figures.verify.seconds / figures.unzipSha.seconds;
    if (figures.sha256sum) figures.ratioSha256sum = figures.verify.seconds / figures.sha256sum.seconds;
    log(`${shape} round ${round + 1}: ${names.map((k) => `${k} ${figures[k].seconds.toFixed(2)} s`).join(', ')}; ratio ${figures.ratioUnzipSha.toFixed(2)}×`);
    perRound.push(figures);
  }
  const spreadOf = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
  const summary = (key) => spreadOf(perRound.map((r) => r[key]));
  const seconds = (name) => spreadOf(perRound.map((r) => r[name].seconds));
  const peakRssKb = (name) => Math.max(...perRound.map((r) => r[name].maxRssKb ?? 0));
  return {
    archive: { bytes: fileSize(archive.zip), files: archive.files, fileBytes: archive.fileBytes, events: archive.events },
    seconds: Object.fromEntries(names.map((name) => [name, seconds(name)])),
    peakRssKb: Object.fromEntries(names.map((name) => [name, peakRssKb(name)])),
    ratioUnzipSha: summary('ratioUnzipSha'),
    ...(shape === 'events' && { ratioSha256sum: summary('ratioSha256sum') }),
    rounds: perRound,
  };
}

// --- Report ----------------------------------------------------------------------------------

function table(r) {
  const f = (x) => x.toFixed(2);
  const spread = (s) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
  const lines = [
    `# verify by archive shape — ${r.date} (${r.label})`,
    '',
    `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; load average at start ${r.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}. ` +
      `${r.rounds} rounds, contenders in rotating order, \`sync\` before each; whole processes on both sides. ` +
      'Seconds and ratios: median (min–max) over rounds; a ratio is ours / reference within one round.',
    '',
    '| shape | `proofline verify` s | peak RSS MB | reference | reference s | peak RSS MB | ratio |',
    '|---|--:|--:|---|--:|--:|--:|',
  ];
  const mb = (kb) => (kb / 1024).toFixed(0);
  for (const [shape, m] of Object.entries(r.shapes)) {
    const label = shape === 'files' ? `${m.archive.files.toLocaleString('en-US')} × ${m.archive.fileBytes} B files` : `${m.archive.events.toLocaleString('en-US')} events`;
    lines.push(`| ${label} | ${spread(m.seconds.verify)} | ${mb(m.peakRssKb.verify)} | \`unzip -q\` + \`sha256sum -c\` | ${spread(m.seconds.unzipSha)} | ${mb(m.peakRssKb.unzipSha)} | ${spread(m.ratioUnzipSha)}× |`);
    if (m.ratioSha256sum) lines.push(`| ${label} | ${spread(m.seconds.verify)} | ${mb(m.peakRssKb.verify)} | \`sha256sum -c\` (extracted) | ${spread(m.seconds.sha256sum)} | ${mb(m.peakRssKb.sha256sum)} | ${spread(m.ratioSha256sum)}× |`);
  }
  lines.push('', `Archives: ${Object.entries(r.shapes).map(([shape, m]) => `${shape} ${(m.archive.bytes / 1e6).toFixed(0)} MB`).join(', ')}. Load average at end: ${r.loadavgAtEnd.map((x) => x.toFixed(2)).join(' ')}.`);
  return lines.join('\n');
}

function fileSize(path) {
  return statSync(path).size;
}

/** Whether `tool` is a path that exists or a command on PATH. */
function runOk(tool) {
  return tool.includes('/') ? existsSync(tool) : (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, tool)));
}
