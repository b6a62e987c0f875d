import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { canonicalJson } from '../../src/core/store/canonical-json.js';
import { DatabaseVersionError, openDatabase } from '../../src/core/store/database.js';
import { migrations } from '../../src/core/store/migrations.js';
import { GENESIS_PREV, leafHash, merkleRoot } from '../../src/core/store/event-chain.js';
import { sha256Hex } from '../../src/core/store/hashing.js';
import { APP_VERSION } from '../../src/shared/version.js';

let dir: string;
let pl: Proofline;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-store-'));
  pl = openProofline({ dataDir: dir });
});

afterEach(() => {
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the database', () => {
  it('runs in WAL mode with synchronous=FULL and foreign keys on', () => {
    expect(pl.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(pl.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(pl.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('refuses a database from a newer Proofline and leaves it untouched', () => {
    const path = join(dir, 'future.sqlite');
    const raw = new BetterSqlite3(path);
    raw.pragma('user_version = 99');
    raw.close();
    const before = readFileSync(path);
    expect(() => openDatabase(path)).toThrow(DatabaseVersionError);
    expect(() => openDatabase(path)).toThrow(/version 99, newer than this Proofline understands/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('reopens an existing database without re-running migrations', () => {
    const session = pl.sessions.list();
    pl.close();
    pl = openProofline({ dataDir: dir });
    expect(pl.sessions.list()).toEqual(session);
    expect(pl.db.pragma('user_version', { simple: true })).toBe(migrations[migrations.length - 1]!.version);
  });
});

describe('the event log', () => {
  it('chains every event to the one before, from 64 zeros, in RFC 8785 form', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'chain' });
    await pl.sessions.note(s.id, 'second');
    const events = [...pl.events.iterate(s.id)];
    expect(events[0]!.body.prev).toBe(GENESIS_PREV);
    for (let i = 1; i < events.length; i++) expect(events[i]!.body.prev).toBe(events[i - 1]!.hash);
    for (const e of events) {
      expect(e.hash).toBe(sha256Hex(e.canonical));
      expect(canonicalJson(JSON.parse(e.canonical))).toBe(e.canonical);
    }
  });

  it('counts a session\'s events by type, and no other session\'s', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'counts' });
    const other = await pl.sessions.create({ kind: 'creation', title: 'other' });
    await pl.sessions.note(s.id, 'one');
    await pl.sessions.note(s.id, 'two');
    await pl.sessions.note(other.id, 'elsewhere');
    const counts = pl.events.countByType(s.id);
    expect(counts.get('note')).toBe(2);
    expect(counts.get('session.created')).toBe(1);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(pl.events.count(s.id));
    expect(counts.has('recording.segment')).toBe(false);
  });

  it('refuses UPDATE and DELETE on events and checkpoints, even through raw SQL', async () => {
    const s = await pl.sessions.create({ kind: 'web', title: 'immutable' });
    expect(() => pl.db.prepare(`UPDATE events SET body = '{}' WHERE session_id = ?`).run(s.id)).toThrow(/append-only/);
    expect(() => pl.db.prepare('DELETE FROM events WHERE session_id = ?').run(s.id)).toThrow(/append-only/);
    expect(() => pl.db.prepare('DELETE FROM checkpoints WHERE session_id = ?').run(s.id)).toThrow(/append-only/);
  });

  it('refuses new events once a session is sealed', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'sealed' });
    await pl.sessions.seal(s.id);
    await expect(pl.sessions.note(s.id, 'too late')).rejects.toThrow(/was sealed at .*nothing more can be added/);
    expect(() => pl.events.append(s.id, { type: 'note', payload: { text: 'x' } })).toThrow(/sealed/);
  });

  it('rejects malformed event types and artifact references with a message', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'bad input' });
    expect(() => pl.events.append(s.id, { type: 'Not A Type' })).toThrow(/dotted lower-case name/);
    expect(() => pl.events.append(s.id, { type: 'artifact.attached', artifacts: [{ sha256: 'abc', size: 1, name: 'x', mime: 'x' }] })).toThrow(/valid sha256/);
  });

  it('finds a session by a unique id prefix and explains an ambiguous or unknown one', async () => {
    const s = await pl.sessions.create({ kind: 'creation', title: 'prefix' });
    expect(pl.sessions.get(s.id.slice(0, 6)).id).toBe(s.id);
    expect(() => pl.sessions.get('zzzzzzzz')).toThrow(/no session has that id.*session list/);
    expect(() => pl.sessions.get('ab')).toThrow(/at least 4 characters/);
  });
});

describe('the blob store', () => {
  it('stores a file once under its SHA-256, with SM3 beside it', async () => {
    const file = join(dir, 'image.png');
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(file, bytes);
    const first = await pl.blobs.putFile(file);
    const second = await pl.blobs.putFile(file);
    expect(first.sha256).toBe(sha256Hex(bytes));
    expect(first.isNew).toBe(true);
    expect(second.isNew).toBe(false);
    expect(readFileSync(pl.blobs.pathOf(first.sha256)).equals(bytes)).toBe(true);
    expect(statSync(pl.blobs.pathOf(first.sha256)).size).toBe(bytes.length);
    expect(first.sm3).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file it cannot read', async () => {
    await expect(pl.blobs.putFile(join(dir, 'missing.png'))).rejects.toThrow(/Cannot read .*missing\.png/);
  });
});

describe('RFC 9162 Merkle tree hash', () => {
  // The recursive definition of RFC 9162 §2.1.1, to check the bottom-up implementation against.
  function reference(leaves: Buffer[]): Buffer {
    if (leaves.length === 1) return leaves[0]!;
    let k = 1;
    while (k * 2 < leaves.length) k *= 2;
    const node = Buffer.concat([Buffer.from([1]), reference(leaves.slice(0, k)), reference(leaves.slice(k))]);
    return Buffer.from(sha256Hex(node), 'hex');
  }

  it('matches the recursive definition for every size up to 40', () => {
    const leaves = Array.from({ length: 40 }, (_, i) => leafHash(`event ${i}`));
    for (let n = 1; n <= 40; n++) expect(merkleRoot(leaves.slice(0, n)), `n=${n}`).toBe(reference(leaves.slice(0, n)).toString('hex'));
    expect(merkleRoot([])).toBe(sha256Hex(Buffer.alloc(0)));
  });
});

describe('the device identity', () => {
  it('is created once and kept: same key id across restarts, private key readable only by its owner', async () => {
    const first = await pl.device();
    pl.close();
    pl = openProofline({ dataDir: dir });
    const again = await pl.device();
    expect(again.keyId).toBe(first.keyId);
    expect(statSync(join(dir, 'device', 'device-key.pem')).mode & 0o777).toBe(0o600);
    expect(again.keyStorage).toMatch(/not hardware-protected/);
  });
});

it('keeps APP_VERSION equal to package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(APP_VERSION).toBe(pkg.version);
});

describe('a clock set back', () => {
  it('is recorded as a clock.jump event before the events that follow it', async () => {
    let clock = Date.parse('2026-11-21T10:00:00Z');
    const local = openProofline({ dataDir: join(dir, 'clock'), now: () => new Date(clock) });
    try {
      const s = await local.sessions.create({ kind: 'creation', title: 'clock' });
      clock -= 90_000;
      const [note] = local.events.appendBatch(s.id, [{ type: 'note', payload: { text: 'after the jump' } }]);
      const all = [...local.events.iterate(s.id)];
      const jump = all.find((e) => e.body.type === 'clock.jump')!;
      expect(jump.body.payload).toMatchObject({ direction: 'backwards', seconds: 90 });
      expect(note!.body.seq).toBe(jump.body.seq + 1);
      expect(note!.body.prev).toBe(jump.hash);
    } finally {
      local.close();
    }
  });
});
