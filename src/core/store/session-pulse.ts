// What a live screen waits on, read without reading events: whether the store changed at all
// since the last look, and then, per session watched, the head of its chain and the state of its
// anchoring. A host asks on a short timer and pushes what moved (src/host/live-watch.ts).
import type { SessionPulse } from '../../shared/contract.js';
import type { Database } from './database.js';

export interface PulseReader {
  /**
   * Changes whenever anything was committed to the store, by this connection or by another
   * process (the CLI appending to a session `serve` shows): one statement, no table read.
   */
  storeVersion(): string;
  /** The session's pulse now (an unknown id: an empty one, headSeq -1). */
  pulse(sessionId: string): SessionPulse;
}

export function createPulseReader(db: Database): PulseReader {
  // data_version moves when another connection commits (sqlite.org/pragma.html#pragma_data_version),
  // never for this connection's own commits: total_changes() counts those.
  const version = db.prepare<[], { readonly data: number; readonly own: number }>('SELECT data_version AS data, total_changes() AS own FROM pragma_data_version');
  // The head and the last checkpoint by their primary keys, the owed timestamps by the pending
  // index (a TSA's backlog, not the session's history): no event is read.
  const pulse = db.prepare<[{ readonly id: string }], { readonly head: number | null; readonly checkpoint: number | null; readonly pending: number; readonly tries: number }>(`
    SELECT
      (SELECT seq FROM events WHERE session_id = @id ORDER BY seq DESC LIMIT 1) AS head,
      (SELECT idx FROM checkpoints WHERE session_id = @id ORDER BY idx DESC LIMIT 1) AS checkpoint,
      owed.pending, owed.tries
    FROM (SELECT COUNT(*) AS pending, TOTAL(attempts) AS tries FROM timestamp_requests WHERE session_id = @id AND state = 'pending') AS owed
  `);
  return {
    storeVersion() {
      const row = version.get()!;
      return `${row.data}:${row.own}`;
    },
    pulse(sessionId) {
      const row = pulse.get({ id: sessionId })!;
      return { id: sessionId, headSeq: row.head ?? -1, checkpoint: row.checkpoint ?? -1, pendingTimestamps: row.pending, timestampTries: row.tries };
    },
  };
}
