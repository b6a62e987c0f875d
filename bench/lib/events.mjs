// Event appends per second on a fresh on-disk database (WAL, synchronous=FULL, as the app opens
// it), against bare better-sqlite3 inserting rows of the same size under the same pragmas.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import canonicalize from 'canonicalize';

const build = new URL('../../build/core/', import.meta.url);

function noteText(i) {
  return `prompt ${i}: a cat crystal pendant, soft rim light, seed ${(i * 2654435761) % 2 ** 31}, steps 30, cfg 7`;
}

async function freshSession(dir) {
  rmSync(dir, { recursive: true, force: true });
  const { openProofline } = await import(new URL('proofline.js', build).href);
  const pl = openProofline({ dataDir: dir });
  const session = await pl.sessions.create({ kind: 'creation', title: 'event bench' });
  return { pl, id: session.id };
}

/** appendBatch in batches of `batch` (batch 1 = pl.events.append, one transaction each). */
export async function proofline(dir, count, batch) {
  const { pl, id } = await freshSession(dir);
  const events = Array.from({ length: count }, (_, i) => ({ type: 'note', payload: { text: noteText(i) } }));
  const started = performance.now();
  if (batch === 1) {
    for (const e of events) pl.events.append(id, e);
  } else {
    for (let i = 0; i < count; i += batch) pl.events.appendBatch(id, events.slice(i, i + batch));
  }
  const seconds = (performance.now() - started) / 1000;
  const stored = pl.events.count(id) - 1; // minus session.created
  pl.close();
  rmSync(dir, { recursive: true, force: true });
  if (stored !== count) throw new Error(`event bench stored ${stored} events, expected ${count}`);
  return seconds;
}

/**
 * The floor: a bare hash chain in better-sqlite3 under the same pragmas and table. Inside the
 * timed region, as Proofline does: each body (~330 bytes, carrying the previous hash) serialised
 * as RFC 8785 canonical JSON (the same `canonicalize` package), its SHA-256 taken, the row
 * inserted. Without Proofline's session checks, Merkle frontier and event parsing.
 */
export function bareSqlite(dir, count, batch) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = new BetterSqlite3(join(dir, 'bare.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (session_id, seq)) STRICT, WITHOUT ROWID');
  const session = '0192f0c4-7a1e-7cc2-9d4e-5b1f2a3c4d5e';
  // The inputs, as Proofline's side gets them before its timer: plain objects.
  const inputs = Array.from({ length: count }, (_, i) => ({ type: 'note', payload: { text: noteText(i) } }));
  const insert = db.prepare('INSERT INTO events (session_id, seq, hash, body) VALUES (?, ?, ?, ?)');
  let prev = '0'.repeat(64);
  const tx = db.transaction((from, to) => {
    for (let seq = from; seq < to; seq++) {
      const body = canonicalize({ artifacts: [], payload: inputs[seq].payload, prev, seq, session, time: new Date().toISOString(), type: inputs[seq].type, v: 1 });
      const hash = createHash('sha256').update(body).digest('hex');
      insert.run(session, seq, hash, body);
      prev = hash;
    }
  });
  const started = performance.now();
  for (let i = 0; i < count; i += batch) tx.immediate(i, Math.min(count, i + batch));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return seconds;
}
