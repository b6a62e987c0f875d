import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proofline } from '../support/cli.js';
import { freshQueue, initTestVault, listTestVault, polledStatus, startWorker, until, type FleetWorker } from '../support/fleet.js';
import { freshBucket } from '../support/services.js';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

// When an engine is away (docs/FLEET.md): a worker started before Redis waits for it and then
// works; a vault that cannot be reached fails the attempt with its reason, keeps the sealed
// archive, and the job's next attempt pushes that archive instead of capturing the page again.

let root: string;
let site: TestSite;
let tsa: RunningTsa;
const children: ChildProcess[] = [];
const workers: FleetWorker[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-fleet-outage-'));
  [site, tsa] = await Promise.all([startTestSite(root), startTsa({ dir: root })]);
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all([site?.stop(), tsa?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('the fleet when an engine is away', () => {
  it('a worker started before Redis waits for it, then takes the jobs', async () => {
    const port = await freePort();
    const queue = `redis://127.0.0.1:${port}`;
    const bucket = freshBucket('fleet-redis');
    await initTestVault(bucket);
    const worker = startWorker(root, 'early-worker', { queue, vault: `s3://${bucket}`, tsaUrl: tsa.url });
    workers.push(worker);
    await until(async () => (/ECONNREFUSED.*\(waiting for it\)/.test(worker.stderr()) ? true : undefined), 30_000, `the worker saying it waits (${worker.stderr()})`);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(worker.child.exitCode, worker.stderr()).toBeNull();

    const redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', root], { stdio: 'ignore' });
    children.push(redis);
    const submitted = await until(async () => {
      const r = await proofline(['--data', join(root, 'submitter'), 'batch', 'submit', '--queue', queue, '--matter', 'late-redis', `${site.httpOrigin}/page/1`]);
      return r.code === 0 ? r.stdout.trim() : undefined;
    }, 20_000, 'Redis up');
    const done = await until(async () => {
      const s = await polledStatus(queue, submitted);
      return s.counts.completed === 1 ? s : undefined;
    }, 90_000, `the job done after Redis came (${worker.stderr()})`);
    expect(done.jobs[0]!.device).toBe(worker.device());
    worker.child.kill('SIGTERM');
    await worker.exited;
    redis.kill('SIGTERM');
  }, 180_000);

  it('an unreachable vault fails the attempt with its reason; the next attempt pushes the sealed archive instead of capturing again', async () => {
    const queue = await freshQueue(4);
    const bucket = freshBucket('fleet-vault-away');
    await initTestVault(bucket);
    const vault = `s3://${bucket}`;
    const url = `${site.httpOrigin}/page/9`;
    const submitted = await proofline(['--data', join(root, 'submitter'), 'batch', 'submit', '--queue', queue, '--matter', 'vault-away', '--attempts', '5', '--backoff', '4', url]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const submission = submitted.stdout.trim();

    // The same data folder twice: first with the vault's address wrong (nothing listens), then right.
    const away = startWorker(root, 'vault-worker', { queue, vault, tsaUrl: tsa.url, extra: ['--push-wait-seconds', '1'], env: { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' } });
    workers.push(away);
    const failedOnce = await until(async () => {
      const s = await polledStatus(queue, submission);
      return s.jobs[0]!.failedReason ? s.jobs[0]! : undefined;
    }, 90_000, `the first attempt failing (${away.stderr()})`);
    expect(failedOnce.failedReason).toMatch(/vault|127\.0\.0\.1:9/i);
    away.child.kill('SIGTERM');
    await away.exited;
    const firstSession = failedOnce.sessionId!;
    // The sealed archive is kept in the worker's data folder.
    expect(readdirSync(join(away.data, 'fleet', 'archives'))).toEqual([`${firstSession}.zip`]);

    const back = startWorker(root, 'vault-worker', { queue, vault, tsaUrl: tsa.url });
    workers.push(back);
    const done = await until(async () => {
      const s = await polledStatus(queue, submission);
      return s.counts.completed === 1 ? s : undefined;
    }, 90_000, `the job completed once the vault is back (${back.stderr()})`);
    // Completed with the first attempt's session: the page was not captured a second time.
    expect(done.jobs[0]!.sessionId).toBe(firstSession);
    expect(back.stderr()).toMatch(new RegExp(`pushing the archive of attempt 1 \\(session ${firstSession}\\), sealed before`));
    expect(back.stderr()).not.toMatch(/attempt 2, /);
    const listing = await listTestVault(bucket);
    expect(listing.archives.map((a) => [a.sessionId, a.outcome, a.job?.url])).toEqual([[firstSession, 'sealed', url]]);
    back.child.kill('SIGTERM');
    await back.exited;
  }, 240_000);
});
