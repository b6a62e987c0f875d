// The capture fleet at scale on this machine (issue 15, "Honest about scale"): --urls loopback
// pages captured by 1, 2 and 4 `proofline worker` processes, each with its own data folder
// (device key), through Redis (BullMQ) into an Object Lock'd bucket of a one-node Ceph gateway,
// all started here by scripts/services.sh in a temporary folder. Per worker count:
//
// - pages per minute: from the submit to the last job completed (wall clock);
// - CPU seconds per page: the worker processes' own CPU and their children's (Chromium, reaped
//   when each job closes its browser), from /proc/PID/stat just before they stop, over the pages;
//   Redis and Ceph are not counted (they are the same for any client);
// - Redis per job: the worker's own queue calls (its attempt records, from each job's `timings`)
//   and BullMQ's hand-over between two jobs of one worker (one job's finishedOn to the next one's
//   processedOn while jobs waited: the completion and the fetch of the next);
// - vault push per job, and the other phases (session, environment check, capture, seal, export).
//
// Each worker runs the clean-environment check as in production, offline (--no-public-ip, each
// probe cut at --check-timeout ms). No TSA: nothing timed waits on the network (as bench/run.mjs).
// The 1-minute load average at each start is printed beside each row.
//
//   npm run build:cli && node bench/fleet.mjs [--urls 100] [--workers 1,2,4] [--check-timeout 800]
//     [--out bench/results/fleet.json]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    urls: { type: 'string', default: '100' },
    workers: { type: 'string', default: '1,2,4' },
    'check-timeout': { type: 'string', default: '800' },
    build: { type: 'string', default: join(here, '../build') },
    out: { type: 'string', default: join(here, 'results', 'fleet.json') },
  },
});
const urlCount = Number(opt.urls);
const levels = opt.workers.split(',').map(Number);
if (!(Number.isInteger(urlCount) && urlCount > 0) || !levels.every((n) => Number.isInteger(n) && n > 0)) throw new Error('--urls must be a whole number, --workers whole numbers separated by commas');
const build = resolve(opt.build);
const load = (path) => import(pathToFileURL(join(build, path)).href);
const CLI = join(here, '../bin/proofline');
const SERVICES = join(here, '../scripts/services.sh');
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** utime+stime+cutime+cstime of a live process, in seconds (proc(5): fields 14–17). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / CLK_TCK;
}

/** Small pages with a stylesheet and an image, as a catalogue page is, on loopback. */
function startSite() {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4f60000000049454e44ae426082', 'hex');
  const server = createServer((req, res) => {
    if (req.url === '/img.png') return res.writeHead(200, { 'content-type': 'image/png' }), res.end(png);
    if (req.url === '/style.css') return res.writeHead(200, { 'content-type': 'text/css' }), res.end('body{font-family:sans-serif}');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>${req.url}</title><link rel="stylesheet" href="/style.css"></head><body><h1>Item ${req.url}</h1><p>${'An offer for a copied product. '.repeat(60)}</p><img src="/img.png" alt=""></body></html>`);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ origin: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) })));
}

function startWorker(dir, name, env, queue, vault) {
  const data = join(dir, name);
  const child = spawn(process.execPath, [CLI, '--data', data, 'worker', '--queue', queue, '--vault', vault, '--no-public-ip', '--check-timeout', opt['check-timeout'], '--retries', '0'], { env: { ...process.env, ...env, PROOFLINE_TSA_URLS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('exit', r));
  return { child, exited, ready: () => /taking jobs/.test(stderr), stderr: () => stderr };
}

async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

const dir = mkdtempSync(join(tmpdir(), 'proofline-bench-fleet-'));
const servicesDir = join(dir, 'services');
mkdirSync(servicesDir);
log('starting Redis and the Ceph gateway');
execFileSync(SERVICES, ['start', servicesDir], { stdio: ['ignore', 'ignore', 'inherit'] });
const env = Object.fromEntries(readFileSync(join(servicesDir, 'env'), 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
Object.assign(process.env, env);
const site = await startSite();
const [{ openVault, initVault }, { settingsSchema }, { fleetStatus }, { Queue }] = await Promise.all([load('core/vault/vault.js'), load('shared/contract.js'), load('core/fleet/status.js'), import('bullmq')]);
const rows = [];
try {
  for (const [round, workers] of levels.entries()) {
    const queue = `${env.PROOFLINE_TEST_QUEUE}/${round + 1}`;
    const bucket = `bench-fleet-${Date.now().toString(36)}-${workers}`;
    await initVault(await openVault(settingsSchema.parse({}).vault, `s3://${bucket}`), { retentionDays: 1, mode: 'COMPLIANCE' });
    const running = Array.from({ length: workers }, (_, i) => startWorker(dir, `w${workers}-${i}`, env, queue, `s3://${bucket}`));
    await until(() => running.every((w) => w.ready()), 60_000, 'workers ready');
    const load1 = loadavg()[0];
    const cpuBefore = running.map((w) => cpuSeconds(w.child.pid));
    const urls = Array.from({ length: urlCount }, (_, i) => `${site.origin}/item/${round}-${i}`);
    writeFileSync(join(dir, 'urls.txt'), urls.join('\n'));
    const started = Date.now();
    const submission = execFileSync(process.execPath, [CLI, '--data', join(dir, 'submitter'), 'batch', 'submit', '--queue', queue, '--matter', 'bench', '--file', join(dir, 'urls.txt')], { env: { ...process.env, PROOFLINE_TSA_URLS: '' } }).toString().trim();
    log(`${workers} worker(s): ${urlCount} URLs submitted as ${submission}`);
    const done = await until(async () => {
      const s = (await fleetStatus(queue, submission)).submissions[0];
      return s.counts.completed + s.counts.failed === urlCount ? s : undefined;
    }, 3_600_000, 'all jobs done');
    const seconds = (Date.now() - started) / 1000;
    const cpu = running.reduce((sum, w, i) => sum + cpuSeconds(w.child.pid) - cpuBefore[i], 0);
    for (const w of running) w.child.kill('SIGTERM');
    await Promise.all(running.map((w) => w.exited));

    const q = new Queue('proofline-capture', { connection: { url: queue } });
    const jobs = (await q.getJobs(['completed'], 0, -1)).filter((j) => j.data.submission === submission);
    await q.close();
    const phase = (name) => jobs.map((j) => j.returnvalue?.timings?.[name] ?? 0);
    // BullMQ's hand-over: per worker (job.processedBy is its name; by device otherwise), the gap
    // from one job's end to the next one's start.
    const byWorker = new Map();
    for (const j of jobs) byWorker.set(j.returnvalue.device, [...(byWorker.get(j.returnvalue.device) ?? []), j]);
    const gaps = [...byWorker.values()].flatMap((list) => {
      const sorted = list.sort((a, b) => a.processedOn - b.processedOn);
      return sorted.slice(1).map((j, i) => j.processedOn - sorted[i].finishedOn).filter((g) => g >= 0 && g < 5_000);
    });
    const row = {
      workers,
      urls: urlCount,
      completed: done.counts.completed,
      failed: done.counts.failed,
      seconds: Math.round(seconds * 10) / 10,
      pagesPerMinute: Math.round((done.counts.completed / seconds) * 60 * 10) / 10,
      cpuSecondsPerPage: Math.round((cpu / Math.max(1, done.counts.completed)) * 100) / 100,
      redisMsPerJob: { attemptRecords: Math.round(mean(phase('queue'))), handOver: Math.round(median(gaps)) },
      pushMsPerJob: { median: Math.round(median(phase('push'))), mean: Math.round(mean(phase('push'))) },
      phasesMedianMs: Object.fromEntries(['session', 'check', 'capture', 'seal', 'export', 'push'].map((p) => [p, Math.round(median(phase(p)))])),
      load1: Math.round(load1 * 100) / 100,
    };
    rows.push(row);
    log(JSON.stringify(row));
  }
} finally {
  await site.stop();
  execFileSync(SERVICES, ['stop', servicesDir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
mkdirSync(dirname(opt.out), { recursive: true });
writeFileSync(opt.out, `${JSON.stringify({ when: new Date().toISOString(), cores: (await import('node:os')).cpus().length, rows }, null, 2)}\n`);
console.log('| workers | pages | s | pages/min | CPU s/page | Redis ms/job (records + hand-over) | push ms/job (median) | check / capture / seal / export ms (median) | load1 |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.workers} | ${r.completed}/${r.urls} | ${r.seconds} | ${r.pagesPerMinute} | ${r.cpuSecondsPerPage} | ${r.redisMsPerJob.attemptRecords} + ${r.redisMsPerJob.handOver} | ${r.pushMsPerJob.median} | ${r.phasesMedianMs.check} / ${r.phasesMedianMs.capture} / ${r.phasesMedianMs.seal} / ${r.phasesMedianMs.export} | ${r.load1} |`);
