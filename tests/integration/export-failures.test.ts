import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportProgress } from '../../src/core/archive/write-bag.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';

let root: string;
const mounts: string[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'proofline-export-'));
});

afterAll(() => {
  for (const mount of mounts) execFileSync('umount', [mount]);
  rmSync(root, { recursive: true, force: true });
});

/** A real, small filesystem that fills up: tmpfs (the tests run as root, as CI does). */
function smallDisk(name: string, size: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

async function sealedSession(pl: Proofline, artifactBytes: number): Promise<{ id: string; artifact: string }> {
  const session = await pl.sessions.create({ kind: 'creation', title: 'export failures' });
  const artifact = join(root, `segment-${randomBytes(3).toString('hex')}.mp4`);
  writeFileSync(artifact, randomBytes(artifactBytes));
  await pl.sessions.attach(session.id, [artifact]);
  await pl.sessions.note(session.id, 'a note');
  await pl.sessions.seal(session.id);
  return { id: session.id, artifact };
}

describe('export', () => {
  it('reports progress up to the total, in order', async () => {
    const pl = openProofline({ dataDir: join(root, 'progress') });
    try {
      const { id } = await sealedSession(pl, 3 << 20);
      const seen: ExportProgress[] = [];
      await pl.exportSession(id, { out: join(root, 'progress.zip'), onProgress: (p) => seen.push(p) });
      expect(seen.length).toBeGreaterThan(3);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
      expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
      expect(seen.some((p) => p.file.endsWith('.mp4'))).toBe(true);
    } finally {
      pl.close();
    }
  });

  it('can be cancelled, leaving no archive behind', async () => {
    const pl = openProofline({ dataDir: join(root, 'cancel') });
    try {
      const { id } = await sealedSession(pl, 1 << 20);
      const controller = new AbortController();
      controller.abort();
      const out = join(root, 'cancelled.zip');
      await expect(pl.exportSession(id, { out, signal: controller.signal })).rejects.toThrow(/cancelled: no archive was written/);
      expect(readdirSync(root).filter((f) => f.startsWith('cancelled.zip'))).toEqual([]);
    } finally {
      pl.close();
    }
  });

  it('refuses a blob damaged or missing on disk, naming it, and writes nothing', async () => {
    const pl = openProofline({ dataDir: join(root, 'damaged') });
    try {
      const { id, artifact } = await sealedSession(pl, 1 << 20);
      const sha = (await pl.blobs.putFile(artifact)).sha256;
      writeFileSync(pl.blobs.pathOf(sha), randomBytes(1 << 20));
      const out = join(root, 'damaged.zip');
      await expect(pl.exportSession(id, { out })).rejects.toThrow(new RegExp(`data/artifacts/${sha}\\.mp4 in the store no longer matches its recorded hash`));
      expect(existsSync(out)).toBe(false);
      unlinkSync(pl.blobs.pathOf(sha));
      await expect(pl.exportSession(id, { out })).rejects.toThrow(/ENOENT|no such file/);
      expect(readdirSync(root).filter((f) => f.startsWith('damaged.zip'))).toEqual([]);
    } finally {
      pl.close();
    }
  });

  it('on a full disk: says so, removes its partial file, and the store is untouched', async () => {
    const pl = openProofline({ dataDir: join(root, 'full-export') });
    try {
      const { id } = await sealedSession(pl, 6 << 20);
      const disk = smallDisk('full-export-target', '2m');
      const out = join(disk, 'evidence.zip');
      await expect(pl.exportSession(id, { out })).rejects.toThrow(/The disk is full: free space or export to another drive/);
      expect(readdirSync(disk)).toEqual([]);
      const elsewhere = join(root, 'after-full.zip');
      await pl.exportSession(id, { out: elsewhere });
      expect(existsSync(elsewhere)).toBe(true);
    } finally {
      pl.close();
    }
  });
});

describe('attach on a full disk', () => {
  it('says so, keeps no half-stored blob, and the session goes on', async () => {
    const disk = smallDisk('full-store', '6m');
    const pl = openProofline({ dataDir: disk });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'full disk' });
      const big = join(root, 'too-big.mp4');
      writeFileSync(big, randomBytes(8 << 20));
      await expect(pl.sessions.attach(session.id, [big])).rejects.toThrow(/too-big\.mp4.*The disk is full/);
      expect(readdirSync(join(disk, 'blobs', 'tmp'))).toEqual([]);
      expect(readdirSync(join(disk, 'blobs')).filter((d) => d !== 'tmp')).toEqual([]);
      await pl.sessions.note(session.id, 'the recording did not fit; noted');
      expect(pl.events.count(session.id)).toBeGreaterThanOrEqual(2);
    } finally {
      pl.close();
    }
  });
});
