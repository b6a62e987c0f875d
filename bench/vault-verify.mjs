// `proofline verify s3://BUCKET/KEY` against `proofline verify FILE` on the same archive (issue 15:
// "within 1.5× of verifying the same file on disk, with memory bounded"). The archive is read in
// place from a one-node Ceph gateway on loopback (scripts/services.sh, started here in a temporary
// folder), with ranged GETs (src/core/vault/s3-byte-source.ts), never downloaded.
//
// The archive: a sealed session (no TSA) of incompressible 256 MB ".mp4" segments (stored, as
// recordings are), --size-mb in all, exported by the real core (build/), uploaded once (a plain
// bucket: Object Lock changes nothing of a read). Then a warm-up of each side (page cache; the
// gateway's memstore holds the object in RAM), and --repeats rounds of each, in rotating
// order; the ratio is taken within each round (S3 / disk), reported as median (min–max). Whole
// processes, timed from the outside; peak RSS from GNU time. The 1-minute load average is noted.
// Both read-aheads of s3-byte-source.ts are timed: one streaming GET (the default) and AHEAD
// ranged GETs in flight (PROOFLINE_S3_READAHEAD=parallel).
//
//   npm run build:cli && node bench/vault-verify.mjs [--size-mb 1024] [--repeats 3] [--keep]
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median, runTimed } from './lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    repeats: { type: 'string', default: '3' },
    build: { type: 'string', default: join(here, '../build') },
    keep: { type: 'boolean', default: false },
    // Time only the default streaming read-ahead (a quicker run while trying settings).
    'no-parallel': { type: 'boolean', default: false },
    // Another copy of scripts/services.sh (e.g. with other ceph.conf settings), to compare test beds.
    services: { type: 'string', default: join(here, '../scripts/services.sh') },
  },
});
const sizeMb = Number(opt['size-mb']);
const repeats = Number(opt.repeats);
for (const [name, n] of [['--size-mb', sizeMb], ['--repeats', repeats]]) {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
}
const build = resolve(opt.build);
const cli = join(here, '../bin/proofline');
if (!existsSync(join(build, 'core/proofline.js'))) {
  process.stderr.write("bench: the core is not built; run 'npm run build:cli' first.\n");
  process.exit(2);
}
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const SERVICES = resolve(opt.services);
const work = mkdtempSync(join(tmpdir(), 'proofline-vault-verify-'));
const servicesDir = join(work, 'services');
const scratch = join(work, 'scratch');
mkdirSync(scratch);

let started = false;
try {
  log('starting Redis and the Ceph gateway');
  execFileSync(SERVICES, ['start', servicesDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  started = true;
  const s3Env = Object.fromEntries(readFileSync(join(servicesDir, 'env'), 'utf8').split('\n').filter((l) => /^AWS_/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const archive = await makeArchive(join(work, 'archive'));
  const bytes = statSync(archive).size;
  const bucket = 'vault-verify-bench';
  const key = 'matters/bench/archive.zip';
  log(`uploading ${(bytes / 1e6).toFixed(0)} MB`);
  await upload(s3Env, bucket, key, archive);
  const env = { ...process.env, ...s3Env, PROOFLINE_DATA: join(work, 'data') };
  const contenders = {
    disk: () => verify(archive, env),
    s3: () => verify(`s3://${bucket}/${key}`, env),
    // The other read-ahead (s3-byte-source.ts): AHEAD ranged GETs in flight instead of one stream.
    s3parallel: () => verify(`s3://${bucket}/${key}`, { ...env, PROOFLINE_S3_READAHEAD: 'parallel' }),
  };
  if (opt['no-parallel']) delete contenders.s3parallel;
  log('warm-up');
  for (const run of Object.values(contenders)) await run();
  const rounds = [];
  for (let round = 0; round < repeats; round++) {
    const names = Object.keys(contenders);
    const order = names.map((_, i) => names[(i + round) % names.length]);
    const figures = { loadavg: loadavg()[0] };
    for (const name of order) figures[name] = await contenders[name]();
    figures.ratio = figures.s3.seconds / figures.disk.seconds;
    log(`  cpu s: disk client ${figures.disk.clientCpu.toFixed(2)}; s3 client ${figures.s3.clientCpu.toFixed(2)}, gateway ${figures.s3.gatewayCpu.toFixed(2)}`);
    figures.ratioParallel = figures.s3parallel ? figures.s3parallel.seconds / figures.disk.seconds : NaN;
    log(`round ${round + 1}: disk ${figures.disk.seconds.toFixed(2)} s, s3 ${figures.s3.seconds.toFixed(2)} s (${figures.ratio.toFixed(2)}×), s3 parallel ${figures.s3parallel?.seconds.toFixed(2) ?? '-'} s (${figures.ratioParallel.toFixed(2)}×) (load ${figures.loadavg.toFixed(2)})`);
    rounds.push(figures);
  }
  const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
  const results = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.versions.node },
    archiveBytes: bytes,
    seconds: Object.fromEntries(Object.keys(contenders).map((n) => [n, spread(rounds.map((r) => r[n].seconds))])),
    peakRssKb: Object.fromEntries(Object.keys(contenders).map((n) => [n, Math.max(...rounds.map((r) => r[n].maxRssKb ?? 0))])),
    ratio: spread(rounds.map((r) => r.ratio)),
    cpuSeconds: Object.fromEntries(Object.keys(contenders).map((n) => [n, { client: median(rounds.map((r) => r[n].clientCpu)), gateway: median(rounds.map((r) => r[n].gatewayCpu)) }])),
    ...(contenders.s3parallel && { ratioParallel: spread(rounds.map((r) => r.ratioParallel)) }),
    rounds,
  };
  const md = table(results);
  process.stdout.write(`${md}\n`);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'vault-verify.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'vault-verify.md'), `${md}\n`);
  log('wrote bench/results/vault-verify.json and .md');
} finally {
  if (started) execFileSync(SERVICES, ['stop', servicesDir], { stdio: 'ignore' });
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}

async function verify(target, env) {
  const before = cpuSeconds();
  const r = await runTimed(process.execPath, [cli, 'verify', target], { scratch, env, allowFail: true });
  const after = cpuSeconds();
  // 3: intact but not attested in time (no TSA here); anything else is a failure of the bench.
  if (r.code !== 3) throw new Error(`proofline verify ${target} exited ${r.code}:\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  // CPU seconds (user + system) are what the two cores share, and depend far less than wall time
  // on what else the machine runs: the client's (every reaped child of this bench) and the
  // gateway's (radosgw + ceph-osd) while it ran.
  return { seconds: r.seconds, maxRssKb: r.maxRssKb, clientCpu: after.client - before.client, gatewayCpu: after.gateway - before.gateway };
}

/** CPU seconds so far of this bench's reaped children (/proc/self/stat cutime + cstime) and of the gateway's daemons. */
function cpuSeconds() {
  const ticks = (file) => {
    try {
      const fields = readFileSync(file, 'utf8').split(') ').pop().split(' ');
      return fields;
    } catch {
      return undefined;
    }
  };
  const self = ticks('/proc/self/stat');
  // Fields after "comm) ": state is [0], utime [11], stime [12], cutime [13], cstime [14].
  const client = self ? (Number(self[13]) + Number(self[14])) / 100 : NaN;
  let gateway = 0;
  for (const name of ['client.rgw.a', 'osd.0']) {
    const pidFile = join(servicesDir, 'run', `${name}.pid`);
    const f = existsSync(pidFile) ? ticks(`/proc/${readFileSync(pidFile, 'utf8').trim()}/stat`) : undefined;
    gateway += f ? (Number(f[11]) + Number(f[12])) / 100 : NaN;
  }
  return { client, gateway };
}

/** A sealed session of 256 MB segments of random bytes (the last one shorter), exported. */
async function makeArchive(dir) {
  mkdirSync(dir, { recursive: true });
  const { openProofline } = await import(pathToFileURL(join(build, 'core/proofline.js')).href);
  const pl = openProofline({ dataDir: join(dir, 'store'), tsaUrls: [] });
  const out = join(dir, 'archive.zip');
  try {
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'vault verify bench' });
    const block = Buffer.allocUnsafe(16 << 20);
    for (let i = 0, left = sizeMb << 20; left > 0; i++) {
      const size = Math.min(left, 256 << 20);
      const file = join(dir, `segment-${String(i).padStart(3, '0')}.mp4`);
      const fd = openSync(file, 'wx');
      for (let done = 0; done < size; done += block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, size - done));
      closeSync(fd);
      await pl.sessions.attach(id, [file]);
      rmSync(file);
      left -= size;
    }
    for (let i = 0; i < 20; i++) await pl.sessions.note(id, `note ${i}: the client approved draft ${i}`);
    log('sealing and exporting');
    await pl.sessions.seal(id);
    await pl.exportSession(id, { out });
  } finally {
    pl.close();
  }
  rmSync(join(dir, 'store'), { recursive: true, force: true });
  return out;
}

async function upload(env, bucket, key, file) {
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const client = new S3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: statSync(file).size }, partSize: 16 << 20, queueSize: 4 }).done();
  client.destroy();
}

function table(r) {
  const f = (x) => x.toFixed(2);
  const s = (x) => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;
  const mbps = (sec) => (r.archiveBytes / 1e6 / sec).toFixed(0);
  return [
    `# verify from the vault (S3 ranged reads) vs from disk — ${r.date}`,
    '',
    `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; archive ${(r.archiveBytes / 1e6).toFixed(0)} MB; one-node Ceph 16 gateway (memstore) on loopback; ` +
      `${r.rounds.length} rounds, rotating order; load average per round ${r.rounds.map((x) => x.loadavg.toFixed(2)).join(', ')}. Median (min–max).`,
    '',
    '| `proofline verify` | seconds | MB/s | peak RSS MB |',
    '|---|--:|--:|--:|',
    `| FILE (disk) | ${s(r.seconds.disk)} | ${mbps(r.seconds.disk.median)} | ${(r.peakRssKb.disk / 1024).toFixed(0)} |`,
    `| s3://BUCKET/KEY (one streaming GET, the default) | ${s(r.seconds.s3)} | ${mbps(r.seconds.s3.median)} | ${(r.peakRssKb.s3 / 1024).toFixed(0)} |`,
    ...(r.seconds.s3parallel ? [`| s3://BUCKET/KEY (4 × 8 MiB ranged GETs in flight) | ${s(r.seconds.s3parallel)} | ${mbps(r.seconds.s3parallel.median)} | ${(r.peakRssKb.s3parallel / 1024).toFixed(0)} |`] : []),
    '',
    `CPU seconds (median; user + system): disk client ${f(r.cpuSeconds.disk.client)}; S3 client ${f(r.cpuSeconds.s3.client)} + gateway (radosgw + ceph-osd) ${f(r.cpuSeconds.s3.gateway)}.`,
    '',
    `Ratio S3 / disk (per round): **${s(r.ratio)}×** with the streaming GET${r.ratioParallel ? `, ${s(r.ratioParallel)}× with parallel ranged GETs` : ''} (target ≤ 1.5).`,
  ].join('\n');
}
