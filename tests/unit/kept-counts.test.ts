import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { openDatabase } from '../../src/core/store/database.js';
import { EventLog, type NewEvent } from '../../src/core/store/event-log.js';
import { migrations } from '../../src/core/store/migrations.js';
import { SessionTable } from '../../src/core/store/sessions.js';
import { findSessionArtifact } from '../../src/core/capture/creation/marks.js';

// Issue 13: what a view or a summary needs is kept beside the chain (migration 8) so that no
// operation reads the whole session. Kept things must never drift from the chain they derive from.

let dir: string;
let pl: Proofline;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-kept-'));
  pl = openProofline({ dataDir: dir });
});

afterEach(() => {
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (n: number): string => n.toString(16).padStart(64, '0');
const image = (n: number): NewEvent => ({ type: 'artifact.attached', payload: {}, artifacts: [{ sha256: sha(n), size: 1, name: `i${n}.png`, mime: 'image/png' }] });

/** The counts by type as the chain itself says them, and as they are kept. */
function countsOf(p: Proofline, sessionId: string): { chain: Record<string, number>; kept: Record<string, number> } {
  const chain = p.db.prepare(`SELECT json_extract(body, '$.type') AS type, COUNT(*) AS n FROM events WHERE session_id = ? GROUP BY type`).all(sessionId) as { type: string; n: number }[];
  return { chain: Object.fromEntries(chain.map((r) => [r.type, r.n])), kept: Object.fromEntries(p.events.countByType(sessionId)) };
}

async function session(p: Proofline = pl): Promise<string> {
  return (await p.sessions.create({ kind: 'creation', title: 'kept counts' })).id;
}

describe('the counts kept beside the chain', () => {
  it('equal COUNT(*) by type after appends of every kind', async () => {
    const id = await session();
    pl.events.appendBatch(id, [{ type: 'note', payload: { text: 'a' } }, image(1), image(2), { type: 'comfyui.prompt', payload: {} }]);
    await pl.sessions.note(id, 'b');
    const { chain, kept } = countsOf(pl, id);
    expect(kept).toEqual(chain);
    expect(kept['note']).toBe(2);
    const total = (pl.db.prepare('SELECT COUNT(*) AS n FROM events WHERE session_id = ?').get(id) as { n: number }).n;
    expect(pl.events.count(id)).toBe(total);
    expect(pl.sessions.get(id).eventCount).toBe(total);
    expect(pl.sessions.list().find((s) => s.id === id)?.eventCount).toBe(total);
  });

  it('roll back with an append that is rolled back', async () => {
    const id = await session();
    const before = countsOf(pl, id).kept;
    expect(() =>
      pl.db.transaction(() => {
        pl.events.appendBatch(id, [{ type: 'note', payload: { text: 'gone' } }, image(3)]);
        throw new Error('the caller changed its mind');
      })(),
    ).toThrow('changed its mind');
    expect(countsOf(pl, id).kept).toEqual(before);
    expect(countsOf(pl, id).chain).toEqual(before);
    expect(pl.db.prepare('SELECT COUNT(*) AS n FROM event_artifacts WHERE session_id = ?').get(id)).toEqual({ n: 0 });
  });

  it('stay equal to the chain when two processes append to one session at once', async () => {
    const id = await session();
    pl.close();
    const root = resolve(import.meta.dirname, '../..');
    const script = (label: string): string => `
      const { openProofline } = await import(${JSON.stringify(join(root, 'src/core/proofline.ts'))});
      const pl = openProofline({ dataDir: ${JSON.stringify(dir)} });
      for (let i = 0; i < 40; i++) {
        pl.events.appendBatch(${JSON.stringify(id)}, [
          { type: 'note', payload: { text: '${label} ' + i } },
          { type: '${label}.tick', payload: { i } },
          { type: 'artifact.attached', payload: {}, artifacts: [{ sha256: '${label === 'a' ? 'a' : 'b'}'.repeat(63) + (i % 10), size: 1, name: 'x.png', mime: 'image/png' }] },
        ]);
      }
      pl.close();`;
    const run = (label: string): Promise<number> =>
      new Promise((done, fail) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(label)], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('error', fail);
        child.on('exit', (code) => done(code ?? -1));
      });
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    pl = openProofline({ dataDir: dir });
    const { chain, kept } = countsOf(pl, id);
    expect(kept).toEqual(chain);
    expect(kept['note']).toBe(80);
    expect(kept['a.tick']).toBe(40);
    expect(kept['b.tick']).toBe(40);
    const artifacts = pl.db.prepare('SELECT COUNT(*) AS n FROM events e, json_each(e.body, \'$.artifacts\') WHERE e.session_id = ?').get(id);
    expect(pl.db.prepare('SELECT COUNT(*) AS n FROM event_artifacts WHERE session_id = ?').get(id)).toEqual(artifacts);
  }, 60_000);
});

describe('the events of a type', () => {
  it('are the ones a scan of the chain finds, in chain order, read through the type index', async () => {
    const id = await session();
    pl.events.appendBatch(id, [image(1), { type: 'note', payload: { text: 'a' } }, { type: 'comfyui.prompt', payload: {} }, { type: 'comfyuix', payload: {} }, { type: 'web.capture', payload: {} }, { type: 'comfyui.error', payload: {} }]);
    const scanned = [...pl.events.iterate(id)].filter((e) => ['note', 'artifact.attached'].includes(e.body.type) || e.body.type.startsWith('comfyui.'));
    const indexed = [...pl.events.ofTypes(id, ['note', 'artifact.attached'], ['comfyui.'])];
    expect(indexed.map((e) => e.body.seq)).toEqual(scanned.map((e) => e.body.seq));
    expect(indexed.map((e) => e.hash)).toEqual(scanned.map((e) => e.hash));
    expect(pl.events.seqsOfTypes(id, [])).toEqual([]);
    const plan = pl.db.prepare(`EXPLAIN QUERY PLAN SELECT seq FROM events INDEXED BY events_by_type WHERE session_id = ? AND json_extract(body, '$.type') IN ('note')`).all(id) as { detail: string }[];
    expect(plan.map((r) => r.detail).join(' ')).toContain('events_by_type');
  });

  it('find an artifact by a prefix of its hash, first where it was first recorded', async () => {
    const id = await session();
    pl.events.appendBatch(id, [image(0xabc1), image(0xabc2), { type: 'generation.image', payload: {}, artifacts: [{ sha256: sha(0xabc1), size: 1, name: 'again.png', mime: 'image/png' }] }]);
    const found = findSessionArtifact(pl, id, sha(0xabc1).slice(0, 61) + 'bc1');
    expect(found.artifact.name).toBe(`i${0xabc1}.png`);
    expect(found.type).toBe('artifact.attached');
    expect(() => findSessionArtifact(pl, id, sha(0xabc1).slice(0, 61))).toThrow(/matches 2 artifacts/);
  });
});

describe('migration 8', () => {
  it('fills the counts, the type index and the artifacts from the events already held, and keeps them after', () => {
    const path = join(dir, 'old.sqlite');
    const old = openDatabase(path, { migrations: migrations.filter((m) => m.version <= 7) });
    expect(old.pragma('user_version', { simple: true })).toBe(7);
    const id = new SessionTable(old).insert({ kind: 'creation', title: 'before 8', creator: '', description: '', createdAt: new Date().toISOString() });
    const log = new EventLog(old);
    log.appendBatch(id, [{ type: 'session.created', payload: {} }, { type: 'note', payload: { text: 'a' } }, image(5), image(6), { type: 'note', payload: { text: 'b' } }]);
    old.close();

    const db = openDatabase(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
      const events = new EventLog(db);
      expect(Object.fromEntries(events.countByType(id))).toEqual({ 'session.created': 1, note: 2, 'artifact.attached': 2 });
      expect(events.seqsOfTypes(id, ['note'])).toEqual([1, 4]);
      expect(db.prepare('SELECT sha256, seq FROM event_artifacts WHERE session_id = ? ORDER BY seq').all(id)).toEqual([
        { sha256: sha(5), seq: 2 },
        { sha256: sha(6), seq: 3 },
      ]);
      events.append(id, { type: 'note', payload: { text: 'c' } });
      expect(events.countByType(id).get('note')).toBe(3);
      expect(events.seqsOfTypes(id, ['note'])).toEqual([1, 4, 5]);
    } finally {
      db.close();
    }
  });
});
