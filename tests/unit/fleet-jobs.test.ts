import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { disclosureNote, describeFleetSession } from '../../src/core/fleet/disclosure.js';
import { jobIdFor, newSubmissionId, SUBMISSION_ID } from '../../src/core/fleet/fleet-jobs.js';
import { JobLedger } from '../../src/core/fleet/job-ledger.js';
import { publicQueueUrl, resolveQueueUrl } from '../../src/core/fleet/queue-connection.js';
import { formatStatus } from '../../src/host/commands/fleet.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('fleet job ids', () => {
  it('are the same for the same submission and URL, differ otherwise, and never hold the colon BullMQ refuses', () => {
    const a = jobIdFor('s1', 'https://example.com/a');
    expect(jobIdFor('s1', 'https://example.com/a')).toBe(a);
    expect(jobIdFor('s2', 'https://example.com/a')).not.toBe(a);
    expect(jobIdFor('s1', 'https://example.com/b')).not.toBe(a);
    expect(a).not.toContain(':');
    expect(jobIdFor('s1', `https://example.com/${'x'.repeat(8000)}`).length).toBeLessThan(100);
  });

  it('makes submission ids that sort by time and pass their own check', () => {
    const early = newSubmissionId(new Date('2026-01-02T03:04:05Z'));
    const late = newSubmissionId(new Date('2026-11-30T17:00:00Z'));
    expect(early < late).toBe(true);
    expect(SUBMISSION_ID.test(early)).toBe(true);
    expect(SUBMISSION_ID.test('a:b')).toBe(false);
  });
});

describe('the queue address', () => {
  it('is taken from the flag, then $PROOFLINE_QUEUE, then Settings, and never shows a password', () => {
    expect(resolveQueueUrl('redis://a:1', 'redis://c:3', { PROOFLINE_QUEUE: 'redis://b:2' })).toBe('redis://a:1');
    expect(resolveQueueUrl(undefined, 'redis://c:3', { PROOFLINE_QUEUE: 'redis://b:2' })).toBe('redis://b:2');
    expect(resolveQueueUrl(undefined, 'redis://c:3', {})).toBe('redis://c:3');
    expect(() => resolveQueueUrl(undefined, '', {})).toThrow(/No capture queue is set/);
    expect(() => resolveQueueUrl('http://x', '', {})).toThrow(/not a redis:\/\/HOST:PORT/);
    expect(publicQueueUrl('redis://:secret@host:6379/0')).toBe('redis://host:6379/0');
  });
});

describe('a retry\'s disclosure', () => {
  it('names every earlier attempt by device, worker and session', () => {
    const data = { submission: 's1', matter: 'm', url: 'https://example.com/', attempts: [] };
    const text = disclosureNote('s1-abc', data, 3, [
      { attempt: 1, device: 'dev1', sessionId: 'sess-1', worker: 'h1:10', startedAt: '2026-11-30T10:00:00Z' },
      { attempt: 2, device: 'dev2', sessionId: null, worker: 'h2:20', startedAt: '2026-11-30T10:01:00Z' },
    ]);
    expect(text).toContain('this is attempt 3 of job s1-abc');
    expect(text).toContain('attempt 1 by device dev1 (worker h1:10, started 2026-11-30T10:00:00Z) in session sess-1 did not complete the job');
    expect(text).toContain('attempt 2 by device dev2 (worker h2:20, started 2026-11-30T10:01:00Z) before its session was made did not complete the job');
    const afterFailure = disclosureNote('s1-abc', data, 2, [{ attempt: 1, device: 'dev1', sessionId: 'sess-1', worker: 'h1:10', startedAt: '2026-11-30T10:00:00Z', failed: { reason: 'refused: connection refused', archiveKey: 'matters/m/sess-1/a.zip' } }]);
    expect(afterFailure).toContain('attempt 1 by device dev1 (worker h1:10, started 2026-11-30T10:00:00Z) in session sess-1 failed (refused: connection refused); its session is in the vault at matters/m/sess-1/a.zip');
    expect(describeFleetSession('s1-abc', data, 1, 'dev1')).toBe('Captured by the Proofline capture fleet: job s1-abc, attempt 1, submission s1, matter m, URL https://example.com/, device dev1.');
  });
});

describe('the worker\'s ledger', () => {
  it('keeps what is owed to the vault until it is pushed, and replaces entries whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-ledger-'));
    dirs.push(dir);
    const ledger = new JobLedger(dir);
    const entry = ledger.write({ sessionId: 's1', jobId: 'j1', submission: 'sub', matter: 'm', url: 'https://e/', attempt: 1, state: 'capturing' });
    ledger.write({ sessionId: 's2', jobId: 'j2', submission: 'sub', matter: 'm', url: 'https://f/', attempt: 1, state: 'pushed', archiveKey: 'k' });
    expect(ledger.owed().map((e) => e.sessionId)).toEqual(['s1']);
    ledger.update(entry, { state: 'pushed', archiveKey: 'k1' });
    expect(ledger.owed()).toEqual([]);
    expect(readdirSync(join(dir, 'fleet', 'sessions'))).toEqual(['pushed']);
    expect(readdirSync(join(dir, 'fleet', 'sessions', 'pushed')).sort()).toEqual(['s1.json', 's2.json']);
    expect(ledger.archivePathOf('s1')).toBe(join(dir, 'fleet', 'archives', 's1.zip'));
  });
});

describe('batch status as printed', () => {
  it('gives counts per state and each URL with its attempts, session, vault key, interruptions and reason', () => {
    const text = formatStatus({
      submissions: [
        {
          submission: 'sub1',
          matter: 'm',
          submittedAt: '2026-11-30T10:00:00.000Z',
          counts: { waiting: 0, active: 0, completed: 1, failed: 1, delayed: 0, unknown: 0 },
          jobs: [
            { url: 'https://a/', state: 'completed', attempts: 2, failedReason: null, sessionId: 'sess2', device: 'abcdef0123456789ffff', archiveKey: 'matters/m/x.zip', interrupted: ['sess1'] },
            { url: 'https://b/', state: 'failed', attempts: 3, failedReason: 'refused: connection refused', sessionId: 'sess3', device: 'abcdef0123456789ffff', archiveKey: null, interrupted: [] },
          ],
        },
      ],
    });
    expect(text).toBe(
      'submission sub1 (matter m, submitted 2026-11-30T10:00:00.000Z): 1 completed, 1 failed\n'
        + '  completed https://a/  (attempts 2; session sess2; device abcdef0123456789; vault matters/m/x.zip; interrupted earlier: sess1)\n'
        + '  failed    https://b/  (attempts 3; session sess3; device abcdef0123456789; reason: refused: connection refused)\n',
    );
  });
});
