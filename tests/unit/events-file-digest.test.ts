import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENTS_JSONL, MANIFEST_SHA256, MANIFEST_SM3 } from '../../src/core/archive/bag-layout.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { openDatabase } from '../../src/core/store/database.js';
import { EventsFileDigest } from '../../src/core/store/events-file-digest.js';
import type { NewEvent } from '../../src/core/store/event-log.js';
import { migrations } from '../../src/core/store/migrations.js';
import { Sha256 } from '../../src/core/store/sha256-resumable.js';
import { Sm3 } from '../../src/core/store/sm3.js';

// Issue 13: the seal learns data/events.jsonl's digests from the state the checkpoints keep
// (migration 9) instead of reading a million events. A kept state that drifted from the events
// would seal a bag whose manifest the archive contradicts: these pin it to the events.

describe('hashes whose state is saved and resumed', () => {
  it('SHA-256 agrees with OpenSSL however the input is split, saved and resumed in another instance', () => {
    for (const size of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_001]) {
      const data = randomBytes(size);
      for (const cut of [0, 1, Math.floor(size / 3), size]) {
        const first = new Sha256().update(data.subarray(0, cut));
        const resumed = new Sha256();
        expect(resumed.load(first.save())).toBe(true);
        resumed.update(data.subarray(cut));
        expect(resumed.digestHex(), `size ${size}, cut ${cut}`).toBe(createHash('sha256').update(data).digest('hex'));
      }
    }
  });

  it('SM3 agrees with OpenSSL after a save and resume, and a digest does not end the hash', () => {
    const data = randomBytes(10_007);
    const hash = new Sm3().update(data.subarray(0, 5000));
    hash.digestHex(); // asked midway: must not disturb the state
    const resumed = new Sm3();
    expect(resumed.load(hash.save())).toBe(true);
    resumed.update(data.subarray(5000));
    expect(resumed.digestHex()).toBe(createHash('sm3').update(data).digest('hex'));
    expect(hash.update(data.subarray(5000)).digestHex()).toBe(resumed.digestHex());
  });

  it('refuses bytes that cannot be a state, and an events-file digest that does not parse is undefined', () => {
    const saved = new Sha256().update(randomBytes(70)).save();
    expect(new Sha256().load(saved.subarray(0, 39))).toBe(false);
    expect(new Sha256().load(Buffer.concat([saved, Buffer.alloc(1)]))).toBe(false); // 7 pending bytes for a length of 70
    const file = EventsFileDigest.empty();
    file.push('{"a":1}');
    const bytes = file.toBytes();
    expect(EventsFileDigest.fromBytes(bytes)?.digests()).toEqual(file.digests());
    expect(EventsFileDigest.fromBytes(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(EventsFileDigest.fromBytes(Buffer.concat([Buffer.from([9]), bytes.subarray(1)]))).toBeUndefined();
    expect(EventsFileDigest.fromBytes(null)).toBeUndefined();
  });
});

let dir: string;
let pl: Proofline;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-events-file-'));
  pl = openProofline({ dataDir: dir });
});

afterEach(() => {
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

const notes = (from: number, n: number): NewEvent[] => Array.from({ length: n }, (_, i) => ({ type: 'note', payload: { text: `note ${from + i} ✓` } }));

/** events.jsonl's digests computed from the chain itself, the way the file is written. */
function fromChain(p: Proofline, sessionId: string): { sha256: string; sm3: string; size: number } {
  const rows = p.db.prepare('SELECT body FROM events WHERE session_id = ? ORDER BY seq').all(sessionId) as { body: string }[];
  const file = Buffer.from(rows.map((r) => `${r.body}\n`).join(''), 'utf8');
  return { sha256: createHash('sha256').update(file).digest('hex'), sm3: createHash('sm3').update(file).digest('hex'), size: file.length };
}

function sealedEventsEntry(p: Proofline, sessionId: string): { sha256: string; sm3: string; size: number } {
  const plan = p.sessions.plan(sessionId);
  const entry = plan.payload.find((f) => f.path === EVENTS_JSONL)!;
  return { sha256: entry.sha256, sm3: entry.sm3, size: entry.size };
}

describe('the seal’s digests of events.jsonl', () => {
  it('equal those of the events, over many checkpoints, and the exported file hashes to what the manifests say', async () => {
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'digests kept' });
    const device = await pl.device();
    for (let round = 0; round < 5; round++) {
      pl.events.appendBatch(id, notes(round * 37, 37 + round));
      pl.checkpoints.create(id, 'manual', device);
    }
    pl.events.appendBatch(id, notes(999, 3)); // after the last checkpoint: the seal's covers them
    await pl.sessions.seal(id);
    expect(sealedEventsEntry(pl, id)).toEqual(fromChain(pl, id));

    const out = join(dir, 'a.zip');
    await pl.exportSession(id, { out });
    const unpacked = join(dir, 'x');
    execFileSync('unzip', ['-q', out, '-d', unpacked]);
    const bag = unpacked; // the bag is the archive's root
    execFileSync('sha256sum', ['-c', '--quiet', MANIFEST_SHA256], { cwd: bag });
    const jsonl = readFileSync(join(bag, EVENTS_JSONL));
    expect(readFileSync(join(bag, MANIFEST_SM3), 'utf8')).toContain(`${createHash('sm3').update(jsonl).digest('hex')}  ${EVENTS_JSONL}`);
  });

  it('are rebuilt from the events when the kept state is missing (a database from before migration 9) or damaged', async () => {
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'damaged state' });
    const device = await pl.device();
    pl.events.appendBatch(id, notes(0, 50));
    pl.checkpoints.create(id, 'manual', device);
    pl.db.prepare('UPDATE checkpoint_frontiers SET events_file = NULL WHERE session_id = ?').run(id);
    pl.events.appendBatch(id, notes(50, 20));
    pl.checkpoints.create(id, 'manual', device);
    pl.db.prepare('UPDATE checkpoint_frontiers SET events_file = ? WHERE session_id = ?').run(Buffer.from('not a state'), id);
    pl.events.appendBatch(id, notes(70, 5));
    await pl.sessions.seal(id);
    expect(sealedEventsEntry(pl, id)).toEqual(fromChain(pl, id));
  });

  it('are right for a session whose checkpoints were taken by a build before migration 9', async () => {
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'before 9' });
    const device = await pl.device();
    pl.events.appendBatch(id, notes(0, 40));
    pl.checkpoints.create(id, 'manual', device);
    pl.close();
    // Undo migration 9 as an old database would be: the column there, but empty.
    const db = openDatabase(join(dir, 'proofline.sqlite'), { migrations });
    db.prepare('UPDATE checkpoint_frontiers SET events_file = NULL').run();
    db.close();
    pl = openProofline({ dataDir: dir });
    pl.events.appendBatch(id, notes(40, 10));
    await pl.sessions.seal(id);
    expect(sealedEventsEntry(pl, id)).toEqual(fromChain(pl, id));
  });

  it('name each artifact by the first event that names it, as the events say', async () => {
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'artifacts' });
    const a = Buffer.from('first bytes');
    const b = Buffer.from('second bytes');
    const shaA = (await pl.blobs.putBytes(a)).sha256;
    const shaB = (await pl.blobs.putBytes(b)).sha256;
    pl.events.appendBatch(id, [
      { type: 'artifact.attached', payload: {}, artifacts: [{ sha256: shaA, size: a.length, name: 'draft.txt', mime: 'text/plain' }] },
      { type: 'artifact.attached', payload: {}, artifacts: [{ sha256: shaB, size: b.length, name: 'x.png', mime: 'image/png' }, { sha256: shaB, size: b.length, name: 'x.jpg', mime: 'image/jpeg' }] },
      { type: 'artifact.attached', payload: {}, artifacts: [{ sha256: shaA, size: a.length, name: 'renamed.md', mime: 'text/markdown' }] },
    ]);
    await pl.sessions.seal(id);
    const paths = pl.sessions.plan(id).payload.map((f) => f.path).filter((p) => p.includes('artifacts/'));
    expect(paths.sort()).toEqual([`data/artifacts/${shaA}.txt`, `data/artifacts/${shaB}.png`].sort());
    // The grouped pass and the skip scan (for a session whose events name few files many times) agree.
    const grouped = pl.events.artifactsFirstNamed(id);
    expect(pl.events.artifactsFirstNamed(id, 0)).toEqual(grouped);
    const expected = [
      { sha256: shaA, name: 'draft.txt', size: a.length },
      { sha256: shaB, name: 'x.png', size: b.length },
    ].sort((x, y) => (x.sha256 < y.sha256 ? -1 : 1));
    expect(grouped.map((g) => ({ sha256: g.sha256, name: g.name, size: g.stored?.size }))).toEqual(expected);
  });
});
