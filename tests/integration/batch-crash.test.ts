import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/shared/domain.js';
import { proofline, startProofline } from '../support/cli.js';
import { processRunning, storedEvents, waitFor } from '../support/recording.js';
import { startTestSite, type TestSite } from '../support/test-site.js';

// A batch capture killed half-way (kill -9 of the CLI, as a crash or a power cut would end it):
// the next process to open the session discloses the batch by name (which URLs were captured,
// which failed, which never were), the seal that follows gives an archive that verifies, and
// the verifier says what was not captured. Also: the verifier refuses a batch whose end hides
// a URL, and one with no end.

let root: string;
let site: TestSite;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-batch-crash-'));
  site = await startTestSite();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await site?.stop();
  rmSync(root, { recursive: true, force: true });
});

const byType = (events: readonly EventBody[], type: string): EventBody[] => events.filter((e) => e.type === type);

describe('a batch capture killed half-way', () => {
  it('is disclosed by name at the next start; the seal 0.2 s after the kill verifies and the verifier names what was not captured', async () => {
    const data = join(root, 'killed');
    const made = await proofline(['--data', data, 'session', 'new', '--kind', 'web', '--title', 'twenty slow pages']);
    expect(made.code, made.stderr).toBe(0);
    const id = made.stdout.trim();
    const urls = Array.from({ length: 20 }, (_, i) => `${site.httpOrigin}/slow/${i + 1}`);
    const list = join(root, 'urls.txt');
    writeFileSync(list, `${urls.join('\n')}\n`);

    const { child, exited, stderr } = startProofline(['--data', data, 'capture', id, '--file', list, '--no-env-check', '--concurrency', '1', '--retries', '0']);
    children.push(child);
    await waitFor(() => byType(storedEvents(data, id), 'web.capture').length >= 3, 90_000, `three pages captured (stderr: ${stderr()})`);
    child.kill('SIGKILL');
    await exited;
    expect(processRunning(child.pid!)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const before = storedEvents(data, id);
    const started = byType(before, 'web.capture.batch.started');
    expect(started).toHaveLength(1);
    expect(started[0]!.payload['urls']).toEqual(urls);
    expect(byType(before, 'web.capture.interrupted')).toHaveLength(0);
    const capturedBeforeKill = byType(before, 'web.capture').map((e) => e.payload['url']);

    // The seal from another process closes out the dead batch first.
    const sealed = await proofline(['--data', data, 'seal', id]);
    expect(sealed.code, sealed.stderr).toBe(0);
    const events = storedEvents(data, id);
    const [interrupted] = byType(events, 'web.capture.interrupted');
    expect(interrupted, 'the batch is disclosed').toBeDefined();
    const p = interrupted!.payload;
    expect(p['batch']).toBe(started[0]!.payload['batch']);
    expect(p['startedBy']).toMatchObject({ pid: child.pid });
    expect(p['capturedUrls']).toEqual(capturedBeforeKill);
    expect(p['failedUrls']).toEqual([]);
    const notCaptured = p['notCaptured'] as string[];
    expect([...(p['capturedUrls'] as string[]), ...notCaptured]).toEqual(urls);
    expect(notCaptured.length).toBeGreaterThanOrEqual(20 - capturedBeforeKill.length - 1);
    expect(notCaptured).toContain(`${site.httpOrigin}/slow/20`);
    // Before the seal, after the captures.
    expect(interrupted!.seq).toBeLessThan(byType(events, 'session.sealed')[0]!.seq);
    const listed = await proofline(['--data', data, 'session', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { id: string; interrupted: boolean }[]).find((s) => s.id === id)).toMatchObject({ interrupted: true });

    const zip = join(root, 'killed.zip');
    const exported = await proofline(['--data', data, 'export', id, '--out', zip]);
    expect(exported.code, exported.stderr).toBe(0);
    const verified = await proofline(['verify', zip, '--json']);
    expect([0, 3], verified.stdout + verified.stderr).toContain(verified.code);
    const report = JSON.parse(verified.stdout) as { checks: { id: string; status: string; detail: string }[] };
    const batches = report.checks.find((c) => c.id === 'web.batches')!;
    expect(batches.status).toBe('pass');
    expect(batches.detail).toMatch(new RegExp(`interrupted \\(its process ended\\) at event ${interrupted!.seq}: ${capturedBeforeKill.length} of 20 captured, ${notCaptured.length} not captured`));
    const text = await proofline(['verify', zip]);
    expect(text.stdout).toMatch(/Every URL of every batch capture accounted for/);
  }, 180_000);

  it('a batch that ran to the end is accounted for URL by URL, failures included', async () => {
    const data = join(root, 'whole');
    const made = await proofline(['--data', data, 'session', 'new', '--kind', 'web', '--title', 'a whole batch']);
    const id = made.stdout.trim();
    const refused = await site.refusedUrl();
    const captured = await proofline(['--data', data, 'capture', id, `${site.httpOrigin}/page/1`, refused, 'not a url at all', '--no-env-check', '--retries', '0', '--timeout', '10']);
    expect(captured.code).not.toBe(0); // two of three failed
    const events = storedEvents(data, id);
    const [ended] = byType(events, 'web.capture.batch.ended');
    expect(ended!.payload).toMatchObject({ outcome: 'finished', requested: 3, captured: 1, failed: 2, notCaptured: [] });
    for (const e of [...byType(events, 'web.capture'), ...byType(events, 'web.capture.failed')]) expect(e.payload['batch']).toBe(ended!.payload['batch']);
    expect((await proofline(['--data', data, 'seal', id])).code).toBe(0);
    const zip = join(root, 'whole.zip');
    expect((await proofline(['--data', data, 'export', id, '--out', zip])).code).toBe(0);
    const verified = await proofline(['verify', zip, '--json']);
    const report = JSON.parse(verified.stdout) as { checks: { id: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.id === 'web.batches')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^1 batch capture\(s\) of 3 URL\(s\), every URL accounted for$/) });
  }, 120_000);
});
