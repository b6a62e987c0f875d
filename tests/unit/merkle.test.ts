import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/core/attest/checkpoints.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { canonicalJson } from '../../src/core/store/canonical-json.js';
import { leafHash, merkleRoot, merkleRootsAt, MerkleFrontier } from '../../src/core/store/event-chain.js';

/** RFC 9162 §2.1.1 read literally: split at the largest power of two below n, recurse. */
function rfcRoot(leaves: readonly Buffer[]): Buffer {
  const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([0x01]), rfcRoot(leaves.slice(0, k)), rfcRoot(leaves.slice(k)));
}

function randomLeaves(n: number): Buffer[] {
  return Array.from({ length: n }, () => createHash('sha256').update(Buffer.from([0x00])).update(randomBytes(24)).digest());
}

function frontierOf(leaves: readonly Buffer[]): MerkleFrontier {
  const frontier = MerkleFrontier.empty();
  for (const leaf of leaves) frontier.push(leaf);
  return frontier;
}

describe('the Merkle frontier', () => {
  const leaves = randomLeaves(300);

  it('gives the RFC 9162 root of the empty tree and of a single leaf', () => {
    expect(MerkleFrontier.empty().root()).toBe(createHash('sha256').digest('hex'));
    expect(MerkleFrontier.empty().root()).toBe(merkleRoot([]));
    expect(frontierOf(leaves.slice(0, 1)).root()).toBe(leaves[0]!.toString('hex'));
  });

  it('gives the same root as a full rebuild at every size from 0 to 300', () => {
    const frontier = MerkleFrontier.empty();
    for (let n = 0; n <= leaves.length; n++) {
      const expected = merkleRoot(leaves.slice(0, n));
      expect(expected).toBe(rfcRoot(leaves.slice(0, n)).toString('hex'));
      expect(frontier.size).toBe(n);
      expect(frontier.root()).toBe(expected);
      if (n < leaves.length) frontier.push(leaves[n]!);
    }
  });

  it('gives the same root as a full rebuild at larger sizes, around powers of two', () => {
    const many = randomLeaves(5000);
    const sizes = [511, 512, 513, 1023, 1024, 1025, 2047, 4096, 4097, 4999, 5000];
    for (let i = 0; i < 4; i++) sizes.push(1 + Math.floor(Math.random() * many.length));
    for (const n of sizes) expect(frontierOf(many.slice(0, n)).root()).toBe(merkleRoot(many.slice(0, n)));
  });

  it('keeps one 32-byte node per set bit of its size, largest first', () => {
    expect(frontierOf(leaves.slice(0, 256)).toBytes()).toHaveLength(32);
    expect(frontierOf(leaves.slice(0, 255)).toBytes()).toHaveLength(8 * 32);
    const bytes = frontierOf(leaves.slice(0, 6)).toBytes(); // 6 = 4 + 2
    expect(bytes.subarray(0, 32).toString('hex')).toBe(merkleRoot(leaves.slice(0, 4)));
    expect(bytes.subarray(32).toString('hex')).toBe(merkleRoot(leaves.slice(4, 6)));
    expect(MerkleFrontier.byteLength(6)).toBe(64);
    expect(MerkleFrontier.byteLength(2 ** 40 + 1)).toBe(64);
  });

  it('round-trips through toBytes and fromBytes, and keeps growing to the same roots', () => {
    for (const n of [0, 1, 2, 3, 7, 8, 100, 255, 256]) {
      const saved = frontierOf(leaves.slice(0, n));
      const restored = MerkleFrontier.fromBytes(n, saved.toBytes());
      expect(restored.size).toBe(n);
      expect(restored.root()).toBe(saved.root());
      expect(restored.toBytes().equals(saved.toBytes())).toBe(true);
      for (const leaf of leaves.slice(n, n + 44)) restored.push(leaf);
      expect(restored.root()).toBe(merkleRoot(leaves.slice(0, n + 44)));
    }
  });

  it('refuses bytes that cannot be a frontier of the size given', () => {
    const bytes = frontierOf(leaves.slice(0, 6)).toBytes();
    expect(() => MerkleFrontier.fromBytes(7, bytes)).toThrow(/over 7 leaves holds 96 bytes/);
    expect(() => MerkleFrontier.fromBytes(6, bytes.subarray(1))).toThrow(/not 63/);
    expect(() => MerkleFrontier.fromBytes(-1, Buffer.alloc(0))).toThrow(/whole number of leaves/);
    expect(() => MerkleFrontier.empty().push(Buffer.alloc(31))).toThrow(/32 bytes, not 31/);
  });
});

describe('merkleRootsAt', () => {
  it('gives the root at each requested size in one walk', () => {
    const leaves = randomLeaves(1000);
    const sizes = [1000, 1, 0, 513, 512, 1, 999, 64];
    const roots = merkleRootsAt(leaves, sizes);
    expect([...roots.keys()].sort((a, b) => a - b)).toEqual([0, 1, 64, 512, 513, 999, 1000]);
    for (const n of sizes) expect(roots.get(n)).toBe(merkleRoot(leaves.slice(0, n)));
  });

  it('leaves out sizes beyond the leaves given, and stops reading once it has every size', () => {
    const leaves = randomLeaves(10);
    expect([...merkleRootsAt(leaves, [11, 3, 2.5, -1]).keys()]).toEqual([3]);
    let read = 0;
    function* counted(): Generator<Buffer> {
      for (const leaf of leaves) {
        read += 1;
        yield leaf;
      }
    }
    merkleRootsAt(counted(), [4]);
    expect(read).toBe(4);
  });
});

describe('checkpoints over a real store', () => {
  let dir: string;
  let pl: Proofline;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proofline-merkle-'));
    pl = openProofline({ dataDir: dir });
  });

  afterEach(() => {
    pl.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function checkpoint(id: string): Promise<Checkpoint> {
    return pl.checkpoints.create(id, 'anchor', await pl.device());
  }

  function notes(id: string, n: number): void {
    pl.events.appendBatch(id, Array.from({ length: n }, (_, i) => ({ type: 'note', payload: { text: `note ${i}` } })));
  }

  /** What the old create computed: every event read again, the root rebuilt from scratch. */
  function rebuilt(id: string, size: number): { root: string; head: string } {
    const events = [...pl.events.iterate(id, 0, size)];
    return { root: merkleRoot(events.map((e) => leafHash(e.canonical))), head: events.at(-1)!.hash };
  }

  function expectMatchesRebuild(id: string, cp: Checkpoint): void {
    expect(cp.statement.treeSize).toBe(pl.events.count(id));
    const { root, head } = rebuilt(id, cp.statement.treeSize);
    expect(cp.statement.merkleRoot).toBe(root);
    expect(cp.statement.head).toBe(head);
  }

  function frontierSizes(id: string): number[] {
    const rows = pl.db.prepare('SELECT tree_size FROM checkpoint_frontiers WHERE session_id = ? ORDER BY tree_size').all(id) as { tree_size: number }[];
    return rows.map((r) => r.tree_size);
  }

  it('signs the same root and head as a full rebuild, checkpoint after checkpoint', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'incremental' });
    for (const n of [1, 2, 5, 1, 120, 7, 0, 256, 3]) {
      notes(s.id, n);
      expectMatchesRebuild(s.id, await checkpoint(s.id));
    }
    const sizes = pl.checkpoints.list(s.id).map((c) => c.statement.treeSize);
    expect(frontierSizes(s.id)).toEqual([...new Set(sizes)].sort((a, b) => a - b));
  });

  it('keeps the statement format: the signed bytes are the canonical statement, reason anchor', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'format' });
    notes(s.id, 3);
    const cp = await checkpoint(s.id);
    expect(Object.keys(cp.statement).sort()).toEqual(['device', 'head', 'index', 'merkleRoot', 'reason', 'session', 'time', 'treeSize', 'type', 'v']);
    expect(cp.statement.reason).toBe('anchor');
    expect(cp.bytes.toString('utf8')).toBe(canonicalJson(cp.statement));
    expect(pl.checkpoints.latest(s.id)!.bytes.equals(cp.bytes)).toBe(true);
  });

  it('carries on from the stored frontier after the database is reopened', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'reopen' });
    notes(s.id, 300);
    expectMatchesRebuild(s.id, await checkpoint(s.id));
    pl.close();
    pl = openProofline({ dataDir: dir });
    notes(s.id, 37);
    expectMatchesRebuild(s.id, await checkpoint(s.id));
    notes(s.id, 1);
    expectMatchesRebuild(s.id, await checkpoint(s.id));
  });

  it('rebuilds once from the events when earlier checkpoints have no frontier (a database from before migration 3)', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'legacy' });
    notes(s.id, 90);
    await checkpoint(s.id);
    notes(s.id, 10);
    await checkpoint(s.id);
    pl.db.prepare('DELETE FROM checkpoint_frontiers').run();
    notes(s.id, 11);
    const cp = await checkpoint(s.id);
    expectMatchesRebuild(s.id, cp);
    expect(frontierSizes(s.id)).toEqual([cp.statement.treeSize]);
    notes(s.id, 2);
    expectMatchesRebuild(s.id, await checkpoint(s.id));
  });

  it('rebuilds from the events rather than trust a stored frontier whose bytes do not fit its size', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'damaged' });
    notes(s.id, 20);
    const first = await checkpoint(s.id);
    pl.db.prepare('UPDATE checkpoint_frontiers SET nodes = ? WHERE session_id = ?').run(Buffer.alloc(5), s.id);
    notes(s.id, 4);
    expectMatchesRebuild(s.id, await checkpoint(s.id));
    expect(first.statement.treeSize).toBeLessThan(pl.events.count(s.id));
  });

  it('stores one frontier for two checkpoints over the same events', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'twice' });
    notes(s.id, 5);
    const a = await checkpoint(s.id);
    const b = await checkpoint(s.id);
    expect(b.statement.index).toBe(a.statement.index + 1);
    expect(b.statement.merkleRoot).toBe(a.statement.merkleRoot);
    expect(b.statement.head).toBe(a.statement.head);
    expect(frontierSizes(s.id).filter((n) => n === a.statement.treeSize)).toHaveLength(1);
  });

  it('keeps each session\'s frontier to itself', async () => {
    const a = await pl.sessions.create({ kind: 'creation', title: 'a' });
    const b = await pl.sessions.create({ kind: 'web', title: 'b' });
    notes(a.id, 40);
    await checkpoint(a.id);
    notes(b.id, 3);
    expectMatchesRebuild(b.id, await checkpoint(b.id));
    notes(a.id, 2);
    expectMatchesRebuild(a.id, await checkpoint(a.id));
  });

  it('is the seal checkpoint too, inside the seal transaction', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'seal' });
    notes(s.id, 33);
    await checkpoint(s.id);
    notes(s.id, 4);
    await pl.sessions.seal(s.id);
    const final = pl.checkpoints.latest(s.id)!;
    expect(final.statement.reason).toBe('seal');
    expectMatchesRebuild(s.id, final);
  });
});
