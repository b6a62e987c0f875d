import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesFile } from '../../src/core/archive/bag-plan.js';
import { TAGMANIFEST_SHA256, VERIFY_MD, manifestLine } from '../../src/core/archive/bag-layout.js';
import { verifyArchive } from '../../src/core/archive/verify-archive.js';
import { renderVerifyGuideV1 } from '../../src/core/archive/verify-guide-v1.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let root: string;
let tsa: RunningTsa;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-sealed-bag-'));
  tsa = await startTsa({ name: 'Bag' });
});

afterAll(async () => {
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Re-fixes a sealed session's bag with other tag files, as a build that wrote them would have. */
async function refix(pl: Proofline, id: string, tags: { path: string; bytes: Buffer }[], keep: boolean): Promise<void> {
  const device = await pl.device();
  const lines = tags.filter((t) => t.path !== TAGMANIFEST_SHA256).sort((a, b) => (a.path < b.path ? -1 : 1));
  const tagManifest = Buffer.from(lines.map((t) => manifestLine(bytesFile(t.path, t.bytes).sha256, t.path)).join(''));
  pl.db.prepare('UPDATE seals SET tag_manifest = ?, signature = ? WHERE session_id = ?').run(tagManifest, device.sign(tagManifest), id);
  pl.db.prepare('DELETE FROM seal_tag_files WHERE session_id = ?').run(id);
  if (keep) for (const t of [...lines, { path: TAGMANIFEST_SHA256, bytes: tagManifest }]) pl.db.prepare('INSERT INTO seal_tag_files (session_id, path, bytes) VALUES (?, ?, ?)').run(id, t.path, t.bytes);
  pl.db.prepare(`DELETE FROM timestamp_requests WHERE session_id = ? AND subject = 'seal'`).run(id);
  pl.timestamps.enqueue(id, 'seal', bytesFile('x', tagManifest).sha256);
  await pl.timestamps.drain({ sessionId: id, force: true });
}

const verifyMd = (zip: string): string => execFileSync('unzip', ['-p', zip, VERIFY_MD], { encoding: 'utf8' });

describe('a sealed session exports the bag fixed at its seal, whichever build runs the export', () => {
  it('keeps the tag files of its seal: a VERIFY.md worded otherwise by a later build is exported as it was sealed', async () => {
    const pl = openProofline({ dataDir: join(root, 'kept'), tsaUrls: [tsa.url] });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'kept' });
      await pl.sessions.note(session.id, 'a note');
      await pl.sessions.seal(session.id);
      const kept = pl.db.prepare('SELECT path, bytes FROM seal_tag_files WHERE session_id = ?').all(session.id) as { path: string; bytes: Buffer }[];
      expect(kept.map((t) => t.path)).toEqual(expect.arrayContaining([VERIFY_MD, 'manifest-sha256.txt', 'bag-info.txt', TAGMANIFEST_SHA256]));
      // As if an older build had sealed it with other words in VERIFY.md.
      const older = kept.map((t) => (t.path === VERIFY_MD ? { ...t, bytes: Buffer.from('# How this archive was checked, as an older Proofline said it\n') } : t));
      await refix(pl, session.id, older, true);
      const out = join(root, 'kept.zip');
      await pl.exportSession(session.id, { out });
      expect(verifyMd(out)).toBe('# How this archive was checked, as an older Proofline said it\n');
      const report = await verifyArchive(out, { trustedRoots: [tsa.caPem] });
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    } finally {
      pl.close();
    }
  });

  it('a session sealed before tag files were kept is re-derived with the VERIFY.md of its time', async () => {
    const pl = openProofline({ dataDir: join(root, 'legacy'), tsaUrls: [tsa.url] });
    try {
      const session = await pl.sessions.create({ kind: 'web', title: 'legacy' });
      await pl.sessions.seal(session.id);
      const legacy = pl.sessions.plan(session.id, renderVerifyGuideV1);
      await refix(pl, session.id, legacy.tags.map((t) => ({ path: t.path, bytes: (t.source as { data: Buffer }).data })), false);
      const out = join(root, 'legacy.zip');
      await pl.exportSession(session.id, { out });
      expect(verifyMd(out)).toContain('If `proofline/seal.tsr` is absent, no TSA could be reached when the session was sealed');
      expect((await verifyArchive(out, { trustedRoots: [tsa.caPem] })).checks.filter((c) => c.status === 'fail')).toEqual([]);
    } finally {
      pl.close();
    }
  });

  it('still refuses a store changed after sealing: a payload manifest that differs from the kept one', async () => {
    const pl = openProofline({ dataDir: join(root, 'changed'), tsaUrls: [tsa.url] });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'changed' });
      await pl.sessions.seal(session.id);
      pl.db.prepare(`UPDATE seal_tag_files SET bytes = ? WHERE session_id = ? AND path = 'manifest-sha256.txt'`).run(Buffer.from('0'.repeat(64) + '  data/events.jsonl\n'), session.id);
      const kept = pl.db.prepare('SELECT path, bytes FROM seal_tag_files WHERE session_id = ?').all(session.id) as { path: string; bytes: Buffer }[];
      await refix(pl, session.id, kept, true);
      await expect(pl.exportSession(session.id, { out: join(root, 'changed.zip') })).rejects.toThrow(/changed after sealing/);
    } finally {
      pl.close();
    }
  });
});
