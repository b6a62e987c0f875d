import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/archive/verify-archive.js';
import { openProofline } from '../../src/core/proofline.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let root: string;
let up: RunningTsa;
let flaky: RunningTsa;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-queue-'));
  [up, flaky] = await Promise.all([startTsa({ name: 'Up' }), startTsa({ name: 'Flaky', keyType: 'ec' })]);
});

afterAll(async () => {
  await Promise.all([up?.stop(), flaky?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('the timestamp queue', () => {
  it('never blocks on a dead TSA: the request waits, the delay is recorded, and the token arrives later', async () => {
    let clock = Date.parse('2026-11-21T10:00:00Z');
    const now = () => new Date(clock);
    flaky.setDown(true);
    const pl = openProofline({ dataDir: join(root, 'a'), tsaUrls: [up.url, flaky.url], now });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'queue' });
      const rows = pl.timestamps.list(session.id);
      expect(rows.map((r) => [r.tsaUrl, r.state])).toEqual([[up.url, 'obtained'], [flaky.url, 'pending']]);
      const deferred = [...pl.events.iterate(session.id)].find((e) => e.body.type === 'timestamp.deferred')!;
      expect(deferred.body.payload).toMatchObject({ tsa: flaky.url, subject: 'checkpoint:000000', willRetry: true });
      expect(String(deferred.body.payload['error'])).toContain(flaky.url);

      // Before the backoff has passed, nothing is retried.
      expect((await pl.timestamps.drain()).obtained).toBe(0);
      flaky.setDown(false);
      clock += 11 * 60_000;
      const report = await pl.timestamps.drain();
      expect(report.obtained).toBe(1);
      const obtained = [...pl.events.iterate(session.id)].filter((e) => e.body.type === 'timestamp.obtained');
      const late = obtained.find((e) => e.body.payload['tsa'] === flaky.url)!;
      expect(late.body.payload['delaySeconds']).toBe(660);
      expect(late.body.payload['attempts']).toBe(2);
    } finally {
      pl.close();
    }
  });

  it('seals without a TSA, then takes the seal timestamp later and the archive becomes fully attested', async () => {
    up.setDown(true);
    const pl = openProofline({ dataDir: join(root, 'b'), tsaUrls: [up.url], tsaTimeoutMs: 3000 });
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'offline seal' });
      const sealed = await pl.sessions.seal(session.id);
      expect(sealed.session.state).toBe('sealed');
      expect(sealed.sealTimestamps.pending).toBe(1);
      const offline = join(root, 'offline.zip');
      await pl.exportSession(session.id, { out: offline });
      const before = await verifyArchive(offline, { trustedRoots: [up.caPem] });
      expect(before.exitCode).toBe(3);
      const sealedEvent = [...pl.events.iterate(session.id)].at(-1)!;
      expect(sealedEvent.body.type).toBe('session.sealed');
      expect(JSON.stringify(sealedEvent.body.payload['pendingTimestamps'])).toContain('checkpoint:000000');

      up.setDown(false);
      const retried = await pl.sessions.seal(session.id);
      expect(retried.sealTimestamps.obtained).toBe(1);
      expect(retried.tagManifestSha256).toBe(sealed.tagManifestSha256);
      const online = join(root, 'online.zip');
      await pl.exportSession(session.id, { out: online });
      const after = await verifyArchive(online, { trustedRoots: [up.caPem] });
      // The checkpoint token that never came is disclosed, so the archive is intact but not fully attested.
      expect(after.checks.find((c) => c.id === 'seal.timestamp')!.status).toBe('pass');
      expect(after.checks.find((c) => c.id === 'timestamps.checkpoints')!.status).toBe('warn');
    } finally {
      up.setDown(false);
      pl.close();
    }
  });

  it('anchors events within the interval: one checkpoint for a batch, none when nothing changed', async () => {
    // The TSA's clock is real: start the simulated session 17 minutes ago so it ends about now.
    let clock = Date.now() - 17 * 60_000;
    const pl = openProofline({ dataDir: join(root, 'c'), tsaUrls: [up.url], now: () => new Date(clock), anchorSeconds: 60 });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'interval' });
      expect(pl.checkpoints.list(session.id)).toHaveLength(1);
      clock += 60_000;
      await pl.sessions.note(session.id, 'one minute in');
      clock += 20_000;
      await pl.sessions.note(session.id, '20 s later: the first note is not yet due');
      expect(pl.checkpoints.list(session.id)).toHaveLength(1);
      clock += 40_000;
      // The first note is now 60 s old: one checkpoint covers both notes.
      await pl.sessions.note(session.id, 'a third');
      const list = pl.checkpoints.list(session.id);
      expect(list.map((c) => c.statement.reason)).toEqual(['start', 'anchor']);
      expect(list[1]!.statement.treeSize).toBe(pl.events.count(session.id));
      clock += 10 * 60_000;
      await pl.sessions.checkpointIfDue(session.id);
      const unchanged = await pl.sessions.checkpointIfDue(session.id);
      expect(unchanged).toBeUndefined();
      expect(pl.checkpoints.list(session.id)).toHaveLength(2);
      const sealed = await pl.sessions.seal(session.id);
      expect(sealed.checkpoint.statement.reason).toBe('seal');
      expect(sealed.sealCheckpointTokens).toBe(1);
      const out = join(root, 'interval.zip');
      await pl.exportSession(session.id, { out });
      // The simulated clock ran the session over 17 minutes with every event anchored in time.
      const report = await verifyArchive(out, { trustedRoots: [up.caPem] });
      expect(report.exitCode).toBe(3);
      // ...but the TSA's clock is real: the events "recorded" 17 minutes ago were only proven now.
      expect(report.anchoring!.late.length).toBeGreaterThan(0);
    } finally {
      pl.close();
    }
  });

  it('in a long-running host, takes due checkpoints and retries the queue on its own timer', async () => {
    flaky.setDown(true);
    // A 5 s interval, so the timer ticks quickly; nothing else calls drain() here.
    const pl = openProofline({ dataDir: join(root, 'd'), tsaUrls: [flaky.url], anchorSeconds: 5, tsaTimeoutMs: 2000 });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'timer' });
      expect(pl.timestamps.list(session.id)[0]!.state).toBe('pending');
      pl.startTimers();
      pl.events.append(session.id, { type: 'note', payload: { text: 'written by a capture source' } });
      const deadline = Date.now() + 15_000;
      while (pl.checkpoints.list(session.id).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(pl.checkpoints.list(session.id).map((c) => c.statement.reason)).toEqual(['start', 'anchor']);
      // Not before most of the interval has passed (batched), and about when it ends.
      const note = [...pl.events.iterate(session.id)].find((e) => e.body.type === 'note')!;
      const waited = Date.parse(pl.checkpoints.list(session.id)[1]!.statement.time) - Date.parse(note.body.time);
      expect(waited).toBeGreaterThanOrEqual(4_000);
      expect(waited).toBeLessThan(5_000 + 3_000);
      flaky.setDown(false);
      // The first retry waits out a 10 s backoff; the timer must get there by itself.
      const later = Date.now() + 20_000;
      while (pl.timestamps.list(session.id).some((t) => t.subject === 'checkpoint:000000' && t.state === 'pending') && Date.now() < later) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(pl.timestamps.list(session.id, 'checkpoint:000000')[0]!.state).toBe('obtained');
    } finally {
      flaky.setDown(false);
      pl.close();
    }
  });
});
