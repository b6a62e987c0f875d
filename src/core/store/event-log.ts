import type { ArtifactRef, EventBody, JsonValue, StoredEvent } from '../../shared/domain.js';
import type { Statement } from 'better-sqlite3';
import { ProoflineError } from '../errors.js';
import type { Database } from './database.js';
import { GENESIS_PREV, hashEvent } from './event-chain.js';
import { SHA256_HEX, type Digests } from './hashing.js';

export interface NewEvent {
  readonly type: string;
  readonly payload?: { readonly [key: string]: JsonValue };
  readonly artifacts?: readonly ArtifactRef[];
}

/** The store's own refusal of an event for a sealed session (session-guard.ts refuses earlier, with the time). */
export class SessionClosedError extends ProoflineError {
  constructor(readonly sessionId: string) {
    super('session.sealed', `Session ${sessionId} is sealed: nothing more can be added to it. Start a new session.`, { sessionId });
    this.name = 'SessionClosedError';
  }
}

const EVENT_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/**
 * The append-only, hash-chained log. Appends run in IMMEDIATE transactions so that the CLI and
 * the app writing to one database at once still form a single chain per session.
 */
export class EventLog {
  // Prepared once: capture sources append on a hot path.
  private readonly head: Statement;
  private readonly state: Statement;
  private readonly insert: Statement;
  private readonly timeAt: Statement;
  /** Sessions this process appended to: what a one-shot command must anchor before it exits. */
  private readonly appendedTo = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.head = db.prepare(`SELECT seq, hash, json_extract(body, '$.time') AS time FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1`);
    this.state = db.prepare('SELECT state FROM sessions WHERE id = ?');
    this.insert = db.prepare('INSERT INTO events (session_id, seq, hash, body) VALUES (?, ?, ?, ?)');
    this.timeAt = db.prepare(`SELECT json_extract(body, '$.time') AS time FROM events WHERE session_id = ? AND seq = ?`);
  }

  /** The number of events and the last one's hash and time, by the primary key (no scan). */
  headOf(sessionId: string): { size: number; hash: string | null; time: string | null } {
    const last = this.head.get(sessionId) as { seq: number; hash: string; time: string } | undefined;
    return last ? { size: last.seq + 1, hash: last.hash, time: last.time } : { size: 0, hash: null, time: null };
  }

  /** The recorded time of one event, or undefined when there is no such event. */
  timeOf(sessionId: string, seq: number): string | undefined {
    return (this.timeAt.get(sessionId, seq) as { time: string } | undefined)?.time;
  }

  touched(): string[] {
    return [...this.appendedTo];
  }

  append(sessionId: string, event: NewEvent): StoredEvent {
    return this.appendBatch(sessionId, [event])[0]!;
  }

  /** Appends many events in one transaction: one fsync for the whole batch. */
  appendBatch(sessionId: string, events: readonly NewEvent[]): StoredEvent[] {
    for (const event of events) validateEvent(event);
    const { head, state, insert } = this;
    const run = this.db.transaction(() => {
      const session = state.get(sessionId) as { state: string } | undefined;
      if (!session) throw new ProoflineError('session.not-found', `No session with id ${sessionId}. List sessions with 'proofline session list'.`, { query: sessionId });
      if (session.state === 'sealed') throw new SessionClosedError(sessionId);
      const last = head.get(sessionId) as { seq: number; hash: string; time: string } | undefined;
      let seq = last ? last.seq + 1 : 0;
      let prev = last ? last.hash : GENESIS_PREV;
      const time = this.now().toISOString();
      const stored: StoredEvent[] = [];
      // A clock set back is never hidden (DESIGN.md, interruptions): times stay as the clock
      // gave them, and the jump itself goes on record before the events that follow it.
      const jumped: NewEvent[] = last && time < last.time
        ? [{ type: 'clock.jump', payload: { direction: 'backwards', previousEventTime: last.time, now: time, seconds: (Date.parse(last.time) - Date.parse(time)) / 1000 } }]
        : [];
      for (const event of [...jumped, ...events]) {
        const body: EventBody = {
          v: 1,
          session: sessionId,
          seq,
          time,
          type: event.type,
          payload: event.payload ?? {},
          artifacts: event.artifacts ?? [],
          prev,
        };
        const hashed = hashEvent(body);
        insert.run(sessionId, seq, hashed.hash, hashed.canonical);
        stored.push(hashed);
        prev = hashed.hash;
        seq += 1;
      }
      return jumped.length > 0 ? stored.slice(1) : stored;
    });
    const stored = run.immediate();
    this.appendedTo.add(sessionId);
    return stored;
  }

  /** The number of events: seqs run 0, 1, 2… without a gap (append), so the head says it. */
  count(sessionId: string): number {
    return this.headOf(sessionId).size;
  }

  /** How many events of each type the session holds (the app's summaries, "is there one yet?"), kept on append (migration 8). */
  countByType(sessionId: string): Map<string, number> {
    const rows = this.db.prepare('SELECT type, n FROM event_type_counts WHERE session_id = ?').all(sessionId) as { type: string; n: number }[];
    return new Map(rows.map((row) => [row.type, row.n]));
  }

  /**
   * The events of the given types (and of every type starting with one of `prefixes`, such as
   * 'comfyui.'), in chain order, read through the type index (migration 8): what a view needs
   * costs the events it shows, not the session.
   */
  *ofTypes(sessionId: string, types: readonly string[], prefixes: readonly string[] = []): Generator<StoredEvent> {
    const seqs = this.seqsOfTypes(sessionId, types, prefixes);
    const byPk = this.db.prepare('SELECT hash, body FROM events WHERE session_id = ? AND seq = ?');
    for (const seq of seqs) {
      const row = byPk.get(sessionId, seq) as { hash: string; body: string } | undefined;
      if (row) yield { body: JSON.parse(row.body) as EventBody, canonical: row.body, hash: row.hash };
    }
  }

  /** The seqs of the events of these types (or type prefixes), ascending; only the type index is read. */
  seqsOfTypes(sessionId: string, types: readonly string[], prefixes: readonly string[] = []): number[] {
    const parts: string[] = [];
    const params: string[] = [];
    // The expression is spelled as in the index, or SQLite cannot use it.
    const type = `json_extract(body, '$.type')`;
    if (types.length > 0) {
      parts.push(`SELECT seq FROM events INDEXED BY events_by_type WHERE session_id = ? AND ${type} IN (${types.map(() => '?').join(',')})`);
      params.push(sessionId, ...types);
    }
    for (const prefix of prefixes) {
      // '\uffff' sorts after every character an event type may hold (EVENT_TYPE is ASCII).
      parts.push(`SELECT seq FROM events INDEXED BY events_by_type WHERE session_id = ? AND ${type} >= ? AND ${type} < ?`);
      params.push(sessionId, prefix, `${prefix}\uffff`);
    }
    if (parts.length === 0) return [];
    const rows = this.db.prepare(parts.join(' UNION ALL ')).raw().all(...params) as [number][];
    return rows.map((row) => row[0]).sort((a, b) => a - b);
  }

  /**
   * Every artifact the session's events name, once each, with the name the first event to name
   * it gave it (in chain order, then its place in that event), from the artifact index
   * (migration 8), and its stored digests (undefined: not in the blob store): what an archive
   * holds, without reading the events, in one statement.
   */
  artifactsFirstNamed(sessionId: string, scanUpTo = SCAN_ARTIFACTS_UP_TO): { sha256: string; name: string; stored: Digests | undefined }[] {
    // Two plans, one answer. Most sessions name each file once or twice: one pass down the
    // primary key (session, hash, seq), grouped by hash, is cheapest. A session whose events
    // name a few files a million times (segments of one recording pointing at one file) would
    // make that pass a million rows: a skip scan then seeks from each distinct hash to the next.
    // Either way the first row of a hash is its first event (the index keeps one row per (hash,
    // event): that event's first mention), and its blob row is joined in the same statement
    // rather than asked for 20,000 times from JavaScript.
    const rows = (this.db.prepare('SELECT COUNT(*) AS n FROM event_artifacts WHERE session_id = ?').get(sessionId) as { n: number }).n;
    const distinct =
      rows <= scanUpTo
        ? `SELECT sha256, json_extract(artifact, '$.name') AS name, MIN(seq) FROM event_artifacts WHERE session_id = @session GROUP BY sha256`
        : `WITH RECURSIVE hashes(sha256) AS (
             SELECT MIN(sha256) FROM event_artifacts WHERE session_id = @session
             UNION ALL
             SELECT (SELECT MIN(sha256) FROM event_artifacts WHERE session_id = @session AND sha256 > hashes.sha256) FROM hashes WHERE hashes.sha256 IS NOT NULL
           )
           SELECT sha256, (SELECT json_extract(artifact, '$.name') FROM event_artifacts a WHERE a.session_id = @session AND a.sha256 = hashes.sha256 ORDER BY seq LIMIT 1) AS name
           FROM hashes WHERE sha256 IS NOT NULL`;
    return this.db
      .prepare(`SELECT f.sha256, f.name, b.sm3, b.size FROM (${distinct}) f LEFT JOIN blobs b ON b.sha256 = f.sha256`)
      .all({ session: sessionId })
      .map((row) => {
        const { sha256, name, sm3, size } = row as { sha256: string; name: string | null; sm3: string | null; size: number | null };
        return { sha256, name: name ?? '', stored: sm3 === null || size === null ? undefined : { sha256, sm3, size } };
      });
  }

  /** Streams events in order without loading the session into memory. */
  *iterate(sessionId: string, fromSeq = 0, toSeqExclusive = Number.MAX_SAFE_INTEGER): Generator<StoredEvent> {
    const rows = this.db
      .prepare('SELECT hash, body FROM events WHERE session_id = ? AND seq >= ? AND seq < ? ORDER BY seq')
      .iterate(sessionId, fromSeq, toSeqExclusive) as IterableIterator<{ hash: string; body: string }>;
    for (const row of rows) {
      yield { body: JSON.parse(row.body) as EventBody, canonical: row.body, hash: row.hash };
    }
  }

  /**
   * The canonical bodies in order, unparsed: the lines of data/events.jsonl as the export writes
   * them, without the JSON.parse of each that `iterate` makes (10 MB for 20,000 events). Read a
   * page at a time, so no statement stays open while the export awaits between pages (an open
   * iterator keeps the connection busy for every other statement).
   */
  *canonicalBodies(sessionId: string): Generator<string> {
    const page = this.db.prepare('SELECT seq, body FROM events WHERE session_id = ? AND seq >= ? ORDER BY seq LIMIT 2000').raw();
    for (let from = 0; ; ) {
      const rows = page.all(sessionId, from) as [number, string][];
      for (const [, body] of rows) yield body;
      if (rows.length < 2000) return;
      from = rows[rows.length - 1]![0] + 1;
    }
  }
}

/** Artifact index rows of a session up to which one grouped pass beats the skip scan (see artifactsFirstNamed). */
const SCAN_ARTIFACTS_UP_TO = 200_000;

function validateEvent(event: NewEvent): void {
  if (!EVENT_TYPE.test(event.type)) {
    throw new Error(`Event type '${event.type}' is not a dotted lower-case name such as 'note' or 'artifact.attached'.`);
  }
  for (const artifact of event.artifacts ?? []) {
    if (!SHA256_HEX.test(artifact.sha256) || !Number.isSafeInteger(artifact.size) || artifact.size < 0) {
      throw new Error(`Event '${event.type}' names an artifact without a valid sha256 and size: ${JSON.stringify(artifact)}`);
    }
  }
}
