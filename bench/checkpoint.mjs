// Checkpoint cost against session length. A checkpoint is taken every minute while events come
// (DESIGN.md, "Checkpoints"), so its cost must not grow with the session: CheckpointStore.create
// extends the RFC 9162 frontier stored with the previous checkpoint by the events since. The
// reference is what create did before: read every event again and rebuild the Merkle root from
// scratch. Imports the compiled core from build/ (run `npm run build:cli` first).
//
//   node bench/checkpoint.mjs [--sizes 1000,100000,1000000] [--repeats 5] [--keep]
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { median } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,100000,1000000' },
    repeats: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
});
const sizes = opt.sizes.split(',').map(Number);
const repeats = Number(opt.repeats);
if (!sizes.every((n) => Number.isSafeInteger(n) && n > 0) || !(repeats > 0)) {
  throw new Error('--sizes must be positive whole numbers separated by commas, --repeats a positive number');
}
if (!existsSync(join(here, '../build/core/store/event-chain.js'))) {
  process.stderr.write("bench: the core is not built; run 'npm run build:cli' first.\n");
  process.exit(2);
}
const { openProofline } = await import('../build/core/proofline.js');
const { leafHash, merkleRoot } = await import('../build/core/store/event-chain.js');

const BATCH = 10_000;
const work = join(here, '.work', `checkpoint-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

function notes(from, n) {
  return Array.from({ length: n }, (_, i) => ({
    type: 'note',
    payload: { text: `prompt ${from + i}: a cat crystal pendant, soft rim light, seed ${((from + i) * 2654435761) % 2 ** 31}, steps 30, cfg 7` },
  }));
}

function ms(fn) {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

async function measure(size) {
  const dataDir = join(work, String(size));
  const pl = openProofline({ dataDir, tsaUrls: [] });
  try {
    const device = await pl.device();
    const { id } = await pl.sessions.create({ kind: 'creation', title: `checkpoint bench ${size}` });
    let appended = pl.events.count(id);
    const fill = ms(() => {
      while (appended < size) {
        const n = Math.min(BATCH, size - appended);
        pl.events.appendBatch(id, notes(appended, n));
        appended += n;
      }
    });
    log(`${size} events appended in ${(fill.ms / 1000).toFixed(1)} s`);

    // No frontier stored yet at this size (as for a database from before migration 3): the
    // first checkpoint reads the session once. Shown for context, not part of the ratio.
    const first = ms(() => pl.checkpoints.create(id, 'anchor', device));
    const checkpointAfter = (k) => {
      const times = [];
      for (let r = 0; r < repeats; r++) {
        pl.events.appendBatch(id, notes(appended, k));
        appended += k;
        const taken = ms(() => pl.checkpoints.create(id, 'anchor', device));
        if (taken.value.statement.treeSize !== appended) throw new Error(`checkpoint covers ${taken.value.statement.treeSize} events, expected ${appended}`);
        times.push(taken.ms);
      }
      return median(times);
    };
    const after1 = checkpointAfter(1);
    const after100 = checkpointAfter(100);

    // The old create's work: every event read again, leaf-hashed, the root rebuilt from scratch.
    const latest = pl.checkpoints.latest(id).statement;
    const rebuilds = [];
    let leaves = [];
    for (let r = 0; r < repeats; r++) {
      const rebuilt = ms(() => {
        leaves = [];
        for (const event of pl.events.iterate(id)) leaves.push(leafHash(event.canonical));
        return merkleRoot(leaves);
      });
      if (rebuilt.value !== latest.merkleRoot) throw new Error(`full rebuild gives ${rebuilt.value}, the incremental checkpoint signed ${latest.merkleRoot}`);
      rebuilds.push(rebuilt.ms);
    }
    // merkleRoot alone over leaf hashes already in memory: the hashing floor of a rebuild.
    const rootOnly = [];
    for (let r = 0; r < repeats; r++) rootOnly.push(ms(() => merkleRoot(leaves)).ms);
    const row = {
      events: size,
      firstCheckpointMs: round(first.ms),
      checkpointAfter1Ms: round(after1),
      checkpointAfter100Ms: round(after100),
      fullRebuildMs: round(median(rebuilds)),
      merkleRootOnlyMs: round(median(rootOnly)),
    };
    row.ratio = round(row.fullRebuildMs / row.checkpointAfter100Ms, 0);
    log(JSON.stringify(row));
    return row;
  } finally {
    pl.close();
    if (!opt.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function table(rows) {
  const head = ['events', 'checkpoint ms (+1 event)', 'checkpoint ms (+100 events)', 'full rebuild ms', 'ratio', 'merkleRoot only ms', 'first checkpoint, no frontier ms'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---:').join('|')}|`];
  for (const r of rows) {
    lines.push(`| ${[r.events.toLocaleString('en-US'), r.checkpointAfter1Ms, r.checkpointAfter100Ms, r.fullRebuildMs, `${r.ratio}×`, r.merkleRootOnlyMs, r.firstCheckpointMs].join(' | ')} |`);
  }
  return lines.join('\n');
}

mkdirSync(work, { recursive: true });
try {
  const rows = [];
  for (const size of sizes) rows.push(await measure(size));
  const md = table(rows);
  console.log(md);
  console.log(`\nmedian of ${repeats}; ratio = full rebuild / checkpoint after 100 new events. A checkpoint includes its Ed25519 signature and an fsync'd commit (synchronous=FULL).`);
  const results = join(here, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'checkpoint.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, repeats, rows }, null, 2)}\n`);
} finally {
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
}
