import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetSubmission } from '../../src/shared/views.js';
import { proofline } from '../support/cli.js';
import { cliStatus, freshQueue, initTestVault, listTestVault, polledStatus, queueOf, startWorker, until, type FleetWorker } from '../support/fleet.js';
import { freshBucket } from '../support/services.js';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

// Submitting to the fleet: a URL is queued once per submission (listed twice, written two ways,
// or submitted again under the same id), a submission belongs to one matter, an unreachable
// queue queues nothing and says so; a URL that never loads fails with its reason after its
// attempts, while the good one completes; SIGTERM stops a worker cleanly.

let root: string;
let site: TestSite;
let tsa: RunningTsa;
const workers: FleetWorker[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-fleet-submit-'));
  [site, tsa] = await Promise.all([startTestSite(root), startTsa({ dir: root })]);
});

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all([site?.stop(), tsa?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

const data = (): string => join(root, 'submitter');

describe('batch submit', () => {
  it('queues a URL once per submission, however often it is given, and keeps a submission to its matter', async () => {
    const queue = queueOf(2);
    const host = site.httpOrigin.replace('http://', '');
    // The same page three ways: twice as given, once without a scheme ("https://" is added: another URL).
    const first = await proofline(['--data', data(), 'batch', 'submit', '--queue', queue, '--matter', 'dup-case', '--json', `${site.httpOrigin}/page/1`, `${site.httpOrigin}/page/1`, `${host}/page/2`]);
    expect(first.code, first.stderr).toBe(0);
    const made = JSON.parse(first.stdout) as FleetSubmission;
    expect(made).toMatchObject({ matter: 'dup-case', queued: 2, duplicates: 1 });

    const again = await proofline(['--data', data(), 'batch', 'submit', '--queue', queue, '--matter', 'dup-case', '--submission', made.submission, `${site.httpOrigin}/page/1`, `${site.httpOrigin}/page/3`]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(made.submission);
    expect(again.stderr).toContain('1 URL(s) queued, 1 already queued');

    const status = await cliStatus(queue, data(), made.submission);
    expect(status.jobs.map((j) => j.url)).toEqual([`${site.httpOrigin}/page/1`, `https://${host}/page/2`, `${site.httpOrigin}/page/3`]);
    expect(status.counts.waiting).toBe(3);
    expect(status.jobs.every((j) => j.attempts === 0 && j.sessionId === null)).toBe(true);

    const otherMatter = await proofline(['--data', data(), 'batch', 'submit', '--queue', queue, '--matter', 'another', '--submission', made.submission, `${site.httpOrigin}/page/4`]);
    expect(otherMatter.code).toBe(1);
    expect(otherMatter.stderr).toMatch(/is for matter dup-case, not another/);

    const text = await proofline(['--data', data(), 'batch', 'status', made.submission, '--queue', queue]);
    expect(text.stdout).toMatch(new RegExp(`submission ${made.submission} \\(matter dup-case, submitted [^)]+\\): 3 waiting`));
  }, 60_000);

  it('says when the queue cannot be reached or none is set, and queues nothing', async () => {
    const down = await proofline(['--data', data(), 'batch', 'submit', '--queue', 'redis://127.0.0.1:1', '--matter', 'm', 'http://example.com/']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/capture queue redis:\/\/127\.0\.0\.1:1 cannot be reached \(.*ECONNREFUSED/);
    const none = await proofline(['--data', data(), 'batch', 'status'], { PROOFLINE_QUEUE: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/No capture queue is set: give --queue/);
    const unknown = await proofline(['--data', data(), 'batch', 'status', 'no-such-submission', '--queue', queueOf(2)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/holds no submission no-such-submission/);
  }, 60_000);
});

describe('a worker', () => {
  it('fails a URL that never loads with its reason after its attempts, completes the good one, and stops on SIGTERM', async () => {
    const queue = await freshQueue(3);
    const bucket = freshBucket('fleet-fail');
    const vault = `s3://${bucket}`;
    await initTestVault(bucket);
    const refused = await site.refusedUrl();
    const good = `${site.httpOrigin}/page/7`;
    const submitted = await proofline(['--data', data(), 'batch', 'submit', '--queue', queue, '--matter', 'fail-case', '--attempts', '2', '--backoff', '0.5', refused, good]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const submission = submitted.stdout.trim();

    const worker = startWorker(root, 'worker', { queue, vault, tsaUrl: tsa.url });
    workers.push(worker);
    const done = await until(async () => {
      const s = await polledStatus(queue, submission);
      return s.counts.completed + s.counts.failed === 2 ? s : undefined;
    }, 150_000, `both jobs done (${worker.stderr()})`);
    const failed = done.jobs.find((j) => j.url === refused)!;
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed.failedReason).toMatch(/was not captured \(refused: .*\); the attempt's session \S+ is in the vault at /);
    const completed = done.jobs.find((j) => j.url === good)!;
    expect(completed.state).toBe('completed');
    expect(completed.archiveKey).toMatch(/^.*fail-case\/.+\.zip$/);
    expect(completed.device).toBe(worker.device());

    // Each attempt's session is evidence too: the two failed ones are in the vault beside the good one.
    const listing = await listTestVault(bucket);
    expect(listing.archives.filter((a) => a.job?.url === refused).map((a) => a.job?.attempt).sort()).toEqual([1, 2]);
    expect(listing.devices.map((d) => d.keyId)).toContain(worker.device());

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toMatch(/stopping; jobs under way may finish/);
  }, 200_000);
});
