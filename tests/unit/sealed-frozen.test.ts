import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';

let dir: string;
let pl: Proofline;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-frozen-'));
  pl = openProofline({ dataDir: dir });
});

afterEach(() => {
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a sealed session is frozen in the store itself', () => {
  it('refuses an event, a checkpoint and an unseal written straight to SQLite, as another process would, and still exports', async () => {
    const session = await pl.sessions.create({ kind: 'creation', title: 'frozen' });
    await pl.sessions.note(session.id, 'before the seal');
    await pl.sessions.seal(session.id);
    const count = pl.events.count(session.id);
    // Bypassing the service: a process that did not see the seal.
    expect(() => pl.db.prepare('INSERT INTO events (session_id, seq, hash, body) VALUES (?, ?, ?, ?)').run(session.id, count, 'x', '{}')).toThrow(/sealed: nothing can be added/);
    expect(() => pl.db.prepare('INSERT INTO checkpoints (session_id, idx, tree_size, statement, signature, created_at) VALUES (?, 99, 1, ?, ?, ?)').run(session.id, '{}', Buffer.alloc(1), 'now')).toThrow(/no checkpoint can be added/);
    expect(() => pl.db.prepare(`UPDATE sessions SET state = 'open' WHERE id = ?`).run(session.id)).toThrow(/stays sealed/);
    expect(() => pl.db.prepare(`UPDATE sessions SET sealed_at = 'later' WHERE id = ?`).run(session.id)).toThrow(/stays sealed/);
    // Through the service: a clear error, nothing changed.
    await expect(pl.sessions.note(session.id, 'after')).rejects.toThrow(/sealed/);
    expect(pl.events.count(session.id)).toBe(count);
    const out = join(dir, 'frozen.zip');
    await expect(pl.exportSession(session.id, { out })).resolves.toMatchObject({ path: out });
  });
});
