import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/archive/verify-archive.js';
import { openProofline } from '../../src/core/proofline.js';
import { proofline } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let root: string;
let tsaA: RunningTsa;
let tsaB: RunningTsa;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-anchoring-'));
  [tsaA, tsaB] = await Promise.all([startTsa({ name: 'Anchor A' }), startTsa({ name: 'Anchor B', keyType: 'ec' })]);
});

afterAll(async () => {
  await Promise.all([tsaA?.stop(), tsaB?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('anchoring as the session goes', () => {
  it('a one-shot command anchors what it added before it exits: the note is covered by a timestamped checkpoint', async () => {
    const data = join(root, 'one-shot');
    const created = await proofline(['--data', data, '--tsa', tsaA.url, 'session', 'new', '--title', 'notes', '--json']);
    expect(created.code).toBe(0);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    expect((await proofline(['--data', data, '--tsa', tsaA.url, 'note', id, 'chose seed 1234'])).code).toBe(0);
    const pl = openProofline({ dataDir: data });
    try {
      const status = pl.sessions.anchoring(id);
      expect(status.events).toBe(2);
      expect(status.provenEvents).toBe(2);
      expect(status.unprovenSince).toBeNull();
      expect(pl.checkpoints.latest(id)!.statement).toMatchObject({ reason: 'anchor', treeSize: 2 });
      expect(pl.timestamps.list(id).every((t) => t.state === 'obtained')).toBe(true);
    } finally {
      pl.close();
    }
  });

  it('the command line anchors with the TSAs and interval of the app\'s Settings when no flag gives them', async () => {
    const data = join(root, 'settings');
    const seeded = openProofline({ dataDir: data });
    seeded.close();
    writeFileSync(join(data, 'settings.json'), JSON.stringify({ tsaUrls: [tsaB.url], anchorSeconds: 30 }));
    const env = { PROOFLINE_TSA_URLS: undefined as unknown as string };
    const created = await proofline(['--data', data, 'session', 'new', '--title', 'from settings', '--json'], env);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    const pl = openProofline({ dataDir: data });
    try {
      const first = [...pl.events.iterate(id)][0]!;
      expect(first.body.payload['anchoring']).toEqual({ anchorSeconds: 30, tsaUrls: [tsaB.url] });
      expect(pl.timestamps.list(id).map((t) => [t.tsaUrl, t.state])).toEqual([[tsaB.url, 'obtained']]);
    } finally {
      pl.close();
    }
    const bad = await proofline(['--data', data, '--anchor-seconds', '2', 'note', id, 'x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--anchor-seconds must be a whole number from 5 to 3600/);
  });

  it('a TSA changed in Settings applies to an open session from its next checkpoint, recorded as an event, and takes over what the dead one never answered', async () => {
    tsaA.setDown(true);
    const pl = openProofline({ dataDir: join(root, 'switch'), tsaUrls: [tsaA.url], tsaTimeoutMs: 2000 });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'dead TSA' });
      await pl.sessions.note(session.id, 'while the TSA is down');
      await pl.sessions.anchorNow(session.id);
      const before = pl.sessions.anchoring(session.id);
      expect(before.provenEvents).toBe(0);
      expect(before.pending).toBe(2);
      expect(before.lastError).toContain(tsaA.url);

      pl.setTsaUrls([tsaB.url]);
      await pl.sessions.note(session.id, 'after switching to B');
      await pl.sessions.anchorNow(session.id);
      const changed = [...pl.events.iterate(session.id)].find((e) => e.body.type === 'anchoring.changed')!;
      expect(changed.body.payload).toMatchObject({ tsaUrls: [tsaB.url], previous: { tsaUrls: [tsaA.url], anchorSeconds: 60 } });
      // The checkpoints A never answered are now answered by B, without waiting for A.
      const answered = pl.timestamps.list(session.id).filter((t) => t.tsaUrl === tsaB.url && t.state === 'obtained').map((t) => t.subject);
      expect(answered).toEqual(expect.arrayContaining(['checkpoint:000000', 'checkpoint:000001', 'checkpoint:000002']));
      expect(pl.sessions.anchoring(session.id).provenEvents).toBe(pl.events.count(session.id));

      const sealed = await pl.sessions.seal(session.id);
      expect(sealed.sealCheckpointTokens).toBe(1);
      expect(sealed.sealTokens).toBe(1);
      const out = join(root, 'switch.zip');
      await pl.exportSession(session.id, { out });
      const report = await verifyArchive(out, { trustedRoots: [tsaB.caPem] });
      expect(report.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip')).toEqual([]);
      expect(report.exitCode).toBe(0);
    } finally {
      tsaA.setDown(false);
      pl.close();
    }
  });

  it('after a seal whose TSA never answered, seal again with another TSA gets the seal token; the archive says what was given up', async () => {
    tsaA.setDown(true);
    const data = join(root, 'reseal');
    const created = await proofline(['--data', data, '--tsa', tsaA.url, 'session', 'new', '--title', 'offline seal', '--json']);
    const id = (JSON.parse(created.stdout) as { id: string }).id;
    const first = await proofline(['--data', data, '--tsa', tsaA.url, 'seal', id, '--json']);
    expect(first.code).toBe(0);
    const offline = JSON.parse(first.stdout) as { sealTokens: number; sealCheckpointTokens: number; abandonedTimestamps: number };
    expect(offline).toMatchObject({ sealTokens: 0, sealCheckpointTokens: 0 });
    expect(offline.abandonedTimestamps).toBeGreaterThan(0);
    expect(first.stderr).toMatch(/no TSA timestamped the final checkpoint/);

    // A stays down for good; B is configured instead, and the same seal command gets the token.
    const second = await proofline(['--data', data, '--tsa', tsaB.url, 'seal', id, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ sealTokens: 1, tagManifestSha256: (JSON.parse(first.stdout) as { tagManifestSha256: string }).tagManifestSha256 });
    const out = join(root, 'reseal.zip');
    expect((await proofline(['--data', data, 'export', id, '--out', out])).code).toBe(0);
    const index = JSON.parse((await import('node:child_process')).execFileSync('unzip', ['-p', out, 'proofline/timestamps.json'], { encoding: 'utf8' })) as { token: string | null; tsa: string; lastError: string | null }[];
    expect(index.filter((t) => t.token === null).map((t) => t.tsa)).toContain(tsaA.url);
    const report = await verifyArchive(out, { trustedRoots: [tsaA.caPem, tsaB.caPem] });
    expect(report.checks.find((c) => c.id === 'seal.timestamp')!.status).toBe('pass');
    tsaA.setDown(false);
  });

  it('a TSA URL with credentials is asked with them (HTTP Basic), and they reach neither the events nor the archive', async () => {
    const url = tsaB.url.replace('http://', 'http://alice:s3cret@');
    const pl = openProofline({ dataDir: join(root, 'credentials'), tsaUrls: [url] });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'paid TSA' });
      await pl.sessions.note(session.id, 'kept');
      await pl.sessions.anchorNow(session.id);
      expect(pl.sessions.anchoring(session.id).provenEvents).toBe(pl.events.count(session.id));
      await pl.sessions.seal(session.id);
      const out = join(root, 'credentials.zip');
      await pl.exportSession(session.id, { out });
      const { execFileSync } = await import('node:child_process');
      const everything = execFileSync('unzip', ['-p', out], { maxBuffer: 64 << 20 }).toString('latin1');
      expect(everything).toContain(tsaB.url);
      expect(everything).not.toContain('s3cret');
      expect([...pl.events.iterate(session.id)].map((e) => e.canonical).join('\n')).not.toContain('s3cret');
    } finally {
      pl.close();
    }
  });
});
