// Folder-watch ingest: how fast images dropped into a watched output folder become events.
// N small PNGs carrying A1111 `parameters` are written at once; the clock runs from the first
// write to the last `generation.image` appended (hash + copy + fsync into the blob store, PNG
// metadata parsed from the stored copy, one chained event each). Reference: `sha256sum` over the
// same files (hashing alone, what a user would otherwise run to fix their outputs), and `cp -r` +
// `sync` (copying them somewhere safe). Imports the compiled core from build/.
//
//   node bench/ingest.mjs [--images 500] [--stability-ms 300] [--keep]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { PNG } from 'pngjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({ options: { images: { type: 'string', default: '500' }, 'stability-ms': { type: 'string', default: '300' }, keep: { type: 'boolean', default: false } } });
const count = Number(opt.images);
const stabilityMs = Number(opt['stability-ms']);
if (!(count > 0) || !(stabilityMs >= 0)) throw new Error('--images must be positive and --stability-ms not negative');
if (!existsSync(join(here, '../build/core/capture/creation/folder-watch.js'))) {
  process.stderr.write("bench: the core is not built; run 'npm run build:cli' first.\n");
  process.exit(2);
}
const { openProofline } = await import('../build/core/proofline.js');
const { watchFolders } = await import('../build/core/capture/creation/folder-watch.js');

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function a1111Png(i) {
  const png = new PNG({ width: 64, height: 64 });
  for (let p = 0; p < 64 * 64; p++) png.data.writeUInt32BE(((p * 2654435761) ^ (i * 40503)) >>> 0, p * 4);
  const encoded = PNG.sync.write(png);
  const text = `a lighthouse at dusk, study ${i}\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: ${1000 + i}, Size: 512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly`;
  return Buffer.concat([encoded.subarray(0, 33), chunk('tEXt', Buffer.from(`parameters\0${text}`, 'latin1')), encoded.subarray(33)]);
}

const work = mkdtempSync(join(tmpdir(), 'proofline-bench-ingest-'));
const out = join(work, 'outputs');
mkdirSync(out);
const log = (...a) => console.error(`[ingest ${new Date().toISOString().slice(11, 19)}]`, ...a);
try {
  const files = Array.from({ length: count }, (_, i) => a1111Png(i));
  const bytes = files.reduce((n, f) => n + f.length, 0);
  const pl = openProofline({ dataDir: join(work, 'data'), tsaUrls: [] });
  const session = await pl.sessions.create({ kind: 'creation', title: 'ingest bench' });
  let lastEventAt = 0;
  let seen = 0;
  let done;
  const all = new Promise((resolve) => (done = resolve));
  const watch = await watchFolders(pl, session.id, {
    folders: [out],
    stabilityMs,
    onNotice: (n) => {
      if (n.eventSeq === undefined || !/seed/.test(n.message)) return;
      lastEventAt = performance.now();
      if (++seen === count) done();
    },
  });
  await watch.ready;
  log(`writing ${count} PNGs (${(bytes / 1e6).toFixed(1)} MB) into a watched folder`);
  const t0 = performance.now();
  files.forEach((f, i) => writeFileSync(join(out, `${String(i).padStart(5, '0')}-${1000 + i}.png`), f));
  const written = performance.now();
  await all;
  const seconds = (lastEventAt - t0) / 1000;
  await watch.stop();
  const stats = watch.stats();
  pl.close();

  const names = files.map((_, i) => `${String(i).padStart(5, '0')}-${1000 + i}.png`);
  const timeIt = (cmd, args, cwd) => {
    const s = performance.now();
    execFileSync(cmd, args, { cwd, stdio: 'ignore' });
    return (performance.now() - s) / 1000;
  };
  const sha = timeIt('sha256sum', names, out);
  const cp = timeIt('sh', ['-c', `cp -r outputs copy && sync`], work);
  const result = {
    images: count,
    megabytes: Number((bytes / 1e6).toFixed(2)),
    cpus: cpus().length,
    stabilityMs,
    writeSeconds: Number(((written - t0) / 1000).toFixed(3)),
    ingestSeconds: Number(seconds.toFixed(3)),
    imagesPerSecond: Number((count / seconds).toFixed(1)),
    imagesPerSecondExcludingStability: Number((count / Math.max(0.001, seconds - stabilityMs / 1000)).toFixed(1)),
    recorded: stats,
    reference: { sha256sumSeconds: Number(sha.toFixed(3)), cpSyncSeconds: Number(cp.toFixed(3)) },
    ratioVsSha256sum: Number((seconds / sha).toFixed(1)),
    ratioVsCpSync: Number((seconds / cp).toFixed(1)),
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'ingest-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
